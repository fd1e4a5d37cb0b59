import type { StoredEvent } from '@dukao/event-store';
import { projectionSpec, storedEvent } from '@dukao/testing';
import { periodEnd } from '@dukao/targets';
import {
  ANOMALY_EVIDENCE,
  ANOMALY_TARGETS,
  type AnomalyEvidenceUses,
  type AnomalyTargetFacts,
  anomaliesProjection,
} from './anomalies.projection';
import {
  type DetectionInput,
  detectAnomalies,
  detectBackdating,
  detectConfirmedFalseReports,
  detectCorrectionsAfterCheck,
  detectEvidenceReuse,
  detectLastMinuteJumps,
  detectMilestonesWithoutEvidence,
  detectOutliers,
  detectStaleOnTrack,
  rankAnomalies,
} from './anomaly.detectors';
import { DEFAULT_ANOMALY_SETTINGS } from './anomaly.settings';

/**
 * Crafted histories, fed through the anomalies projection as the api would, then the detectors on
 * its documents. Targets: GDP growth 8.0 (higher is better), quarterly, reports due on the 10th.
 */
const hash = (c: string) => c.repeat(64);
const file = (c: string, name = `${c}.pdf`) => ({
  fileId: hash(c),
  name,
  mediaType: 'application/pdf',
  size: 10,
  sha256: hash(c),
  sm3: hash('0'),
});

function proposed(targetId: string, unitId: string, overrides: Record<string, unknown> = {}): StoredEvent[] {
  const definition = {
    cycleId: '2026',
    year: 2026,
    unitId,
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
    ...overrides,
  };
  return [
    storedEvent('TargetProposed', {
      targetId,
      definition,
      reviewStages: [],
      proposedAt: '2026-01-05T00:00:00.000Z',
    }),
    storedEvent('TargetIssued', { targetId, issuedAt: '2026-01-06T00:00:00.000Z' }),
  ];
}

const DUE = {
  '2026-Q1': '2026-04-10',
  '2026-Q2': '2026-07-10',
  '2026-Q3': '2026-10-10',
  '2026-Q4': '2027-01-10',
} as const;
function reported(
  targetId: string,
  reportId: string,
  period: keyof typeof DUE,
  value: number | null,
  recordedAt: string,
  more: Record<string, unknown> = {},
): StoredEvent {
  return storedEvent(
    'ProgressReported',
    {
      targetId,
      reportId,
      period,
      cumulativeValue: value,
      milestonesCompleted: [],
      narrative: '',
      evidence: [],
      replaces: null,
      dueDate: DUE[period],
      late: false,
      reportedAt: recordedAt,
      ...more,
    },
    { streamId: `target-${targetId}`, metadata: { occurredAt: periodEnd(period), recordedAt } },
  );
}

function input(events: StoredEvent[], settings = DEFAULT_ANOMALY_SETTINGS): DetectionInput {
  const spec = projectionSpec(anomaliesProjection).given(...events);
  return {
    targets: spec.all(ANOMALY_TARGETS) as AnomalyTargetFacts[],
    evidence: spec.all(ANOMALY_EVIDENCE) as AnomalyEvidenceUses[],
    settings,
  };
}

describe('lastMinuteJump', () => {
  const history = [
    ...proposed('t-a', 'town-a'),
    reported('t-a', 'a-q2', '2026-Q2', 0.8, '2026-07-05T02:00:00.000Z'), // 10%
    reported('t-a', 'a-q3', '2026-Q3', 8, '2026-10-10T13:00:00.000Z'), // 100%, 3 h before the end of 10 Oct
  ];

  it('flags 10% → 100% recorded hours before the deadline, with both reports and the values', () => {
    const [found, ...rest] = detectLastMinuteJumps(input(history));
    expect(rest).toEqual([]);
    expect(found).toMatchObject({
      signal: 'lastMinuteJump',
      unitId: 'town-a',
      reportId: 'a-q3',
      weight: 3,
      evidence: {
        eventIds: [history[2]!.id, history[3]!.id],
        values: { previousPct: 10, pct: 100, jumpPoints: 90, hoursBeforeDue: 3, dueDate: '2026-10-10' },
      },
    });
    expect(found!.detail).toContain('10% 跃升至 100%');
  });

  it('does not flag the same jump filed a week early, nor a jump below the threshold', () => {
    const early = [...history.slice(0, 3), reported('t-a', 'a-q3', '2026-Q3', 8, '2026-10-03T02:00:00.000Z')];
    expect(detectLastMinuteJumps(input(early))).toEqual([]);
    expect(detectLastMinuteJumps(input(history, { ...DEFAULT_ANOMALY_SETTINGS, jumpPoints: 95 }))).toEqual(
      [],
    );
  });
});

