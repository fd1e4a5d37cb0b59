import {
  type Cadence,
  completionRatio,
  type Direction,
  expectedPctForPeriod,
  lastMonthOf,
  periodEnd,
  periodsOf,
  reportDueDate,
  round2,
  type Scheme,
  shanghaiDate,
  type TargetKind,
  targetProgress,
  type TargetView,
} from '@dukao/targets';
import { dateLabel, daysFromTo, midnightMs, numberLabel, periodLabel } from './calendar';

/** 预警: none / 警铃 bell / 黄牌 yellow / 红牌 red, in rising order. */
export const WARNING_LEVELS = ['none', 'bell', 'yellow', 'red'] as const;
export type WarningLevel = (typeof WARNING_LEVELS)[number];
export type RaisedLevel = Exclude<WarningLevel, 'none'>;

export const levelRank = (level: WarningLevel): number => WARNING_LEVELS.indexOf(level);
export const higherLevel = (a: WarningLevel, b: WarningLevel): WarningLevel =>
  levelRank(b) > levelRank(a) ? b : a;

export type WarningThresholds = Scheme['warnings'];

export type WarningRule =
  | 'gapAboveBell'
  | 'gapAboveYellow'
  | 'gapAboveRed'
  | 'reportDueSoon'
  | 'reportOverdue'
  | 'reportOverdueLong'
  | 'milestoneDueSoon'
  | 'milestoneOverdue';

/** One rule that fired, with what it is about (a period or a milestone) and a Chinese explanation. */
export interface WarningReason {
  rule: WarningRule;
  level: RaisedLevel;
  detail: string;
  period?: string;
  milestoneId?: string;
  /** The due date the reason is about (a period's report or a milestone). */
  dueDate?: string;
}

export interface WarningInput {
  kind: TargetKind;
  year: number;
  cadence: Cadence;
  /** 基准时序进度: expected cumulative % at the end of each period. */
  schedule: readonly number[];
  reportDueDay: number;
  direction: Direction;
  /** The target value in force at `now` (after rulings). */
  valueInForce: number | null;
  /** The latest counting report (not replaced, not rejected), by period. */
  latest: { period: string; cumulativeValue: number | null } | null;
  /** Periods with a counting report or nil return (not replaced, not rejected). */
  reportedPeriods: readonly string[];
  milestones: ReadonlyArray<{
    milestoneId: string;
    title: string;
    dueDate: string;
    completedOn: string | null;
  }>;
  /** A period that ended before the target was issued (动态指标) is not owed, as in the target decider. */
  issuedAt?: string | null;
  /** Per-target thresholds; each one given replaces the scheme's. */
  overrides?: Partial<WarningThresholds> | null;
}

export interface Warning {
  level: WarningLevel;
  /** Every rule that fired, strongest first; empty when the level is none. */
  reasons: WarningReason[];
  /** The figures behind the gap rules (null when no gap applies: no report, no value, milestone target). */
  completionPct: number | null;
  expectedPct: number | null;
  gap: number | null;
}

const LEVEL_NAMES: Record<RaisedLevel, string> = { bell: '警铃', yellow: '黄牌', red: '红牌' };

/**
 * The warning level of a target at `now` (shared/DOMAIN.md "Default warnings and reminders"):
 * - gap = expected% − completion% at the latest reported period: bell above `bellGap`, yellow above
 *   `yellowGap`, red above `redGap` (strictly above: a gap of exactly 10 is a bell, not yellow);
 * - a report due within `dueSoonDays` (today included) is a bell; one whose due day has ended is
 *   yellow, and red once more than `redOverdueDays` days overdue;
 * - a milestone not done after its due day is red; one due within `dueSoonDays` is a bell (its due
 *   date is when its completion is reported, seed 004).
 * The highest level wins. Each measure (the gap, each period, each milestone) is listed once, at the
 * strongest rule it meets, so a gap of 25 reads "above red", not also "above bell" and "above yellow".
 * Milestone targets have no gap (their progress is the milestones). Thresholds come only from
 * `thresholds` and the target's `overrides`.
 */
