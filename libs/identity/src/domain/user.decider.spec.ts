import { deciderSpec } from '@dukao/testing';
import { inEffect, userDecider } from './user.decider';
import type { MembershipAssigned, RoleGranted, UserEvent } from './user.events';

const at = '2026-03-01T01:00:00.000Z';
const registered: UserEvent = {
  type: 'UserRegistered',
  data: { userId: 'u1', username: 'zhangsan', displayName: '张三', phone: '13800000000', registeredAt: at },
};
const passwordSet: UserEvent = {
  type: 'PasswordSet',
  data: { userId: 'u1', passwordHash: 'scrypt$x', mustChange: true, setAt: at },
};
const granted = (
  role: RoleGranted['data']['role'],
  grantId = 'g1',
  unitIds: string[] | null = null,
): RoleGranted => ({
  type: 'RoleGranted',
  data: {
    userId: 'u1',
    grantId,
    role,
    unitIds,
    effectiveFrom: '2026-01-01T00:00:00.000Z',
    effectiveUntil: null,
    grantedAt: at,
  },
});
const assigned: MembershipAssigned = {
  type: 'MembershipAssigned',
  data: {
    userId: 'u1',
    membershipId: 'm1',
    unitId: 'town-a',
    duty: 'leaderInCharge',
    effectiveFrom: '2026-01-01T00:00:00.000Z',
    assignedAt: at,
  },
};
const spec = deciderSpec(userDecider);
const grant = (role: RoleGranted['data']['role'], unitIds: string[] | null = null, grantId = 'g2') =>
  ({
    type: 'GrantRole',
    grantId,
    role,
    unitIds,
    effectiveFrom: '2026-01-01T00:00:00.000Z',
    effectiveUntil: null,
    at,
  }) as const;

