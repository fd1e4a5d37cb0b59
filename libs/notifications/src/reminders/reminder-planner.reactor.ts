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
import { CLOCK, type Clock } from '@dukao/kernel';
import { ProjectionEngine } from '@dukao/projections';
import { type GenerationWriter, READ_MODEL_STORE, type ReadModelStore } from '@dukao/read-model-store';
import {
  CYCLES,
  type CycleEvent,
  type CycleView,
  DEFAULT_SCHEME,
  TARGET_EVENT_TYPES,
  TARGETS,
  type TargetView,
  UNITS,
  type UnitView,
  versionAt,
} from '@dukao/targets';
import {
  type AttributedLevelChange,
  jobKeyPrefix,
  planReminders,
  type ReminderJob,
  reminderInputsOf,
  type ReminderSchedule,
  TIER_DUTY,
  WARNING_EVENT_TYPES,
  WARNINGS,
  type WarningCause,
  type WarningView,
} from '@dukao/warnings';
import { JOB_QUEUE, type JobPayload, type JobQueue } from '../job-queue.port';

/** Name of the planner's checkpoint in the read-model store (a generation with no collections). */
export const REMINDER_PLANNER = 'reminderPlanner';
/** The job name reminders are scheduled under. */
export const REMINDER_JOB = 'reminder';
const WAIT_FOR_VIEW_MS = 10_000;
const MAX_ATTEMPTS = 5;
const REACTS_TO: LogFilter = {
  streamPrefixes: ['target-', 'warning-', 'cycle-'],
  eventTypes: [...TARGET_EVENT_TYPES, ...WARNING_EVENT_TYPES, 'SchemePublished'],
};

/** The payload of a 'reminder' job: the planned job, its cycle, and the key it is sent under. */
export type ReminderJobPayload = ReminderJob & { cycleId: string; reminderKey: string };

/** The scheme's reminder schedule in force for a cycle at `at` (the default scheme when none is published). */
export async function remindersInForce(
  views: ReadModelStore,
  cycleId: string,
  at: string,
): Promise<ReminderSchedule> {
  const cycle = await views.get<CycleView>(CYCLES, cycleId);
  return (cycle ? versionAt(cycle.schemes, at)?.scheme.reminders : undefined) ?? DEFAULT_SCHEME.reminders;
}

/** The level changes of a target's warning, each attributed to its strongest reason. */
export function levelChangesOf(warning: WarningView | null): AttributedLevelChange[] {
  return (warning?.history ?? []).map((h) => {
    const strongest = h.reasons[0];
    const cause: WarningCause = strongest?.milestoneId
      ? { milestoneId: strongest.milestoneId }
      : strongest?.period
        ? { period: strongest.period }
        : null;
    return { from: h.previousLevel, to: h.level, at: h.at, cause };
  });
}

/**
 * Plans a target's reminders after each change to it, to its warning, or to its cycle's scheme:
 * Event → jobs. It follows the log from its own checkpoint (like the warnings reactor), waits until
 * the `targets`, `warnings`, `cycles` and `units` views have applied the event, plans every subject
 * with `reminderInputsOf` + `planReminders` under the scheme in force now, and makes the queue match:
 * - a planned key not known to the queue is scheduled ('reminder', key from the plan);
 * - a planned key still pending at another time is moved (cancelled and scheduled again), so a red
 *   at 23:00 brings tier 3 forward to 08:00;
 * - a pending reminder of the target (or a deferred copy of one) whose key is no longer planned is
 *   cancelled: a report stops the escalation.
 * A key already running, sent or failed is left alone: at most one SMS per key.
 * At-least-once: handling an event twice changes nothing. An event that keeps failing is logged and
 * skipped after a few attempts (the next change to the target plans it again).
 */
@Injectable()
export class ReminderPlanner implements OnApplicationBootstrap, BeforeApplicationShutdown {
  position: number | null = null;
  private readonly progress = new EventEmitter();
  private readonly logger = new Logger('ReminderPlanner');
  private subscription: EventSubscription | null = null;
  private stopping = false;
  private done: Promise<void> | null = null;

