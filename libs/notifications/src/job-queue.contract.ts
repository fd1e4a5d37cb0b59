import { randomUUID } from 'node:crypto';
import {
  InvalidJobError,
  type JobInfo,
  type JobQueue,
  PermanentJobError,
  type RunningJob,
} from './job-queue.port';

/**
 * Opens a queue on the test's backend; queues opened within one test share it (the same SQLite
 * file, the same Redis queue), which is how a restart is simulated.
 */
export type JobQueueFactory = () => Promise<JobQueue>;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor<T>(
  probe: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  timeoutMs = 5000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await sleep(15);
  }
}

const inMs = (ms: number) => new Date(Date.now() + ms).toISOString();

export function describeJobQueueContract(name: string, factory: JobQueueFactory): void {
  describe(`JobQueue contract: ${name}`, () => {
    jest.setTimeout(20_000);
    const opened: JobQueue[] = [];
    let queue: JobQueue;
    let prefix: string;
    const key = (label: string) => `${prefix}-${label}`;
    const open = async () => {
      const created = await factory();
      opened.push(created);
      return created;
    };

    beforeEach(async () => {
      prefix = `reminder-${randomUUID().slice(0, 8)}`;
      queue = await open();
    });
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((q) => q.close()));
    });

    /** Records every run of `jobName` on `q`: when it started and which attempt it was. */
    const recorder = (
      q: JobQueue,
      jobName: string,
      behaviour: (job: RunningJob) => Promise<void> = async () => {},
      options = {},
    ) => {
      const runs: { job: RunningJob; at: number }[] = [];
      q.process(
        jobName,
        async (job) => {
          runs.push({ job, at: Date.now() });
          await behaviour(job);
        },
        { backoffMs: 50, ...options },
      );
      return runs;
    };

    describe('schedule', () => {
      it('runs a job at its runAt, not before, with its payload', async () => {
        const runAt = inMs(1000);
        expect(
          await queue.schedule({
            jobKey: key('a'),
            name: 'sms',
            runAt,
            payload: { personId: 'p1', tier: 1 },
          }),
        ).toBe('scheduled');
        // Checked before a processor exists: nothing can run it yet, however slow the machine is.
        expect((await queue.get(key('a')))?.state).toBe('pending');
        const runs = recorder(queue, 'sms');

        // Quiet until shortly before runAt (the exact bound is checked on the run itself below).
        await sleep(Date.parse(runAt) - Date.now() - 100);
        if (Date.now() < Date.parse(runAt)) expect(runs).toHaveLength(0);
        await waitFor(() => runs.length === 1);
        expect(runs[0]!.at).toBeGreaterThanOrEqual(Date.parse(runAt));
        expect(runs[0]!.job).toEqual({
          jobKey: key('a'),
          name: 'sms',
          runAt,
          payload: { personId: 'p1', tier: 1 },
          attempt: 1,
        });

        const done = await waitFor(async () => {
          const info = await queue.get(key('a'));
          return info?.state === 'done' && info;
        });
        expect(done).toMatchObject({ jobKey: key('a'), name: 'sms', runAt, attempts: 1, lastError: null });
        expect(Date.parse(done.finishedAt!)).toBeGreaterThanOrEqual(Date.parse(runAt));
      });

      it('runs a job whose runAt has passed right away', async () => {
        const runs = recorder(queue, 'sms');
        await queue.schedule({ jobKey: key('late'), name: 'sms', runAt: inMs(-60_000), payload: {} });
        await waitFor(() => runs.length === 1, 2000);
      });

      it('is idempotent by key: a known key, pending or done, changes nothing', async () => {
        const first = { jobKey: key('once'), name: 'sms', runAt: inMs(150), payload: { version: 1 } };
        expect(await queue.schedule(first)).toBe('scheduled');
        expect(await queue.schedule({ ...first, runAt: inMs(50), payload: { version: 2 } })).toBe('exists');
        const runs = recorder(queue, 'sms');
        await waitFor(async () => (await queue.get(key('once')))?.state === 'done');
        expect(await queue.schedule(first)).toBe('exists');
        await sleep(300);
        expect(runs.map((r) => r.job.payload)).toEqual([{ version: 1 }]);
        expect((await queue.get(key('once')))?.runAt).toBe(first.runAt);
      });

      it('answers one "scheduled" when the same key is scheduled concurrently', async () => {
        const job = { jobKey: key('race'), name: 'sms', runAt: inMs(60_000), payload: {} };
        const answers = await Promise.all([queue.schedule(job), queue.schedule(job), queue.schedule(job)]);
        expect(answers.filter((a) => a === 'scheduled')).toHaveLength(1);
      });

      it('refuses keys with ":" and other bad input', async () => {
        const job = { jobKey: key('x'), name: 'sms', runAt: inMs(1000), payload: {} };
        await expect(queue.schedule({ ...job, jobKey: 'reminder:p1:t1' })).rejects.toBeInstanceOf(
          InvalidJobError,
        );
        await expect(queue.schedule({ ...job, jobKey: '' })).rejects.toBeInstanceOf(InvalidJobError);
        await expect(queue.schedule({ ...job, runAt: 'next tuesday' })).rejects.toBeInstanceOf(
          InvalidJobError,
        );
        await expect(queue.cancel('a:b')).rejects.toBeInstanceOf(InvalidJobError);
        await expect(queue.get('a:b')).rejects.toBeInstanceOf(InvalidJobError);
        expect(await queue.list()).toEqual([]);
      });
    });

    describe('cancel', () => {
      it('removes a pending job, which then never runs and frees its key', async () => {
        await queue.schedule({ jobKey: key('c'), name: 'sms', runAt: inMs(200), payload: {} });
        expect(await queue.cancel(key('c'))).toBe(true);
        expect(await queue.get(key('c'))).toBeNull();
        expect(await queue.cancel(key('c'))).toBe(false);
        const runs = recorder(queue, 'sms');
        await sleep(400);
        expect(runs).toHaveLength(0);
        expect(await queue.schedule({ jobKey: key('c'), name: 'sms', runAt: inMs(0), payload: {} })).toBe(
          'scheduled',
        );
        await waitFor(() => runs.length === 1);
      });

      it('does not cancel a finished job, nor an unknown one', async () => {
        const runs = recorder(queue, 'sms');
        await queue.schedule({ jobKey: key('d'), name: 'sms', runAt: inMs(0), payload: {} });
        await waitFor(async () => (await queue.get(key('d')))?.state === 'done');
        expect(await queue.cancel(key('d'))).toBe(false);
        expect((await queue.get(key('d')))?.state).toBe('done');
        expect(await queue.cancel(key('nope'))).toBe(false);
        expect(runs).toHaveLength(1);
      });
    });

    describe('retries', () => {
      it('retries a throwing handler with exponential backoff, then keeps the job as failed with its last error', async () => {
        const runs = recorder(
          queue,
          'sms',
          async (job) => {
            throw new Error(`gateway down (attempt ${job.attempt})`);
          },
          { maxAttempts: 3, backoffMs: 50 },
        );
        await queue.schedule({
          jobKey: key('f'),
          name: 'sms',
          runAt: inMs(0),
          payload: { to: '13800000000' },
        });

        const failed = await waitFor(async () => {
          const info = await queue.get(key('f'));
          return info?.state === 'failed' && info;
        });
        expect(runs.map((r) => r.job.attempt)).toEqual([1, 2, 3]);
        expect(runs[1]!.at - runs[0]!.at).toBeGreaterThanOrEqual(45);
        expect(runs[2]!.at - runs[1]!.at).toBeGreaterThanOrEqual(95);
        expect(failed).toMatchObject({
          state: 'failed',
          attempts: 3,
          lastError: 'gateway down (attempt 3)',
          payload: { to: '13800000000' },
        });
        expect(failed.finishedAt).not.toBeNull();

        const listed = await queue.list({ state: 'failed', limit: 10 });
        expect(listed.map((j) => j.jobKey)).toEqual([key('f')]);
        expect(listed[0]).toEqual(failed);
        await sleep(300);
        expect(runs).toHaveLength(3);
        expect(await queue.schedule({ jobKey: key('f'), name: 'sms', runAt: inMs(0), payload: {} })).toBe(
          'exists',
        );
      });

      it('fails a job at once, with its message, when the handler throws a permanent error', async () => {
        const runs = recorder(
          queue,
          'sms',
          async (job) => {
            if (job.payload.kind === 'class') throw new PermanentJobError('template not approved');
            // An error from outside the queue's lib that only carries the marker (as SmsRejectedError does).
            throw Object.assign(new Error('invalid phone number'), { permanent: true });
          },
          { maxAttempts: 5, backoffMs: 50 },
        );
        await queue.schedule({ jobKey: key('p1'), name: 'sms', runAt: inMs(0), payload: { kind: 'class' } });
        await queue.schedule({ jobKey: key('p2'), name: 'sms', runAt: inMs(0), payload: { kind: 'flag' } });

        for (const [label, message] of [
          ['p1', 'template not approved'],
          ['p2', 'invalid phone number'],
        ] as const) {
          const failed = await waitFor(async () => {
            const info = await queue.get(key(label));
            return info?.state === 'failed' && info;
          });
          expect(failed).toMatchObject({ state: 'failed', attempts: 1, lastError: message });
          expect(failed.finishedAt).not.toBeNull();
        }
        // Well past the backoff of a second attempt (50 ms): none comes.
        await sleep(300);
        expect(runs.map((r) => [r.job.jobKey, r.job.attempt]).sort()).toEqual([
          [key('p1'), 1],
          [key('p2'), 1],
        ]);
        expect((await queue.get(key('p1')))?.attempts).toBe(1);
      });

      it('shows a job waiting for its next attempt as pending with its error, and completes it when a retry succeeds', async () => {
        const runs = recorder(
          queue,
          'sms',
          async (job) => {
            if (job.attempt < 3) throw new Error(`flaky ${job.attempt}`);
          },
          { maxAttempts: 5, backoffMs: 300 },
        );
        await queue.schedule({ jobKey: key('r'), name: 'sms', runAt: inMs(0), payload: {} });
        const waiting = await waitFor(async () => {
          const info = await queue.get(key('r'));
          return info?.state === 'pending' && info.attempts === 1 && info;
        });
        expect(waiting.lastError).toBe('flaky 1');
        const done = await waitFor(async () => {
          const info = await queue.get(key('r'));
          return info?.state === 'done' && info;
        });
        expect(done.attempts).toBe(3);
        expect(runs).toHaveLength(3);
      });
    });

    describe('durability', () => {
      it('runs after a restart a job scheduled before it', async () => {
        await queue.schedule({ jobKey: key('restart'), name: 'sms', runAt: inMs(200), payload: { n: 1 } });
        await queue.close();
        const reopened = await open();
        expect((await reopened.get(key('restart')))?.state).toBe('pending');
        const runs = recorder(reopened, 'sms');
        await waitFor(() => runs.length === 1);
        expect(runs[0]!.job.payload).toEqual({ n: 1 });
        expect(
          await reopened.schedule({ jobKey: key('restart'), name: 'sms', runAt: inMs(0), payload: {} }),
        ).toBe('exists');
      });

      it('close() stops taking jobs and waits for the running ones', async () => {
        let finished = 0;
        let release!: () => void;
        const gate = new Promise<void>((resolve) => (release = resolve));
        const runs = recorder(queue, 'sms', async () => {
          await gate;
          finished++;
        });
        await queue.schedule({ jobKey: key('slow'), name: 'sms', runAt: inMs(0), payload: {} });
        await waitFor(() => runs.length === 1);
        // Due now, but the one slot is taken until after close() has begun.
        await queue.schedule({ jobKey: key('next'), name: 'sms', runAt: inMs(0), payload: {} });
        let closed = false;
        const closing = queue.close().then(() => (closed = true));
        await sleep(100);
        expect(closed).toBe(false);
        release();
        await closing;
        expect(finished).toBe(1);
        await sleep(200);
        expect(runs).toHaveLength(1);

        const reopened = await open();
        expect((await reopened.get(key('slow')))?.state).toBe('done');
        expect((await reopened.get(key('next')))?.state).toBe('pending');
      });
    });

    describe('concurrency', () => {
      it('runs at most `concurrency` jobs of a name at once', async () => {
        let active = 0;
        let peak = 0;
        const runs = recorder(
          queue,
          'sms',
          async () => {
            active++;
            peak = Math.max(peak, active);
            await sleep(80);
            active--;
          },
          { concurrency: 2 },
        );
        for (let i = 0; i < 6; i++)
          await queue.schedule({ jobKey: key(`n${i}`), name: 'sms', runAt: inMs(0), payload: { i } });
        await waitFor(async () => (await queue.list({ state: 'done' })).length === 6);
        expect(runs).toHaveLength(6);
        expect(peak).toBe(2);
      });

      it('delivers each job once to several consumers of one backend', async () => {
        const other = await open();
        const a = recorder(queue, 'sms');
        const b = recorder(other, 'sms');
        for (let i = 0; i < 8; i++)
          await queue.schedule({ jobKey: key(`m${i}`), name: 'sms', runAt: inMs(50), payload: { i } });
        await waitFor(async () => (await queue.list({ state: 'done' })).length === 8);
        await sleep(100);
        const keys = [...a, ...b].map((r) => r.job.jobKey).sort();
        expect(keys).toEqual([...Array(8).keys()].map((i) => key(`m${i}`)).sort());
      });
    });

    describe('visibility', () => {
      it('lists jobs by state, ordered by runAt, with limit and skip', async () => {
        const base = Date.now() + 60_000;
        const at = (s: number) => new Date(base + s * 1000).toISOString();
        await queue.schedule({ jobKey: key('l3'), name: 'sms', runAt: at(3), payload: {} });
        await queue.schedule({ jobKey: key('l1'), name: 'sms', runAt: at(1), payload: {} });
        await queue.schedule({ jobKey: key('l2'), name: 'sms', runAt: at(2), payload: {} });
        const keys = (jobs: JobInfo[]) => jobs.map((j) => j.jobKey);

        expect(keys(await queue.list({ state: 'pending' }))).toEqual([key('l1'), key('l2'), key('l3')]);
        expect(keys(await queue.list())).toEqual([key('l1'), key('l2'), key('l3')]);
        expect(keys(await queue.list({ state: 'pending', limit: 1, skip: 1 }))).toEqual([key('l2')]);
        expect(await queue.list({ state: 'done' })).toEqual([]);
        expect(await queue.get(key('l2'))).toMatchObject({
          jobKey: key('l2'),
          name: 'sms',
          runAt: at(2),
          payload: {},
          state: 'pending',
          attempts: 0,
          lastError: null,
          finishedAt: null,
        });
        expect(await queue.get(key('missing'))).toBeNull();
      });

      it('lists only the jobs whose key starts with a prefix', async () => {
        const runAt = new Date(Date.now() + 60_000).toISOString();
        for (const label of ['t1_a', 't1_b', 't10_a', 't2_a']) {
          await queue.schedule({ jobKey: key(label), name: 'sms', runAt, payload: {} });
        }
        const listed = await queue.list({ state: 'pending', keyPrefix: key('t1_') });
        expect(listed.map((j) => j.jobKey).sort()).toEqual([key('t1_a'), key('t1_b')]);
      });

      it('counts jobs by state (the queue depth)', async () => {
        const before = await queue.counts();
        const runAt = new Date(Date.now() + 60_000).toISOString();
        await queue.schedule({ jobKey: key('c1'), name: 'sms', runAt, payload: {} });
        await queue.schedule({ jobKey: key('c2'), name: 'sms', runAt, payload: {} });
        const runs = recorder(queue, 'count-now');
        await queue.schedule({
          jobKey: key('c3'),
          name: 'count-now',
          runAt: new Date().toISOString(),
          payload: {},
        });
        await waitFor(async () => runs.length === 1 && (await queue.get(key('c3')))?.state === 'done');
        const after = await queue.counts();
        expect(Object.keys(after).sort()).toEqual(['done', 'failed', 'pending', 'running']);
        expect(after.pending - before.pending).toBe(2);
        expect(after.done - before.done).toBe(1);
      });
    });
  });
}
