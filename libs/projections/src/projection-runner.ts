import { EventEmitter } from 'node:events';
import type { Logger } from '@nestjs/common';
import type { EventStore, StoredEvent } from '@dukao/event-store';
import type { GenerationWriter, ReadModelDocument, ReadModelStore, WriteOp } from '@dukao/read-model-store';
import { applyChange, type Projection } from './projection';

export type RunnerState = 'starting' | 'catching-up' | 'live' | 'failed' | 'stalled' | 'stopped';

export interface RunnerFailure {
  position: number;
  eventId: string;
  eventType: string;
  message: string;
}

export interface RunnerOptions {
  eventStore: EventStore;
  readStore: ReadModelStore;
  projection: Projection;
  generation: number;
  batchSize: number;
  logger: Pick<Logger, 'log' | 'warn' | 'error'>;
  /** Called once the runner has reached the head of the log (used to swap in a rebuilt generation). */
  onCaughtUp?: (runner: ProjectionRunner) => Promise<void>;
}

const IDLE = Symbol('idle');
const MAX_BACKOFF_MS = 30_000;

/**
 * Feeds one generation of one projection from the log: reads from its checkpoint, applies events
 * in batches, and commits each batch together with the position it reached.
 *
 * - Events the projection does not read still move the checkpoint, so read-your-writes waits on
 *   any position work for every projection.
 * - A batch is committed when it is full or when the subscription has nothing more right now.
 * - A document records the position of the last event applied to it; an event at or below that
 *   position is not applied again (a replay after a crash between writes and checkpoint, on
 *   backends that cannot commit both at once).
 * - An error in the projection's own code stops this runner at that event (state `failed`, with the
 *   event named); the events before it are committed. Storage errors are retried with backoff.
 */
export class ProjectionRunner {
  state: RunnerState = 'starting';
  position: number | null = null;
  failure: RunnerFailure | null = null;
  readonly progress = new EventEmitter();
  private stopping = false;
  private closeSubscription: (() => Promise<void>) | null = null;
  private done: Promise<void> | null = null;
  private writer!: GenerationWriter;
  private readonly handled: ReadonlySet<string> | null;

  constructor(private readonly options: RunnerOptions) {
    this.handled = options.projection.eventTypes ? new Set(options.projection.eventTypes) : null;
    this.progress.setMaxListeners(0);
  }

  get generation(): number {
    return this.options.generation;
  }

  start(): void {
    this.done = this.run().catch((error: unknown) => {
      this.state = 'stalled';
      this.options.logger.error(`projection ${this.options.projection.name} stopped: ${String(error)}`);
    });
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.closeSubscription?.();
    await this.done;
    if (this.state !== 'failed') this.state = 'stopped';
  }

  private async run(): Promise<void> {
    const { projection, readStore, eventStore, generation, batchSize } = this.options;
    this.writer = await readStore.generation(projection.name, generation, projection.collections);
    this.position = await this.writer.checkpoint();
    this.state = 'catching-up';

    const subscription = eventStore.subscribe({ after: this.position ?? undefined, batchSize: Math.max(batchSize, 500) });
    this.closeSubscription = () => subscription.close();
    const events = subscription[Symbol.asyncIterator]();
    const batch = new Batch();
    let next: Promise<IteratorResult<StoredEvent>> | null = null;

    while (!this.stopping) {
      next ??= events.next();
      // Nothing more arrives before the next turn of the event loop: commit, and see whether we are at the head.
      let result = await Promise.race([next, new Promise<typeof IDLE>((resolve) => setImmediate(() => resolve(IDLE)))]);
      if (result === IDLE) {
        if (batch.size > 0 && !(await this.commit(batch))) return;
        await this.checkCaughtUp();
        result = await next;
      }
      next = null;
      if (result.done) break;
      try {
        await this.apply(result.value, batch);
      } catch (error) {
        // Keep what came before the failing event; the checkpoint stays just before it.
        if (batch.size > 0) await this.commit(batch);
        this.fail(result.value, error);
        await subscription.close();
        return;
      }
      if (batch.size >= batchSize && !(await this.commit(batch))) return;
    }
    if (batch.size > 0) await this.commit(batch);
  }

  private async apply(event: StoredEvent, batch: Batch): Promise<void> {
    if (this.handled && !this.handled.has(event.type)) {
      batch.advance(event.position);
      return;
    }
    // Stage this event's changes apart, so that an error half-way leaves the batch as it was.
    const staged = new Map<string, ReadModelDocument | null>();
    for (const change of this.options.projection.changes(event)) {
      const key = `${change.collection}\u0000${change.id}`;
      const current = staged.has(key)
        ? staged.get(key)!
        : batch.documents.has(key)
          ? batch.documents.get(key)!
          : await this.writer.get(change.collection, change.id);
      const next = applyChange(current, change, event);
      if (next !== undefined) staged.set(key, next);
    }
    for (const [key, document] of staged) {
      batch.documents.set(key, document);
      const [collection, id] = key.split('\u0000') as [string, string];
      batch.collections.set(key, { collection, id });
    }
    batch.advance(event.position);
  }

  /** Commits the batch; retries storage errors with backoff until it succeeds or the runner stops. */
  private async commit(batch: Batch): Promise<boolean> {
    const writes: WriteOp[] = [];
    for (const [key, document] of batch.documents) {
      const { collection, id } = batch.collections.get(key)!;
      writes.push(document === null ? { type: 'delete', collection, id } : { type: 'put', collection, document });
    }
    for (let attempt = 0; ; attempt += 1) {
      try {
        await this.writer.commit(writes, batch.position!);
        break;
      } catch (error) {
        if (this.stopping) return false;
        this.state = 'stalled';
        const delay = Math.min(MAX_BACKOFF_MS, 100 * 2 ** attempt);
        this.options.logger.warn(
          `projection ${this.options.projection.name}: commit at position ${batch.position} failed (${String(error)}); retrying in ${delay} ms`,
        );
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
    if (this.state === 'stalled') this.state = 'catching-up';
    this.position = batch.position;
    batch.clear();
    this.progress.emit('position', this.position);
    return true;
  }

  private async checkCaughtUp(): Promise<void> {
    const head = await this.options.eventStore.headPosition();
    if (head !== null && (this.position ?? 0) < head) return;
    const first = this.state !== 'live';
    this.state = 'live';
    if (first) await this.options.onCaughtUp?.(this);
  }

  private fail(event: StoredEvent, error: unknown): void {
    this.state = 'failed';
    this.failure = {
      position: event.position,
      eventId: event.id,
      eventType: event.type,
      message: error instanceof Error ? error.message : String(error),
    };
    this.options.logger.error(
      `projection ${this.options.projection.name} failed at position ${event.position} (${event.type} ${event.id}): ${this.failure.message}`,
    );
    this.progress.emit('failed', this.failure);
  }
}

class Batch {
  size = 0;
  position: number | null = null;
  readonly documents = new Map<string, ReadModelDocument | null>();
  readonly collections = new Map<string, { collection: string; id: string }>();

  advance(position: number): void {
    this.position = position;
    this.size += 1;
  }

  clear(): void {
    this.size = 0;
    this.documents.clear();
    this.collections.clear();
  }
}
