import { addWorkingDays, type WorkCalendar } from '@dukao/calendar';
import type { Duty } from '@dukao/identity';
import {
  endOfShanghaiDay,
  periodEnd,
  periodsOf,
  reminderOffsetDays,
  reportDueDate,
  type Scheme,
  type TargetView,
} from '@dukao/targets';
import { addDays, shanghaiInstant, toIso } from './calendar';
import { releaseTime } from './quiet-hours';
import { levelRank, type Warning, type WarningLevel } from './warning-level';

export type ReminderSchedule = Scheme['reminders'];
/** The three people of a unit that reminders go to (三级提醒). */
export type ReminderDuty = Exclude<Duty, 'member'>;
export type ReminderTier = 1 | 2 | 3;
export const TIER_DUTY: Readonly<Record<ReminderTier, ReminderDuty>> = {
  1: 'reporter',
  2: 'leaderInCharge',
  3: 'principalLeader',
};

/** dueSoon: tier 1 before the due date; overdue: tier 2/3 after it; turned…: a rise of the warning level. */
export type ReminderReason = 'dueSoon' | 'overdue' | 'turnedYellow' | 'turnedRed';

/** What is due: a period's progress report, or a milestone's completion (both have a due date). */
export type ReminderSubject =
  { kind: 'report'; period: string } | { kind: 'milestone'; milestoneId: string; title: string };

/** A change of a target's warning level at an instant (from `evaluateWarning` before and after). */
export interface LevelChange {
  from: WarningLevel;
  to: WarningLevel;
  at: string;
}

export interface ReminderPlanInput {
  targetId: string;
  targetTitle: string;
  unitId: string;
  unitName: string;
  subject: ReminderSubject;
  /** Shanghai date the report (or milestone) is due. */
  dueDate: string;
  /** A counting report or nil return exists for the period (the milestone is done): no scheduled reminders. */
  done: boolean;
  /** When the latest report, correction or nil return for the subject was filed; it stops escalations raised before it. */
  lastFiledAt?: string | null;
  /** The target's level changes attributed to this subject (see `reminderInputsOf`), any order. */
  levelChanges?: readonly LevelChange[];
}

export interface ReminderJob {
  /** Deterministic: duty, target, subject, tier and due date (and the days before, for tier 1); no ':' (BullMQ job ids). */
  jobKey: string;
  tier: ReminderTier;
  duty: ReminderDuty;
  unitId: string;
  unitName: string;
  targetId: string;
  targetTitle: string;
  subject: ReminderSubject;
  /** The reporting period (null for a milestone). */
  period: string | null;
  dueDate: string;
  /** UTC ISO instant, never inside quiet hours and never before the planning instant. */
  sendAt: string;
  reason: ReminderReason;
}

/**
 * The reminder jobs still warranted for one subject of one target (a reporting period, or a
 * milestone) at `now`, from the scheme's reminder schedule:
 * - tier 1 (reporter) `tier1DaysBefore` days before the due date; tier 2 (leaderInCharge)
 *   `tier2DaysAfter` and tier 3 (principalLeader) `tier3DaysAfter` days after it, each at `sendAt`
 *   Asia/Shanghai on that day; all only while the subject is not done, so a report (or nil return)
 *   cancels every scheduled job of its period. The days are calendar days, or working days when the
 *   schedule's `offsetDays` is 'working': counted under `calendars` (the published 法定节假日 and
 *   调休 of the years concerned; a year missing from them counts Monday to Friday), so one working
 *   day after a report due on Friday is the Monday;
 * - event-driven: tier 2 when the target rises to yellow, tier 3 when it rises to red (a jump past
 *   yellow straight to red sends both), at the moment of the change held to the end of quiet hours.
 *   A filing before the change does not cancel it (a verification that turns the report's own period
 *   red must still reach the principal leader); a filing after it, or a later fall of the level below
 *   it, does.
 * Decisions:
 * - One job per key: an event-driven tier 2/3 shares its key with the scheduled one of the same due
 *   date, so the person gets one SMS (the earlier); "at most one SMS per (person, target, tier, due
 *   date)", with tier 1's two days before counted as two occurrences.
 * - Catch-up: a job whose time has passed but which is still warranted is planned at `now` (held
 *   out of quiet hours), so a planner that was down does not lose an escalation; the sender records
 *   sent keys, so a job already sent is not sent again. Tier 1 catches up only its latest passed
 *   occurrence, and not at all once the due day has ended (tier 2 takes over).
 * Result: ordered by `sendAt`, then key.
 */
