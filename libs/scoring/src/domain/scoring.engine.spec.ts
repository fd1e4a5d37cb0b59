import { DEFAULT_SCHEME } from '@dukao/targets';
import { Dec, thousandthsToHundredths } from './decimal';
import { scoreCategory, scoreUnit, type UnitScore } from './scoring.engine';
import {
  definition,
  END_Q2,
  END_YEAR,
  input,
  leaf,
  Log,
  record,
  satisfaction,
  SCHEME_V1,
  tree,
} from './testing/scoring.fixture';

const indicator = (u: UnitScore, id: string) => u.indicators.find((i) => i.indicatorId === id)!.score;
const unit = (units: UnitScore[], id: string) => units.find((u) => u.unitId === id)!;

describe('decimal arithmetic', () => {
  it('reads decimals exactly: 0.1 + 0.2 is 0.3', () => {
    expect(Dec.of(0.1).add(Dec.of(0.2)).cmp(Dec.of(0.3))).toBe(0);
    expect(Dec.of(1e-7).toJSON()).toBe(1e-7);
    expect(Dec.of(3.2).div(Dec.of(8)).toJSON()).toBe(0.4);
  });
  it('rounds thousandths half away from zero, once', () => {
    expect(Dec.of(0.0005).toThousandths()).toBe(1);
    expect(Dec.of(0.00049).toThousandths()).toBe(0);
    expect(Dec.of(-0.0005).toThousandths()).toBe(-1);
    expect(Dec.ratio(10n, 3n).toThousandths()).toBe(3333);
    expect(Dec.ratio(20n, 3n).toThousandths()).toBe(6667);
    // 1.0005 is 1.000499999… as a binary double; read as a decimal it is exactly half.
    expect(Dec.of(1.0005).toThousandths()).toBe(1001);
  });
  it('rounds totals to hundredths half-up', () => {
    expect(thousandthsToHundredths(85125)).toBe(8513);
    expect(thousandthsToHundredths(85124)).toBe(8512);
    expect(thousandthsToHundredths(-1005)).toBe(-101);
  });
  it('floors exactly', () => {
    expect(Dec.of(2.9).floor()).toBe(2n);
    expect(Dec.of(-0.5).floor()).toBe(-1n);
    expect(Dec.int(3).floor()).toBe(3n);
  });
});

