import { DEFAULT_SCHEME, type Indicator, type TargetDefinition, type TargetEvent } from '@dukao/targets';
import type {
  IndicatorTreeVersion,
  RecordedTargetEvent,
  Ruling,
  SatisfactionResult,
  SchemeVersion,
  ScoringInput,
  UnitRecord,
} from '../scoring.inputs';

export const CYCLE = 'c2026';
export const SCHEME_V1: SchemeVersion = {
  version: 1,
  effectiveFrom: '2025-12-31T16:00:00.000Z',
  recordedAt: '2025-12-31T16:00:00.000Z',
  scoring: DEFAULT_SCHEME.scoring,
};

export const leaf = (
  indicatorId: string,
  points: number,
  method: Indicator['method'],
  parentId: string | null = null,
): Indicator => ({
  indicatorId,
  parentId,
  name: indicatorId,
  level: parentId === null ? 1 : 2,
  points,
  method,
});

export const tree = (indicators: Indicator[], scale = 100, version = 1): IndicatorTreeVersion => ({
  version,
  effectiveFrom: '2025-12-31T16:00:00.000Z',
  recordedAt: '2025-12-31T16:00:00.000Z',
  scale,
  indicators,
});

export const definition = (
  over: Partial<TargetDefinition> & Pick<TargetDefinition, 'unitId' | 'indicatorId'>,
): TargetDefinition => ({
  cycleId: CYCLE,
  year: 2026,
  category: 'towns',
  title: over.indicatorId,
  kind: 'quantitative',
  measure: 'value',
  unitOfMeasure: '%',
  direction: 'higherIsBetter',
  annualValue: 8,
  baseline: 7.1,
  schedule: [25, 50, 75, 100],
  cadence: 'quarterly',
  reportDueDay: 10,
  dataCollectionUnitId: 'stats',
  milestones: [],
  dynamic: false,
  ...over,
});

/** Builds recorded events with increasing positions and recordedAt (one minute apart from `start`). */
export class Log {
  private position = 0;
  readonly events: RecordedTargetEvent[] = [];
  constructor(private clock = Date.parse('2026-01-05T00:00:00.000Z')) {}

  next(): { eventId: string; position: number; recordedAt: string } {
    this.position += 1;
    this.clock += 60_000;
    return {
      eventId: `e${this.position}`,
      position: this.position,
      recordedAt: new Date(this.clock).toISOString(),
    };
  }
  /** Moves the record clock to an instant (later records are recorded after it). */
  at(iso: string): this {
    this.clock = Date.parse(iso);
    return this;
  }
  add(event: TargetEvent): RecordedTargetEvent {
    const r = { ...this.next(), event };
    this.events.push(r);
    return r;
  }
  issue(targetId: string, def: TargetDefinition): this {
    this.add({
      type: 'TargetProposed',
      data: { targetId, definition: def, reviewStages: ['assessmentOffice'], proposedAt: 'x' },
    });
    this.add({ type: 'TargetIssued', data: { targetId, issuedAt: 'x' } });
    return this;
  }
  report(
    targetId: string,
    reportId: string,
    period: string,
    cumulativeValue: number | null,
    opts: { replaces?: string; milestones?: Array<{ milestoneId: string; completedOn: string }> } = {},
  ): this {
    this.add({
      type: 'ProgressReported',
      data: {
        targetId,
        reportId,
        period,
        cumulativeValue,
        milestonesCompleted: opts.milestones ?? [],
        narrative: '',
        evidence: [],
        replaces: opts.replaces ?? null,
        dueDate: 'x',
        late: false,
        reportedAt: 'x',
      },
    });
    return this;
  }
  verify(targetId: string, reportId: string, period: string): this {
    this.add({ type: 'ReportVerified', data: { targetId, reportId, period, verifiedAt: 'x' } });
    return this;
  }
  reject(targetId: string, reportId: string, period: string): this {
    this.add({ type: 'ReportRejected', data: { targetId, reportId, period, reason: 'no', rejectedAt: 'x' } });
    return this;
  }
  adjust(targetId: string, newValue: number, effectiveFrom: string): this {
    this.add({
      type: 'TargetAdjusted',
      data: {
        targetId,
        previousValue: null,
        newValue,
        effectiveFrom,
        rulingRef: 'r1',
        reason: 'ruling',
        adjustedAt: 'x',
      },
    });
    return this;
  }
  withdraw(targetId: string): this {
    this.add({ type: 'TargetWithdrawn', data: { targetId, reason: 'gone', withdrawnAt: 'x' } });
    return this;
  }
}

let recordSeq = 0;
/** A unit record (bonus, penalty, accountability, false report, veto) occurring mid-year. */
export function record(
  unitId: string,
  r: DistributiveOmit<UnitRecord, 'unitId' | 'eventId' | 'position' | 'recordedAt' | 'occurredAt'> &
    Partial<Pick<UnitRecord, 'occurredAt' | 'recordedAt'>>,
): UnitRecord {
  recordSeq += 1;
  return {
    eventId: `r${recordSeq}`,
    position: recordSeq,
    recordedAt: '2026-06-01T00:00:00.000Z',
    occurredAt: '2026-06-01T00:00:00.000Z',
    unitId,
    ...r,
  };
}
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** A ruling on an appeal, recorded on 20 July and effective from 1 June unless told otherwise. */
export function ruling(
  unitId: string,
  r: Pick<Ruling, 'subject' | 'outcome'> & Partial<Omit<Ruling, 'unitId' | 'subject' | 'outcome'>>,
): Ruling {
  recordSeq += 1;
  return {
    eventId: `g${recordSeq}`,
    position: recordSeq,
    recordedAt: '2026-07-20T00:00:00.000Z',
    appealId: `appeal-${recordSeq}`,
    unitId,
    amount: null,
    effectiveFrom: '2026-06-01T00:00:00.000Z',
    ...r,
  };
}

export function satisfaction(
  unitId: string,
  indicatorId: string,
  score: number,
  recordedAt = '2026-06-01T00:00:00.000Z',
): SatisfactionResult {
  recordSeq += 1;
  return {
    eventId: `s${recordSeq}`,
    position: recordSeq,
    recordedAt,
    occurredAt: '2026-06-01T00:00:00.000Z',
    unitId,
    indicatorId,
    score,
    sourceEventId: `rating-${recordSeq}`,
  };
}

export const END_Q2 = '2026-06-30T16:00:00.000Z';
export const END_YEAR = '2026-12-31T16:00:00.000Z';

export function input(over: Partial<ScoringInput> & Pick<ScoringInput, 'unitIds' | 'trees'>): ScoringInput {
  return {
    cycleId: CYCLE,
    category: 'towns',
    at: END_YEAR,
    schemes: [SCHEME_V1],
    targetEvents: [],
    satisfaction: [],
    records: [],
    ...over,
  };
}
