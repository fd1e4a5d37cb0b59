import { deciderSpec } from '@dukao/testing';
import type { EvidenceRef } from '@dukao/evidence-store';
import { type SpotCheckCommand, spotCheckDecider } from './spot-check.decider';
import type { SpotCheckEvent } from './spot-check.events';
import { type FrameItem, deriveSeed, drawSample, frameDigest, logDigest } from './spot-check.sampler';

const at = '2026-10-12T02:00:00.000Z';
const log = { position: 57, eventId: 'e-57', hash: 'c'.repeat(64) };
const report = (n: number, unitId: string): FrameItem => ({
  itemId: `r-${n}`,
  targetId: `t-${unitId}`,
  reportId: `r-${n}`,
  period: '2026-Q3',
  unitId,
  category: 'towns',
  indicatorId: 'gdp-growth',
});
const frame = [report(1, 'town-a'), report(2, 'town-b'), report(3, 'town-c')];
const rule = {
  cycleId: '2026',
  population: 'reports',
  period: '2026-Q3',
  unitIds: null,
  categories: null,
} as const;
const draw = (
  overrides: Partial<Extract<SpotCheckCommand, { type: 'DrawSpotCheck' }>> = {},
): SpotCheckCommand => ({
  type: 'DrawSpotCheck',
  spotCheckId: 'sc-1',
  title: ' 三季度察访核验 ',
  rule,
  size: { kind: 'count', value: 3 },
  strata: 'none',
  frame,
  log,
  cycleKnown: true,
  role: 'inspector',
  at,
  ...overrides,
});
const seed = deriveSeed(logDigest(log), 'sc-1');
const drawn: SpotCheckEvent = {
  type: 'SpotCheckDrawn',
  data: {
    spotCheckId: 'sc-1',
    title: '三季度察访核验',
    cycleId: '2026',
    population: 'reports',
    period: '2026-Q3',
    unitIds: null,
    categories: null,
    size: { kind: 'count', value: 3 },
    strata: 'none',
    frame,
    frameDigest: frameDigest(frame),
    logPosition: 57,
    logEventId: 'e-57',
    logEventHash: 'c'.repeat(64),
    logDigest: logDigest(log),
    seed,
    algorithm: 'sha256-rank-v1',
    sample: drawSample(frame, seed, { size: { kind: 'count', value: 3 }, strata: 'none' }),
    drawnAt: at,
  },
};
const evidence: EvidenceRef[] = [
  {
    fileId: 'f'.repeat(64),
    name: '核查记录.pdf',
    mediaType: 'application/pdf',
    size: 10,
    sha256: 'f'.repeat(64),
    sm3: 'e'.repeat(64),
  },
];
const outcome = (
  overrides: Partial<Extract<SpotCheckCommand, { type: 'RecordSpotCheckOutcome' }>> = {},
): SpotCheckCommand => ({
  type: 'RecordSpotCheckOutcome',
  spotCheckId: 'sc-1',
  itemId: 'r-1',
  outcome: 'falseReport',
  reportId: null,
  findings: ' 现场核查实际增速 3.5% ',
  evidence,
  targetReports: [],
  caseId: 'case-1',
  role: 'inspector',
  at: '2026-10-20T02:00:00.000Z',
  ...overrides,
});
const base = {
  spotCheckId: 'sc-1',
  cycleId: '2026',
  itemId: 'r-1',
  unitId: 'town-a',
  category: 'towns',
  targetId: 't-town-a',
  reportId: 'r-1',
};
const spec = deciderSpec(spotCheckDecider);

describe('when nothing is drawn yet', () => {
  it('draws: records the frame, its digest, the log digest, the seed and the sample', () => {
    spec.given().when(draw()).then([drawn]);
  });

  it('lets the assessment office draw too', () => {
    spec
      .given()
      .when(draw({ role: 'assessmentAdmin' }))
      .then([drawn]);
  });

  it('refuses a unit’s staff, an unknown cycle, a bad size, a blank title and an empty frame', () => {
    spec
      .given()
      .when(draw({ role: 'unitStaff' }))
      .thenRefuses('SPOT_CHECK_FORBIDDEN');
    spec
      .given()
      .when(draw({ cycleKnown: false }))
      .thenRefuses('CYCLE_NOT_FOUND');
    spec
      .given()
      .when(draw({ size: { kind: 'share', value: 0 } }))
      .thenRefuses('INVALID_SPOT_CHECK', /比例/);
    spec
      .given()
      .when(draw({ title: ' ' }))
      .thenRefuses('INVALID_SPOT_CHECK', /名称/);
    spec
      .given()
      .when(draw({ frame: [] }))
      .thenRefuses('SPOT_CHECK_FRAME_EMPTY');
  });

  it('refuses an outcome: there is no such spot check', () => {
    spec.given().when(outcome()).thenRefuses('SPOT_CHECK_NOT_FOUND');
  });
});

