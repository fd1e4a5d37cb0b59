/**
 * Event store benchmarks (SQLite adapter, through the `EventStore` port), each against the raw
 * better-sqlite3 operation (or, for group commit, the port's own sequential rate) measured in the
 * same run. See docs/benchmarks.md for goals and recorded figures.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { type EventStore, type ExpectedRevision, type NewEvent, SqliteEventStore } from '@dukao/event-store';
import { openRawEventsDb, progressReported, rawInserter, suppliedEventBytes } from './fixtures';
import { type BenchContext, type Benchmark, benchMs, interleavedRounds, ratePerSecond } from './harness';

// Append benchmarks: 10 interleaved rounds of 0.5 s per side after a warm-up, the median of each
// side. Short rounds, many of them: on a shared VM, fsync latency drifts within seconds.
const ROUNDS = 10;
const ROUND_MS = 500;
const WARMUP_MS = 300;

/** Round-robin over `count` streams, remembering each one's revision so appends use exact expectations. */
class Streams {
  private readonly revisions: number[];
  private cursor = 0;

  constructor(
    private readonly prefix: string,
    count: number,
  ) {
    this.revisions = new Array<number>(count).fill(-1);
  }

  get count(): number {
    return this.revisions.length;
  }

  take(): number {
    const index = this.cursor;
    this.cursor = (this.cursor + 1) % this.revisions.length;
    return index;
  }

  id(index: number): string {
    return `${this.prefix}-${index}`;
  }

  expected(index: number): ExpectedRevision {
    const revision = this.revisions[index]!;
    return revision < 0 ? 'no_stream' : revision;
  }

  firstRevision(index: number): number {
    return this.revisions[index]! + 1;
  }

  advance(index: number, lastRevision: number): void {
    this.revisions[index] = lastRevision;
  }
}

function newEvents(count: number): NewEvent[] {
  return Array.from({ length: count }, progressReported);
}

/** One append of `perAppend` events at a time, each awaited: the command-handler path. */
function portSequential(store: EventStore, streams: Streams, perAppend: number): () => Promise<number> {
  return async () => {
    const index = streams.take();
    const result = await store.append(streams.id(index), newEvents(perAppend), {
      expectedRevision: streams.expected(index),
    });
    streams.advance(index, result.nextRevision);
    return perAppend;
  };
}

/** The same rows, straight into SQLite: one transaction per call. */
function rawSequential(db: Database.Database, streams: Streams, perTransaction: number): () => number {
  const insert = rawInserter(db);
  return () => {
    const index = streams.take();
    const first = streams.firstRevision(index);
    insert(streams.id(index), first, newEvents(perTransaction));
    streams.advance(index, first + perTransaction - 1);
    return perTransaction;
  };
}

/** `streams.count` appenders, each looping `await append(one event to its own stream)` until time is up. */
async function portConcurrent(store: EventStore, streams: Streams, durationMs: number): Promise<number> {
  let stop = false;
  let events = 0;
  const start = performance.now();
  const timer = setTimeout(() => {
    stop = true;
  }, durationMs);
  await Promise.all(
    Array.from({ length: streams.count }, async (_, index) => {
      while (!stop) {
        const result = await store.append(streams.id(index), [progressReported()], {
          expectedRevision: streams.expected(index),
        });
        streams.advance(index, result.nextRevision);
        events += 1;
      }
    }),
  );
  clearTimeout(timer);
  return (events * 1000) / (performance.now() - start);
}

async function appendAgainstRaw(
  context: BenchContext,
  perAppend: number,
): Promise<{ value: number; baseline: number }> {
  const store = new SqliteEventStore({ filename: join(context.dir, 'port.sqlite') });
  const raw = await openRawEventsDb(join(context.dir, 'raw.sqlite'), 'full');
  try {
    context.log(
      `${suppliedEventBytes()} bytes per event as supplied; ${perAppend} per append; synchronous=FULL, WAL`,
    );
    const subject = portSequential(store, new Streams('report', 100), perAppend);
    const baseline = rawSequential(raw, new Streams('report', 100), perAppend);
    return await interleavedRounds({
      rounds: ROUNDS,
      warmup: {
        subject: () => ratePerSecond(benchMs(WARMUP_MS), subject),
        baseline: () => ratePerSecond(benchMs(WARMUP_MS), baseline),
      },
      subject: () => ratePerSecond(benchMs(ROUND_MS), subject),
      baseline: () => ratePerSecond(benchMs(ROUND_MS), baseline),
      log: context.log,
      unit: 'events/s',
    });
  } finally {
    raw.close();
    await store.close();
  }
}

