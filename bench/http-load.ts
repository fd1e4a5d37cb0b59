/**
 * The machinery of the HTTP benchmarks (`http.bench.ts`, `evaluations.bench.ts`): the api runs in this
 * process (the main thread), on a fresh DATA_DIR and an ephemeral loopback port; autocannon runs in a
 * worker thread of the same process, so that the load generator and the server each have a core of
 * this 2-core machine rather than sharing one event loop. Rounds of the benchmark's requests are
 * interleaved with rounds of GET /health on the same server, the baseline.
 *
 * A benchmark module gives its requests in two places: `serveLoad` at the top level of the module
 * (the worker thread loads the module again and answers there), and `measureHttpLoad` in the main
 * thread, which sets up the server through the API and runs the rounds.
 */
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import autocannon from 'autocannon';
import type { INestApplication } from '@nestjs/common';
import { loadConfig } from '@dukao/config';
import { EVENT_STORE, type EventStore } from '@dukao/event-store';
import { createAdministrator } from '@dukao/identity';
import { createApiApp } from '../apps/api/src/bootstrap';
import { type BenchContext, benchMs, interleavedRounds } from './harness';

export const CONNECTIONS = 64;
const ROUNDS = 5;
const ROUND_MS = 2000;
const WARMUP_MS = 1000;
/** The password of every account the setup makes. */
export const PASSWORD = 'Dukao-Bench-2026!';

// ---------------------------------------------------------------------------------------------
// The load generator (worker thread)

/** What the worker thread is started with: where to send the load, and the benchmark's own data. */
export type LoadSetup<D extends object> = D & { role: string; url: string; connections: number };

/** The benchmark's requests, as the worker sends them. */
export interface LoadPlan {
  /** How many distinct requests the setup allows; request `limit` fails the run with `usedUp`. */
  limit: number;
  usedUp: string;
  /** autocannon's default headers for the benchmark's requests, if any. */
  headers?: Record<string, string>;
  /** Request n of the measurement (n counts on across runs, so that no request repeats): a POST. */
  request: (n: number) => { path: string; headers: Record<string, string>; body: string };
}

interface LoadRequest {
  kind: 'subject' | 'health';
  seconds: number;
  /** Index of the first request this run may use. */
  first: number;
}

interface LoadResult {
  ok: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  statusCodes: Record<string, number>;
  seconds: number;
  /** The next unused request index. */
  next: number;
}

function runLoad(
  setup: { url: string; connections: number },
  plan: LoadPlan,
  request: LoadRequest,
): Promise<LoadResult> {
  let next = request.first;
  const options: autocannon.Options =
    request.kind === 'health'
      ? { url: `${setup.url}/health`, connections: setup.connections, duration: request.seconds }
      : {
          url: setup.url,
          connections: setup.connections,
          duration: request.seconds,
          ...(plan.headers && { headers: plan.headers }),
          requests: [
            {
              method: 'POST',
              setupRequest: (req) => {
                const n = next++;
                if (n >= plan.limit) throw new Error(plan.usedUp);
                return { ...req, ...plan.request(n) };
              },
            },
          ],
        };
  return new Promise((resolve, reject) => {
    autocannon(options, (error, result) => {
      if (error) return reject(error instanceof Error ? error : new Error(String(error)));
      const statusCodes: Record<string, number> = {};
      for (const [code, stats] of Object.entries(result.statusCodeStats ?? {}))
        statusCodes[code] = stats.count ?? 0;
      resolve({
        ok: result['2xx'],
        non2xx: result.non2xx,
        errors: result.errors,
        timeouts: result.timeouts,
        statusCodes,
        seconds: result.duration,
        next,
      });
    });
  });
}

/**
 * Call at the top level of the benchmark module: in the worker thread started for `role`, answers
 * the main thread's runs with the requests of `plan(setup)`; elsewhere does nothing.
 */
export function serveLoad<D extends object>(role: string, plan: (setup: LoadSetup<D>) => LoadPlan): void {
  if (isMainThread || (workerData as Partial<LoadSetup<D>> | null)?.role !== role) return;
  const setup = workerData as LoadSetup<D>;
  const requests = plan(setup);
  parentPort!.on('message', (request: LoadRequest) => {
    runLoad(setup, requests, request).then(
      (result) => parentPort!.postMessage({ result }),
      (error: unknown) =>
        parentPort!.postMessage({ error: error instanceof Error ? error.message : String(error) }),
    );
  });
}

/** The main thread's handle on the load worker: one run at a time. */
class LoadGenerator {
  private readonly worker: Worker;

  constructor(file: string, setup: LoadSetup<object>) {
    this.worker = new Worker(file, { workerData: setup });
    this.worker.unref();
  }

  run(request: LoadRequest): Promise<LoadResult> {
    return new Promise((resolve, reject) => {
      const onMessage = (message: { result?: LoadResult; error?: string }) => {
        this.worker.off('error', onError);
        if (message.result) resolve(message.result);
        else reject(new Error(message.error ?? 'load worker failed'));
      };
      const onError = (error: Error) => {
        this.worker.off('message', onMessage);
        reject(error);
      };
      this.worker.once('message', onMessage);
      this.worker.once('error', onError);
      this.worker.postMessage(request);
    });
  }

  async close(): Promise<void> {
    await this.worker.terminate();
  }
}

// ---------------------------------------------------------------------------------------------
// Setup through the API

export class Api {
  constructor(readonly url: string) {}

