import type { Decider } from '@dukao/event-store';
import { IdentityErrors as E } from './identity.errors';
import { OPTIONALLY_UNIT_SCOPED_ROLES, type Role, UNIT_SCOPED_ROLES, separationConflict } from './roles';
import type { Duty, UserEvent } from './user.events';

export interface Grant {
  grantId: string;
  role: Role;
  unitIds: string[] | null;
  effectiveFrom: string;
  /** The end of the grant: its own end date or its revocation, whichever comes first. */
  effectiveUntil: string | null;
  revoked: boolean;
}

export interface Membership {
  membershipId: string;
  unitId: string;
  duty: Duty;
  effectiveFrom: string;
  effectiveUntil: string | null;
}

export type UserState =
  | { status: 'absent' }
  | {
      status: 'active' | 'disabled';
      userId: string;
      username: string;
      grants: Grant[];
      memberships: Membership[];
      lockedUntil: string | null;
      passwordHash: string;
      mustChangePassword: boolean;
      /** Sessions started before this instant are over: disabling a user or resetting a password ends them. */
      sessionsValidFrom: string | null;
    };

/** Commands carry their own time (`at`): the decider reads no clock. */
export type UserCommand =
  | {
      type: 'RegisterUser';
      userId: string;
      username: string;
      displayName: string;
      phone: string | null;
      passwordHash: string;
      mustChangePassword: boolean;
      at: string;
    }
  | { type: 'SetPassword'; passwordHash: string; mustChange: boolean; at: string }
  | { type: 'DisableUser'; reason: string; at: string }
  | { type: 'EnableUser'; at: string }
  | { type: 'LockOutUser'; failedAttempts: number; lockedUntil: string; at: string }
  | {
      type: 'GrantRole';
      grantId: string;
      role: Role;
      unitIds: string[] | null;
      effectiveFrom: string;
      effectiveUntil: string | null;
      at: string;
    }
  | { type: 'RevokeRole'; grantId: string; effectiveAt: string; reason: string; at: string }
  | {
      type: 'AssignMembership';
      membershipId: string;
      unitId: string;
      duty: Duty;
      effectiveFrom: string;
      at: string;
    }
  | { type: 'EndMembership'; membershipId: string; effectiveAt: string; at: string };

/** True when [from, until) contains `at` (ISO 8601 strings in UTC compare as text). */
export function inEffect(
  period: { effectiveFrom: string; effectiveUntil: string | null },
  at: string,
): boolean {
  return period.effectiveFrom <= at && (period.effectiveUntil === null || at < period.effectiveUntil);
}

/** Grants that are, or will be, in effect at or after `at`. */
function liveGrants(grants: Grant[], at: string): Grant[] {
  return grants.filter((g) => !g.revoked && (g.effectiveUntil === null || g.effectiveUntil > at));
}

