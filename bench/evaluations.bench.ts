/**
 * HTTP benchmark: anonymous public ratings (满意度评议) accepted through the api in embedded mode.
 *
 * Same shape as http.bench.ts: the api runs in this process on a fresh DATA_DIR and a loopback
 * port; autocannon runs in a worker thread. Setup goes through the API: administrators, an
 * assessment office user, a campaign over `BENCH_RATINGS_UNITS` units (default 300) with a public
 * group, opened, and 100 one-time tokens issued per unit. Every request of the run is a new valid
 * rating with an unused token; request n uses token ⌊n / units⌋ of unit n mod units, so requests in
 * flight write to different streams. All load comes from 127.0.0.1, so the per-network hard limit
 * is lifted for the run (it would refuse it with 429), and the domain flags the bursts (one extra
 * `PublicRatingBurstFlagged` event per rating past 20 in 5 minutes on a unit): counted, as in
 * production from one network.
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
import { PublicRatingLimiter } from '../apps/api/src/evaluations/public-rating-limiter';
import { type BenchContext, type Benchmark, benchMs, interleavedRounds } from './harness';

const CONNECTIONS = 64;
const ROUNDS = 5;
const ROUND_MS = 2000;
const WARMUP_MS = 1000;
const TOKENS_PER_UNIT = 100;
const PASSWORD = 'Dukao-Bench-2026!';
const CAMPAIGN = 'bench-2026';
const DIMENSIONS = ['能力素质', '依法行政', '廉政勤政', '服务意识', '工作成效'];

function unitCount(): number {
  const raw = process.env.BENCH_RATINGS_UNITS;
  if (raw === undefined || raw === '') return 300;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 1 || n > 500)
    throw new Error(`BENCH_RATINGS_UNITS must be a whole number from 1 to 500 (got "${raw}")`);
  return n;
}

// ---------------------------------------------------------------------------------------------
// The load generator (worker thread)

interface LoadSetup {
  role: 'dukao-ratings-bench-load';
  url: string;
  connections: number;
  /** Unit ids, and per unit its unused tokens. */
  units: string[];
  tokens: string[][];
}

interface LoadRequest {
  kind: 'rating' | 'health';
  seconds: number;
  first: number;
}

interface LoadResult {
  ok: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  statusCodes: Record<string, number>;
  seconds: number;
  next: number;
}

