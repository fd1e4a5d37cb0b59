/**
 * Scoring benchmarks (issue 8), embedded mode: SQLite log, SQLite read models, the real loader,
 * engine and rankings reactor. See docs/benchmarks.md for the goals, the method and the figures.
 *
 * - `score.explain`: p95 ms to explain one unit (what `GET /scores/{unit}/explain` computes: the
 *   category's input, from the sources kept since the log last moved, folded with that unit's trace)
 *   whose 50 target streams hold 5,000 events, in a category of 20 towns. Baseline: p95 of reading
 *   those 50 streams (`readStream`), nothing else. The p95 with the sources read for every request
 *   is logged.
 * - `ranking.query`: p95 ms to read one month's ranking of a 1,000-unit category from the rankings
 *   view, as `GET /rankings/{cycle}/{category}/months/{month}` does (get, scope filter, JSON body).
 *   The view is filled by the real reactor first. Baseline: p95 of a bare read-model `get` of that
 *   same document (the store's read and parse, nothing of ours).
 * - `ranking.recompute`: seconds to recompute the scores of a whole category of a cycle at one instant
 *   (the end of June) from the log, as the reactor does for each month it recomputes: load, fold,
 *   build the ranking document. 1,000 units × 400 targets by default (`BENCH_RANKING_UNITS`,
 *   `BENCH_RANKING_TARGETS_PER_UNIT`). Baseline: one pass reading every target event of the log
 *   (`readAll` by stream prefix), the least any recompute must read.
 *
 * Set-up: the streams go into the log as raw rows (`bench/fixtures.ts`), and the units, cycles and
 * targets views are built from those very events by the real projection code (`changes` and
 * `applyChange`, as the engine applies them), committed at the head of the log and activated.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { type NewEvent, SqliteEventStore, readAllPages } from '@dukao/event-store';
import { ProjectionEngine, type Projection, applyChange } from '@dukao/projections';
import { type ReadModelDocument, SqliteReadModelStore, type WriteOp } from '@dukao/read-model-store';
import {
  MONTHLY_RANKINGS,
  RankingsReactor,
  RankingsView,
  monthlyRankingId,
  ScoringInputLoader,
  buildMonthlyRanking,
  foldTargets,
  scoreCategory,
} from '@dukao/scoring';
import {
  DEFAULT_SCHEME,
  type Indicator,
  type TargetDefinition,
  cycleStream,
  cyclesProjection,
  periodEnd,
  targetStream,
  targetsProjection,
  unitStream,
  unitsProjection,
} from '@dukao/targets';
import { openRawEventsDb, rawLogWriter } from './fixtures';
import { type Benchmark, benchMs, interleavedRounds } from './harness';

const CYCLE_ID = '2026';
const YEAR = 2026;
const CATEGORY = 'towns';
const JUNE_END = periodEnd('2026-06');

function positiveInt(name: string, fallback: number, min = 1): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < min)
    throw new Error(`${name} must be a whole number ≥ ${min} (got "${raw}")`);
  return n;
}

// ---------------------------------------------------------------------------------------------
// The population

/** The towns' tree: 10 level-1 indicators of 100 points, each with 4 leaves (completion, progress, contribution, milestones). */
function indicatorTree(): Indicator[] {
  const methods = ['completion', 'progress', 'contribution', 'milestones'] as const;
  const indicators: Indicator[] = [];
  for (let r = 1; r <= 10; r += 1) {
    indicators.push({
      indicatorId: `i${r}`,
      parentId: null,
      name: `一级指标${r}`,
      level: 1,
      points: 100,
      method: null,
    });
    methods.forEach((method, c) =>
      indicators.push({
        indicatorId: `i${r}.${c + 1}`,
        parentId: `i${r}`,
        name: `二级指标${r}.${c + 1}`,
        level: 2,
        points: 25,
        method,
      }),
    );
  }
  return indicators;
}
const LEAVES = indicatorTree().filter((i) => i.level === 2);

const at = (date: string) => new Date(`${date}T10:00:00+08:00`).toISOString();
const unitId = (n: number) => `town-${String(n).padStart(4, '0')}`;

function metadata(role: string, unit: string | null, occurredAt?: string): NewEvent['metadata'] {
  return {
    actor: { userId: `u-${role}-${unit ?? 'city'}`, role, unitId: unit },
    correlationId: randomUUID(),
    commandId: randomUUID(),
    ...(occurredAt ? { occurredAt } : {}),
  };
}

