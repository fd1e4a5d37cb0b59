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
/**
 * Who a reminder goes to: one of the unit's three people (by duty, resolved when it is sent), or the
 * named tracker (专人跟踪) of a 二次督办 case (a user, `ReminderJob.userId`).
 */
export type ReminderRecipient = ReminderDuty | 'tracker';
export type ReminderTier = 1 | 2 | 3;
export const TIER_DUTY: Readonly<Record<ReminderTier, ReminderDuty>> = {
  1: 'reporter',
  2: 'leaderInCharge',
  3: 'principalLeader',
};

/**
 * dueSoon: tier 1 before the due date; overdue: tier 2/3 after it; turned…: a rise of the warning
 * level; escalated: a supervision case went to 二次督办 (round 2).
 */
export type ReminderReason = 'dueSoon' | 'overdue' | 'turnedYellow' | 'turnedRed' | 'escalated';

/** The two documents of a supervision case: 督查通知 (notice) or 绩效督查建议书 (suggestion). */
export type CaseDocument = 'notice' | 'suggestion';

/**
 * What is due: a period's progress report, a milestone's completion (both have a due date), or the
 * rectification answer (整改反馈) of a supervision case's round, due by the round's reply deadline.
 */
export type ReminderSubject =
  | { kind: 'report'; period: string }
  | { kind: 'milestone'; milestoneId: string; title: string }
  | { kind: 'supervision'; noticeId: string; round: number; title: string; document: CaseDocument };
/** What a target's reminder is about: a report or a milestone. */
export type TargetReminderSubject = Exclude<ReminderSubject, { kind: 'supervision' }>;
/** What a case's reminder is about: the answer owed in one round. */
export type CaseReminderSubject = Extract<ReminderSubject, { kind: 'supervision' }>;

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
  subject: TargetReminderSubject;
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
  /**
   * Deterministic: duty, target (or case), subject, tier and due date (and the days before, for
   * tier 1); no ':' (BullMQ job ids). See `jobKey` and `caseJobKey`.
   */
  jobKey: string;
  tier: ReminderTier;
  duty: ReminderRecipient;
  /** The user it goes to, for a `tracker` reminder only; the others go to whoever holds `duty` in the unit. */
  userId?: string;
  unitId: string;
  unitName: string;
  /** The target it is about; null for a supervision case (the subject names the case, which may have several or none). */
  targetId: string | null;
  targetTitle: string | null;
  subject: ReminderSubject;
  /** The reporting period (null for a milestone or a case). */
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
  if (!input.done)
    for (const o of scheduledOccurrences(due, reminders, nowIso, calendars))
      jobs.push(job(o.tier, o.nominal, o.tier === 1 ? 'dueSoon' : 'overdue', o.daysBefore));

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

  return earliestPerKey(jobs);
}

/** One job per key (the earliest), ordered by `sendAt`, then key. */
function earliestPerKey(jobs: readonly ReminderJob[]): ReminderJob[] {
  const byKey = new Map<string, ReminderJob>();
  for (const j of jobs) {
    const kept = byKey.get(j.jobKey);
    if (!kept || j.sendAt < kept.sendAt) byKey.set(j.jobKey, j);
  }
  return [...byKey.values()].sort(
    (a, b) => a.sendAt.localeCompare(b.sendAt) || a.jobKey.localeCompare(b.jobKey),
  );
}

/** A scheduled occurrence of a due date: its tier, its nominal instant, and the days before (tier 1). */
interface Occurrence {
  tier: ReminderTier;
  nominal: string;
  daysBefore?: number;
}

/**
 * The scheduled occurrences of the three tiers for a due date, as the scheme's schedule places them
 * (see `planReminders`): tier 1 `tier1DaysBefore` days before (the latest passed one kept for
 * catch-up, none once the due day has ended), tier 2 and 3 `tier2DaysAfter` / `tier3DaysAfter` after,
 * at `sendAt` held out of quiet hours; calendar or working days as the schedule says.
 */
