import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { loadConfig } from '@dukao/config';
import { EVENT_STORE, type EventStore } from '@dukao/event-store';
import { type Role, createAdministrator } from '@dukao/identity';
import type { Clock } from '@dukao/kernel';
import { createApiApp } from '../../apps/api/src/bootstrap';

export const PASSWORD = 'Dukao-Test-2026!';

/**
 * The api in embedded mode on a fresh DATA_DIR, as `npm start` runs it, plus helpers to act as users.
 * With a `clock`, everything that reads time (tokens, grants, commands, recordedAt) sees the test's
 * time, so a journey through a year can move it; the timed missed-period check is then off.
 */
export class EmbeddedApp {
  private constructor(
    readonly app: INestApplication,
    readonly dir: string,
    readonly store: EventStore,
    readonly clock: Clock,
  ) {}

  static async start(env: Record<string, string> = {}, clock?: Clock): Promise<EmbeddedApp> {
    const dir = mkdtempSync(join(tmpdir(), 'dukao-e2e-'));
    const config = loadConfig({
      DATA_DIR: dir,
      RATE_LIMIT_PER_MINUTE: '100000',
      ...(clock ? { MISSED_PERIOD_CHECK_MINUTES: '0' } : {}),
      ...env,
    });
    const app = await createApiApp(config, { logger: false, clock });
    await app.init();
    return new EmbeddedApp(app, dir, app.get(EVENT_STORE), clock ?? (() => new Date()));
  }

  async stop(): Promise<void> {
    await this.app.close();
    rmSync(this.dir, { recursive: true, force: true });
  }

  http() {
    return request(this.app.getHttpServer());
  }

  /** An administrator made the way `npm run create-admin` makes one, with a known password already changed. */
  async administrator(
    role: 'systemAdmin' | 'securityAdmin' | 'auditor',
    username: string = role,
  ): Promise<Session> {
    await createAdministrator(this.store, {
      role,
      username,
      displayName: username,
      password: PASSWORD,
      mustChangePassword: false,
      at: this.clock().toISOString(),
      commandId: `test:${randomUUID()}`,
    });
    return this.login(username);
  }

  async login(username: string, password = PASSWORD): Promise<Session> {
    const res = await this.http().post('/auth/login').send({ username, password });
    if (res.status !== 200) throw new Error(`login ${username}: ${res.status} ${JSON.stringify(res.body)}`);
    const body = res.body as { accessToken: string; refreshToken: string };
    const me = await this.http().get('/auth/me').set('authorization', `Bearer ${body.accessToken}`);
    return {
      username,
      userId: (me.body as { userId: string }).userId,
      accessToken: body.accessToken,
      refreshToken: body.refreshToken,
    };
  }

  /**
   * A user made through the API as an office would: the system administrator creates the account,
   * the security administrator grants the role, the user sets their own password.
   */
  async user(
    admins: { system: Session; security: Session },
    username: string,
    grants: Array<{ role: Role; unitIds?: string[] }>,
  ): Promise<Session> {
    const created = await this.http()
      .post('/users')
      .set('authorization', `Bearer ${admins.system.accessToken}`)
      .send({ username, displayName: username, initialPassword: 'Initial-Pass-1' });
    if (created.status !== 201)
      throw new Error(`create ${username}: ${created.status} ${JSON.stringify(created.body)}`);
    const userId = (created.body as { id: string }).id;
    for (const grant of grants) {
      const res = await this.http()
        .post(`/users/${userId}/roles`)
        .set('authorization', `Bearer ${admins.security.accessToken}`)
        .send(grant);
      if (res.status !== 201)
        throw new Error(`grant ${grant.role}: ${res.status} ${JSON.stringify(res.body)}`);
    }
    const first = await this.login(username, 'Initial-Pass-1');
    const changed = await this.http()
      .put('/auth/password')
      .set('authorization', `Bearer ${first.accessToken}`)
      .send({ currentPassword: 'Initial-Pass-1', newPassword: PASSWORD });
    if (changed.status !== 200)
      throw new Error(`password ${username}: ${changed.status} ${JSON.stringify(changed.body)}`);
    return first;
  }

  /**
   * Renews each session in place after the clock jumped, so references to them stay valid: by its
   * refresh token while the session lives (login is throttled per minute), else by logging in again.
   */
  async renew(...sessions: Session[]): Promise<void> {
    for (const session of sessions) {
      const res = await this.http().post('/auth/refresh').send({ refreshToken: session.refreshToken });
      if (res.status === 200) {
        const body = res.body as { accessToken: string; refreshToken: string };
        Object.assign(session, { accessToken: body.accessToken, refreshToken: body.refreshToken });
      } else {
        Object.assign(session, await this.login(session.username));
      }
    }
  }

  async headPosition(): Promise<number | null> {
    return this.store.headPosition();
  }
}

export interface Session {
  username: string;
  userId: string;
  accessToken: string;
  refreshToken: string;
}

export const bearer = (session: Session) => ({ authorization: `Bearer ${session.accessToken}` });