describe('completion and progress', () => {
  const tr = tree([leaf('gdp', 10, 'progress'), leaf('gdpDone', 90, 'completion')]);
  const log = () =>
    new Log()
      .issue('t1', definition({ unitId: 'A', indicatorId: 'gdp' }))
      .issue('t2', definition({ unitId: 'A', indicatorId: 'gdpDone' }))
      .report('t1', 'r1', '2026-Q2', 3.2)
      .report('t2', 'r2', '2026-Q2', 3.2);

  it('worked example: 3.2 of 8.0 by June against a 50% schedule gives p = 0.8 and points × 0.6', () => {
    const u = scoreUnit(input({ unitIds: ['A'], trees: [tr], targetEvents: log().events, at: END_Q2 }), 'A')!;
    expect(indicator(u, 'gdp')).toBe(6);
    const progress = u.trace.find((s) => s.rule === 'progress')!;
    expect(progress.inputs).toMatchObject({ period: '2026-Q2', expectedPct: 50, completionPct: 40, p: 0.8 });
    expect(progress.output).toBe(0.6);
    expect(progress.schemeVersion).toBe(1);
    // Completion: 90 × 0.4.
    expect(indicator(u, 'gdpDone')).toBe(36);
  });

  it('draws on the report event and the definition (ids and positions) in the trace', () => {
    const events = log().events;
    const u = scoreUnit(input({ unitIds: ['A'], trees: [tr], targetEvents: events, at: END_Q2 }), 'A')!;
    const ratio = u.trace.find((s) => s.rule === 'ratio' && s.targetId === 't1')!;
    expect(ratio.events).toEqual([
      { eventId: 'e1', position: 1, type: 'TargetProposed' },
      { eventId: 'e5', position: 5, type: 'ProgressReported' },
    ]);
  });

  it('progress: full at p ≥ 1, zero at p ≤ 0.5', () => {
    const full = log().report('t1', 'r3', '2026-Q3', 6.5).events; // 81.25% vs 75%
    expect(
      indicator(
        scoreUnit(
          input({ unitIds: ['A'], trees: [tr], targetEvents: full, at: '2026-09-30T16:00:00.000Z' }),
          'A',
        )!,
        'gdp',
      ),
    ).toBe(10);
    const zero = new Log()
      .issue('t1', definition({ unitId: 'A', indicatorId: 'gdp' }))
      .report('t1', 'r1', '2026-Q2', 2).events; // 25% vs 50%
    expect(
      indicator(
        scoreUnit(input({ unitIds: ['A'], trees: [tr], targetEvents: zero, at: END_Q2 }), 'A')!,
        'gdp',
      ),
    ).toBe(0);
  });

  it('progress compares the latest report with the schedule of the latest ended period (a missing report lags)', () => {
    // Scored at end of Q3 with only the Q2 report: 40% vs 75% → p = 0.5333… → factor 0.0666… → 0.667.
    const u = scoreUnit(
      input({ unitIds: ['A'], trees: [tr], targetEvents: log().events, at: '2026-09-30T16:00:00.000Z' }),
      'A',
    )!;
    expect(indicator(u, 'gdp')).toBe(0.667);
  });

  it('caps completion at 1.2, in both directions; lower-is-better with an actual of 0 earns the cap', () => {
    const t = tree([
      leaf('up', 50, 'completion'),
      leaf('down', 30, 'completion'),
      leaf('zero', 20, 'completion'),
    ]);
    const events = new Log()
      .issue('up', definition({ unitId: 'A', indicatorId: 'up', annualValue: 8 }))
      .issue(
        'down',
        definition({ unitId: 'A', indicatorId: 'down', annualValue: 5, direction: 'lowerIsBetter' }),
      )
      .issue(
        'zero',
        definition({ unitId: 'A', indicatorId: 'zero', annualValue: 5, direction: 'lowerIsBetter' }),
      )
      .report('up', 'a', '2026-Q4', 10) // 1.25 → 1.2
      .report('down', 'b', '2026-Q4', 4.5) // 5/4.5 = 1.111…
      .report('zero', 'c', '2026-Q4', 0).events;
    const u = scoreUnit(input({ unitIds: ['A'], trees: [t], targetEvents: events }), 'A')!;
    expect(indicator(u, 'up')).toBe(60);
    expect(indicator(u, 'down')).toBe(33.333);
    expect(indicator(u, 'zero')).toBe(24);
  });

  it('no report yet scores 0; an indicator without a target scores 0 and says so', () => {
    const events = new Log().issue('t1', definition({ unitId: 'A', indicatorId: 'gdp' })).events;
    const u = scoreUnit(input({ unitIds: ['A'], trees: [tr], targetEvents: events }), 'A')!;
    expect(indicator(u, 'gdp')).toBe(0);
    expect(indicator(u, 'gdpDone')).toBe(0);
    expect(u.trace.some((s) => s.rule === 'noTarget' && s.indicatorId === 'gdpDone')).toBe(true);
  });

  it('counts the correction, not the replaced or rejected report, and the value in force after a ruling', () => {
    const events = new Log()
      .issue('t2', definition({ unitId: 'A', indicatorId: 'gdpDone' }))
      .report('t2', 'r1', '2026-Q4', 9)
      .report('t2', 'r2', '2026-Q4', 6, { replaces: 'r1' })
      .report('t2', 'r3', '2026-Q3', 7)
      .reject('t2', 'r3', '2026-Q3')
      .adjust('t2', 7.5, '2026-10-01T00:00:00.000Z').events;
    const u = scoreUnit(input({ unitIds: ['A'], trees: [tr], targetEvents: events }), 'A')!;
    expect(indicator(u, 'gdpDone')).toBe(72); // 90 × 6/7.5
  });

  it('ignores withdrawn and unissued targets, and targets of other cycles', () => {
    const log2 = new Log();
    log2.add({
      type: 'TargetProposed',
      data: {
        targetId: 'p',
        definition: definition({ unitId: 'A', indicatorId: 'gdpDone' }),
        reviewStages: [],
        proposedAt: 'x',
      },
    });
    log2
      .issue('w', definition({ unitId: 'A', indicatorId: 'gdpDone' }))
      .report('w', 'r', '2026-Q4', 8)
      .withdraw('w');
    log2
      .issue('o', definition({ unitId: 'A', indicatorId: 'gdpDone', cycleId: 'c2025' }))
      .report('o', 'r9', '2026-Q4', 8);
    const u = scoreUnit(input({ unitIds: ['A'], trees: [tr], targetEvents: log2.events }), 'A')!;
    expect(indicator(u, 'gdpDone')).toBe(0);
    expect(u.trace.filter((s) => s.rule === 'targetExcluded').map((s) => s.targetId)).toEqual(['p', 'w']);
  });
});

