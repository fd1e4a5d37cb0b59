import type { UnitScore } from '@dukao/scoring';
import { scoreExplanationHtml, traceValue } from './score-explanation';

// The worked example at the end of June: GDP 3.2 of 8.0, completion 600 × 0.4 = 240; an interview (约谈) −0.5.
const score: UnitScore = {
  unitId: 'town-a',
  indicators: [
    {
      indicatorId: 'economy',
      level: 1,
      parentId: null,
      method: null,
      points: 600,
      scoreThousandths: 240_000,
      score: 240,
    },
    {
      indicatorId: 'gdp-growth',
      level: 2,
      parentId: 'economy',
      method: 'completion',
      points: 600,
      scoreThousandths: 240_000,
      score: 240,
    },
    {
      indicatorId: 'livelihood',
      level: 1,
      parentId: null,
      method: 'progress',
      points: 400,
      scoreThousandths: 0,
      score: 0,
    },
  ],
  indicatorSumThousandths: 240_000,
  bonusUncappedThousandths: 0,
  bonusThousandths: 0,
  penaltyThousandths: 0,
  accountabilityThousandths: 500,
  falseReportThousandths: 0,
  rulingThousandths: 0,
  totalThousandths: 239_500,
  total: 239.5,
  rank: 1,
  gradeBeforeOverrides: 'admonished',
  grade: 'admonished',
  vetoed: false,
  flagged: false,
  trace: [
    {
      rule: 'ratio',
      unitId: 'town-a',
      indicatorId: 'gdp-growth',
      targetId: 't-gdp',
      inputs: { actual: 3.2, target: 8, direction: 'higherIsBetter', cap: 1.2 },
      output: 0.4,
      events: [{ eventId: 'e-report', position: 41, type: 'ProgressReported' }],
      schemeVersion: 1,
    },
    {
      rule: 'completion',
      unitId: 'town-a',
      indicatorId: 'gdp-growth',
      targetId: 't-gdp',
      inputs: { points: 600, ratio: 0.4 },
      output: 240,
      events: [
        { eventId: 'e-report', position: 41, type: 'ProgressReported' },
        { eventId: 'e-issued', position: 12, type: 'TargetIssued' },
      ],
      schemeVersion: 1,
    },
    {
      rule: 'accountability',
      unitId: 'town-a',
      inputs: { action: 'interview' },
      output: -0.5,
      events: [{ eventId: 'e-action', position: 60, type: 'AccountabilityActionTaken' }],
      schemeVersion: 1,
    },
  ],
};

const html = scoreExplanationHtml({
  unitId: 'town-a',
  unitName: '甲镇',
  cycleId: '2026',
  category: 'towns',
  at: '2026-06-30T16:00:00.000Z',
  asOf: '2026-07-10T02:00:00.000Z',
  schemeVersion: 1,
  treeVersion: 1,
  scale: 1000,
  score,
  indicatorNames: new Map([
    ['economy', '经济发展'],
    ['gdp-growth', 'GDP增速'],
    ['livelihood', '社会民生'],
  ]),
  targetTitles: new Map([['t-gdp', '地区生产总值增速8%']]),
  generatedAt: '2026-07-10T02:00:00.000Z',
});

describe('scoreExplanationHtml (得分说明 for an appellant)', () => {
  it('states the result: total, rank, grade, and how the total is made up', () => {
    expect(html).toContain('<h1>甲镇 得分说明（2026年度考核）</h1>');
    expect(html).toContain('<dt>总分</dt><dd>239.5</dd>');
    expect(html).toContain('<dt>等次</dt><dd>诫勉</dd>');
    expect(html).toContain('<dt>问责扣分</dt><dd>−0.5</dd>');
    expect(html).toContain('<dt>依据记录截至</dt><dd>2026-07-10T02:00:00.000Z</dd>');
  });

  it('lists each indicator with its method, points and score, and charts the level-1 shares', () => {
    expect(html).toContain('<td>二级</td><td>GDP增速</td><td>完成度</td><td>600</td><td>240</td>');
    const order = [...html.matchAll(/<tr><td>(一级|二级)<\/td><td>([^<]+)<\/td>/g)].map((m) => m[2]);
    expect(order).toEqual(['经济发展', 'GDP增速', '社会民生']);
    expect(html).toContain('<title>一级指标得分率（%）</title>');
    // 240 of 600 = 40 %: 40 % of the 464 px plot.
    expect(html).toContain('width="185.6"');
  });

  it('shows every rule in order with names, inputs, output and the events it drew on', () => {
    const section = html.slice(html.indexOf('三、计算过程'), html.indexOf('四、所依据的事件'));
    const steps = [...section.matchAll(/<tr><td>(\d+)<\/td><td>([^<]+)<\/td><td>([^<]+)<\/td>/g)].map((m) => [
      m[1],
      m[2],
      m[3],
    ]);
    expect(steps).toEqual([
      ['1', '完成比例', 'GDP增速 · 地区生产总值增速8%'],
      ['2', '完成度得分', 'GDP增速 · 地区生产总值增速8%'],
      ['3', '问责扣分', '—'],
    ]);
    expect(html).toContain('<pre>actual: 3.2；target: 8；direction: higherIsBetter；cap: 1.2</pre>');
    expect(html).toContain('ProgressReported #41<br>TargetIssued #12');
  });

  it('lists the events once each, in log order', () => {
    const events = [
      ...html.matchAll(/<tr><td>(\d+)<\/td><td>([A-Za-z]+)<\/td><td>(e-[a-z]+)<\/td><\/tr>/g),
    ].map((m) => m[3]);
    expect(events).toEqual(['e-issued', 'e-report', 'e-action']);
  });
});

describe('traceValue', () => {
  it('writes numbers, strings, lists and nested objects readably', () => {
    expect(traceValue(0.4)).toBe('0.4');
    expect(traceValue(null)).toBe('—');
    expect(traceValue([1, 'a'])).toBe('1，a');
    expect(traceValue({ a: 1, b: { c: 2 } })).toBe('a: 1；b: {"c":2}');
  });
});
