import {
  type ArgumentsHost,
  Catch,
  type ExceptionFilter,
  HttpException,
  HttpStatus,
  Logger,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import { DuplicateEventIdError, InvalidEventError, WrongExpectedRevisionError } from '@dukao/event-store';
import { DOMAIN_ERROR_STATUS, DomainError } from '@dukao/kernel';
import { InvalidQueryError } from '@dukao/read-model-store';
import { ApiError, type ApiErrorBody } from './api-error';

/** Chinese messages for the HTTP errors that reach us from Nest and Express themselves. */
const HTTP_MESSAGES: Record<number, [code: string, message: string]> = {
  400: ['BAD_REQUEST', '请求格式不正确'],
  401: ['UNAUTHENTICATED', '未登录或登录已过期'],
  403: ['FORBIDDEN', '无权执行此操作'],
  404: ['NOT_FOUND', '请求的资源不存在'],
  405: ['METHOD_NOT_ALLOWED', '不支持该请求方法'],
  409: ['CONFLICT', '数据已被他人修改，请刷新后重试'],
  413: ['PAYLOAD_TOO_LARGE', '请求内容过大'],
  415: ['UNSUPPORTED_MEDIA_TYPE', '不支持的内容类型'],
  422: ['UNPROCESSABLE', '请求无法处理'],
  429: ['TOO_MANY_REQUESTS', '请求过于频繁，请稍后再试'],
  503: ['SERVICE_UNAVAILABLE', '服务暂不可用，请稍后再试'],
};

/**
 * Maps every error to `{ code, message, details }` with a fitting status. Unknown errors become a
 * 500 with a generic message; their stack goes to the log, never to the client.
 */
@Catch()
export class ApiExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('ApiExceptionFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const response = http.getResponse<Response>();
    const request = http.getRequest<Request>();
    const { status, body } = this.toBody(exception);
    const correlationId = request.header('x-correlation-id');
    if (status >= 500) {
      this.logger.error(
        `${request.method} ${request.url} failed`,
        exception instanceof Error ? exception.stack : String(exception),
      );
    }
    response.status(status).json(correlationId ? { ...body, correlationId } : body);
  }

  private toBody(exception: unknown): { status: number; body: ApiErrorBody } {
    if (exception instanceof ApiError) {
      return {
        status: exception.status,
        body: { code: exception.code, message: exception.message, details: exception.details },
      };
    }
    if (exception instanceof DomainError) {
      const { code, message, details } = exception;
      return {
        status: DOMAIN_ERROR_STATUS[exception.kind],
        body: details ? { code, message, details } : { code, message },
      };
    }
    if (exception instanceof WrongExpectedRevisionError) {
      return {
        status: HttpStatus.CONFLICT,
        body: {
          code: 'CONCURRENT_MODIFICATION',
          message: '已有他人先行修改，请刷新后重试',
          details: { streamId: exception.streamId, actualRevision: exception.actual },
        },
      };
    }
    if (exception instanceof DuplicateEventIdError) {
      return {
        status: HttpStatus.CONFLICT,
        body: { code: 'IDEMPOTENCY_KEY_REUSED', message: '该幂等键已用于另一项操作' },
      };
    }
    if (exception instanceof InvalidQueryError) {
      return {
        status: HttpStatus.BAD_REQUEST,
        body: { code: 'INVALID_QUERY', message: '查询条件不合法', details: exception.message },
      };
    }
    if (exception instanceof InvalidEventError) {
      return {
        status: HttpStatus.BAD_REQUEST,
        body: { code: 'INVALID_EVENT', message: '提交的数据不符合要求', details: exception.message },
      };
    }
    // Body-parser failures arrive as HttpExceptions whose cause is the parser's error.
    const cause = (exception instanceof HttpException ? exception.cause : exception) as
      { type?: string } | undefined;
    if (cause?.type === 'entity.parse.failed') {
      return {
        status: HttpStatus.BAD_REQUEST,
        body: { code: 'MALFORMED_JSON', message: '请求体不是合法的 JSON' },
      };
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const [code, message] =
        HTTP_MESSAGES[status] ??
        (status >= 500 ? ['INTERNAL_ERROR', '服务器内部错误'] : ['HTTP_ERROR', '请求未能完成']);
      const response = exception.getResponse();
      const details =
        typeof response === 'object' && response !== null && 'message' in response
          ? response.message
          : undefined;
      return {
        status,
        body: details === undefined || status >= 500 ? { code, message } : { code, message, details },
      };
    }
    return {
      status: HttpStatus.INTERNAL_SERVER_ERROR,
      body: { code: 'INTERNAL_ERROR', message: '服务器内部错误' },
    };
  }
}
