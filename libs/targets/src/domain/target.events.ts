import type { EvidenceRef } from '@dukao/evidence-store';
import type { Cadence } from './periods';
import type { WarningThresholdOverrides } from './warning-thresholds';

export type Direction = 'higherIsBetter' | 'lowerIsBetter';
export type TargetKind = 'quantitative' | 'milestones';

/** The review stages (联审) a proposal passes before it is issued; configurable per proposal. */
export const DEFAULT_REVIEW_STAGES = ['lineDepartment', 'assessmentOffice', 'leaderInCharge'] as const;
export type ReviewStage = 'lineDepartment' | 'assessmentOffice' | 'leaderInCharge';

export type Milestone = {
  milestoneId: string;
  title: string;
  /** Shanghai calendar date. */
  dueDate: string;
  evidenceRequired: boolean;
};

/** A report's evidence file as stored (content hash, SHA-256 and SM3, type, size) with the name the unit gave it. */
export type { EvidenceRef } from '@dukao/evidence-store';

/** Everything a target says, as proposed (and as resubmitted after a return). */
export type TargetDefinition = {
  cycleId: string;
  year: number;
  unitId: string;
  /** The unit's category at proposal time (分类考核: towns are compared with towns). */
  category: string;
  indicatorId: string;
  title: string;
  kind: TargetKind;
  measure: string;
  unitOfMeasure: string;
  direction: Direction;
  annualValue: number | null;
  baseline: number | null;
  /** Expected cumulative % at the end of each month (12 values) or quarter (4), non-decreasing, ending at 100. */
  schedule: number[];
  cadence: Cadence;
  /** Reports for a period are due on this day of the following month. */
  reportDueDay: number;
  /** The data-collection unit (数据采集单位) whose reviewers verify reports. */
  dataCollectionUnitId: string;
  milestones: Milestone[];
  /** Issued mid-cycle (动态指标). */
  dynamic: boolean;
};

export type TargetProposed = {
  type: 'TargetProposed';
  data: { targetId: string; definition: TargetDefinition; reviewStages: ReviewStage[]; proposedAt: string };
};
export type TargetReviewPassed = {
  type: 'TargetReviewPassed';
  data: { targetId: string; stage: ReviewStage; comment: string | null; reviewedAt: string };
};
export type TargetReturned = {
  type: 'TargetReturned';
  data: { targetId: string; stage: ReviewStage; reason: string; returnedAt: string };
};
export type TargetResubmitted = {
  type: 'TargetResubmitted';
  data: { targetId: string; definition: TargetDefinition; resubmittedAt: string };
};
export type TargetIssued = { type: 'TargetIssued'; data: { targetId: string; issuedAt: string } };
/** A change of an issued target's value, made only on a ruling; the old value holds until `effectiveFrom`. */
export type TargetAdjusted = {
  type: 'TargetAdjusted';
  data: {
    targetId: string;
    previousValue: number | null;
    newValue: number;
    effectiveFrom: string;
    rulingRef: string;
    reason: string;
    adjustedAt: string;
  };
};
export type TargetWithdrawn = {
  type: 'TargetWithdrawn';
  data: { targetId: string; reason: string; withdrawnAt: string };
};

/**
 * The performance office set the target's own warning thresholds (预警阈值), replacing the scheme's
 * for the keys given; `thresholds` is the whole set from now on (empty: none, the scheme's apply).
 * A management decision at any time of the target's life, with its reason.
 */
export type WarningThresholdsSet = {
  type: 'WarningThresholdsSet';
  data: {
    targetId: string;
    thresholds: WarningThresholdOverrides;
    previous: WarningThresholdOverrides;
    reason: string;
    setAt: string;
  };
};

export type ProgressReported = {
  type: 'ProgressReported';
  data: {
    targetId: string;
    reportId: string;
    period: string;
    cumulativeValue: number | null;
    milestonesCompleted: Array<{ milestoneId: string; completedOn: string }>;
    narrative: string;
    evidence: EvidenceRef[];
    /** The report this one corrects (更正); the replaced one stays in the log. */
    replaces: string | null;
    dueDate: string;
    late: boolean;
    reportedAt: string;
  };
};
export type NilReturnDeclared = {
  type: 'NilReturnDeclared';
  data: {
    targetId: string;
    reportId: string;
    period: string;
    reason: string;
    dueDate: string;
    late: boolean;
    declaredAt: string;
  };
};
export type ReportVerified = {
  type: 'ReportVerified';
  data: { targetId: string; reportId: string; period: string; verifiedAt: string };
};
export type ReportRejected = {
  type: 'ReportRejected';
  data: { targetId: string; reportId: string; period: string; reason: string; rejectedAt: string };
};
/** A period closed with neither a report nor a nil return (recorded by the scheduled check). */
export type PeriodMissed = {
  type: 'PeriodMissed';
  data: { targetId: string; period: string; dueDate: string; recordedAt: string };
};

export type TargetEvent =
  | TargetProposed
  | TargetReviewPassed
  | TargetReturned
  | TargetResubmitted
  | TargetIssued
  | TargetAdjusted
  | TargetWithdrawn
  | WarningThresholdsSet
  | ProgressReported
  | NilReturnDeclared
  | ReportVerified
  | ReportRejected
  | PeriodMissed;

export const TARGET_EVENT_TYPES: readonly TargetEvent['type'][] = [
  'TargetProposed',
  'TargetReviewPassed',
  'TargetReturned',
  'TargetResubmitted',
  'TargetIssued',
  'TargetAdjusted',
  'TargetWithdrawn',
  'WarningThresholdsSet',
  'ProgressReported',
  'NilReturnDeclared',
  'ReportVerified',
  'ReportRejected',
  'PeriodMissed',
];

export const targetStream = (targetId: string) => `target-${targetId}`;