function scheduledOccurrences(
  due: string,
  reminders: ReminderSchedule,
  nowIso: string,
  calendars: readonly WorkCalendar[],
): Occurrence[] {
  const fromDue =
    reminderOffsetDays(reminders) === 'working'
      ? (days: number) => addWorkingDays(due, days, calendars).date
      : (days: number) => addDays(due, days);
  const onDay = (day: string) => releaseTime(shanghaiInstant(day, reminders.sendAt), reminders.quietHours);
  const occurrences: Occurrence[] = [];
  if (nowIso < endOfShanghaiDay(due)) {
    const tier1 = [...new Set(reminders.tier1DaysBefore)]
      .sort((a, b) => b - a)
      .map((days) => ({ days, nominal: onDay(fromDue(-days)) }));
    const passed = tier1.filter((t) => t.nominal < nowIso).slice(-1);
    for (const t of [...passed, ...tier1.filter((x) => x.nominal >= nowIso)])
      occurrences.push({ tier: 1, nominal: t.nominal, daysBefore: t.days });
  }
  occurrences.push({ tier: 2, nominal: onDay(fromDue(reminders.tier2DaysAfter)) });
  occurrences.push({ tier: 3, nominal: onDay(fromDue(reminders.tier3DaysAfter)) });
  return occurrences;
}

/** Encodes an id for a job key: no ':' (BullMQ) and no '_' (the key's separator), so keys never collide. */
const keyPart = (id: string) => encodeURIComponent(id).replace(/_/g, '%5F');

/** What every job key of one duty holder and one target starts with (a target's jobs are found by it). */
export function jobKeyPrefix(duty: ReminderDuty, targetId: string): string {
  return `reminder_${duty}_${keyPart(targetId)}_`;
}

/** The job key of a reminder occurrence, e.g. `reminder_reporter_T1_2026-Q2_t1_2026-07-10_b3`. */
export function jobKey(
  duty: ReminderDuty,
  targetId: string,
  subject: TargetReminderSubject,
  tier: ReminderTier,
  dueDate: string,
  daysBefore?: number,
): string {
  const about = subject.kind === 'report' ? subject.period : `m-${keyPart(subject.milestoneId)}`;
  return `${jobKeyPrefix(duty, targetId)}${about}_t${tier}_${dueDate}${daysBefore === undefined ? '' : `_b${daysBefore}`}`;
}

// ---- Supervision cases (督查督办): the reply deadline of a case's round --------------------------

/**
 * One supervision case as the planner sees it: its current round and whether the unit still owes that
 * round's answer. Made from the case's view by `caseReminderInputOf` (@dukao/supervision).
 */
export interface CaseReminderInput {
  noticeId: string;
  document: CaseDocument;
  title: string;
  /** The responsible unit (责任单位): its reporter, leader in charge and principal leader are reminded. */
  unitId: string;
  unitName: string;
  /** The current round (1, or 2 after 二次督办); an earlier round is planned no more. */
  round: number;
  /** The round's reply deadline now (Shanghai date, after approved extensions). */
  deadline: string;
  /**
   * The unit still owes this round's answer: the case is open and no answer awaits the office (the
   * round is issued, signed, or its answer was returned). False stops every reminder of the case.
   */
  owed: boolean;
  /** When round 2 (二次督办) was opened; null or absent for round 1. */
  escalatedAt?: string | null;
  /** Whether the unit has answered in this round (even if returned since): the opening notice is then moot. */
  answeredInRound?: boolean;
  /** The tracker (专人跟踪) of round 2 as a user id, when they can get an SMS (active, with a phone); else null. */
  tracker?: string | null;
}

/**
 * The reminder jobs still warranted for a supervision case at `now`: the three tiers around its
 * current round's reply deadline, as `planReminders` does for a report's due date, from the same
 * schedule (the scheme's `reminders`, in force now):
 * - tier 1 (reporter) `tier1DaysBefore` days before the deadline, tier 2 (leaderInCharge)
 *   `tier2DaysAfter` and tier 3 (principalLeader) `tier3DaysAfter` days after it, at `sendAt`, in
 *   calendar or working days, held out of quiet hours; all only while the unit owes the answer, so a
 *   rectification reported or the case closed cancels every pending job, and a return revives them
 *   (caught up at `now` when their time has passed: the round is overdue again);
 * - 二次督办: when round 2 is opened the leader in charge is told at once (tier 2, reason `escalated`,
 *   held out of quiet hours), and the tracker too when they have a phone; the tracker also gets a copy
 *   of tier 2 when the deadline passes unanswered. The opening notice is dropped once the unit
 *   answers in the round before it went.
 * Keys (`caseJobKey`) name the recipient, the case, the round, the tier and the deadline, so an
 * approved extension (a new deadline) plans new keys and the old ones are cancelled, and round 2's
 * jobs never collide with round 1's; the opening notice's key has no deadline, so an extension never
 * sends it twice. Catch-up, ordering and one-job-per-key as in `planReminders`.
 */
