import { EventEmitter } from 'node:events';
import type { Logger } from '@nestjs/common';
import type { EventStore, StoredEvent } from '@dukao/event-store';
import type { GenerationWriter, ReadModelDocument, ReadModelStore, WriteOp } from '@dukao/read-model-store';
import { applyChange, type DocumentChange, type Projection } from './projection';

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
  private idle: Promise<typeof IDLE> | null = null;

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

    const subscription = eventStore.subscribe({
      after: this.position ?? undefined,
      batchSize: Math.max(batchSize, 500),
    });
    this.closeSubscription = () => subscription.close();
    const events = subscription[Symbol.asyncIterator]();
    const batch = new Batch();
    // Events taken from the subscription and not yet applied: they are applied together, so that the
    // documents they change are read with one query per collection instead of one per event.
    const pending: StoredEvent[] = [];
    let next: Promise<IteratorResult<StoredEvent>> | null = null;

    while (!this.stopping) {
      next ??= events.next();
      // Nothing more arrives before the next turn of the event loop: commit, and see whether we are at the head.
      let result = await Promise.race([next, this.nextTurn()]);
      if (result === IDLE) {
        if (!(await this.applyPending(pending, batch, subscription))) return;
        if (batch.size > 0 && !(await this.commit(batch))) return;
        await this.checkCaughtUp();
        result = await next;
      }
      next = null;
      if (result.done) break;
      pending.push(result.value);
      if (batch.size + pending.length >= batchSize) {
        if (!(await this.applyPending(pending, batch, subscription))) return;
        if (batch.size >= batchSize) {
          if (!(await this.commit(batch))) return;
          // Let timers and I/O run between batches (lease renewals, HTTP requests in the same process):
          // while catching up, every read resolves at once and the loop would otherwise hold the thread.
          await new Promise<void>((resolve) => setImmediate(resolve));
        }
      }
    }
    if (!(await this.applyPending(pending, batch, subscription))) return;
    if (batch.size > 0) await this.commit(batch);
  }

  /**
   * A promise of IDLE at the next turn of the event loop, shared by every wait until it fires (one
   * timer per turn rather than one per event).
   */
  private nextTurn(): Promise<typeof IDLE> {
    this.idle ??= new Promise((resolve) =>
      setImmediate(() => {
        this.idle = null;
        resolve(IDLE);
      }),
    );
    return this.idle;
  }

  /**
   * Applies the pending events in order (see `apply`), then empties the list. On an error in the
   * projection's code, commits what came before the failing event, fails there and returns false.
   */
  private async applyPending(
    pending: StoredEvent[],
    batch: Batch,
    subscription: { close(): Promise<void> },
  ): Promise<boolean> {
    if (pending.length === 0) return true;
    const plans = this.plan(pending);
    pending.length = 0;
    const loaded = await this.load(plans, batch);
    for (const plan of plans) {
      try {
        if (plan.error !== undefined) throw plan.error.cause;
        await this.apply(plan, batch, loaded);
      } catch (error) {
        // Keep what came before the failing event; the checkpoint stays just before it.
        if (batch.size > 0) await this.commit(batch);
        this.fail(plan.event, error);
        await subscription.close();
        return false;
      }
    }
    return true;
  }

  /**
   * The changes of each event (null for events this projection does not read), computed up front so
   * that the documents can be read together. `changes` is pure, so calling it before the earlier
   * events are applied changes nothing; the planning stops at the first event whose `changes` throws.
   */
  private plan(events: readonly StoredEvent[]): Plan[] {
    const plans: Plan[] = [];
    for (const event of events) {
      if (this.handled && !this.handled.has(event.type)) {
        plans.push({ event, changes: null });
        continue;
      }
      try {
        plans.push({ event, changes: this.options.projection.changes(event) });
      } catch (cause) {
        plans.push({ event, changes: null, error: { cause } });
        break;
      }
    }
    return plans;
  }

  /**
   * Reads, one query per collection, the stored documents the planned changes start from (those the
   * batch does not hold yet). Returns null when that read fails: `apply` then reads document by
   * document, so that the error comes up at the event that needed the document, as it always has.
   */
  private async load(plans: readonly Plan[], batch: Batch): Promise<Map<string, ReadModelDocument> | null> {
    const wanted = new Map<string, Set<string>>();
    for (const plan of plans) {
      for (const change of plan.changes ?? []) {
        if (batch.documents.has(documentKey(change.collection, change.id))) continue;
        let ids = wanted.get(change.collection);
        if (!ids) wanted.set(change.collection, (ids = new Set()));
        ids.add(change.id);
      }
    }
    const loaded = new Map<string, ReadModelDocument>();
    try {
      for (const [collection, ids] of wanted) {
        const found = await this.writer.getMany(collection, [...ids]);
        for (const [id, document] of found) loaded.set(documentKey(collection, id), document);
      }
    } catch {
      return null;
    }
    return loaded;
  }

  /**
   * Applies one planned event to the batch. `loaded` holds the stored documents its changes start
   * from (absent: no such document); null means read them one by one.
   */
  private async apply(
    plan: Plan,
    batch: Batch,
    loaded: Map<string, ReadModelDocument> | null,
  ): Promise<void> {
    const { event, changes } = plan;
    if (changes === null) {
      batch.advance(event.position);
      return;
    }
    // Stage this event's changes apart, so that an error half-way leaves the batch as it was.
    const staged = new Map<string, ReadModelDocument | null>();
    for (const change of changes) {
      const key = documentKey(change.collection, change.id);
      const current = staged.has(key)
        ? staged.get(key)!
        : batch.documents.has(key)
          ? batch.documents.get(key)!
          : loaded
            ? (loaded.get(key) ?? null)
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
      writes.push(
        document === null ? { type: 'delete', collection, id } : { type: 'put', collection, document },
      );
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

/** An event with its changes (null: not read by this projection), or the error its `changes` threw. */
interface Plan {
  event: StoredEvent;
  changes: readonly DocumentChange[] | null;
  error?: { cause: unknown };
}

function documentKey(collection: string, id: string): string {
  return `${collection}\u0000${id}`;
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
