import type { StoredEvent } from '@dukao/event-store';
import { documentProjection } from '@dukao/projections';
import type { ReadModelDocument } from '@dukao/read-model-store';
import type { Cadence } from '../domain/periods';
import type { TargetStatus } from '../domain/target.decider';
import {
  type Direction,
  type EvidenceRef,
  type Milestone,
  type ReviewStage,
  TARGET_EVENT_TYPES,
  type TargetEvent,
  type TargetKind,
} from '../domain/target.events';
import type { WarningThresholdOverrides } from '../domain/warning-thresholds';

export const TARGETS = 'targets';

export interface ReportView {
  reportId: string;
  period: string;
  kind: 'report' | 'nil';
  cumulativeValue: number | null;
  milestonesCompleted: Array<{ milestoneId: string; completedOn: string }>;
  narrative: string;
  evidence: EvidenceRef[];
  replaces: string | null;
  replacedBy: string | null;
  status: 'pending' | 'verified' | 'rejected' | 'replaced';
  late: boolean;
  dueDate: string;
  /** The period's business time and the server's time of recording. */
  occurredAt: string;
  recordedAt: string;
  reportedBy: string;
  reviewedBy: string | null;
  reviewedAt: string | null;
  reviewReason: string | null;
  /**
   * Set when a spot check confirmed this report false (虚报) or concealing (瞒报): the
   * `FalseReportConfirmed` case of @dukao/audit. Absent on reports never flagged.
   */
  falseReport?: FalseReportFlag;
}

/** A confirmed 虚报瞒报 case as the targets view shows it (from @dukao/audit's `FalseReportConfirmed`). */
export interface FalseReportFlag {
  caseId: string;
  kind: 'falseReport' | 'concealment';
  spotCheckId: string;
  reportId: string | null;
  period: string | null;
  findings: string;
  confirmedAt: string;
  confirmedBy: string;
}

/**
 * The event type of a confirmed false report (@dukao/audit): named here by its type string, the
 * contract, since @dukao/audit builds on this library.
 */
const FALSE_REPORT_CONFIRMED = 'FalseReportConfirmed';

/** A target with its whole review and report history: the list, the detail and the dashboards read it. */
export interface TargetView extends ReadModelDocument {
  cycleId: string;
  year: number;
  unitId: string;
  category: string;
  indicatorId: string;
  title: string;
  kind: TargetKind;
  measure: string;
  unitOfMeasure: string;
  direction: Direction;
  annualValue: number | null;
  /** The original value, then each ruling's change with the date it takes effect. */
  valueHistory: Array<{ value: number | null; effectiveFrom: string | null; rulingRef: string | null }>;
  baseline: number | null;
  schedule: number[];
  cadence: Cadence;
  reportDueDay: number;
  dataCollectionUnitId: string;
  milestones: Array<Milestone & { completedOn: string | null }>;
  dynamic: boolean;
  status: TargetStatus;
  reviewStages: ReviewStage[];
  nextStage: ReviewStage | null;
  reviewHistory: Array<{
    stage: ReviewStage;
    decision: 'passed' | 'returned' | 'resubmitted';
    reason: string | null;
    at: string;
    by: string;
  }>;
  reports: ReportView[];
  missedPeriods: string[];
  /**
   * The target's own warning thresholds (预警阈值), replacing the scheme version's for the keys given;
   * null when it has none (the scheme's apply). Optional: absent on documents of targets that never
   * had any (built before the field existed), and absent means none.
   */
  warningThresholds?: WarningThresholdOverrides | null;
  /** Each setting or clearing of them, oldest first: the set from then on, why, when and by whom. */
  warningThresholdHistory?: Array<{
    thresholds: WarningThresholdOverrides | null;
    reason: string;
    at: string;
    by: string;
  }>;
  /** Confirmed 虚报瞒报 cases about this target, oldest first (each also flags its report, if it names one). */
  falseReports?: FalseReportFlag[];
  /** The latest period's report that counts (not replaced, not rejected), by period. */
  latest: {
    period: string;
    reportId: string;
    cumulativeValue: number | null;
    status: ReportView['status'];
  } | null;
  proposedAt: string;
  issuedAt: string | null;
  withdrawnAt: string | null;
}

