import { randomUUID } from 'node:crypto';
import { type Job, type JobType, Queue, UnrecoverableError, Worker } from 'bullmq';
import { Redis } from 'ioredis';
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

export interface BullmqJobQueueOptions {
  /** An ioredis client made with `maxRetriesPerRequest: null` (BullMQ's blocking commands need it). */
  connection: Redis;
  /** Closed by {@link BullmqJobQueue.close} when true (the default when made by `connect`). */
  ownsConnection?: boolean;
  /** The BullMQ queue name. Default `dukao-jobs`. */
  queueName?: string;
  /** Redis key prefix. BullMQ's default (`bull`) when unset. */
  prefix?: string;
  /** Where connection and worker errors go. Default console.error. */
  onError?: (error: unknown) => void;
  /**
   * How long a running job's lock lasts without renewal; a worker that died is noticed (its jobs
   * run again) within about twice this. BullMQ's default, 30 s, when unset.
   */
  lockDurationMs?: number;
}

/** What the adapter stores as BullMQ job data. */
interface StoredData {
  payload: JobPayload;
  runAt: string;
  /** Identifies the `add` that created the job, to tell 'scheduled' from 'exists' (read by a Lua script). */
  token: string;
}

/**
 * BullMQ's own attempt limit, fixed when a job is added. The real limit is `maxAttempts` of the
 * consuming `process` call, enforced by the processor (it turns the last failure into an
 * `UnrecoverableError`); so `maxAttempts` may not exceed this.
 */
export const BULLMQ_ATTEMPTS_CEILING = 100;
const BACKOFF_TYPE = 'dukao-exponential';

/**
 * After an `add`, in one round trip: indexes the key (KEYS[2], ARGV[1]) and answers the token of the
 * job stored under it (KEYS[1], the job's hash): nil when there is no job, '' when its data has no
 * token (not ours).
 */
const INDEX_AND_READ_TOKEN = 'dukaoIndexAndReadToken';
const INDEX_AND_READ_TOKEN_LUA = `
redis.call('ZADD', KEYS[2], 0, ARGV[1])
local data = redis.call('HGET', KEYS[1], 'data')
if not data then return false end
local ok, stored = pcall(cjson.decode, data)
if not ok or type(stored) ~= 'table' or type(stored.token) ~= 'string' then return '' end
return stored.token`;

type WithIndexAndReadToken = Redis & {
  [INDEX_AND_READ_TOKEN]: (jobHash: string, keyIndex: string, jobKey: string) => Promise<string | null>;
};

const STATE_TYPES: Record<JobState, JobType[]> = {
  pending: ['delayed', 'waiting', 'prioritized', 'waiting-children'],
  running: ['active'],
  done: ['completed'],
  failed: ['failed'],
};

function stateOf(bullState: string): JobState {
  switch (bullState) {
    case 'active':
      return 'running';
    case 'completed':
      return 'done';
    case 'failed':
      return 'failed';
    default:
      return 'pending';
  }
}

interface Consumer {
  handler: JobHandler;
  options: Required<ProcessOptions>;
  running: number;
  waiters: (() => void)[];
}

/**
 * The production job queue: one BullMQ queue on Redis, consumed by one BullMQ `Worker` per
 * process that dispatches by job name. The job key is the BullMQ job id, so an `add` with a known
 * key is ignored by BullMQ itself (also across processes). Completed and failed jobs are kept
 * (`removeOnComplete/removeOnFail: false`) as the record of what was sent.
 *
 * Every job name scheduled on the queue needs its handler registered in each process that consumes
 * the queue; a job without one fails its attempts with "no handler".
 */
export class BullmqJobQueue implements JobQueue {
  private readonly queue: Queue;
  private readonly connection: Redis;
  private readonly ownsConnection: boolean;
  private readonly queueName: string;
  private readonly prefix: string | undefined;
  private readonly onError: (error: unknown) => void;
  private readonly consumers = new Map<string, Consumer>();
  private worker: Worker | undefined;
  private readonly lockDurationMs: number | undefined;
  /** Redis sorted set of every job key scheduled here, for listing by key prefix. */
  private readonly keyIndex: string;
  private closed = false;
  private closing: Promise<void> | undefined;

  constructor(options: BullmqJobQueueOptions) {
    this.connection = options.connection;
    this.ownsConnection = options.ownsConnection ?? false;
    this.queueName = options.queueName ?? 'dukao-jobs';
    this.prefix = options.prefix;
    this.lockDurationMs = options.lockDurationMs;
    this.keyIndex = `${this.prefix ?? 'bull'}:${this.queueName}:dukao-key-index`;
    this.onError = options.onError ?? ((error) => console.error('job queue (BullMQ):', error));
    this.queue = new Queue(this.queueName, {
      connection: this.connection,
      ...(this.prefix ? { prefix: this.prefix } : {}),
    });
    this.queue.on('error', (error) => this.onError(error));
    if (!(INDEX_AND_READ_TOKEN in this.connection))
      this.connection.defineCommand(INDEX_AND_READ_TOKEN, { numberOfKeys: 2, lua: INDEX_AND_READ_TOKEN_LUA });
  }