function runLoad(setup: LoadSetup, request: LoadRequest): Promise<LoadResult> {
  const { units, tokens } = setup;
  let next = request.first;
  const limit = units.length * TOKENS_PER_UNIT;
  const options: autocannon.Options =
    request.kind === 'health'
      ? { url: `${setup.url}/health`, connections: setup.connections, duration: request.seconds }
      : {
          url: setup.url,
          connections: setup.connections,
          duration: request.seconds,
          requests: [
            {
              method: 'POST',
              setupRequest: (req) => {
                const n = next++;
                if (n >= limit) throw new Error(`all ${limit} tokens are used up; raise BENCH_RATINGS_UNITS`);
                const u = n % units.length;
                const score = 60 + (n % 41);
                return {
                  ...req,
                  path: '/public-ratings',
                  headers: { 'content-type': 'application/json' },
                  body: JSON.stringify({
                    campaignId: CAMPAIGN,
                    unitId: units[u],
                    token: tokens[u]![Math.floor(n / units.length)],
                    scores: Object.fromEntries(DIMENSIONS.map((d) => [d, score])),
                  }),
                };
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

if (!isMainThread && (workerData as Partial<LoadSetup> | null)?.role === 'dukao-ratings-bench-load') {
  const setup = workerData as LoadSetup;
  parentPort!.on('message', (request: LoadRequest) => {
    runLoad(setup, request).then(
      (result) => parentPort!.postMessage({ result }),
      (error: unknown) =>
        parentPort!.postMessage({ error: error instanceof Error ? error.message : String(error) }),
    );
  });
}

class LoadGenerator {
  private readonly worker: Worker;

  constructor(setup: LoadSetup) {
    this.worker = new Worker(__filename, { workerData: setup });
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

async function call<T = Record<string, unknown>>(
  url: string,
  method: 'GET' | 'POST' | 'PUT',
  path: string,
  token: string | null,
  body: unknown,
  expected: number,
): Promise<T> {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (response.status !== expected)
    throw new Error(`${method} ${path}: ${response.status} ${text.slice(0, 500)}`);
  return (text ? JSON.parse(text) : {}) as T;
}

async function setUp(store: EventStore, url: string, log: (message: string) => void) {
  const start = performance.now();
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
  const login = async (username: string, password = PASSWORD) =>
    (await call<{ accessToken: string }>(url, 'POST', '/auth/login', null, { username, password }, 200))
      .accessToken;
  const system = await login('sysadmin');
  const security = await login('secadmin');
  const { id } = await call<{ id: string }>(
    url,
    'POST',
    '/users',
    system,
    { username: 'kaohe-ban', displayName: '考核办', initialPassword: 'Initial-Pass-1' },
    201,
  );
  await call(url, 'POST', `/users/${id}/roles`, security, { role: 'assessmentAdmin' }, 201);
  const first = await login('kaohe-ban', 'Initial-Pass-1');
  await call(
    url,
    'PUT',
    '/auth/password',
    first,
    { currentPassword: 'Initial-Pass-1', newPassword: PASSWORD },
    200,
  );
  const office = await login('kaohe-ban');

  const units = Array.from({ length: unitCount() }, (_, n) => `bureau-${String(n).padStart(3, '0')}`);
  const now = Date.now();
  await call(
    url,
    'POST',
    '/campaigns',
    office,
    {
      campaignId: CAMPAIGN,
      cycleId: '2026',
      name: '基准测试满意度评议',
      unitIds: units,
      groups: [
        { kind: 'public', weight: 0.7 },
        { kind: 'survey', weight: 0.3 },
      ],
      questionnaire: { kind: 'dimensions', dimensions: DIMENSIONS },
      opensAt: new Date(now - 60_000).toISOString(),
      closesAt: new Date(now + 24 * 3600_000).toISOString(),
    },
    201,
  );
  await call(url, 'POST', `/campaigns/${CAMPAIGN}/open`, office, undefined, 200);
  const tokens: string[][] = [];
  for (const unit of units) {
    const issued = await call<{ tokens: string[] }>(
      url,
      'POST',
      `/campaigns/${CAMPAIGN}/units/${unit}/rating-links`,
      office,
      { count: TOKENS_PER_UNIT },
      201,
    );
    tokens.push(issued.tokens);
  }
  log(
    `set up a campaign over ${units.length} units with ${(units.length * TOKENS_PER_UNIT).toLocaleString('en-US')} rating tokens in ${((performance.now() - start) / 1000).toFixed(1)} s`,
  );
  return { units, tokens };
}

async function measureRatings(context: BenchContext): Promise<{ value: number; baseline: number }> {
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
    // All load comes from one address: lift the per-network hard limit (bursts are still flagged).
    app.get(PublicRatingLimiter).limits.perNetworkAttempts = Number.POSITIVE_INFINITY;
    const { units, tokens } = await setUp(store, url, context.log);
    load = new LoadGenerator({
      role: 'dukao-ratings-bench-load',
      url,
      connections: CONNECTIONS,
      units,
      tokens,
    });

    let next = 0;
    const refused: Record<string, number> = {};
    const round = async (kind: LoadRequest['kind'], ms: number): Promise<number> => {
      const result = await load!.run({ kind, seconds: ms / 1000, first: next });
      if (kind === 'rating') next = result.next;
      if (result.non2xx + result.errors + result.timeouts > 0) {
        for (const [code, count] of Object.entries(result.statusCodes))
          if (!code.startsWith('2')) refused[`${kind} ${code}`] = (refused[`${kind} ${code}`] ?? 0) + count;
        context.log(
          `ratings.ingest.http: ${kind}: ${result.non2xx} non-2xx (${JSON.stringify(result.statusCodes)}), ${result.errors} errors, ${result.timeouts} timeouts`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
      return result.ok / result.seconds;
    };
    const measured = await interleavedRounds({
      rounds: ROUNDS,
      warmup: {
        subject: () => round('rating', benchMs(WARMUP_MS)),
        baseline: () => round('health', benchMs(WARMUP_MS)),
      },
      subject: () => round('rating', benchMs(ROUND_MS)),
      baseline: () => round('health', benchMs(ROUND_MS)),
      log: context.log,
      unit: 'requests/s',
    });
    if (!(measured.baseline > 0))
      throw new Error('GET /health answered nothing within the rounds: the server is blocked');
    context.log(
      `${next.toLocaleString('en-US')} ratings sent; log head ${await store.headPosition()}; refused: ${JSON.stringify(refused)}`,
    );
    return measured;
  } finally {
    await load?.close();
    await app.close();
  }
}

export const benchmarks: Benchmark[] = [
  {
    name: 'ratings.ingest.http',
    description: `anonymous public ratings accepted (POST /public-ratings, each with a new one-time token) per second through HTTP, embedded mode, ${CONNECTIONS} connections (autocannon), 2xx only; baseline: GET /health on the same server`,
    async run(context) {
      return { ...(await measureRatings(context)), unit: 'ratings/s' };
    },
  },
];
