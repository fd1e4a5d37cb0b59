import type { StoredEvent } from '@dukao/event-store';
import { DEFAULT_SCHEME, type Indicator, periodEnd } from '@dukao/targets';
import { scoreCategory } from './domain/scoring.engine';
import { definition } from './domain/testing/scoring.fixture';
import { buildScoringInput, SCORE_AFFECTING_EVENT_TYPES, type ScoringSources } from './scoring-input.loader';

let position = 0;
function stored(
  streamId: string,
  type: string,
  data: Record<string, unknown>,
  recordedAt: string,
): StoredEvent {
  position += 1;
  return {
    id: `e-${position}`,
    type,
    schemaVersion: 1,
    data: data as StoredEvent['data'],
    metadata: {
      actor: { userId: 'u', role: 'assessmentAdmin' },
      correlationId: 'c',
      causationId: null,
      commandId: null,
      occurredAt: recordedAt,
      recordedAt,
      prevHash: '',
      hash: '',
      hashAlgorithm: 'sha256',
    },
    streamId,
    revision: position,
    position,
  };
}

const JAN = '2026-01-05T01:00:00.000Z';
const FEB = '2026-02-01T01:00:00.000Z';
const JUL = '2026-07-09T02:00:00.000Z';
const AUG = '2026-08-01T02:00:00.000Z';
const ind = (indicatorId: string, points: number, method: Indicator['method']): Indicator => ({
  indicatorId,
  parentId: null,
  name: indicatorId,
  level: 1,
  points,
  method,
});
const TREE_V1 = [
  ind('gdp', 60, 'completion'),
  ind('sat-a', 20, 'satisfaction'),
  ind('sat-b', 20, 'satisfaction'),
];
const TREE_V2 = [ind('gdp', 60, 'completion'), ind('sat-b', 40, 'satisfaction')];

function cycleEvents(): StoredEvent[] {
  const s = 'cycle-c2026';
  return [
    stored(s, 'CycleOpened', { cycleId: 'c2026', year: 2026, name: '2026', openedAt: JAN }, JAN),
    stored(
      s,
      'SchemePublished',
      {
        cycleId: 'c2026',
        version: 1,
        effectiveFrom: JAN,
        scheme: DEFAULT_SCHEME,
        note: '默认方案',
        publishedAt: JAN,
      },
      JAN,
    ),
    stored(
      s,
      'IndicatorTreePublished',
      {
        cycleId: 'c2026',
        category: 'towns',
        version: 1,
        effectiveFrom: JAN,
        scale: 100,
        indicators: TREE_V1,
        publishedAt: JAN,
      },
      JAN,
    ),
    stored(
      s,
      'IndicatorTreePublished',
      {
        cycleId: 'c2026',
        category: 'departments',
        version: 1,
        effectiveFrom: JAN,
        scale: 100,
        indicators: [ind('x', 100, 'completion')],
        publishedAt: JAN,
      },
      JAN,
    ),
    // Version 2 of the towns' tree, effective from February, recorded in August.
    stored(
      s,
      'IndicatorTreePublished',
      {
        cycleId: 'c2026',
        category: 'towns',
        version: 2,
        effectiveFrom: FEB,
        scale: 100,
        indicators: TREE_V2,
        publishedAt: AUG,
      },
      AUG,
    ),
  ];
}

const results = (cycleId: string, units: Array<[string, number | null]>, at: string) =>
  stored(
    `campaign-${cycleId}-${at}`,
    'EvaluationResultsPublished',
    {
      campaignId: `p-${at}`,
      cycleId,
      units: units.map(([unitId, overall]) => ({ unitId, groups: [], overall, renormalised: false })),
      reciprocalSignals: [],
      publishedAt: at,
    },
    at,
  );

