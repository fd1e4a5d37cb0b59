import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { SqliteEventStore } from '@dukao/event-store';
import { BullmqJobQueue, SMS_JOB, SmsLedger } from '@dukao/notifications';
import { describeWithRedis, reminderItem, startRedis, type TestRedis } from '@dukao/testing';
import { type FakeSmsProvider, startFakeSmsProvider } from './support/fake-sms-provider';

/**
 * Production mode's promise with a real Redis (CI starts one): kill the SMS worker mid-run
 * (SIGKILL), flush the completed jobs from Redis and schedule every message again (as a replay of
 * the planner would), start a new worker: every message reaches the provider exactly once, and the
 * log records each send once. Redis: REDIS_URL (CI starts one), else a redis-server from PATH.
 */
const SECRET = 'worker-restart-test-secret-32-characters!';
const MESSAGES = 300;

describeWithRedis('SMS worker restart with Redis', () => {
  jest.setTimeout(120_000);
  const prefix = `dukao-restart-${randomUUID().slice(0, 8)}`;
  let dir: string;
  let provider: FakeSmsProvider;
  let queue: BullmqJobQueue;
  let redis: TestRedis;
  let url: string;
  const children: ChildProcess[] = [];

  const startWorker = async (): Promise<ChildProcess> => {
    const child = spawn(
      process.execPath,
      ['-r', '@swc-node/register', join(__dirname, 'support/sms-worker.child.ts')],
      {
        env: {
          ...process.env,
          REDIS_URL: url,
          PREFIX: prefix,
          DATA_DIR: dir,
          SMS_URL: provider.url,
          SMS_SECRET: SECRET,
        },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    children.push(child);
    await new Promise<void>((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`worker exited with ${code}`)));
      child.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('ready') && resolve());
    });
    return child;
  };
  const until = async (what: string, check: () => boolean | Promise<boolean>, timeoutMs = 60_000) => {
    const deadline = Date.now() + timeoutMs;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };

  beforeAll(async () => {
    redis = await startRedis();
    url = redis.url;
    dir = mkdtempSync(join(tmpdir(), 'dukao-restart-'));
    provider = await startFakeSmsProvider({ secret: SECRET });
    queue = BullmqJobQueue.connect({ url, prefix, onError: () => {} });
  });
  afterAll(async () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    await queue?.close();
    const connection = new Redis(url, { maxRetriesPerRequest: null });
    const raw = new Queue('dukao-jobs', { connection, prefix });
    await raw.obliterate({ force: true });
    await raw.close();
    await connection.quit();
    await provider?.close();
    rmSync(dir, { recursive: true, force: true });
    await redis?.stop();
  });

  it('every message reaches the provider exactly once across a killed worker and flushed completed jobs', async () => {
    const ledger = new SmsLedger(join(dir, 'sms-ledger.sqlite'));
    const keys: string[] = [];
    const now = new Date().toISOString();
    for (let n = 0; n < MESSAGES; n++) {
      const item = reminderItem(n, { sendAt: now, unitId: `unit-${n}` });
      keys.push(
        ledger.join(item, { userId: `u-${n}`, phone: `139${String(n).padStart(8, '0')}` }, now).digestKey,
      );
    }
    const scheduleAll = () =>
      Promise.all(
        keys.map((k) => queue.schedule({ jobKey: k, name: SMS_JOB, runAt: now, payload: { digestKey: k } })),
      );
    await scheduleAll();

    const first = await startWorker();
    await until('a third of the messages', () => provider.received.length >= MESSAGES / 3);
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));
    const sentBeforeRestart = provider.received.length;
    expect(sentBeforeRestart).toBeLessThan(MESSAGES);
    // What the ledger knows as sent must never go to the provider again, even once Redis forgot it.
    const markedSent = keys.filter((k) => ledger.digest(k)?.state === 'sent');
    expect(markedSent.length).toBeGreaterThan(0);

    // Redis forgets what it completed; the planner schedules everything again.
    const connection = new Redis(url, { maxRetriesPerRequest: null });
    const raw = new Queue('dukao-jobs', { connection, prefix });
    const flushed = await raw.clean(0, 100_000, 'completed');
    await raw.close();
    await connection.quit();
    expect(flushed.length).toBeGreaterThan(0);
    await scheduleAll();

    await startWorker();
    await until('every message', () => new Set(provider.received.map((m) => m.key)).size === MESSAGES);
    // Let a stray duplicate, if any, arrive before counting.
    await until(
      'the queue to drain',
      async () =>
        (await queue.list({ state: 'pending' })).length === 0 &&
        (await queue.list({ state: 'running' })).length === 0,
    );

    expect(provider.received).toHaveLength(MESSAGES);
    for (const key of keys) expect(provider.countByKey(key)).toBe(1);
    for (const key of markedSent) expect(provider.attemptsByKey(key)).toBe(1);
    // Resends after the kill go under the same key (the provider dedupes); no message went more than twice.
    expect(Math.max(...keys.map((k) => provider.attemptsByKey(k)))).toBeLessThanOrEqual(2);
    const events = new SqliteEventStore({ filename: join(dir, 'events.sqlite') });
    const sent = (await events.readAll()).filter((e) => e.type === 'SmsSent');
    expect(sent).toHaveLength(MESSAGES);
    expect(new Set(sent.map((e) => e.streamId)).size).toBe(MESSAGES);
    await events.close();
    for (const key of keys) expect(ledger.digest(key)).toMatchObject({ state: 'sent' });
    ledger.close();
  });
});
