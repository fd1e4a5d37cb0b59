import { type CanActivate, type ExecutionContext, Injectable, Logger } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthService, ROLE_NAMES } from '@dukao/identity';
import { DomainError } from '@dukao/kernel';
import { ApiError } from '../errors/api-error';
import { ACCESS_RULE, ALLOWED_BEFORE_PASSWORD_CHANGE, type AccessRule, type DukaoRequest } from './access';

/**
 * The one gate of every route: a route must declare its access rule; callers must bring a valid
 * access token of a live session; role routes need a grant of one of the roles in effect now.
 * Data scope (which units) is checked by the route with `assertUnitInScope`.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  private readonly logger = new Logger('AuthGuard');

  constructor(
    private readonly reflector: Reflector,
    private readonly auth: AuthService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    const rule = this.reflector.getAllAndOverride<AccessRule | undefined>(ACCESS_RULE, targets);
    const request = context.switchToHttp().getRequest<DukaoRequest>();
    if (!rule) {
      this.logger.error(
        `${request.method} ${(request.route as { path?: string } | undefined)?.path ?? request.url} declares no access rule; refused`,
      );
      throw new ApiError(403, 'FORBIDDEN', '无权执行此操作');
    }
    if (rule.kind === 'public') return true;

    const header = request.header('authorization') ?? '';
    const match = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)$/.exec(header);
    if (!match) throw new ApiError(401, 'UNAUTHENTICATED', '未登录或登录已过期');
    let principal;
    try {
      principal = await this.auth.authenticate(match[1]!);
    } catch (error) {
      if (error instanceof DomainError) throw new ApiError(401, error.code, error.message);
      throw error;
    }
    if (
      principal.mustChangePassword &&
      !this.reflector.getAllAndOverride<boolean>(ALLOWED_BEFORE_PASSWORD_CHANGE, targets)
    ) {
      throw new ApiError(403, 'PASSWORD_CHANGE_REQUIRED', '请先修改初始密码');
    }
    if (rule.kind === 'authenticated') {
      request.actor = { principal, role: null, grants: [], unitIds: null };
      return true;
    }
    const role = rule.roles.find((r) => principal.grants.some((g) => g.role === r)) ?? null;
    if (!role) {
      throw new ApiError(403, 'FORBIDDEN', '无权执行此操作', {
        requiredRoles: rule.roles.map((r) => ROLE_NAMES[r]),
      });
    }
    const grants = principal.grants.filter((g) => rule.roles.includes(g.role));
    const unlimited = grants.some((g) => g.unitIds === null);
    request.actor = {
      principal,
      role,
      grants,
      unitIds: unlimited ? null : [...new Set(grants.flatMap((g) => g.unitIds ?? []))].sort(),
    };
    return true;
  }
}