describe('evidenceReuse', () => {
  it('flags the same file in another unit’s report and in another period, not in a correction of the same period', () => {
    const history = [
      ...proposed('t-a', 'town-a'),
      ...proposed('t-b', 'town-b'),
      reported('t-a', 'a-q2', '2026-Q2', 3.2, '2026-07-05T02:00:00.000Z', {
        evidence: [file('a', '开工照片.jpg')],
      }),
      reported('t-a', 'a-q2c', '2026-Q2', 3.3, '2026-07-06T02:00:00.000Z', {
        evidence: [file('a')],
        replaces: 'a-q2',
      }),
      reported('t-b', 'b-q2', '2026-Q2', 3.1, '2026-07-05T03:00:00.000Z', { evidence: [file('b')] }),
      reported('t-b', 'b-q3', '2026-Q3', 5.0, '2026-10-05T03:00:00.000Z', {
        evidence: [file('a', '现场.jpg')],
      }),
    ];
    const found = detectEvidenceReuse(input(history));
    expect(found.map((f) => f.reportId).sort()).toEqual(['a-q2', 'a-q2c', 'b-q3']);
    const b = found.find((f) => f.reportId === 'b-q3')!;
    expect(b.evidence.values).toMatchObject({ sha256: hash('a'), name: '现场.jpg' });
    expect(b.evidence.eventIds).toEqual([history[7]!.id, history[4]!.id, history[5]!.id]);
    expect(b.detail).toContain('跨单位');
  });

  it('flags nothing when every file is used once', () => {
    const history = [
      ...proposed('t-a', 'town-a'),
      reported('t-a', 'a-q2', '2026-Q2', 3.2, '2026-07-05T02:00:00.000Z', { evidence: [file('a')] }),
      reported('t-a', 'a-q3', '2026-Q3', 5, '2026-10-05T02:00:00.000Z', { evidence: [file('c')] }),
    ];
    expect(detectEvidenceReuse(input(history))).toEqual([]);
  });
});

describe('correctionAfterCheck', () => {
  const base = [
    ...proposed('t-a', 'town-a'),
    reported('t-a', 'a-q3', '2026-Q3', 7.5, '2026-10-08T02:00:00.000Z'),
  ];
  const verified = storedEvent('ReportVerified', {
    targetId: 't-a',
    reportId: 'a-q3',
    period: '2026-Q3',
    verifiedAt: '2026-10-09T02:00:00.000Z',
  });
  const drawn = storedEvent('SpotCheckDrawn', {
    spotCheckId: 'sc-1',
    frame: [
      {
        itemId: 't-a',
        targetId: 't-a',
        reportId: null,
        period: null,
        unitId: 'town-a',
        category: 'towns',
        indicatorId: 'gdp-growth',
      },
    ],
    sample: [{ itemId: 't-a', stratum: '', rank: 1, key: hash('1') }],
  });
  const lowered = reported('t-a', 'a-q3c', '2026-Q3', 5.1, '2026-10-20T02:00:00.000Z', { replaces: 'a-q3' });

  it('flags a correction lowering the value after the report was verified', () => {
    const [found] = detectCorrectionsAfterCheck(input([...base, verified, lowered]));
    expect(found).toMatchObject({
      signal: 'correctionAfterCheck',
      reportId: 'a-q3c',
      evidence: {
        eventIds: [base[2]!.id, verified.id, lowered.id],
        values: { before: 7.5, after: 5.1, check: 'verified' },
      },
    });
  });

  it('flags a correction lowering the value after a spot check drew the target', () => {
    const [found] = detectCorrectionsAfterCheck(input([...base, drawn, lowered]));
    expect(found!.evidence.values).toMatchObject({ check: 'spotCheck' });
    expect(found!.evidence.eventIds).toContain(drawn.id);
  });

  it('does not flag a lowering correction before any check, nor a raising one after it', () => {
    const verifiedLater = storedEvent('ReportVerified', {
      ...verified.data,
      verifiedAt: '2026-10-21T02:00:00.000Z',
    });
    const facts = input([...base, lowered, verifiedLater]);
    expect(facts.targets[0]!.checks).toHaveLength(1);
    expect(detectCorrectionsAfterCheck(facts)).toEqual([]);
    const raised = reported('t-a', 'a-q3c', '2026-Q3', 7.9, '2026-10-20T02:00:00.000Z', { replaces: 'a-q3' });
    expect(detectCorrectionsAfterCheck(input([...base, verified, raised]))).toEqual([]);
  });
});

