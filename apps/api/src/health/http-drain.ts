import type { Server } from 'node:http';
import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { NextFunction, Request, Response } from 'express';
import { APP_CONFIG, type AppConfig } from '@dukao/config';

/**
 * Graceful stop of the HTTP side, first thing on SIGTERM/SIGINT (`onModuleDestroy` runs before the
 * reactors stop, the projections save their checkpoints and the stores close): the server stops
 * accepting connections, idle keep-alive connections close, and the requests in flight (a command
 * half-way through its append) are waited for, up to SHUTDOWN_GRACE_SECONDS; connections still open
 * then are cut. Responses sent meanwhile say `Connection: close`.
 */
@Injectable()
export class HttpDrain implements OnModuleDestroy {
  private inFlight = 0;
  private draining = false;
  private readonly idle = new Set<() => void>();
  private readonly logger = new Logger('Shutdown');

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Counts requests in flight; put it first. */
  readonly middleware = (_request: Request, response: Response, next: NextFunction): void => {
    this.inFlight += 1;
    if (this.draining) response.setHeader('connection', 'close');
    let counted = true;
    const done = () => {
      if (!counted) return;
      counted = false;
      this.inFlight -= 1;
      if (this.inFlight === 0) for (const wake of this.idle) wake();
    };
    response.once('finish', done);
    response.once('close', done);
    next();
  };

  async onModuleDestroy(): Promise<void> {
    const server = this.adapterHost.httpAdapter?.getHttpServer() as Server | undefined;
    if (!server?.listening) return;
    this.draining = true;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    if (this.inFlight > 0) {
      this.logger.log(`waiting for ${this.inFlight} request(s) in flight`);
      const graceMs = this.config.shutdownGraceSeconds * 1000;
      const finished = await new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => {
          this.idle.delete(wake);
          resolve(false);
        }, graceMs);
        const wake = () => {
          clearTimeout(timer);
          this.idle.delete(wake);
          resolve(true);
        };
        this.idle.add(wake);
      });
      if (!finished)
        this.logger.warn(`${this.inFlight} request(s) still open after ${graceMs} ms; closing them`);
    }
    server.closeAllConnections();
    await closed;
    this.logger.log('HTTP server closed');
  }
}
