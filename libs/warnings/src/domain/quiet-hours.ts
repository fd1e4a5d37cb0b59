import { shanghaiDate, type Scheme } from '@dukao/targets';
import {
  addDays,
  dateLabel,
  daysBetween,
  minutesOf,
  msIntoShanghaiDay,
  periodLabel,
  shanghaiInstant,
  startOfShanghaiDay,
  toIso,
} from './calendar';
import type { ReminderJob } from './reminder-plan';

export type QuietHours = Scheme['reminders']['quietHours'];
export type PerPhoneLimits = Scheme['reminders']['perPhoneLimits'];

/**
 * When an SMS due at `instant` may go: the instant itself outside quiet hours, else the end of the
 * quiet hours (held, never dropped). The window is local Asia/Shanghai time, includes `from` and
 * excludes `to` (22:00 is held, 08:00 goes), and wraps midnight when `from` is later than `to`
 * (23:00 → 08:00 the next morning, 03:00 → 08:00 the same morning). `from` equal to `to` means no
 * quiet hours.
 */
export function releaseTime(instant: string | Date, quietHours: QuietHours): string {
  const from = minutesOf(quietHours.from) * 60_000;
  const to = minutesOf(quietHours.to) * 60_000;
  const iso = toIso(instant);
  if (from === to) return iso;
  const ms = msIntoShanghaiDay(iso);
  const wraps = from > to;
  const quiet = wraps ? ms >= from || ms < to : ms >= from && ms < to;
  if (!quiet) return iso;
  const day = shanghaiDate(iso);
  return shanghaiInstant(wraps && ms >= from ? addDays(day, 1) : day, quietHours.to);
}

const MINUTE = 60_000;
const HOUR = 3_600_000;

/**
 * The earliest instant at or after `at` when one more SMS may go to a phone that has `history`
 * (instants of its sends, any order) under the provider's limits: deferred, never dropped.
 * Minute and hour limits are sliding windows; the day limit counts the Shanghai calendar day (as
 * Chinese SMS providers count it), so a full day defers to the next midnight. A send listed after
 * the candidate (already reserved) counts against it too, so reservations are never violated.
 */
export function rateLimit(
  history: ReadonlyArray<string | Date>,
  limits: PerPhoneLimits,
  at: string | Date,
): string {
  const sends = history.map((s) => new Date(s).getTime()).sort((a, b) => a - b);
  const windows: Array<[number, number]> = [
    [MINUTE, limits.perMinute],
    [HOUR, limits.perHour],
  ];
  let t = new Date(at).getTime();
  for (;;) {
    let moved = false;
    for (const [width, limit] of windows) {
      const inWindow = sends.filter((s) => s > t - width && s < t + width);
      if (inWindow.length >= limit) {
        // Wait until enough of the oldest sends have left the window to leave room for one more.
        t = inWindow[inWindow.length - limit]! + width;
        moved = true;
      }
    }
    const day = shanghaiDate(new Date(t));
    if (sends.filter((s) => shanghaiDate(new Date(s)) === day).length >= limits.perDay) {
      t = new Date(startOfShanghaiDay(addDays(day, 1))).getTime();
      moved = true;
    }
    if (!moved) return new Date(t).toISOString();
  }
}

/** The earliest instant at or after `at` that is both outside quiet hours and within the phone's limits. */
export function earliestSendTime(
  history: ReadonlyArray<string | Date>,
  limits: PerPhoneLimits,
  quietHours: QuietHours,
  at: string | Date,
): string {
  let t = toIso(at);
  for (;;) {
    const next = releaseTime(rateLimit(history, limits, t), quietHours);
    if (next === t) return t;
    t = next;
  }
}

/** One SMS to one person: every reminder item due for them on one Shanghai day. */
export interface ReminderMessage {
  /** The Shanghai day the items belong to. */
  day: string;
  /** When the message is due: the earliest of its items (before quiet hours and rate limits, see `earliestSendTime`). */
  sendAt: string;
  /** The jobs it carries: the sender records each as sent (at most one SMS per job key). */
  jobKeys: string[];
  items: string[];
  text: string;
}

export const DEFAULT_SMS_SIGNATURE = '【督考】';
/** A digest lists this many items and counts the rest: a long SMS is split and billed per 67 characters. */
export const DIGEST_MAX_LISTED = 5;

/**
 * One message for the reminder jobs of one person on one Shanghai day ("several due items for one
 * person in one day go in one message"). The caller groups jobs by the person its duty resolves to
 * (see `groupForDigest`); this refuses an empty list or jobs of different days. Items are ordered by
 * time, due date and key; a job listed twice appears once. Overdue days count to the message's day.
 */
