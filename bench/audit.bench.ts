/**
 * Audit benchmarks (embedded mode: SQLite log). See docs/benchmarks.md and docs/audit.md.
 *
 * - `audit.verify`: events/s of the hash-chain verification behind GET /audit/verify and
 *   `npm run verify-log` (`verifyChain` over `readAllPages`, as stored, not upcast) over a
 *   1,000,000-event log (`BENCH_AUDIT_EVENTS`); goal ≥ 200,000 events/s. Baseline: a bare read of
 *   the same events through the same port (readAllPages, no hashing), in the same run.
 * - `audit.digest`: events/s of a from-scratch signed log digest (Merkle root by position over every
 *   event, each event's hash recomputed on the way) over the same log; baseline: the same bare read.
 */
import { join } from 'node:path';
import { LogDigester } from '@dukao/audit';
import { loadConfig } from '@dukao/config';
import {
  SqliteEventStore,
  type EventStore,
  type NewEvent,
  readAllPages,
  verifyChain,
} from '@dukao/event-store';
import { progressReported } from './fixtures';
import { type Benchmark, interleavedRounds } from './harness';

const PAGE = 5000;

/** `BENCH_AUDIT_EVENTS` (default 1,000,000): the size of the log the audit benchmarks read. */
function auditEvents(): number {
  const raw = process.env.BENCH_AUDIT_EVENTS;
  if (raw === undefined || raw === '') return 1_000_000;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 1000)
    throw new Error(`BENCH_AUDIT_EVENTS must be a whole number ≥ 1000 (got "${raw}")`);
  return n;
}

/**
 * A real, hash-chained log: appends through the store (group commit, 10 appends of 100 events per
 * transaction) to 10,000 streams in turn, so chains interleave as reports on many targets do.
 */
async function populate(store: EventStore, total: number, log: (message: string) => void): Promise<void> {
  const start = performance.now();
  const streams = 10_000;
  let written = 0;
  let round = 0;
  while (written < total) {
    const appends: Array<Promise<unknown>> = [];
    for (let i = 0; i < 10 && written < total; i += 1) {
      const count = Math.min(100, total - written);
      const events: NewEvent[] = Array.from({ length: count }, progressReported);
      written += count;
      appends.push(store.append(`report-${(round * 10 + i) % streams}`, events, { expectedRevision: 'any' }));
    }
    round += 1;
    await Promise.all(appends);
    if (written % 200_000 === 0)
      log(
        `populating: ${written.toLocaleString('en-US')} events, ${((performance.now() - start) / 1000).toFixed(1)} s`,
      );
  }
  log(
    `populated ${total.toLocaleString('en-US')} events in ${((performance.now() - start) / 1000).toFixed(1)} s`,
  );
}

async function bareRead(store: EventStore, total: number): Promise<number> {
  const start = performance.now();
  let events = 0;
  for await (const _event of readAllPages(store, { upcast: false, pageSize: PAGE })) events += 1;
  if (events !== total) throw new Error(`read ${events} events, expected ${total}`);
  return (events * 1000) / (performance.now() - start);
}

async function withLog<T>(
  dir: string,
  log: (message: string) => void,
  body: (store: SqliteEventStore, total: number) => Promise<T>,
): Promise<T> {
  const total = auditEvents();
  const store = new SqliteEventStore({ filename: join(dir, 'events.sqlite'), durability: 'normal' });
  try {
    await populate(store, total, log);
    return await body(store, total);
  } finally {
    await store.close();
  }
}

export const benchmarks: readonly Benchmark[] = [
  {
    name: 'audit.verify',
    description:
      'events/s of verifyChain (GET /audit/verify, npm run verify-log) over a 1,000,000-event SQLite log (BENCH_AUDIT_EVENTS); goal ≥ 200,000; baseline: a bare readAllPages of the same events',
    run: (context) =>
      withLog(context.dir, context.log, async (store, total) => {
        const verify = async () => {
          const start = performance.now();
          const result = await verifyChain(readAllPages(store, { upcast: false, pageSize: PAGE }), {
            gapFreePositions: true,
          });
          if (!result.ok || result.events !== total) throw new Error(`verify: ${JSON.stringify(result)}`);
          return (total * 1000) / (performance.now() - start);
        };
        const measured = await interleavedRounds({
          rounds: 3,
          subject: verify,
          baseline: () => bareRead(store, total),
          log: context.log,
          unit: 'events/s',
        });
        return { ...measured, unit: 'events/s' };
      }),
  },
  {
    name: 'audit.digest',
    description:
      'events/s of a from-scratch signed log digest (Merkle root by position, every hash recomputed) over the same 1,000,000-event log; baseline: a bare readAllPages of the same events',
    run: (context) =>
      withLog(context.dir, context.log, async (store, total) => {
        const config = loadConfig({ DATA_DIR: context.dir });
        const digest = async () => {
          // A new digester has no cached tree: it reads and hashes the whole log.
          const digester = new LogDigester(store, config, () => new Date());
          const start = performance.now();
          const document = await digester.compute({ kind: 'schedule' });
          if (document.eventCount !== total) throw new Error(`digest of ${document.eventCount} events`);
          return (total * 1000) / (performance.now() - start);
        };
        const measured = await interleavedRounds({
          rounds: 2,
          subject: digest,
          baseline: () => bareRead(store, total),
          log: context.log,
          unit: 'events/s',
        });
        return { ...measured, unit: 'events/s' };
      }),
  },
];