describe('contribution (needs the whole category)', () => {
  const t = tree([leaf('rev', 20, 'contribution'), leaf('rest', 80, 'completion')]);
  it('min-max normalises total, increment and growth, weighted 0.4/0.3/0.3', () => {
    const events = new Log()
      .issue('a', definition({ unitId: 'A', indicatorId: 'rev', baseline: 100 }))
      .issue('b', definition({ unitId: 'B', indicatorId: 'rev', baseline: 50 }))
      .issue('c', definition({ unitId: 'C', indicatorId: 'rev', baseline: 200 }))
      .report('a', 'ra', '2026-Q4', 120)
      .report('b', 'rb', '2026-Q4', 60)
      .report('c', 'rc', '2026-Q4', 210).events;
    const { units, trace } = scoreCategory(
      input({ unitIds: ['A', 'B', 'C'], trees: [t], targetEvents: events }),
    );
    // A: total (120−60)/150 = 0.4, increment 1, growth 1 → 0.16 + 0.3 + 0.3 = 0.76 → 15.2
    // B: 0, 0, 1 → 0.3 → 6;  C: 1, 0, 0 → 0.4 → 8
    expect(indicator(unit(units, 'A'), 'rev')).toBe(15.2);
    expect(indicator(unit(units, 'B'), 'rev')).toBe(6);
    expect(indicator(unit(units, 'C'), 'rev')).toBe(8);
    expect(trace.find((s) => s.rule === 'contributionNormalise')!.output).toEqual({
      total: { min: 60, max: 210 },
      increment: { min: 10, max: 20 },
      growth: { min: 0.05, max: 0.2 },
    });
  });
  it('gives 1 on a measure where all units are equal; a unit without a report gets 0', () => {
    const events = new Log()
      .issue('a', definition({ unitId: 'A', indicatorId: 'rev', baseline: 100 }))
      .issue('b', definition({ unitId: 'B', indicatorId: 'rev', baseline: 100 }))
      .issue('c', definition({ unitId: 'C', indicatorId: 'rev', baseline: 100 }))
      .report('a', 'ra', '2026-Q4', 110)
      .report('b', 'rb', '2026-Q4', 110).events;
    const { units } = scoreCategory(input({ unitIds: ['A', 'B', 'C'], trees: [t], targetEvents: events }));
    expect(indicator(unit(units, 'A'), 'rev')).toBe(20);
    expect(indicator(unit(units, 'B'), 'rev')).toBe(20);
    expect(indicator(unit(units, 'C'), 'rev')).toBe(0);
  });
});

