import type { Decider } from '@dukao/event-store';
import type { EvidenceRef } from '@dukao/evidence-store';
import { endOfShanghaiDay } from '@dukao/targets';
import { SupervisionErrors as E } from './supervision.errors';
import {
  ACCOUNTABILITY_ACTION_KINDS,
  type AccountabilityActionKind,
  type AccountabilityActionTaken,
  type MatterSource,
  type NoticeKind,
  type NoticeTarget,
  type SupervisionEvent,
} from './supervision.events';

/** The units a caller may act for (its grants' units); null: every unit. */
export type CallerScope = { unitIds: readonly string[] | null };

/** Where the current round stands: sent, signed for, answered (awaiting the office), returned for redo. */
export type RoundStage = 'issued' | 'signed' | 'reported' | 'returned';

export type SupervisionState =
  | { status: 'none' }
  | {
      status: 'open' | 'closed';
      noticeId: string;
      cycleId: string;
      unitId: string;
      round: number;
      stage: RoundStage;
      deadline: string;
      deadlineAt: string;
      demand: string;
      tracker: string | null;
      pendingRectification: string | null;
      pendingExtension: { extensionId: string; requestedDeadline: string } | null;
      actionIds: string[];
      actions: AccountabilityActionKind[];
    };

/** What the handler looked up for the targets a notice names: null when no such target exists. */
export type TargetFacts = {
  unitId: string;
  cycleId: string;
  status: string;
  milestoneIds: string[];
} | null;

/** An accountability action as decided: the deduction comes from the scheme in force on `occurredOn`. */
export type ActionDetails = {
  actionId: string;
  action: AccountabilityActionKind;
  official: { name: string; position: string } | null;
  reason: string;
  basis: string;
  /** The events named as causes, with the type the handler found in the stream (null: no such event). */
  causes: Array<{ streamId: string; eventId: string; type: string | null }>;
  deduction: number;
  schemeVersion: number;
  /** Shanghai calendar date (YYYY-MM-DD) the action takes effect. */
  occurredOn: string;
};

export type IssueNotice = {
  type: 'IssueNotice';
  noticeId: string;
  cycleId: string;
  unitId: string;
  kind: NoticeKind;
  title: string;
  demand: string;
  targets: NoticeTarget[];
  matter: { source: MatterSource; description: string } | null;
  deadline: string;
  /** Looked up by the handler: the cycle's status, whether the unit exists, each named target. */
  facts: { cycle: 'none' | 'open' | 'closed'; unitExists: boolean; targets: Record<string, TargetFacts> };
  scope: CallerScope;
  at: string;
};

export type CaseCommand =
  | { type: 'SignNotice'; scope: CallerScope; at: string }
  | {
      type: 'ReportRectification';
      rectificationId: string;
      narrative: string;
      evidence: EvidenceRef[];
      scope: CallerScope;
      at: string;
    }
  | {
      type: 'ReturnRectification';
      rectificationId: string | null;
      reason: string;
      scope: CallerScope;
      at: string;
    }
  | {
      type: 'CloseNotice';
      rectificationId: string | null;
      comment: string;
      scope: CallerScope;
      at: string;
    }
  | {
      type: 'EscalateNotice';
      tracker: string;
      deadline: string;
      demand: string | null;
      scope: CallerScope;
      at: string;
    }
  | {
      type: 'RequestExtension';
      extensionId: string;
      requestedDeadline: string;
      reason: string;
      scope: CallerScope;
      at: string;
    }
  | { type: 'ApproveExtension'; extensionId: string; scope: CallerScope; at: string }
  | { type: 'RefuseExtension'; extensionId: string; reason: string; scope: CallerScope; at: string }
  | ({ type: 'TakeCaseAction'; scope: CallerScope; at: string } & ActionDetails);

export type SupervisionCommand = IssueNotice | CaseCommand;

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** True for an existing calendar date written YYYY-MM-DD. */
export function isCalendarDate(date: string): boolean {
  if (!DATE.test(date)) return false;
  const ms = Date.parse(`${date}T00:00:00Z`);
  return !Number.isNaN(ms) && new Date(ms).toISOString().slice(0, 10) === date;
}

/** The instant a Shanghai calendar day starts (the business time of a dated record). */
export function startOfShanghaiDayOf(date: string): string {
  return new Date(Date.parse(endOfShanghaiDay(date)) - 86_400_000).toISOString();
}

/** A round is overdue from the end of its deadline day while nothing is awaiting the office's review. */
export function isOverdue(
  state: { stage: RoundStage; deadlineAt: string; status: string },
  at: string,
): boolean {
  return state.status === 'open' && state.stage !== 'reported' && at >= state.deadlineAt;
}

