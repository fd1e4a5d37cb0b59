import type { Decider } from '@dukao/event-store';
import { endOfShanghaiDay, isPeriodOf, periodEnd, reportDueDate } from './periods';
import { TargetErrors as E } from './target.errors';
import type { EvidenceRef, ReviewStage, TargetDefinition, TargetEvent } from './target.events';
import {
  parseWarningThresholds,
  sameWarningThresholds,
  type WarningThresholdOverrides,
} from './warning-thresholds';

export type ReportStatus = 'pending' | 'verified' | 'rejected' | 'replaced';

export interface ReportEntry {
  reportId: string;
  period: string;
  kind: 'report' | 'nil';
  status: ReportStatus;
}

export type TargetStatus = 'proposed' | 'returned' | 'issued' | 'withdrawn';

export type TargetState =
  | { status: 'none' }
  | {
      status: TargetStatus;
      targetId: string;
      definition: TargetDefinition;
      reviewStages: ReviewStage[];
      /** Index of the stage awaiting review. */
      nextStage: number;
      /** Value changes on rulings, in order: the value in force on a date is the last one effective by then. */
      adjustments: Array<{ newValue: number; effectiveFrom: string }>;
      reports: ReportEntry[];
      missedPeriods: string[];
      issuedAt: string | null;
      /** The target's own warning thresholds (empty: the scheme's apply). */
      warningThresholds: WarningThresholdOverrides;
    };

type Live = Exclude<TargetState, { status: 'none' }>;

export type TargetCommand =
  | {
      type: 'ProposeTarget';
      targetId: string;
      definition: TargetDefinition;
      reviewStages: ReviewStage[];
      at: string;
    }
  | {
      type: 'ReviewTarget';
      stage: ReviewStage;
      decision: 'pass' | 'return';
      reason: string | null;
      at: string;
    }
  | { type: 'ResubmitTarget'; definition: TargetDefinition; at: string }
  | {
      type: 'AdjustTarget';
      newValue: number;
      effectiveFrom: string;
      rulingRef: string;
      reason: string;
      at: string;
    }
  | { type: 'WithdrawTarget'; reason: string; at: string }
  | {
      type: 'SetWarningThresholds';
      /** The whole set from now on, as received (checked here); empty clears them. */
      thresholds: Readonly<Record<string, unknown>>;
      reason: string;
      at: string;
    }
  | {
      type: 'ReportProgress';
      reportId: string;
      period: string;
      cumulativeValue: number | null;
      milestonesCompleted: Array<{ milestoneId: string; completedOn: string }>;
      narrative: string;
      evidence: EvidenceRef[];
      replaces: string | null;
      at: string;
    }
  | { type: 'DeclareNilReturn'; reportId: string; period: string; reason: string; at: string }
  | { type: 'VerifyReport'; reportId: string; at: string }
  | { type: 'RejectReport'; reportId: string; reason: string; at: string }
  | { type: 'RecordMissedPeriod'; period: string; at: string };

/** The report of a period that counts now: the latest one not replaced (it may be pending, verified or rejected). */
export function currentReport(state: Live, period: string): ReportEntry | undefined {
  return state.reports.filter((r) => r.period === period && r.status !== 'replaced').at(-1);
}

/** The target value in force on a date (ISO instant), after the adjustments effective by then. */
export function valueInForce(state: Live, at: string): number | null {
  return (
    state.adjustments.filter((a) => a.effectiveFrom <= at).at(-1)?.newValue ?? state.definition.annualValue
  );
}