/** When the command behind an event ran (what the store would have recorded). */
function recordedAtOf(event: NewEvent): string {
  const d = event.data as Record<string, unknown>;
  for (const key of [
    'proposedAt',
    'issuedAt',
    'reportedAt',
    'verifiedAt',
    'registeredAt',
    'openedAt',
    'publishedAt',
  ])
    if (typeof d[key] === 'string') return d[key];
  throw new Error(`no time in ${event.type}`);
}

function cycleEvents(): NewEvent[] {
  const admin = () => metadata('assessmentAdmin', null);
  return [
    {
      id: randomUUID(),
      type: 'CycleOpened',
      data: { cycleId: CYCLE_ID, year: YEAR, name: '2026年度绩效考核', openedAt: at('2026-01-02') },
      metadata: admin(),
    },
    {
      id: randomUUID(),
      type: 'SchemePublished',
      data: {
        cycleId: CYCLE_ID,
        version: 1,
        effectiveFrom: '2025-12-31T16:00:00.000Z',
        scheme: DEFAULT_SCHEME,
        note: '默认方案',
        publishedAt: at('2026-01-02'),
      },
      metadata: admin(),
    },
    {
      id: randomUUID(),
      type: 'IndicatorTreePublished',
      data: {
        cycleId: CYCLE_ID,
        category: CATEGORY,
        version: 1,
        effectiveFrom: '2025-12-31T16:00:00.000Z',
        scale: 1000,
        indicators: indicatorTree(),
        publishedAt: at('2026-01-03'),
      },
      metadata: admin(),
    },
  ];
}

function unitEvents(n: number): NewEvent[] {
  return [
    {
      id: randomUUID(),
      type: 'UnitRegistered',
      data: {
        unitId: unitId(n),
        name: `第${n}镇`,
        category: CATEGORY,
        subCategory: null,
        registeredAt: at('2026-01-02'),
      },
      metadata: metadata('assessmentAdmin', null),
    },
  ];
}

/**
 * Target k of unit n: a leaf in turn; quarterly; reported for Q1 and Q2 (milestone targets: the
 * first two milestones done), each report verified, and `corrections` extra corrected reports per
 * period (each verified) for the heavy histories of `score.explain`.
 */
function targetEvents(targetId: string, n: number, k: number, corrections = 0, monthly = false): NewEvent[] {
  const leaf = LEAVES[k % LEAVES.length]!;
  const milestones = leaf.method === 'milestones';
  const annualValue = 100 + ((n * 7 + k * 13) % 900);
  const definition: TargetDefinition = {
    cycleId: CYCLE_ID,
    year: YEAR,
    unitId: unitId(n),
    category: CATEGORY,
    indicatorId: leaf.indicatorId,
    title: `${unitId(n)} 目标 ${k}`,
    kind: milestones ? 'milestones' : 'quantitative',
    measure: milestones ? '重点项目节点' : '地区生产总值',
    unitOfMeasure: milestones ? '项' : '亿元',
    direction: 'higherIsBetter',
    annualValue: milestones ? null : annualValue,
    baseline: milestones ? null : Math.round(annualValue * 0.9),
    schedule: monthly ? [8, 16, 25, 33, 41, 50, 58, 66, 75, 83, 91, 100] : [25, 50, 75, 100],
    cadence: monthly ? 'monthly' : 'quarterly',
    reportDueDay: 10,
    dataCollectionUnitId: 'stats-bureau',
    milestones: milestones
      ? ['03-31', '06-30', '09-30', '12-15'].map((day, i) => ({
          milestoneId: `m${i + 1}`,
          title: ['立项批复', '开工建设', '主体完工', '竣工验收'][i]!,
          dueDate: `${YEAR}-${day}`,
          evidenceRequired: false,
        }))
      : [],
    dynamic: false,
  };
  const events: NewEvent[] = [
    {
      id: randomUUID(),
      type: 'TargetProposed',
      data: { targetId, definition, reviewStages: ['assessmentOffice'], proposedAt: at('2026-01-10') },
      metadata: metadata('assessmentAdmin', null),
    },
    {
      id: randomUUID(),
      type: 'TargetIssued',
      data: { targetId, issuedAt: at('2026-01-20') },
      metadata: metadata('assessmentAdmin', null),
    },
  ];
  const periods = monthly
    ? Array.from({ length: 12 }, (_, i) => `${YEAR}-${String(i + 1).padStart(2, '0')}`)
    : ['2026-Q1', '2026-Q2'];
  periods.forEach((period, p) => {
    let replaces: string | null = null;
    for (let c = 0; c <= corrections; c += 1) {
      const reportId = randomUUID();
      const share = (monthly ? (p + 1) / 12 : (p + 1) / 4) - ((n + k + c) % 7) / 100;
      const reportedAt = at(
        monthly
          ? `2026-${String(Math.min(12, p + 2)).padStart(2, '0')}-0${1 + (c % 8)}`
          : p === 0
            ? '2026-04-08'
            : '2026-07-08',
      );
      events.push({
        id: randomUUID(),
        type: 'ProgressReported',
        data: {
          targetId,
          reportId,
          period,
          cumulativeValue: milestones ? null : Math.round(annualValue * share * 100) / 100,
          milestonesCompleted:
            milestones && p < 2 && !monthly
              ? [{ milestoneId: `m${p + 1}`, completedOn: definition.milestones[p]!.dueDate }]
              : [],
          narrative: '重点项目按期推进，累计完成投资四点二亿元。',
          evidence: [],
          replaces,
          dueDate: '2026-07-10',
          late: false,
          reportedAt,
        },
        metadata: metadata('unitStaff', unitId(n), periodEnd(period)),
      });
      events.push({
        id: randomUUID(),
        type: 'ReportVerified',
        data: { targetId, reportId, period, verifiedAt: reportedAt },
        metadata: metadata('reviewer', 'stats-bureau'),
      });
      replaces = reportId;
    }
  });
  return events;
}

