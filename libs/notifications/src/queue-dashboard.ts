import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { Express, NextFunction, Request, Response } from 'express';
import { BullmqJobQueue } from './bullmq.job-queue';
import type { JobQueue } from './job-queue.port';

export interface QueueDashboardOptions {
  /** Where it is served, e.g. `/admin/queues`. */
  basePath: string;
  /**
   * Decides each request before the dashboard sees it: `ok`, or the status and JSON body to refuse
   * with (401 without valid credentials, 403 without the role). Given the bearer token from the
   * `Authorization` header or, once that worked, from the dashboard's cookie.
   */
  authorize: (token: string | null) => Promise<{ ok: true } | { ok: false; status: number; body: object }>;
  /** Lifetime of the cookie that lets the dashboard's own requests through (the access token's). */
  cookieMaxAgeSeconds: number;
}

const COOKIE = 'dukao_queues';
const BEARER = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)$/;

/**
 * Mounts bull-board (the BullMQ dashboard) on an Express app, behind `authorize`. Only for the BullMQ
 * queue: returns false and mounts nothing for the embedded queue, whose jobs the api lists itself
 * (`GET /reminders`, `/reminders/sms`).
 *
 * A browser sends no `Authorization` header on its own, so a request that authorized with the header
 * gets the token back as an HttpOnly, SameSite=Strict cookie limited to `basePath`, and the
 * dashboard's page and API calls are authorized with it until the token expires.
 */
export function mountQueueDashboard(app: Express, queue: JobQueue, options: QueueDashboardOptions): boolean {
  if (!(queue instanceof BullmqJobQueue)) return false;
  const serverAdapter = new ExpressAdapter();
  serverAdapter.setBasePath(options.basePath);
  createBullBoard({ queues: [new BullMQAdapter(queue.bullQueue)], serverAdapter });
  const guard = (request: Request, response: Response, next: NextFunction): void => {
    const fromHeader = BEARER.exec(request.header('authorization') ?? '')?.[1] ?? null;
    const token = fromHeader ?? cookieValue(request.header('cookie'), COOKIE);
    options.authorize(token).then((verdict) => {
      if (!verdict.ok) {
        response.status(verdict.status).json(verdict.body);
        return;
      }
      if (fromHeader) {
        response.cookie(COOKIE, fromHeader, {
          httpOnly: true,
          sameSite: 'strict',
          secure: request.secure,
          path: options.basePath,
          maxAge: options.cookieMaxAgeSeconds * 1000,
        });
      }
      next();
    }, next);
  };
  app.use(options.basePath, guard, serverAdapter.getRouter() as (req: Request, res: Response) => void);
  return true;
}

function cookieValue(header: string | undefined, name: string): string | null {
  for (const part of (header ?? '').split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) {
      const value = rest.join('=');
      return /^[A-Za-z0-9_.-]+$/.test(value) ? value : null;
    }
  }
  return null;
}