  /** Connects to `url` (redis:// or rediss://) with its own client, closed with the queue. */
  static connect(
    options: Omit<BullmqJobQueueOptions, 'connection' | 'ownsConnection'> & { url: string },
  ): BullmqJobQueue {
    const { url, ...rest } = options;
    const connection = new Redis(url, { maxRetriesPerRequest: null });
    return new BullmqJobQueue({ ...rest, connection, ownsConnection: true });
  }

  async schedule(job: NewJob): Promise<'scheduled' | 'exists'> {
    if (this.closed) throw new JobQueueClosedError();
    const runAt = checkNewJob(job);
    // One add and one read: BullMQ ignores an add whose id exists, and the stored token tells who won.
    const token = randomUUID();
    const data: StoredData = { payload: job.payload, runAt: new Date(runAt).toISOString(), token };
    await this.queue.add(job.name, data, {
      jobId: job.jobKey,
      delay: Math.max(0, runAt - Date.now()),
      attempts: BULLMQ_ATTEMPTS_CEILING,
      backoff: { type: BACKOFF_TYPE },
      removeOnComplete: false,
      removeOnFail: false,
    });
    // BullMQ ignores an add whose id exists; a concurrent schedule of the same key may have won. The
    // key index and the stored token (not the whole job) in one round trip.
    const stored = await (this.connection as WithIndexAndReadToken)[INDEX_AND_READ_TOKEN](
      this.queue.toKey(job.jobKey),
      this.keyIndex,
      job.jobKey,
    );
    return stored === null || stored === token ? 'scheduled' : 'exists';
  }

  async cancel(jobKey: string): Promise<boolean> {
    assertJobKey(jobKey);
    const state = await this.queue.getJobState(jobKey);
    if (stateOf(state) !== 'pending' || state === 'unknown') return false;
    // 0 when the job is locked: a worker took it in the meantime.
    const removed = (await this.queue.remove(jobKey)) === 1;
    if (removed) await this.connection.zrem(this.keyIndex, jobKey);
    return removed;
  }

  process<Payload extends JobPayload = JobPayload>(
    name: string,
    handler: JobHandler<Payload>,
    options?: ProcessOptions,
  ): void {
    if (this.closed) throw new JobQueueClosedError();
    if (this.consumers.has(name))
      throw new InvalidJobError(`jobs "${name}" already have a handler in this queue`);
    const resolved = resolveProcessOptions(options);
    if (resolved.maxAttempts > BULLMQ_ATTEMPTS_CEILING) {
      throw new InvalidJobError(`maxAttempts may not exceed ${BULLMQ_ATTEMPTS_CEILING} with BullMQ`);
    }
    this.consumers.set(name, { handler: handler as JobHandler, options: resolved, running: 0, waiters: [] });
    const concurrency = [...this.consumers.values()].reduce((sum, c) => sum + c.options.concurrency, 0);
    if (this.worker) {
      this.worker.concurrency = concurrency;
      return;
    }
    this.worker = new Worker(this.queueName, (job: Job<StoredData>) => this.dispatch(job), {
      connection: this.connection,
      concurrency,
      ...(this.prefix ? { prefix: this.prefix } : {}),
      ...(this.lockDurationMs
        ? { lockDuration: this.lockDurationMs, stalledInterval: this.lockDurationMs }
        : {}),
      settings: {
        backoffStrategy: (attemptsMade: number, _type?: string, _err?: Error, job?: { name: string }) =>
          backoffDelay(this.consumers.get(job?.name ?? '')?.options.backoffMs ?? 1000, attemptsMade),
      },
    });
    this.worker.on('error', (error) => this.onError(error));
  }

  async get(jobKey: string): Promise<JobInfo | null> {
    assertJobKey(jobKey);
    // The job's hash and its state set are two reads: retry until the state is the same on both
    // sides of the hash read, so that attempts and lastError match the state reported.
    for (let tries = 0; ; tries++) {
      const before = await this.queue.getJobState(jobKey);
      const job = (await this.queue.getJob(jobKey)) as Job<StoredData> | undefined;
      const after = await this.queue.getJobState(jobKey);
      if (before !== after && tries < 5) continue;
      if (!job || after === 'unknown') return null;
      return toInfo(job, stateOf(after));
    }
  }

  async counts(): Promise<Record<JobState, number>> {
    const byType = await this.queue.getJobCounts(...Object.values(STATE_TYPES).flat());
    const counts: Record<JobState, number> = { pending: 0, running: 0, done: 0, failed: 0 };
    for (const [state, types] of Object.entries(STATE_TYPES) as Array<[JobState, JobType[]]>) {
      counts[state] = types.reduce((sum, type) => sum + (byType[type] ?? 0), 0);
    }
    return counts;
  }