/**
 * Writes the log as raw rows and the units, cycles and targets views from those events, in batches;
 * `streams` yields the streams in log order. Returns the number of events written.
 */
async function populate(
  dir: string,
  streams: Iterable<{ streamId: string; events: NewEvent[] }>,
  log: (message: string) => void,
): Promise<number> {
  const start = performance.now();
  const db = await openRawEventsDb(join(dir, 'events.sqlite'), 'normal');
  const views = new SqliteReadModelStore({ filename: join(dir, 'read-models.sqlite') });
  const projections: Projection[] = [unitsProjection, cyclesProjection, targetsProjection];
  const rows = rawLogWriter(db, recordedAtOf);
  try {
    const writers = await Promise.all(projections.map((p) => views.generation(p.name, 1, p.collections)));
    let batch: Array<{ streamId: string; events: NewEvent[] }> = [];
    let streamsWritten = 0;
    const flush = async () => {
      const documents = new Map<string, { collection: string; document: ReadModelDocument | null }>();
      const byProjection = projections.map(() => [] as WriteOp[]);
      for (const stored of rows.write(batch).flat()) {
        projections.forEach((projection) => {
          if (projection.eventTypes && !projection.eventTypes.includes(stored.type)) return;
          for (const change of projection.changes(stored)) {
            const key = `${change.collection}\u0000${change.id}`;
            const next = applyChange(documents.get(key)?.document ?? null, change, stored);
            if (next !== undefined) documents.set(key, { collection: change.collection, document: next });
          }
        });
      }
      for (const { collection, document } of documents.values()) {
        const index = projections.findIndex((p) => p.collections.some((c) => c.name === collection));
        if (document) byProjection[index]!.push({ type: 'put', collection, document });
      }
      await Promise.all(writers.map((writer, i) => writer.commit(byProjection[i]!, rows.position)));
      streamsWritten += batch.length;
      if (Math.floor(streamsWritten / 50_000) !== Math.floor((streamsWritten - batch.length) / 50_000))
        log(
          `populating: ${streamsWritten.toLocaleString('en-US')} streams, ${rows.position.toLocaleString('en-US')} events`,
        );
      batch = [];
    };
    for (const stream of streams) {
      batch.push(stream);
      if (batch.length >= 1000) await flush();
    }
    if (batch.length > 0) await flush();
    // Every projection has taken in the whole log (events it does not read still move its checkpoint).
    await Promise.all(writers.map((writer) => writer.commit([], rows.position)));
    for (const p of projections) await views.activate(p.name, 1, p.version);
  } finally {
    db.close();
    await views.close();
  }
  log(
    `populated ${rows.position.toLocaleString('en-US')} events and their views in ${((performance.now() - start) / 1000).toFixed(1)} s`,
  );
  return rows.position;
}

