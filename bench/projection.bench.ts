/**
 * Projection and read-model benchmarks (embedded mode: SQLite log, SQLite read models), each against
 * the raw operation underneath measured in the same run. See docs/benchmarks.md for goals and figures.
 *
 * - `projection.catchup`: the real `ProjectionEngine` filling a fresh read-model file from a
 *   100,000-event log; baseline: `readAll` over the same log (readAllPages).
 * - `projection.rebuild.1m`: `engine.rebuild(name)` over 1,000,000 events (`BENCH_REBUILD_EVENTS`)
 *   until the new generation is active; baseline: the time `readAll` takes over the same log.
 * - `readmodel.query.indexed`: p95 of an indexed `find` with sort and limit over 100,000 documents;
 *   baseline: the same query on a plain better-sqlite3 table with real columns and the same index.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { type EventStore, type NewEvent, SqliteEventStore, readAllPages } from '@dukao/event-store';
import { ProjectionEngine, documentProjection } from '@dukao/projections';
import { type ReadModelDocument, SqliteReadModelStore } from '@dukao/read-model-store';
import { openRawEventsDb, progressReported, rawInserter } from './fixtures';
import { type BenchContext, type Benchmark, benchMs, interleavedRounds } from './harness';

// ---------------------------------------------------------------------------------------------
// The log and the projection

const DOCUMENTS = 10_000;
const CATCHUP_EVENTS = 100_000;
const CATCHUP_ROUNDS = 3;
const SCAN_PAGE = 1000;

/** `BENCH_REBUILD_EVENTS` (default 1,000,000): the size of the log `projection.rebuild.1m` rebuilds over. */
function rebuildEvents(): number {
  const raw = process.env.BENCH_REBUILD_EVENTS;
  if (raw === undefined || raw === '') return 1_000_000;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 1000)
    throw new Error(`BENCH_REBUILD_EVENTS must be a whole number ≥ 1000 (got "${raw}")`);
  return n;
}

/**
 * The n-th event of a benchmark log: a `ProgressReported` event of the fixtures whose target is one
 * of DOCUMENTS. 7,919 is prime to 10,000, so consecutive events change different documents and
 * every document is changed all along the log, as reports on many targets interleave.
 */
function reportEvent(n: number): NewEvent {
  const event = progressReported();
  const document = (n * 7919) % DOCUMENTS;
  return {
    ...event,
    data: {
      ...event.data,
      targetId: `target-${String(document).padStart(5, '0')}`,
      unitId: `unit-${String(document % 120).padStart(4, '0')}`,
    },
  };
}

/** Appends `total` events with group commit: 10 appends of 100 events to new streams per transaction. */
async function populateLog(store: EventStore, total: number, log: (message: string) => void): Promise<void> {
  const perAppend = 100;
  const concurrent = 10;
  const start = performance.now();
  let written = 0;
  let stream = 0;
  let reported = 0;
  while (written < total) {
    const appends: Array<Promise<unknown>> = [];
    for (let i = 0; i < concurrent && written < total; i += 1) {
      const count = Math.min(perAppend, total - written);
      const first = written;
      const events = Array.from({ length: count }, (_, k) => reportEvent(first + k));
      written += count;
      appends.push(store.append(`report-${stream++}`, events, { expectedRevision: 'no_stream' }));
    }
    await Promise.all(appends);
    if (written - reported >= 200_000) {
      reported = written;
      log(
        `populating: ${written.toLocaleString('en-US')} events, ${((performance.now() - start) / 1000).toFixed(1)} s`,
      );
    }
  }
  const head = await store.headPosition();
  if (head !== total) throw new Error(`populated ${head} events, expected ${total}`);
  log(
    `populated ${total.toLocaleString('en-US')} events in ${((performance.now() - start) / 1000).toFixed(1)} s`,
  );
}

/**
 * Writes `total` events as raw rows, 1,000 per transaction, into an events table the adapter created:
 * the rows the store would write (same columns, same JSON), but with placeholder hashes, so that a
 * million events take tens of seconds rather than minutes of hashing. Reading them back through the
 * port costs the same as reading hashed events; `verify-log` would reject this log.
 */
async function populateRawLog(
  filename: string,
  total: number,
  log: (message: string) => void,
): Promise<void> {
  const start = performance.now();
  const db = await openRawEventsDb(filename, 'normal');
  try {
    const insert = rawInserter(db);
    for (let written = 0, stream = 0; written < total; stream += 1) {
      const first = written;
      const count = Math.min(1000, total - written);
      insert(
        `report-${stream}`,
        0,
        Array.from({ length: count }, (_, k) => reportEvent(first + k)),
      );
      written += count;
      if (written % 200_000 === 0) {
        log(
          `populating: ${written.toLocaleString('en-US')} events, ${((performance.now() - start) / 1000).toFixed(1)} s`,
        );
      }
    }
  } finally {
    db.close();
  }
  log(
    `populated ${total.toLocaleString('en-US')} events (raw rows) in ${((performance.now() - start) / 1000).toFixed(1)} s`,
  );
}

