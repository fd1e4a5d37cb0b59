import { lastMonthOf, yearOf } from '@dukao/targets';

/**
 * Asia/Shanghai calendar arithmetic for warnings and reminders. Shanghai keeps UTC+8 all year (no
 * daylight saving), so a local wall-clock time is a fixed offset from UTC; this is a fact of the
 * time zone, not a business threshold.
 */
const OFFSET_MS = 8 * 3_600_000;
const DAY_MS = 86_400_000;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const CLOCK = /^([01]\d|2[0-3]):([0-5]\d)$/;

function parseDate(date: string): [number, number, number] {
  const match = DATE.exec(date);
  if (!match) throw new Error(`not a date (YYYY-MM-DD): ${date}`);
  return [Number(match[1]), Number(match[2]), Number(match[3])];
}

/** Minutes after midnight of a wall-clock time 'HH:MM'. */
export function minutesOf(clock: string): number {
  const match = CLOCK.exec(clock);
  if (!match) throw new Error(`not a time (HH:MM): ${clock}`);
  return Number(match[1]) * 60 + Number(match[2]);
}

/** The UTC instant (ISO) of a Shanghai wall-clock time on a Shanghai date. */
export function shanghaiInstant(date: string, clock: string): string {
  const [y, m, d] = parseDate(date);
  return new Date(Date.UTC(y, m - 1, d) + minutesOf(clock) * 60_000 - OFFSET_MS).toISOString();
}

/** The instant a Shanghai calendar day starts (00:00 local). */
export function startOfShanghaiDay(date: string): string {
  return shanghaiInstant(date, '00:00');
}

/** Milliseconds since the Shanghai midnight that began the instant's day. */
export function msIntoShanghaiDay(instant: string | Date): number {
  const local = new Date(instant).getTime() + OFFSET_MS;
  return ((local % DAY_MS) + DAY_MS) % DAY_MS;
}

/** A Shanghai date moved by whole days (negative: earlier). */
export function addDays(date: string, days: number): string {
  const [y, m, d] = parseDate(date);
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

/** Whole days from one date to another (positive when `to` is later). */
export function daysBetween(from: string, to: string): number {
  return daysFromTo(midnightMs(from), midnightMs(to));
}

/**
 * A date's midnight as a UTC timestamp (`Date.UTC` of its year, month and day: a day past the end of
 * its month rolls over, as in `daysBetween`). Two of them give whole days with `daysFromTo`.
 */
export function midnightMs(date: string): number {
  const [y, m, d] = parseDate(date);
  return Date.UTC(y, m - 1, d);
}

/** Whole days between two `midnightMs` (positive when `toMs` is later). */
export function daysFromTo(fromMs: number, toMs: number): number {
  return Math.round((toMs - fromMs) / DAY_MS);
}

export const toIso = (instant: string | Date): string => new Date(instant).toISOString();

const QUARTER_NAMES = ['一', '二', '三', '四'];

/** How a period reads in a message: 2026年6月, 2026年第二季度. */
export function periodLabel(period: string): string {
  const year = yearOf(period);
  const month = lastMonthOf(period);
  return period.includes('-Q') ? `${year}年第${QUARTER_NAMES[month / 3 - 1]}季度` : `${year}年${month}月`;
}

/** How a date reads in a message: 7月10日 (the year only when it differs from `yearOfContext`). */
export function dateLabel(date: string, yearOfContext?: number): string {
  const [y, m, d] = parseDate(date);
  return `${yearOfContext !== undefined && yearOfContext !== y ? `${y}年` : ''}${m}月${d}日`;
}

/** A number as people read it: at most two decimals, no trailing zeros. */
export function numberLabel(n: number): string {
  return String(Math.round(n * 100) / 100);
}