function latestOf(reports: ReportView[]): TargetView['latest'] {
  const counting = reports.filter(
    (r) => r.kind === 'report' && (r.status === 'pending' || r.status === 'verified'),
  );
  const last = [...counting]
    .sort((a, b) =>
      a.period === b.period ? a.recordedAt.localeCompare(b.recordedAt) : a.period.localeCompare(b.period),
    )
    .at(-1);
  return last
    ? {
        period: last.period,
        reportId: last.reportId,
        cumulativeValue: last.cumulativeValue,
        status: last.status,
      }
    : null;
}

function withReports(target: TargetView, reports: ReportView[]): TargetView {
  const completed = new Map<string, string>();
  for (const report of reports) {
    if (report.status === 'replaced' || report.status === 'rejected') continue;
    for (const m of report.milestonesCompleted)
      if (!completed.has(m.milestoneId)) completed.set(m.milestoneId, m.completedOn);
  }
  return {
    ...target,
    reports,
    latest: latestOf(reports),
    milestones: target.milestones.map((m) => ({ ...m, completedOn: completed.get(m.milestoneId) ?? null })),
  };
}

function flagFalseReport(target: TargetView, stored: StoredEvent): TargetView {
  const d = stored.data as Omit<FalseReportFlag, 'confirmedBy'>;
  const flag: FalseReportFlag = {
    caseId: d.caseId,
    kind: d.kind,
    spotCheckId: d.spotCheckId,
    reportId: d.reportId,
    period: d.period,
    findings: d.findings,
    confirmedAt: d.confirmedAt,
    confirmedBy: stored.metadata.actor.userId,
  };
  return {
    ...target,
    falseReports: [...(target.falseReports ?? []), flag],
    reports: target.reports.map((r) => (r.reportId === flag.reportId ? { ...r, falseReport: flag } : r)),
  };
}

