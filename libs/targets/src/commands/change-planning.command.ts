import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { type CommandContext, EVENT_STORE, type EventStore, handleCommand } from '@dukao/event-store';
import { type CycleCommand, cycleDecider, cycleStream } from '../domain/cycle.decider';
import { type UnitCommand, unitDecider, unitStream } from '../domain/unit.decider';
import type { TargetOutcome } from './change-target.command';

/** Cycle and unit changes: opening a cycle, publishing scheme and indicator-tree versions, units. */
export class ChangePlanning extends Command<TargetOutcome> {
  constructor(
    readonly change:
      | { kind: 'cycle'; cycleId: string; command: CycleCommand }
      | { kind: 'unit'; unitId: string; command: UnitCommand },
    readonly context: CommandContext,
  ) {
    super();
  }
}

@CommandHandler(ChangePlanning)
export class ChangePlanningHandler implements ICommandHandler<ChangePlanning> {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async execute({ change, context }: ChangePlanning): Promise<TargetOutcome> {
    const result =
      change.kind === 'cycle'
        ? await handleCommand(this.store, cycleStream(change.cycleId), cycleDecider, change.command, context)
        : await handleCommand(this.store, unitStream(change.unitId), unitDecider, change.command, context);
    const id = change.kind === 'cycle' ? change.cycleId : change.unitId;
    return { id, revision: result.nextRevision, position: result.position, replayed: result.replayed };
  }
}
