/**
 * Reminder dispatch with real Redis (production mode's queue), against the raw queue underneath.
 *
 * - `reminders.dispatch.bullmq`: SMS messages per second end to end: `JobQueue.schedule` of 'sms'
 *   jobs on the BullMQ adapter, consumed by `SendReminderProcessor.send` (ledger check, per-phone
 *   limits and quiet hours, seal, gateway, `SmsSent` appended to the SQLite log, ledger mark) until
 *   every send has returned (its message in the outbox, `SmsSent` durable, the ledger mark
 *   committed). Baseline: bare BullMQ `Queue.add` + a `Worker` with a no-op processor, the same
 *   number of jobs, the same concurrency (`SMS_SEND_CONCURRENCY`), until every job completed.
 *
 * Redis comes from `startRedis` (libs/testing): `REDIS_URL`, else a throwaway `redis-server` from PATH.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { SqliteEventStore } from '@dukao/event-store';
import {
  BullmqJobQueue,
  OutboxSmsGateway,
  SendReminderProcessor,
  SMS_JOB,
  SMS_SEND_CONCURRENCY,
  SmsLedger,
} from '@dukao/notifications';
import type { ReadModelStore } from '@dukao/read-model-store';
import { DEFAULT_SCHEME } from '@dukao/targets';
// The file, not @dukao/testing: the rest of that lib needs jest's globals, which the build has not.
import { reminderItem } from '../libs/testing/src/reminder-item';
import { startRedis } from '../libs/testing/src/redis-server';
import { type Benchmark, interleavedRounds } from './harness';

const MESSAGES = 4000;
/** A cycle whose scheme has no quiet hours, so the benchmark sends at whatever hour it runs. */
const OPEN_CYCLE = {
  schemes: [
    {
      effectiveFrom: '2000-01-01T00:00:00.000Z',
      scheme: {
        ...DEFAULT_SCHEME,
        reminders: { ...DEFAULT_SCHEME.reminders, quietHours: { from: '00:00', to: '00:00' } },
      },
    },
  ],
};
const ROUNDS = 3;
/** The sender's own concurrency for 'sms' jobs (SendReminderProcessor), given to the bare worker too. */
const CONCURRENCY = SMS_SEND_CONCURRENCY;
const SCHEDULE_IN_FLIGHT = 64;

async function inChunks(n: number, inFlight: number, each: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < n) await each(next++);
    }),
  );
}

/** Bare BullMQ: add N jobs, a no-op worker, until all completed; jobs per second. */
async function bareRound(url: string): Promise<number> {
  const prefix = `bench-bare-${randomUUID().slice(0, 8)}`;
  const connection = new Redis(url, { maxRetriesPerRequest: null });
  const queue = new Queue('bench', { connection, prefix });
  let completed = 0;
  let done!: () => void;
  const finished = new Promise<void>((resolve) => (done = resolve));
  const start = performance.now();
  const worker = new Worker(
    'bench',
    async () => {
      if (++completed === MESSAGES) done();
    },
    { connection, prefix, concurrency: CONCURRENCY },
  );
  await inChunks(MESSAGES, SCHEDULE_IN_FLIGHT, (i) =>
    queue.add('sms', { i }, { jobId: `job-${i}`, removeOnComplete: false, removeOnFail: false }),
  );
  await finished;
  const rate = (MESSAGES * 1000) / (performance.now() - start);
  await worker.close();
  await queue.obliterate({ force: true });
  await queue.close();
  connection.disconnect();
  return rate;
}

/** Our path: schedule N 'sms' jobs of N open digests, send them all to the outbox; messages per second. */
async function dispatchRound(url: string, dir: string): Promise<number> {
  const round = randomUUID().slice(0, 8);
  const queue = BullmqJobQueue.connect({ url, prefix: `bench-sms-${round}` });
  const ledger = new SmsLedger(join(dir, `ledger-${round}.sqlite`));
  const outbox = new OutboxSmsGateway(join(dir, `outbox-${round}.sqlite`));
  const events = new SqliteEventStore({ filename: join(dir, `events-${round}.sqlite`) });
  const views = { get: async () => OPEN_CYCLE, find: async () => [] } as unknown as ReadModelStore;
  const keys: string[] = [];
  for (let n = 0; n < MESSAGES; n++) {
    const phone = `139${String(n).padStart(8, '0')}`;
    keys.push(
      ledger.join(
        reminderItem(n, { sendAt: new Date().toISOString(), unitId: `unit-${n}` }),
        { userId: `u-${n}`, phone },
        new Date().toISOString(),
      ).digestKey,
    );
  }
  let sent = 0;
  let done!: () => void;
  const finished = new Promise<void>((resolve) => (done = resolve));
  // Counted when a send returns: in the outbox, SmsSent durable in the log, the ledger mark committed.
  class CountingProcessor extends SendReminderProcessor {
    override async send(job: Parameters<SendReminderProcessor['send']>[0]) {
      const result = await super.send(job);
      if (result.outcome === 'sent' && ++sent === MESSAGES) done();
      return result;
    }
  }
  const processor = new CountingProcessor(
    queue,
    outbox,
    views,
    () => new Date(),
    ledger,
    events,
    0,
    'outbox',
  );
  const start = performance.now();
  // As the worker registers it: 'sms' jobs (and 'reminder' jobs, of which this benchmark has none).
  processor.onApplicationBootstrap();
  const now = new Date().toISOString();
  await inChunks(MESSAGES, SCHEDULE_IN_FLIGHT, (i) =>
    queue.schedule({ jobKey: keys[i]!, name: SMS_JOB, runAt: now, payload: { digestKey: keys[i]! } }),
  );
  await finished;
  const rate = (MESSAGES * 1000) / (performance.now() - start);
  if ((await outbox.list({ limit: 1, skip: MESSAGES - 1 })).length === 0)
    throw new Error(`fewer than ${MESSAGES} messages reached the outbox`);
  await queue.close();
  const cleanup = new Redis(url);
  const stale = await cleanup.keys(`bench-sms-${round}:*`);
  for (let i = 0; i < stale.length; i += 1000) await cleanup.del(...stale.slice(i, i + 1000));
  cleanup.disconnect();
  outbox.close();
  ledger.close();
  await events.close();
  return rate;
}

export const benchmarks: Benchmark[] = [
  {
    name: 'reminders.dispatch.bullmq',
    description: `SMS messages/s from schedule until each send returned (outbox, SmsSent, ledger mark) through BullMQ + SendReminderProcessor (${MESSAGES} per round); baseline: bare BullMQ add + no-op worker`,
    run: async ({ dir, log }) => {
      const server = await startRedis();
      log(`Redis at ${server.url}`);
      try {
        const { value, baseline } = await interleavedRounds({
          rounds: ROUNDS,
          warmup: { subject: () => dispatchRound(server.url, dir), baseline: () => bareRound(server.url) },
          subject: () => dispatchRound(server.url, dir),
          baseline: () => bareRound(server.url),
          log,
          unit: 'messages/s',
        });
        return { value, unit: 'messages/s', baseline };
      } finally {
        await server.stop();
      }
    },
  },
];
