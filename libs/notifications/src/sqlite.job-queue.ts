import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import {
  type JobHandler,
  type JobInfo,
  type JobPayload,
  type JobQueue,
  JobQueueClosedError,
  type JobState,
  type ListJobsOptions,
  type NewJob,
  type ProcessOptions,
  InvalidJobError,
  assertJobKey,
  backoffDelay,
  checkNewJob,
  errorText,
  isPermanentJobError,
  resolveProcessOptions,
} from './job-queue.port';

export interface SqliteJobQueueOptions {
  /** Its own file (beside the event store's), or ':memory:' (not durable; tests only). */
  filename: string;
  /** Injected clock: due times, leases and backoff are measured on it. */
  now?: () => Date;
  /**
   * How long a claimed job belongs to its worker. Renewed while the handler runs; when a process
   * dies mid-job the job becomes due again once its lease has run out. Default 60 s.
   */
  leaseMs?: number;
  /** Longest sleep of the poller, so that jobs scheduled by other processes are seen. Default 1 s. */
  maxPollIntervalMs?: number;
  /** False: no background poller, jobs run only on {@link SqliteJobQueue.tick} (tests). Default true. */
  poll?: boolean;
  /** Where errors of the poller itself go (a handler's errors go to the job). Default console.error. */
  onError?: (error: unknown) => void;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS jobs (
  job_key      TEXT PRIMARY KEY,
  name         TEXT NOT NULL,
  run_at       INTEGER NOT NULL,
  payload      TEXT NOT NULL,
  state        TEXT NOT NULL CHECK (state IN ('pending', 'running', 'done', 'failed')),
  attempts     INTEGER NOT NULL DEFAULT 0,
  last_error   TEXT,
  available_at INTEGER NOT NULL,
  locked_until INTEGER,
  created_at   INTEGER NOT NULL,
  finished_at  INTEGER
) STRICT;
CREATE INDEX IF NOT EXISTS jobs_due ON jobs (name, state, available_at);
CREATE INDEX IF NOT EXISTS jobs_by_state ON jobs (state, run_at, job_key);
CREATE INDEX IF NOT EXISTS jobs_by_run_at ON jobs (run_at, job_key);
`;

interface JobRow {
  job_key: string;
  name: string;
  run_at: number;
  payload: string;
  state: JobState;
  attempts: number;
  last_error: string | null;
  available_at: number;
  locked_until: number | null;
  created_at: number;
  finished_at: number | null;
}

interface Consumer {
  name: string;
  handler: JobHandler;
  options: Required<ProcessOptions>;
  running: number;
}

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * The embedded job queue: a durable scheduler on its own SQLite file (WAL, synchronous=FULL, so a
 * scheduled job survives a power cut once `schedule` resolved).
 *
 * `available_at` is when a row next needs attention: its run time, the time of its next attempt
 * after a failure, or, while it runs, the end of its lease (`locked_until`). The poller sleeps
 * until the earliest `available_at` (at most `maxPollIntervalMs`), then claims due rows in one
 * IMMEDIATE transaction, so several processes on one file never run a job twice at once. A
 * running row whose lease ran out is claimed again: at-least-once delivery.
 */
export class SqliteJobQueue implements JobQueue {
  private readonly db: Database.Database;
  private readonly now: () => Date;
  private readonly leaseMs: number;
  private readonly maxPollIntervalMs: number;
  private polling: boolean;
  private readonly onError: (error: unknown) => void;
  private readonly consumers = new Map<string, Consumer>();
  private readonly inFlight = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private closing: Promise<void> | undefined;

  private readonly insertStmt: Database.Statement;
  private readonly getStmt: Database.Statement;
  private readonly cancelStmt: Database.Statement;
  private readonly dueStmt: Database.Statement;
  private readonly claimStmt: Database.Statement;
  private readonly expireStmt: Database.Statement;
  private readonly renewStmt: Database.Statement;
  private readonly doneStmt: Database.Statement;
  private readonly retryStmt: Database.Statement;
  private readonly failStmt: Database.Statement;
  private readonly nextDueStmt: Database.Statement;

  constructor(options: SqliteJobQueueOptions) {
    if (options.filename !== ':memory:') mkdirSync(dirname(options.filename), { recursive: true });
    this.db = new Database(options.filename);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(SCHEMA);
    this.now = options.now ?? (() => new Date());
    this.leaseMs = options.leaseMs ?? 60_000;
    this.maxPollIntervalMs = options.maxPollIntervalMs ?? 1000;
    this.polling = options.poll ?? true;
    this.onError = options.onError ?? ((error) => console.error('job queue poller:', error));

    this.insertStmt = this.db.prepare(
      `INSERT INTO jobs (job_key, name, run_at, payload, state, attempts, available_at, created_at)
       VALUES (?, ?, ?, ?, 'pending', 0, ?, ?) ON CONFLICT (job_key) DO NOTHING`,
    );
    this.getStmt = this.db.prepare('SELECT * FROM jobs WHERE job_key = ?');
    this.cancelStmt = this.db.prepare(`DELETE FROM jobs WHERE job_key = ? AND state = 'pending'`);
    this.dueStmt = this.db.prepare(
      `SELECT * FROM jobs WHERE name = ? AND state IN ('pending', 'running') AND available_at <= ?
       ORDER BY available_at, job_key LIMIT ?`,
    );
    this.claimStmt = this.db.prepare(
      `UPDATE jobs SET state = 'running', attempts = attempts + 1, locked_until = ?, available_at = ? WHERE job_key = ?`,
    );
    this.expireStmt = this.db.prepare(
      `UPDATE jobs SET state = 'failed', locked_until = NULL, finished_at = ?, last_error = ? WHERE job_key = ?`,
    );
    // Lease-guarded updates: they apply only while this claim (its attempt number) still holds the row.
    const mine = `WHERE job_key = ? AND state = 'running' AND attempts = ?`;
    this.renewStmt = this.db.prepare(`UPDATE jobs SET locked_until = ?, available_at = ? ${mine}`);
    this.doneStmt = this.db.prepare(
      `UPDATE jobs SET state = 'done', locked_until = NULL, finished_at = ? ${mine}`,
    );
    this.retryStmt = this.db.prepare(
      `UPDATE jobs SET state = 'pending', locked_until = NULL, available_at = ?, last_error = ? ${mine}`,
    );
    this.failStmt = this.db.prepare(
      `UPDATE jobs SET state = 'failed', locked_until = NULL, finished_at = ?, last_error = ? ${mine}`,
    );
    this.nextDueStmt = this.db.prepare(
      `SELECT MIN(available_at) AS next FROM jobs WHERE state IN ('pending', 'running') AND name IN (SELECT value FROM json_each(?))`,
    );
  }

  async schedule(job: NewJob): Promise<'scheduled' | 'exists'> {
    if (this.closed) throw new JobQueueClosedError();
    const runAt = checkNewJob(job);
    const result = this.insertStmt.run(
      job.jobKey,
      job.name,
      runAt,
      JSON.stringify(job.payload),
      runAt,
      this.now().getTime(),
    );
    if (result.changes === 0) return 'exists';
    if (this.consumers.has(job.name)) this.wake();
    return 'scheduled';
  }

  async cancel(jobKey: string): Promise<boolean> {
    assertJobKey(jobKey);
    return this.cancelStmt.run(jobKey).changes > 0;
  }

  process<Payload extends JobPayload = JobPayload>(
    name: string,
    handler: JobHandler<Payload>,
    options?: ProcessOptions,
  ): void {
    if (this.closed) throw new JobQueueClosedError();
    if (this.consumers.has(name))
      throw new InvalidJobError(`jobs "${name}" already have a handler in this queue`);
    this.consumers.set(name, {
      name,
      handler: handler as JobHandler,
      options: resolveProcessOptions(options),
      running: 0,
    });
    this.wake();
  }

  async counts(): Promise<Record<JobState, number>> {
    const counts: Record<JobState, number> = { pending: 0, running: 0, done: 0, failed: 0 };
    const rows = this.db.prepare('SELECT state, count(*) AS n FROM jobs GROUP BY state').all() as Array<{
      state: JobState;
      n: number;
    }>;
    for (const row of rows) counts[row.state] = row.n;
    return counts;
  }

  async get(jobKey: string): Promise<JobInfo | null> {
    assertJobKey(jobKey);
    const row = this.getStmt.get(jobKey) as JobRow | undefined;
    return row ? toInfo(row) : null;
  }

  async list(options: ListJobsOptions = {}): Promise<JobInfo[]> {
    const limit = Math.min(Math.max(options.limit ?? 100, 0), 1000);
    const skip = Math.max(options.skip ?? 0, 0);
    const where: string[] = [];
    const params: Array<string | number> = [];
    if (options.state) {
      where.push('state = ?');
      params.push(options.state);
    }
    if (options.keyPrefix) {
      // A key range, so the primary-key index answers it.
      where.push('job_key >= ? AND job_key < ?');
      params.push(options.keyPrefix, `${options.keyPrefix}\uffff`);
    }
    const rows = this.db
      .prepare(
        `SELECT * FROM jobs${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY run_at, job_key LIMIT ? OFFSET ?`,
      )
      .all(...params, limit, skip);
    return (rows as JobRow[]).map(toInfo);
  }

  /**
   * Claims the jobs that are due now (by the injected clock) for the registered handlers, starts
   * them, and resolves once those have finished (succeeded, or failed and been rescheduled).
   */
  async tick(): Promise<void> {
    if (this.closed) return;
    await Promise.all(this.claimAndStart());
  }

  /**
   * From now on due jobs run only on {@link tick}: for a generator that drives the clock itself
   * (the demo city), where the poller would claim jobs due together beside a tick and let them
   * append in either order.
   */
  stopPolling(): void {
    this.polling = false;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  async close(): Promise<void> {
    this.closing ??= (async () => {
      this.closed = true;
      clearTimeout(this.timer);
      this.timer = undefined;
      while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
      this.db.close();
    })();
    return this.closing;
  }

  private claimAndStart(): Promise<void>[] {
    const now = this.now().getTime();
    const claimed: { consumer: Consumer; row: JobRow }[] = [];
    this.db
      .transaction(() => {
        for (const consumer of this.consumers.values()) {
          const free = consumer.options.concurrency - consumer.running;
          if (free <= 0) continue;
          let taken = 0;
          for (const row of this.dueStmt.all(consumer.name, now, free) as JobRow[]) {
            if (row.state === 'running' && row.attempts >= consumer.options.maxAttempts) {
              // Its worker stopped during the last allowed attempt.
              this.expireStmt.run(
                now,
                `lease expired during attempt ${row.attempts} (worker stopped)`,
                row.job_key,
              );
              continue;
            }
            this.claimStmt.run(now + this.leaseMs, now + this.leaseMs, row.job_key);
            claimed.push({ consumer, row: { ...row, state: 'running', attempts: row.attempts + 1 } });
            taken++;
          }
          consumer.running += taken;
        }
      })
      .immediate();
    return claimed.map(({ consumer, row }) => this.track(this.run(consumer, row)));
  }

  private track(run: Promise<void>): Promise<void> {
    this.inFlight.add(run);
    void run.finally(() => this.inFlight.delete(run));
    return run;
  }

  private async run(consumer: Consumer, row: JobRow): Promise<void> {
    const { job_key: jobKey, attempts } = row;
    const renewal = setInterval(
      () => {
        const until = this.now().getTime() + this.leaseMs;
        this.guard(() => this.renewStmt.run(until, until, jobKey, attempts));
      },
      Math.max(10, Math.floor(this.leaseMs / 3)),
    );
    renewal.unref();
    try {
      await Promise.resolve().then(() =>
        consumer.handler({
          jobKey,
          name: row.name,
          runAt: iso(row.run_at),
          payload: JSON.parse(row.payload) as JobPayload,
          attempt: attempts,
        }),
      );
      clearInterval(renewal);
      this.guard(() => this.doneStmt.run(this.now().getTime(), jobKey, attempts));
    } catch (error) {
      clearInterval(renewal);
      const now = this.now().getTime();
      const message = errorText(error);
      this.guard(() => {
        if (attempts >= consumer.options.maxAttempts || isPermanentJobError(error))
          this.failStmt.run(now, message, jobKey, attempts);
        else
          this.retryStmt.run(
            now + backoffDelay(consumer.options.backoffMs, attempts),
            message,
            jobKey,
            attempts,
          );
      });
    } finally {
      consumer.running--;
      this.wake();
    }
  }

  /** Runs a bookkeeping write; an error there (disk full, closed db) must not escape a handler's promise. */
  private guard(write: () => void): void {
    try {
      if (this.db.open) write();
    } catch (error) {
      this.onError(error);
    }
  }

  private wake(delay = 0): void {
    if (!this.polling || this.closed) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.poll(), delay);
    this.timer.unref();
  }

  private poll(): void {
    this.timer = undefined;
    if (this.closed) return;
    try {
      void Promise.all(this.claimAndStart()); // runs never reject: their outcome is written to the job
      this.wake(this.nextDelay());
    } catch (error) {
      this.onError(error);
      this.wake(this.maxPollIntervalMs);
    }
  }

  private nextDelay(): number {
    const names = [...this.consumers.values()]
      .filter((c) => c.running < c.options.concurrency)
      .map((c) => c.name);
    // Consumers at full concurrency are woken by their running jobs finishing.
    if (names.length === 0) return this.maxPollIntervalMs;
    const { next } = this.nextDueStmt.get(JSON.stringify(names)) as { next: number | null };
    if (next === null) return this.maxPollIntervalMs;
    return Math.min(Math.max(next - this.now().getTime(), 0), this.maxPollIntervalMs);
  }
}

function toInfo(row: JobRow): JobInfo {
  return {
    jobKey: row.job_key,
    name: row.name,
    runAt: iso(row.run_at),
    payload: JSON.parse(row.payload) as JobPayload,
    state: row.state,
    attempts: row.attempts,
    lastError: row.last_error,
    createdAt: iso(row.created_at),
    finishedAt: row.finished_at === null ? null : iso(row.finished_at),
  };
}