/** Whether a round failed (returned for redo, or overdue): the condition for 二次督办 and, in round 2, for 问责. */
export function roundFailed(state: { stage: RoundStage; deadlineAt: string; status: string }, at: string) {
  return state.status === 'open' && (state.stage === 'returned' || isOverdue(state, at));
}

/** A deadline must be a real date whose day has not ended yet. */
function deadlineProblems(deadline: string, at: string, label = '办理期限'): string[] {
  if (!isCalendarDate(deadline)) return [`${label} ${deadline} 不是有效日期（格式 YYYY-MM-DD）`];
  if (endOfShanghaiDay(deadline) <= at) return [`${label} ${deadline} 已过`];
  return [];
}

/** What is wrong with an accountability action's own fields (both the case-bound and the free-standing kind). */
export function actionProblems(details: ActionDetails): string[] {
  const problems: string[] = [];
  if (!ACCOUNTABILITY_ACTION_KINDS.includes(details.action))
    problems.push(`问责方式 ${details.action} 不存在`);
  if (!details.reason.trim()) problems.push('须写明问责事由');
  if (!isCalendarDate(details.occurredOn)) problems.push(`问责日期 ${details.occurredOn} 不是有效日期`);
  if (details.official && (!details.official.name.trim() || !details.official.position.trim()))
    problems.push('被问责人须写明姓名与职务');
  if (!Number.isFinite(details.deduction) || details.deduction < 0) problems.push('扣分须为非负数');
  for (const cause of details.causes)
    if (cause.type === null) problems.push(`事件 ${cause.eventId} 不在流 ${cause.streamId} 中`);
  return problems;
}

/** The event of an action, once checked. */
export function actionTaken(
  details: ActionDetails,
  context: { cycleId: string; unitId: string; noticeId: string | null; round: number | null; at: string },
): AccountabilityActionTaken {
  return {
    type: 'AccountabilityActionTaken',
    data: {
      actionId: details.actionId,
      cycleId: context.cycleId,
      unitId: context.unitId,
      action: details.action,
      official: details.official
        ? { name: details.official.name.trim(), position: details.official.position.trim() }
        : null,
      reason: details.reason.trim(),
      basis: details.basis.trim(),
      noticeId: context.noticeId,
      round: context.round,
      causes: details.causes.map(({ streamId, eventId, type }) => ({ streamId, eventId, type: type ?? '' })),
      deduction: details.deduction,
      schemeVersion: details.schemeVersion,
      occurredOn: details.occurredOn,
      occurredAt: startOfShanghaiDayOf(details.occurredOn),
      takenAt: context.at,
    },
  };
}

function issueProblems(command: IssueNotice): string[] {
  const problems: string[] = [];
  const { facts } = command;
  if (facts.cycle === 'none') problems.push(`考核周期 ${command.cycleId} 不存在`);
  if (facts.cycle === 'closed') problems.push(`考核周期 ${command.cycleId} 已结束`);
  if (!facts.unitExists) problems.push(`单位 ${command.unitId} 不存在`);
  if (!command.title.trim()) problems.push('须填写标题');
  if (!command.demand.trim()) problems.push('须写明督办要求');
  if (command.targets.length === 0 && command.matter === null)
    problems.push('须指明督办的目标（节点）或督办事项');
  if (command.targets.length > 0 && command.matter !== null)
    problems.push('督办的目标（节点）与独立督办事项只能选其一');
  if (command.matter && !command.matter.description.trim()) problems.push('须写明督办事项内容');
  const seen = new Set<string>();
  for (const { targetId, milestoneId } of command.targets) {
    const key = `${targetId}/${milestoneId ?? ''}`;
    if (seen.has(key)) problems.push(`目标 ${targetId} ${milestoneId ?? ''} 重复`);
    seen.add(key);
    const target = facts.targets[targetId];
    if (!target) {
      problems.push(`目标 ${targetId} 不存在`);
      continue;
    }
    if (target.unitId !== command.unitId) problems.push(`目标 ${targetId} 不属于责任单位 ${command.unitId}`);
    if (target.cycleId !== command.cycleId)
      problems.push(`目标 ${targetId} 不属于考核周期 ${command.cycleId}`);
    if (target.status !== 'issued') problems.push(`目标 ${targetId} 尚未下达或已撤销`);
    if (milestoneId !== null && !target.milestoneIds.includes(milestoneId))
      problems.push(`目标 ${targetId} 没有节点 ${milestoneId}`);
  }
  problems.push(...deadlineProblems(command.deadline, command.at));
  return problems;
}