function* townsLog(
  units: number,
  targetsPerUnit: number,
  heavy?: { unit: number; targets: number; corrections: number },
): Generator<{ streamId: string; events: NewEvent[] }> {
  yield { streamId: cycleStream(CYCLE_ID), events: cycleEvents() };
  for (let n = 1; n <= units; n += 1) yield { streamId: unitStream(unitId(n)), events: unitEvents(n) };
  for (let n = 1; n <= units; n += 1) {
    for (let k = 0; k < targetsPerUnit; k += 1) {
      const targetId = randomUUID();
      yield { streamId: targetStream(targetId), events: targetEvents(targetId, n, k) };
    }
  }
  if (heavy)
    for (let k = 0; k < heavy.targets; k += 1) {
      const targetId = randomUUID();
      yield {
        streamId: targetStream(targetId),
        events: targetEvents(targetId, heavy.unit, k, heavy.corrections, true),
      };
    }
}

function open(dir: string) {
  const events = new SqliteEventStore({ filename: join(dir, 'events.sqlite') });
  const views = new SqliteReadModelStore({ filename: join(dir, 'read-models.sqlite') });
  return { events, views, loader: new ScoringInputLoader(events, views) };
}

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** Runs `operation` back to back for `durationMs` (at least `min` times) and returns the p95 latency in ms. */
async function p95(durationMs: number, min: number, operation: () => Promise<unknown>): Promise<number> {
  const latencies: number[] = [];
  const end = performance.now() + durationMs;
  while (performance.now() < end || latencies.length < min) {
    const t0 = performance.now();
    await operation();
    latencies.push(performance.now() - t0);
  }
  return percentile(latencies, 95);
}

const quiet = {
  log: () => undefined,
  warn: () => undefined,
  error: (m: string) => process.stderr.write(`${m}\n`),
};

// ---------------------------------------------------------------------------------------------