function evolveTarget(target: TargetView | null, stored: StoredEvent): TargetView | null {
  if (stored.type === FALSE_REPORT_CONFIRMED) return target && flagFalseReport(target, stored);
  const event = stored as unknown as TargetEvent;
  const by = stored.metadata.actor.userId;
  if (event.type === 'TargetProposed') {
    const { targetId, definition: d, reviewStages, proposedAt } = event.data;
    return {
      _id: targetId,
      ...d,
      milestones: d.milestones.map((m) => ({ ...m, completedOn: null })),
      valueHistory: [{ value: d.annualValue, effectiveFrom: null, rulingRef: null }],
      status: 'proposed',
      reviewStages,
      nextStage: reviewStages[0] ?? null,
      reviewHistory: [],
      reports: [],
      missedPeriods: [],
      warningThresholds: null,
      warningThresholdHistory: [],
      latest: null,
      proposedAt,
      issuedAt: null,
      withdrawnAt: null,
    };
  }
  if (!target) return null;
  switch (event.type) {
    case 'TargetReviewPassed': {
      const next = target.reviewStages[target.reviewStages.indexOf(event.data.stage) + 1] ?? null;
      return {
        ...target,
        nextStage: next,
        reviewHistory: [
          ...target.reviewHistory,
          {
            stage: event.data.stage,
            decision: 'passed',
            reason: event.data.comment,
            at: event.data.reviewedAt,
            by,
          },
        ],
      };
    }
    case 'TargetReturned':
      return {
        ...target,
        status: 'returned',
        nextStage: null,
        reviewHistory: [
          ...target.reviewHistory,
          {
            stage: event.data.stage,
            decision: 'returned',
            reason: event.data.reason,
            at: event.data.returnedAt,
            by,
          },
        ],
      };
    case 'TargetResubmitted': {
      const d = event.data.definition;
      return {
        ...target,
        ...d,
        milestones: d.milestones.map((m) => ({ ...m, completedOn: null })),
        valueHistory: [{ value: d.annualValue, effectiveFrom: null, rulingRef: null }],
        status: 'proposed',
        nextStage: target.reviewStages[0] ?? null,
        reviewHistory: [
          ...target.reviewHistory,
          {
            stage: target.reviewStages[0]!,
            decision: 'resubmitted',
            reason: null,
            at: event.data.resubmittedAt,
            by,
          },
        ],
      };
    }
    case 'TargetIssued':
      return { ...target, status: 'issued', nextStage: null, issuedAt: event.data.issuedAt };
    case 'TargetAdjusted':
      return {
        ...target,
        valueHistory: [
          ...target.valueHistory,
          {
            value: event.data.newValue,
            effectiveFrom: event.data.effectiveFrom,
            rulingRef: event.data.rulingRef,
          },
        ],
      };
    case 'TargetWithdrawn':
      return { ...target, status: 'withdrawn', withdrawnAt: event.data.withdrawnAt };
    case 'WarningThresholdsSet': {
      const thresholds = Object.keys(event.data.thresholds).length > 0 ? event.data.thresholds : null;
      return {
        ...target,
        warningThresholds: thresholds,
        warningThresholdHistory: [
          ...(target.warningThresholdHistory ?? []),
          { thresholds, reason: event.data.reason, at: event.data.setAt, by },
        ],
      };
    }
    case 'ProgressReported':
    case 'NilReturnDeclared': {
      const d = event.data;
      const report: ReportView = {
        reportId: d.reportId,
        period: d.period,
        kind: event.type === 'ProgressReported' ? 'report' : 'nil',
        cumulativeValue: event.type === 'ProgressReported' ? event.data.cumulativeValue : null,
        milestonesCompleted: event.type === 'ProgressReported' ? event.data.milestonesCompleted : [],
        narrative: event.type === 'ProgressReported' ? event.data.narrative : event.data.reason,
        evidence: event.type === 'ProgressReported' ? event.data.evidence : [],
        replaces: event.type === 'ProgressReported' ? event.data.replaces : null,
        replacedBy: null,
        status: 'pending',
        late: d.late,
        dueDate: d.dueDate,
        occurredAt: stored.metadata.occurredAt,
        recordedAt: stored.metadata.recordedAt,
        reportedBy: by,
        reviewedBy: null,
        reviewedAt: null,
        reviewReason: null,
      };
      const reports = target.reports.map((r) =>
        r.reportId === report.replaces
          ? { ...r, status: 'replaced' as const, replacedBy: report.reportId }
          : r,
      );
      return withReports(target, [...reports, report]);
    }
    case 'ReportVerified':
    case 'ReportRejected': {
      const verified = event.type === 'ReportVerified';
      const at = verified ? event.data.verifiedAt : event.data.rejectedAt;
      const reason = verified ? null : event.data.reason;
      return withReports(
        target,
        target.reports.map((r) =>
          r.reportId === event.data.reportId
            ? {
                ...r,
                status: verified ? 'verified' : 'rejected',
                reviewedBy: by,
                reviewedAt: at,
                reviewReason: reason,
              }
            : r,
        ),
      );
    }
    case 'PeriodMissed':
      return { ...target, missedPeriods: [...target.missedPeriods, event.data.period] };
  }
}

export const targetsProjection = documentProjection<TargetView>({
  name: 'targets',
  // 2: confirmed false reports (FalseReportConfirmed) flag the report and list the case.
  // WarningThresholdsSet adds optional fields (absent: none) and no earlier event sets them, so the
  // documents built so far stay right: no rebuild (which would freeze the view until caught up).
  version: 2,
  eventTypes: [...TARGET_EVENT_TYPES, FALSE_REPORT_CONFIRMED],
  collection: {
    name: TARGETS,
    indexes: [
      { fields: { cycleId: 1, unitId: 1, indicatorId: 1 } },
      { fields: { cycleId: 1, category: 1, status: 1 } },
      { fields: { unitId: 1, status: 1 } },
      { fields: { dataCollectionUnitId: 1, status: 1 } },
      // Every issued target in id order, a page at a time (the warnings tick, the missed-period check).
      { fields: { status: 1, _id: 1 } },
    ],
  },
  documentId: (event) => (event as unknown as TargetEvent).data.targetId,
  evolve: evolveTarget,
});
