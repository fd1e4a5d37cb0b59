import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { type CommandContext, EVENT_STORE, type EventStore, handleCommand } from '@dukao/event-store';
import { IdentityErrors } from '../domain/identity.errors';
import { type UserCommand, userDecider } from '../domain/user.decider';
import { userStream } from '../domain/user.events';
import { type CommandOutcome, outcome } from './command-outcome';

/**
 * Any change to an existing user: grants, duties, status, password. One handler serves them all
 * because each is one decision on one stream; the rules live in `userDecider`.
 */
export class ChangeUser extends Command<CommandOutcome> {
  constructor(
    readonly userId: string,
    readonly command: Exclude<UserCommand, { type: 'RegisterUser' }>,
    readonly context: CommandContext,
    readonly expectedRevision?: number,
  ) {
    super();
  }
}

@CommandHandler(ChangeUser)
export class ChangeUserHandler implements ICommandHandler<ChangeUser> {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async execute({ userId, command, context, expectedRevision }: ChangeUser): Promise<CommandOutcome> {
    if ((await this.store.streamRevision(userStream(userId))) === null)
      throw IdentityErrors.userNotFound(userId);
    const result = await handleCommand(this.store, userStream(userId), userDecider, command, context, {
      expectedRevision,
    });
    return outcome(userId, result);
  }
}