  /** The BullMQ queue underneath, for the operators' dashboard (`mountQueueDashboard`). */
  get bullQueue(): Queue {
    return this.queue;
  }

  async list(options: ListJobsOptions = {}): Promise<JobInfo[]> {
    const limit = Math.min(Math.max(options.limit ?? 100, 0), 1000);
    const skip = Math.max(options.skip ?? 0, 0);
    if (limit === 0) return [];
    if (options.keyPrefix !== undefined)
      return this.listByPrefix(options.keyPrefix, options.state, skip, limit);
    const states: JobState[] = options.state ? [options.state] : ['pending', 'running', 'done', 'failed'];
    const seen = new Map<string, JobInfo>();
    for (const state of states) {
      // Each state's first skip+limit jobs; merged and cut below.
      const jobs = (await this.queue.getJobs(
        STATE_TYPES[state],
        0,
        skip + limit - 1,
        true,
      )) as Job<StoredData>[];
      for (const job of jobs) if (job?.id && !seen.has(job.id)) seen.set(job.id, toInfo(job, state));
    }
    return byRunAtThenKey([...seen.values()]).slice(skip, skip + limit);
  }

  /**
   * The jobs whose key starts with `prefix`, from the key index (a sorted set of every key this
   * adapter scheduled, read by lexical range), not a scan of every job: the reminder planner lists
   * one target's jobs on each of its events. Keys whose job is gone (removed, flushed) are skipped.
   */
  private async listByPrefix(
    prefix: string,
    state: JobState | undefined,
    skip: number,
    limit: number,
  ): Promise<JobInfo[]> {
    const keys = await this.connection.zrangebylex(this.keyIndex, `[${prefix}`, `[${prefix}\xff`);
    const found = await Promise.all(
      keys.map(async (key) => {
        const [job, bullState] = await Promise.all([
          this.queue.getJob(key) as Promise<Job<StoredData> | undefined>,
          this.queue.getJobState(key),
        ]);
        if (!job || bullState === 'unknown') return null;
        const info = toInfo(job, stateOf(bullState));
        return state === undefined || info.state === state ? info : null;
      }),
    );
    return byRunAtThenKey(found.filter((j): j is JobInfo => j !== null)).slice(skip, skip + limit);
  }

  async close(): Promise<void> {
    this.closing ??= (async () => {
      this.closed = true;
      try {
        await this.worker?.close();
        await this.queue.close();
      } finally {
        if (this.ownsConnection) await this.connection.quit().catch(() => this.connection.disconnect());
      }
    })();
    return this.closing;
  }

  private async dispatch(job: Job<StoredData>): Promise<void> {
    const consumer = this.consumers.get(job.name);
    if (!consumer) throw new Error(`no handler for jobs "${job.name}" in this worker`);
    // Counts starts, so an attempt cut short by a dead worker (a stalled job) counts too.
    const attempt = Math.max(job.attemptsStarted ?? 0, job.attemptsMade + 1);
    while (consumer.running >= consumer.options.concurrency)
      await new Promise<void>((resolve) => consumer.waiters.push(resolve));
    consumer.running++;
    try {
      await consumer.handler({
        jobKey: job.id ?? '',
        name: job.name,
        runAt: job.data.runAt,
        payload: job.data.payload,
        attempt,
      });
    } catch (error) {
      // BullMQ moves a job that throws UnrecoverableError straight to failed, whatever its attempts.
      if (attempt >= consumer.options.maxAttempts || isPermanentJobError(error))
        throw new UnrecoverableError(errorText(error));
      throw error instanceof Error ? error : new Error(errorText(error));
    } finally {
      consumer.running--;
      consumer.waiters.shift()?.();
    }
  }
}

function toInfo(job: Job<StoredData>, state: JobState): JobInfo {
  return {
    jobKey: job.id ?? '',
    name: job.name,
    runAt: job.data.runAt,
    payload: job.data.payload,
    state,
    attempts: Math.max(job.attemptsStarted ?? 0, job.attemptsMade),
    lastError: job.failedReason || null,
    createdAt: new Date(job.timestamp).toISOString(),
    finishedAt:
      state === 'done' || state === 'failed'
        ? job.finishedOn
          ? new Date(job.finishedOn).toISOString()
          : null
        : null,
  };
}

/** Ordered by `runAt`, then key, as the port promises. */
function byRunAtThenKey(jobs: JobInfo[]): JobInfo[] {
  return jobs.sort((a, b) =>
    a.runAt !== b.runAt
      ? a.runAt < b.runAt
        ? -1
        : 1
      : a.jobKey < b.jobKey
        ? -1
        : a.jobKey > b.jobKey
          ? 1
          : 0,
  );
}
