import { DomainError } from '@dukao/kernel';

export const IdentityErrors = {
  userNotFound: (userId: string) => new DomainError('not-found', 'USER_NOT_FOUND', '用户不存在', { userId }),
  userAlreadyExists: (userId: string) =>
    new DomainError('conflict', 'USER_ALREADY_EXISTS', '用户已存在', { userId }),
  usernameTaken: (username: string) =>
    new DomainError('conflict', 'USERNAME_TAKEN', '用户名已被使用', { username }),
  userDisabled: () => new DomainError('conflict', 'USER_DISABLED', '该用户已停用'),
  userNotDisabled: () => new DomainError('conflict', 'USER_NOT_DISABLED', '该用户未停用'),
  roleNotGrantable: (role: string) =>
    new DomainError('invalid', 'ROLE_NOT_GRANTABLE', '该角色不能授予用户账号', { role }),
  unitsRequired: (role: string) =>
    new DomainError('invalid', 'ROLE_NEEDS_UNITS', '该角色须指定其负责的单位', { role }),
  unitsNotAllowed: (role: string) =>
    new DomainError('invalid', 'ROLE_TAKES_NO_UNITS', '该角色不按单位限定范围', { role }),
  separationOfDuties: (message: string) => new DomainError('conflict', 'SEPARATION_OF_DUTIES', message),
  badPeriod: () => new DomainError('invalid', 'INVALID_PERIOD', '结束时间须晚于开始时间'),
  grantExists: (grantId: string) =>
    new DomainError('conflict', 'GRANT_EXISTS', '该授权编号已存在', { grantId }),
  grantNotFound: (grantId: string) =>
    new DomainError('not-found', 'GRANT_NOT_FOUND', '授权记录不存在', { grantId }),
  grantAlreadyRevoked: (grantId: string) =>
    new DomainError('conflict', 'GRANT_ALREADY_REVOKED', '该授权已撤销', { grantId }),
  membershipExists: (unitId: string, duty: string) =>
    new DomainError('conflict', 'MEMBERSHIP_EXISTS', '该用户在此单位已担任此职责', { unitId, duty }),
  membershipNotFound: (membershipId: string) =>
    new DomainError('not-found', 'MEMBERSHIP_NOT_FOUND', '任职记录不存在', { membershipId }),
  membershipAlreadyEnded: (membershipId: string) =>
    new DomainError('conflict', 'MEMBERSHIP_ALREADY_ENDED', '该任职已结束', { membershipId }),
  endBeforeStart: () => new DomainError('invalid', 'INVALID_PERIOD', '结束时间不能早于开始时间'),
};
