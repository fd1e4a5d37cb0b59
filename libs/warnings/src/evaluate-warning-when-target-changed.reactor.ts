import { EventEmitter } from 'node:events';
import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import {
  EVENT_STORE,
  type EventStore,
  type EventSubscription,
  type LogFilter,
  type StoredEvent,
} from '@dukao/event-store';
import { ProjectionEngine } from '@dukao/projections';
import { type GenerationWriter, READ_MODEL_STORE, type ReadModelStore } from '@dukao/read-model-store';
import {
  CYCLES,
  type CycleEvent,
  TARGET_EVENT_TYPES,
  TARGETS,
  type TargetEvent,
  type TargetView,
} from '@dukao/targets';
import { WarningEvaluator } from './warning-evaluator';

/** Name of the reactor's checkpoint in the read-model store (a generation with no collections). */
export const WARNING_REACTOR = 'warningReactor';
const WAIT_FOR_VIEW_MS = 10_000;
/** The events the reactor reads: every change to a target, and a new scheme version. */
const REACTS_TO: LogFilter = {
  streamPrefixes: ['target-', 'cycle-'],
  eventTypes: [...TARGET_EVENT_TYPES, 'SchemePublished'],
};
const MAX_ATTEMPTS = 5;

/**
 * Re-evaluates a target's warning after each change to it (a report, a verification, a rejection, an
 * adjustment, a withdrawal) and every target of a cycle after a new scheme version is published:
 * Event → Command, as STYLE §2. It is a catch-up subscription to the log from its own checkpoint,
 * kept in the read-model store like a projection's (a generation of `warningReactor` with no
 * collections), so a restart resumes where it stopped.
 *
 * Guarantees: at-least-once. The evaluation reads the views, so it first waits until the `targets`
 * and `cycles` projections have applied the event. Command ids derive from the target and the event
 * id, so handling an event again (after a crash before the checkpoint, or in a second worker) appends
 * nothing twice. An evaluation that keeps failing is logged and skipped after a few attempts: the
 * next tick (`WarningsTick`) evaluates the target anyway.
 */
@Injectable()
export class EvaluateWarningWhenTargetChanged implements OnApplicationBootstrap, BeforeApplicationShutdown {
  /** The last log position handled (null before the first event). */
  position: number | null = null;
  private readonly progress = new EventEmitter();
  private readonly logger = new Logger('WarningReactor');
  private subscription: EventSubscription | null = null;
  private stopping = false;
  private done: Promise<void> | null = null;

  constructor(
    private readonly evaluator: WarningEvaluator,
    private readonly engine: ProjectionEngine,
    @Inject(EVENT_STORE) private readonly events: EventStore,
    @Inject(READ_MODEL_STORE) private readonly views: ReadModelStore,
  ) {
    this.progress.setMaxListeners(0);
  }

  onApplicationBootstrap(): void {
    this.done = this.run().catch((error: unknown) => this.logger.error(`stopped: ${String(error)}`));
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    await this.subscription?.close();
    await this.done;
  }

  /** Resolves true once the reactor has handled the event at `position`, false after `timeoutMs`. */
  async waitFor(position: number, timeoutMs = 5000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (this.position === null || this.position < position) {
      const left = deadline - Date.now();
      if (left <= 0) return false;
      await new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          this.progress.off('position', wake);
          resolve();
        };
        const timer = setTimeout(wake, Math.min(left, 250));
        this.progress.on('position', wake);
      });
    }
    return true;
  }

  /**
   * Resolves true once the reactor has handled every event it reacts to that is in the log now (so
   * whatever it appends in reply is appended too), false after `timeoutMs`. For tests and tools that
   * need a quiet log.
   */
  async settle(timeoutMs = 5000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    const head = await this.events.headPosition();
    if (head === null) return true;
    const pending = await this.events.readAll({ after: this.position ?? undefined, filter: REACTS_TO });
    const last = pending.filter((e) => e.position <= head).at(-1);
    return last === undefined || this.waitFor(last.position, Math.max(0, deadline - Date.now()));
  }

  private async run(): Promise<void> {
    const checkpoint: GenerationWriter = await this.views.generation(WARNING_REACTOR, 1, []);
    this.position = await checkpoint.checkpoint();
    if (this.stopping) return;
    this.subscription = this.events.subscribe({
      after: this.position ?? undefined,
      filter: REACTS_TO,
    });
    for await (const event of this.subscription) {
      if (this.stopping) break;
      await this.handle(event);
      await checkpoint.commit([], event.position);
      this.position = event.position;
      this.progress.emit('position', event.position);
    }
  }

  private async handle(event: StoredEvent): Promise<void> {
    const context = { correlationId: event.metadata.correlationId, causationId: event.id };
    const cause = { kind: 'event' as const, eventId: event.id };
    for (let attempt = 1; !this.stopping; attempt += 1) {
      try {
        const ready = await Promise.all(
          [TARGETS, CYCLES].map((c) =>
            this.engine.waitFor(this.engine.ownerOf(c), event.position, WAIT_FOR_VIEW_MS),
          ),
        );
        if (!ready.every(Boolean)) throw new Error(`views have not reached position ${event.position}`);
        if (event.type === 'SchemePublished') {
          const { cycleId } = (event as unknown as Extract<CycleEvent, { type: 'SchemePublished' }>).data;
          const targets = await this.views.find<TargetView>(TARGETS, { cycleId, status: 'issued' });
          for (const target of targets) await this.evaluator.evaluate(target, cause, context);
        } else {
          await this.evaluator.evaluateTarget(
            (event as unknown as TargetEvent).data.targetId,
            cause,
            context,
          );
        }
        return;
      } catch (error) {
        if (attempt >= MAX_ATTEMPTS) {
          this.logger.error(
            `event ${event.id} at ${event.position} (${event.type}) skipped after ${attempt} attempts: ${String(error)}`,
          );
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, Math.min(5000, 100 * 2 ** attempt)));
      }
    }
  }
}
