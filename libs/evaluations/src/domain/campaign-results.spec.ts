import { type SheetScore, computeResults, reciprocalSignals, trimmedMean } from './campaign-results';
import type { SurveyRow } from './campaign.events';
import { definition } from './fixtures.spec-helpers';

const dept = (rater: string, unitId: string, overall: number): SheetScore => ({
  group: 'departments',
  rater,
  unitId,
  overall,
});
const leader = (unitId: string, overall: number): SheetScore => ({
  group: 'leaders',
  rater: 'leader-1',
  unitId,
  overall,
});
const surveyRow = (unitId: string, mean: number, respondents = 100): SurveyRow => ({
  unitId,
  respondents,
  mean,
  dimensionMeans: null,
  levelCounts: null,
});

describe('trimmedMean', () => {
  it('drops floor(n × 5%) scores at each end', () => {
    const scores = [0, ...Array.from({ length: 18 }, () => 80), 100]; // 20 scores: drop one each end
    expect(trimmedMean(scores, 0.05)).toBe(80);
  });

  it('drops nothing below 20 responses at 5%', () => {
    expect(trimmedMean([0, 60, 90], 0.05)).toBe(50);
  });

  it('is null without responses', () => {
    expect(trimmedMean([], 0.05)).toBeNull();
  });
});

describe('computeResults', () => {
  const d = definition({ unitIds: ['bureau-a', 'bureau-b'] });

  it('weights the group means (0.4 public, 0.3 departments, 0.2 leaders, 0.1 survey)', () => {
    const [a] = computeResults({
      definition: d,
      sheets: [dept('bureau-b', 'bureau-a', 80), dept('bureau-c', 'bureau-a', 90), leader('bureau-a', 70)],
      publicRatings: new Map([['bureau-a', [100, 80, 0]]]),
      survey: [surveyRow('bureau-a', 88)],
    });
    // public 60 × 0.4 + departments 85 × 0.3 + leaders 70 × 0.2 + survey 88 × 0.1 = 24 + 25.5 + 14 + 8.8
    expect(a).toEqual({
      unitId: 'bureau-a',
      overall: 72.3,
      renormalised: false,
      groups: [
        {
          kind: 'public',
          weight: 0.4,
          responses: 3,
          mean: 60,
          trimmedMean: null,
          score: 60,
          appliedWeight: 0.4,
        },
        {
          kind: 'departments',
          weight: 0.3,
          responses: 2,
          mean: 85,
          trimmedMean: null,
          score: 85,
          appliedWeight: 0.3,
        },
        {
          kind: 'leaders',
          weight: 0.2,
          responses: 1,
          mean: 70,
          trimmedMean: null,
          score: 70,
          appliedWeight: 0.2,
        },
        {
          kind: 'survey',
          weight: 0.1,
          responses: 100,
          mean: 88,
          trimmedMean: null,
          score: 88,
          appliedWeight: 0.1,
        },
      ],
    });
  });

  it('re-normalises the weights over the groups with responses and says so', () => {
    const [, b] = computeResults({
      definition: d,
      sheets: [dept('bureau-a', 'bureau-b', 90)],
      publicRatings: new Map([['bureau-b', [60]]]),
      survey: null,
    });
    // (60 × 0.4 + 90 × 0.3) / 0.7 = 51 / 0.7
    expect(b!.overall).toBe(72.86);
    expect(b!.renormalised).toBe(true);
    expect(b!.groups.map((g) => [g.kind, g.responses, g.appliedWeight])).toEqual([
      ['public', 1, 0.5714],
      ['departments', 1, 0.4286],
      ['leaders', 0, 0],
      ['survey', 0, 0],
    ]);
  });

  it('has no overall for a unit nobody rated', () => {
    const [a] = computeResults({ definition: d, sheets: [], publicRatings: new Map(), survey: null });
    expect(a).toMatchObject({ overall: null, renormalised: false });
  });

  it('uses the trimmed mean as the group score when configured', () => {
    const ratings = [0, ...Array.from({ length: 18 }, () => 80), 100];
    const [a] = computeResults({
      definition: definition({
        unitIds: ['bureau-a'],
        trimShare: 0.05,
        groups: [{ kind: 'public', weight: 1 }],
      }),
      sheets: [],
      publicRatings: new Map([['bureau-a', ratings]]),
      survey: null,
    });
    expect(a!.groups[0]).toMatchObject({ responses: 20, mean: 77, trimmedMean: 80, score: 80 });
    expect(a!.overall).toBe(80);
  });

  it('counts only department sheets in the departments group and leader sheets in the leaders group', () => {
    const [a] = computeResults({
      definition: definition({
        unitIds: ['bureau-a'],
        groups: [
          { kind: 'departments', weight: 0.5, raterUnitIds: ['bureau-b'] },
          { kind: 'leaders', weight: 0.5, userIds: ['leader-1'] },
        ],
      }),
      sheets: [dept('bureau-b', 'bureau-a', 60), leader('bureau-a', 100)],
      publicRatings: new Map(),
      survey: null,
    });
    expect(a!.overall).toBe(80);
  });
});

describe('reciprocalSignals', () => {
  it('flags two departments that rated each other ≥ threshold above their mean of the others', () => {
    const sheets = [
      dept('bureau-a', 'bureau-b', 98),
      dept('bureau-a', 'bureau-c', 70),
      dept('bureau-a', 'bureau-d', 72),
      dept('bureau-b', 'bureau-a', 96),
      dept('bureau-b', 'bureau-c', 75),
      dept('bureau-b', 'bureau-d', 77),
      dept('bureau-c', 'bureau-a', 80),
      dept('bureau-c', 'bureau-b', 80),
    ];
    expect(reciprocalSignals(sheets, 10)).toEqual([
      { unitA: 'bureau-a', unitB: 'bureau-b', aToB: 98, aMeanOfOthers: 71, bToA: 96, bMeanOfOthers: 76 },
    ]);
  });

  it('does not flag a one-sided high rating', () => {
    const sheets = [
      dept('bureau-a', 'bureau-b', 98),
      dept('bureau-a', 'bureau-c', 70),
      dept('bureau-b', 'bureau-a', 75),
      dept('bureau-b', 'bureau-c', 75),
    ];
    expect(reciprocalSignals(sheets, 10)).toEqual([]);
  });
});