export function planCaseReminders(
  input: CaseReminderInput,
  reminders: ReminderSchedule,
  now: string | Date,
  calendars: readonly WorkCalendar[] = [],
): ReminderJob[] {
  if (!input.owed) return [];
  const nowIso = toIso(now);
  const catchUp = releaseTime(nowIso, reminders.quietHours);
  const subject: CaseReminderSubject = {
    kind: 'supervision',
    noticeId: input.noticeId,
    round: input.round,
    title: input.title,
    document: input.document,
  };
  const job = (
    tier: ReminderTier,
    to: ReminderRecipient,
    nominal: string,
    reason: ReminderReason,
    daysBefore?: number,
  ): ReminderJob => ({
    jobKey:
      reason === 'escalated'
        ? caseOpeningJobKey(to, input.noticeId, input.round)
        : caseJobKey(to, input.noticeId, input.round, tier, input.deadline, daysBefore),
    tier,
    duty: to,
    ...(to === 'tracker' && input.tracker ? { userId: input.tracker } : {}),
    unitId: input.unitId,
    unitName: input.unitName,
    targetId: null,
    targetTitle: null,
    subject,
    period: null,
    dueDate: input.deadline,
    sendAt: nominal < nowIso ? catchUp : nominal,
    reason,
  });

  const jobs: ReminderJob[] = [];
  const tracker = input.round >= 2 && input.tracker ? input.tracker : null;
  for (const o of scheduledOccurrences(input.deadline, reminders, nowIso, calendars)) {
    jobs.push(job(o.tier, TIER_DUTY[o.tier], o.nominal, o.tier === 1 ? 'dueSoon' : 'overdue', o.daysBefore));
    if (o.tier === 2 && tracker) jobs.push(job(2, 'tracker', o.nominal, 'overdue'));
  }
  if (input.round >= 2 && input.escalatedAt && !input.answeredInRound) {
    const opened = releaseTime(input.escalatedAt, reminders.quietHours);
    jobs.push(job(2, 'leaderInCharge', opened, 'escalated'));
    if (tracker) jobs.push(job(2, 'tracker', opened, 'escalated'));
  }
  return earliestPerKey(jobs);
}

/** What every job key of one recipient and one case starts with (a case's jobs are found by it). */
export function caseJobKeyPrefix(to: ReminderRecipient, noticeId: string): string {
  return `reminder-case_${to}_${keyPart(noticeId)}_`;
}

/** The recipients a case's reminders may go to, for finding its jobs by `caseJobKeyPrefix`. */
export const CASE_RECIPIENTS: readonly ReminderRecipient[] = [
  'reporter',
  'leaderInCharge',
  'principalLeader',
  'tracker',
];

/**
 * The job key of a case's reminder occurrence, e.g.
 * `reminder-case_leaderInCharge_N1_r2_t2_2026-04-20` (tier 1 adds `_b<days before>`). A case key never
 * starts like a target's (`reminder_`), so neither's jobs are mistaken for the other's.
 */
export function caseJobKey(
  to: ReminderRecipient,
  noticeId: string,
  round: number,
  tier: ReminderTier,
  deadline: string,
  daysBefore?: number,
): string {
  return `${caseJobKeyPrefix(to, noticeId)}r${round}_t${tier}_${deadline}${daysBefore === undefined ? '' : `_b${daysBefore}`}`;
}

/** The key of the notice that a round (二次督办) was opened, e.g. `reminder-case_tracker_N1_r2_opened`. */
export function caseOpeningJobKey(to: ReminderRecipient, noticeId: string, round: number): string {
  return `${caseJobKeyPrefix(to, noticeId)}r${round}_opened`;
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