export function planReminders(
  input: ReminderPlanInput,
  reminders: ReminderSchedule,
  now: string | Date,
  calendars: readonly WorkCalendar[] = [],
): ReminderJob[] {
  const nowIso = toIso(now);
  const catchUp = releaseTime(nowIso, reminders.quietHours);
  const due = input.dueDate;
  const fromDue =
    reminderOffsetDays(reminders) === 'working'
      ? (days: number) => addWorkingDays(due, days, calendars).date
      : (days: number) => addDays(due, days);
  const onDay = (day: string) => releaseTime(shanghaiInstant(day, reminders.sendAt), reminders.quietHours);
  const job = (
    tier: ReminderTier,
    nominal: string,
    reason: ReminderReason,
    daysBefore?: number,
  ): ReminderJob => ({
    jobKey: jobKey(TIER_DUTY[tier], input.targetId, input.subject, tier, due, daysBefore),
    tier,
    duty: TIER_DUTY[tier],
    unitId: input.unitId,
    unitName: input.unitName,
    targetId: input.targetId,
    targetTitle: input.targetTitle,
    subject: input.subject,
    period: input.subject.kind === 'report' ? input.subject.period : null,
    dueDate: due,
    sendAt: nominal < nowIso ? catchUp : nominal,
    reason,
  });

  const jobs: ReminderJob[] = [];
  if (!input.done) {
    if (nowIso < endOfShanghaiDay(due)) {
      const tier1 = [...new Set(reminders.tier1DaysBefore)]
        .sort((a, b) => b - a)
        .map((days) => ({ days, nominal: onDay(fromDue(-days)) }));
      const passed = tier1.filter((t) => t.nominal < nowIso).slice(-1);
      for (const t of [...passed, ...tier1.filter((x) => x.nominal >= nowIso)])
        jobs.push(job(1, t.nominal, 'dueSoon', t.days));
    }
    jobs.push(job(2, onDay(fromDue(reminders.tier2DaysAfter)), 'overdue'));
    jobs.push(job(3, onDay(fromDue(reminders.tier3DaysAfter)), 'overdue'));
  }

  const changes = (input.levelChanges ?? [])
    .map((c) => ({ ...c, at: toIso(c.at) }))
    .filter((c) => c.at <= nowIso)
    .sort((a, b) => a.at.localeCompare(b.at));
  const levelNow = changes.at(-1)?.to ?? 'none';
  const filed = input.lastFiledAt ? toIso(input.lastFiledAt) : null;
  const yellow = levelRank('yellow');
  for (const change of changes) {
    const to = levelRank(change.to);
    if (to < yellow || to <= levelRank(change.from)) continue;
    if (filed !== null && change.at <= filed) continue;
    if (levelRank(levelNow) < to) continue;
    const reason: ReminderReason = change.to === 'red' ? 'turnedRed' : 'turnedYellow';
    const tiers: ReminderTier[] =
      change.to === 'yellow' ? [2] : levelRank(change.from) < yellow ? [2, 3] : [3];
    for (const tier of tiers) jobs.push(job(tier, releaseTime(change.at, reminders.quietHours), reason));
  }

  const byKey = new Map<string, ReminderJob>();
  for (const j of jobs) {
    const kept = byKey.get(j.jobKey);
    if (!kept || j.sendAt < kept.sendAt) byKey.set(j.jobKey, j);
  }
  return [...byKey.values()].sort(
    (a, b) => a.sendAt.localeCompare(b.sendAt) || a.jobKey.localeCompare(b.jobKey),
  );
}

/** Encodes an id for a job key: no ':' (BullMQ) and no '_' (the key's separator), so keys never collide. */
const keyPart = (id: string) => encodeURIComponent(id).replace(/_/g, '%5F');

