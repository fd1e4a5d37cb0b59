import type { Decider } from '@dukao/event-store';
import { DomainError } from '@dukao/kernel';

/**
 * A login session. The refresh token is `<sessionId>.<secret>`; only the secret's SHA-256 is stored.
 * Each refresh rotates the secret; presenting a rotated-out secret means the token was copied, so
 * the whole session is revoked.
 */
export type SessionStarted = {
  type: 'SessionStarted';
  data: {
    sessionId: string;
    userId: string;
    refreshHash: string;
    startedAt: string;
    expiresAt: string;
    client: string | null;
  };
};
export type SessionRefreshed = {
  type: 'SessionRefreshed';
  data: {
    sessionId: string;
    previousHash: string;
    refreshHash: string;
    refreshedAt: string;
    expiresAt: string;
  };
};
export type SessionRevoked = {
  type: 'SessionRevoked';
  data: {
    sessionId: string;
    reason: 'logout' | 'reuse-detected' | 'user-disabled' | 'admin';
    revokedAt: string;
  };
};
export type SessionEvent = SessionStarted | SessionRefreshed | SessionRevoked;
export const SESSION_EVENT_TYPES: readonly SessionEvent['type'][] = [
  'SessionStarted',
  'SessionRefreshed',
  'SessionRevoked',
];

export type SessionState =
  | { status: 'none' }
  | {
      status: 'active' | 'revoked';
      sessionId: string;
      userId: string;
      refreshHash: string;
      usedHashes: string[];
      startedAt: string;
      expiresAt: string;
    };

export type SessionCommand =
  | {
      type: 'StartSession';
      sessionId: string;
      userId: string;
      refreshHash: string;
      expiresAt: string;
      client: string | null;
      at: string;
    }
  | { type: 'RefreshSession'; presentedHash: string; refreshHash: string; expiresAt: string; at: string }
  | { type: 'RevokeSession'; reason: SessionRevoked['data']['reason']; at: string };

export const SessionErrors = {
  invalidRefresh: () =>
    new DomainError('unauthenticated', 'INVALID_REFRESH_TOKEN', '刷新令牌无效或已过期，请重新登录'),
};

export const sessionStream = (sessionId: string) => `session-${sessionId}`;

export const sessionDecider: Decider<SessionCommand, SessionState, SessionEvent> = {
  initialState: () => ({ status: 'none' }),
  evolve(state, event) {
    switch (event.type) {
      case 'SessionStarted': {
        const { sessionId, userId, refreshHash, startedAt, expiresAt } = event.data;
        return { status: 'active', sessionId, userId, refreshHash, usedHashes: [], startedAt, expiresAt };
      }
      case 'SessionRefreshed':
        if (state.status === 'none') return state;
        return {
          ...state,
          refreshHash: event.data.refreshHash,
          usedHashes: [...state.usedHashes, event.data.previousHash],
          expiresAt: event.data.expiresAt,
        };
      case 'SessionRevoked':
        return state.status === 'none' ? state : { ...state, status: 'revoked' };
    }
  },
  decide(command, state) {
    switch (command.type) {
      case 'StartSession': {
        if (state.status !== 'none') return [];
        const { sessionId, userId, refreshHash, expiresAt, client, at } = command;
        return [
          {
            type: 'SessionStarted',
            data: { sessionId, userId, refreshHash, startedAt: at, expiresAt, client },
          },
        ];
      }
      case 'RefreshSession': {
        if (state.status !== 'active' || state.expiresAt <= command.at) throw SessionErrors.invalidRefresh();
        if (state.usedHashes.includes(command.presentedHash)) {
          // A rotated-out token came back: someone holds a copy. End the session for everyone.
          return [
            {
              type: 'SessionRevoked',
              data: { sessionId: state.sessionId, reason: 'reuse-detected', revokedAt: command.at },
            },
          ];
        }
        if (state.refreshHash !== command.presentedHash) throw SessionErrors.invalidRefresh();
        return [
          {
            type: 'SessionRefreshed',
            data: {
              sessionId: state.sessionId,
              previousHash: state.refreshHash,
              refreshHash: command.refreshHash,
              refreshedAt: command.at,
              expiresAt: command.expiresAt,
            },
          },
        ];
      }
      case 'RevokeSession':
        if (state.status !== 'active') return [];
        return [
          {
            type: 'SessionRevoked',
            data: { sessionId: state.sessionId, reason: command.reason, revokedAt: command.at },
          },
        ];
    }
  },
};
