import type { Role } from './roles';

/** The duties a person can hold in a unit; the first three receive the tiered reminders. */
export const DUTIES = ['reporter', 'leaderInCharge', 'principalLeader', 'member'] as const;
export type Duty = (typeof DUTIES)[number];

export type UserRegistered = {
  type: 'UserRegistered';
  data: { userId: string; username: string; displayName: string; phone: string | null; registeredAt: string };
};
/** The scrypt hash of a password, never the password. `mustChange` for one set by an administrator. */
export type PasswordSet = {
  type: 'PasswordSet';
  data: { userId: string; passwordHash: string; mustChange: boolean; setAt: string };
};
export type UserDisabled = {
  type: 'UserDisabled';
  data: { userId: string; reason: string; disabledAt: string };
};
export type UserEnabled = { type: 'UserEnabled'; data: { userId: string; enabledAt: string } };
/** Too many failed logins: no login until `lockedUntil`. */
export type UserLockedOut = {
  type: 'UserLockedOut';
  data: { userId: string; failedAttempts: number; lockedAt: string; lockedUntil: string };
};
/**
 * An effective-dated grant. `unitIds` limits it to units (a unit's staff, the units whose data a
 * reviewer collects, a leader's 分管 units); null means no unit limit.
 */
export type RoleGranted = {
  type: 'RoleGranted';
  data: {
    userId: string;
    grantId: string;
    role: Role;
    unitIds: string[] | null;
    effectiveFrom: string;
    effectiveUntil: string | null;
    grantedAt: string;
  };
};
export type RoleRevoked = {
  type: 'RoleRevoked';
  data: { userId: string; grantId: string; effectiveAt: string; reason: string; revokedAt: string };
};
export type MembershipAssigned = {
  type: 'MembershipAssigned';
  data: {
    userId: string;
    membershipId: string;
    unitId: string;
    duty: Duty;
    effectiveFrom: string;
    assignedAt: string;
  };
};
export type MembershipEnded = {
  type: 'MembershipEnded';
  data: { userId: string; membershipId: string; effectiveAt: string; endedAt: string };
};

export type UserEvent =
  | UserRegistered
  | PasswordSet
  | UserDisabled
  | UserEnabled
  | UserLockedOut
  | RoleGranted
  | RoleRevoked
  | MembershipAssigned
  | MembershipEnded;

export const USER_EVENT_TYPES: readonly UserEvent['type'][] = [
  'UserRegistered',
  'PasswordSet',
  'UserDisabled',
  'UserEnabled',
  'UserLockedOut',
  'RoleGranted',
  'RoleRevoked',
  'MembershipAssigned',
  'MembershipEnded',
];

export const userStream = (userId: string) => `user-${userId}`;