interface ProgressDocument extends ReadModelDocument {
  unitId: string;
  period: string;
  cumulative: number;
  reports: number;
  narrative: string;
  evidenceHash: string;
  reportedBy: string;
  recordedAt: string;
}

const PROJECTION = 'benchProgress';

/** One document per target, upserted by every report on it: the shape of most of our views. */
const progressProjection = documentProjection<ProgressDocument>({
  name: PROJECTION,
  version: 1,
  eventTypes: ['ProgressReported'],
  collection: { name: PROJECTION, indexes: [{ fields: { unitId: 1, period: 1 } }] },
  documentId: (event) => (event.data as { targetId: string }).targetId,
  evolve(document, event) {
    const data = event.data as {
      targetId: string;
      unitId: string;
      period: string;
      cumulative: number;
      narrative: string;
      evidenceHash: string;
    };
    return {
      _id: data.targetId,
      unitId: data.unitId,
      period: data.period,
      cumulative: data.cumulative,
      reports: (document?.reports ?? 0) + 1,
      narrative: data.narrative,
      evidenceHash: data.evidenceHash,
      reportedBy: event.metadata.actor.userId,
      recordedAt: event.metadata.recordedAt,
    };
  },
});

function quietLogger(context: BenchContext) {
  return {
    log: () => undefined,
    warn: (message: unknown) => context.log(`engine warning: ${String(message)}`),
    error: (message: unknown) => context.log(`engine error: ${String(message)}`),
  };
}

/** Reads the whole log page by page through the port (as the runner does), returns the event count. */
async function scanLog(store: EventStore): Promise<number> {
  let events = 0;
  for await (const _event of readAllPages(store, { pageSize: SCAN_PAGE })) events += 1;
  return events;
}

async function checkDocuments(readStore: SqliteReadModelStore, expectedReports: number): Promise<void> {
  const documents = await readStore.count(PROJECTION);
  if (documents !== DOCUMENTS)
    throw new Error(`the projection holds ${documents} documents, expected ${DOCUMENTS}`);
  const sample = await readStore.get<ProgressDocument>(PROJECTION, 'target-00001');
  if (sample?.reports !== expectedReports / DOCUMENTS) {
    throw new Error(
      `target-00001 counts ${sample?.reports} reports, expected ${expectedReports / DOCUMENTS}`,
    );
  }
}

