import { type ExecutionContext, SetMetadata, applyDecorators, createParamDecorator } from '@nestjs/common';
import { ApiBearerAuth, ApiExtension } from '@nestjs/swagger';
import { randomUUID } from 'node:crypto';
import type { Request } from 'express';
import type { Actor, CommandContext } from '@dukao/event-store';
import { type ActiveGrant, type Principal, ROLE_NAMES, type Role } from '@dukao/identity';
import { ApiError } from '../errors/api-error';

/**
 * Every route states who may call it; a route that states nothing is refused to everyone (the
 * guard fails closed, and the role × route test fails for it).
 */
export type AccessRule =
  { kind: 'public' } | { kind: 'authenticated' } | { kind: 'roles'; roles: readonly Role[] };
export const ACCESS_RULE = 'dukao:access-rule';
/** Routes a user may call before replacing a password someone else set. */
export const ALLOWED_BEFORE_PASSWORD_CHANGE = 'dukao:allowed-before-password-change';

/** Sets the rule and writes it into the OpenAPI document (`x-access`), so clients see who may call what. */
function access(rule: AccessRule) {
  const documented =
    rule.kind === 'roles'
      ? { roles: rule.roles, names: rule.roles.map((r) => ROLE_NAMES[r]) }
      : { kind: rule.kind };
  const decorators = [SetMetadata(ACCESS_RULE, rule), ApiExtension('x-access', documented)];
  return applyDecorators(...(rule.kind === 'public' ? decorators : [...decorators, ApiBearerAuth()]));
}

export const Public = () => access({ kind: 'public' });
export const Authenticated = () => access({ kind: 'authenticated' });
export const Roles = (...roles: Role[]) => access({ kind: 'roles', roles });
export const AllowedBeforePasswordChange = () => SetMetadata(ALLOWED_BEFORE_PASSWORD_CHANGE, true);

/** The caller of a request, as the guard established it. */
export interface RequestActor {
  principal: Principal;
  /** The role this request acts in: the first of the route's roles the user holds now. */
  role: Role | null;
  /** Grants of that role in effect now. */
  grants: ActiveGrant[];
  /** Units those grants are limited to; null when one of them has no limit. */
  unitIds: string[] | null;
}

export interface DukaoRequest extends Request {
  actor?: RequestActor;
  correlationId: string;
}

export const CurrentActor = createParamDecorator(
  (_data: unknown, context: ExecutionContext): RequestActor => {
    const actor = context.switchToHttp().getRequest<DukaoRequest>().actor;
    if (!actor) throw new ApiError(401, 'UNAUTHENTICATED', '未登录或登录已过期');
    return actor;
  },
);

/** The metadata actor recorded on events. */
export function eventActor(actor: RequestActor): Actor {
  const unitIds = actor.unitIds;
  return {
    userId: actor.principal.userId,
    role: actor.role ?? 'user',
    unitId: unitIds?.length === 1 ? unitIds[0]! : null,
  };
}

const IDEMPOTENCY_KEY = /^[A-Za-z0-9_.:-]{8,128}$/;

/**
 * The command context of a write: who, the request's correlation id, and the command id. With an
 * `Idempotency-Key` the command id is the key (scoped to the user), so a repeat returns the first
 * result and appends nothing.
 */
export const CommandMeta = createParamDecorator(
  (_data: unknown, context: ExecutionContext): CommandContext => {
    const request = context.switchToHttp().getRequest<DukaoRequest>();
    const actor = request.actor;
    if (!actor) throw new ApiError(401, 'UNAUTHENTICATED', '未登录或登录已过期');
    const key = request.header('idempotency-key');
    if (key !== undefined && !IDEMPOTENCY_KEY.test(key)) {
      throw new ApiError(400, 'INVALID_IDEMPOTENCY_KEY', 'Idempotency-Key 须为 8–128 位字母、数字或 _.:-');
    }
    return {
      commandId: key ? `${actor.principal.userId}:${key}` : randomUUID(),
      actor: eventActor(actor),
      correlationId: request.correlationId,
    };
  },
);

/** Refuses access to a unit outside the caller's grants (unit staff of Town A asking about Town B). */
export function assertUnitInScope(actor: RequestActor, unitId: string): void {
  if (actor.unitIds !== null && !actor.unitIds.includes(unitId)) {
    throw new ApiError(403, 'OUT_OF_SCOPE', '无权访问其他单位的数据', { unitId });
  }
}
