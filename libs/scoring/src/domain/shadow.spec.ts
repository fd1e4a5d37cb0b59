import { DEFAULT_SCHEME } from '@dukao/targets';
import { scoreCategory } from './scoring.engine';
import { draftSchemeVersion, shadowRanking } from './shadow';
import { definition, END_Q2, input, leaf, Log, SCHEME_V1, tree } from './testing/scoring.fixture';

/**
 * Towns A and B, 百分制: `gdp` (progress, 10 points) and `gdpDone` (completion, 90 points), one
 * target of 8.0 each (schedule 25/50/75/100 by quarter), scored at the end of Q2 (schedule 50).
 * A reports 3.2 on both; B reports 3.0 on gdp and 3.3 on gdpDone.
 */
const fixture = () =>
  input({
    unitIds: ['A', 'B'],
    trees: [tree([leaf('gdp', 10, 'progress'), leaf('gdpDone', 90, 'completion')])],
    at: END_Q2,
    targetEvents: new Log()
      .issue('a1', definition({ unitId: 'A', indicatorId: 'gdp' }))
      .issue('a2', definition({ unitId: 'A', indicatorId: 'gdpDone' }))
      .issue('b1', definition({ unitId: 'B', indicatorId: 'gdp' }))
      .issue('b2', definition({ unitId: 'B', indicatorId: 'gdpDone' }))
      .report('a1', 'ra1', '2026-Q2', 3.2)
      .report('a2', 'ra2', '2026-Q2', 3.2)
      .report('b1', 'rb1', '2026-Q2', 3.0)
      .report('b2', 'rb2', '2026-Q2', 3.3).events,
  });

const draft = (over: Partial<typeof DEFAULT_SCHEME.scoring>) => ({ ...DEFAULT_SCHEME.scoring, ...over });

describe('shadow ranking', () => {
  it('ranks under the scheme in force and under a draft progressZeroAt 0.7, hand-computed', () => {
    const result = shadowRanking(fixture(), draft({ progressZeroAt: 0.7 }));
    // Current (zeroAt 0.5, fullAt 1):
    //   A: gdp r = 3.2/8 = 0.4, p = 100·0.4/50 = 0.8, factor (0.8−0.5)/0.5 = 0.6 → 10 × 0.6 = 6.000;
    //      gdpDone 90 × 0.4 = 36.000; total 42.000 → 42.
    //   B: gdp r = 3.0/8 = 0.375, p = 0.75, factor 0.5 → 5.000; gdpDone 90 × 3.3/8 = 37.125;
    //      total 42.125 → 42.13 (half-up). B first, A second.
    // Draft (zeroAt 0.7):
    //   A: gdp factor (0.8−0.7)/0.3 = 1/3 → 10/3 = 3.333; total 39.333 → 39.33.
    //   B: gdp factor (0.75−0.7)/0.3 = 1/6 → 10/6 = 1.667; total 38.792 → 38.79. A first, B second.
    expect(result.units).toEqual([
      {
        unitId: 'A',
        current: { total: 42, totalThousandths: 42_000, rank: 2, grade: 'admonished', flagged: true },
        shadow: { total: 39.33, totalThousandths: 39_333, rank: 1, grade: 'admonished', flagged: true },
        totalDeltaThousandths: -2_667,
        rankDelta: -1,
        gradeChanged: false,
        indicatorsChanged: [{ indicatorId: 'gdp', current: 6, shadow: 3.333 }],
      },
      {
        unitId: 'B',
        current: { total: 42.13, totalThousandths: 42_125, rank: 1, grade: 'admonished', flagged: true },
        shadow: { total: 38.79, totalThousandths: 38_792, rank: 2, grade: 'admonished', flagged: true },
        totalDeltaThousandths: -3_333,
        rankDelta: 1,
        gradeChanged: false,
        indicatorsChanged: [{ indicatorId: 'gdp', current: 5, shadow: 1.667 }],
      },
    ]);
    expect(result.schemeVersion).toEqual({ current: 1, shadow: 'draft' });
    expect(result.parametersChanged).toEqual([{ parameter: 'progressZeroAt', current: 0.5, draft: 0.7 }]);
    // Only what differs: the scheme in force and the rank order (the excellent quota is the same).
    expect(result.categoryTrace).toEqual([
      {
        rule: 'schemeInForce',
        current: { version: 1, effectiveFrom: SCHEME_V1.effectiveFrom },
        shadow: { version: 'draft', effectiveFrom: END_Q2 },
      },
      { rule: 'rank', current: ['B', 'A'], shadow: ['A', 'B'] },
    ]);
  });

  it('shows grade changes: a draft pass threshold of 40% passes both towns', () => {
    const result = shadowRanking(
      fixture(),
      draft({ grades: { ...DEFAULT_SCHEME.scoring.grades, passMinShareOfMax: 0.4 } }),
    );
    expect(
      result.units.map((u) => [
        u.unitId,
        u.current.grade,
        u.shadow.grade,
        u.gradeChanged,
        u.totalDeltaThousandths,
      ]),
    ).toEqual([
      ['B', 'admonished', 'pass', true, 0],
      ['A', 'admonished', 'pass', true, 0],
    ]);
    expect(result.parametersChanged).toEqual([
      { parameter: 'grades.passMinShareOfMax', current: 0.6, draft: 0.4 },
    ]);
    expect(result.categoryTrace.map((s) => s.rule)).toEqual(['schemeInForce']);
  });

  it('a draft equal to the scheme in force changes no number', () => {
    const result = shadowRanking(fixture(), DEFAULT_SCHEME.scoring);
    expect(result.parametersChanged).toEqual([]);
    expect(result.units.every((u) => u.totalDeltaThousandths === 0 && u.rankDelta === 0)).toBe(true);
  });

  it('the draft wins over a real version effective at the same instant and is known at any asOf', () => {
    const later = { ...SCHEME_V1, version: 2, effectiveFrom: END_Q2, recordedAt: '2026-07-01T00:00:00.000Z' };
    const given = { ...fixture(), schemes: [SCHEME_V1, later], asOf: '2026-01-01T00:00:00.000Z' };
    const version = draftSchemeVersion(given, DEFAULT_SCHEME.scoring);
    expect(version).toMatchObject({
      version: 3,
      effectiveFrom: END_Q2,
      recordedAt: '1970-01-01T00:00:00.000Z',
    });
    expect(scoreCategory({ ...given, schemes: [...given.schemes, version] }).schemeVersion).toBe(3);
  });

  it('leaves the input as it was (nothing appended, no scheme added to it)', () => {
    const given = fixture();
    const schemes = [...given.schemes];
    shadowRanking(given, draft({ progressZeroAt: 0.7 }));
    expect(given.schemes).toEqual(schemes);
  });
});