export const benchmarks: Benchmark[] = [
  {
    name: 'score.explain',
    description:
      'p95 ms to explain one unit whose 50 target streams hold 5,000 events (load, fold, pick the unit; 20 towns); baseline: p95 of reading those 50 streams',
    async run({ dir, log }) {
      // The explained unit: 50 monthly targets, each report corrected three times and every one verified (98 events a stream).
      const heavy = { unit: 1, targets: 50, corrections: 3 };
      await populate(dir, townsLog(20, 10, heavy), log);
      const { events, views, loader } = open(dir);
      try {
        const unitTargets = (
          await views.find<ReadModelDocument & { unitId: string }>(
            'targets',
            { unitId: unitId(1) },
            { limit: 1000 },
          )
        ).map((t) => t._id);
        const streams = await Promise.all(unitTargets.map((id) => events.readStream(targetStream(id))));
        const heavyEvents = streams.flat().length;
        log(
          `the unit's ${unitTargets.length} target streams hold ${heavyEvents.toLocaleString('en-US')} events`,
        );
        // As the route: the category's sources kept while the log has not moved (it does not here),
        // only the explained unit's trace built. `fresh` reads the sources for every request.
        const explainWith = (fresh: boolean) => async () => {
          const request = { cycleId: CYCLE_ID, category: CATEGORY, at: JUNE_END };
          const input = fresh ? await loader.load(request) : await loader.loadRecent(request);
          const scored = scoreCategory(input, { trace: { units: [unitId(1)] } });
          if (!scored.units.find((u) => u.unitId === unitId(1))) throw new Error('unit not scored');
        };
        const explain = explainWith(false);
        const read = () => Promise.all(unitTargets.map((id) => events.readStream(targetStream(id))));
        log(
          `reading the sources for every request: ${(await p95(benchMs(2000), 20, explainWith(true))).toFixed(1)} ms (p95)`,
        );
        const { value, baseline } = await interleavedRounds({
          rounds: 5,
          warmup: { subject: explain, baseline: read },
          subject: () => p95(benchMs(2000), 20, explain),
          baseline: () => p95(benchMs(2000), 20, read),
          log,
          unit: 'ms (p95)',
        });
        return { value, unit: 'ms (p95)', baseline };
      } finally {
        await views.close();
        await events.close();
      }
    },
  },
  {
    name: 'ranking.query',
    description:
      'p95 ms to read one month of a 1,000-unit category ranking from the rankings view (get, scope filter, JSON body); baseline: p95 of a bare read-model get of that document',
    async run({ dir, log }) {
      const units = 1000;
      await populate(dir, townsLog(units, 2), log);
      const { events, views, loader } = open(dir);
      const engine = new ProjectionEngine(
        events,
        views,
        [unitsProjection, cyclesProjection, targetsProjection],
        {
          logger: quiet,
        },
      );
      const reactor = new RankingsReactor(
        loader,
        engine,
        events,
        views,
        () => new Date('2026-07-15T02:00:00.000Z'),
        {
          logger: quiet,
        },
      );
      try {
        await engine.start();
        const t0 = performance.now();
        await reactor.start();
        if (!(await reactor.settle(30 * 60_000))) throw new Error('the rankings view did not catch up');
        log(
          `the reactor ranked 6 months of ${units} units in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
        );
        const view = new RankingsView(views);
        const scopes: Array<string[] | null> = [null, [unitId(7)], [unitId(1), unitId(500), unitId(999)]];
        let turn = 0;
        const query = async () => {
          const ranking = await view.month(CYCLE_ID, CATEGORY, '2026-06');
          if (!ranking || ranking.rows.length !== units) throw new Error('no ranking of 1,000 units');
          const scope = scopes[turn++ % scopes.length]!;
          const { rows, ...header } = ranking;
          const items = rows.filter((r) => scope === null || scope.includes(r.unitId));
          return JSON.stringify({ ...header, units: rows.length, items }).length;
        };
        const id = monthlyRankingId(CYCLE_ID, CATEGORY, '2026-06');
        const get = () => views.get(MONTHLY_RANKINGS, id);
        const stored = await views.get(MONTHLY_RANKINGS, id);
        log(`the document of June: ${Math.round(JSON.stringify(stored).length / 1024)} KB of JSON`);
        const { value, baseline } = await interleavedRounds({
          rounds: 5,
          warmup: { subject: query, baseline: get },
          subject: () => p95(benchMs(1000), 50, query),
          baseline: () => p95(benchMs(1000), 50, get),
          log,
          unit: 'ms (p95)',
        });
        return { value, unit: 'ms (p95)', baseline };
      } finally {
        await reactor.stop();
        await engine.stop();
        await views.close();
        await events.close();
      }
    },
  },
  {
    name: 'ranking.recompute',
    description:
      'seconds to recompute every score of a category at one instant from the log (load, fold, ranking document), 1,000 units × 400 targets; baseline: one pass reading every target event',
    async run({ dir, log }) {
      const units = positiveInt('BENCH_RANKING_UNITS', 1000, 10);
      const perUnit = positiveInt('BENCH_RANKING_TARGETS_PER_UNIT', 400);
      log(`${units.toLocaleString('en-US')} units × ${perUnit} targets`);
      await populate(dir, townsLog(units, perUnit), log);
      const { events, views, loader } = open(dir);
      try {
        const names = new Map<string, string>();
        const recompute = async () => {
          const t0 = performance.now();
          const input = await loader.load({ cycleId: CYCLE_ID, category: CATEGORY, at: JUNE_END });
          const t1 = performance.now();
          // As the reactor does: the targets folded once for the scores and the completion figures, no trace.
          const facts = foldTargets(input.targetEvents, input.asOf);
          const scored = scoreCategory(input, { trace: 'none', facts });
          const t2 = performance.now();
          const doc = buildMonthlyRanking({
            year: YEAR,
            month: '2026-06',
            scored,
            input,
            unitNames: names,
            facts,
          });
          const t3 = performance.now();
          if (doc.rows.length !== units) throw new Error(`ranked ${doc.rows.length} units`);
          log(
            `load ${((t1 - t0) / 1000).toFixed(1)} s (${input.targetEvents.length.toLocaleString('en-US')} target events), ` +
              `fold ${((t2 - t1) / 1000).toFixed(1)} s, document ${((t3 - t2) / 1000).toFixed(1)} s, ` +
              `heap ${(process.memoryUsage().heapUsed / 2 ** 30).toFixed(1)} GB, ` +
              `peak RSS ${(process.resourceUsage().maxRSS / 2 ** 20).toFixed(1)} GB`,
          );
          return (t3 - t0) / 1000;
        };
        const scan = async () => {
          const t0 = performance.now();
          let n = 0;
          for await (const event of readAllPages(events, {
            filter: { streamPrefixes: ['target-'] },
            pageSize: 5000,
          }))
            n += event.position > 0 ? 1 : 0;
          if (n === 0) throw new Error('no target events');
          return (performance.now() - t0) / 1000;
        };
        const { value, baseline } = await interleavedRounds({
          rounds: 1,
          subject: recompute,
          baseline: scan,
          log,
          unit: 's',
        });
        return { value, unit: 's', baseline };
      } finally {
        await views.close();
        await events.close();
      }
    },
  },
];
