import type { NextFunction, Response } from 'express';
import type { Metrics } from '@dukao/observability';
import { routeOf } from '../common/logging';
import type { DukaoRequest } from '../security/access';

/** Observes each request's latency in `dukao_http_request_duration_seconds{method,route,status}`. */
export function httpMetrics(metrics: Metrics) {
  return (request: DukaoRequest, response: Response, next: NextFunction): void => {
    const end = metrics.httpRequestDuration.startTimer();
    response.once('finish', () =>
      end({ method: request.method, route: routeOf(request), status: String(response.statusCode) }),
    );
    next();
  };
}