describe('milestone targets and satisfaction', () => {
  it('scores the share of milestones done by their due date, a late one at half', () => {
    const t = tree([leaf('proj', 8, 'milestones'), leaf('rest', 92, 'completion')]);
    const ms = ['m1', 'm2', 'm3', 'm4'].map((id, i) => ({
      milestoneId: id,
      title: id,
      dueDate: `2026-0${i + 3}-15`,
      evidenceRequired: false,
    }));
    const events = new Log()
      .issue(
        'p',
        definition({
          unitId: 'A',
          indicatorId: 'proj',
          kind: 'milestones',
          annualValue: null,
          milestones: ms,
        }),
      )
      .report('p', 'r1', '2026-Q1', null, { milestones: [{ milestoneId: 'm1', completedOn: '2026-03-10' }] })
      .report('p', 'r2', '2026-Q2', null, {
        milestones: [
          { milestoneId: 'm2', completedOn: '2026-04-15' },
          { milestoneId: 'm3', completedOn: '2026-06-20' },
        ],
      }).events;
    const u = scoreUnit(input({ unitIds: ['A'], trees: [t], targetEvents: events }), 'A')!;
    expect(indicator(u, 'proj')).toBe(5); // 8 × (1 + 1 + 0.5 + 0) / 4
  });
  it('scores satisfaction as mean rating × points / 100, the latest result counting', () => {
    const t = tree([leaf('sat', 10, 'satisfaction'), leaf('rest', 90, 'completion')]);
    const u = scoreUnit(
      input({
        unitIds: ['A'],
        trees: [t],
        satisfaction: [
          satisfaction('A', 'sat', 60, '2026-03-01T00:00:00.000Z'),
          satisfaction('A', 'sat', 87.5, '2026-05-01T00:00:00.000Z'),
        ],
      }),
      'A',
    )!;
    expect(indicator(u, 'sat')).toBe(8.75);
    expect(u.trace.find((s) => s.rule === 'satisfaction')!.events[0]!.type).toBe(
      'EvaluationResultsPublished',
    );
  });
});

describe('level-1 totals, adjustments and deductions', () => {
  const t = tree([
    leaf('econ', 60, null),
    leaf('gdp', 40, 'completion', 'econ'),
    leaf('inv', 20, 'completion', 'econ'),
    leaf('sat', 40, 'satisfaction'),
  ]);
  const events = new Log()
    .issue('g', definition({ unitId: 'A', indicatorId: 'gdp' }))
    .issue('i', definition({ unitId: 'A', indicatorId: 'inv' }))
    .report('g', 'r1', '2026-Q4', 8)
    .report('i', 'r2', '2026-Q4', 4).events;
  it('sums level-2 scores into level-1 totals', () => {
    const u = scoreUnit(input({ unitIds: ['A'], trees: [t], targetEvents: events }), 'A')!;
    expect(indicator(u, 'econ')).toBe(50);
    expect(u.indicatorSumThousandths).toBe(50_000);
  });
  it('caps bonuses at +3 per cycle; penalties, accountability and false reports are uncapped', () => {
    const records = [
      record('A', { kind: 'bonus', amount: 2 }),
      record('A', { kind: 'bonus', amount: 2 }),
      record('A', { kind: 'penalty', amount: 1.5 }),
      record('A', { kind: 'accountability', action: 'interview' }),
      record('A', { kind: 'accountability', action: 'publicNotice' }),
      record('A', { kind: 'accountability', action: 'caution' }),
      record('A', { kind: 'falseReport' }),
      record('B', { kind: 'bonus', amount: 3 }),
    ];
    const u = scoreUnit(input({ unitIds: ['A'], trees: [t], targetEvents: events, records }), 'A')!;
    expect(u.bonusUncappedThousandths).toBe(4000);
    expect(u.bonusThousandths).toBe(3000);
    expect(u.total).toBe(50 + 3 - 1.5 - 0.5 - 1 - 0 - 5);
    const cap = u.trace.find((s) => s.rule === 'bonusCap')!;
    expect(cap.output).toBe(3);
    expect(cap.events.map((e) => e.eventId)).toEqual([records[0]!.eventId, records[1]!.eventId]);
  });
  it('counts records by occurredAt (not after `at`) and recordedAt (not after asOf)', () => {
    const records = [
      record('A', { kind: 'bonus', amount: 1, occurredAt: '2026-08-01T00:00:00.000Z' }),
      record('A', { kind: 'penalty', amount: 1, recordedAt: '2026-08-01T00:00:00.000Z' }),
    ];
    const u = scoreUnit(
      input({
        unitIds: ['A'],
        trees: [t],
        targetEvents: events,
        records,
        at: END_Q2,
        asOf: '2026-07-15T00:00:00.000Z',
      }),
      'A',
    )!;
    expect(u.bonusThousandths).toBe(0);
    expect(u.penaltyThousandths).toBe(0);
  });
});

