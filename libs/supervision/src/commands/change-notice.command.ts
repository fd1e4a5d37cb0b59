import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { type CommandContext, EVENT_STORE, type EventStore, handleCommand } from '@dukao/event-store';
import { type CaseCommand, supervisionDecider } from '../domain/supervision.decider';
import { supervisionStream } from '../domain/supervision.events';
import type { SupervisionOutcome } from './issue-notice.command';

/**
 * Every move on an open case but an accountability action: sign, rectify, return, close, escalate,
 * extension request and decision. The decider checks the caller's unit scope (in the command).
 */
export class ChangeSupervisionNotice extends Command<SupervisionOutcome> {
  constructor(
    readonly noticeId: string,
    readonly command: Exclude<CaseCommand, { type: 'TakeCaseAction' }>,
    readonly context: CommandContext,
  ) {
    super();
  }
}

@CommandHandler(ChangeSupervisionNotice)
export class ChangeSupervisionNoticeHandler implements ICommandHandler<ChangeSupervisionNotice> {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async execute({ noticeId, command, context }: ChangeSupervisionNotice): Promise<SupervisionOutcome> {
    const result = await handleCommand(
      this.store,
      supervisionStream(noticeId),
      supervisionDecider,
      command,
      context,
    );
    return {
      id: noticeId,
      revision: result.nextRevision,
      position: result.position,
      replayed: result.replayed,
    };
  }
}
