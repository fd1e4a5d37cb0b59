import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeJobQueueContract } from './job-queue.contract';
import type { RunningJob } from './job-queue.port';
import { SqliteJobQueue } from './sqlite.job-queue';

const dirs: string[] = [];
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

let file: string;
beforeEach(() => {
  const dir = mkdtempSync(join(tmpdir(), 'dukao-jobs-'));
  dirs.push(dir);
  file = join(dir, 'jobs.sqlite');
});

describeJobQueueContract('sqlite', async () => new SqliteJobQueue({ filename: file, onError: () => {} }));

describe('SqliteJobQueue on an injected clock', () => {
  let time: number;
  const now = () => new Date(time);
  const opened: SqliteJobQueue[] = [];
  /** `clock`: a dead worker's clock stands still, so its lease renewals cannot outlive it. */
  const open = (leaseMs = 10_000, clock: () => Date = now) => {
    const queue = new SqliteJobQueue({ filename: file, now: clock, poll: false, leaseMs });
    opened.push(queue);
    return queue;
  };
  beforeEach(() => {
    time = Date.parse('2026-07-01T00:00:00Z');
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((q) => q.close()));
  });

  it('runs a job only once the clock reaches runAt', async () => {
    const queue = open();
    const runs: RunningJob[] = [];
    queue.process('sms', async (job) => void runs.push(job));
    await queue.schedule({ jobKey: 'k1', name: 'sms', runAt: '2026-07-01T08:00:00Z', payload: {} });
    time = Date.parse('2026-07-01T07:59:59.999Z');
    await queue.tick();
    expect(runs).toHaveLength(0);
    time = Date.parse('2026-07-01T08:00:00Z');
    await queue.tick();
    expect(runs).toHaveLength(1);
    expect(await queue.get('k1')).toMatchObject({ state: 'done', finishedAt: '2026-07-01T08:00:00.000Z' });
  });

  it('waits backoffMs · 2^(n-1) after the n-th failure', async () => {
    const queue = open();
    let attempts = 0;
    queue.process(
      'sms',
      async () => {
        attempts++;
        throw new Error('down');
      },
      { maxAttempts: 4, backoffMs: 1000 },
    );
    await queue.schedule({ jobKey: 'k2', name: 'sms', runAt: now().toISOString(), payload: {} });
    const start = time;
    for (const [offset, expected] of [
      [0, 1],
      [999, 1],
      [1000, 2],
      [2999, 2],
      [3000, 3],
      [6999, 3],
      [7000, 4],
      [60_000, 4],
    ] as const) {
      time = start + offset;
      await queue.tick();
      expect(attempts).toBe(expected);
    }
    expect(await queue.get('k2')).toMatchObject({
      state: 'failed',
      attempts: 4,
      lastError: 'down',
      finishedAt: new Date(start + 7000).toISOString(),
    });
  });

  it('runs a job again when its worker died mid-run and the lease ran out (at-least-once)', async () => {
    const frozen = new Date(time);
    const crashed = open(5000, () => frozen);
    let release!: () => void;
    crashed.process('sms', () => new Promise<void>((resolve) => (release = resolve)));
    await crashed.schedule({ jobKey: 'k3', name: 'sms', runAt: now().toISOString(), payload: {} });
    const hung = crashed.tick();
    await new Promise((resolve) => setImmediate(resolve));
    expect(await crashed.get('k3')).toMatchObject({ state: 'running', attempts: 1 });

    // Another process on the same file: nothing to do while the lease holds, the job once it has run out.
    const survivor = open();
    const runs: RunningJob[] = [];
    survivor.process('sms', async (job) => void runs.push(job));
    time += 4999;
    await survivor.tick();
    expect(runs).toHaveLength(0);
    time += 1;
    await survivor.tick();
    expect(runs.map((r) => r.attempt)).toEqual([2]);
    expect(await survivor.get('k3')).toMatchObject({ state: 'done', attempts: 2 });

    // The first worker finishing late changes nothing: its claim is gone.
    release();
    await hung;
    expect(await survivor.get('k3')).toMatchObject({ state: 'done', attempts: 2 });
  });

  it('fails a job whose worker died during its last allowed attempt', async () => {
    const frozen = new Date(time);
    const crashed = open(1000, () => frozen);
    let release!: () => void;
    crashed.process('sms', () => new Promise<void>((resolve) => (release = resolve)), { maxAttempts: 1 });
    await crashed.schedule({ jobKey: 'k4', name: 'sms', runAt: now().toISOString(), payload: {} });
    const hung = crashed.tick();
    await new Promise((resolve) => setImmediate(resolve));

    const survivor = open();
    survivor.process('sms', async () => {}, { maxAttempts: 1 });
    time += 1000;
    await survivor.tick();
    expect(await survivor.get('k4')).toMatchObject({
      state: 'failed',
      attempts: 1,
      lastError: expect.stringContaining('lease expired'),
    });
    release();
    await hung;
    expect(await survivor.get('k4')).toMatchObject({ state: 'failed', attempts: 1 });
  });

  it('keeps a scheduled job across reopening the file', async () => {
    const first = open();
    await first.schedule({
      jobKey: 'k5',
      name: 'sms',
      runAt: now().toISOString(),
      payload: { a: [1, 'x', null] },
    });
    await first.close();
    const second = open();
    const runs: RunningJob[] = [];
    second.process('sms', async (job) => void runs.push(job));
    await second.tick();
    expect(runs.map((r) => r.payload)).toEqual([{ a: [1, 'x', null] }]);
  });
});

describe('SqliteJobQueue.stopPolling', () => {
  it('leaves due jobs to tick(): the poller no longer claims them', async () => {
    const queue = new SqliteJobQueue({ filename: file, maxPollIntervalMs: 10 });
    try {
      const runs: RunningJob[] = [];
      queue.process('sms', async (job) => void runs.push(job));
      await queue.schedule({ jobKey: 'polled', name: 'sms', runAt: new Date().toISOString(), payload: {} });
      // The poller runs a due job by itself...
      for (let i = 0; i < 200 && runs.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
      expect(runs.map((r) => r.jobKey)).toEqual(['polled']);
      // ...and no longer once stopped: only a tick runs the next one.
      queue.stopPolling();
      await queue.schedule({ jobKey: 'ticked', name: 'sms', runAt: new Date().toISOString(), payload: {} });
      await new Promise((r) => setTimeout(r, 100));
      expect(await queue.get('ticked')).toMatchObject({ state: 'pending' });
      await queue.tick();
      expect(runs.map((r) => r.jobKey)).toEqual(['polled', 'ticked']);
    } finally {
      await queue.close();
    }
  });
});