describe('rounding', () => {
  it('rounds each indicator score once to thousandths and the total half-up to hundredths', () => {
    const t = tree([leaf('a', 10, 'completion'), leaf('b', 90, 'completion')]);
    const events = new Log()
      .issue('a', definition({ unitId: 'A', indicatorId: 'a', annualValue: 3 }))
      .issue('b', definition({ unitId: 'A', indicatorId: 'b', annualValue: 1000 }))
      .report('a', 'r1', '2026-Q4', 1) // 10/3 = 3.3333… → 3.333
      .report('b', 'r2', '2026-Q4', 836.58).events; // 90 × 0.83658 = 75.2922 → 75.292
    const u = scoreUnit(input({ unitIds: ['A'], trees: [t], targetEvents: events }), 'A')!;
    expect(u.totalThousandths).toBe(78_625);
    expect(u.total).toBe(78.63); // 78.625 → 78.63 (half-up), not the binary-float 78.62
  });
});

describe('rank and grade', () => {
  const t = tree([leaf('work', 100, 'completion')]);
  const scores: Array<[string, number]> = [
    ['U01', 98],
    ['U02', 95],
    ['U03', 93],
    ['U04', 91],
    ['U05', 85],
    ['U06', 82],
    ['U07', 75],
    ['U08', 65],
    ['U09', 55],
    ['U10', 40],
  ];
  const log = new Log();
  for (const [u, s] of scores)
    log
      .issue(u, definition({ unitId: u, indicatorId: 'work', annualValue: 100 }))
      .report(u, `r${u}`, '2026-Q4', s);
  const run = (records = [] as ReturnType<typeof record>[]) =>
    scoreCategory(input({ unitIds: scores.map(([u]) => u), trees: [t], targetEvents: log.events, records }))
      .units;

  it('gives excellent to the top 30% (rounded down) with ≥ 90%, then good ≥ 80%, pass ≥ 60%, else admonished; flags the bottom three', () => {
    const units = run();
    expect(units.map((u) => [u.unitId, u.rank, u.grade, u.flagged])).toEqual([
      ['U01', 1, 'excellent', false],
      ['U02', 2, 'excellent', false],
      ['U03', 3, 'excellent', false],
      ['U04', 4, 'good', false],
      ['U05', 5, 'good', false],
      ['U06', 6, 'good', false],
      ['U07', 7, 'pass', false],
      ['U08', 8, 'pass', true],
      ['U09', 9, 'admonished', true],
      ['U10', 10, 'admonished', true],
    ]);
  });

  it('an admonition bars excellent (the place passes down), accountability caps at pass, a veto makes admonished', () => {
    const units = run([
      record('U01', { kind: 'accountability', action: 'admonition' }), // 96, good
      record('U05', { kind: 'accountability', action: 'accountability' }), // 82, capped at pass
      record('U07', { kind: 'veto' }),
    ]);
    const g = Object.fromEntries(units.map((u) => [u.unitId, u.grade]));
    expect(g).toMatchObject({
      U01: 'good',
      U02: 'excellent',
      U03: 'excellent',
      U04: 'excellent',
      U05: 'pass',
      U07: 'admonished',
    });
    const u5 = unit(units, 'U05');
    expect(u5.gradeBeforeOverrides).toBe('good');
    expect(u5.trace.find((s) => s.rule === 'gradeOverride')).toMatchObject({
      inputs: { cause: 'accountability', from: 'good' },
      output: 'pass',
    });
  });

  it('gives at least one excellent place in a small category, still only at ≥ 90%', () => {
    const two = scoreCategory(input({ unitIds: ['U01', 'U02'], trees: [t], targetEvents: log.events })).units;
    expect(two.map((u) => u.grade)).toEqual(['excellent', 'good']);
  });

  it('breaks ties on the published total by the indicator sum, then the unit id', () => {
    const tie = new Log();
    for (const u of ['X', 'Y', 'Z'])
      tie.issue(u, definition({ unitId: u, indicatorId: 'work', annualValue: 100 }));
    tie.report('X', 'rx', '2026-Q4', 80).report('Y', 'ry', '2026-Q4', 79).report('Z', 'rz', '2026-Q4', 80);
    const units = scoreCategory(
      input({
        unitIds: ['Z', 'Y', 'X'],
        trees: [t],
        targetEvents: tie.events,
        records: [record('Y', { kind: 'bonus', amount: 1 })],
      }),
    ).units;
    expect(units.map((u) => [u.unitId, u.total])).toEqual([
      ['X', 80],
      ['Z', 80],
      ['Y', 80],
    ]);
  });
});

