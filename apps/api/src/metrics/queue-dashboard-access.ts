import { type AuthService, ROLE_NAMES } from '@dukao/identity';
import { DomainError } from '@dukao/kernel';
import type { QueueDashboardOptions } from '@dukao/notifications';

/**
 * The queue dashboard's gate, the same as a `@Roles('systemAdmin')` route's: a live session's access
 * token, the initial password replaced, and a 系统管理员 grant in effect now. Refusals in the API's
 * error shape.
 */
export function queueDashboardAccess(auth: AuthService): QueueDashboardOptions['authorize'] {
  return async (token) => {
    if (!token) return refuse(401, 'UNAUTHENTICATED', '未登录或登录已过期');
    let principal;
    try {
      principal = await auth.authenticate(token);
    } catch (error) {
      if (error instanceof DomainError) return refuse(401, error.code, error.message);
      throw error;
    }
    if (principal.mustChangePassword) return refuse(403, 'PASSWORD_CHANGE_REQUIRED', '请先修改初始密码');
    if (!principal.grants.some((g) => g.role === 'systemAdmin')) {
      return refuse(403, 'FORBIDDEN', '无权执行此操作', { requiredRoles: [ROLE_NAMES.systemAdmin] });
    }
    return { ok: true };
  };
}

function refuse(status: number, code: string, message: string, details?: object) {
  return { ok: false as const, status, body: { code, message, ...(details ? { details } : {}) } };
}
