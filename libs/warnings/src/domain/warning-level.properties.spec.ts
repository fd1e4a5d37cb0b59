import fc from 'fast-check';
import {
  type Cadence,
  completionRatio,
  expectedPctForPeriod,
  lastMonthOf,
  periodEnd,
  periodsOf,
  reportDueDate,
  round2,
  shanghaiDate,
} from '@dukao/targets';
import { dateLabel, numberLabel, periodLabel } from './calendar';
import {
  evaluateWarning,
  type RaisedLevel,
  type Warning,
  type WarningInput,
  type WarningReason,
  type WarningRule,
  type WarningThresholds,
  higherLevel,
  levelRank,
  type WarningLevel,
} from './warning-level';

/**
 * `evaluateWarning` against the version it replaced (commit 31d2772, kept below as `reference`):
 * that one built every period's due date, end and message through dates as strings; this one takes
 * the dates from a table per year, cadence and due day, counts days on numbers and writes a message
 * only for a rule that fires. Same output, reasons and their order included, on random inputs.
 */
// FC_RUNS=10000 npx jest libs/warnings/src/domain/warning-level.properties for a longer search.
fc.configureGlobal({ numRuns: Number(process.env.FC_RUNS ?? 300) });

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
function parseDate(date: string): [number, number, number] {
  const match = DATE.exec(date);
  if (!match) throw new Error(`not a date (YYYY-MM-DD): ${date}`);
  return [Number(match[1]), Number(match[2]), Number(match[3])];
}
/** `daysBetween` as it was then. */
function daysBetween(from: string, to: string): number {
  const [y1, m1, d1] = parseDate(from);
  const [y2, m2, d2] = parseDate(to);
  return Math.round((Date.UTC(y2, m2 - 1, d2) - Date.UTC(y1, m1 - 1, d1)) / 86_400_000);
}

const LEVEL_NAMES: Record<RaisedLevel, string> = { bell: '警铃', yellow: '黄牌', red: '红牌' };

