import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { type BeforeApplicationShutdown, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import {
  type EventStore,
  type EventSubscription,
  type LogFilter,
  readAllPages,
  type StoredEvent,
} from '@dukao/event-store';
import type { GenerationWriter, ReadModelStore } from '@dukao/read-model-store';
import { withCorrelationId } from '@dukao/kernel';
import type { ProjectionEngine } from './projection-engine';

export interface LogReactorDeps {
  events: EventStore;
  /** Holds the checkpoint and the lease. */
  views: ReadModelStore;
  /** Runs the projections that fill `waitForViews`. */
  engine: Pick<ProjectionEngine, 'waitFor' | 'ownerOf'>;
}

export interface LogReactorOptions {
  /** Names the checkpoint (a read-model generation with no collections) and the lease `reactor:<name>`. */
  name: string;
  /** The events `handle` is called for. */
  filter: LogFilter;
  /** Collections `handle` reads: their projections must have applied an event before it is handled. */
  waitForViews?: readonly string[];
  logger?: Pick<Logger, 'log' | 'warn' | 'error'>;
  /** Identifies this process in the lease. */
  owner?: string;
  leaseTtlMs?: number;
  /** Attempts per event before it is logged and skipped. */
  maxAttempts?: number;
  /** The first retry waits twice this, each later one twice as long, up to 5 s. */
  retryDelayMs?: number;
  /** How long one attempt waits for the views. */
  waitForViewMs?: number;
}

/** One stretch of reacting while this process holds the lease. */
interface Run {
  readonly stop: AbortController;
  subscription: EventSubscription | null;
  done: Promise<void>;
}

const MAX_RETRY_DELAY_MS = 5000;

/**
 * A reactor that follows the log from its own checkpoint and calls `handle` for each event of its
 * filter, one at a time and in log order: Event → Command or Event → jobs, as STYLE §2. Subclasses
 * give a name, a filter, the views they read and `handle`; this class does the rest.
 *
 * - Checkpoint: a generation of `name` with no collections in the read-model store, committed after
 *   each event, so a restart resumes after the last event handled.
 * - Lease: only the process holding `reactor:<name>` reacts; it renews every third of the TTL. The
 *   others stand by and take over from the checkpoint once it is released (shutdown) or expires
 *   (crash). A holder that finds its lease taken stops and stands by.
 * - Before each event, waits until the projections of `waitForViews` have applied it.
 * - A failing event is retried with backoff and, after `maxAttempts`, logged and skipped: a reactor
 *   must not stall the ones behind it on one bad event.
 *
 * Guarantees: at-least-once (a crash between `handle` and the checkpoint, or a lease taken over
 * mid-event, repeats an event), so `handle` must be idempotent.
 */
export abstract class LogReactor implements OnApplicationBootstrap, BeforeApplicationShutdown {
  /**
   * The last log position handled: by this process, or, while it stands by, by the lease holder as
   * last read by `waitFor`/`settle`. Null before the first event.
   */
  position: number | null = null;
  protected readonly logger: Pick<Logger, 'log' | 'warn' | 'error'>;
  private readonly reactor: Required<Omit<LogReactorOptions, 'logger'>>;
  private readonly progress = new EventEmitter();
  private checkpoint: Promise<GenerationWriter> | null = null;
  private current: Run | null = null;
  private hasLease = false;
  private started = false;
  private leaseTimer: NodeJS.Timeout | null = null;
  private tending: Promise<void> | null = null;

  constructor(
    private readonly deps: LogReactorDeps,
    options: LogReactorOptions,
  ) {
    this.reactor = {
      name: options.name,
      filter: options.filter,
      waitForViews: options.waitForViews ?? [],
      owner: options.owner ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`,
      leaseTtlMs: options.leaseTtlMs ?? 30_000,
      maxAttempts: options.maxAttempts ?? 5,
      retryDelayMs: options.retryDelayMs ?? 100,
      waitForViewMs: options.waitForViewMs ?? 10_000,
    };
    this.logger = options.logger ?? new Logger(options.name);
    this.progress.setMaxListeners(0);
  }

  /** Reacts to one event. Must be idempotent; throw to have it retried. */
  protected abstract handle(event: StoredEvent): Promise<void>;

  /** Whether this process holds the lease and reacts (else it stands by). */
  get active(): boolean {
    return this.current !== null;
  }

  onApplicationBootstrap(): Promise<void> {
    return this.start();
  }

  beforeApplicationShutdown(): Promise<void> {
    return this.stop();
  }

  /** Takes the lease if it is free and starts reacting; else stands by and keeps trying. */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    await this.tendLease();
    this.leaseTimer = setInterval(
      () => void this.tendLease(),
      Math.max(50, Math.floor(this.reactor.leaseTtlMs / 3)),
    );
    this.leaseTimer.unref();
  }

  /**
   * Stops reacting, then gives up the lease. The event in hand is finished and checkpointed; one
   * waiting to be retried is left to the next run.
   */
  async stop(): Promise<void> {
    this.started = false;
    if (this.leaseTimer) clearInterval(this.leaseTimer);
    this.leaseTimer = null;
    await this.tending;
    await this.release();
  }

  /**
   * Resolves true once the event at `position` is handled (here, or by the process holding the
   * lease), false after `timeoutMs`.
   */
  async waitFor(position: number, timeoutMs = 5000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const reached = await this.reached();
      if (reached !== null && reached >= position) return true;
      const left = deadline - Date.now();
      if (left <= 0) return false;
      // Wake on local progress; poll the stored checkpoint where another process reacts.
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          this.progress.off('position', done);
          resolve();
        };
        const timer = setTimeout(done, Math.min(left, this.current ? 250 : 50));
        this.progress.on('position', done);
      });
    }
  }

  /**
   * Resolves true once every event of the filter that is in the log now is handled (so whatever
   * `handle` appends in reply is appended too), false after `timeoutMs`. For tests and tools that
   * need a quiet log.
   */
  async settle(timeoutMs = 5000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    const head = await this.deps.events.headPosition();
    if (head === null) return true;
    const from = await this.reached();
    let last: number | null = null;
    for await (const event of readAllPages(this.deps.events, {
      after: from ?? undefined,
      filter: this.reactor.filter,
      pageSize: 1000,
    })) {
      if (event.position > head) break;
      last = event.position;
    }
    return last === null || this.waitFor(last, Math.max(0, deadline - Date.now()));
  }

  /**
   * For health and metrics: the reactor's name, whether this process reacts (else it stands by), its
   * checkpoint, and the position of the first event of its filter still to handle (null: none; the
   * checkpoint only moves on events of the filter, so `head − checkpoint` alone would overstate lag).
   */
  async lagReport(): Promise<{
    name: string;
    active: boolean;
    position: number | null;
    nextPosition: number | null;
  }> {
    const position = await this.reached();
    const [next] = await this.deps.events.readAll({
      after: position ?? undefined,
      limit: 1,
      filter: this.reactor.filter,
    });
    return { name: this.reactor.name, active: this.active, position, nextPosition: next?.position ?? null };
  }

  /** This process's position while it reacts; else the stored checkpoint. */
  private async reached(): Promise<number | null> {
    if (this.current) return this.position;
    try {
      this.position = await (await this.writer()).checkpoint();
    } catch {
      // The store is closing or unreachable: answer with what was last seen.
    }
    return this.position;
  }

  private writer(): Promise<GenerationWriter> {
    this.checkpoint ??= this.deps.views.generation(this.reactor.name, 1, []);
    return this.checkpoint;
  }

  private get leaseName(): string {
    return `reactor:${this.reactor.name}`;
  }

  /** One lease check at a time, so a slow store never starts two runs. */
  private tendLease(): Promise<void> {
    this.tending ??= this.renewLease()
      .catch((error: unknown) =>
        this.logger.warn(`${this.reactor.name}: lease renewal failed (${String(error)})`),
      )
      .finally(() => (this.tending = null));
    return this.tending;
  }

  private async renewLease(): Promise<void> {
    if (!this.started) return;
    const { name, owner, leaseTtlMs } = this.reactor;
    let held: boolean;
    try {
      held = await this.deps.views.acquireLease(this.leaseName, owner, leaseTtlMs);
    } catch (error) {
      this.logger.warn(`${name}: lease check failed (${String(error)})`);
      return;
    }
    if (held) {
      // Taken while stopping: `stop` gives it back.
      this.hasLease = true;
      // Also restarts a run that ended on an error.
      if (this.started && !this.current) this.current = this.startRun();
    } else if (this.hasLease) {
      this.logger.warn(`${name}: lease lost to another process; standing by`);
      await this.release();
    }
  }

  private startRun(): Run {
    const run: Run = { stop: new AbortController(), subscription: null, done: Promise.resolve() };
    run.done = this.react(run)
      .catch((error: unknown) =>
        this.logger.error(
          `${this.reactor.name} stopped: ${String(error)}; restarting at the next lease renewal`,
        ),
      )
      .finally(() => {
        if (this.current === run) this.current = null;
      });
    return run;
  }

  private async release(): Promise<void> {
    const run = this.current;
    this.current = null;
    if (run) {
      run.stop.abort();
      await run.subscription?.close();
      await run.done;
    }
    if (this.hasLease) {
      this.hasLease = false;
      await this.deps.views.releaseLease(this.leaseName, this.reactor.owner).catch(() => undefined);
    }
  }

  private async react(run: Run): Promise<void> {
    const checkpoint = await this.writer();
    this.advance(await checkpoint.checkpoint());
    if (run.stop.signal.aborted) return;
    run.subscription = this.deps.events.subscribe({
      after: this.position ?? undefined,
      filter: this.reactor.filter,
    });
    for await (const event of run.subscription) {
      if (run.stop.signal.aborted) break;
      // Stopped before the event was done: the next run (here or elsewhere) handles it again.
      if (!(await this.handleWithRetries(event, run.stop.signal))) break;
      await checkpoint.commit([], event.position);
      this.advance(event.position);
    }
  }

  /** True once the event is handled or skipped; false when stopped before either. */
  private async handleWithRetries(event: StoredEvent, stop: AbortSignal): Promise<boolean> {
    const { name, maxAttempts, retryDelayMs } = this.reactor;
    for (let attempt = 1; !stop.aborted; attempt += 1) {
      try {
        await this.viewsReached(event.position);
        // Lines logged while handling it carry the event's correlation id.
        await withCorrelationId(event.metadata.correlationId, () => this.handle(event));
        return true;
      } catch (error) {
        if (attempt >= maxAttempts) {
          this.logger.error(
            `${name}: event ${event.id} at ${event.position} (${event.type}) skipped after ${attempt} attempts: ${String(error)}`,
          );
          return true;
        }
        const delay = Math.min(MAX_RETRY_DELAY_MS, retryDelayMs * 2 ** attempt);
        await sleep(delay, undefined, { signal: stop }).catch(() => undefined);
      }
    }
    return false;
  }

  private async viewsReached(position: number): Promise<void> {
    const { engine } = this.deps;
    const { waitForViews, waitForViewMs } = this.reactor;
    const ready = await Promise.all(
      waitForViews.map((c) => engine.waitFor(engine.ownerOf(c), position, waitForViewMs)),
    );
    const behind = waitForViews.filter((_, i) => !ready[i]);
    if (behind.length > 0)
      throw new Error(`views ${behind.join(', ')} have not reached position ${position}`);
  }

  private advance(position: number | null): void {
    this.position = position;
    if (position !== null) this.progress.emit('position', position);
  }
}