export function evaluateWarning(
  input: WarningInput,
  thresholds: WarningThresholds,
  now: string | Date,
): Warning {
  const t: WarningThresholds = input.overrides
    ? { ...thresholds, ...definedOnly(input.overrides) }
    : thresholds;
  const today = shanghaiDate(now);
  let todayMidnight: number | undefined;
  const todayMs = () => (todayMidnight ??= midnightMs(today));
  const reasons: WarningReason[] = [];

  const figures = gapFigures(input);
  if (figures) {
    const { period, completionPct, expectedPct, gap } = figures;
    const hit: [WarningRule, RaisedLevel, number] | null =
      gap > t.redGap
        ? ['gapAboveRed', 'red', t.redGap]
        : gap > t.yellowGap
          ? ['gapAboveYellow', 'yellow', t.yellowGap]
          : gap > t.bellGap
            ? ['gapAboveBell', 'bell', t.bellGap]
            : null;
    if (hit) {
      const [rule, level, limit] = hit;
      reasons.push({
        rule,
        level,
        period,
        detail: `${periodLabel(period)}累计完成 ${numberLabel(completionPct)}%，基准时序进度 ${numberLabel(expectedPct)}%，落后 ${numberLabel(gap)} 个百分点，超过${LEVEL_NAMES[level]}阈值 ${numberLabel(limit)}`,
      });
    }
  }

  // Each period's due date and end come from a table made once per year, cadence and due day; the
  // message is written only for a period that fires.
  const reported = new Set(input.reportedPeriods);
  let calendar: readonly PeriodDates[] | null | undefined;
  const periods = periodsOf(input.year, input.cadence);
  for (let i = 0; i < periods.length; i += 1) {
    const period = periods[i]!;
    if (reported.has(period)) continue;
    if (calendar === undefined) calendar = periodDates(input.year, input.cadence, input.reportDueDay);
    let dueDate: string;
    let days: number;
    if (calendar) {
      const dates = calendar[i]!;
      if (input.issuedAt && dates.end <= input.issuedAt) continue;
      dueDate = dates.dueDate;
      days = daysFromTo(todayMs(), dates.dueMs);
    } else {
      // No table for these periods: each date made as it is needed, so that the same error is thrown.
      if (input.issuedAt && periodEnd(period) <= input.issuedAt) continue;
      dueDate = reportDueDate(period, input.reportDueDay);
      days = daysFromTo(todayMs(), midnightMs(dueDate));
    }
    if (days < 0) {
      const late = -days;
      const long = late > t.redOverdueDays;
      reasons.push({
        rule: long ? 'reportOverdueLong' : 'reportOverdue',
        level: long ? 'red' : 'yellow',
        period,
        dueDate,
        detail: `${reportDue(period, dueDate, input.year)}，已逾期 ${late} 天${long ? `，超过 ${t.redOverdueDays} 天` : ''}`,
      });
    } else if (days <= t.dueSoonDays) {
      reasons.push({
        rule: 'reportDueSoon',
        level: 'bell',
        period,
        dueDate,
        detail: `${reportDue(period, dueDate, input.year)}，${remaining(days)}`,
      });
    }
  }

  for (const m of input.milestones) {
    if (m.completedOn !== null) continue;
    const days = daysFromTo(todayMs(), midnightMs(m.dueDate));
    if (days < 0) {
      reasons.push({
        rule: 'milestoneOverdue',
        level: 'red',
        milestoneId: m.milestoneId,
        dueDate: m.dueDate,
        detail: `${milestoneDue(m.title, m.dueDate, input.year)}，已逾期 ${-days} 天`,
      });
    } else if (days <= t.dueSoonDays) {
      reasons.push({
        rule: 'milestoneDueSoon',
        level: 'bell',
        milestoneId: m.milestoneId,
        dueDate: m.dueDate,
        detail: `${milestoneDue(m.title, m.dueDate, input.year)}，${remaining(days)}`,
      });
    }
  }

  // Strongest first; Array.prototype.sort is stable, so equal levels keep gap → periods → milestones.
  if (reasons.length > 1) reasons.sort((a, b) => levelRank(b.level) - levelRank(a.level));
  const level = reasons.reduce<WarningLevel>((acc, r) => higherLevel(acc, r.level), 'none');
  return {
    level,
    reasons,
    completionPct: figures?.completionPct ?? null,
    expectedPct: figures?.expectedPct ?? null,
    gap: figures?.gap ?? null,
  };
}

