/**
 * The job queue port: delayed jobs for scheduled work (reminders, SMS), each known by a key the
 * caller derives from what the job is about, e.g. `reminder-<person>-<target>-<tier>-<due date>`.
 *
 * Guarantees every adapter keeps (checked by `describeJobQueueContract`):
 * - a scheduled job is durable once {@link JobQueue.schedule} resolves, and survives a restart;
 * - scheduling is idempotent by key: a key that is already known (pending, running, done or
 *   failed) changes nothing and answers `'exists'`, so replaying the log or restarting a planner
 *   never schedules a job twice;
 * - a job does not start before its `runAt`;
 * - a handler that throws is retried with exponential backoff (`backoffMs · 2^(n-1)` after the
 *   n-th failure) until `maxAttempts` attempts were made; the job is then kept as `failed` with
 *   its last error, and stays visible through {@link JobQueue.get} and {@link JobQueue.list};
 * - a handler that throws a {@link PermanentJobError} (or any error whose `permanent` is `true`)
 *   fails the job at once with that error's message: no further attempts;
 * - delivery is **at least once**: a worker that stops in the middle of a job (crash, lost lease)
 *   leaves the job to run again. Handlers must be idempotent, keyed by `jobKey` (the SMS sender
 *   dedupes by it).
 *
 * Which adapter is in use is chosen by configuration: BullMQ on Redis when `REDIS_URL` is set, an
 * in-process durable scheduler on SQLite otherwise.
 */

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JobPayload = { [key: string]: JsonValue };

export interface NewJob<Payload extends JobPayload = JobPayload> {
  /**
   * The job's identity. Letters, digits, `-`, `_` and `.` only (BullMQ forbids `:` in job ids);
   * at most {@link MAX_JOB_KEY_LENGTH} characters.
   */
  jobKey: string;
  /** What kind of job it is; {@link JobQueue.process} consumes jobs by name. */
  name: string;
  /** ISO 8601 instant before which the job must not start. A past instant means "now". */
  runAt: string;
  payload: Payload;
}

export type JobState = 'pending' | 'running' | 'done' | 'failed';

/** What a handler receives. `attempt` counts from 1. */
export interface RunningJob<Payload extends JobPayload = JobPayload> {
  jobKey: string;
  name: string;
  runAt: string;
  payload: Payload;
  attempt: number;
}

export type JobHandler<Payload extends JobPayload = JobPayload> = (job: RunningJob<Payload>) => Promise<void>;

export interface ProcessOptions {
  /** How many jobs of this name may run at once in this process. Default 1. */
  concurrency?: number;
  /** Attempts in all, the first included. Default 5. */
  maxAttempts?: number;
  /** Base of the exponential backoff between attempts, in ms. Default 1000. */
  backoffMs?: number;
}

/** A job as it is now, for visibility (api, operators, tests). */
export interface JobInfo<Payload extends JobPayload = JobPayload> {
  jobKey: string;
  name: string;
  /** The instant it was scheduled for (not moved by retries). */
  runAt: string;
  payload: Payload;
  /**
   * `pending` also covers a job waiting for its next attempt after a failure (then `attempts > 0`
   * and `lastError` is set).
   */
  state: JobState;
  /** Attempts started so far. */
  attempts: number;
  lastError: string | null;
  createdAt: string;
  /** When it reached `done` or `failed`. */
  finishedAt: string | null;
}

export interface ListJobsOptions {
  state?: JobState;
  /** Only jobs whose key starts with this (SQLite answers from its key index). */
  keyPrefix?: string;
  /** Default 100, at most 1000. */
  limit?: number;
  skip?: number;
}

export interface JobQueue {
  /**
   * Stores the job to run at `runAt`. Answers `'exists'`, changing nothing, when the key is known.
   * Rejects with {@link InvalidJobError} for a bad key, name or `runAt`.
   */
  schedule(job: NewJob): Promise<'scheduled' | 'exists'>;
  /**
   * Removes a pending job (its key becomes free again). False when the job is unknown, running or
   * finished: a running job cannot be stopped, a finished one stays as a record.
   */
  cancel(jobKey: string): Promise<boolean>;
  /**
   * Starts consuming due jobs of `name` in this process, until {@link close}. One handler per name
   * and queue instance.
   */
  process<Payload extends JobPayload = JobPayload>(
    name: string,
    handler: JobHandler<Payload>,
    options?: ProcessOptions,
  ): void;
  get(jobKey: string): Promise<JobInfo | null>;
  /** Ordered by `runAt`, then key (the BullMQ adapter orders exactly only within one state). */
  list(options?: ListJobsOptions): Promise<JobInfo[]>;
  /** How many jobs are in each state now: the queue depth operators watch (`dukao_queue_jobs`). */
  counts(): Promise<Record<JobState, number>>;
  /** Stops taking jobs, waits for the running ones to finish, releases the connection. */
  close(): Promise<void>;
}

