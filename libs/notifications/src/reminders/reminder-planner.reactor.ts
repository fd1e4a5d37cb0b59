import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  calendarsFor,
  WORK_CALENDAR_STREAM_PREFIX,
  WORK_CALENDARS,
  type WorkCalendarPublished,
} from '@dukao/calendar';
import { EVENT_STORE, type EventStore, type LogFilter, type StoredEvent } from '@dukao/event-store';
import { CLOCK, type Clock } from '@dukao/kernel';
import { USERS, type UserView } from '@dukao/identity';
import { LogReactor, ProjectionEngine } from '@dukao/projections';
import { READ_MODEL_STORE, type ReadModelStore } from '@dukao/read-model-store';
import {
  caseReminderInputOf,
  SUPERVISION_EVENT_TYPES,
  SUPERVISION_NOTICES,
  SUPERVISION_STREAM_PREFIX,
  type SupervisionNoticeView,
} from '@dukao/supervision';
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
  CASE_RECIPIENTS,
  caseJobKeyPrefix,
  jobKeyPrefix,
  planCaseReminders,
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
import { type JobInfo, JOB_QUEUE, type JobPayload, type JobQueue } from '../job-queue.port';

/** Name of the planner's checkpoint in the read-model store (a generation with no collections). */
export const REMINDER_PLANNER = 'reminderPlanner';
/** The job name reminders are scheduled under. */
export const REMINDER_JOB = 'reminder';
/** The case events that change its reminders (an accountability action on a case does not). */
const CASE_EVENT_TYPES = SUPERVISION_EVENT_TYPES.filter((t) => t !== 'AccountabilityActionTaken');
/**
 * The events the planner reads: every change to a target, to its warning and to a supervision case,
 * and a new scheme version or work calendar. An event type added here needs its branch in `handle`
 * (which targets or cases it concerns).
 */
