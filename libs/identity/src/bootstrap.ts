import { type EventStore, deriveEventId, handleCommand } from '@dukao/event-store';
import { SYSTEM_ACTOR } from '@dukao/kernel';
import { hashPassword } from './auth/password';
import { ADMIN_ROLES, type Role } from './domain/roles';
import { userDecider } from './domain/user.decider';
import { userStream } from './domain/user.events';
import { usernameDecider, usernameStream } from './domain/username.decider';

export interface AdministratorSpec {
  role: Role;
  username: string;
  displayName: string;
  password: string;
  /** True for generated passwords: the owner must replace it at first login. */
  mustChangePassword: boolean;
  at: string;
  commandId: string;
}

/**
 * Creates an administrator outside the API, as the system: how a fresh installation gets its first
 * 系统管理员 and 安全管理员 (see `npm run create-admin`). Retrying with the same command id is safe.
 */
export async function createAdministrator(store: EventStore, spec: AdministratorSpec): Promise<string> {
  if (!ADMIN_ROLES.includes(spec.role)) throw new Error(`${spec.role} is not an administrator role`);
  const userId = deriveEventId(`user\u0000${spec.commandId}`, 0);
  const context = {
    commandId: spec.commandId,
    actor: { ...SYSTEM_ACTOR, role: 'bootstrap' },
    correlationId: spec.commandId,
  };
  await handleCommand(
    store,
    usernameStream(spec.username),
    usernameDecider,
    { type: 'ReserveUsername', username: spec.username, userId },
    context,
  );
  await handleCommand(
    store,
    userStream(userId),
    userDecider,
    {
      type: 'RegisterUser',
      userId,
      username: spec.username,
      displayName: spec.displayName,
      phone: null,
      passwordHash: await hashPassword(spec.password),
      mustChangePassword: spec.mustChangePassword,
      at: spec.at,
    },
    context,
  );
  await handleCommand(
    store,
    userStream(userId),
    userDecider,
    {
      type: 'GrantRole',
      grantId: deriveEventId(`grant\u0000${spec.commandId}`, 0),
      role: spec.role,
      unitIds: null,
      effectiveFrom: spec.at,
      effectiveUntil: null,
      at: spec.at,
    },
    { ...context, commandId: `${spec.commandId}:grant` },
  );
  return userId;
}
