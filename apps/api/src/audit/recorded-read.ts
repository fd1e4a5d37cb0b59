import {
  type CallHandler,
  type ExecutionContext,
  Injectable,
  Logger,
  type NestInterceptor,
  SetMetadata,
  UseInterceptors,
  applyDecorators,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiHeader, ApiResponse } from '@nestjs/swagger';
import type { Response } from 'express';
import { type Observable, mergeMap } from 'rxjs';
import { AuditReadRecorder } from '@dukao/audit';
import { ApiError } from '../errors/api-error';
import { type DukaoRequest, eventActor } from '../security/access';

export const RECORDED_READ = 'dukao:recorded-read';

/**
 * Marks a sensitive read (查阅留痕): once the route has its answer and before it is sent, an
 * `AuditViewRead` event records who read which view with which parameters and filters. When the
 * record cannot be written the answer is withheld (503 AUDIT_READ_NOT_RECORDED): a sensitive view is
 * never served unrecorded. Requests refused earlier (401, 403, 400, 404) showed nothing and are not
 * recorded.
 */
export const RecordedRead = (view: string) =>
  applyDecorators(
    SetMetadata(RECORDED_READ, view),
    UseInterceptors(AuditReadInterceptor),
    ApiHeader({ name: 'x-audit-read-id', required: false, description: '响应头：本次查阅留痕记录的编号' }),
    ApiResponse({ status: 503, description: 'AUDIT_READ_NOT_RECORDED：查阅记录无法写入，拒绝查询' }),
  );

@Injectable()
export class AuditReadInterceptor implements NestInterceptor {
  private readonly logger = new Logger('AuditReads');

  constructor(
    private readonly reflector: Reflector,
    private readonly recorder: AuditReadRecorder,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const view = this.reflector.getAllAndOverride<string>(RECORDED_READ, [
      context.getHandler(),
      context.getClass(),
    ]);
    const http = context.switchToHttp();
    const request = http.getRequest<DukaoRequest>();
    const actor = request.actor;
    if (!actor) throw new ApiError(401, 'UNAUTHENTICATED', '未登录或登录已过期');
    // Recorded once the route has its answer and before it is sent: a refused or malformed request
    // (400, 404) showed nothing and is not recorded; an answer whose record fails is not sent.
    return next.handle().pipe(
      mergeMap(async (body: unknown) => {
        const routePath = (request.route as { path?: string } | undefined)?.path ?? request.path;
        let readId: string;
        try {
          ({ readId } = await this.recorder.record(
            {
              userId: actor.principal.userId,
              role: actor.role ?? 'user',
              view,
              route: `${request.method} ${routePath}`,
              params: request.params,
              query: request.query,
            },
            { actor: eventActor(actor), correlationId: request.correlationId },
          ));
        } catch (error) {
          this.logger.error(
            `read of ${view} by ${actor.principal.userId} not recorded; refused: ${String(error)}`,
          );
          throw new ApiError(503, 'AUDIT_READ_NOT_RECORDED', '查阅记录无法写入，已拒绝本次查询（查阅留痕）', {
            view,
          });
        }
        http.getResponse<Response>().setHeader('x-audit-read-id', readId);
        return body;
      }),
    );
  }
}
