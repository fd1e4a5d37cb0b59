import { createHash } from 'node:crypto';
import type { Decider } from '@dukao/event-store';
import { IdentityErrors as E } from './identity.errors';

/**
 * Usernames are unique across users: each is reserved in a stream of its own before the user's
 * stream is written, and the log, not a view, decides who got it first.
 */
export type UsernameReserved = { type: 'UsernameReserved'; data: { username: string; userId: string } };
export type UsernameState = { userId: string | null };
export type ReserveUsername = { type: 'ReserveUsername'; username: string; userId: string };

export function normalizeUsername(username: string): string {
  return username.normalize('NFKC').trim().toLowerCase();
}

export const usernameStream = (username: string) =>
  `username-${createHash('sha256').update(normalizeUsername(username)).digest('hex').slice(0, 40)}`;

export const usernameDecider: Decider<ReserveUsername, UsernameState, UsernameReserved> = {
  initialState: () => ({ userId: null }),
  evolve: (_state, event) => ({ userId: event.data.userId }),
  decide(command, state) {
    if (state.userId === command.userId) return [];
    if (state.userId !== null) throw E.usernameTaken(command.username);
    return [
      {
        type: 'UsernameReserved',
        data: { username: normalizeUsername(command.username), userId: command.userId },
      },
    ];
  },
};