const READ_ALL_EVENTS = 200_000;
const READ_ALL_PAGE = 1000;
/** Each round reads the whole log once per side (about 2 s each here). */
const READ_ALL_ROUNDS = 3;

/** Reads the whole log page by page and returns events per second. */
async function scanRate(readPage: (after: number) => Promise<Array<{ position: number }>>): Promise<number> {
  let after = 0;
  let events = 0;
  const start = performance.now();
  for (;;) {
    const page = await readPage(after);
    if (page.length === 0) break;
    events += page.length;
    after = page[page.length - 1]!.position;
  }
  if (events !== READ_ALL_EVENTS) throw new Error(`scanned ${events} events, expected ${READ_ALL_EVENTS}`);
  return (events * 1000) / (performance.now() - start);
}

async function populate(store: EventStore, context: BenchContext): Promise<void> {
  const perAppend = 100;
  const concurrent = 20; // group commit: 2,000 events per transaction
  const start = performance.now();
  for (let written = 0, stream = 0; written < READ_ALL_EVENTS; written += perAppend * concurrent) {
    await Promise.all(
      Array.from({ length: concurrent }, () =>
        store.append(`report-${stream++}`, newEvents(perAppend), { expectedRevision: 'no_stream' }),
      ),
    );
  }
  const head = await store.headPosition();
  if (head !== READ_ALL_EVENTS) throw new Error(`populated ${head} events, expected ${READ_ALL_EVENTS}`);
  context.log(
    `populated ${READ_ALL_EVENTS.toLocaleString('en-US')} events in ${((performance.now() - start) / 1000).toFixed(1)} s`,
  );
}

export const benchmarks: Benchmark[] = [
  {
    name: 'eventstore.append.single',
    description:
      'sequential awaited one-event appends through the port, durable; baseline: raw INSERT, one row per transaction, same durability',
    async run(context) {
      return { ...(await appendAgainstRaw(context, 1)), unit: 'events/s' };
    },
  },
  {
    name: 'eventstore.append.concurrent',
    description:
      '64 concurrent appenders, one event per append to their own streams, durable; baseline: the port appending sequentially',
    async run(context) {
      const store = new SqliteEventStore({ filename: join(context.dir, 'port.sqlite') });
      try {
        const sequential = portSequential(store, new Streams('sequential', 64), 1);
        const concurrent = new Streams('concurrent', 64);
        const measured = await interleavedRounds({
          rounds: ROUNDS,
          warmup: {
            subject: () => portConcurrent(store, concurrent, benchMs(WARMUP_MS)),
            baseline: () => ratePerSecond(benchMs(WARMUP_MS), sequential),
          },
          subject: () => portConcurrent(store, concurrent, benchMs(ROUND_MS)),
          baseline: () => ratePerSecond(benchMs(ROUND_MS), sequential),
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
    name: 'eventstore.append.batch100',
    description:
      'sequential awaited appends of 100 events to one stream through the port, durable; baseline: raw INSERT of 100 rows per transaction',
    async run(context) {
      return { ...(await appendAgainstRaw(context, 100)), unit: 'events/s' };
    },
  },
  {
    name: 'eventstore.readAll',
    description: `readAll in pages of ${READ_ALL_PAGE} over ${READ_ALL_EVENTS.toLocaleString('en-US')} events; baseline: raw paged SELECT with JSON.parse of data and metadata`,
    async run(context) {
      const filename = join(context.dir, 'port.sqlite');
      const store = new SqliteEventStore({ filename });
      const raw = new Database(filename, { readonly: true });
      try {
        await populate(store, context);
        const select = raw.prepare<[number, number]>(
          'SELECT * FROM events WHERE position > ? ORDER BY position LIMIT ?',
        );
        const subject = () => scanRate((after) => store.readAll({ after, limit: READ_ALL_PAGE }));
        // The plainest reader: default row objects, data and metadata parsed and kept, nothing else.
        const baseline = () =>
          scanRate(async (after) => {
            const rows = select.all(after, READ_ALL_PAGE) as Array<{
              position: number;
              data: string;
              metadata: string;
            }>;
            const parsed: unknown[] = [];
            for (const row of rows) parsed.push(JSON.parse(row.data), JSON.parse(row.metadata));
            return parsed.length === rows.length * 2 ? rows : [];
          });
        const measured = await interleavedRounds({
          rounds: READ_ALL_ROUNDS,
          warmup: { subject, baseline },
          subject,
          baseline,
          log: context.log,
          unit: 'events/s',
        });
        return { ...measured, unit: 'events/s' };
      } finally {
        raw.close();
        await store.close();
      }
    },
  },
];
