import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  calendarsFor,
  WORK_CALENDAR_STREAM_PREFIX,
  WORK_CALENDARS,
  type WorkCalendarPublished,
} from '@dukao/calendar';
import { EVENT_STORE, type EventStore, type LogFilter, type StoredEvent } from '@dukao/event-store';
import { CLOCK, type Clock } from '@dukao/kernel';
import { LogReactor, ProjectionEngine } from '@dukao/projections';
import { READ_MODEL_STORE, type ReadModelStore } from '@dukao/read-model-store';
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
/**
 * The events the planner reads: every change to a target and to its warning, and a new scheme
 * version. An event type added here needs its branch in `handle` (which targets it concerns).
 */
const REACTS_TO: LogFilter = {
  streamPrefixes: ['target-', 'warning-', 'cycle-', WORK_CALENDAR_STREAM_PREFIX],
  eventTypes: [...TARGET_EVENT_TYPES, ...WARNING_EVENT_TYPES, 'SchemePublished', 'WorkCalendarPublished'],
};
/** The views `planTarget` reads: they must have applied an event before it is planned. */
const READS = [TARGETS, CYCLES, WARNINGS, UNITS, WORK_CALENDARS];

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
 * Event → jobs. A {@link LogReactor}: it follows the log from its own checkpoint, in the one process
 * holding its lease, waits until the views it reads (`READS`) have applied the event, plans every subject
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
export class ReminderPlanner extends LogReactor {
  constructor(
    engine: ProjectionEngine,
    @Inject(EVENT_STORE) events: EventStore,
    @Inject(READ_MODEL_STORE) private readonly views: ReadModelStore,
    @Inject(JOB_QUEUE) private readonly queue: JobQueue,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    super(
      { events, views, engine },
      {
        name: REMINDER_PLANNER,
        filter: REACTS_TO,
        waitForViews: READS,
        logger: new Logger('ReminderPlanner'),
      },
    );
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
      // Tier 1 of an early-January due date counts back into the year before.
      const [unit, warning, reminders, calendars] = await Promise.all([
        this.views.get<UnitView>(UNITS, target.unitId),
        this.views.get<WarningView>(WARNINGS, targetId),
        remindersInForce(this.views, target.cycleId, nowIso),
        calendarsFor(this.views, [target.year - 1, target.year, target.year + 1]),
      ]);
      planned = reminderInputsOf(target, unit?.name ?? target.unitId, levelChangesOf(warning)).flatMap(
        (input) => planReminders(input, reminders, nowIso, calendars),
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

  protected async handle(event: StoredEvent): Promise<void> {
    if (event.type === 'SchemePublished') {
      const { cycleId } = (event as unknown as Extract<CycleEvent, { type: 'SchemePublished' }>).data;
      const targets = await this.views.find<TargetView>(TARGETS, { cycleId }, { limit: 100_000 });
      for (const target of targets) await this.planTarget(target._id);
    } else if (event.type === 'WorkCalendarPublished') {
      // Targets of that year, and of the year before (their December due dates escalate into it).
      const { year } = (event as unknown as WorkCalendarPublished).data;
      const targets = await this.views.find<TargetView>(
        TARGETS,
        { year: { $in: [year - 1, year] } },
        { limit: 100_000 },
      );
      for (const target of targets) await this.planTarget(target._id);
    } else {
      await this.planTarget((event.data as { targetId: string }).targetId);
    }
  }
}