describe('backdated', () => {
  it('flags a report recorded long after its business time, and a milestone dated long before its report', () => {
    const history = [
      ...proposed('t-a', 'town-a'),
      reported('t-a', 'a-q1', '2026-Q1', 2, '2026-04-08T02:00:00.000Z'), // 8 days: ordinary
      reported('t-a', 'a-q2', '2026-Q2', 3, '2026-09-20T02:00:00.000Z'), // ~82 days after 30 June
      reported('t-a', 'a-q3', '2026-Q3', 6, '2026-10-08T02:00:00.000Z', {
        milestonesCompleted: [{ milestoneId: 'kaigong', completedOn: '2026-02-01' }],
      }),
    ];
    const found = detectBackdating(input(history));
    expect(found.map((f) => f.reportId)).toEqual(['a-q2', 'a-q3']);
    expect(found[0]!.evidence.values).toMatchObject({ days: 81.42, backdateDays: 45 });
    expect(found[1]!.detail).toContain('节点 kaigong 完成日期 2026-02-01');
  });
});

describe('staleOnTrack', () => {
  const stale = (narrative: string) => [
    ...proposed('t-a', 'town-a'),
    reported('t-a', 'a-q1', '2026-Q1', 2, '2026-04-08T02:00:00.000Z', { narrative: `总体按计划推进` }),
    reported('t-a', 'a-q2', '2026-Q2', 2, '2026-07-08T02:00:00.000Z', { narrative: `项目${narrative}` }),
    reported('t-a', 'a-q3', '2026-Q3', 2, '2026-10-08T02:00:00.000Z', { narrative: '进展顺利' }),
  ];

  it('flags three periods at the same value, each said to be on track', () => {
    const [found, ...rest] = detectStaleOnTrack(input(stale('正常推进')));
    expect(rest).toEqual([]);
    expect(found).toMatchObject({
      reportId: 'a-q3',
      evidence: { values: { value: 2, periods: ['2026-Q1', '2026-Q2', '2026-Q3'] } },
    });
  });

  it('does not flag when one of them admits a delay', () => {
    expect(detectStaleOnTrack(input(stale('受雨季影响滞后')))).toEqual([]);
  });
});

describe('outlier', () => {
  it('flags the town far from its peers for the same indicator and period', () => {
    const values = { a: 3.2, b: 3.0, c: 3.4, d: 3.1, e: 7.9 };
    const history = Object.entries(values).flatMap(([u, v]) => [
      ...proposed(`t-${u}`, `town-${u}`),
      reported(`t-${u}`, `${u}-q2`, '2026-Q2', v, '2026-07-08T02:00:00.000Z'),
    ]);
    const found = detectOutliers(input(history));
    expect(found.map((f) => f.unitId)).toEqual(['town-e']);
    expect(found[0]!.evidence.values).toMatchObject({ pct: 98.75, median: 40, peers: 5 });
  });

  it('needs enough peers', () => {
    const history = [
      ...proposed('t-a', 'town-a'),
      reported('t-a', 'a-q2', '2026-Q2', 3, '2026-07-08T02:00:00.000Z'),
      ...proposed('t-e', 'town-e'),
      reported('t-e', 'e-q2', '2026-Q2', 8, '2026-07-08T02:00:00.000Z'),
    ];
    expect(detectOutliers(input(history))).toEqual([]);
  });
});

describe('milestoneWithoutEvidence', () => {
  it('flags milestones marked done in a report with no evidence, not one with evidence', () => {
    const done = [{ milestoneId: 'kaigong', completedOn: '2026-03-30' }];
    const history = [
      ...proposed('t-a', 'town-a'),
      reported('t-a', 'a-q1', '2026-Q1', null, '2026-04-08T02:00:00.000Z', { milestonesCompleted: done }),
      reported('t-a', 'a-q2', '2026-Q2', null, '2026-07-08T02:00:00.000Z', {
        milestonesCompleted: done,
        evidence: [file('d')],
      }),
    ];
    const found = detectMilestonesWithoutEvidence(input(history));
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ reportId: 'a-q1', evidence: { values: { milestones: ['kaigong'] } } });
  });
});

