import type { StoredEvent } from '@dukao/event-store';
import type { ReadModelDocument } from '@dukao/read-model-store';
import {
  completionRatio,
  expectedPctForPeriod,
  periodEnd,
  round2,
  type TargetDefinition,
  type TargetEvent,
} from '@dukao/targets';
import type { CategoryScore, Grade } from '../domain/scoring.engine';
import type { ScoringInput } from '../domain/scoring.inputs';
import { countingReports, foldTargets, type TargetFacts, valueAt } from '../domain/target-facts';

/** The collection of monthly rankings (月排名): one document per (cycle, category, month). */
export const MONTHLY_RANKINGS = 'monthlyRankings';
/** The months each (cycle, category) has a ranking for: one small document per (cycle, category). */
export const RANKING_MONTHS = 'rankingMonths';

/** A unit's ranking and scores a year earlier: the cycle of year − 1, same month. */
export interface YearOnYear {
  cycleId: string;
  total: number;
  totalThousandths: number;
  rank: number;
  /** This year's total minus last year's, exact thousandths, and as a number for display. */
  deltaThousandths: number;
  delta: number;
  /** Places gained since last year (last year's rank minus this year's; negative: places lost). */
  rankChange: number;
}

export interface MonthlyRankingRow {
  unitId: string;
  unitName: string | null;
  total: number;
  totalThousandths: number;
  rank: number;
  grade: Grade;
  /** Among the bottom three of the category. */
  flagged: boolean;
  /**
   * The level-1 indicator scores (points; exact thousandths × 1000), in the order of the document's
   * `indicators`: numbers only, so that a ranking of a thousand units stays small to read and send.
   */
  scores: number[];
  /**
   * Mean over the unit's quantitative targets of the completion ratio × 100 at the month end, capped
   * as scoring caps it (the scheme's `completionCap`: a target of 0 would otherwise be infinite); null
   * when the unit has no quantitative target.
   */
  completionPct: number | null;
  /** Mean over the same targets of the schedule (基准时序进度) at their latest period ended by the month end. */
  expectedPct: number | null;
  /** completionPct − expectedPct (percentage points). */
  vsExpected: number | null;
  /** completionPct − the category's average completionPct (percentage points). */
  vsAverage: number | null;
  /** Null where last year's ranking of the month does not list the unit (or there is none). */
  lastYear: YearOnYear | null;
}

/** The ranking of a category at a month's end, as the log now knows it (computed by `scoreCategory`). */
export interface MonthlyRanking extends ReadModelDocument {
  cycleId: string;
  category: string;
  year: number;
  /** 'YYYY-MM'. */
  month: string;
  /** The instant scored: the end of the month (Asia/Shanghai). */
  at: string;
  /** December: the year-end ranking (final scores and grades). */
  final: boolean;
  schemeVersion: number;
  treeVersion: number;
  scale: number;
  /** The level-1 indicators of the tree in force, in tree order. */
  indicators: Array<{ indicatorId: string; name: string; points: number }>;
  /** Mean of the units' completionPct (units with quantitative targets only); null when none has one. */
  averageCompletionPct: number | null;
  /** Last year's cycle whose ranking of the same month the rows are compared with; null when none. */
  lastYearCycleId: string | null;
  /** In rank order. */
  rows: MonthlyRankingRow[];
}

/** The months of one (cycle, category) that have a ranking, and the last month considered. */
export interface RankingMonths extends ReadModelDocument {
  cycleId: string;
  category: string;
  year: number;
  /** Months with a ranking, in order ('YYYY-MM'). */
  months: string[];
  /** The last month whose end had passed when this (cycle, category) was last computed. */
  through: string | null;
}

export const monthlyRankingId = (cycleId: string, category: string, month: string) =>
  `${cycleId}:${category}:${month}`;
export const rankingMonthsId = (cycleId: string, category: string) => `${cycleId}:${category}`;

/** The twelve months of a cycle year, 'YYYY-01' … 'YYYY-12'. */
export function monthsOf(year: number): string[] {
  return Array.from({ length: 12 }, (_, i) => `${year}-${String(i + 1).padStart(2, '0')}`);
}

/** The months of `year` whose end (Asia/Shanghai) is at or before `now`. */
export function monthsEndedBy(year: number, now: string): string[] {
  return monthsOf(year).filter((month) => periodEnd(month) <= now);
}

const monthNumber = (month: string) => Number(month.slice(5, 7));

/** The last month (1–12) of the latest period of a cadence ended by the end of month `m`; 0 when none. */
function lastPeriodMonth(cadence: TargetDefinition['cadence'], m: number): number {
  return cadence === 'monthly' ? m : Math.floor(m / 3) * 3;
}

const mean = (values: readonly number[]) =>
  values.length === 0 ? null : values.reduce((a, b) => a + b, 0) / values.length;

/**
 * Completion and expected schedule per unit at the end of `month`: over each unit's quantitative
 * targets in scope (issued, not withdrawn, of the cycle, of a listed unit: the engine's population),
 * the mean completion ratio × 100 (the latest counting report's cumulative value against the value
 * in force at the month end, direction-aware, capped at `cap`) and the mean schedule value at the
 * latest period ended by then.
 */