  async call<T = Record<string, unknown>>(
    method: 'GET' | 'POST' | 'PUT',
    path: string,
    token: string | null,
    body: unknown,
    expected: number,
  ): Promise<T> {
    const sent = performance.now();
    const response = await fetch(`${this.url}${path}`, {
      method,
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    }).catch((error: unknown) => {
      const cause = error instanceof Error && error.cause instanceof Error ? ` (${error.cause.message})` : '';
      throw new Error(
        `${method} ${path}: no answer after ${((performance.now() - sent) / 1000).toFixed(1)} s${cause}`,
      );
    });
    const text = await response.text();
    if (response.status !== expected)
      throw new Error(`${method} ${path}: ${response.status} ${text.slice(0, 500)}`);
    return (text ? JSON.parse(text) : {}) as T;
  }

  async login(username: string, password = PASSWORD): Promise<string> {
    return (
      await this.call<{ accessToken: string }>('POST', '/auth/login', null, { username, password }, 200)
    ).accessToken;
  }

  /** The system and security administrators, made as `create-admin` makes them, and logged in. */
  async administrators(store: EventStore): Promise<{ system: string; security: string }> {
    for (const [role, username] of [
      ['systemAdmin', 'sysadmin'],
      ['securityAdmin', 'secadmin'],
    ] as const) {
      await createAdministrator(store, {
        role,
        username,
        displayName: username,
        password: PASSWORD,
        mustChangePassword: false,
        at: new Date().toISOString(),
        commandId: `bench:${randomUUID()}`,
      });
    }
    return { system: await this.login('sysadmin'), security: await this.login('secadmin') };
  }

  /** An account as an office makes one: created, granted roles, password set by its owner. */
  async user(
    admins: { system: string; security: string },
    username: string,
    grant: { role: string; unitIds?: string[] },
    displayName = username,
  ): Promise<string> {
    const { id } = await this.call<{ id: string }>(
      'POST',
      '/users',
      admins.system,
      { username, displayName, initialPassword: 'Initial-Pass-1' },
      201,
    );
    await this.call('POST', `/users/${id}/roles`, admins.security, grant, 201);
    const first = await this.login(username, 'Initial-Pass-1');
    await this.call(
      'PUT',
      '/auth/password',
      first,
      { currentPassword: 'Initial-Pass-1', newPassword: PASSWORD },
      200,
    );
    return this.login(username);
  }
}

// ---------------------------------------------------------------------------------------------
// The measurement (main thread)

export interface HttpLoadOptions<D extends object> {
  /** The benchmark module, which the worker thread loads again (`__filename`); it calls `serveLoad(role, …)`. */
  workerFile: string;
  role: string;
  /** What the benchmark's requests are called in the log and in the refusals: `report`, `rating`. */
  subject: string;
  /** What the last line calls the requests sent: `report requests`, `ratings`. */
  sent: string;
  /** Sets the server up (through the API) and returns the data the worker's requests need. */
  prepare: (server: { app: INestApplication; url: string; store: EventStore }) => Promise<D>;
}

/**
 * Starts the api on a fresh DATA_DIR, prepares it, and runs interleaved rounds of the benchmark's
 * requests and of GET /health: the medians in requests per second, 2xx only.
 */
export async function measureHttpLoad<D extends object>(
  context: BenchContext,
  options: HttpLoadOptions<D>,
): Promise<{ value: number; baseline: number }> {
  const config = loadConfig({
    DATA_DIR: join(context.dir, 'data'),
    RATE_LIMIT_PER_MINUTE: '1000000',
    ACCESS_TOKEN_TTL_SECONDS: '86400',
    MISSED_PERIOD_CHECK_MINUTES: '0',
  });
  const app: INestApplication = await createApiApp(config, { logger: false });
  let load: LoadGenerator | null = null;
  try {
    await app.listen(0, '127.0.0.1');
    const address = (app.getHttpServer() as Server).address() as AddressInfo;
    const url = `http://127.0.0.1:${address.port}`;
    const store = app.get<EventStore>(EVENT_STORE);
    const data = await options.prepare({ app, url, store });
    load = new LoadGenerator(options.workerFile, {
      ...data,
      role: options.role,
      url,
      connections: CONNECTIONS,
    });

    let next = 0;
    const refused: Record<string, number> = {};
    const round = async (kind: LoadRequest['kind'], ms: number): Promise<number> => {
      const result = await load!.run({ kind, seconds: ms / 1000, first: next });
      if (kind === 'subject') next = result.next;
      const name = kind === 'subject' ? options.subject : kind;
      if (result.non2xx + result.errors + result.timeouts > 0) {
        for (const [code, count] of Object.entries(result.statusCodes))
          if (!code.startsWith('2')) refused[`${name} ${code}`] = (refused[`${name} ${code}`] ?? 0) + count;
        context.log(
          `${name}: ${result.non2xx} non-2xx (${JSON.stringify(result.statusCodes)}), ${result.errors} errors, ${result.timeouts} timeouts`,
        );
      }
      // Let the requests still in flight at the end of the round finish before the next one.
      await new Promise((resolve) => setTimeout(resolve, 200));
      return result.ok / result.seconds;
    };
    const measured = await interleavedRounds({
      rounds: ROUNDS,
      warmup: {
        subject: () => round('subject', benchMs(WARMUP_MS)),
        baseline: () => round('health', benchMs(WARMUP_MS)),
      },
      subject: () => round('subject', benchMs(ROUND_MS)),
      baseline: () => round('health', benchMs(ROUND_MS)),
      log: context.log,
      unit: 'requests/s',
    });
    if (!(measured.baseline > 0))
      throw new Error('GET /health answered nothing within the rounds: the server is blocked');
    context.log(
      `${next.toLocaleString('en-US')} ${options.sent} sent; log head ${await store.headPosition()}; refused: ${JSON.stringify(refused)}`,
    );
    return measured;
  } finally {
    await load?.close();
    await app.close();
  }
}
