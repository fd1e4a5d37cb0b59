import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { type CommandContext, EVENT_STORE, type EventStore, handleCommand } from '@dukao/event-store';
import {
  type EvaluateMilestoneLights,
  type MilestoneLightEvent,
  milestoneLightsDecider,
  milestoneLightsStream,
} from '../domain/milestone-lights.decider';

export interface MilestoneLightsOutcome {
  targetId: string;
  position: number | null;
  /** The lights that changed (none when all stayed, or the command was handled before). */
  events: MilestoneLightEvent[];
  replayed: boolean;
}

/** Records one evaluation of a target's milestone lights on `milestonelights-<targetId>`. */
export class RecordMilestoneLights extends Command<MilestoneLightsOutcome> {
  constructor(
    readonly command: EvaluateMilestoneLights,
    readonly context: CommandContext,
  ) {
    super();
  }
}

@CommandHandler(RecordMilestoneLights)
export class RecordMilestoneLightsHandler implements ICommandHandler<RecordMilestoneLights> {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async execute({ command, context }: RecordMilestoneLights): Promise<MilestoneLightsOutcome> {
    const result = await handleCommand(
      this.store,
      milestoneLightsStream(command.targetId),
      milestoneLightsDecider,
      command,
      context,
    );
    return {
      targetId: command.targetId,
      position: result.position,
      events: result.events as MilestoneLightEvent[],
      replayed: result.replayed,
    };
  }
}
