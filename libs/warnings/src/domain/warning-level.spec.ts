import { SCHEME, gdpTarget, report, sh } from './testing/worked-example.fixture';
import { evaluateWarning, higherLevel, levelRank, type WarningInput, warningInputOf } from './warning-level';

const T = SCHEME.warnings;

/** Town A's GDP growth target, 8.0 for 2026, quarterly schedule 25/50/75/100, Q1 and Q2 reported. */
function gdp(overrides: Partial<WarningInput> = {}): WarningInput {
  return {
    kind: 'quantitative',
    year: 2026,
    cadence: 'quarterly',
    schedule: [25, 50, 75, 100],
    reportDueDay: 10,
    direction: 'higherIsBetter',
    valueInForce: 8.0,
    latest: { period: '2026-Q2', cumulativeValue: 3.2 },
    reportedPeriods: ['2026-Q1', '2026-Q2'],
    milestones: [],
    issuedAt: sh('2026-01-20 10:00'),
    ...overrides,
  };
}

const MID_JULY = sh('2026-07-15 10:00');
const withQ2 = (cumulativeValue: number) => gdp({ latest: { period: '2026-Q2', cumulativeValue } });

describe('levels', () => {
  it('orders none < bell < yellow < red', () => {
    expect(['red', 'none', 'yellow', 'bell'].map((l) => levelRank(l as never))).toEqual([3, 0, 2, 1]);
    expect(higherLevel('bell', 'yellow')).toBe('yellow');
    expect(higherLevel('red', 'bell')).toBe('red');
  });
});

describe('the gap at the latest reported period', () => {
  it('worked example: 3.2 of 8.0 by Q2 is 40% against 50%, a gap of 10: bell, not yet yellow', () => {
    const warning = evaluateWarning(gdp(), T, MID_JULY);
    expect(warning).toEqual({
      level: 'bell',
      completionPct: 40,
      expectedPct: 50,
      gap: 10,
      reasons: [
        {
          rule: 'gapAboveBell',
          level: 'bell',
          period: '2026-Q2',
          detail: '2026年第二季度累计完成 40%，基准时序进度 50%，落后 10 个百分点，超过警铃阈值 5',
        },
      ],
    });
  });

  it('is none at a gap of exactly the bell threshold, and when ahead of schedule', () => {
    expect(evaluateWarning(withQ2(3.6), T, MID_JULY)).toMatchObject({ level: 'none', gap: 5, reasons: [] });
    expect(evaluateWarning(withQ2(4.8), T, MID_JULY)).toMatchObject({ level: 'none', gap: -10, reasons: [] });
  });

  it('turns yellow just above the yellow threshold', () => {
    const warning = evaluateWarning(withQ2(3.16), T, MID_JULY);
    expect(warning).toMatchObject({ level: 'yellow', completionPct: 39.5, gap: 10.5 });
    expect(warning.reasons.map((r) => r.rule)).toEqual(['gapAboveYellow']);
    expect(warning.reasons[0]!.detail).toContain('超过黄牌阈值 10');
  });

  it('is yellow at a gap of exactly the red threshold and red above it, listing only the strongest gap rule', () => {
    expect(evaluateWarning(withQ2(2.4), T, MID_JULY)).toMatchObject({ level: 'yellow', gap: 20 });
    const red = evaluateWarning(withQ2(2.0), T, MID_JULY);
    expect(red).toMatchObject({ level: 'red', gap: 25 });
    expect(red.reasons).toEqual([expect.objectContaining({ rule: 'gapAboveRed', level: 'red' })]);
    expect(red.reasons[0]!.detail).toContain('超过红牌阈值 20');
  });

  it('compares with the value in force (after a ruling), not the original value', () => {
    expect(evaluateWarning(gdp({ valueInForce: 6.4 }), T, MID_JULY)).toMatchObject({
      level: 'none',
      completionPct: 50,
      gap: 0,
    });
  });

  it('respects the direction: lower is better compares target/actual', () => {
    const energy = gdp({
      direction: 'lowerIsBetter',
      valueInForce: 10,
      latest: { period: '2026-Q2', cumulativeValue: 25 },
    });
    expect(evaluateWarning(energy, T, MID_JULY)).toMatchObject({ level: 'bell', completionPct: 40, gap: 10 });
  });

  it('uses the schedule of the latest reported period, monthly too', () => {
    const monthly = gdp({
      cadence: 'monthly',
      schedule: [5, 10, 20, 30, 40, 50, 60, 70, 80, 90, 95, 100],
      latest: { period: '2026-03', cumulativeValue: 0.8 },
      reportedPeriods: ['2026-01', '2026-02', '2026-03'],
    });
    // 0.8 / 8 = 10% against 20% at March: gap 10.
    expect(evaluateWarning(monthly, T, sh('2026-04-02 10:00'))).toMatchObject({
      level: 'bell',
      expectedPct: 20,
      gap: 10,
    });
  });

  it('has no gap without a report, a value, or for a milestone target', () => {
    const early = sh('2026-02-01 10:00');
    expect(evaluateWarning(gdp({ latest: null, reportedPeriods: [] }), T, early)).toMatchObject({
      level: 'none',
      gap: null,
    });
    expect(evaluateWarning(gdp({ valueInForce: null }), T, MID_JULY)).toMatchObject({
      level: 'none',
      gap: null,
      completionPct: null,
    });
    const milestones = gdp({
      kind: 'milestones',
      valueInForce: null,
      latest: { period: '2026-Q2', cumulativeValue: null },
    });
    expect(evaluateWarning(milestones, T, MID_JULY)).toMatchObject({ level: 'none', gap: null });
  });
});

