import { buildFrame, type FrameRule } from './spot-check.frame';

const definition = (unitId: string, category = 'towns') => ({
  cycleId: '2026',
  unitId,
  category,
  indicatorId: 'gdp-growth',
});
const proposed = (targetId: string, unitId: string, category?: string, cycleId = '2026') => ({
  type: 'TargetProposed',
  data: { targetId, definition: { ...definition(unitId, category), cycleId } },
});
const issued = (targetId: string) => ({ type: 'TargetIssued', data: { targetId } });
const reported = (targetId: string, reportId: string, period: string, replaces: string | null = null) => ({
  type: 'ProgressReported',
  data: { targetId, reportId, period, replaces },
});
const history = [
  proposed('t-a', 'town-a'),
  issued('t-a'),
  proposed('t-b', 'town-b'),
  issued('t-b'),
  proposed('t-c', 'town-c'), // never issued
  proposed('t-s', 'stats', 'departments'),
  issued('t-s'),
  proposed('t-old', 'town-a', 'towns', '2025'),
  issued('t-old'),
  proposed('t-w', 'town-d'),
  issued('t-w'),
  { type: 'TargetWithdrawn', data: { targetId: 't-w' } },
  reported('t-a', 'r-a2', '2026-Q2'),
  reported('t-a', 'r-a3', '2026-Q3'),
  reported('t-a', 'r-a3c', '2026-Q3', 'r-a3'),
  reported('t-b', 'r-b3', '2026-Q3'),
  { type: 'ReportRejected', data: { targetId: 't-b', reportId: 'r-b3' } },
  { type: 'NilReturnDeclared', data: { targetId: 't-s', reportId: 'r-s3', period: '2026-Q3' } },
  { type: 'CycleOpened', data: { cycleId: '2026' } },
];
const rule = (overrides: Partial<FrameRule> = {}): FrameRule => ({
  cycleId: '2026',
  population: 'targets',
  period: null,
  unitIds: null,
  categories: null,
  ...overrides,
});
const ids = (rule_: FrameRule) => buildFrame(history, rule_).map((i) => i.itemId);

describe('buildFrame', () => {
  it('targets: the cycle’s issued, not withdrawn targets, ordered by id', () => {
    expect(ids(rule())).toEqual(['t-a', 't-b', 't-s']);
    expect(buildFrame(history, rule())[0]).toEqual({
      itemId: 't-a',
      targetId: 't-a',
      reportId: null,
      period: null,
      unitId: 'town-a',
      category: 'towns',
      indicatorId: 'gdp-growth',
    });
  });

  it('reports: those that count (not replaced, not rejected), nil returns included, of the period when given', () => {
    expect(ids(rule({ population: 'reports' }))).toEqual(['r-a2', 'r-a3c', 'r-s3']);
    expect(ids(rule({ population: 'reports', period: '2026-Q3' }))).toEqual(['r-a3c', 'r-s3']);
  });

  it('limits to the units and categories given', () => {
    expect(ids(rule({ unitIds: ['town-b', 'stats'] }))).toEqual(['t-b', 't-s']);
    expect(ids(rule({ categories: ['towns'] }))).toEqual(['t-a', 't-b']);
    expect(ids(rule({ cycleId: '2025' }))).toEqual(['t-old']);
  });
});