async function whenActive(
  readStore: SqliteReadModelStore,
  generation: number,
  timeoutMs: number,
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    if ((await readStore.registration(PROJECTION))?.generation === generation) return;
    if (performance.now() > deadline)
      throw new Error(`generation ${generation} not active after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

// ---------------------------------------------------------------------------------------------
// Read-model queries

const QUERY_DOCUMENTS = 100_000;
const QUERY_ROUNDS = 5;
const QUERY_ROUND_MS = 1000;
const QUERY_LIMIT = 20;
const STATUSES = ['proposed', 'returned', 'issued', 'withdrawn'] as const;
const CATEGORIES = ['towns', 'departments'] as const;
const TITLES = [
  '新开工保障性住房',
  '重点项目完成投资',
  '专项整治问题整改',
  '群众满意度调查',
  '营商环境评价得分',
  '城乡居民收入增长',
];

interface TargetDocument extends ReadModelDocument {
  cycleId: string;
  unitId: string;
  category: string;
  indicatorId: string;
  title: string;
  status: string;
  completion: number;
  latestPeriod: string;
  annualValue: number;
  missedPeriods: string[];
}

/** 100,000 target documents; completion has two decimals, so there are ties (the sort breaks them by id). */
function targetDocument(n: number): TargetDocument {
  const unit = n % 240;
  return {
    _id: `target-${String(n).padStart(6, '0')}`,
    cycleId: '2026',
    unitId: `unit-${String(unit).padStart(4, '0')}`,
    // Category and status vary independently: each of the 8 pairs holds 12,500 documents.
    category: CATEGORIES[n % 2]!,
    status: STATUSES[Math.floor(n / 2) % 4]!,
    indicatorId: `ind-${String(n % 200).padStart(3, '0')}`,
    title: `${TITLES[n % TITLES.length]!}（第 ${n % 37} 项）`,
    completion: Math.round(((n * 7919) % 10_007) * (100 / 10_007) * 100) / 100,
    latestPeriod: `2026-${String((n % 12) + 1).padStart(2, '0')}`,
    annualValue: (n % 500) * 10,
    missedPeriods: n % 7 === 0 ? ['2026-03'] : [],
  };
}

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** Runs `query` back to back for `durationMs` (8 filter pairs in turn) and returns the p95 latency in ms. */
async function p95(durationMs: number, query: (pair: number) => Promise<number>): Promise<number> {
  const latencies: number[] = [];
  const end = performance.now() + durationMs;
  for (let n = 0; performance.now() < end; n += 1) {
    const start = performance.now();
    const found = await query(n % 8);
    latencies.push(performance.now() - start);
    if (found !== QUERY_LIMIT) throw new Error(`query returned ${found} documents, expected ${QUERY_LIMIT}`);
  }
  return percentile(latencies, 95);
}

// ---------------------------------------------------------------------------------------------

export const benchmarks: Benchmark[] = [
  {
    name: 'projection.catchup',
    description: `ProjectionEngine filling a fresh SQLite read model from a ${CATCHUP_EVENTS.toLocaleString('en-US')}-event SQLite log, one upsert per event over ${DOCUMENTS.toLocaleString('en-US')} documents; baseline: readAll over the same log`,
    async run(context) {
      const store = new SqliteEventStore({
        filename: join(context.dir, 'events.sqlite'),
        durability: 'normal',
      });
      let round = 0;
      try {
        await populateLog(store, CATCHUP_EVENTS, context.log);
        const head = (await store.headPosition())!;
        const subject = async () => {
          round += 1;
          const readStore = new SqliteReadModelStore({
            filename: join(context.dir, `views-${round}.sqlite`),
          });
          const engine = new ProjectionEngine(store, readStore, [progressProjection], {
            logger: quietLogger(context),
          });
          try {
            const start = performance.now();
            await engine.start();
            if (!(await engine.waitFor(PROJECTION, head, 600_000)))
              throw new Error('the projection did not reach the head');
            const seconds = (performance.now() - start) / 1000;
            await engine.stop();
            await checkDocuments(readStore, CATCHUP_EVENTS);
            return CATCHUP_EVENTS / seconds;
          } finally {
            await engine.stop();
            await readStore.close();
          }
        };
        const baseline = async () => {
          const start = performance.now();
          const events = await scanLog(store);
          if (events !== CATCHUP_EVENTS)
            throw new Error(`scanned ${events} events, expected ${CATCHUP_EVENTS}`);
          return (events * 1000) / (performance.now() - start);
        };
        const measured = await interleavedRounds({
          rounds: CATCHUP_ROUNDS,
          warmup: { subject, baseline },
          subject,
          baseline,
          log: context.log,
          unit: 'events/s',
        });
        return { ...measured, unit: 'events/s' };
      } finally {
        await store.close();
      }
    },
  },
  {
    name: 'projection.rebuild.1m',
    description:
      'seconds for engine.rebuild() of one projection over 1,000,000 events (BENCH_REBUILD_EVENTS) until the new generation is active; baseline: seconds to readAll the same log',
    async run(context) {
      const total = rebuildEvents();
      const filename = join(context.dir, 'events.sqlite');
      await populateRawLog(filename, total, context.log);
      const store = new SqliteEventStore({ filename, durability: 'normal' });
      const readStore = new SqliteReadModelStore({ filename: join(context.dir, 'views.sqlite') });
      const engine = new ProjectionEngine(store, readStore, [progressProjection], {
        logger: quietLogger(context),
      });
      try {
        const head = await store.headPosition();
        if (head !== total) throw new Error(`populated ${head} events, expected ${total}`);
        // The serving generation is already at the head (as in production before a rebuild), so that
        // starting the engine costs nothing and only the rebuild is timed.
        const current = await readStore.generation(PROJECTION, 1, progressProjection.collections);
        await current.commit([], head);
        await readStore.activate(PROJECTION, 1, progressProjection.version);
        await engine.start();
        if (!(await engine.waitFor(PROJECTION, head, 10_000))) throw new Error('generation 1 is not live');

        const scan = async () => {
          const start = performance.now();
          const events = await scanLog(store);
          if (events !== total) throw new Error(`scanned ${events} events, expected ${total}`);
          return (performance.now() - start) / 1000;
        };
        // A scan on each side of the rebuild; the faster counts (the first also warms the page cache).
        const before = await scan();
        context.log(`readAll: ${before.toFixed(1)} s`);
        const start = performance.now();
        await engine.rebuild(PROJECTION);
        await whenActive(readStore, 2, 30 * 60_000);
        const seconds = (performance.now() - start) / 1000;
        context.log(
          `rebuild: ${seconds.toFixed(1)} s (${Math.round(total / seconds).toLocaleString('en-US')} events/s)`,
        );
        const after = await scan();
        context.log(`readAll: ${after.toFixed(1)} s`);
        await checkDocuments(readStore, total - (total % DOCUMENTS));
        return { value: seconds, baseline: Math.min(before, after), unit: 's' };
      } finally {
        await engine.stop();
        await readStore.close();
        await store.close();
      }
    },
  },
  {
    name: 'readmodel.query.indexed',
    description: `p95 ms of find({ category, status }, sort { completion: -1 }, limit ${QUERY_LIMIT}) over ${QUERY_DOCUMENTS.toLocaleString('en-US')} documents on an index (category, status, completion desc); baseline: the same query on a plain better-sqlite3 table with real columns and index`,
    async run(context) {
      const collection = 'benchTargets';
      const readStore = new SqliteReadModelStore({ filename: join(context.dir, 'views.sqlite') });
      const raw = new Database(join(context.dir, 'raw.sqlite'));
      try {
        const start = performance.now();
        const writer = await readStore.generation(collection, 1, [
          { name: collection, indexes: [{ fields: { category: 1, status: 1, completion: -1 } }] },
        ]);
        raw.pragma('journal_mode = WAL');
        raw.pragma('synchronous = NORMAL');
        raw.exec(`CREATE TABLE targets (
          id TEXT PRIMARY KEY, category TEXT NOT NULL, status TEXT NOT NULL, completion REAL NOT NULL, doc TEXT NOT NULL
        ) STRICT;
        CREATE INDEX targets_by_status ON targets (category, status, completion DESC);`);
        const insert = raw.prepare(
          'INSERT INTO targets (id, category, status, completion, doc) VALUES (?, ?, ?, ?, ?)',
        );
        const insertAll = raw.transaction((documents: TargetDocument[]) => {
          for (const { _id, ...doc } of documents)
            insert.run(_id, doc.category, doc.status, doc.completion, JSON.stringify(doc));
        });
        for (let n = 0; n < QUERY_DOCUMENTS; n += 1000) {
          const documents = Array.from({ length: 1000 }, (_, k) => targetDocument(n + k));
          await writer.commit(
            documents.map((document) => ({ type: 'put', collection, document })),
            n + 1000,
          );
          insertAll(documents);
        }
        await readStore.activate(collection, 1, 1);
        raw.exec('ANALYZE');
        context.log(
          `${QUERY_DOCUMENTS.toLocaleString('en-US')} documents of ${Buffer.byteLength(JSON.stringify(targetDocument(1)))} bytes written to both in ${((performance.now() - start) / 1000).toFixed(1)} s`,
        );

        const pairs = CATEGORIES.flatMap((category) => STATUSES.map((status) => ({ category, status })));
        // The same result as the adapter's: ties on completion in id order.
        const select = raw.prepare<[string, string, number], { id: string; doc: string }>(
          'SELECT id, doc FROM targets WHERE category = ? AND status = ? ORDER BY completion DESC, id ASC LIMIT ?',
        );
        const rawQuery = (pair: number) => {
          const { category, status } = pairs[pair]!;
          return select
            .all(category, status, QUERY_LIMIT)
            .map((row) => ({ _id: row.id, ...(JSON.parse(row.doc) as object) }));
        };
        const portQuery = (pair: number) =>
          readStore.find<TargetDocument>(collection, pairs[pair], {
            sort: { completion: -1 },
            limit: QUERY_LIMIT,
          });

        // Both answer alike, document for document.
        for (let pair = 0; pair < pairs.length; pair += 1) {
          const [ours, theirs] = [JSON.stringify(await portQuery(pair)), JSON.stringify(rawQuery(pair))];
          if (ours !== theirs) throw new Error(`the two queries disagree for ${JSON.stringify(pairs[pair])}`);
        }
        // How SQLite runs the adapter's query (on its own file): the index for the filter and the order.
        const views = new Database(join(context.dir, 'views.sqlite'), { readonly: true });
        const plan = views
          .prepare(
            `EXPLAIN QUERY PLAN SELECT id, doc FROM "${collection}__g1" WHERE (json_extract(doc, '$.category') = ?) AND (json_extract(doc, '$.status') = ?) ORDER BY json_extract(doc, '$.completion') DESC, id ASC LIMIT ? OFFSET ?`,
          )
          .all('towns', 'issued', QUERY_LIMIT, 0) as Array<{ detail: string }>;
        views.close();
        context.log(`plan: ${plan.map((step) => step.detail).join('; ')}`);
        const subject = () => p95(benchMs(QUERY_ROUND_MS), async (pair) => (await portQuery(pair)).length);
        const baseline = () => p95(benchMs(QUERY_ROUND_MS), async (pair) => rawQuery(pair).length);
        const measured = await interleavedRounds({
          rounds: QUERY_ROUNDS,
          warmup: { subject, baseline },
          subject,
          baseline,
          log: context.log,
          unit: 'ms (p95)',
        });
        return { ...measured, unit: 'ms' };
      } finally {
        raw.close();
        await readStore.close();
      }
    },
  },
];