/** The job key of a reminder occurrence, e.g. `reminder_reporter_T1_2026-Q2_t1_2026-07-10_b3`. */
/** What every job key of one duty holder and one target starts with (a target's jobs are found by it). */
export function jobKeyPrefix(duty: ReminderDuty, targetId: string): string {
  return `reminder_${duty}_${keyPart(targetId)}_`;
}

export function jobKey(
  duty: ReminderDuty,
  targetId: string,
  subject: ReminderSubject,
  tier: ReminderTier,
  dueDate: string,
  daysBefore?: number,
): string {
  const about = subject.kind === 'report' ? subject.period : `m-${keyPart(subject.milestoneId)}`;
  return `${jobKeyPrefix(duty, targetId)}${about}_t${tier}_${dueDate}${daysBefore === undefined ? '' : `_b${daysBefore}`}`;
}

/** What a warning is about: the subject of its strongest reason (null when it has none). */
export type WarningCause = { period: string } | { milestoneId: string } | null;

export function causeOf(warning: Warning): WarningCause {
  const strongest = warning.reasons[0];
  if (strongest?.milestoneId !== undefined) return { milestoneId: strongest.milestoneId };
  if (strongest?.period !== undefined) return { period: strongest.period };
  return null;
}

/** A level change with what caused it (`causeOf` the new warning), for `reminderInputsOf`. */
export interface AttributedLevelChange extends LevelChange {
  cause: WarningCause;
}

/**
 * The level change from `previous` to `next` at `at`, attributed to the cause of `next` (null when
 * the level did not change).
 */
export function levelChangeOf(
  previous: WarningLevel,
  next: Warning,
  at: string,
): AttributedLevelChange | null {
  return previous === next.level ? null : { from: previous, to: next.level, at, cause: causeOf(next) };
}

/**
 * The plan inputs of every subject of an issued target: each period it owes (not one that ended
 * before it was issued) and each milestone not due before it was issued. A rise of the level goes to
 * the subject that caused it; every other change (a fall, or one without a cause) goes to all, since
 * a fall cancels pending escalations wherever they are.
 */
export function reminderInputsOf(
  target: TargetView,
  unitName: string,
  levelChanges: readonly AttributedLevelChange[] = [],
): ReminderPlanInput[] {
  if (target.status !== 'issued') return [];
  const issuedAt = target.issuedAt;
  const changesFor = (matches: (cause: NonNullable<WarningCause>) => boolean): LevelChange[] =>
    levelChanges
      .filter((c) => levelRank(c.to) <= levelRank(c.from) || c.cause === null || matches(c.cause))
      .map(({ from, to, at }) => ({ from, to, at }));
  const latest = (times: string[]) =>
    times.reduce<string | null>((a, b) => (a === null || b > a ? b : a), null);
  const base = { targetId: target._id, targetTitle: target.title, unitId: target.unitId, unitName };

  const periods = periodsOf(target.year, target.cadence)
    .filter((period) => !issuedAt || periodEnd(period) > issuedAt)
    .map((period): ReminderPlanInput => {
      const filings = target.reports.filter((r) => r.period === period);
      return {
        ...base,
        subject: { kind: 'report', period },
        dueDate: reportDueDate(period, target.reportDueDay),
        done: filings.some((r) => r.status === 'pending' || r.status === 'verified'),
        lastFiledAt: latest(filings.map((r) => r.recordedAt)),
        levelChanges: changesFor((cause) => 'period' in cause && cause.period === period),
      };
    });
  const milestones = target.milestones
    .filter((m) => !issuedAt || endOfShanghaiDay(m.dueDate) > issuedAt)
    .map((m): ReminderPlanInput => {
      const filings = target.reports.filter((r) =>
        r.milestonesCompleted.some((c) => c.milestoneId === m.milestoneId),
      );
      return {
        ...base,
        subject: { kind: 'milestone', milestoneId: m.milestoneId, title: m.title },
        dueDate: m.dueDate,
        done: m.completedOn !== null,
        lastFiledAt: latest(filings.map((r) => r.recordedAt)),
        levelChanges: changesFor((cause) => 'milestoneId' in cause && cause.milestoneId === m.milestoneId),
      };
    });
  return [...periods, ...milestones];
}