const REACTS_TO: LogFilter = {
  streamPrefixes: ['target-', 'warning-', 'cycle-', WORK_CALENDAR_STREAM_PREFIX, SUPERVISION_STREAM_PREFIX],
  eventTypes: [
    ...TARGET_EVENT_TYPES,
    ...WARNING_EVENT_TYPES,
    ...CASE_EVENT_TYPES,
    'SchemePublished',
    'WorkCalendarPublished',
  ],
};
/** The views `planTarget` and `planCase` read: they must have applied an event before it is planned. */
const READS = [TARGETS, CYCLES, WARNINGS, UNITS, WORK_CALENDARS, SUPERVISION_NOTICES, USERS];

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
 * Plans a target's reminders after each change to it, to its warning, or to its cycle's scheme, and a
 * supervision case's after each step of it: Event → jobs. A {@link LogReactor}: it follows the log
 * from its own checkpoint, in the one process holding its lease, waits until the views it reads
 * (`READS`) have applied the event, plans every subject with `reminderInputsOf` + `planReminders`
 * (a case: `caseReminderInputOf` + `planCaseReminders`) under the scheme in force now, and makes the
 * queue match:
 * - a planned key not known to the queue is scheduled ('reminder', key from the plan);
 * - a planned key still pending at another time is moved (cancelled and scheduled again), so a red
 *   at 23:00 brings tier 3 forward to 08:00;
 * - a pending reminder of the target or case (or a deferred copy of one) whose key is no longer
 *   planned is cancelled: a report stops the escalation, and so does a case's rectification.
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
    const pending = await this.pendingUnder(
      [...new Set(Object.values(TIER_DUTY))].map((duty) => jobKeyPrefix(duty, targetId)),
      (payload) => payload.targetId === targetId,
    );
    await this.makeQueueMatch(pending, planned, target?.cycleId ?? '');
    return planned;
  }

  /**
   * Plans one supervision case now (`caseReminderInputOf` + `planCaseReminders`, under the scheme of
   * its cycle in force now) and makes the queue match, as `planTarget` does for a target: a
   * rectification reported or the case closed cancels its pending reminders, an approved extension
   * moves them to the new deadline, 二次督办 replaces round 1's with round 2's. The tracker is reminded
   * only when they are an active user with a phone now. Idempotent; returns the planned jobs.
   */
  async planCase(noticeId: string): Promise<ReminderJob[]> {
    const notice = await this.views.get<SupervisionNoticeView>(SUPERVISION_NOTICES, noticeId);
    const nowIso = this.clock().toISOString();
    let planned: ReminderJob[] = [];
    if (notice) {
      const year = Number(notice.deadline.slice(0, 4));
      const [unit, reminders, calendars, tracker] = await Promise.all([
        this.views.get<UnitView>(UNITS, notice.unitId),
        remindersInForce(this.views, notice.cycleId, nowIso),
        calendarsFor(this.views, [year - 1, year, year + 1]),
        notice.tracker ? this.views.get<UserView>(USERS, notice.tracker) : null,
      ]);
      const reachable = tracker?.status === 'active' && tracker.phone ? tracker._id : null;
      planned = planCaseReminders(
        caseReminderInputOf(notice, unit?.name ?? notice.unitId, reachable),
        reminders,
        nowIso,
        calendars,
      );
    }
    const pending = await this.pendingUnder(
      CASE_RECIPIENTS.map((to) => caseJobKeyPrefix(to, noticeId)),
      (payload) => payload.subject?.kind === 'supervision' && payload.subject.noticeId === noticeId,
    );
    await this.makeQueueMatch(pending, planned, notice?.cycleId ?? '');
    return planned;
  }

  /** Plans every target and every case again from the views (after a restore, or to check idempotency). */
  async replanAll(): Promise<number> {
    const targets = await this.views.find<TargetView>(TARGETS, {}, { limit: 100_000 });
    for (const target of targets) await this.planTarget(target._id);
    const cases = await this.views.find<SupervisionNoticeView>(SUPERVISION_NOTICES, {}, { limit: 100_000 });
    for (const notice of cases) await this.planCase(notice._id);
    return targets.length + cases.length;
  }

  /**
   * Cancels the pending reminders that are no longer planned (a deferred copy goes with its key), and
   * schedules each planned one: new, or moved when its time changed and it has not started.
   */
  private async makeQueueMatch(
    pending: readonly JobInfo[],
    planned: readonly ReminderJob[],
    cycleId: string,
  ): Promise<void> {
    const keys = new Set(planned.map((j) => j.jobKey));
    for (const job of pending) {
      const payload = job.payload as unknown as ReminderJobPayload;
      if (!keys.has(payload.reminderKey ?? job.jobKey)) await this.queue.cancel(job.jobKey);
    }
    for (const job of planned) {
      const payload: ReminderJobPayload = { ...job, cycleId, reminderKey: job.jobKey };
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
  }

  /** The pending reminders under the key prefixes that `mine` accepts (not a scan of every pending job). */
  private async pendingUnder(
    prefixes: readonly string[],
    mine: (payload: Partial<ReminderJobPayload>) => boolean,
  ): Promise<JobInfo[]> {
    const found: JobInfo[] = [];
    for (const keyPrefix of prefixes) {
      for (let skip = 0; ; skip += 1000) {
        const page = await this.queue.list({ state: 'pending', keyPrefix, limit: 1000, skip });
        found.push(
          ...page.filter(
            (j) => j.name === REMINDER_JOB && mine(j.payload as unknown as Partial<ReminderJobPayload>),
          ),
        );
        if (page.length < 1000) break;
      }
    }
    return found;
  }

  protected async handle(event: StoredEvent): Promise<void> {
    if (event.streamId.startsWith(SUPERVISION_STREAM_PREFIX)) {
      await this.planCase((event.data as { noticeId: string }).noticeId);
    } else if (event.type === 'SchemePublished') {
      const { cycleId } = (event as unknown as Extract<CycleEvent, { type: 'SchemePublished' }>).data;
      const targets = await this.views.find<TargetView>(TARGETS, { cycleId }, { limit: 100_000 });
      for (const target of targets) await this.planTarget(target._id);
      await this.planOpenCases({ cycleId });
    } else if (event.type === 'WorkCalendarPublished') {
      // Targets of that year, and of the year before (their December due dates escalate into it).
      const { year } = (event as unknown as WorkCalendarPublished).data;
      const targets = await this.views.find<TargetView>(
        TARGETS,
        { year: { $in: [year - 1, year] } },
        { limit: 100_000 },
      );
      for (const target of targets) await this.planTarget(target._id);
      // Open cases: their deadlines are few and any may reach into that year.
      await this.planOpenCases({});
    } else {
      await this.planTarget((event.data as { targetId: string }).targetId);
    }
  }

  /** Plans again the open cases matching `filter` (a closed case has nothing left to remind). */
  private async planOpenCases(filter: Record<string, unknown>): Promise<void> {
    const cases = await this.views.find<SupervisionNoticeView>(
      SUPERVISION_NOTICES,
      { ...filter, status: 'open' },
      { limit: 100_000 },
    );
    for (const notice of cases) await this.planCase(notice._id);
  }
}
