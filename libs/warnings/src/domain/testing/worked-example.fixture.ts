import { type CycleView, DEFAULT_SCHEME, type ReportView, type TargetView } from '@dukao/targets';

/** shared/DOMAIN.md "Worked example for tests": Town A's GDP growth target 8.0 for 2026, quarterly. */
export const SCHEME = DEFAULT_SCHEME;

/** An instant given as Shanghai local time 'YYYY-MM-DD HH:MM' (UTC+8). */
export const sh = (local: string): string => new Date(`${local.replace(' ', 'T')}:00+08:00`).toISOString();

export function report(overrides: Partial<ReportView> & Pick<ReportView, 'reportId' | 'period'>): ReportView {
  return {
    kind: 'report',
    cumulativeValue: null,
    milestonesCompleted: [],
    narrative: '',
    evidence: [],
    replaces: null,
    replacedBy: null,
    status: 'pending',
    late: false,
    dueDate: '2026-07-10',
    occurredAt: sh('2026-06-30 23:59'),
    recordedAt: sh('2026-07-05 10:00'),
    reportedBy: 'reporter-1',
    reviewedBy: null,
    reviewedAt: null,
    reviewReason: null,
    ...overrides,
  };
}

export function gdpTarget(overrides: Partial<TargetView> = {}): TargetView {
  const reports = overrides.reports ?? [
    report({
      reportId: 'R1',
      period: '2026-Q1',
      cumulativeValue: 2.0,
      status: 'verified',
      dueDate: '2026-04-10',
      recordedAt: sh('2026-04-08 10:00'),
    }),
    report({
      reportId: 'R2',
      period: '2026-Q2',
      cumulativeValue: 3.2,
      status: 'verified',
      recordedAt: sh('2026-07-05 10:00'),
    }),
  ];
  return {
    _id: 'T1',
    cycleId: 'C2026',
    year: 2026,
    unitId: 'U-A',
    category: 'towns',
    indicatorId: 'gdp',
    title: 'GDP增速',
    kind: 'quantitative',
    measure: 'GDP growth',
    unitOfMeasure: '%',
    direction: 'higherIsBetter',
    annualValue: 8.0,
    valueHistory: [{ value: 8.0, effectiveFrom: null, rulingRef: null }],
    baseline: 7.1,
    schedule: [25, 50, 75, 100],
    cadence: 'quarterly',
    reportDueDay: 10,
    dataCollectionUnitId: 'STATS',
    milestones: [],
    dynamic: false,
    status: 'issued',
    reviewStages: ['lineDepartment', 'assessmentOffice', 'leaderInCharge'],
    nextStage: null,
    reviewHistory: [],
    missedPeriods: [],
    latest: { period: '2026-Q2', reportId: 'R2', cumulativeValue: 3.2, status: 'verified' },
    proposedAt: sh('2026-01-05 10:00'),
    issuedAt: sh('2026-01-20 10:00'),
    withdrawnAt: null,
    ...overrides,
    reports,
  };
}

/** Cycle 2026's view with the default scheme as version 1, in force from 1 January. */
export const CYCLE_2026: CycleView = {
  _id: '2026',
  year: 2026,
  name: '2026年度绩效考核',
  status: 'open',
  openedAt: sh('2026-01-02 10:00'),
  schemes: [
    {
      version: 1,
      effectiveFrom: sh('2026-01-01 00:00'),
      note: '默认方案',
      scheme: DEFAULT_SCHEME,
      publishedAt: sh('2026-01-02 10:00'),
    },
  ],
  indicatorTrees: [],
};
