import type { StoredEvent } from '@dukao/event-store';
import type { DocumentChange, Projection } from '@dukao/projections';
import type { ReadModelDocument } from '@dukao/read-model-store';
import type { Role } from '../domain/roles';
import { type Duty, USER_EVENT_TYPES, type UserEvent } from '../domain/user.events';

export const USERS = 'users';
export const UNIT_MEMBERSHIPS = 'unitMemberships';

/** A user as administrators see it. No password hash: credentials are read from the user's stream only. */
export interface UserView extends ReadModelDocument {
  username: string;
  displayName: string;
  phone: string | null;
  status: 'active' | 'disabled';
  mustChangePassword: boolean;
  lockedUntil: string | null;
  registeredAt: string;
  grants: Array<{
    grantId: string;
    role: Role;
    unitIds: string[] | null;
    effectiveFrom: string;
    effectiveUntil: string | null;
    revoked: boolean;
  }>;
  /** Roles of grants not revoked, for filtering; whether one is in effect at a time is read from `grants`. */
  roles: Role[];
}

/** One duty of one person in one unit over a period: answers "who was the leaderInCharge of Town A on 3 July". */
export interface UnitMembershipView extends ReadModelDocument {
  userId: string;
  unitId: string;
  duty: Duty;
  effectiveFrom: string;
  effectiveUntil: string | null;
}

function evolveUser(user: UserView | null, event: UserEvent): UserView | null {
  if (event.type === 'UserRegistered') {
    const { userId, username, displayName, phone, registeredAt } = event.data;
    return {
      _id: userId,
      username,
      displayName,
      phone,
      status: 'active',
      mustChangePassword: false,
      lockedUntil: null,
      registeredAt,
      grants: [],
      roles: [],
    };
  }
  if (!user) return null;
  const withGrants = (grants: UserView['grants']): UserView => ({
    ...user,
    grants,
    roles: [...new Set(grants.filter((g) => !g.revoked).map((g) => g.role))].sort(),
  });
  switch (event.type) {
    case 'PasswordSet':
      return { ...user, mustChangePassword: event.data.mustChange, lockedUntil: null };
    case 'UserDisabled':
      return { ...user, status: 'disabled' };
    case 'UserEnabled':
      return { ...user, status: 'active', lockedUntil: null };
    case 'UserLockedOut':
      return { ...user, lockedUntil: event.data.lockedUntil };
    case 'RoleGranted': {
      const { grantId, role, unitIds, effectiveFrom, effectiveUntil } = event.data;
      return withGrants([
        ...user.grants,
        { grantId, role, unitIds, effectiveFrom, effectiveUntil, revoked: false },
      ]);
    }
    case 'RoleRevoked':
      return withGrants(
        user.grants.map((g) =>
          g.grantId === event.data.grantId
            ? {
                ...g,
                revoked: true,
                effectiveUntil:
                  g.effectiveUntil && g.effectiveUntil < event.data.effectiveAt
                    ? g.effectiveUntil
                    : event.data.effectiveAt,
              }
            : g,
        ),
      );
    default:
      return user;
  }
}

/** The users view, and one document per duty held (unitMemberships), both from the user streams. */
export const usersProjection: Projection = {
  name: 'users',
  version: 1,
  eventTypes: USER_EVENT_TYPES,
  collections: [
    {
      name: USERS,
      indexes: [{ fields: { username: 1 }, unique: true }, { fields: { status: 1, registeredAt: -1 } }],
    },
    {
      name: UNIT_MEMBERSHIPS,
      indexes: [{ fields: { unitId: 1, duty: 1, effectiveFrom: -1 } }, { fields: { userId: 1 } }],
    },
  ],
  changes(stored: StoredEvent): DocumentChange[] {
    const event = stored as unknown as UserEvent;
    const userChange: DocumentChange = {
      collection: USERS,
      id: event.data.userId,
      evolve: (doc) => evolveUser(doc as UserView | null, event),
    };
    if (event.type === 'MembershipAssigned') {
      const { membershipId, userId, unitId, duty, effectiveFrom } = event.data;
      return [
        {
          collection: UNIT_MEMBERSHIPS,
          id: membershipId,
          evolve: () => ({ _id: membershipId, userId, unitId, duty, effectiveFrom, effectiveUntil: null }),
        },
      ];
    }
    if (event.type === 'MembershipEnded') {
      return [
        {
          collection: UNIT_MEMBERSHIPS,
          id: event.data.membershipId,
          evolve: (doc) => (doc ? { ...doc, effectiveUntil: event.data.effectiveAt } : null),
        },
      ];
    }
    return [userChange];
  },
};