function sources(): ScoringSources {
  const t = 'target-t1';
  return {
    cycleEvents: cycleEvents(),
    units: [
      { unitId: 'town-b', registeredAt: JAN },
      { unitId: 'town-a', registeredAt: JAN },
      { unitId: 'town-c', registeredAt: AUG },
    ],
    targetEvents: [
      stored(
        t,
        'TargetProposed',
        {
          targetId: 't1',
          definition: definition({ unitId: 'town-a', indicatorId: 'gdp' }),
          reviewStages: [],
          proposedAt: JAN,
        },
        JAN,
      ),
      stored(t, 'TargetIssued', { targetId: 't1', issuedAt: JAN }, JAN),
      stored(
        t,
        'ProgressReported',
        {
          targetId: 't1',
          reportId: 'r2',
          period: '2026-Q2',
          cumulativeValue: 3.2,
          milestonesCompleted: [],
          narrative: '',
          evidence: [],
          replaces: null,
          dueDate: '2026-07-10',
          late: false,
          reportedAt: JUL,
        },
        JUL,
      ),
    ],
    evaluationEvents: [
      results(
        'c2026',
        [
          ['town-a', 90],
          ['town-b', null],
          ['stats', 70],
        ],
        JUL,
      ),
      results('c2025', [['town-a', 10]], JUL),
    ],
  };
}

describe('buildScoringInput', () => {
  const at = periodEnd('2026-Q2');

  it('takes the scheme and the category’s tree versions from the cycle stream, with the log’s recordedAt', () => {
    const input = buildScoringInput({ cycleId: 'c2026', category: 'towns', at }, sources());
    expect(input.schemes).toEqual([
      { version: 1, effectiveFrom: JAN, recordedAt: JAN, scoring: DEFAULT_SCHEME.scoring },
    ]);
    expect(input.trees.map((t) => [t.version, t.effectiveFrom, t.recordedAt])).toEqual([
      [1, JAN, JAN],
      [2, FEB, AUG],
    ]);
    expect(input.records).toEqual([]);
    expect(input).not.toHaveProperty('asOf');
  });

  it('keeps the category’s units registered by asOf, sorted', () => {
    expect(buildScoringInput({ cycleId: 'c2026', category: 'towns', at }, sources()).unitIds).toEqual([
      'town-a',
      'town-b',
      'town-c',
    ]);
    expect(
      buildScoringInput({ cycleId: 'c2026', category: 'towns', at, asOf: JUL }, sources()).unitIds,
    ).toEqual(['town-a', 'town-b']);
  });

  it('maps target events with their event id, log position and recordedAt', () => {
    const input = buildScoringInput({ cycleId: 'c2026', category: 'towns', at }, sources());
    expect(input.targetEvents.map((e) => [e.event.type, e.eventId, e.recordedAt])).toEqual([
      ['TargetProposed', expect.any(String), JAN],
      ['TargetIssued', expect.any(String), JAN],
      ['ProgressReported', expect.any(String), JUL],
    ]);
  });

  it('carries the stored actor and occurredAt of every scheme, tree, target and satisfaction event it maps', () => {
    const input = buildScoringInput({ cycleId: 'c2026', category: 'towns', at }, sources());
    const ids = new Set(input.provenance!.map((p) => p.eventId));
    for (const e of [...input.targetEvents, ...input.satisfaction]) expect(ids.has(e.eventId)).toBe(true);
    const types = input.provenance!.map((p) => p.type);
    expect(types).toEqual(
      expect.arrayContaining(['SchemePublished', 'IndicatorTreePublished', 'ProgressReported']),
    );
    expect(types).not.toContain('CycleOpened');
    expect(input.provenance![0]).toMatchObject({
      actor: { userId: 'u', role: 'assessmentAdmin' },
      occurredAt: JAN,
      recordedAt: JAN,
    });
  });

  it('maps each unit’s overall of this cycle’s results to the first satisfaction indicator of the tree in force', () => {
    // As known now, tree v2 is in force at the end of June: its first satisfaction indicator is sat-b.
    const now = buildScoringInput({ cycleId: 'c2026', category: 'towns', at }, sources());
    expect(now.satisfaction).toEqual([
      expect.objectContaining({
        unitId: 'town-a',
        indicatorId: 'sat-b',
        score: 90,
        occurredAt: JUL,
        recordedAt: JUL,
      }),
    ]);
    // As known in July, v2 was not yet recorded: v1's first satisfaction indicator, sat-a.
    const july = buildScoringInput({ cycleId: 'c2026', category: 'towns', at, asOf: JUL }, sources());
    expect(july.satisfaction.map((s) => [s.unitId, s.indicatorId, s.score])).toEqual([
      ['town-a', 'sat-a', 90],
    ]);
    // Departments' tree has no satisfaction indicator: nothing.
    expect(
      buildScoringInput({ cycleId: 'c2026', category: 'departments', at }, sources()).satisfaction,
    ).toEqual([]);
  });

  it('feeds the engine: the worked example, 3.2 of 8.0 → 60 × 0.4 = 24, plus satisfaction 40 × 0.9 = 36', () => {
    // Scored at the end of Q3: the results were published in July (their business time), after June.
    const q3 = periodEnd('2026-Q3');
    const scored = scoreCategory(
      buildScoringInput({ cycleId: 'c2026', category: 'towns', at: q3 }, sources()),
    );
    const a = scored.units.find((u) => u.unitId === 'town-a')!;
    expect(a.indicators.map((i) => [i.indicatorId, i.score])).toEqual([
      ['gdp', 24],
      ['sat-b', 36],
    ]);
    expect(a.total).toBe(60);
    // Before the report was recorded, nothing counted for gdp; satisfaction neither (published in July).
    const before = scoreCategory(
      buildScoringInput({ cycleId: 'c2026', category: 'towns', at: q3, asOf: FEB }, sources()),
    );
    expect(before.units.find((u) => u.unitId === 'town-a')!.total).toBe(0);
  });
});

