import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { type CommandContext, EVENT_STORE, type EventStore, handleCommand } from '@dukao/event-store';
import { accountabilityDecider } from '../domain/accountability.decider';
import {
  type CallerScope,
  type SupervisionState,
  startOfShanghaiDayOf,
  supervisionDecider,
} from '../domain/supervision.decider';
import { SupervisionErrors } from '../domain/supervision.errors';
import {
  type AccountabilityActionKind,
  type SupervisionEvent,
  accountabilityStream,
  supervisionStream,
} from '../domain/supervision.events';
import type { SupervisionOutcome } from './issue-notice.command';
import { cycleStatus, deductionInForce, loadCycle, resolveCauses, unitExists } from './supervision-facts';

export interface AccountabilityActionDraft {
  /** The case it follows (on that case's stream), or null for a free-standing action with causes. */
  noticeId: string | null;
  /** Required for a free-standing action; for a case, when given, must be the case's. */
  cycleId: string | null;
  unitId: string | null;
  action: AccountabilityActionKind;
  official: { name: string; position: string } | null;
  reason: string;
  basis: string;
  causes: Array<{ streamId: string; eventId: string }>;
  /** Shanghai date the action takes effect (its business time). */
  occurredOn: string;
}

/** 提醒 / 约谈 / 通报 / 诫勉 / 追责 against a unit, with the deduction of the scheme in force on `occurredOn`. */
export class TakeAccountabilityAction extends Command<SupervisionOutcome & { noticeId: string | null }> {
  constructor(
    readonly actionId: string,
    readonly draft: AccountabilityActionDraft,
    readonly context: CommandContext,
    readonly scope: CallerScope,
    readonly at: string,
  ) {
    super();
  }
}

@CommandHandler(TakeAccountabilityAction)
export class TakeAccountabilityActionHandler implements ICommandHandler<TakeAccountabilityAction> {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async execute({ actionId, draft, context, scope, at }: TakeAccountabilityAction) {
    const occurredAt = /^\d{4}-\d{2}-\d{2}$/.test(draft.occurredOn)
      ? startOfShanghaiDayOf(draft.occurredOn)
      : at;
    const causes = await resolveCauses(this.store, draft.causes);
    // The log's business time of the action is its date (as for a report, its period's end).
    const actionContext = { ...context, occurredAt };
    const base = {
      actionId,
      action: draft.action,
      official: draft.official,
      reason: draft.reason,
      basis: draft.basis,
      causes,
      occurredOn: draft.occurredOn,
      scope,
      at,
    };
    if (draft.noticeId !== null) {
      const noticeId = draft.noticeId;
      const stream = supervisionStream(noticeId);
      const state = (await this.store.readStream(stream)).reduce<SupervisionState>(
        (s, e) => supervisionDecider.evolve(s, e as unknown as SupervisionEvent),
        supervisionDecider.initialState(),
      );
      if (state.status === 'none') throw SupervisionErrors.notFound();
      const mismatch = [
        ...(draft.cycleId !== null && draft.cycleId !== state.cycleId
          ? [`考核周期 ${draft.cycleId} 与督查事项的周期 ${state.cycleId} 不符`]
          : []),
        ...(draft.unitId !== null && draft.unitId !== state.unitId
          ? [`单位 ${draft.unitId} 与督查事项的责任单位 ${state.unitId} 不符`]
          : []),
      ];
      if (mismatch.length) throw SupervisionErrors.invalidAction(mismatch);
      const cycle = await loadCycle(this.store, state.cycleId);
      const result = await handleCommand(
        this.store,
        stream,
        supervisionDecider,
        { type: 'TakeCaseAction', ...base, ...deductionInForce(cycle, draft.action, occurredAt) },
        actionContext,
      );
      return {
        id: actionId,
        noticeId,
        revision: result.nextRevision,
        position: result.position,
        replayed: result.replayed,
      };
    }
    if (draft.cycleId === null || draft.unitId === null)
      throw SupervisionErrors.invalidAction(['未关联督查事项的问责须写明考核周期与单位']);
    const [cycle, unit] = await Promise.all([
      loadCycle(this.store, draft.cycleId),
      unitExists(this.store, draft.unitId),
    ]);
    const result = await handleCommand(
      this.store,
      accountabilityStream(actionId),
      accountabilityDecider,
      {
        type: 'TakeAccountabilityAction',
        ...base,
        cycleId: draft.cycleId,
        unitId: draft.unitId,
        facts: { cycle: cycleStatus(cycle), unitExists: unit },
        ...deductionInForce(cycle, draft.action, occurredAt),
      },
      actionContext,
    );
    return {
      id: actionId,
      noticeId: null,
      revision: result.nextRevision,
      position: result.position,
      replayed: result.replayed,
    };
  }
}
