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
import { dateLabel, daysBetween, numberLabel, periodLabel } from './calendar';

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
  const t: WarningThresholds = { ...thresholds, ...definedOnly(input.overrides ?? {}) };
  const today = shanghaiDate(now);
  const reasons: WarningReason[] = [];

  const figures = gapFigures(input);
  if (figures) {
    const { period, completionPct, expectedPct, gap } = figures;
    const fired: Array<[WarningRule, RaisedLevel, number]> = [
      ['gapAboveRed', 'red', t.redGap],
      ['gapAboveYellow', 'yellow', t.yellowGap],
      ['gapAboveBell', 'bell', t.bellGap],
    ];
    const hit = fired.find(([, , limit]) => gap > limit);
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

  const reported = new Set(input.reportedPeriods);
  for (const period of periodsOf(input.year, input.cadence)) {
    if (reported.has(period)) continue;
    if (input.issuedAt && periodEnd(period) <= input.issuedAt) continue;
    const dueDate = reportDueDate(period, input.reportDueDay);
    const days = daysBetween(today, dueDate);
    const what = `${periodLabel(period)}进度应于${dateLabel(dueDate, input.year)}前报送`;
    if (days < 0) {
      const late = -days;
      const long = late > t.redOverdueDays;
      reasons.push({
        rule: long ? 'reportOverdueLong' : 'reportOverdue',
        level: long ? 'red' : 'yellow',
        period,
        dueDate,
        detail: `${what}，已逾期 ${late} 天${long ? `，超过 ${t.redOverdueDays} 天` : ''}`,
      });
    } else if (days <= t.dueSoonDays) {
      reasons.push({
        rule: 'reportDueSoon',
        level: 'bell',
        period,
        dueDate,
        detail: `${what}，${remaining(days)}`,
      });
    }
  }

  for (const m of input.milestones) {
    if (m.completedOn !== null) continue;
    const days = daysBetween(today, m.dueDate);
    const what = `节点“${m.title}”应于${dateLabel(m.dueDate, input.year)}前完成`;
    if (days < 0) {
      reasons.push({
        rule: 'milestoneOverdue',
        level: 'red',
        milestoneId: m.milestoneId,
        dueDate: m.dueDate,
        detail: `${what}，已逾期 ${-days} 天`,
      });
    } else if (days <= t.dueSoonDays) {
      reasons.push({
        rule: 'milestoneDueSoon',
        level: 'bell',
        milestoneId: m.milestoneId,
        dueDate: m.dueDate,
        detail: `${what}，${remaining(days)}`,
      });
    }
  }

  // Strongest first; Array.prototype.sort is stable, so equal levels keep gap → periods → milestones.
  reasons.sort((a, b) => levelRank(b.level) - levelRank(a.level));
  const level = reasons.reduce<WarningLevel>((acc, r) => higherLevel(acc, r.level), 'none');
  return {
    level,
    reasons,
    completionPct: figures?.completionPct ?? null,
    expectedPct: figures?.expectedPct ?? null,
    gap: figures?.gap ?? null,
  };
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