/** Checks a definition's own consistency; the handler checks it against units, indicators and cycles. */
export function definitionProblems(d: TargetDefinition): string[] {
  const problems: string[] = [];
  const points = d.cadence === 'monthly' ? 12 : 4;
  if (d.kind === 'quantitative') {
    if (d.annualValue === null || !Number.isFinite(d.annualValue)) problems.push('量化目标须有年度目标值');
    if (d.direction === 'lowerIsBetter' && d.annualValue !== null && d.annualValue < 0)
      problems.push('越低越好的目标值不能为负');
    if (d.schedule.length !== points) problems.push(`基准时序进度须有 ${points} 个值`);
    if (
      d.schedule.some((v, i) => !Number.isFinite(v) || v < 0 || v > 100 || (i > 0 && v < d.schedule[i - 1]!))
    ) {
      problems.push('基准时序进度须在 0–100 之间且逐期不减');
    }
    if (d.schedule.at(-1) !== 100) problems.push('基准时序进度最后一期须为 100');
  } else if (d.milestones.length === 0) {
    problems.push('节点目标须至少有一个节点');
  }
  const ids = new Set(d.milestones.map((m) => m.milestoneId));
  if (ids.size !== d.milestones.length) problems.push('节点编号重复');
  if (d.milestones.some((m) => !m.dueDate.startsWith(String(d.year))))
    problems.push('节点截止日期须在考核年度内');
  if (!Number.isInteger(d.reportDueDay) || d.reportDueDay < 1 || d.reportDueDay > 28)
    problems.push('报送截止日须为 1–28 日');
  return problems;
}

/**
 * A period's due date and deadline (the instant after which a report is late). A period that had
 * ended before the target was issued (a dynamic target issued mid-year) cannot be late or missed.
 */
function due(state: Live, period: string) {
  const dueDate = reportDueDate(period, state.definition.reportDueDay);
  const endedBeforeIssue = state.issuedAt !== null && periodEnd(period) <= state.issuedAt;
  return { dueDate, deadline: endOfShanghaiDay(dueDate), endedBeforeIssue };
}