export function completionByUnit(
  input: ScoringInput,
  month: string,
  cap: number,
  facts: readonly TargetFacts[] = foldTargets(input.targetEvents, input.asOf),
): Map<string, { completionPct: number; expectedPct: number }> {
  const at = periodEnd(month);
  const m = monthNumber(month);
  const units = new Set(input.unitIds);
  const perUnit = new Map<string, { completion: number[]; expected: number[] }>();
  for (const f of facts) {
    const d = f.definition;
    if (d.cycleId !== input.cycleId || !units.has(d.unitId) || !f.issued || f.withdrawn) continue;
    if (d.kind !== 'quantitative') continue;
    const latest = countingReports(f, at)
      .filter((r) => r.cumulativeValue !== null)
      .sort((a, b) => (a.period < b.period ? -1 : a.period > b.period ? 1 : 0))
      .at(-1);
    const ratio = completionRatio(d.direction, latest?.cumulativeValue ?? null, valueAt(f, at).value, cap);
    const periodMonth = lastPeriodMonth(d.cadence, m);
    const expected = periodMonth === 0 ? 0 : expectedPctForPeriod(d.schedule, d.cadence, periodMonth);
    const entry = perUnit.get(d.unitId) ?? { completion: [], expected: [] };
    entry.completion.push(ratio * 100);
    entry.expected.push(expected);
    perUnit.set(d.unitId, entry);
  }
  const out = new Map<string, { completionPct: number; expectedPct: number }>();
  for (const [unitId, { completion, expected }] of perUnit)
    out.set(unitId, { completionPct: round2(mean(completion)!), expectedPct: round2(mean(expected)!) });
  return out;
}

/**
 * The ranking document of one month from the engine's result and the input it scored (pure). Rows
 * carry no year-on-year comparison yet: {@link withYearOnYear} adds it from last year's document.
 */
export function buildMonthlyRanking(args: {
  year: number;
  month: string;
  scored: CategoryScore;
  input: ScoringInput;
  unitNames: ReadonlyMap<string, string>;
  /** `foldTargets(input.targetEvents, input.asOf)` when the caller already has it. */
  facts?: readonly TargetFacts[];
}): MonthlyRanking {
  const { year, month, scored, input, unitNames, facts } = args;
  const tree = input.trees.find((t) => t.version === scored.treeVersion);
  const roots = (tree?.indicators ?? []).filter((i) => i.level === 1);
  const cap = input.schemes.find((v) => v.version === scored.schemeVersion)?.scoring.completionCap ?? 1;
  const completion = completionByUnit(input, month, cap, facts);
  const average = mean([...completion.values()].map((c) => c.completionPct));
  const averageCompletionPct = average === null ? null : round2(average);
  return {
    _id: monthlyRankingId(scored.cycleId, scored.category, month),
    cycleId: scored.cycleId,
    category: scored.category,
    year,
    month,
    at: scored.at,
    final: monthNumber(month) === 12,
    schemeVersion: scored.schemeVersion,
    treeVersion: scored.treeVersion,
    scale: scored.scale,
    indicators: roots.map((i) => ({ indicatorId: i.indicatorId, name: i.name, points: i.points })),
    averageCompletionPct,
    lastYearCycleId: null,
    rows: scored.units.map((u) => {
      const c = completion.get(u.unitId);
      return {
        unitId: u.unitId,
        unitName: unitNames.get(u.unitId) ?? null,
        total: u.total,
        totalThousandths: u.totalThousandths,
        rank: u.rank,
        grade: u.grade,
        flagged: u.flagged,
        scores: roots.map((r) => u.indicators.find((i) => i.indicatorId === r.indicatorId)?.score ?? 0),
        completionPct: c?.completionPct ?? null,
        expectedPct: c?.expectedPct ?? null,
        vsExpected: c ? round2(c.completionPct - c.expectedPct) : null,
        vsAverage: c && averageCompletionPct !== null ? round2(c.completionPct - averageCompletionPct) : null,
        lastYear: null,
      };
    }),
  };
}

/** The document with each row compared with the same unit's row a year earlier (null: no such ranking). */
export function withYearOnYear(ranking: MonthlyRanking, lastYear: MonthlyRanking | null): MonthlyRanking {
  const before = new Map((lastYear?.rows ?? []).map((r) => [r.unitId, r]));
  return {
    ...ranking,
    lastYearCycleId: lastYear?.cycleId ?? null,
    rows: ranking.rows.map((row) => {
      const last = before.get(row.unitId);
      const deltaThousandths = last ? row.totalThousandths - last.totalThousandths : 0;
      return {
        ...row,
        lastYear: last
          ? {
              cycleId: lastYear!.cycleId,
              total: last.total,
              totalThousandths: last.totalThousandths,
              rank: last.rank,
              deltaThousandths,
              delta: deltaThousandths / 1000,
              rankChange: last.rank - row.rank,
            }
          : null,
      };
    }),
  };
}

/** The month of `year` a year-on-year comparison looks at: same month number, other year. */
export const sameMonthOf = (month: string, year: number) => `${year}-${month.slice(5, 7)}`;

/**
 * From which business instant a target event can change a ranking: a report, a verification or a
 * rejection only counts from the end of its period (a correction names a report of the same period),
 * a ruling on the target's value from its `effectiveFrom`. Null: any month (the definition, issue or
 * withdrawal of a target changes every month, as the log now knows it).
 */
export function targetEventAffectsFrom(event: StoredEvent): string | null {
  const e = event as unknown as TargetEvent;
  switch (e.type) {
    case 'ProgressReported':
    case 'NilReturnDeclared':
    case 'ReportVerified':
    case 'ReportRejected':
      return periodEnd(e.data.period);
    case 'TargetAdjusted':
      return e.data.effectiveFrom;
    default:
      return null;
  }
}
