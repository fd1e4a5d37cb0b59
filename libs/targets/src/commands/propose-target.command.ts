import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { type CommandContext, EVENT_STORE, type EventStore, handleCommand } from '@dukao/event-store';
import { targetDecider } from '../domain/target.decider';
import { type ReviewStage, type TargetDefinition, targetStream } from '../domain/target.events';
import { checkProposalReferences } from '../import/proposal-references';
import type { TargetOutcome } from './change-target.command';

/** A proposal as the office enters it; the category comes from the unit, the year from the cycle. */
export type TargetProposal = Omit<TargetDefinition, 'category' | 'year'>;

export class ProposeTarget extends Command<TargetOutcome> {
  constructor(
    readonly targetId: string,
    readonly proposal: TargetProposal,
    readonly reviewStages: ReviewStage[],
    readonly context: CommandContext,
    readonly at: string,
  ) {
    super();
  }
}

/**
 * Checks the proposal against the cycle, the unit, the data-collection unit and the indicator tree in
 * force for the unit's category, then writes it. Those are read from their own streams (the same
 * bounded context), so a proposal never rests on a view that lags.
 */
@CommandHandler(ProposeTarget)
export class ProposeTargetHandler implements ICommandHandler<ProposeTarget> {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async execute({ targetId, proposal, reviewStages, context, at }: ProposeTarget): Promise<TargetOutcome> {
    const { problems, definition } = await checkProposalReferences(this.store, proposal, at);
    if (!definition) throw problems[0]!;
    const result = await handleCommand(
      this.store,
      targetStream(targetId),
      targetDecider,
      { type: 'ProposeTarget', targetId, definition, reviewStages, at },
      context,
    );
    return {
      id: targetId,
      revision: result.nextRevision,
      position: result.position,
      replayed: result.replayed,
    };
  }
}

/** A returned target's corrected proposal, checked against the planning data exactly as a new one. */
export class ResubmitTarget extends Command<TargetOutcome> {
  constructor(
    readonly targetId: string,
    readonly proposal: TargetProposal,
    readonly context: CommandContext,
    readonly at: string,
  ) {
    super();
  }
}

@CommandHandler(ResubmitTarget)
export class ResubmitTargetHandler implements ICommandHandler<ResubmitTarget> {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async execute({ targetId, proposal, context, at }: ResubmitTarget): Promise<TargetOutcome> {
    const { problems, definition } = await checkProposalReferences(this.store, proposal, at);
    if (!definition) throw problems[0]!;
    const result = await handleCommand(
      this.store,
      targetStream(targetId),
      targetDecider,
      { type: 'ResubmitTarget', definition, at },
      context,
    );
    return {
      id: targetId,
      revision: result.nextRevision,
      position: result.position,
      replayed: result.replayed,
    };
  }
}
