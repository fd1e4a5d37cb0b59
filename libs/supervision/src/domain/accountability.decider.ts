import type { Decider } from '@dukao/event-store';
import { type ActionDetails, type CallerScope, actionProblems, actionTaken } from './supervision.decider';
import { SupervisionErrors as E } from './supervision.errors';
import type { AccountabilityActionTaken } from './supervision.events';

export type AccountabilityState =
  { status: 'none' } | { status: 'taken'; actionId: string; cycleId: string; unitId: string };

/**
 * A free-standing accountability action (not following a case): it must name the log events that
 * caused it (e.g. a confirmed false report), and the cycle must be open and the unit registered.
 */
export type FreeStandingActionCommand = {
  type: 'TakeAccountabilityAction';
  cycleId: string;
  unitId: string;
  facts: { cycle: 'none' | 'open' | 'closed'; unitExists: boolean };
  scope: CallerScope;
  at: string;
} & ActionDetails;

/** `accountability-<actionId>`: one free-standing action, recorded once. */
export const accountabilityDecider: Decider<
  FreeStandingActionCommand,
  AccountabilityState,
  AccountabilityActionTaken
> = {
  initialState: () => ({ status: 'none' }),
  evolve(_state, event) {
    const { actionId, cycleId, unitId } = event.data;
    return { status: 'taken', actionId, cycleId, unitId };
  },
  decide(command, state) {
    if (state.status !== 'none') throw E.actionExists();
    if (command.scope.unitIds !== null && !command.scope.unitIds.includes(command.unitId))
      throw E.outOfScope(command.unitId);
    const problems = actionProblems(command);
    if (command.facts.cycle === 'none') problems.push(`考核周期 ${command.cycleId} 不存在`);
    if (command.facts.cycle === 'closed') problems.push(`考核周期 ${command.cycleId} 已结束`);
    if (!command.facts.unitExists) problems.push(`单位 ${command.unitId} 不存在`);
    if (command.causes.length === 0) problems.push('未关联督查事项的问责须列明所依据的事件');
    if (problems.length) throw E.invalidAction(problems);
    const { cycleId, unitId, at } = command;
    return [actionTaken(command, { cycleId, unitId, noticeId: null, round: null, at })];
  },
};