export const targetDecider: Decider<TargetCommand, TargetState, TargetEvent> = {
  initialState: () => ({ status: 'none' }),

  evolve(state, event) {
    if (event.type === 'TargetProposed') {
      const { targetId, definition, reviewStages } = event.data;
      return {
        status: 'proposed',
        targetId,
        definition,
        reviewStages,
        nextStage: 0,
        adjustments: [],
        reports: [],
        missedPeriods: [],
        issuedAt: null,
        warningThresholds: {},
      };
    }
    if (state.status === 'none') return state;
    switch (event.type) {
      case 'TargetReviewPassed':
        return { ...state, nextStage: state.nextStage + 1 };
      case 'TargetReturned':
        return { ...state, status: 'returned', nextStage: 0 };
      case 'TargetResubmitted':
        return { ...state, status: 'proposed', definition: event.data.definition, nextStage: 0 };
      case 'TargetIssued':
        return { ...state, status: 'issued', issuedAt: event.data.issuedAt };
      case 'TargetAdjusted':
        return {
          ...state,
          adjustments: [
            ...state.adjustments,
            { newValue: event.data.newValue, effectiveFrom: event.data.effectiveFrom },
          ],
        };
      case 'TargetWithdrawn':
        return { ...state, status: 'withdrawn' };
      case 'WarningThresholdsSet':
        return { ...state, warningThresholds: event.data.thresholds };
      case 'ProgressReported':
      case 'NilReturnDeclared': {
        const { reportId, period } = event.data;
        const replaces = event.type === 'ProgressReported' ? event.data.replaces : null;
        const reports = state.reports.map((r): ReportEntry =>
          r.reportId === replaces ? { ...r, status: 'replaced' } : r,
        );
        return {
          ...state,
          reports: [
            ...reports,
            {
              reportId,
              period,
              kind: event.type === 'ProgressReported' ? 'report' : 'nil',
              status: 'pending',
            },
          ],
        };
      }
      case 'ReportVerified':
      case 'ReportRejected': {
        const status: ReportStatus = event.type === 'ReportVerified' ? 'verified' : 'rejected';
        return {
          ...state,
          reports: state.reports.map((r) => (r.reportId === event.data.reportId ? { ...r, status } : r)),
        };
      }
      case 'PeriodMissed':
        return { ...state, missedPeriods: [...state.missedPeriods, event.data.period] };
    }
  },

  decide(command, state) {
    if (command.type === 'ProposeTarget') {
      if (state.status !== 'none') throw E.targetExists(command.targetId);
      const problems = definitionProblems(command.definition);
      if (problems.length) throw E.invalidDefinition(problems);
      if (
        command.reviewStages.length === 0 ||
        new Set(command.reviewStages).size !== command.reviewStages.length
      ) {
        throw E.invalidStages();
      }
      const { targetId, definition, reviewStages, at } = command;
      return [{ type: 'TargetProposed', data: { targetId, definition, reviewStages, proposedAt: at } }];
    }
    if (state.status === 'none') throw E.targetNotFound();
    const { targetId } = state;

    switch (command.type) {
      case 'ReviewTarget': {
        if (state.status !== 'proposed') throw E.notUnderReview(state.status);
        const expected = state.reviewStages[state.nextStage]!;
        if (command.stage !== expected) throw E.wrongStage(expected, command.stage);
        if (command.decision === 'return') {
          if (!command.reason?.trim()) throw E.reasonRequired();
          return [
            {
              type: 'TargetReturned',
              data: { targetId, stage: command.stage, reason: command.reason, returnedAt: command.at },
            },
          ];
        }
        const passed: TargetEvent = {
          type: 'TargetReviewPassed',
          data: { targetId, stage: command.stage, comment: command.reason, reviewedAt: command.at },
        };
        const last = state.nextStage === state.reviewStages.length - 1;
        return last ? [passed, { type: 'TargetIssued', data: { targetId, issuedAt: command.at } }] : [passed];
      }
      case 'ResubmitTarget': {
        if (state.status !== 'returned') throw E.notReturned(state.status);
        const problems = definitionProblems(command.definition);
        if (problems.length) throw E.invalidDefinition(problems);
        if (
          command.definition.unitId !== state.definition.unitId ||
          command.definition.cycleId !== state.definition.cycleId
        ) {
          throw E.cannotMove();
        }
        return [
          {
            type: 'TargetResubmitted',
            data: { targetId, definition: command.definition, resubmittedAt: command.at },
          },
        ];
      }
      case 'AdjustTarget': {
        if (state.status !== 'issued') throw E.notIssued(state.status);
        if (state.definition.kind !== 'quantitative') throw E.notQuantitative();
        if (!command.rulingRef.trim()) throw E.rulingRequired();
        if (
          !Number.isFinite(command.newValue) ||
          (state.definition.direction === 'lowerIsBetter' && command.newValue < 0)
        ) {
          throw E.invalidDefinition(['调整后的目标值不合法']);
        }
        const last = state.adjustments.at(-1);
        if (last && command.effectiveFrom <= last.effectiveFrom)
          throw E.adjustmentOutOfOrder(last.effectiveFrom);
        return [
          {
            type: 'TargetAdjusted',
            data: {
              targetId,
              previousValue: valueInForce(state, command.effectiveFrom),
              newValue: command.newValue,
              effectiveFrom: command.effectiveFrom,
              rulingRef: command.rulingRef,
              reason: command.reason,
              adjustedAt: command.at,
            },
          },
        ];
      }
      case 'WithdrawTarget':
        if (state.status === 'withdrawn') throw E.withdrawn();
        if (!command.reason.trim()) throw E.reasonRequired();
        return [
          { type: 'TargetWithdrawn', data: { targetId, reason: command.reason, withdrawnAt: command.at } },
        ];

      case 'SetWarningThresholds': {
        // Any time before withdrawal: under review, returned or issued (a management decision).
        if (state.status === 'withdrawn') throw E.withdrawn();
        const parsed = parseWarningThresholds(command.thresholds);
        if (!parsed.thresholds) throw E.invalidWarningThresholds(parsed.problems);
        if (!command.reason.trim()) throw E.reasonRequired();
        // Setting what is already in force changes nothing: a repeated PUT appends nothing.
        if (sameWarningThresholds(parsed.thresholds, state.warningThresholds)) return [];
        return [
          {
            type: 'WarningThresholdsSet',
            data: {
              targetId,
              thresholds: parsed.thresholds,
              previous: state.warningThresholds,
              reason: command.reason,
              setAt: command.at,
            },
          },
        ];
      }

      case 'ReportProgress':
      case 'DeclareNilReturn': {
        if (state.status === 'withdrawn') throw E.withdrawn();
        if (state.status !== 'issued') throw E.notIssued(state.status);
        const { period, reportId, at } = command;
        if (!isPeriodOf(period, state.definition.year, state.definition.cadence))
          throw E.badPeriod(period, state.definition.cadence);
        if (state.reports.some((r) => r.reportId === reportId)) throw E.reportExists(reportId);
        const current = currentReport(state, period);
        const replaces = command.type === 'ReportProgress' ? command.replaces : null;
        if (replaces !== null) {
          const replaced = state.reports.find((r) => r.reportId === replaces);
          if (!replaced || replaced.period !== period) throw E.reportNotFound(replaces);
          if (replaced.status === 'replaced') throw E.alreadyReplaced(replaces);
          // Only the period's current report can be corrected, so a period never has two live reports.
          if (current?.reportId !== replaces) throw E.notCurrent(replaces);
        } else if (current && current.status !== 'rejected') {
          throw E.periodAlreadyReported(period);
        }
        const { dueDate, deadline, endedBeforeIssue } = due(state, period);
        const late = !endedBeforeIssue && at >= deadline;
        if (command.type === 'DeclareNilReturn') {
          if (!command.reason.trim()) throw E.reasonRequired();
          return [
            {
              type: 'NilReturnDeclared',
              data: { targetId, reportId, period, reason: command.reason, dueDate, late, declaredAt: at },
            },
          ];
        }
        const { definition } = state;
        if (
          definition.kind === 'quantitative' &&
          (command.cumulativeValue === null || !Number.isFinite(command.cumulativeValue))
        ) {
          throw E.valueRequired();
        }
        const known = new Set(definition.milestones.map((m) => m.milestoneId));
        const unknown = command.milestonesCompleted.find((m) => !known.has(m.milestoneId));
        if (unknown) throw E.unknownMilestone(unknown.milestoneId);
        const needEvidence = command.milestonesCompleted.some(
          (m) => definition.milestones.find((d) => d.milestoneId === m.milestoneId)?.evidenceRequired,
        );
        if (needEvidence && command.evidence.length === 0) throw E.evidenceRequired();
        return [
          {
            type: 'ProgressReported',
            data: {
              targetId,
              reportId,
              period,
              cumulativeValue: command.cumulativeValue,
              milestonesCompleted: command.milestonesCompleted,
              narrative: command.narrative,
              evidence: command.evidence,
              replaces,
              dueDate,
              late,
              reportedAt: at,
            },
          },
        ];
      }
      case 'VerifyReport':
      case 'RejectReport': {
        const report = state.reports.find((r) => r.reportId === command.reportId);
        if (!report) throw E.reportNotFound(command.reportId);
        if (report.status === 'replaced') throw E.alreadyReplaced(report.reportId);
        if (report.status !== 'pending') throw E.alreadyReviewed(report.reportId, report.status);
        if (command.type === 'VerifyReport') {
          return [
            {
              type: 'ReportVerified',
              data: { targetId, reportId: report.reportId, period: report.period, verifiedAt: command.at },
            },
          ];
        }
        if (!command.reason.trim()) throw E.reasonRequired();
        return [
          {
            type: 'ReportRejected',
            data: {
              targetId,
              reportId: report.reportId,
              period: report.period,
              reason: command.reason,
              rejectedAt: command.at,
            },
          },
        ];
      }
      case 'RecordMissedPeriod': {
        // Idempotent by design: the scheduled check may run any number of times.
        if (state.status !== 'issued') return [];
        const { period, at } = command;
        if (!isPeriodOf(period, state.definition.year, state.definition.cadence))
          throw E.badPeriod(period, state.definition.cadence);
        const { dueDate, deadline, endedBeforeIssue } = due(state, period);
        if (
          endedBeforeIssue ||
          at < deadline ||
          currentReport(state, period) ||
          state.missedPeriods.includes(period)
        )
          return [];
        return [{ type: 'PeriodMissed', data: { targetId, period, dueDate, recordedAt: at } }];
      }
      default: {
        const unknown: never = command;
        throw new Error(`unknown command ${(unknown as { type: string }).type}`);
      }
    }
  },
};
