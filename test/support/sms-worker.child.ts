/**
 * A production-mode SMS sender in its own process, for the worker-restart test: BullMQ on
 * REDIS_URL (under PREFIX), the ledger and the log under DATA_DIR, the HTTP gateway to SMS_URL.
 * Prints "ready" once consuming; the test kills it with SIGKILL mid-run.
 */
import { join } from 'node:path';
import { SqliteEventStore } from '@dukao/event-store';
import {
  BullmqJobQueue,
  HttpSmsGateway,
  SendReminderProcessor,
  SMS_JOB,
  SmsLedger,
} from '@dukao/notifications';
import type { ReadModelStore } from '@dukao/read-model-store';
import { DEFAULT_SCHEME } from '@dukao/targets';

const env = (name: string) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
};

const dir = env('DATA_DIR');
const queue = BullmqJobQueue.connect({
  url: env('REDIS_URL'),
  prefix: env('PREFIX'),
  lockDurationMs: 1000,
  onError: () => {},
});
const ledger = new SmsLedger(join(dir, 'sms-ledger.sqlite'));
const events = new SqliteEventStore({ filename: join(dir, 'events.sqlite') });
const gateway = new HttpSmsGateway({ url: env('SMS_URL'), secret: env('SMS_SECRET'), timeoutMs: 2000 });
// A cycle whose scheme has no quiet hours, so the test sends at any hour of the day it runs.
const reminders = { ...DEFAULT_SCHEME.reminders, quietHours: { from: '00:00', to: '00:00' } };
const cycle = {
  schemes: [{ effectiveFrom: '2000-01-01T00:00:00.000Z', scheme: { ...DEFAULT_SCHEME, reminders } }],
};
const views = { get: async () => cycle, find: async () => [] } as unknown as ReadModelStore;
const processor = new SendReminderProcessor(
  queue,
  gateway,
  views,
  () => new Date(),
  ledger,
  events,
  0,
  'http',
);
queue.process(SMS_JOB, async (job) => void (await processor.send(job)), {
  concurrency: 8,
  maxAttempts: 5,
  backoffMs: 100,
});
process.stdout.write('ready\n');
process.on('SIGTERM', () => {
  void queue.close().then(() => process.exit(0));
});
