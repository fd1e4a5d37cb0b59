import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import {
  type CommandContext,
  EVENT_STORE,
  type EventStore,
  deriveEventId,
  handleCommand,
} from '@dukao/event-store';
import { userDecider } from '../domain/user.decider';
import { userStream } from '../domain/user.events';
import { usernameDecider, usernameStream } from '../domain/username.decider';
import { hashPassword } from '../auth/password';
import { type CommandOutcome, outcome } from './command-outcome';

export class RegisterUser extends Command<CommandOutcome> {
  constructor(
    readonly input: { username: string; displayName: string; phone: string | null; initialPassword: string },
    readonly context: CommandContext,
    readonly at: string,
  ) {
    super();
  }
}

/**
 * Reserves the username, then writes the user. The user id derives from the command id, so a
 * retried request finds its own reservation and its own user, and answers as the first time did.
 */
@CommandHandler(RegisterUser)
export class RegisterUserHandler implements ICommandHandler<RegisterUser> {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async execute({ input, context, at }: RegisterUser): Promise<CommandOutcome> {
    const userId = deriveEventId(`user\u0000${context.commandId}`, 0);
    await handleCommand(
      this.store,
      usernameStream(input.username),
      usernameDecider,
      { type: 'ReserveUsername', username: input.username, userId },
      context,
    );
    const result = await handleCommand(
      this.store,
      userStream(userId),
      userDecider,
      {
        type: 'RegisterUser',
        userId,
        username: input.username.trim(),
        displayName: input.displayName,
        phone: input.phone,
        passwordHash: await hashPassword(input.initialPassword),
        // Someone else chose it: its owner must replace it at first login.
        mustChangePassword: true,
        at,
      },
      context,
    );
    return outcome(userId, result);
  }
}