describe('thresholds come from the arguments', () => {
  it('takes the scheme version passed in', () => {
    expect(evaluateWarning(gdp(), { ...T, bellGap: 15 }, MID_JULY).level).toBe('none');
    expect(evaluateWarning(gdp(), { ...T, yellowGap: 8 }, MID_JULY).level).toBe('yellow');
  });

  it('lets per-target overrides replace the scheme, one threshold at a time', () => {
    expect(evaluateWarning(gdp({ overrides: { bellGap: 12 } }), T, MID_JULY).level).toBe('none');
    const strict = evaluateWarning(gdp({ overrides: { yellowGap: 9.5, redGap: undefined } }), T, MID_JULY);
    expect(strict.level).toBe('yellow');
    expect(strict.reasons[0]!.detail).toContain('超过黄牌阈值 9.5');
    expect(evaluateWarning(gdp({ overrides: null }), T, MID_JULY).level).toBe('bell');
  });

  it('overrides the lateness thresholds too', () => {
    const missingQ2 = gdp({
      latest: { period: '2026-Q1', cumulativeValue: 2 },
      reportedPeriods: ['2026-Q1'],
    });
    expect(
      evaluateWarning({ ...missingQ2, overrides: { redOverdueDays: 2 } }, T, sh('2026-07-13 10:00')).level,
    ).toBe('red');
    expect(
      evaluateWarning({ ...missingQ2, overrides: { dueSoonDays: 5 } }, T, sh('2026-07-05 10:00')).level,
    ).toBe('bell');
  });
});

