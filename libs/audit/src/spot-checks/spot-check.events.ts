import type { EvidenceRef } from '@dukao/evidence-store';
import type { SpotCheckPopulation } from './spot-check.frame';
import type { FrameItem, SampleSize, SampledItem, Strata } from './spot-check.sampler';

/**
 * A random draw for on-site verification (察访核验). Everything needed to re-derive it is here: the
 * frame (the exact ordered candidates), the log position and digest the seed came from, the seed, the
 * algorithm and the rule; and the result.
 */
export type SpotCheckDrawn = {
  type: 'SpotCheckDrawn';
  data: {
    spotCheckId: string;
    title: string;
    cycleId: string;
    population: SpotCheckPopulation;
    period: string | null;
    unitIds: string[] | null;
    categories: string[] | null;
    size: SampleSize;
    strata: Strata;
    frame: FrameItem[];
    frameDigest: string;
    /** The log position the frame was built at and the seed derived from, with that event's id and hash. */
    logPosition: number;
    logEventId: string;
    logEventHash: string;
    logDigest: string;
    seed: string;
    algorithm: string;
    sample: SampledItem[];
    drawnAt: string;
  };
};

export const SPOT_CHECK_OUTCOMES = ['confirmed', 'falseReport', 'concealment'] as const;
/** 属实 (confirmed), 虚报 (falseReport: inflated), 瞒报 (concealment: concealed or under-reported). */
export type SpotCheckOutcome = (typeof SPOT_CHECK_OUTCOMES)[number];

/** The on-site finding for one sampled item. */
export type SpotCheckOutcomeRecorded = {
  type: 'SpotCheckOutcomeRecorded';
  data: {
    spotCheckId: string;
    cycleId: string;
    itemId: string;
    unitId: string;
    category: string;
    targetId: string;
    /** The report the finding is about (for a sampled target, the one named; may be null when confirmed or concealment). */
    reportId: string | null;
    outcome: SpotCheckOutcome;
    findings: string | null;
    evidence: EvidenceRef[];
    decidedAt: string;
  };
};

/**
 * 虚报瞒报 confirmed (a discipline violation): appended with a `falseReport` or `concealment` outcome.
 * Both kinds deduct the scheme's `falseReportDeduction` per case (the scoring loader maps it to a
 * `falseReport` record), and the report named is flagged in the targets view.
 */
export type FalseReportConfirmed = {
  type: 'FalseReportConfirmed';
  data: {
    caseId: string;
    kind: 'falseReport' | 'concealment';
    spotCheckId: string;
    itemId: string;
    cycleId: string;
    unitId: string;
    category: string;
    targetId: string;
    reportId: string | null;
    period: string | null;
    findings: string;
    evidence: EvidenceRef[];
    /** Business time of the deduction: when the violation was established. */
    occurredAt: string;
    confirmedAt: string;
  };
};

export type SpotCheckEvent = SpotCheckDrawn | SpotCheckOutcomeRecorded | FalseReportConfirmed;
export const SPOT_CHECK_EVENT_TYPES: readonly SpotCheckEvent['type'][] = [
  'SpotCheckDrawn',
  'SpotCheckOutcomeRecorded',
  'FalseReportConfirmed',
];
export const FALSE_REPORT_CONFIRMED_EVENT: FalseReportConfirmed['type'] = 'FalseReportConfirmed';

export const SPOT_CHECK_STREAM_PREFIX = 'spotcheck-';
/** One stream per draw: the draw, then each item's outcome (and confirmed false reports). */
export const spotCheckStream = (spotCheckId: string) => `${SPOT_CHECK_STREAM_PREFIX}${spotCheckId}`;
