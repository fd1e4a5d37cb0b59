import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { type CommandContext, EVENT_STORE, type EventStore, handleCommand } from '@dukao/event-store';
import {
  type EvaluateWarning,
  type WarningEvent,
  warningDecider,
  warningStream,
} from '../domain/warning.decider';

export interface WarningOutcome {
  targetId: string;
  revision: number;
  position: number | null;
  /** The change recorded (none when the level stayed the same or the command was handled before). */
  events: WarningEvent[];
  replayed: boolean;
}

/** Records the outcome of one evaluation of a target's warning level on `warning-<targetId>`. */
export class RecordWarningEvaluation extends Command<WarningOutcome> {
  constructor(
    readonly command: EvaluateWarning,
    readonly context: CommandContext,
  ) {
    super();
  }
}

@CommandHandler(RecordWarningEvaluation)
export class RecordWarningEvaluationHandler implements ICommandHandler<RecordWarningEvaluation> {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async execute({ command, context }: RecordWarningEvaluation): Promise<WarningOutcome> {
    const result = await handleCommand(
      this.store,
      warningStream(command.targetId),
      warningDecider,
      command,
      context,
    );
    return {
      targetId: command.targetId,
      revision: result.nextRevision,
      position: result.position,
      events: result.events as WarningEvent[],
      replayed: result.replayed,
    };
  }
}
