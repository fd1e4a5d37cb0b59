import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@dukao/config';
import { EVENT_STORE, type EventStore, type StoredEvent, handleCommand } from '@dukao/event-store';
import { CLOCK, type Clock, DomainError, SYSTEM_ACTOR } from '@dukao/kernel';
import { sessionDecider, type SessionEvent, SessionErrors, sessionStream } from '../domain/session.decider';
import { inEffect, userDecider, type UserState } from '../domain/user.decider';
import { type UserEvent, userStream } from '../domain/user.events';
import { type UsernameReserved, usernameStream } from '../domain/username.decider';
import type { Role } from '../domain/roles';
import { TokenService } from './token.service';
import { verifyAgainstDummy, verifyPassword } from './password';

/** A grant in effect now. */
export interface ActiveGrant {
  grantId: string;
  role: Role;
  unitIds: string[] | null;
}

/** Who is calling: established from a valid access token, a live session and the user's current grants. */
export interface Principal {
  userId: string;
  username: string;
  sessionId: string;
  grants: ActiveGrant[];
  mustChangePassword: boolean;
}

export interface TokenPair {
  tokenType: 'Bearer';
  accessToken: string;
  expiresIn: number;
  refreshToken: string;
  refreshExpiresAt: string;
  mustChangePassword: boolean;
}

export const AuthErrors = {
  invalidCredentials: () => new DomainError('unauthenticated', 'INVALID_CREDENTIALS', '用户名或密码错误'),
  locked: (until: string) =>
    new DomainError('locked', 'ACCOUNT_LOCKED', `登录失败次数过多，账户已锁定，请于 ${until} 后再试`, {
      lockedUntil: until,
    }),
  disabled: () => new DomainError('forbidden', 'ACCOUNT_DISABLED', '账户已停用，请联系系统管理员'),
  sessionEnded: () => new DomainError('unauthenticated', 'SESSION_REVOKED', '登录会话已结束，请重新登录'),
};

/** Was the session started before the user's sessions were ended (disabled, or password reset)? */
const endedByUser = (user: UserState, startedAt: string) =>
  user.status !== 'absent' && user.sessionsValidFrom !== null && startedAt < user.sessionsValidFrom;

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');
const fold = (events: StoredEvent[]): UserState =>
  events.reduce((s, e) => userDecider.evolve(s, e as unknown as UserEvent), userDecider.initialState());

/**
 * Login, refresh, logout and per-request authentication. Credentials and sessions are read from
 * their streams, not from views, so a disabled user or a revoked session is refused at once.
 *
 * Failed logins are counted in this process; reaching the limit appends `UserLockedOut`, which every
 * process honours.
 */
