/**
 * Roles (shared/DOMAIN.md) and the 三员分立 separation of duties: system administration, security
 * administration and audit are held by different people.
 */
export const ROLES = [
  'cityLeader',
  'assessmentAdmin',
  'supervisor',
  'reviewer',
  'unitStaff',
  'inspector',
  'public',
  'systemAdmin',
  'securityAdmin',
  'auditor',
] as const;

export type Role = (typeof ROLES)[number];

export const ROLE_NAMES: Record<Role, string> = {
  cityLeader: '市级领导',
  assessmentAdmin: '考核管理',
  supervisor: '督查督办',
  reviewer: '审核评分',
  unitStaff: '承办单位',
  inspector: '电子监察',
  public: '社会群众',
  systemAdmin: '系统管理员',
  securityAdmin: '安全管理员',
  auditor: '安全审计员',
};

/** The three administrator roles; one person holds at most one of them, and no domain role beside it. */
export const ADMIN_ROLES: readonly Role[] = ['systemAdmin', 'securityAdmin', 'auditor'];

/**
 * Roles whose grants must name the units they cover: staff act for their own unit, reviewers for the
 * targets whose data their unit collects. A city leader may be limited to the units in their charge
 * (分管) or, without units, read everything.
 */
export const UNIT_SCOPED_ROLES: readonly Role[] = ['unitStaff', 'reviewer'];
export const OPTIONALLY_UNIT_SCOPED_ROLES: readonly Role[] = ['cityLeader', 'supervisor'];

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/** Why holding `role` beside `held` is refused, or null when it is allowed. */
export function separationConflict(role: Role, held: readonly Role[]): string | null {
  const others = held.filter((r) => r !== role);
  if (ADMIN_ROLES.includes(role) && others.length > 0) {
    return `${ROLE_NAMES[role]}不得兼任其他角色（三员分立），已持有：${others.map((r) => ROLE_NAMES[r]).join('、')}`;
  }
  const admin = others.find((r) => ADMIN_ROLES.includes(r));
  if (admin) return `${ROLE_NAMES[admin]}不得兼任其他角色（三员分立）`;
  return null;
}