describe('buildScoringInput: the office’s records and rulings', () => {
  const JUNE_15 = '2026-06-14T16:00:00.000Z'; // the start of 15 June in Shanghai
  const DEC = '2026-12-10T02:00:00.000Z';
  const JAN_27 = '2027-01-12T02:00:00.000Z';
  const q3 = periodEnd('2026-Q3');
  const END_JUNE = periodEnd('2026-Q2');
  const adjusted = (cycleId: string, unitId: string, kind: 'bonus' | 'penalty', amount: number) => {
    const e = stored(
      `scorerecords-${cycleId}:${unitId}`,
      'ScoreAdjusted',
      {
        adjustmentId: `adj-${unitId}-${kind}`,
        cycleId,
        unitId,
        kind,
        amount,
        reason: '扣分理由',
        basis: '市考核办〔2026〕12号',
        occurredOn: '2026-06-15',
        occurredAt: JUNE_15,
        adjustedAt: DEC,
      },
      DEC,
    );
    e.metadata.occurredAt = JUNE_15;
    return e;
  };
  const penalty = adjusted('c2026', 'town-a', 'penalty', 2);
  const veto = stored(
    'scorerecords-c2026:town-b',
    'VetoImposed',
    {
      vetoId: 'v1',
      cycleId: 'c2026',
      unitId: 'town-b',
      reason: '安全生产事故',
      basis: '文件',
      occurredOn: '2026-06-15',
      occurredAt: JUNE_15,
      imposedAt: DEC,
    },
    DEC,
  );
  const rulingOn = (subject: Record<string, unknown>, outcome: string, amount: number | null) =>
    stored(
      `appeal-${String(subject.kind)}`,
      'RulingRecorded',
      {
        appealId: `ap-${String(subject.kind)}`,
        cycleId: 'c2026',
        unitId: 'town-a',
        publicationId: 'pub-1',
        subject,
        outcome,
        amount,
        reasoning: '理由',
        effectiveFrom: JUNE_15,
        ruledAt: JAN_27,
      },
      JAN_27,
    );
  const overturn = rulingOn(
    {
      kind: 'adjustment',
      adjustmentId: 'adj-town-a-penalty',
      recordKind: 'penalty',
      amount: 2,
      eventId: penalty.id,
      occurredAt: JUNE_15,
    },
    'overturned',
    null,
  );
  const verification = rulingOn(
    {
      kind: 'verification',
      targetId: 't1',
      reportId: 'r2',
      period: '2026-Q2',
      eventId: 'e-rejected',
      occurredAt: END_JUNE,
    },
    'upheld',
    null,
  );
  const score = rulingOn({ kind: 'score', eventId: null, occurredAt: END_JUNE }, 'partial', 1.5);
  const withRecords = (): ScoringSources => ({
    ...sources(),
    recordEvents: [
      penalty,
      veto,
      adjusted('c2025', 'town-a', 'bonus', 3), // another cycle
      adjusted('c2026', 'stats', 'bonus', 3), // not a town
      overturn,
      verification,
      score,
    ],
  });

  it('maps ScoreAdjusted and VetoImposed of this cycle and population to records, at their occurredAt', () => {
    const input = buildScoringInput({ cycleId: 'c2026', category: 'towns', at: q3 }, withRecords());
    expect(input.records).toEqual([
      {
        eventId: penalty.id,
        position: penalty.position,
        recordedAt: DEC,
        unitId: 'town-a',
        occurredAt: JUNE_15,
        reason: '扣分理由',
        kind: 'penalty',
        amount: 2,
      },
      expect.objectContaining({ eventId: veto.id, unitId: 'town-b', kind: 'veto', occurredAt: JUNE_15 }),
    ]);
  });

  it('maps RulingRecorded to rulings on the record, the rejection or the score', () => {
    const input = buildScoringInput({ cycleId: 'c2026', category: 'towns', at: q3 }, withRecords());
    expect(input.rulings).toEqual([
      {
        eventId: overturn.id,
        position: overturn.position,
        recordedAt: JAN_27,
        appealId: 'ap-adjustment',
        unitId: 'town-a',
        subject: { kind: 'record', eventId: penalty.id },
        outcome: 'overturned',
        amount: null,
        effectiveFrom: JUNE_15,
      },
      expect.objectContaining({
        subject: { kind: 'rejection', targetId: 't1', reportId: 'r2', eventId: 'e-rejected' },
        outcome: 'upheld',
      }),
      expect.objectContaining({ subject: { kind: 'score' }, outcome: 'partial', amount: 1.5 }),
    ]);
  });

  it('carries their provenance: an adjustment approved in December that applies to June shows both', () => {
    const input = buildScoringInput({ cycleId: 'c2026', category: 'towns', at: q3 }, withRecords());
    expect(input.provenance!.find((p) => p.eventId === penalty.id)).toEqual({
      eventId: penalty.id,
      position: penalty.position,
      type: 'ScoreAdjusted',
      recordedAt: DEC,
      occurredAt: JUNE_15,
      actor: { userId: 'u', role: 'assessmentAdmin' },
    });
    expect(input.provenance!.map((p) => p.type)).toEqual(
      expect.arrayContaining(['VetoImposed', 'RulingRecorded']),
    );
  });

  it('feeds the engine: the penalty counts until the ruling is known, and the score ruling adds 1.5', () => {
    const scored = (asOf?: string) =>
      scoreCategory(
        buildScoringInput(
          { cycleId: 'c2026', category: 'towns', at: q3, ...(asOf ? { asOf } : {}) },
          withRecords(),
        ),
      ).units;
    const a = (asOf?: string) => scored(asOf).find((u) => u.unitId === 'town-a')!;
    expect(a(DEC).total).toBe(60 - 2);
    expect(a().total).toBe(60 + 1.5);
    expect(scored().find((u) => u.unitId === 'town-b')).toMatchObject({ vetoed: true, grade: 'admonished' });
  });
});