describe('falseReportConfirmed and the ranking', () => {
  const history = [
    ...proposed('t-a', 'town-a'),
    ...proposed('t-b', 'town-b'),
    reported('t-a', 'a-q2', '2026-Q2', 0.8, '2026-07-05T02:00:00.000Z'),
    reported('t-a', 'a-q3', '2026-Q3', 8, '2026-10-10T13:00:00.000Z'),
    reported('t-b', 'b-q3', '2026-Q3', 6, '2026-10-10T13:00:00.000Z', {
      milestonesCompleted: [{ milestoneId: 'm', completedOn: '2026-09-30' }],
    }),
  ];
  const confirmed = storedEvent('FalseReportConfirmed', {
    caseId: 'case-1',
    kind: 'falseReport',
    spotCheckId: 'sc-1',
    itemId: 'a-q3',
    cycleId: '2026',
    unitId: 'town-a',
    category: 'towns',
    targetId: 't-a',
    reportId: 'a-q3',
    period: '2026-Q3',
    findings: '实际增速 3.5%',
    evidence: [],
    occurredAt: '2026-10-20T02:00:00.000Z',
    confirmedAt: '2026-10-20T02:00:00.000Z',
  });
  history.push(confirmed);

  it('lists the confirmed case with its event', () => {
    expect(detectConfirmedFalseReports(input(history))).toEqual([
      expect.objectContaining({
        reportId: 'a-q3',
        period: '2026-Q3',
        weight: 10,
        evidence: expect.objectContaining({ eventIds: [confirmed.id] }),
      }),
    ]);
  });

  it('ranks reports and units by the sum of their signals’ weights', () => {
    const { reports, units } = rankAnomalies(detectAnomalies(input(history)));
    expect(reports.map((r) => [r.subject.reportId, r.score, r.signals])).toEqual([
      ['a-q3', 13, ['lastMinuteJump', 'falseReportConfirmed']],
      ['b-q3', 4, ['lastMinuteJump', 'milestoneWithoutEvidence']],
    ]);
    expect(units.map((u) => [u.unitId, u.score, u.reports])).toEqual([
      ['town-a', 13, 1],
      ['town-b', 4, 1],
    ]);
  });

  it('drops a case the committee overturned on appeal, keeps an upheld one with its ruling', () => {
    const ruling = (outcome: string) =>
      storedEvent('RulingRecorded', {
        appealId: 'ap-1',
        cycleId: '2026',
        unitId: 'town-a',
        publicationId: 'pub-1',
        subject: {
          kind: 'falseReport',
          caseId: 'case-1',
          finding: 'falseReport',
          targetId: 't-a',
          eventId: confirmed.id,
          occurredAt: '2026-10-20T02:00:00.000Z',
        },
        outcome,
        amount: null,
        reasoning: '复核',
        effectiveFrom: '2026-10-20T02:00:00.000Z',
        ruledAt: '2026-11-10T02:00:00.000Z',
      });
    const overturned = ruling('overturned');
    expect(detectConfirmedFalseReports(input([...history, overturned]))).toEqual([]);
    const upheld = ruling('upheld');
    const [kept] = detectConfirmedFalseReports(input([...history, upheld]));
    expect(kept!.evidence).toEqual({
      eventIds: [confirmed.id, upheld.id],
      values: expect.objectContaining({ ruling: 'upheld' }),
    });
  });

  it('computes only the signals asked for', () => {
    expect(detectAnomalies(input(history), ['milestoneWithoutEvidence']).map((f) => f.reportId)).toEqual([
      'b-q3',
    ]);
  });
});

describe('the anomalies projection', () => {
  it('changes nothing when the same events are applied twice', () => {
    const history = [
      ...proposed('t-a', 'town-a'),
      reported('t-a', 'a-q2', '2026-Q2', 3.2, '2026-07-05T02:00:00.000Z', { evidence: [file('a')] }),
      reported('t-a', 'a-q3', '2026-Q3', 5, '2026-10-05T02:00:00.000Z', { evidence: [file('a')] }),
    ];
    const once = projectionSpec(anomaliesProjection).given(...history);
    const twice = projectionSpec(anomaliesProjection).given(...history, ...history);
    expect(twice.all(ANOMALY_TARGETS)).toEqual(once.all(ANOMALY_TARGETS));
    expect(twice.all(ANOMALY_EVIDENCE)).toEqual(once.all(ANOMALY_EVIDENCE));
    expect((once.document(ANOMALY_EVIDENCE, hash('a')) as AnomalyEvidenceUses).uses).toHaveLength(2);
  });
});