describe('report lateness', () => {
  // Q1 reported on track (2.0 of 8.0 = 25% against 25%), Q2 (due 10 July) not reported.
  const missingQ2 = gdp({ latest: { period: '2026-Q1', cumulativeValue: 2 }, reportedPeriods: ['2026-Q1'] });

  it('is quiet more than dueSoonDays before the due date', () => {
    expect(evaluateWarning(missingQ2, T, sh('2026-07-06 23:59'))).toMatchObject({
      level: 'none',
      reasons: [],
    });
  });

  it('rings the bell from dueSoonDays before the due date through the due day', () => {
    const soon = evaluateWarning(missingQ2, T, sh('2026-07-07 00:00'));
    expect(soon.level).toBe('bell');
    expect(soon.reasons).toEqual([
      {
        rule: 'reportDueSoon',
        level: 'bell',
        period: '2026-Q2',
        dueDate: '2026-07-10',
        detail: '2026年第二季度进度应于7月10日前报送，还有 3 天',
      },
    ]);
    const today = evaluateWarning(missingQ2, T, '2026-07-10T15:59:59.999Z');
    expect(today.level).toBe('bell');
    expect(today.reasons[0]!.detail).toBe('2026年第二季度进度应于7月10日前报送，今天截止');
  });

  it('is yellow once the due day has ended (Shanghai midnight)', () => {
    const overdue = evaluateWarning(missingQ2, T, '2026-07-10T16:00:00.000Z');
    expect(overdue.level).toBe('yellow');
    expect(overdue.reasons).toEqual([
      {
        rule: 'reportOverdue',
        level: 'yellow',
        period: '2026-Q2',
        dueDate: '2026-07-10',
        detail: '2026年第二季度进度应于7月10日前报送，已逾期 1 天',
      },
    ]);
  });

  it('stays yellow up to redOverdueDays overdue and turns red after', () => {
    expect(evaluateWarning(missingQ2, T, sh('2026-07-17 23:00')).level).toBe('yellow');
    const red = evaluateWarning(missingQ2, T, sh('2026-07-18 00:00'));
    expect(red.level).toBe('red');
    expect(red.reasons).toEqual([
      {
        rule: 'reportOverdueLong',
        level: 'red',
        period: '2026-Q2',
        dueDate: '2026-07-10',
        detail: '2026年第二季度进度应于7月10日前报送，已逾期 8 天，超过 7 天',
      },
    ]);
  });

  it('counts a period with only a rejected or replaced report as unreported (the caller leaves it out)', () => {
    const input = warningInputOf(
      gdpTarget({
        reports: [
          report({
            reportId: 'R1',
            period: '2026-Q1',
            cumulativeValue: 2,
            status: 'replaced',
            replacedBy: 'R1b',
          }),
          report({
            reportId: 'R1b',
            period: '2026-Q1',
            cumulativeValue: 2,
            status: 'verified',
            replaces: 'R1',
          }),
          report({ reportId: 'R2', period: '2026-Q2', cumulativeValue: 3.2, status: 'rejected' }),
        ],
        latest: { period: '2026-Q1', reportId: 'R1b', cumulativeValue: 2, status: 'verified' },
      }),
      new Date(sh('2026-07-12 10:00')),
    );
    expect(input.reportedPeriods).toEqual(['2026-Q1']);
    expect(evaluateWarning(input, T, sh('2026-07-12 10:00')).reasons.map((r) => [r.rule, r.period])).toEqual([
      ['reportOverdue', '2026-Q2'],
    ]);
  });

  it('does not owe a period that ended before a dynamic target was issued', () => {
    const dynamic = gdp({ latest: null, reportedPeriods: [], issuedAt: sh('2026-07-05 10:00') });
    expect(evaluateWarning(dynamic, T, sh('2026-07-20 10:00'))).toMatchObject({ level: 'none', reasons: [] });
    expect(evaluateWarning(dynamic, T, sh('2026-10-11 10:00')).reasons.map((r) => r.period)).toEqual([
      '2026-Q3',
    ]);
  });

  it('names the year of a due date in the next year (Q4 is due in January)', () => {
    const all = gdp({
      latest: { period: '2026-Q3', cumulativeValue: 6 },
      reportedPeriods: ['2026-Q1', '2026-Q2', '2026-Q3'],
    });
    const warning = evaluateWarning(all, T, sh('2027-01-08 10:00'));
    expect(warning.reasons[0]!.detail).toBe('2026年第四季度进度应于2027年1月10日前报送，还有 2 天');
  });
});

