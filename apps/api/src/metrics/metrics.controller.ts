import { timingSafeEqual } from 'node:crypto';
import { Controller, Get, Res } from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { NextFunction, Response } from 'express';
import { Metrics, OperationsStatus } from '@dukao/observability';
import type { DukaoRequest } from '../security/access';
import { Roles } from '../security/access';

/**
 * Prometheus metrics (names and labels in docs/operations.md). Readable by a 系统管理员's access
 * token, or, for a scraper, by the static METRICS_TOKEN (see {@link metricsScrapeToken}).
 */
@ApiTags('operations')
@Controller('metrics')
export class MetricsController {
  constructor(
    private readonly metrics: Metrics,
    private readonly status: OperationsStatus,
  ) {}

  @Get()
  @Roles('systemAdmin')
  @ApiOperation({ summary: 'Prometheus 指标（系统管理员，或携带 METRICS_TOKEN 的采集器）' })
  @ApiProduces('text/plain')
  async scrape(@Res() res: Response): Promise<void> {
    await sendMetrics(this.metrics, this.status, res);
  }
}

export async function sendMetrics(metrics: Metrics, status: OperationsStatus, res: Response): Promise<void> {
  await status.refreshMetrics();
  const { contentType, body } = await metrics.render();
  res.status(200).setHeader('content-type', contentType).setHeader('cache-control', 'no-store').send(body);
}

/**
 * Serves `GET /metrics` to a scraper presenting `Authorization: Bearer <METRICS_TOKEN>` before the
 * route's guard (which only knows users' access tokens). Anything else goes on to the route.
 */
export function metricsScrapeToken(token: string | null, metrics: Metrics, status: OperationsStatus) {
  const expected = token ? Buffer.from(`Bearer ${token}`) : null;
  return (request: DukaoRequest, response: Response, next: NextFunction): void => {
    if (!expected || request.method !== 'GET' || request.path !== '/metrics') return next();
    const given = Buffer.from(request.header('authorization') ?? '');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return next();
    sendMetrics(metrics, status, response).catch(next);
  };
}