function reference(input: WarningInput, thresholds: WarningThresholds, now: string | Date): Warning {
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

// ---------------------------------------------------------------------------------------------
// Random inputs: mostly well-formed targets of 2025–2027 evaluated between 2025 and 2028, and now
// and then a year, due day or date that makes no date (both versions must then throw alike).

const DAY = 86_400_000;
const FROM = Date.UTC(2025, 0, 1);
const instantArb = fc
  .integer({ min: 0, max: 4 * 366 * 24 * 60 })
  .map((minute) => new Date(FROM + minute * 60_000).toISOString());
const decimal = (max: number) => fc.integer({ min: 0, max: max * 100 }).map((x) => x / 100);
const thresholdsArb: fc.Arbitrary<WarningThresholds> = fc.record({
  bellGap: decimal(10),
  yellowGap: decimal(20),
  redGap: decimal(30),
  dueSoonDays: fc.integer({ min: 0, max: 20 }),
  redOverdueDays: fc.integer({ min: 0, max: 40 }),
  milestoneYellowDays: fc.integer({ min: 0, max: 10 }),
});
/** Per-target thresholds, some given as null (as JSON carries an absent one), which do not apply. */
const overridesArb = fc.option(
  fc.record(
    {
      bellGap: fc.option(decimal(15), { nil: undefined }),
      yellowGap: fc.option(decimal(25)),
      redGap: decimal(40),
      dueSoonDays: fc.option(fc.integer({ min: 0, max: 20 })),
      redOverdueDays: fc.integer({ min: 0, max: 40 }),
    },
    { requiredKeys: [] },
  ),
  { nil: null },
) as fc.Arbitrary<WarningInput['overrides']>;

/** A target of a year and an instant from a month before that year to the February after it. */
const caseArb: fc.Arbitrary<{ input: WarningInput; now: string | Date }> = fc
  .record({
    year: fc.oneof(
      { weight: 20, arbitrary: fc.constantFrom(2025, 2026, 2027) },
      { weight: 1, arbitrary: fc.constantFrom(999, 2026.5) },
    ),
    cadence: fc.constantFrom<Cadence>('monthly', 'quarterly'),
    reportDueDay: fc.oneof(
      { weight: 20, arbitrary: fc.integer({ min: 1, max: 31 }) },
      { weight: 1, arbitrary: fc.constantFrom(0, 10.5, 100) },
    ),
  })
  .chain(({ year, cadence, reportDueDay }) => {
    const periods = periodsOf(year, cadence);
    const start = Date.UTC(Math.trunc(year), 0, 1) - 31 * DAY;
    const instant = fc
      .integer({ min: 0, max: 420 * 24 * 60 })
      .map((minute) => new Date(start + minute * 60_000).toISOString());
    const date = fc
      .integer({ min: 0, max: 420 })
      .map((day) => new Date(start + day * DAY).toISOString().slice(0, 10));
    return fc.record({
      input: fc.record({
        kind: fc.constantFrom('quantitative' as const, 'milestones' as const),
        year: fc.constant(year),
        cadence: fc.constant(cadence),
        schedule: fc.oneof(
          fc.constant(
            cadence === 'monthly' ? [8, 16, 25, 33, 41, 50, 58, 66, 75, 83, 91, 100] : [25, 50, 75, 100],
          ),
          fc.array(decimal(100), { maxLength: 12 }),
        ),
        reportDueDay: fc.constant(reportDueDay),
        direction: fc.constantFrom('higherIsBetter' as const, 'lowerIsBetter' as const),
        valueInForce: fc.option(fc.constant(100), { nil: null, freq: 10 }),
        latest: fc.option(
          fc.record({
            period: fc.constantFrom(...periods),
            cumulativeValue: fc.option(decimal(120), { nil: null, freq: 10 }),
          }),
          { nil: null, freq: 5 },
        ),
        reportedPeriods: fc.subarray(periods),
        milestones: fc.array(
          fc.record({
            milestoneId: fc.string({ minLength: 1, maxLength: 4 }),
            title: fc.string({ maxLength: 6 }),
            dueDate: fc.oneof(
              { weight: 30, arbitrary: date },
              { weight: 1, arbitrary: fc.constant('2026-7-1') },
            ),
            completedOn: fc.option(date, { nil: null }),
          }),
          { maxLength: 4 },
        ),
        issuedAt: fc.oneof(fc.constantFrom(undefined, null, new Date(start).toISOString()), instant),
        overrides: overridesArb,
      }),
      now: fc.oneof(
        instant,
        instant.map((at) => new Date(at)),
      ),
    });
  });

function outcome(evaluate: () => Warning): { warning: Warning } | { error: string } {
  try {
    return { warning: evaluate() };
  } catch (error) {
    return { error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
  }
}

describe('evaluateWarning against the version it replaced', () => {
  it('gives the same warning (level, figures, reasons in order, messages) or the same error', () => {
    fc.assert(
      fc.property(caseArb, thresholdsArb, ({ input, now }, thresholds) => {
        expect(outcome(() => evaluateWarning(input, thresholds, now))).toStrictEqual(
          outcome(() => reference(input, thresholds, now)),
        );
      }),
    );
  });

  it('gives the same warning when every date is near the instant (rules firing often)', () => {
    // Targets of the instant's year, due days and milestones around it: most periods and milestones
    // are due soon or overdue, so messages are written for nearly every one.
    fc.assert(
      fc.property(instantArb, thresholdsArb, fc.integer({ min: 1, max: 28 }), (now, thresholds, dueDay) => {
        const year = Number(shanghaiDate(now).slice(0, 4));
        const day = (offset: number) => new Date(Date.parse(now) + offset * DAY).toISOString().slice(0, 10);
        for (const cadence of ['monthly', 'quarterly'] as const) {
          const input: WarningInput = {
            kind: 'quantitative',
            year,
            cadence,
            schedule:
              cadence === 'monthly' ? [8, 16, 25, 33, 41, 50, 58, 66, 75, 83, 91, 100] : [25, 50, 75, 100],
            reportDueDay: dueDay,
            direction: 'higherIsBetter',
            valueInForce: 100,
            latest: null,
            reportedPeriods: [],
            milestones: [-9, -2, 0, 1, 3, 5].map((offset, i) => ({
              milestoneId: `m${i}`,
              title: `节点${i}`,
              dueDate: day(offset),
              completedOn: null,
            })),
            issuedAt: null,
          };
          expect(evaluateWarning(input, thresholds, now)).toStrictEqual(reference(input, thresholds, now));
        }
      }),
    );
  });
});