/** DI token for the job queue. */
export const JOB_QUEUE = Symbol('JOB_QUEUE');

export const MAX_JOB_KEY_LENGTH = 200;
const KEY = /^[A-Za-z0-9_.-]+$/;

export const DEFAULT_PROCESS_OPTIONS: Required<ProcessOptions> = {
  concurrency: 1,
  maxAttempts: 5,
  backoffMs: 1000,
};

export class InvalidJobError extends Error {
  readonly code = 'INVALID_JOB';
  constructor(detail: string) {
    super(detail);
    this.name = 'InvalidJobError';
  }
}

/** Thrown by `schedule` and `process` once the queue is closed. */
export class JobQueueClosedError extends Error {
  readonly code = 'JOB_QUEUE_CLOSED';
  constructor() {
    super('the job queue is closed');
    this.name = 'JobQueueClosedError';
  }
}

/**
 * Thrown by a handler when retrying cannot help (the provider refused the message, the job's data is
 * unusable): the job becomes `failed` at once with this message instead of spending its remaining
 * attempts. Errors defined outside this lib mark themselves the same way with `permanent = true`
 * (see {@link isPermanentJobError}), so they need not import the queue.
 */
export class PermanentJobError extends Error {
  readonly code: string = 'PERMANENT_JOB_ERROR';
  readonly permanent = true;
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'PermanentJobError';
  }
}

/** True for a {@link PermanentJobError} and for any error object whose `permanent` is `true`. */
export function isPermanentJobError(error: unknown): boolean {
  return (
    error instanceof PermanentJobError ||
    (typeof error === 'object' && error !== null && (error as { permanent?: unknown }).permanent === true)
  );
}

/** Checks a key; shared by the adapters so that both refuse the same keys. */
export function assertJobKey(jobKey: string): void {
  if (
    typeof jobKey !== 'string' ||
    jobKey.length === 0 ||
    jobKey.length > MAX_JOB_KEY_LENGTH ||
    !KEY.test(jobKey)
  ) {
    throw new InvalidJobError(
      `invalid job key "${String(jobKey)}": use 1–${MAX_JOB_KEY_LENGTH} letters, digits, "-", "_" or "." (no ":")`,
    );
  }
}

/** Checks a new job and returns its `runAt` in ms since the epoch. */
export function checkNewJob(job: NewJob): number {
  assertJobKey(job.jobKey);
  if (typeof job.name !== 'string' || !KEY.test(job.name))
    throw new InvalidJobError(`invalid job name "${String(job.name)}"`);
  const runAt = typeof job.runAt === 'string' ? Date.parse(job.runAt) : Number.NaN;
  if (!Number.isFinite(runAt))
    throw new InvalidJobError(`invalid runAt "${String(job.runAt)}": expected an ISO 8601 instant`);
  if (job.payload === null || typeof job.payload !== 'object' || Array.isArray(job.payload)) {
    throw new InvalidJobError('payload must be a JSON object');
  }
  return runAt;
}

export function resolveProcessOptions(options: ProcessOptions = {}): Required<ProcessOptions> {
  const resolved = { ...DEFAULT_PROCESS_OPTIONS, ...stripUndefined(options) };
  if (!Number.isInteger(resolved.concurrency) || resolved.concurrency < 1)
    throw new InvalidJobError('concurrency must be a whole number ≥ 1');
  if (!Number.isInteger(resolved.maxAttempts) || resolved.maxAttempts < 1)
    throw new InvalidJobError('maxAttempts must be a whole number ≥ 1');
  if (!Number.isFinite(resolved.backoffMs) || resolved.backoffMs < 0)
    throw new InvalidJobError('backoffMs must be ≥ 0');
  return resolved;
}

/** Delay before the next attempt after the n-th failed attempt (n ≥ 1). */
export function backoffDelay(backoffMs: number, failedAttempts: number): number {
  return Math.round(backoffMs * 2 ** Math.max(0, failedAttempts - 1));
}

export function errorText(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