describe('milestones', () => {
  const milestone = (dueDate: string, completedOn: string | null = null) => ({
    milestoneId: 'M1',
    title: '完成征地',
    dueDate,
    completedOn,
  });

  it('is red when a milestone is not done after its due day', () => {
    const warning = evaluateWarning(
      gdp({ milestones: [milestone('2026-06-30')] }),
      T,
      sh('2026-07-01 00:00'),
    );
    expect(warning.level).toBe('red');
    expect(warning.reasons[0]).toEqual({
      rule: 'milestoneOverdue',
      level: 'red',
      milestoneId: 'M1',
      dueDate: '2026-06-30',
      detail: '节点“完成征地”应于6月30日前完成，已逾期 1 天',
    });
  });

  it('rings the bell when a milestone is due within dueSoonDays', () => {
    const warning = evaluateWarning(gdp({ milestones: [milestone('2026-07-17')] }), T, MID_JULY);
    expect(warning.level).toBe('bell');
    expect(warning.reasons.map((r) => [r.rule, r.detail])).toEqual([
      ['gapAboveBell', expect.any(String)],
      ['milestoneDueSoon', '节点“完成征地”应于7月17日前完成，还有 2 天'],
    ]);
  });

  it('ignores a done milestone, even one done late', () => {
    expect(
      evaluateWarning(gdp({ milestones: [milestone('2026-06-30', '2026-07-03')] }), T, MID_JULY).reasons.map(
        (r) => r.rule,
      ),
    ).toEqual(['gapAboveBell']);
  });
});

describe('several rules at once', () => {
  it('takes the highest level and lists every rule that fired, strongest first', () => {
    const input = gdp({
      latest: { period: '2026-Q1', cumulativeValue: 1.16 }, // 14.5% against 25%: gap 10.5, yellow
      reportedPeriods: ['2026-Q1'],
      milestones: [
        { milestoneId: 'M1', title: '完成征地', dueDate: '2026-07-01', completedOn: null },
        { milestoneId: 'M2', title: '开工建设', dueDate: '2026-07-09', completedOn: null },
      ],
    });
    const warning = evaluateWarning(input, T, sh('2026-07-08 10:00'));
    expect(warning.level).toBe('red');
    expect(warning.reasons.map((r) => [r.rule, r.level])).toEqual([
      ['milestoneOverdue', 'red'],
      ['gapAboveYellow', 'yellow'],
      ['reportDueSoon', 'bell'],
      ['milestoneDueSoon', 'bell'],
    ]);
  });

  it('is a pure function of its arguments', () => {
    const input = gdp();
    const frozen = JSON.stringify(input);
    expect(evaluateWarning(input, T, MID_JULY)).toEqual(evaluateWarning(input, T, new Date(MID_JULY)));
    expect(JSON.stringify(input)).toBe(frozen);
  });
});

describe('warningInputOf', () => {
  it('reads the worked example from the targets view', () => {
    const now = new Date(MID_JULY);
    const input = warningInputOf(gdpTarget(), now, { bellGap: 6 });
    expect(input).toMatchObject({
      kind: 'quantitative',
      year: 2026,
      cadence: 'quarterly',
      reportDueDay: 10,
      valueInForce: 8,
      latest: { period: '2026-Q2', cumulativeValue: 3.2 },
      reportedPeriods: ['2026-Q1', '2026-Q2'],
      overrides: { bellGap: 6 },
    });
    expect(evaluateWarning(warningInputOf(gdpTarget(), now), T, now)).toMatchObject({
      level: 'bell',
      gap: 10,
    });
  });

  it('takes the value in force at the instant, and nil returns as reported', () => {
    const target = gdpTarget({
      valueHistory: [
        { value: 8, effectiveFrom: null, rulingRef: null },
        { value: 6.4, effectiveFrom: sh('2026-07-20 00:00'), rulingRef: 'RUL-1' },
      ],
      reports: [
        report({ reportId: 'R1', period: '2026-Q1', kind: 'nil', status: 'verified' }),
        report({ reportId: 'R2', period: '2026-Q2', cumulativeValue: 3.2, status: 'pending' }),
      ],
    });
    expect(warningInputOf(target, new Date(MID_JULY)).valueInForce).toBe(8);
    expect(warningInputOf(target, new Date(sh('2026-07-21 10:00'))).valueInForce).toBe(6.4);
    expect(warningInputOf(target, new Date(MID_JULY)).reportedPeriods).toEqual(['2026-Q1', '2026-Q2']);
  });
});
