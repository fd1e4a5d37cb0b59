/**
 * Working days of mainland China, on Asia/Shanghai dates (YYYY-MM-DD): Monday to Friday, minus the
 * statutory holidays (法定节假日), plus the weekend days declared working days (调休上班). The State
 * Council (国务院办公厅) publishes each year's arrangement in November or December of the year
 * before; it is entered as data (`WorkCalendarPublished` on `workcalendar-<year>`), never as code.
 *
 * Fallback: a year without a published calendar counts Monday to Friday as working days. The
 * counting function reports the years it had to assume (`assumedYears`), and `missingYears` tells
 * which of some years still lack a calendar, so callers can warn that one has to be entered.
 */
export interface WorkCalendar {
  year: number;
  /** Days off, e.g. the 国庆 week. Weekend days inside a holiday run may be listed; they change nothing. */
  holidays: readonly string[];
  /** Saturdays and Sundays that are working days (调休上班). */
  workdays: readonly string[];
}

/** The result of counting working days: the date reached, and the years Monday–Friday was assumed for. */
export interface WorkingDayShift {
  date: string;
  /** Years (ascending) of days counted over that have no published calendar; empty when none. */
  assumedYears: number[];
}

/** The most working days `addWorkingDays` counts in one call (about ten years), a guard against runaway input. */
export const MAX_WORKING_DAY_SHIFT = 2600;

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAY_MS = 86_400_000;

/** Days since 1970-01-01 of a valid date, or null when it is malformed or does not exist (2026-02-30). */
function epochDay(date: string): number | null {
  const match = DATE.exec(date);
  if (!match) return null;
  const ms = Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
  return Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== date ? null : ms / DAY_MS;
}

function dayOf(date: string): number {
  const day = epochDay(date);
  if (day === null) throw new Error(`not a date (YYYY-MM-DD): ${date}`);
  return day;
}

const dateOf = (day: number): string => new Date(day * DAY_MS).toISOString().slice(0, 10);
const yearOfDate = (date: string): number => Number(date.slice(0, 4));
/** 0 Sunday … 6 Saturday. */
const weekdayOf = (date: string): number => new Date(dayOf(date) * DAY_MS).getUTCDay();
const isWeekend = (date: string): boolean => {
  const weekday = weekdayOf(date);
  return weekday === 0 || weekday === 6;
};

/** True for an existing calendar date written YYYY-MM-DD. */
export function isValidDate(date: string): boolean {
  return epochDay(date) !== null;
}

interface CalendarIndex {
  published: ReadonlySet<number>;
  holidays: ReadonlySet<string>;
  workdays: ReadonlySet<string>;
}

function indexOf(calendars: readonly WorkCalendar[]): CalendarIndex {
  return {
    published: new Set(calendars.map((c) => c.year)),
    holidays: new Set(calendars.flatMap((c) => c.holidays)),
    workdays: new Set(calendars.flatMap((c) => c.workdays)),
  };
}

function working(date: string, index: CalendarIndex): boolean {
  if (index.holidays.has(date)) return false;
  if (index.workdays.has(date)) return true;
  return !isWeekend(date);
}

/**
 * Whether `date` is a working day under the calendars given (one per year). A year without one
 * counts Monday to Friday (see `missingYears` to find out).
 */
export function isWorkingDay(date: string, calendars: readonly WorkCalendar[]): boolean {
  dayOf(date);
  return working(date, indexOf(calendars));
}

/**
 * The `n`th working day after `date` (before it when `n` is negative); `date` itself when `n` is 0,
 * whatever kind of day it is. Only the days counted over are looked at, not `date` itself, so one
 * working day after a Friday is the Monday, and one after the eve of the 国庆 week is the first day
 * back. Throws on a malformed date and on |n| above `MAX_WORKING_DAY_SHIFT`.
 */
export function addWorkingDays(date: string, n: number, calendars: readonly WorkCalendar[]): WorkingDayShift {
  let day = dayOf(date);
  if (!Number.isInteger(n) || Math.abs(n) > MAX_WORKING_DAY_SHIFT)
    throw new RangeError(`working days to add must be an integer within ±${MAX_WORKING_DAY_SHIFT}: ${n}`);
  const index = indexOf(calendars);
  const step = Math.sign(n);
  const assumed = new Set<number>();
  for (let left = Math.abs(n); left > 0;) {
    day += step;
    const current = dateOf(day);
    const year = yearOfDate(current);
    if (!index.published.has(year)) assumed.add(year);
    if (working(current, index)) left -= 1;
  }
  return { date: dateOf(day), assumedYears: [...assumed].sort((a, b) => a - b) };
}

/** The years (ascending, once each) that have no calendar among `calendars`. */
export function missingYears(years: readonly number[], calendars: readonly WorkCalendar[]): number[] {
  const published = new Set(calendars.map((c) => c.year));
  return [...new Set(years)].filter((y) => !published.has(y)).sort((a, b) => a - b);
}

/**
 * What is wrong with a year's calendar, in Chinese (empty when nothing): the year is a four-digit
 * year; every date exists, is written YYYY-MM-DD and lies in that year; no date is listed twice or
 * in both lists; and every 调休上班日 is a Saturday or Sunday (a holiday may fall on a weekend).
 */
export function workCalendarProblems(calendar: {
  year: number;
  holidays: readonly string[];
  workdays: readonly string[];
}): string[] {
  const { year, holidays, workdays } = calendar;
  if (!Number.isInteger(year) || year < 1000 || year > 9999) return ['年份须为四位数字，如 2026'];
  const problems: string[] = [];
  const check = (label: string, dates: readonly string[]) => {
    const seen = new Set<string>();
    for (const date of dates) {
      if (!isValidDate(date)) problems.push(`${label} ${date} 不是有效日期（格式 YYYY-MM-DD）`);
      else if (yearOfDate(date) !== year) problems.push(`${label} ${date} 不在 ${year} 年内`);
      else if (seen.has(date)) problems.push(`${label} ${date} 重复`);
      seen.add(date);
    }
  };
  check('节假日', holidays);
  check('调休上班日', workdays);
  const off = new Set(holidays);
  for (const date of new Set(workdays)) {
    if (off.has(date)) problems.push(`${date} 不能既是节假日又是调休上班日`);
    if (isValidDate(date) && yearOfDate(date) === year && !isWeekend(date))
      problems.push(`调休上班日 ${date} 不是周六或周日`);
  }
  return problems;
}