const reportDue = (period: string, dueDate: string, year: number): string =>
  `${periodLabel(period)}进度应于${dateLabel(dueDate, year)}前报送`;

const milestoneDue = (title: string, dueDate: string, year: number): string =>
  `节点“${title}”应于${dateLabel(dueDate, year)}前完成`;

/** A period's report due date (and its `midnightMs`) and the instant the period ends. */
interface PeriodDates {
  dueDate: string;
  dueMs: number;
  end: string;
}

const PERIOD_DATES = new Map<string, readonly PeriodDates[]>();
/** Tables kept at most (a year has two cadences and up to 31 due days). */
const PERIOD_DATES_KEPT = 256;

/**
 * The dates of every period of a year for a cadence and due day, in `periodsOf` order, made with
 * `reportDueDate` and `periodEnd` (so they are what those say) once and kept: every target of a
 * cycle shares a handful of them. null when one of them cannot be made (a year without periods of
 * that form, a due day that makes no date): nothing is kept then.
 */
function periodDates(year: number, cadence: Cadence, dueDay: number): readonly PeriodDates[] | null {
  const key = `${year}|${cadence}|${dueDay}`;
  let dates = PERIOD_DATES.get(key);
  if (!dates) {
    try {
      dates = periodsOf(year, cadence).map((period) => {
        const dueDate = reportDueDate(period, dueDay);
        return { dueDate, dueMs: midnightMs(dueDate), end: periodEnd(period) };
      });
    } catch {
      return null;
    }
    if (PERIOD_DATES.size >= PERIOD_DATES_KEPT) PERIOD_DATES.clear();
    PERIOD_DATES.set(key, dates);
  }
  return dates;
}

/** The gap at the latest reported period, computed as the targets' progress view computes it. */
function gapFigures(
  input: WarningInput,
): { period: string; completionPct: number; expectedPct: number; gap: number } | null {
  const latest = input.latest;
  if (
    input.kind !== 'quantitative' ||
    !latest ||
    latest.cumulativeValue === null ||
    input.valueInForce === null
  )
    return null;
  const completionPct = round2(
    100 * completionRatio(input.direction, latest.cumulativeValue, input.valueInForce),
  );
  const expectedPct = expectedPctForPeriod(input.schedule, input.cadence, lastMonthOf(latest.period));
  return { period: latest.period, completionPct, expectedPct, gap: round2(expectedPct - completionPct) };
}

function remaining(days: number): string {
  return days === 0 ? '今天截止' : `还有 ${days} 天`;
}

function definedOnly<T extends object>(partial: Partial<T>): Partial<T> {
  return Object.fromEntries(
    Object.entries(partial).filter(([, v]) => v !== undefined && v !== null),
  ) as Partial<T>;
}

/**
 * The warning input of a target view at `now`: the value in force then, the latest counting report,
 * the periods with a counting report or nil return, and milestones with their completion.
 */
export function warningInputOf(
  target: TargetView,
  now: Date,
  overrides?: Partial<WarningThresholds> | null,
): WarningInput {
  const counting = target.reports.filter((r) => r.status === 'pending' || r.status === 'verified');
  return {
    kind: target.kind,
    year: target.year,
    cadence: target.cadence,
    schedule: target.schedule,
    reportDueDay: target.reportDueDay,
    direction: target.direction,
    valueInForce: targetProgress(target, now).valueInForce,
    latest: target.latest
      ? { period: target.latest.period, cumulativeValue: target.latest.cumulativeValue }
      : null,
    reportedPeriods: [...new Set(counting.map((r) => r.period))],
    milestones: target.milestones.map((m) => ({
      milestoneId: m.milestoneId,
      title: m.title,
      dueDate: m.dueDate,
      completedOn: m.completedOn,
    })),
    issuedAt: target.issuedAt,
    overrides: overrides ?? null,
  };
}
