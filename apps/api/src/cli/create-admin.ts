import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { loadConfigOrExit } from '@dukao/config';
import { type EventStore, createEventStore, readAllPages } from '@dukao/event-store';
import {
  ADMIN_ROLES,
  ROLE_NAMES,
  type Role,
  type RoleGranted,
  type RoleRevoked,
  createAdministrator,
  generatePassword,
} from '@dukao/identity';

/**
 * `npm run create-admin [-- --role systemAdmin --username sysadmin --display-name 系统管理员]`
 *
 * Bootstraps administrator accounts on a fresh installation, without a prompt: with no options it
 * creates the first 系统管理员 (sysadmin) and 安全管理员 (secadmin), the two that let every other
 * account be made through the API. Each password is generated, printed once, and must be changed at
 * first login. A role that already has a holder is left alone: later accounts go through the API.
 */
async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      role: { type: 'string' },
      username: { type: 'string' },
      'display-name': { type: 'string' },
    },
  });
  const roles: Role[] = values.role ? [values.role as Role] : ['systemAdmin', 'securityAdmin'];
  if (roles.some((role) => !ADMIN_ROLES.includes(role))) {
    process.stderr.write(`--role must be one of ${ADMIN_ROLES.join(', ')}\n`);
    return 2;
  }
  if (values.username && roles.length > 1) {
    process.stderr.write('--username needs --role\n');
    return 2;
  }
  const config = loadConfigOrExit();
  const store = await createEventStore(config);
  try {
    const holders = await currentHolders(store);
    let created = 0;
    for (const role of roles) {
      if (holders.has(role)) {
        process.stdout.write(
          `${ROLE_NAMES[role]} (${role}) already exists; skipped. Further accounts are made through the API.\n`,
        );
        continue;
      }
      const username =
        values.username ??
        { systemAdmin: 'sysadmin', securityAdmin: 'secadmin', auditor: 'auditor' }[role as 'systemAdmin'];
      const password = generatePassword();
      await createAdministrator(store, {
        role,
        username,
        displayName: values['display-name'] ?? ROLE_NAMES[role],
        password,
        mustChangePassword: true,
        at: new Date().toISOString(),
        commandId: `create-admin:${randomUUID()}`,
      });
      created += 1;
      process.stdout.write(
        `created ${ROLE_NAMES[role]} (${role}): username ${username}, password ${password}\n` +
          `  shown once; it must be changed at first login (PUT /auth/password)\n`,
      );
    }
    return created > 0 || holders.size > 0 ? 0 : 1;
  } finally {
    await store.close();
  }
}

/** Administrator roles with a grant not revoked, read from the log itself (no view needs to be up). */
async function currentHolders(store: EventStore): Promise<Set<Role>> {
  const grants = new Map<string, Role>();
  for await (const event of readAllPages(store, { filter: { eventTypes: ['RoleGranted', 'RoleRevoked'] } })) {
    const e = event as unknown as RoleGranted | RoleRevoked;
    if (e.type === 'RoleGranted') grants.set(e.data.grantId, e.data.role);
    else grants.delete(e.data.grantId);
  }
  return new Set([...grants.values()].filter((role) => ADMIN_ROLES.includes(role)));
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`create-admin failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