export const userDecider: Decider<UserCommand, UserState, UserEvent> = {
  initialState: () => ({ status: 'absent' }),

  evolve(state, event) {
    if (event.type === 'UserRegistered') {
      const { userId, username } = event.data;
      return {
        status: 'active',
        userId,
        username,
        grants: [],
        memberships: [],
        lockedUntil: null,
        passwordHash: '',
        mustChangePassword: false,
        sessionsValidFrom: null,
      };
    }
    if (state.status === 'absent') return state;
    switch (event.type) {
      case 'PasswordSet':
        return {
          ...state,
          passwordHash: event.data.passwordHash,
          mustChangePassword: event.data.mustChange,
          lockedUntil: null,
          // A password someone else set (a reset) ends the sessions opened with the old one.
          sessionsValidFrom: event.data.mustChange ? event.data.setAt : state.sessionsValidFrom,
        };
      case 'UserDisabled':
        return { ...state, status: 'disabled', sessionsValidFrom: event.data.disabledAt };
      case 'UserEnabled':
        return { ...state, status: 'active', lockedUntil: null };
      case 'UserLockedOut':
        return { ...state, lockedUntil: event.data.lockedUntil };
      case 'RoleGranted': {
        const { grantId, role, unitIds, effectiveFrom, effectiveUntil } = event.data;
        return {
          ...state,
          grants: [
            ...state.grants,
            { grantId, role, unitIds, effectiveFrom, effectiveUntil, revoked: false },
          ],
        };
      }
      case 'RoleRevoked': {
        const { grantId, effectiveAt } = event.data;
        return {
          ...state,
          grants: state.grants.map((g) =>
            g.grantId === grantId
              ? {
                  ...g,
                  revoked: true,
                  effectiveUntil:
                    g.effectiveUntil && g.effectiveUntil < effectiveAt ? g.effectiveUntil : effectiveAt,
                }
              : g,
          ),
        };
      }
      case 'MembershipAssigned': {
        const { membershipId, unitId, duty, effectiveFrom } = event.data;
        return {
          ...state,
          memberships: [
            ...state.memberships,
            { membershipId, unitId, duty, effectiveFrom, effectiveUntil: null },
          ],
        };
      }
      case 'MembershipEnded':
        return {
          ...state,
          memberships: state.memberships.map((m) =>
            m.membershipId === event.data.membershipId ? { ...m, effectiveUntil: event.data.effectiveAt } : m,
          ),
        };
    }
  },

  decide(command, state) {
    if (command.type === 'RegisterUser') {
      if (state.status !== 'absent') throw E.userAlreadyExists(command.userId);
      const { userId, username, displayName, phone, passwordHash, mustChangePassword, at } = command;
      return [
        { type: 'UserRegistered', data: { userId, username, displayName, phone, registeredAt: at } },
        { type: 'PasswordSet', data: { userId, passwordHash, mustChange: mustChangePassword, setAt: at } },
      ];
    }
    if (state.status === 'absent') throw E.userNotFound('');
    const { userId } = state;
    switch (command.type) {
      case 'SetPassword':
        return [
          {
            type: 'PasswordSet',
            data: {
              userId,
              passwordHash: command.passwordHash,
              mustChange: command.mustChange,
              setAt: command.at,
            },
          },
        ];
      case 'DisableUser':
        if (state.status === 'disabled') throw E.userDisabled();
        return [{ type: 'UserDisabled', data: { userId, reason: command.reason, disabledAt: command.at } }];
      case 'EnableUser':
        if (state.status !== 'disabled') throw E.userNotDisabled();
        return [{ type: 'UserEnabled', data: { userId, enabledAt: command.at } }];
      case 'LockOutUser':
        if (state.lockedUntil !== null && state.lockedUntil >= command.lockedUntil) return [];
        return [
          {
            type: 'UserLockedOut',
            data: {
              userId,
              failedAttempts: command.failedAttempts,
              lockedAt: command.at,
              lockedUntil: command.lockedUntil,
            },
          },
        ];
      case 'GrantRole': {
        const { grantId, role, unitIds, effectiveFrom, effectiveUntil, at } = command;
        if (state.status === 'disabled') throw E.userDisabled();
        if (role === 'public') throw E.roleNotGrantable(role);
        if (state.grants.some((g) => g.grantId === grantId)) throw E.grantExists(grantId);
        if (UNIT_SCOPED_ROLES.includes(role) && !unitIds?.length) throw E.unitsRequired(role);
        if (
          unitIds !== null &&
          !UNIT_SCOPED_ROLES.includes(role) &&
          !OPTIONALLY_UNIT_SCOPED_ROLES.includes(role)
        ) {
          throw E.unitsNotAllowed(role);
        }
        if (effectiveUntil !== null && effectiveUntil <= effectiveFrom) throw E.badPeriod();
        const conflict = separationConflict(
          role,
          liveGrants(state.grants, effectiveFrom).map((g) => g.role),
        );
        if (conflict) throw E.separationOfDuties(conflict);
        return [
          {
            type: 'RoleGranted',
            data: {
              userId,
              grantId,
              role,
              unitIds: unitIds ? [...new Set(unitIds)].sort() : null,
              effectiveFrom,
              effectiveUntil,
              grantedAt: at,
            },
          },
        ];
      }
      case 'RevokeRole': {
        const grant = state.grants.find((g) => g.grantId === command.grantId);
        if (!grant) throw E.grantNotFound(command.grantId);
        if (grant.revoked) throw E.grantAlreadyRevoked(command.grantId);
        return [
          {
            type: 'RoleRevoked',
            data: {
              userId,
              grantId: grant.grantId,
              effectiveAt: command.effectiveAt,
              reason: command.reason,
              revokedAt: command.at,
            },
          },
        ];
      }
      case 'AssignMembership': {
        const { membershipId, unitId, duty, effectiveFrom, at } = command;
        if (state.status === 'disabled') throw E.userDisabled();
        const overlapping = state.memberships.some(
          (m) =>
            m.unitId === unitId &&
            m.duty === duty &&
            (m.effectiveUntil === null || m.effectiveUntil > effectiveFrom),
        );
        if (overlapping) throw E.membershipExists(unitId, duty);
        return [
          {
            type: 'MembershipAssigned',
            data: { userId, membershipId, unitId, duty, effectiveFrom, assignedAt: at },
          },
        ];
      }
      case 'EndMembership': {
        const membership = state.memberships.find((m) => m.membershipId === command.membershipId);
        if (!membership) throw E.membershipNotFound(command.membershipId);
        if (membership.effectiveUntil !== null) throw E.membershipAlreadyEnded(command.membershipId);
        if (command.effectiveAt < membership.effectiveFrom) throw E.endBeforeStart();
        return [
          {
            type: 'MembershipEnded',
            data: {
              userId,
              membershipId: membership.membershipId,
              effectiveAt: command.effectiveAt,
              endedAt: command.at,
            },
          },
        ];
      }
    }
  },
};