describe('scheme versions and asOf', () => {
  const t = tree([leaf('work', 100, 'completion')]);
  const v2 = {
    ...SCHEME_V1,
    version: 2,
    effectiveFrom: '2026-07-01T00:00:00.000Z',
    recordedAt: '2026-06-20T00:00:00.000Z',
    scoring: { ...DEFAULT_SCHEME.scoring, completionCap: 1.1 },
  };
  const events = new Log()
    .issue('w', definition({ unitId: 'A', indicatorId: 'work', annualValue: 8 }))
    .report('w', 'r', '2026-Q2', 10).events;

  it('uses the version in force at `at`, as known at asOf', () => {
    const base = { unitIds: ['A'], trees: [t], targetEvents: events, schemes: [SCHEME_V1, v2] };
    expect(scoreCategory(input({ ...base, at: END_Q2 })).units[0]!.total).toBe(120);
    expect(scoreCategory(input({ ...base, at: END_YEAR })).units[0]!.total).toBe(110);
    const before = scoreCategory(input({ ...base, at: END_YEAR, asOf: '2026-06-10T00:00:00.000Z' }));
    expect(before.schemeVersion).toBe(1);
    expect(before.units[0]!.trace.every((s) => s.schemeVersion === 1)).toBe(true);
  });

  it('refuses to score without a scheme or tree in force', () => {
    expect(() => scoreCategory(input({ unitIds: ['A'], trees: [t], schemes: [v2], at: END_Q2 }))).toThrow(
      '评分方案',
    );
    expect(() => scoreCategory(input({ unitIds: ['A'], trees: [], at: END_Q2 }))).toThrow('指标体系');
  });

  it('ignores reports recorded after asOf and reports for periods after `at`', () => {
    const log = new Log()
      .issue('w', definition({ unitId: 'A', indicatorId: 'work', annualValue: 8 }))
      .report('w', 'r2', '2026-Q2', 4);
    log
      .at('2026-10-05T00:00:00.000Z')
      .report('w', 'r3', '2026-Q3', 6)
      .report('w', 'r2b', '2026-Q2', 5, { replaces: 'r2' });
    const score = (at: string, asOf?: string) =>
      scoreCategory(input({ unitIds: ['A'], trees: [t], targetEvents: log.events, at, asOf })).units[0]!
        .total;
    expect(score(END_Q2, '2026-09-01T00:00:00.000Z')).toBe(50);
    expect(score(END_Q2)).toBe(62.5); // the correction counts once known; the Q3 report does not (after `at`)
    expect(score(END_YEAR)).toBe(75);
  });
});
