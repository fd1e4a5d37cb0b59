/**
 * HTTP benchmark: durable progress reports through the api in embedded mode, as units file them.
 *
 * The api runs in this process (the main thread), on a fresh DATA_DIR and an ephemeral loopback
 * port; autocannon runs in a worker thread of the same process, so that the load generator and
 * the server each have a core of this 2-core machine rather than sharing one event loop.
 *
 * Setup goes through the API as the e2e tests do: administrators, an assessment office user and
 * unit staff; cycle 2026 with a towns indicator tree; units; targets with monthly cadence, each
 * proposed and issued through a one-stage review. Every request of the run is a new valid report:
 * request n reports period ⌊n / targets⌋ + 1 of target n mod targets, so no (target, period) pair
 * is reported twice and no two requests in flight touch the same target.
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
import { type BenchContext, type Benchmark, benchMs, interleavedRounds } from './harness';

const CONNECTIONS = 64;
const ROUNDS = 5;
const ROUND_MS = 2000;
const WARMUP_MS = 1000;
const UNITS = 60;
/**
 * Targets issued before the run (`BENCH_HTTP_TARGETS`, default 3,000); each takes 12 monthly reports,
 * so 36,000 distinct reports: enough for 11 s of load at 3,000 reports/s.
 */
function targetCount(): number {
  const raw = process.env.BENCH_HTTP_TARGETS;
  if (raw === undefined || raw === '') return 3000;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < UNITS)
    throw new Error(`BENCH_HTTP_TARGETS must be a whole number ≥ ${UNITS} (got "${raw}")`);
  return n;
}
const INDICATORS = 50;
const STAFF = 10;
const SETUP_CONCURRENCY = 16;
const PASSWORD = 'Dukao-Bench-2026!';
const PERIODS = Array.from({ length: 12 }, (_, m) => `2026-${String(m + 1).padStart(2, '0')}`);
const NARRATIVES = [
  '本月新开工保障房三个，完成年度计划的六成。',
  '重点项目按期推进，累计完成投资四点二亿元。',
  '专项整治已完成自查，整改问题十二项待验收。',
  '群众满意度调查已回收问卷，满意率达百分之九十。',
];

// ---------------------------------------------------------------------------------------------
// The load generator (worker thread)

interface LoadSetup {
  role: 'dukao-http-bench-load';
  url: string;
  connections: number;
  /** Target ids with the access token of a unit staff member of the target's unit. */
  targets: Array<{ id: string; token: string }>;
}

interface LoadRequest {
  kind: 'report' | 'health';
  seconds: number;
  /** Index of the first (target, period) pair this run may use. */
  first: number;
}

interface LoadResult {
  ok: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  statusCodes: Record<string, number>;
  seconds: number;
  /** The next unused pair index. */
  next: number;
}

function reportBody(n: number, targets: number): string {
  const month = Math.floor(n / targets);
  return JSON.stringify({
    period: PERIODS[month],
    cumulativeValue: Math.round(((month + 1) / 12) * 1000 * (0.8 + (n % 41) / 100)) / 10,
    narrative: NARRATIVES[n % NARRATIVES.length],
  });
}

