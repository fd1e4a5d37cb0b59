import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@dukao/config';
import { Metrics, OperationsStatus } from '@dukao/observability';

const NOT_FOUND = '{"code":"NOT_FOUND","message":"请求的资源不存在"}';
const UNAUTHENTICATED = '{"code":"UNAUTHENTICATED","message":"未提供有效的指标采集令牌"}';

/**
 * The worker's only HTTP, on WORKER_HEALTH_PORT: `GET /health` and `/health/ready` (event store, read
 * store, Redis, projection and reactor states; 503 when a dependency is down), `/health/live`
 * (no I/O), and `GET /metrics` (Prometheus; with METRICS_TOKEN set, only for `Authorization: Bearer
 * <METRICS_TOKEN>`; the port is meant for the cluster's network only).
 */
@Injectable()
export class WorkerHealthServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private server?: Server;
  private readonly logger = new Logger('WorkerHealth');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly status: OperationsStatus,
    private readonly metrics: Metrics,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.server = createServer((req, res) => {
      this.serve(req, res).catch((error: unknown) => {
        this.logger.error(`health request failed: ${String(error)}`);
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
        res.end('{"code":"INTERNAL_ERROR","message":"服务器内部错误"}');
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(this.config.workerHealthPort, resolve));
    this.logger.log(`worker health on http://localhost:${this.config.workerHealthPort}/health`);
  }

  async onApplicationShutdown(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '').split('?')[0];
    if (req.method !== 'GET') {
      res.writeHead(404, { 'content-type': 'application/json' }).end(NOT_FOUND);
    } else if (path === '/health/live') {
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ status: 'ok', uptimeSeconds: Math.round(process.uptime()) }));
    } else if (path === '/health' || path === '/health/ready') {
      const report = await this.status.report();
      res
        .writeHead(report.status === 'down' ? 503 : 200, { 'content-type': 'application/json' })
        .end(JSON.stringify(report));
    } else if (path === '/metrics') {
      if (!this.mayScrape(req)) {
        res.writeHead(401, { 'content-type': 'application/json' }).end(UNAUTHENTICATED);
        return;
      }
      await this.status.refreshMetrics();
      const { contentType, body } = await this.metrics.render();
      res.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-store' }).end(body);
    } else {
      res.writeHead(404, { 'content-type': 'application/json' }).end(NOT_FOUND);
    }
  }

  private mayScrape(req: IncomingMessage): boolean {
    if (!this.config.metricsToken) return true;
    const expected = Buffer.from(`Bearer ${this.config.metricsToken}`);
    const given = Buffer.from(req.headers.authorization ?? '');
    return given.length === expected.length && timingSafeEqual(given, expected);
  }
}