@Injectable()
export class AuthService {
  private readonly failures = new Map<string, { count: number; since: number }>();

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly tokens: TokenService,
  ) {}

  async login(
    username: string,
    password: string,
    client: string | null,
    correlationId: string,
  ): Promise<TokenPair> {
    const now = this.clock();
    const [reservation] = (await this.store.readStream(
      usernameStream(username),
    )) as unknown as UsernameReserved[];
    if (!reservation) {
      await verifyAgainstDummy(password);
      throw AuthErrors.invalidCredentials();
    }
    const userId = reservation.data.userId;
    const user = fold(await this.store.readStream(userStream(userId)));
    if (user.status === 'absent') throw AuthErrors.invalidCredentials();
    if (user.lockedUntil !== null && user.lockedUntil > now.toISOString())
      throw AuthErrors.locked(user.lockedUntil);
    if (!(await verifyPassword(password, user.passwordHash))) {
      await this.recordFailure(userId, now, correlationId);
      throw AuthErrors.invalidCredentials();
    }
    this.failures.delete(userId);
    if (user.status === 'disabled') throw AuthErrors.disabled();

    const sessionId = randomUUID();
    const secret = randomBytes(32).toString('base64url');
    const refreshExpiresAt = new Date(
      now.getTime() + this.config.auth.refreshTokenTtlSeconds * 1000,
    ).toISOString();
    await handleCommand(
      this.store,
      sessionStream(sessionId),
      sessionDecider,
      {
        type: 'StartSession',
        sessionId,
        userId,
        refreshHash: sha256(secret),
        expiresAt: refreshExpiresAt,
        client,
        at: now.toISOString(),
      },
      { commandId: randomUUID(), actor: { userId, role: 'user', unitId: null }, correlationId },
    );
    return this.pair(userId, sessionId, secret, refreshExpiresAt, user.mustChangePassword, now);
  }

  async refresh(refreshToken: string, correlationId: string): Promise<TokenPair> {
    const now = this.clock();
    const [sessionId, secret, extra] = refreshToken.split('.');
    if (!sessionId || !secret || extra !== undefined || !/^[0-9a-f-]{36}$/.test(sessionId))
      throw SessionErrors.invalidRefresh();
    const nextSecret = randomBytes(32).toString('base64url');
    const expiresAt = new Date(now.getTime() + this.config.auth.refreshTokenTtlSeconds * 1000).toISOString();
    const result = await handleCommand(
      this.store,
      sessionStream(sessionId),
      sessionDecider,
      {
        type: 'RefreshSession',
        presentedHash: sha256(secret),
        refreshHash: sha256(nextSecret),
        expiresAt,
        at: now.toISOString(),
      },
      { commandId: randomUUID(), actor: SYSTEM_ACTOR, correlationId },
    );
    if (result.state.status !== 'active') throw SessionErrors.invalidRefresh();
    const user = fold(await this.store.readStream(userStream(result.state.userId)));
    if (user.status !== 'active' || endedByUser(user, result.state.startedAt)) {
      await this.revoke(sessionId, 'user-disabled', correlationId);
      throw user.status === 'disabled' ? AuthErrors.disabled() : SessionErrors.invalidRefresh();
    }
    return this.pair(user.userId, sessionId, nextSecret, expiresAt, user.mustChangePassword, now);
  }

  async logout(principal: Principal, correlationId: string): Promise<void> {
    await this.revoke(principal.sessionId, 'logout', correlationId, principal.userId);
  }

  /** Checks a bearer token, its session and the user, and returns who is calling with the grants in effect now. */
  async authenticate(accessToken: string): Promise<Principal> {
    const now = this.clock();
    const claims = this.tokens.verify(accessToken, now);
    const [userEvents, sessionEvents] = await Promise.all([
      this.store.readStream(userStream(claims.sub)),
      this.store.readStream(sessionStream(claims.sid)),
    ]);
    const user = fold(userEvents);
    const session = sessionEvents.reduce(
      (s, e) => sessionDecider.evolve(s, e as unknown as SessionEvent),
      sessionDecider.initialState(),
    );
    if (user.status === 'absent' || session.status === 'none' || session.userId !== user.userId)
      throw AuthErrors.sessionEnded();
    if (user.status === 'disabled') throw AuthErrors.disabled();
    if (
      session.status === 'revoked' ||
      session.expiresAt <= now.toISOString() ||
      endedByUser(user, session.startedAt)
    ) {
      throw AuthErrors.sessionEnded();
    }
    const at = now.toISOString();
    return {
      userId: user.userId,
      username: user.username,
      sessionId: session.sessionId,
      grants: user.grants
        .filter((grant) => inEffect(grant, at))
        .map(({ grantId, role, unitIds }) => ({ grantId, role, unitIds })),
      mustChangePassword: user.mustChangePassword,
    };
  }

  /** Is `password` the user's current one (for changing it)? */
  async checkPassword(userId: string, password: string): Promise<boolean> {
    const user = fold(await this.store.readStream(userStream(userId)));
    return user.status !== 'absent' && verifyPassword(password, user.passwordHash);
  }

  private pair(
    userId: string,
    sessionId: string,
    secret: string,
    refreshExpiresAt: string,
    mustChangePassword: boolean,
    now: Date,
  ): TokenPair {
    return {
      tokenType: 'Bearer',
      accessToken: this.tokens.sign(userId, sessionId, now),
      expiresIn: this.tokens.accessTtlSeconds,
      refreshToken: `${sessionId}.${secret}`,
      refreshExpiresAt,
      mustChangePassword,
    };
  }

  private async revoke(
    sessionId: string,
    reason: 'logout' | 'user-disabled',
    correlationId: string,
    userId = 'system',
  ) {
    await handleCommand(
      this.store,
      sessionStream(sessionId),
      sessionDecider,
      { type: 'RevokeSession', reason, at: this.clock().toISOString() },
      {
        commandId: randomUUID(),
        actor: userId === 'system' ? SYSTEM_ACTOR : { userId, role: 'user', unitId: null },
        correlationId,
      },
    );
  }

  private async recordFailure(userId: string, now: Date, correlationId: string): Promise<void> {
    const windowMs = this.config.auth.lockoutMinutes * 60_000;
    const entry = this.failures.get(userId);
    const current =
      entry && now.getTime() - entry.since < windowMs
        ? { count: entry.count + 1, since: entry.since }
        : { count: 1, since: now.getTime() };
    this.failures.set(userId, current);
    if (current.count < this.config.auth.lockoutAttempts) return;
    this.failures.delete(userId);
    const lockedUntil = new Date(now.getTime() + windowMs).toISOString();
    await handleCommand(
      this.store,
      userStream(userId),
      userDecider,
      { type: 'LockOutUser', failedAttempts: current.count, lockedUntil, at: now.toISOString() },
      { commandId: randomUUID(), actor: SYSTEM_ACTOR, correlationId },
    );
    throw AuthErrors.locked(lockedUntil);
  }
}
