import { createServer, type Server } from 'node:http';
import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@dukao/config';
import { EVENT_STORE, type EventStore } from '@dukao/event-store';
import { ProjectionEngine } from '@dukao/projections';

/** `GET /health` on WORKER_HEALTH_PORT (event store and projection states); the worker has no other HTTP. */
@Injectable()
export class WorkerHealthServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private server?: Server;
  private readonly logger = new Logger('WorkerHealth');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(EVENT_STORE) private readonly eventStore: EventStore,
    private readonly projections: ProjectionEngine,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.server = createServer((req, res) => {
      if (req.method !== 'GET' || req.url !== '/health') {
        res
          .writeHead(404, { 'content-type': 'application/json' })
          .end('{"code":"NOT_FOUND","message":"请求的资源不存在"}');
        return;
      }
      Promise.all([this.eventStore.headPosition(), this.projections.statuses()]).then(
        ([headPosition, projections]) => {
          const failed = projections.some((p) => p.state === 'failed' || p.state === 'stalled');
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(
            JSON.stringify({
              status: failed ? 'degraded' : 'ok',
              eventStore: { status: 'up', headPosition },
              projections: projections.map(({ name, state, position, lag, failure }) => ({
                name,
                state,
                position,
                lag,
                failure,
              })),
            }),
          );
        },
        (error: unknown) => {
          res.writeHead(503, { 'content-type': 'application/json' });
          res.end(
            JSON.stringify({ status: 'degraded', eventStore: { status: 'down', error: String(error) } }),
          );
        },
      );
    });
    await new Promise<void>((resolve) => this.server!.listen(this.config.workerHealthPort, resolve));
    this.logger.log(`worker health on http://localhost:${this.config.workerHealthPort}/health`);
  }

  async onApplicationShutdown(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
