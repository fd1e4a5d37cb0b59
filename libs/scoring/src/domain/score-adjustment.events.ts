/**
 * Score records kept by the assessment office (考核办) outside indicator scoring: adjustments (加减分)
 * and vetoes (一票否决). Each applies from its business date `occurredOn` (a Shanghai calendar date;
 * its instant `occurredAt` is the start of that day), which may be long before it is recorded: an
 * adjustment approved in December that applies to June counts at the end of June once it is known.
 */
export type ScoreAdjusted = {
  type: 'ScoreAdjusted';
  data: {
    adjustmentId: string;
    cycleId: string;
    unitId: string;
    /** 加分 bonus (capped per cycle by the scheme) or 减分 penalty (uncapped). */
    kind: 'bonus' | 'penalty';
    /** Points, positive, at most three decimals (the engine's precision). */
    amount: number;
    reason: string;
    /** 依据: the document or decision it rests on, e.g. 市考核办〔2026〕12号. */
    basis: string;
    /** The business date it applies to (YYYY-MM-DD, Asia/Shanghai). */
    occurredOn: string;
    /** The start of `occurredOn` in Shanghai (UTC instant): the record's business time. */
    occurredAt: string;
    adjustedAt: string;
  };
};

/** 一票否决: the unit's grade for the cycle becomes admonished (诫勉), whatever its total. */
export type VetoImposed = {
  type: 'VetoImposed';
  data: {
    vetoId: string;
    cycleId: string;
    unitId: string;
    reason: string;
    basis: string;
    occurredOn: string;
    occurredAt: string;
    imposedAt: string;
  };
};

export type ScoreRecordEvent = ScoreAdjusted | VetoImposed;
export const SCORE_RECORD_EVENT_TYPES: readonly ScoreRecordEvent['type'][] = ['ScoreAdjusted', 'VetoImposed'];

export const SCORE_RECORD_STREAM_PREFIX = 'scorerecords-';
/**
 * One stream per cycle and unit: `scorerecords-<cycleId>:<unitId>` (ids never contain `:`).
 * - An appeal names one of the unit's records: reading this one stream proves that the record exists
 *   and is the unit's own, with no view that may lag and no scan of the log.
 * - The decider refuses a duplicate id within the unit's cycle, and two units adjusted at the same time
 *   never contend for one stream revision (a single office-wide stream would serialise every write).
 * - Streams stay small (a few records per unit and year), so a command reads little.
 * The scoring loader reads all records of a category in one pass by event type (see the loader).
 */
export const scoreRecordStream = (cycleId: string, unitId: string) =>
  `${SCORE_RECORD_STREAM_PREFIX}${cycleId}:${unitId}`;
