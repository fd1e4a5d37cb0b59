import type { EvidenceRef } from '@dukao/evidence-store';
import type { AccountabilityAction } from './scoring.inputs';

/**
 * What a unit contests (申诉对象), as resolved when the appeal was filed: the contested event's id and
 * its business time are pinned here, so the ruling (and the engine) never look the subject up again.
 * - `adjustment`: a ScoreAdjusted of the unit (a penalty, 扣分, or a bonus);
 * - `veto`: a VetoImposed of the unit (一票否决);
 * - `accountability`: an AccountabilityActionTaken against the unit (问责, its deduction; @dukao/supervision);
 * - `verification`: the ReportRejected (数据审核退回) of one of the unit's reports;
 * - `falseReport`: a FalseReportConfirmed (察访核验认定虚报或瞒报; @dukao/audit) against the unit;
 * - `score`: the unit's score in the publication as a whole.
 * `occurredAt` is the contested item's business time (a record's date, the rejected report's period
 * end, the publication's `at`): a ruling takes effect from it unless it says otherwise.
 */
export type AppealSubject =
  | {
      kind: 'adjustment';
      adjustmentId: string;
      recordKind: 'bonus' | 'penalty';
      amount: number;
      eventId: string;
      occurredAt: string;
    }
  | { kind: 'veto'; vetoId: string; eventId: string; occurredAt: string }
  | {
      kind: 'accountability';
      actionId: string;
      action: AccountabilityAction;
      /** The deduction recorded with the action (the scheme's, when it was taken). */
      deduction: number;
      eventId: string;
      occurredAt: string;
    }
  | {
      kind: 'verification';
      targetId: string;
      reportId: string;
      period: string;
      eventId: string;
      occurredAt: string;
    }
  | {
      kind: 'falseReport';
      caseId: string;
      /** 虚报 or 瞒报, as the spot check found it. */
      finding: 'falseReport' | 'concealment';
      /** The target the finding is about (the anomaly view marks the case ruled on). */
      targetId: string;
      eventId: string;
      occurredAt: string;
    }
  | { kind: 'score'; eventId: null; occurredAt: string };

export type AppealSubjectKind = AppealSubject['kind'];

/** 申诉: filed by the unit against an item of a publication (公示), within its appeal window. */
export type AppealFiled = {
  type: 'AppealFiled';
  data: {
    appealId: string;
    cycleId: string;
    unitId: string;
    category: string;
    /** The publication appealed: its window is what made the appeal timely. */
    publicationId: string;
    subject: AppealSubject;
    reasons: string;
    evidence: EvidenceRef[];
    filedAt: string;
  };
};

/** Withdrawn by the unit before any ruling. */
export type AppealWithdrawn = {
  type: 'AppealWithdrawn';
  data: { appealId: string; cycleId: string; unitId: string; reason: string | null; withdrawnAt: string };
};

export const RULING_OUTCOMES = ['upheld', 'overturned', 'partial'] as const;
/**
 * - `upheld` (维持): the contested item stands;
 * - `overturned` (撤销): it is void (a record no longer counts; a rejection no longer stops the report);
 * - `partial` (部分支持): a record's amount is reduced to `amount` (what stands); for a score appeal,
 *   `amount` points are added to (positive) or taken from (negative) the total.
 * A score cannot be voided as a whole (rule `partial` with the points), a veto or a rejection cannot be
 * reduced (uphold or overturn it).
 */
export type RulingOutcome = (typeof RULING_OUTCOMES)[number];

/**
 * 裁决: the committee's ruling, recorded by the assessment office. Nothing it touches is rewritten: the
 * engine reads this event and applies it from `effectiveFrom` (business time), for as long as the
 * log knows it (`asOf` before its recordedAt replays the score without it).
 */
export type RulingRecorded = {
  type: 'RulingRecorded';
  data: {
    appealId: string;
    cycleId: string;
    unitId: string;
    publicationId: string;
    subject: AppealSubject;
    outcome: RulingOutcome;
    /** partial: the amount that stands (records) or the points added/taken (score); otherwise null. */
    amount: number | null;
    reasoning: string;
    effectiveFrom: string;
    ruledAt: string;
  };
};

export type AppealEvent = AppealFiled | AppealWithdrawn | RulingRecorded;
export const APPEAL_EVENT_TYPES: readonly AppealEvent['type'][] = [
  'AppealFiled',
  'AppealWithdrawn',
  'RulingRecorded',
];

export const APPEAL_STREAM_PREFIX = 'appeal-';
/** One stream per appeal: its filing, a withdrawal or its one ruling. */
export const appealStream = (appealId: string) => `${APPEAL_STREAM_PREFIX}${appealId}`;