const inScope = (scope: CallerScope, unitId: string) =>
  scope.unitIds === null || scope.unitIds.includes(unitId);

/**
 * A supervision case (督查督办事项), `supervision-<noticeId>`: round 1 (督查通知 / 绩效督查建议书),
 * possibly round 2 (二次督办) on the same stream, and the accountability actions that followed it.
 * - the unit signs for each round's notice (签收), then reports rectification (整改反馈) with
 *   evidence; the office closes the case on it (办结) or returns it for redo with a reason;
 * - a round-1 case that was returned, or is overdue at `at`, may be escalated to round 2 with a
 *   named tracker and a new deadline; there is no round 3: a failed round 2 leads to accountability
 *   (at most one action of each kind per case);
 * - the unit may ask for an extension (延期) before the deadline, one request at a time; the office
 *   approves (new deadline) or refuses it;
 * - every move checks the caller's unit scope (unit staff act for their own unit only).
 */
export const supervisionDecider: Decider<SupervisionCommand, SupervisionState, SupervisionEvent> = {
  initialState: () => ({ status: 'none' }),
  evolve(state, event) {
    if (event.type === 'SupervisionNoticeIssued') {
      const { noticeId, cycleId, unitId, deadline, deadlineAt, demand } = event.data;
      return {
        status: 'open',
        noticeId,
        cycleId,
        unitId,
        round: 1,
        stage: 'issued',
        deadline,
        deadlineAt,
        demand,
        tracker: null,
        pendingRectification: null,
        pendingExtension: null,
        actionIds: [],
        actions: [],
      };
    }
    if (state.status === 'none') return state;
    switch (event.type) {
      case 'SupervisionNoticeSigned':
        return { ...state, stage: 'signed' };
      case 'RectificationReported':
        return { ...state, stage: 'reported', pendingRectification: event.data.rectificationId };
      case 'RectificationReturned':
        return { ...state, stage: 'returned', pendingRectification: null };
      case 'SupervisionClosed':
        return { ...state, status: 'closed', pendingRectification: null, pendingExtension: null };
      case 'SupervisionEscalated': {
        const { round, tracker, demand, deadline, deadlineAt } = event.data;
        return { ...state, round, stage: 'issued', tracker, demand, deadline, deadlineAt };
      }
      case 'ExtensionRequested':
        return {
          ...state,
          pendingExtension: {
            extensionId: event.data.extensionId,
            requestedDeadline: event.data.requestedDeadline,
          },
        };
      case 'ExtensionApproved':
        return {
          ...state,
          pendingExtension: null,
          deadline: event.data.deadline,
          deadlineAt: event.data.deadlineAt,
        };
      case 'ExtensionRefused':
        return { ...state, pendingExtension: null };
      case 'AccountabilityActionTaken':
        return {
          ...state,
          actionIds: [...state.actionIds, event.data.actionId],
          actions: [...state.actions, event.data.action],
        };
    }
  },
  decide(command, state) {
    if (command.type === 'IssueNotice') {
      if (state.status !== 'none') throw E.exists();
      if (!inScope(command.scope, command.unitId)) throw E.outOfScope(command.unitId);
      const problems = issueProblems(command);
      if (problems.length) throw E.invalid(problems);
      const { noticeId, cycleId, unitId, kind, targets, matter, deadline, at } = command;
      return [
        {
          type: 'SupervisionNoticeIssued',
          data: {
            noticeId,
            cycleId,
            unitId,
            kind,
            title: command.title.trim(),
            demand: command.demand.trim(),
            targets: targets.map(({ targetId, milestoneId }) => ({ targetId, milestoneId })),
            matter: matter ? { source: matter.source, description: matter.description.trim() } : null,
            round: 1,
            deadline,
            deadlineAt: endOfShanghaiDay(deadline),
            issuedAt: at,
          },
        },
      ];
    }
    if (state.status === 'none') throw E.notFound();
    if (!inScope(command.scope, state.unitId)) throw E.outOfScope(state.unitId);
    if (state.status === 'closed') throw E.closed();
    const { noticeId, unitId, round } = state;
    const { at } = command;
    switch (command.type) {
      case 'SignNotice':
        if (state.stage !== 'issued') throw E.alreadySigned(round);
        return [{ type: 'SupervisionNoticeSigned', data: { noticeId, unitId, round, signedAt: at } }];
      case 'ReportRectification': {
        if (state.stage === 'issued') throw E.notSigned(round);
        if (state.stage === 'reported') throw E.rectificationPending();
        if (!command.narrative.trim()) throw E.invalid(['须写明整改情况']);
        return [
          {
            type: 'RectificationReported',
            data: {
              noticeId,
              unitId,
              round,
              rectificationId: command.rectificationId,
              narrative: command.narrative.trim(),
              evidence: command.evidence,
              late: at >= state.deadlineAt,
              reportedAt: at,
            },
          },
        ];
      }
      case 'ReturnRectification':
      case 'CloseNotice': {
        const pending = state.pendingRectification;
        if (pending === null) throw E.noPendingRectification();
        if (command.rectificationId !== null && command.rectificationId !== pending)
          throw E.rectificationMismatch(command.rectificationId);
        if (command.type === 'CloseNotice')
          return [
            {
              type: 'SupervisionClosed',
              data: {
                noticeId,
                unitId,
                round,
                rectificationId: pending,
                comment: command.comment.trim(),
                closedAt: at,
              },
            },
          ];
        if (!command.reason.trim()) throw E.invalid(['退回须写明理由']);
        return [
          {
            type: 'RectificationReturned',
            data: {
              noticeId,
              unitId,
              round,
              rectificationId: pending,
              reason: command.reason.trim(),
              returnedAt: at,
            },
          },
        ];
      }
      case 'EscalateNotice': {
        if (round >= 2) throw E.alreadyEscalated();
        if (!roundFailed(state, at)) throw E.roundNotFailed();
        if (state.pendingExtension) throw E.extensionPending();
        const problems = deadlineProblems(command.deadline, at, '二次督办期限');
        if (!command.tracker.trim()) problems.push('二次督办须指定专人跟踪');
        if (problems.length) throw E.invalid(problems);
        return [
          {
            type: 'SupervisionEscalated',
            data: {
              noticeId,
              unitId,
              round: 2,
              previousRound: 1,
              reason: state.stage === 'returned' ? 'returned' : 'overdue',
              tracker: command.tracker.trim(),
              demand: command.demand?.trim() || state.demand,
              deadline: command.deadline,
              deadlineAt: endOfShanghaiDay(command.deadline),
              escalatedAt: at,
            },
          },
        ];
      }
      case 'RequestExtension': {
        if (at >= state.deadlineAt) throw E.deadlinePassed(state.deadline);
        if (state.pendingExtension) throw E.extensionPending();
        const problems = deadlineProblems(command.requestedDeadline, at, '申请延期至');
        if (problems.length === 0 && command.requestedDeadline <= state.deadline)
          problems.push(`申请延期至 ${command.requestedDeadline} 须晚于现期限 ${state.deadline}`);
        if (!command.reason.trim()) problems.push('须写明延期理由');
        if (problems.length) throw E.invalid(problems);
        return [
          {
            type: 'ExtensionRequested',
            data: {
              noticeId,
              unitId,
              round,
              extensionId: command.extensionId,
              currentDeadline: state.deadline,
              requestedDeadline: command.requestedDeadline,
              reason: command.reason.trim(),
              requestedAt: at,
            },
          },
        ];
      }
      case 'ApproveExtension':
      case 'RefuseExtension': {
        const pending = state.pendingExtension;
        if (!pending || pending.extensionId !== command.extensionId)
          throw E.extensionNotPending(command.extensionId);
        if (command.type === 'RefuseExtension') {
          if (!command.reason.trim()) throw E.invalid(['不予延期须写明理由']);
          return [
            {
              type: 'ExtensionRefused',
              data: {
                noticeId,
                unitId,
                round,
                extensionId: pending.extensionId,
                reason: command.reason.trim(),
                refusedAt: at,
              },
            },
          ];
        }
        return [
          {
            type: 'ExtensionApproved',
            data: {
              noticeId,
              unitId,
              round,
              extensionId: pending.extensionId,
              previousDeadline: state.deadline,
              deadline: pending.requestedDeadline,
              deadlineAt: endOfShanghaiDay(pending.requestedDeadline),
              approvedAt: at,
            },
          },
        ];
      }
      case 'TakeCaseAction': {
        if (state.actionIds.includes(command.actionId)) throw E.actionExists();
        if (round < 2 || !roundFailed(state, at)) throw E.actionNotWarranted();
        if (state.actions.includes(command.action)) throw E.actionAlreadyTaken(command.action);
        const problems = actionProblems(command);
        if (problems.length) throw E.invalidAction(problems);
        return [actionTaken(command, { cycleId: state.cycleId, unitId, noticeId, round, at })];
      }
      default: {
        const _exhaustive: never = command;
        return _exhaustive;
      }
    }
  },
};