describe('buildScoringInput: accountability actions (@dukao/supervision)', () => {
  const APRIL_22 = '2026-04-21T16:00:00.000Z'; // the start of 22 April in Shanghai
  const RECORDED = '2026-04-22T02:00:00.000Z';
  const taken = (cycleId: string, unitId: string, action: string) => {
    const e = stored(
      'supervision-n1',
      'AccountabilityActionTaken',
      {
        actionId: `act-${cycleId}-${unitId}`,
        cycleId,
        unitId,
        action,
        official: null,
        reason: '二次督办逾期',
        basis: '',
        noticeId: 'n1',
        round: 2,
        causes: [],
        deduction: 1,
        schemeVersion: 1,
        occurredOn: '2026-04-22',
        occurredAt: APRIL_22,
        takenAt: RECORDED,
      },
      RECORDED,
    );
    e.metadata.occurredAt = APRIL_22;
    return e;
  };
  const notice = taken('c2026', 'town-a', 'publicNotice');
  const withActions = (): ScoringSources => ({
    ...sources(),
    recordEvents: [notice, taken('c2025', 'town-a', 'admonition'), taken('c2026', 'stats', 'interview')],
  });
  const q3 = periodEnd('2026-Q3');

  it('maps AccountabilityActionTaken of this cycle and population to an accountability record, at its occurredAt', () => {
    const input = buildScoringInput({ cycleId: 'c2026', category: 'towns', at: q3 }, withActions());
    expect(input.records).toEqual([
      {
        eventId: notice.id,
        position: notice.position,
        recordedAt: RECORDED,
        unitId: 'town-a',
        occurredAt: APRIL_22,
        reason: '二次督办逾期',
        kind: 'accountability',
        action: 'publicNotice',
      },
    ]);
    expect(input.provenance!.find((p) => p.eventId === notice.id)).toMatchObject({
      type: 'AccountabilityActionTaken',
      occurredAt: APRIL_22,
    });
  });

  it('feeds the engine: the scheme’s publicNotice deduction (1) comes off from its date on', () => {
    const a = (at: string) =>
      scoreCategory(buildScoringInput({ cycleId: 'c2026', category: 'towns', at }, withActions())).units.find(
        (u) => u.unitId === 'town-a',
      )!;
    expect(a(q3)).toMatchObject({ total: 60 - 1, accountabilityThousandths: 1000 });
    expect(a(periodEnd('2026-03')).accountabilityThousandths).toBe(0);
  });
});

