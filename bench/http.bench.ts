/**
 * HTTP benchmark: durable progress reports through the api in embedded mode, as units file them.
 *
 * The api runs in this process (the main thread), on a fresh DATA_DIR and an ephemeral loopback
 * port; autocannon runs in a worker thread of the same process, so that the load generator and
 * the server each have a core of this 2-core machine rather than sharing one event loop (the
 * machinery is in http-load.ts).
 *
 * Setup goes through the API as the e2e tests do: administrators, an assessment office user and
 * unit staff; cycle 2026 with a towns indicator tree; units; targets with monthly cadence, each
 * proposed and issued through a one-stage review. Every request of the run is a new valid report:
 * request n reports period ⌊n / targets⌋ + 1 of target n mod targets, so no (target, period) pair
 * is reported twice and no two requests in flight touch the same target.
 */
import type { EventStore } from '@dukao/event-store';
import { type BenchContext, type Benchmark } from './harness';
import { Api, CONNECTIONS, type LoadSetup, measureHttpLoad, serveLoad } from './http-load';

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
const PERIODS = Array.from({ length: 12 }, (_, m) => `2026-${String(m + 1).padStart(2, '0')}`);
const NARRATIVES = [
  '本月新开工保障房三个，完成年度计划的六成。',
  '重点项目按期推进，累计完成投资四点二亿元。',
  '专项整治已完成自查，整改问题十二项待验收。',
  '群众满意度调查已回收问卷，满意率达百分之九十。',
];

// ---------------------------------------------------------------------------------------------
// The requests (worker thread)

const ROLE = 'dukao-http-bench-load';

interface Targets {
  /** Target ids with the access token of a unit staff member of the target's unit. */
  targets: Array<{ id: string; token: string }>;
}

function reportBody(n: number, targets: number): string {
  const month = Math.floor(n / targets);
  return JSON.stringify({
    period: PERIODS[month],
    cumulativeValue: Math.round(((month + 1) / 12) * 1000 * (0.8 + (n % 41) / 100)) / 10,
    narrative: NARRATIVES[n % NARRATIVES.length],
  });
}

serveLoad<Targets>(ROLE, ({ targets }: LoadSetup<Targets>) => {
  const limit = targets.length * PERIODS.length;
  return {
    limit,
    usedUp: `all ${limit} distinct reports are used up; raise BENCH_HTTP_TARGETS`,
    headers: { 'content-type': 'application/json' },
    request: (n) => {
      const target = targets[n % targets.length]!;
      return {
        path: `/targets/${target.id}/reports`,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${target.token}` },
        body: reportBody(n, targets.length),
      };
    },
  };
});

// ---------------------------------------------------------------------------------------------
// Setup through the API

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
): Promise<Targets['targets']> {
  const start = performance.now();
  const targetTotal = targetCount();
  const admins = await api.administrators(store);
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

  const targets: Targets['targets'] = new Array<Targets['targets'][number]>(targetTotal);
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

function measureReports(context: BenchContext): Promise<{ value: number; baseline: number }> {
  return measureHttpLoad<Targets>(context, {
    workerFile: __filename,
    role: ROLE,
    subject: 'report',
    sent: 'report requests',
    async prepare({ url, store }) {
      const api = new Api(url);
      const targets = await setUp(store, api, context.log);
      await settle(api, context.log);
      return { targets };
    },
  });
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