  constructor(
    private readonly engine: ProjectionEngine,
    @Inject(EVENT_STORE) private readonly events: EventStore,
    @Inject(READ_MODEL_STORE) private readonly views: ReadModelStore,
    @Inject(JOB_QUEUE) private readonly queue: JobQueue,
    @Inject(CLOCK) private readonly clock: Clock,
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

  /** Resolves true once the planner has handled the event at `position`, false after `timeoutMs`. */
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

  /** Resolves true once every event it reacts to that is in the log now is handled. */
  async settle(timeoutMs = 5000): Promise<boolean> {
    const head = await this.events.headPosition();
    if (head === null) return true;
    const pending = await this.events.readAll({ after: this.position ?? undefined, filter: REACTS_TO });
    const last = pending.filter((e) => e.position <= head).at(-1);
    return last === undefined || this.waitFor(last.position, timeoutMs);
  }

  /**
   * Plans one target now and makes the queue match; returns the planned jobs. Safe to call at any
   * time (tools, replays): it is idempotent.
   */
  async planTarget(targetId: string): Promise<ReminderJob[]> {
    const target = await this.views.get<TargetView>(TARGETS, targetId);
    const nowIso = this.clock().toISOString();
    let planned: ReminderJob[] = [];
    if (target) {
      const [unit, warning, reminders] = await Promise.all([
        this.views.get<UnitView>(UNITS, target.unitId),
        this.views.get<WarningView>(WARNINGS, targetId),
        remindersInForce(this.views, target.cycleId, nowIso),
      ]);
      planned = reminderInputsOf(target, unit?.name ?? target.unitId, levelChangesOf(warning)).flatMap(
        (input) => planReminders(input, reminders, nowIso),
      );
    }
    const keys = new Set(planned.map((j) => j.jobKey));
    for (const pending of await this.pendingOf(targetId)) {
      const payload = pending.payload as unknown as ReminderJobPayload;
      if (!keys.has(payload.reminderKey ?? pending.jobKey)) await this.queue.cancel(pending.jobKey);
    }
    for (const job of planned) {
      const payload: ReminderJobPayload = { ...job, cycleId: target!.cycleId, reminderKey: job.jobKey };
      const known = await this.queue.get(job.jobKey);
      if (known?.state === 'pending' && known.attempts === 0 && known.runAt !== job.sendAt)
        await this.queue.cancel(job.jobKey);
      await this.queue.schedule({
        jobKey: job.jobKey,
        name: REMINDER_JOB,
        runAt: job.sendAt,
        payload: payload as unknown as JobPayload,
      });
    }
    return planned;
  }

  /** Plans every target again from the views (after a restore, or to check idempotency). */
  async replanAll(): Promise<number> {
    const targets = await this.views.find<TargetView>(TARGETS, {}, { limit: 100_000 });
    for (const target of targets) await this.planTarget(target._id);
    return targets.length;
  }

  /** The target's pending reminders, by key prefix per duty (not a scan of every pending job). */
  private async pendingOf(targetId: string) {
    const found = [];
    for (const duty of new Set(Object.values(TIER_DUTY))) {
      for (let skip = 0; ; skip += 1000) {
        const page = await this.queue.list({
          state: 'pending',
          keyPrefix: jobKeyPrefix(duty, targetId),
          limit: 1000,
          skip,
        });
        found.push(...page.filter((j) => j.name === REMINDER_JOB && j.payload.targetId === targetId));
        if (page.length < 1000) break;
      }
    }
    return found;
  }

  private async run(): Promise<void> {
    const checkpoint: GenerationWriter = await this.views.generation(REMINDER_PLANNER, 1, []);
    this.position = await checkpoint.checkpoint();
    if (this.stopping) return;
    this.subscription = this.events.subscribe({ after: this.position ?? undefined, filter: REACTS_TO });
    for await (const event of this.subscription) {
      if (this.stopping) break;
      await this.handle(event);
      await checkpoint.commit([], event.position);
      this.position = event.position;
      this.progress.emit('position', event.position);
    }
  }

  private async handle(event: StoredEvent): Promise<void> {
    for (let attempt = 1; !this.stopping; attempt += 1) {
      try {
        const ready = await Promise.all(
          [TARGETS, CYCLES, WARNINGS, UNITS].map((c) =>
            this.engine.waitFor(this.engine.ownerOf(c), event.position, WAIT_FOR_VIEW_MS),
          ),
        );
        if (!ready.every(Boolean)) throw new Error(`views have not reached position ${event.position}`);
        if (event.type === 'SchemePublished') {
          const { cycleId } = (event as unknown as Extract<CycleEvent, { type: 'SchemePublished' }>).data;
          const targets = await this.views.find<TargetView>(TARGETS, { cycleId }, { limit: 100_000 });
          for (const target of targets) await this.planTarget(target._id);
        } else {
          await this.planTarget((event.data as { targetId: string }).targetId);
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