describe('buildScoringInput: confirmed false reports (@dukao/audit spot checks)', () => {
  const OCT_20 = '2026-10-20T02:00:00.000Z';
  const confirmed = (cycleId: string, unitId: string, kind: 'falseReport' | 'concealment') => {
    const e = stored(
      'spotcheck-sc1',
      'FalseReportConfirmed',
      {
        caseId: `case-${cycleId}-${unitId}-${kind}`,
        kind,
        spotCheckId: 'sc1',
        itemId: 'r1',
        cycleId,
        unitId,
        category: 'towns',
        targetId: 't1',
        reportId: 'r1',
        period: '2026-Q3',
        findings: '现场核查与填报不符',
        evidence: [],
        occurredAt: OCT_20,
        confirmedAt: OCT_20,
      },
      OCT_20,
    );
    e.metadata.occurredAt = OCT_20;
    return e;
  };
  const falseReport = confirmed('c2026', 'town-a', 'falseReport');
  const concealment = confirmed('c2026', 'town-a', 'concealment');
  const withCases = (): ScoringSources => ({
    ...sources(),
    recordEvents: [
      falseReport,
      concealment,
      confirmed('c2025', 'town-a', 'falseReport'),
      confirmed('c2026', 'stats', 'falseReport'),
    ],
  });

  it('maps both kinds of this cycle and population to falseReport records, at their occurredAt', () => {
    const input = buildScoringInput(
      { cycleId: 'c2026', category: 'towns', at: periodEnd('2026-Q4') },
      withCases(),
    );
    expect(input.records).toEqual(
      [falseReport, concealment].map((e) => ({
        eventId: e.id,
        position: e.position,
        recordedAt: OCT_20,
        unitId: 'town-a',
        occurredAt: OCT_20,
        reason: '现场核查与填报不符',
        kind: 'falseReport',
      })),
    );
    expect(input.provenance!.find((p) => p.eventId === falseReport.id)).toMatchObject({
      type: 'FalseReportConfirmed',
    });
  });

  it('feeds the engine: the scheme’s falseReportDeduction (5) per case from its date on', () => {
    const a = (at: string) =>
      scoreCategory(buildScoringInput({ cycleId: 'c2026', category: 'towns', at }, withCases())).units.find(
        (u) => u.unitId === 'town-a',
      )!;
    expect(a(periodEnd('2026-Q4')).falseReportThousandths).toBe(10_000);
    expect(a(periodEnd('2026-Q3')).falseReportThousandths).toBe(0);
  });

  it('is among the event types that change a score', () => {
    expect(SCORE_AFFECTING_EVENT_TYPES).toContain('FalseReportConfirmed');
  });
});