export function digest(
  jobs: readonly ReminderJob[],
  signature = DEFAULT_SMS_SIGNATURE,
  maxListed = DIGEST_MAX_LISTED,
): ReminderMessage {
  if (jobs.length === 0) throw new Error('digest needs at least one reminder job');
  const unique = [...new Map(jobs.map((j) => [j.jobKey, j])).values()].sort(
    (a, b) =>
      a.sendAt.localeCompare(b.sendAt) ||
      a.dueDate.localeCompare(b.dueDate) ||
      a.jobKey.localeCompare(b.jobKey),
  );
  const day = shanghaiDate(unique[0]!.sendAt);
  if (unique.some((j) => shanghaiDate(j.sendAt) !== day))
    throw new Error('digest takes the jobs of one Shanghai day');
  const items = unique.map((j) => itemText(j, day));
  const listed = items.slice(0, maxListed).map((item, i) => `${i + 1}. ${item}`);
  const more = items.length > listed.length ? `；等共${items.length}项，详见督考系统` : '';
  const text = `${signature}您好，以下事项请及时办理：${listed.join('；')}${more}。`;
  return { day, sendAt: unique[0]!.sendAt, jobKeys: unique.map((j) => j.jobKey), items, text };
}

/** Groups jobs by person (as `personOf` resolves a job's unit and duty) and Shanghai day, one message each. */
export function groupForDigest(
  jobs: readonly ReminderJob[],
  personOf: (job: ReminderJob) => string,
): Array<{ person: string; day: string; jobs: ReminderJob[] }> {
  const groups = new Map<string, { person: string; day: string; jobs: ReminderJob[] }>();
  for (const job of jobs) {
    const person = personOf(job);
    const day = shanghaiDate(job.sendAt);
    const key = JSON.stringify([person, day]);
    const group = groups.get(key) ?? { person, day, jobs: [] };
    group.jobs.push(job);
    groups.set(key, group);
  }
  return [...groups.values()];
}

const LEVEL_NAMES = { turnedYellow: '黄牌', turnedRed: '红牌' } as const;
const CASE_DOCUMENTS = { notice: '督查通知', suggestion: '绩效督查建议书' } as const;

function itemText(job: ReminderJob, day: string): string {
  const year = Number(day.slice(0, 4));
  if (job.subject.kind === 'supervision') return caseItemText(job, job.subject, day, year);
  const who = `${job.unitName}“${job.targetTitle ?? ''}”`;
  const subject =
    job.subject.kind === 'report' ? periodLabel(job.subject.period) : `节点“${job.subject.title}”`;
  const due =
    job.subject.kind === 'report'
      ? `进度应于${dateLabel(job.dueDate, year)}前报送`
      : `应于${dateLabel(job.dueDate, year)}前完成`;
  const late = daysBetween(job.dueDate, day);
  switch (job.reason) {
    case 'dueSoon':
      return `${who}${subject}${due}`;
    case 'overdue': {
      const notYet = `仍未${job.subject.kind === 'report' ? '报送' : '完成'}`;
      return `${who}${subject}${due}，${late > 0 ? `已逾期${late}天` : '今天截止'}${notYet}`;
    }
    case 'turnedYellow':
    case 'turnedRed':
      return `${who}已亮${LEVEL_NAMES[job.reason]}预警（${subject}），请督促推进`;
    case 'escalated': // a case's reason only
      return `${who}${subject}${due}`;
  }
}

/**
 * A supervision case's item: 甲镇督查通知《…》整改反馈将于7月10日到期 (tier 1), …应于7月10日前报送，已逾期1天仍未反馈
 * (tier 2/3), and for 二次督办 …已转二次督办，整改反馈须于4月20日前报送，请督促落实 (the leader in charge) or
 * …由您专人跟踪 (the tracker).
 */
function caseItemText(
  job: ReminderJob,
  subject: Extract<ReminderJob['subject'], { kind: 'supervision' }>,
  day: string,
  year: number,
): string {
  const what = `${job.unitName}${CASE_DOCUMENTS[subject.document]}《${subject.title}》`;
  const round = subject.round >= 2 ? '（二次督办）' : '';
  const due = dateLabel(job.dueDate, year);
  const late = daysBetween(job.dueDate, day);
  switch (job.reason) {
    case 'dueSoon':
      return `${what}${round}整改反馈将于${due}到期`;
    case 'escalated':
      return job.duty === 'tracker'
        ? `${what}已转二次督办，由您专人跟踪，整改反馈须于${due}前报送`
        : `${what}已转二次督办，整改反馈须于${due}前报送，请督促落实`;
    default:
      return `${what}${round}整改反馈应于${due}前报送，${late > 0 ? `已逾期${late}天` : '今天截止'}仍未反馈`;
  }
}