describe('user decider', () => {
  describe('when the user does not exist', () => {
    it('registers the user with a password hash', () => {
      spec
        .given()
        .when({
          type: 'RegisterUser',
          userId: 'u1',
          username: 'zhangsan',
          displayName: '张三',
          phone: '13800000000',
          passwordHash: 'scrypt$x',
          mustChangePassword: true,
          at,
        })
        .then([registered, passwordSet]);
    });

    it('refuses anything else', () => {
      spec.given().when({ type: 'DisableUser', reason: '离职', at }).thenRefuses('USER_NOT_FOUND');
    });
  });

  describe('when the user is active', () => {
    it('refuses registering again', () => {
      spec
        .given(registered)
        .when({
          type: 'RegisterUser',
          userId: 'u1',
          username: 'x',
          displayName: 'x',
          phone: null,
          passwordHash: 'h',
          mustChangePassword: false,
          at,
        })
        .thenRefuses('USER_ALREADY_EXISTS');
    });

    it('grants a unit-scoped role with its units, sorted and without repeats', () => {
      spec
        .given(registered)
        .when(grant('unitStaff', ['town-b', 'town-a', 'town-b'], 'g1'))
        .then([granted('unitStaff', 'g1', ['town-a', 'town-b'])]);
    });

    it('refuses unit staff or reviewer grants without units', () => {
      spec.given(registered).when(grant('unitStaff')).thenRefuses('ROLE_NEEDS_UNITS');
      spec.given(registered).when(grant('reviewer', [])).thenRefuses('ROLE_NEEDS_UNITS');
    });

    it('refuses units on roles that read everything', () => {
      spec
        .given(registered)
        .when(grant('inspector', ['town-a']))
        .thenRefuses('ROLE_TAKES_NO_UNITS');
    });

    it('refuses the public role, which has no accounts', () => {
      spec.given(registered).when(grant('public')).thenRefuses('ROLE_NOT_GRANTABLE');
    });

    it.each([
      ['securityAdmin', 'auditor'],
      ['auditor', 'securityAdmin'],
      ['systemAdmin', 'assessmentAdmin'],
      ['assessmentAdmin', 'auditor'],
    ] as const)('keeps the three administrators apart: %s cannot also be %s', (held, wanted) => {
      spec
        .given(registered, granted(held))
        .when(grant(wanted))
        .thenRefuses('SEPARATION_OF_DUTIES', /三员分立/);
    });

    it('allows an administrator role once the other grant has been revoked', () => {
      const revoked: UserEvent = {
        type: 'RoleRevoked',
        data: {
          userId: 'u1',
          grantId: 'g1',
          effectiveAt: '2026-01-01T00:00:00.000Z',
          reason: '调岗',
          revokedAt: at,
        },
      };
      spec
        .given(registered, granted('auditor'), revoked)
        .when(grant('securityAdmin'))
        .then([granted('securityAdmin', 'g2')]);
    });

    it('refuses a grant that ends before it starts, and a repeated grant id', () => {
      spec
        .given(registered)
        .when({ ...grant('inspector'), effectiveUntil: '2025-12-31T00:00:00.000Z' })
        .thenRefuses('INVALID_PERIOD');
      spec
        .given(registered, granted('inspector', 'g2'))
        .when(grant('cityLeader'))
        .thenRefuses('GRANT_EXISTS');
    });

    it('revokes a grant from a date, once', () => {
      const revoke = {
        type: 'RevokeRole',
        grantId: 'g1',
        effectiveAt: '2026-07-01T00:00:00.000Z',
        reason: '调岗',
        at,
      } as const;
      spec
        .given(registered, granted('supervisor'))
        .when(revoke)
        .then([
          {
            type: 'RoleRevoked',
            data: {
              userId: 'u1',
              grantId: 'g1',
              effectiveAt: '2026-07-01T00:00:00.000Z',
              reason: '调岗',
              revokedAt: at,
            },
          },
        ]);
      spec.given(registered).when(revoke).thenRefuses('GRANT_NOT_FOUND');
      const state = spec.given(registered, granted('supervisor'), {
        type: 'RoleRevoked',
        data: {
          userId: 'u1',
          grantId: 'g1',
          effectiveAt: '2026-07-01T00:00:00.000Z',
          reason: 'x',
          revokedAt: at,
        },
      }).state;
      expect(state.status !== 'absent' && state.grants[0]).toMatchObject({
        revoked: true,
        effectiveUntil: '2026-07-01T00:00:00.000Z',
      });
      spec
        .given(registered, granted('supervisor'), {
          type: 'RoleRevoked',
          data: { userId: 'u1', grantId: 'g1', effectiveAt: at, reason: 'x', revokedAt: at },
        })
        .when(revoke)
        .thenRefuses('GRANT_ALREADY_REVOKED');
    });

    it('assigns a duty in a unit, but not the same duty twice at once', () => {
      spec
        .given(registered)
        .when({
          type: 'AssignMembership',
          membershipId: 'm1',
          unitId: 'town-a',
          duty: 'leaderInCharge',
          effectiveFrom: '2026-01-01T00:00:00.000Z',
          at,
        })
        .then([assigned]);
      spec
        .given(registered, assigned)
        .when({
          type: 'AssignMembership',
          membershipId: 'm2',
          unitId: 'town-a',
          duty: 'leaderInCharge',
          effectiveFrom: '2026-05-01T00:00:00.000Z',
          at,
        })
        .thenRefuses('MEMBERSHIP_EXISTS');
    });

    it('ends a duty from a date, not before it began and not twice', () => {
      const end = {
        type: 'EndMembership',
        membershipId: 'm1',
        effectiveAt: '2026-07-04T00:00:00.000Z',
        at,
      } as const;
      spec
        .given(registered, assigned)
        .when(end)
        .then([
          {
            type: 'MembershipEnded',
            data: { userId: 'u1', membershipId: 'm1', effectiveAt: '2026-07-04T00:00:00.000Z', endedAt: at },
          },
        ]);
      spec
        .given(registered, assigned)
        .when({ ...end, effectiveAt: '2025-01-01T00:00:00.000Z' })
        .thenRefuses('INVALID_PERIOD');
      spec
        .given(registered, assigned, {
          type: 'MembershipEnded',
          data: { userId: 'u1', membershipId: 'm1', effectiveAt: end.effectiveAt, endedAt: at },
        })
        .when(end)
        .thenRefuses('MEMBERSHIP_ALREADY_ENDED');
    });

    it('locks out only to a later time than it already is locked', () => {
      const lock = {
        type: 'LockOutUser',
        failedAttempts: 5,
        lockedUntil: '2026-03-01T01:15:00.000Z',
        at,
      } as const;
      spec
        .given(registered)
        .when(lock)
        .then([
          {
            type: 'UserLockedOut',
            data: { userId: 'u1', failedAttempts: 5, lockedAt: at, lockedUntil: '2026-03-01T01:15:00.000Z' },
          },
        ]);
      spec
        .given(registered, {
          type: 'UserLockedOut',
          data: { userId: 'u1', failedAttempts: 5, lockedAt: at, lockedUntil: '2026-03-01T01:15:00.000Z' },
        })
        .when(lock)
        .then([]);
    });
  });

  describe('when the user is disabled', () => {
    const disabled: UserEvent = {
      type: 'UserDisabled',
      data: { userId: 'u1', reason: '离职', disabledAt: at },
    };
    it('refuses new grants and duties, and disabling again', () => {
      spec.given(registered, disabled).when(grant('inspector')).thenRefuses('USER_DISABLED');
      spec
        .given(registered, disabled)
        .when({ type: 'DisableUser', reason: 'x', at })
        .thenRefuses('USER_DISABLED');
    });
    it('enables the user again', () => {
      spec
        .given(registered, disabled)
        .when({ type: 'EnableUser', at })
        .then([{ type: 'UserEnabled', data: { userId: 'u1', enabledAt: at } }]);
      spec.given(registered).when({ type: 'EnableUser', at }).thenRefuses('USER_NOT_DISABLED');
    });
  });
});

describe('inEffect', () => {
  it('covers [from, until)', () => {
    const period = { effectiveFrom: '2026-01-01T00:00:00.000Z', effectiveUntil: '2026-07-04T00:00:00.000Z' };
    expect(inEffect(period, '2026-07-03T12:00:00.000Z')).toBe(true);
    expect(inEffect(period, '2026-07-04T00:00:00.000Z')).toBe(false);
    expect(inEffect(period, '2025-12-31T23:59:59.999Z')).toBe(false);
    expect(inEffect({ ...period, effectiveUntil: null }, '2030-01-01T00:00:00.000Z')).toBe(true);
  });
});
