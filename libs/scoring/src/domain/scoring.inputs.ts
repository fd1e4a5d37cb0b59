import type { Indicator, Scheme, TargetEvent } from '@dukao/targets';

/**
 * Where an input came from in the log. `position` orders records within one stream (a stream
 * revision or the global position, either works: the engine only compares positions of the same
 * stream); `recordedAt` is when the log learnt of it and is what `asOf` filters on.
 */
export interface RecordRef {
  eventId: string;
  position: number;
  recordedAt: string;
}

/** A target event as read from the log. The target (stream) is `event.data.targetId`. */
export interface RecordedTargetEvent extends RecordRef {
  event: TargetEvent;
}

/** A scoring scheme version (from SchemePublished): in force from `effectiveFrom`, known from `recordedAt`. */
export interface SchemeVersion {
  version: number;
  effectiveFrom: string;
  recordedAt: string;
  scoring: Scheme['scoring'];
}

/** The category's indicator tree version (from IndicatorTreePublished). */
export interface IndicatorTreeVersion {
  version: number;
  effectiveFrom: string;
  recordedAt: string;
  /** 百分制 100 / 千分制 1000: the maximum total, the base of the grade thresholds. */
  scale: number;
  indicators: Indicator[];
}

/**
 * A unit's satisfaction score (0–100) for a satisfaction indicator, computed elsewhere (public
 * ratings, evaluations). Of several for the same (unit, indicator), the latest recorded counts.
 */
export interface SatisfactionResult extends RecordRef {
  unitId: string;
  indicatorId: string;
  score: number;
  /** The event the score was derived from (for the trace). */
  sourceEventId: string;
  occurredAt: string;
}

export const ACCOUNTABILITY_ACTIONS = [
  'caution',
  'interview',
  'publicNotice',
  'admonition',
  'accountability',
] as const;
export type AccountabilityAction = (typeof ACCOUNTABILITY_ACTIONS)[number];

/**
 * Score-relevant facts about a unit from contexts other than targets (supervision, discipline,
 * the assessment office). Each applies to the period of its `occurredAt`.
 * - `bonus` / `penalty` (加减分): `amount` points, positive; bonuses are capped per cycle.
 * - `accountability` (提醒·约谈·通报·诫勉·追责): deduction from the scheme by `action`.
 * - `falseReport` (虚报瞒报, confirmed): the scheme's deduction per case.
 * - `veto` (一票否决): grade becomes admonished.
 */
export type UnitRecord = RecordRef & { unitId: string; occurredAt: string; reason?: string } & (
    | { kind: 'bonus'; amount: number }
    | { kind: 'penalty'; amount: number }
    | { kind: 'accountability'; action: AccountabilityAction }
    | { kind: 'falseReport' }
    | { kind: 'veto' }
  );

/**
 * The log's event type each record kind is read from (the loader's mapping), so that a trace names
 * the event an inspector finds in the log, not the engine's own label.
 */
export const RECORD_EVENT_TYPES: Readonly<Record<UnitRecord['kind'], string>> = {
  bonus: 'ScoreAdjusted',
  penalty: 'ScoreAdjusted',
  accountability: 'AccountabilityActionTaken',
  falseReport: 'FalseReportConfirmed',
  veto: 'VetoImposed',
};

/** The log's event type satisfaction results are read from (a campaign's published results). */
export const SATISFACTION_EVENT_TYPE = 'EvaluationResultsPublished';

/**
 * What a ruling (裁决) applies to, as the engine sees it:
 * - `record`: a {@link UnitRecord} (bonus, penalty, accountability, falseReport, veto), by its `eventId`;
 * - `rejection`: a ReportRejected (by its event id) of a report of `targetId`;
 * - `score`: the unit's total.
 */
export type RulingSubject =
  | { kind: 'record'; eventId: string }
  | { kind: 'rejection'; targetId: string; reportId: string; eventId: string }
  | { kind: 'score' };

/**
 * The committee's ruling on an appeal (from RulingRecorded). It applies when `effectiveFrom ≤ at` and
 * it is known at `asOf`; of several on the same record or rejection, the latest recorded counts.
 * - `upheld`: nothing changes (the trace says so);
 * - `overturned`: the record no longer counts (no amount, no grade effect), or the rejection no longer
 *   stops the report counting;
 * - `partial`: a record's amount (or deduction) becomes `amount`, what stands; for `score`, `amount`
 *   points are added (positive) or taken (negative) from the total, outside the bonus cap.
 */
export interface Ruling extends RecordRef {
  appealId: string;
  unitId: string;
  subject: RulingSubject;
  outcome: 'upheld' | 'overturned' | 'partial';
  amount: number | null;
  effectiveFrom: string;
}

export interface ScoringInput {
  cycleId: string;
  category: string;
  /** The business instant scored: events whose occurredAt (a report's period end) is after it do not count. */
  at: string;
  /** The knowledge cut-off: only records with recordedAt ≤ asOf count. Absent: everything given. */
  asOf?: string;
  /** The units of the category (the ranking population). */
  unitIds: string[];
  schemes: SchemeVersion[];
  trees: IndicatorTreeVersion[];
  /** All target events of the category's units, in any order across streams. */
  targetEvents: RecordedTargetEvent[];
  satisfaction: SatisfactionResult[];
  records: UnitRecord[];
  /** Rulings on appeals (absent: none). */
  rulings?: Ruling[];
  /** The stored metadata (actor, occurredAt) of the events above, by eventId; optional, never scored. */
  provenance?: EventProvenance[];
}

/** Who recorded an event, and when it happened in business time, as the log stored it (for timelines). */
export interface EventProvenance {
  eventId: string;
  position: number;
  type: string;
  recordedAt: string;
  occurredAt: string | null;
  actor: { userId: string; role: string; unitId?: string | null } | null;
}
