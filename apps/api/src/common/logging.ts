import type { NextFunction, Response } from 'express';
import type { Logger } from 'pino';
import { logContext } from '@dukao/observability';
import type { DukaoRequest } from '../security/access';

/** The route template a request matched (`/targets/:targetId`), or `unmatched`: never the raw path. */
export function routeOf(request: DukaoRequest): string {
  const path = (request.route as { path?: unknown } | undefined)?.path;
  return typeof path === 'string' ? `${request.baseUrl}${path}` : 'unmatched';
}

/** Requests not worth a line each: probes and scrapes. */
const QUIET = /^\/(health(\/|$)|metrics$)/;

/**
 * Runs the rest of the request inside its correlation id's log context (every line logged while
 * serving it carries `correlationId`), and with a logger writes one line per request when it ends:
 * method, route template, path without the query string (which may hold a receipt token), status
 * and duration. Needs the correlation-id middleware before it.
 */
export function requestLogging(logger: Logger | null) {
  return (request: DukaoRequest, response: Response, next: NextFunction): void => {
    const correlationId = request.correlationId;
    if (logger) {
      const started = process.hrtime.bigint();
      response.once('finish', () => {
        const path = request.originalUrl.split('?')[0] ?? '';
        if (QUIET.test(path) && response.statusCode < 500) return;
        const durationMs = Number(process.hrtime.bigint() - started) / 1e6;
        const status = response.statusCode;
        const line = {
          correlationId,
          http: { method: request.method, route: routeOf(request), path, status },
          durationMs: Math.round(durationMs * 10) / 10,
          userId: request.actor?.principal.userId,
        };
        const message = `${request.method} ${path} ${status}`;
        if (status >= 500) logger.error(line, message);
        else if (status >= 400) logger.warn(line, message);
        else logger.info(line, message);
      });
    }
    logContext.run({ correlationId }, next);
  };
}
