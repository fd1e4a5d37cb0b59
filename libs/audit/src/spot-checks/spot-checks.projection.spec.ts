import { TARGETS, targetsProjection } from '@dukao/targets';
import { projectionSpec, storedEvent } from '@dukao/testing';
import { SPOT_CHECKS, spotChecksProjection } from './spot-checks.projection';

const inspector = { actor: { userId: 'inspector-1', role: 'inspector', unitId: null } };
const frameItem = (n: number, unitId: string) => ({
  itemId: `r-${n}`,
  targetId: `t-${unitId}`,
  reportId: `r-${n}`,
  period: '2026-Q3',
  unitId,
  category: 'towns',
  indicatorId: 'gdp-growth',
});
const drawn = storedEvent(
  'SpotCheckDrawn',
  {
    spotCheckId: 'sc-1',
    title: '三季度察访核验',
    cycleId: '2026',
    population: 'reports',
    period: '2026-Q3',
    unitIds: null,
    categories: null,
    size: { kind: 'count', value: 1 },
    strata: 'unit',
    frame: [frameItem(1, 'town-a'), frameItem(2, 'town-b'), frameItem(3, 'town-b')],
    frameDigest: 'a'.repeat(64),
    logPosition: 40,
    logEventId: 'e-40',
    logEventHash: 'b'.repeat(64),
    logDigest: 'c'.repeat(64),
    seed: 'd'.repeat(64),
    algorithm: 'sha256-rank-v1',
    sample: [
      { itemId: 'r-1', stratum: 'town-a', rank: 1, key: '1'.repeat(64) },
      { itemId: 'r-3', stratum: 'town-b', rank: 1, key: '2'.repeat(64) },
    ],
    drawnAt: '2026-10-12T01:00:00.000Z',
  },
  { streamId: 'spotcheck-sc-1', metadata: inspector },
);
const base = {
  spotCheckId: 'sc-1',
  cycleId: '2026',
  itemId: 'r-1',
  unitId: 'town-a',
  category: 'towns',
  targetId: 't-town-a',
  reportId: 'r-1',
};
const outcome = storedEvent(
  'SpotCheckOutcomeRecorded',
  {
    ...base,
    outcome: 'falseReport',
    findings: '实际 3.5%',
    evidence: [],
    decidedAt: '2026-10-20T02:00:00.000Z',
  },
  { streamId: 'spotcheck-sc-1', revision: 1, metadata: inspector },
);
const confirmed = storedEvent(
  'FalseReportConfirmed',
  {
    caseId: 'case-1',
    kind: 'falseReport',
    ...base,
    period: '2026-Q3',
    findings: '实际 3.5%',
    evidence: [],
    occurredAt: '2026-10-20T02:00:00.000Z',
    confirmedAt: '2026-10-20T02:00:00.000Z',
  },
  { streamId: 'spotcheck-sc-1', revision: 2, metadata: inspector },
);

describe('spotChecks projection', () => {
  it('given a draw, then the sample’s items with their frame facts, all pending, without the frame itself', () => {
    const doc = projectionSpec(spotChecksProjection).given(drawn).document(SPOT_CHECKS, 'sc-1')!;
    expect(doc).toMatchObject({
      frameSize: 3,
      drawnBy: 'inspector-1',
      status: 'open',
      counts: { pending: 2 },
    });
    expect(doc).not.toHaveProperty('frame');
    expect((doc.items as Array<{ itemId: string; unitId: string }>).map((i) => [i.itemId, i.unitId])).toEqual(
      [
        ['r-1', 'town-a'],
        ['r-3', 'town-b'],
      ],
    );
  });

  it('given a false report, then the item has its outcome, findings and case', () => {
    const doc = projectionSpec(spotChecksProjection)
      .given(drawn, outcome, confirmed)
      .document(SPOT_CHECKS, 'sc-1')!;
    expect(doc).toMatchObject({ counts: { pending: 1, falseReport: 1 }, status: 'open' });
    expect((doc.items as unknown[])[0]).toMatchObject({
      outcome: 'falseReport',
      findings: '实际 3.5%',
      decidedBy: 'inspector-1',
      caseId: 'case-1',
    });
  });

  it('changes nothing when the same events are applied twice', () => {
    const once = projectionSpec(spotChecksProjection)
      .given(drawn, outcome, confirmed)
      .document(SPOT_CHECKS, 'sc-1');
    const twice = projectionSpec(spotChecksProjection)
      .given(drawn, outcome, outcome, confirmed, drawn, confirmed)
      .document(SPOT_CHECKS, 'sc-1');
    expect(twice).toEqual(once);
  });
});

describe('targets projection: a confirmed false report flags its report', () => {
  const proposedAt = '2026-01-05T00:00:00.000Z';
  const proposed = storedEvent('TargetProposed', {
    targetId: 't-town-a',
    definition: {
      cycleId: '2026',
      year: 2026,
      unitId: 'town-a',
      category: 'towns',
      indicatorId: 'gdp-growth',
      title: 'GDP增速',
      kind: 'quantitative',
      measure: '增速',
      unitOfMeasure: '%',
      direction: 'higherIsBetter',
      annualValue: 8,
      baseline: 7.1,
      schedule: [25, 50, 75, 100],
      cadence: 'quarterly',
      reportDueDay: 10,
      dataCollectionUnitId: 'stats',
      milestones: [],
      dynamic: false,
    },
    reviewStages: [],
    proposedAt,
  });
  const report = (reportId: string) =>
    storedEvent('ProgressReported', {
      targetId: 't-town-a',
      reportId,
      period: '2026-Q3',
      cumulativeValue: 8,
      milestonesCompleted: [],
      narrative: '',
      evidence: [],
      replaces: null,
      dueDate: '2026-10-10',
      late: false,
      reportedAt: proposedAt,
    });
  const r0 = report('r-0');
  const r1 = report('r-1');
  const flagged = storedEvent('FalseReportConfirmed', confirmed.data, { metadata: inspector });

  it('sets falseReport on the report named and lists the case on the target; other reports stay unflagged', () => {
    const doc = projectionSpec(targetsProjection)
      .given(proposed, r0, r1, flagged)
      .document(TARGETS, 't-town-a')!;
    const reports = doc.reports as Array<{ reportId: string; falseReport?: unknown }>;
    expect(reports.find((r) => r.reportId === 'r-1')!.falseReport).toEqual({
      caseId: 'case-1',
      kind: 'falseReport',
      spotCheckId: 'sc-1',
      reportId: 'r-1',
      period: '2026-Q3',
      findings: '实际 3.5%',
      confirmedAt: '2026-10-20T02:00:00.000Z',
      confirmedBy: 'inspector-1',
    });
    expect(reports.find((r) => r.reportId === 'r-0')).not.toHaveProperty('falseReport');
    expect(doc.falseReports).toHaveLength(1);
  });

  it('ignores a case about a target it does not know', () => {
    expect(projectionSpec(targetsProjection).given(flagged).document(TARGETS, 't-town-a')).toBeNull();
  });
});