describe('when drawn', () => {
  it('refuses drawing again under the same id', () => {
    spec.given(drawn).when(draw()).thenRefuses('SPOT_CHECK_EXISTS');
  });

  it('records a confirmed report without findings', () => {
    spec
      .given(drawn)
      .when(outcome({ outcome: 'confirmed', findings: null, evidence: [] }))
      .then([
        {
          type: 'SpotCheckOutcomeRecorded',
          data: {
            ...base,
            outcome: 'confirmed',
            findings: null,
            evidence: [],
            decidedAt: '2026-10-20T02:00:00.000Z',
          },
        },
      ]);
  });

  it('records a false report (虚报) and confirms the case that is deducted', () => {
    spec
      .given(drawn)
      .when(outcome())
      .then([
        {
          type: 'SpotCheckOutcomeRecorded',
          data: {
            ...base,
            outcome: 'falseReport',
            findings: '现场核查实际增速 3.5%',
            evidence,
            decidedAt: '2026-10-20T02:00:00.000Z',
          },
        },
        {
          type: 'FalseReportConfirmed',
          data: {
            caseId: 'case-1',
            kind: 'falseReport',
            ...base,
            period: '2026-Q3',
            findings: '现场核查实际增速 3.5%',
            evidence,
            occurredAt: '2026-10-20T02:00:00.000Z',
            confirmedAt: '2026-10-20T02:00:00.000Z',
          },
        },
      ]);
  });

  it('records concealment (瞒报) as a case of kind concealment', () => {
    const events = spotCheckDecider.decide(
      outcome({ itemId: 'r-2', outcome: 'concealment' }),
      spec.given(drawn).state,
    );
    expect(events.map((e) => e.type)).toEqual(['SpotCheckOutcomeRecorded', 'FalseReportConfirmed']);
    expect(events[1]!.data).toMatchObject({ kind: 'concealment', unitId: 'town-b', reportId: 'r-2' });
  });

  it('refuses an item not in the sample', () => {
    const small = {
      ...drawn,
      data: { ...drawn.data, sample: drawn.data.sample.filter((s) => s.itemId !== 'r-3') },
    };
    spec
      .given(small)
      .when(outcome({ itemId: 'r-3' }))
      .thenRefuses('SPOT_CHECK_ITEM_NOT_SAMPLED');
    spec
      .given(drawn)
      .when(outcome({ itemId: 'r-9' }))
      .thenRefuses('SPOT_CHECK_ITEM_NOT_SAMPLED');
  });

  it('refuses a second outcome for the same item', () => {
    const first = spotCheckDecider.decide(outcome({ outcome: 'confirmed' }), spec.given(drawn).state);
    spec
      .given(drawn, ...first)
      .when(outcome())
      .thenRefuses('SPOT_CHECK_OUTCOME_EXISTS');
  });

  it('refuses an outcome from anyone but an inspector', () => {
    spec
      .given(drawn)
      .when(outcome({ role: 'assessmentAdmin' }))
      .thenRefuses('SPOT_CHECK_FORBIDDEN', /电子监察/);
  });

  it('refuses a false finding without findings or without evidence, and another report than the one drawn', () => {
    spec
      .given(drawn)
      .when(outcome({ findings: ' ' }))
      .thenRefuses('INVALID_SPOT_CHECK_OUTCOME', /核查发现/);
    spec
      .given(drawn)
      .when(outcome({ evidence: [] }))
      .thenRefuses('INVALID_SPOT_CHECK_OUTCOME', /佐证/);
    spec
      .given(drawn)
      .when(outcome({ reportId: 'r-2' }))
      .thenRefuses('INVALID_SPOT_CHECK_OUTCOME');
  });
});

describe('when targets were drawn', () => {
  const target: FrameItem = { ...report(1, 'town-a'), itemId: 't-town-a', reportId: null, period: null };
  const targetSeed = deriveSeed(logDigest(log), 'sc-2');
  const targetsDrawn: SpotCheckEvent = {
    type: 'SpotCheckDrawn',
    data: {
      ...drawn.data,
      spotCheckId: 'sc-2',
      population: 'targets',
      period: null,
      frame: [target],
      frameDigest: frameDigest([target]),
      seed: targetSeed,
      sample: drawSample([target], targetSeed, { size: { kind: 'count', value: 3 }, strata: 'none' }),
    },
  };
  const reports = [{ reportId: 'r-1', period: '2026-Q3' }];

  it('a 虚报 names one of the target’s reports', () => {
    const events = spotCheckDecider.decide(
      outcome({ spotCheckId: 'sc-2', itemId: 't-town-a', reportId: 'r-1', targetReports: reports }),
      spec.given(targetsDrawn).state,
    );
    expect(events[1]!.data).toMatchObject({
      kind: 'falseReport',
      itemId: 't-town-a',
      reportId: 'r-1',
      period: '2026-Q3',
    });
  });

  it('refuses a 虚报 naming no report, or a report of another target', () => {
    spec
      .given(targetsDrawn)
      .when(outcome({ spotCheckId: 'sc-2', itemId: 't-town-a', targetReports: reports }))
      .thenRefuses('INVALID_SPOT_CHECK_OUTCOME', /指明所涉填报/);
    spec
      .given(targetsDrawn)
      .when(outcome({ spotCheckId: 'sc-2', itemId: 't-town-a', reportId: 'r-x', targetReports: reports }))
      .thenRefuses('INVALID_SPOT_CHECK_OUTCOME', /不属于/);
  });

  it('a concealment may concern the target as a whole', () => {
    const events = spotCheckDecider.decide(
      outcome({ spotCheckId: 'sc-2', itemId: 't-town-a', outcome: 'concealment', targetReports: reports }),
      spec.given(targetsDrawn).state,
    );
    expect(events[1]!.data).toMatchObject({ kind: 'concealment', reportId: null, period: null });
  });
});