function runLoad(setup: LoadSetup, request: LoadRequest): Promise<LoadResult> {
  const { targets } = setup;
  let next = request.first;
  const limit = targets.length * PERIODS.length;
  const options: autocannon.Options =
    request.kind === 'health'
      ? { url: `${setup.url}/health`, connections: setup.connections, duration: request.seconds }
      : {
          url: setup.url,
          connections: setup.connections,
          duration: request.seconds,
          headers: { 'content-type': 'application/json' },
          requests: [
            {
              method: 'POST',
              setupRequest: (req) => {
                const n = next++;
                if (n >= limit)
                  throw new Error(`all ${limit} distinct reports are used up; raise BENCH_HTTP_TARGETS`);
                const target = targets[n % targets.length]!;
                return {
                  ...req,
                  path: `/targets/${target.id}/reports`,
                  headers: { 'content-type': 'application/json', authorization: `Bearer ${target.token}` },
                  body: reportBody(n, targets.length),
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

if (!isMainThread && (workerData as Partial<LoadSetup> | null)?.role === 'dukao-http-bench-load') {
  const setup = workerData as LoadSetup;
  parentPort!.on('message', (request: LoadRequest) => {
    runLoad(setup, request).then(
      (result) => parentPort!.postMessage({ result }),
      (error: unknown) =>
        parentPort!.postMessage({ error: error instanceof Error ? error.message : String(error) }),
    );
  });
}

/** The main thread's handle on the load worker: one run at a time. */
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

class Api {
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

  /** An account as an office makes one: created, granted roles, password set by its owner. */
  async user(
    admins: { system: string; security: string },
    username: string,
    grant: { role: string; unitIds?: string[] },
  ): Promise<string> {
    const { id } = await this.call<{ id: string }>(
      'POST',
      '/users',
      admins.system,
      { username, displayName: username, initialPassword: 'Initial-Pass-1' },
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

/** Runs `task(0..count-1)` with at most `concurrency` at a time. */
async function parallel(
  count: number,
  concurrency: number,
  task: (index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      while (next < count) await task(next++);
    }),
  );
}

const unitId = (n: number) => `town-${String(n).padStart(3, '0')}`;

async function setUp(
  store: EventStore,
  api: Api,
  log: (message: string) => void,
): Promise<LoadSetup['targets']> {
  const start = performance.now();
  const targetTotal = targetCount();
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
  const admins = { system: await api.login('sysadmin'), security: await api.login('secadmin') };
  const office = await api.user(admins, 'kaohe-ban', { role: 'assessmentAdmin' });
  const unitsPerStaff = UNITS / STAFF;
  const staff: string[] = [];
  for (let s = 0; s < STAFF; s += 1) {
    const unitIds = Array.from({ length: unitsPerStaff }, (_, k) => unitId(s * unitsPerStaff + k));
    staff.push(await api.user(admins, `staff-${s}`, { role: 'unitStaff', unitIds }));
  }

  await api.call('POST', '/cycles', office, { cycleId: '2026', name: '2026年度绩效考核' }, 201);
  await api.call(
    'POST',
    '/cycles/2026/indicator-trees',
    office,
    {
      category: 'towns',
      scale: 100,
      indicators: Array.from({ length: INDICATORS }, (_, i) => ({
        indicatorId: `ind-${String(i).padStart(2, '0')}`,
        parentId: null,
        name: `指标 ${i + 1}`,
        level: 1,
        points: 100 / INDICATORS,
        method: 'completion',
      })),
    },
    201,
  );
  await parallel(UNITS, SETUP_CONCURRENCY, async (n) => {
    await api.call(
      'POST',
      '/units',
      office,
      { unitId: unitId(n), name: `第${n + 1}镇`, category: 'towns' },
      201,
    );
  });

  const targets: LoadSetup['targets'] = new Array<LoadSetup['targets'][number]>(targetTotal);
  let issued = 0;
  await parallel(targetTotal, SETUP_CONCURRENCY, async (n) => {
    const unit = n % UNITS;
    const proposed = await api.call<{ id: string }>(
      'POST',
      '/targets',
      office,
      {
        cycleId: '2026',
        unitId: unitId(unit),
        indicatorId: `ind-${String(Math.floor(n / UNITS) % INDICATORS).padStart(2, '0')}`,
        title: `${NARRATIVES[n % NARRATIVES.length]!.slice(0, 6)}（${n}）`,
        kind: 'quantitative',
        measure: '累计完成值',
        unitOfMeasure: '万元',
        direction: 'higherIsBetter',
        annualValue: 1000,
        baseline: 0,
        schedule: PERIODS.map((_, m) => Math.round(((m + 1) * 100) / 12)),
        cadence: 'monthly',
        dataCollectionUnitId: unitId(unit),
        reviewStages: ['assessmentOffice'],
      },
      201,
    );
    await api.call(
      'POST',
      `/targets/${proposed.id}/reviews`,
      office,
      { stage: 'assessmentOffice', decision: 'pass' },
      200,
    );
    targets[n] = { id: proposed.id, token: staff[Math.floor(unit / unitsPerStaff)]! };
    issued += 1;
    if (issued % 500 === 0)
      log(
        `setting up: ${issued.toLocaleString('en-US')} targets issued, ${((performance.now() - start) / 1000).toFixed(1)} s`,
      );
  });
  log(
    `set up ${UNITS} units, ${targetTotal.toLocaleString('en-US')} issued monthly targets (${(targetTotal * PERIODS.length).toLocaleString('en-US')} reports to file) in ${((performance.now() - start) / 1000).toFixed(1)} s`,
  );
  return targets;
}

/**
 * Waits until the server has digested the setup: `/health` answers quickly with every projection at
 * the head of the log (projections and reactors run in this process and would otherwise compete with
 * the first rounds).
 */
async function settle(api: Api, log: (message: string) => void): Promise<void> {
  const start = performance.now();
  for (let quick = 0; quick < 3;) {
    if (performance.now() - start > 15 * 60_000)
      throw new Error('the server did not settle within 15 minutes after the setup');
    const sent = performance.now();
    const health = await api.call<{ projections: Array<{ lag: number | null }> }>(
      'GET',
      '/health',
      null,
      undefined,
      200,
    );
    const caughtUp = health.projections.every((projection) => !projection.lag);
    quick = performance.now() - sent < 100 && caughtUp ? quick + 1 : 0;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  log(`server settled ${((performance.now() - start) / 1000).toFixed(1)} s after the setup`);
}

// ---------------------------------------------------------------------------------------------

async function measureReports(context: BenchContext): Promise<{ value: number; baseline: number }> {
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
    const server = app.getHttpServer() as Server;
    const address = server.address() as AddressInfo;
    const url = `http://127.0.0.1:${address.port}`;
    const store = app.get<EventStore>(EVENT_STORE);
    const api = new Api(url);
    const targets = await setUp(store, api, context.log);
    await settle(api, context.log);
    load = new LoadGenerator({ role: 'dukao-http-bench-load', url, connections: CONNECTIONS, targets });

    let next = 0;
    const refused: Record<string, number> = {};
    const round = async (kind: LoadRequest['kind'], ms: number): Promise<number> => {
      const result = await load!.run({ kind, seconds: ms / 1000, first: next });
      if (kind === 'report') next = result.next;
      const failed = result.non2xx + result.errors + result.timeouts;
      if (failed > 0) {
        for (const [code, count] of Object.entries(result.statusCodes)) {
          if (!code.startsWith('2')) refused[`${kind} ${code}`] = (refused[`${kind} ${code}`] ?? 0) + count;
        }
        process.stderr.write(
          `[bench]   command.report.http: ${kind}: ${result.non2xx} non-2xx (${JSON.stringify(result.statusCodes)}), ${result.errors} errors, ${result.timeouts} timeouts\n`,
        );
      }
      // Let the requests still in flight at the end of the round finish before the next one.
      await new Promise((resolve) => setTimeout(resolve, 200));
      return result.ok / result.seconds;
    };
    const measured = await interleavedRounds({
      rounds: ROUNDS,
      warmup: {
        subject: () => round('report', benchMs(WARMUP_MS)),
        baseline: () => round('health', benchMs(WARMUP_MS)),
      },
      subject: () => round('report', benchMs(ROUND_MS)),
      baseline: () => round('health', benchMs(ROUND_MS)),
      log: context.log,
      unit: 'requests/s',
    });
    if (!(measured.baseline > 0))
      throw new Error('GET /health answered nothing within the rounds: the server is blocked');
    const head = await store.headPosition();
    context.log(
      `${next.toLocaleString('en-US')} report requests sent; log head ${head}; refused: ${JSON.stringify(refused)}`,
    );
    return measured;
  } finally {
    await load?.close();
    await app.close();
  }
}

export const benchmarks: Benchmark[] = [
  {
    name: 'command.report.http',
    description: `durable progress reports (POST /targets/{id}/reports, each a new valid report) per second through HTTP, embedded mode, ${CONNECTIONS} connections (autocannon), 2xx only; baseline: GET /health on the same server`,
    async run(context) {
      return { ...(await measureReports(context)), unit: 'commands/s' };
    },
  },
];
