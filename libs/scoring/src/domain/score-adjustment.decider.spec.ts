import { deciderSpec } from '@dukao/testing';
import {
  MAX_ADJUSTMENT_POINTS,
  type ScoreRecordCommand,
  scoreRecordDecider,
  startOfShanghaiDay,
} from './score-adjustment.decider';
import type { ScoreAdjusted, VetoImposed } from './score-adjustment.events';

const at = '2026-12-10T02:00:00.000Z';
const open = { cycle: { status: 'open' as const, year: 2026 }, unitExists: true };
/** 15 June in Shanghai starts at 16:00 UTC on 14 June. */
const JUNE_15 = '2026-06-14T16:00:00.000Z';

const adjust = (
  over: Partial<Extract<ScoreRecordCommand, { type: 'AdjustScore' }>> = {},
): ScoreRecordCommand => ({
  type: 'AdjustScore',
  adjustmentId: 'adj-1',
  cycleId: '2026',
  unitId: 'town-a',
  kind: 'penalty',
  amount: 2,
  reason: '安全生产约谈',
  basis: '市考核办〔2026〕12号',
  occurredOn: '2026-06-15',
  references: open,
  at,
  ...over,
});
const veto = (
  over: Partial<Extract<ScoreRecordCommand, { type: 'ImposeVeto' }>> = {},
): ScoreRecordCommand => ({
  type: 'ImposeVeto',
  vetoId: 'veto-1',
  cycleId: '2026',
  unitId: 'town-a',
  reason: '发生重大安全生产责任事故',
  basis: '市委〔2026〕3号',
  occurredOn: '2026-06-15',
  references: open,
  at,
  ...over,
});
const adjusted = (over: Partial<ScoreAdjusted['data']> = {}): ScoreAdjusted => ({
  type: 'ScoreAdjusted',
  data: {
    adjustmentId: 'adj-1',
    cycleId: '2026',
    unitId: 'town-a',
    kind: 'penalty',
    amount: 2,
    reason: '安全生产约谈',
    basis: '市考核办〔2026〕12号',
    occurredOn: '2026-06-15',
    occurredAt: JUNE_15,
    adjustedAt: at,
    ...over,
  },
});
const imposed: VetoImposed = {
  type: 'VetoImposed',
  data: {
    vetoId: 'veto-1',
    cycleId: '2026',
    unitId: 'town-a',
    reason: '发生重大安全生产责任事故',
    basis: '市委〔2026〕3号',
    occurredOn: '2026-06-15',
    occurredAt: JUNE_15,
    imposedAt: at,
  },
};
const spec = deciderSpec(scoreRecordDecider);

describe('startOfShanghaiDay', () => {
  it('is 16:00 UTC the day before, and null for a date that does not exist', () => {
    expect(startOfShanghaiDay('2026-06-15')).toBe(JUNE_15);
    expect(startOfShanghaiDay('2026-01-01')).toBe('2025-12-31T16:00:00.000Z');
    expect(startOfShanghaiDay('2026-02-30')).toBeNull();
    expect(startOfShanghaiDay('15/06/2026')).toBeNull();
  });
});

describe('when the unit has no record in the cycle', () => {
  it('records a penalty with its business time, trimmed texts and the time recorded', () => {
    spec
      .given()
      .when(adjust({ reason: ' 安全生产约谈 ' }))
      .then([adjusted()]);
  });

  it('records a bonus of up to three decimals', () => {
    spec
      .given()
      .when(adjust({ kind: 'bonus', amount: 0.125 }))
      .then([adjusted({ kind: 'bonus', amount: 0.125 })]);
  });

  it('imposes a veto', () => {
    spec.given().when(veto()).then([imposed]);
  });

  it.each([0, -1, MAX_ADJUSTMENT_POINTS + 0.001, 0.0005, Number.NaN])('refuses an amount of %p', (amount) => {
    spec
      .given()
      .when(adjust({ amount }))
      .thenRefuses('INVALID_ADJUSTMENT_AMOUNT', /须大于 0、不超过 100 分/);
  });

  it('accepts the largest amount', () => {
    spec
      .given()
      .when(adjust({ amount: MAX_ADJUSTMENT_POINTS }))
      .then([adjusted({ amount: MAX_ADJUSTMENT_POINTS })]);
  });

  it('refuses an unknown unit', () => {
    spec
      .given()
      .when(adjust({ references: { ...open, unitExists: false } }))
      .thenRefuses('UNIT_NOT_FOUND', /考核单位不存在/);
  });

  it('refuses an unknown or closed cycle, for vetoes too', () => {
    spec
      .given()
      .when(adjust({ references: { cycle: { status: 'none', year: null }, unitExists: true } }))
      .thenRefuses('CYCLE_NOT_OPEN');
    spec
      .given()
      .when(veto({ references: { cycle: { status: 'closed', year: 2026 }, unitExists: true } }))
      .thenRefuses('CYCLE_NOT_OPEN', /已结束/);
  });

  it('refuses a date outside the cycle year, and one that does not exist', () => {
    spec
      .given()
      .when(adjust({ occurredOn: '2027-01-01' }))
      .thenRefuses('OCCURRED_ON_OUTSIDE_CYCLE', /2027-01-01 不在 2026 年度/);
    spec
      .given()
      .when(veto({ occurredOn: '2025-12-31' }))
      .thenRefuses('OCCURRED_ON_OUTSIDE_CYCLE');
    spec
      .given()
      .when(adjust({ occurredOn: '2026-02-30' }))
      .thenRefuses('INVALID_OCCURRED_ON');
  });

  it('refuses a blank reason or basis', () => {
    spec
      .given()
      .when(adjust({ reason: '  ' }))
      .thenRefuses('INVALID_SCORE_RECORD', /理由/);
    spec
      .given()
      .when(veto({ basis: '' }))
      .thenRefuses('INVALID_SCORE_RECORD', /依据/);
  });
});

describe('when the unit already has records in the cycle', () => {
  it('adds another adjustment and a veto beside them', () => {
    spec
      .given(adjusted(), imposed)
      .when(adjust({ adjustmentId: 'adj-2', kind: 'bonus', amount: 1 }))
      .then([adjusted({ adjustmentId: 'adj-2', kind: 'bonus', amount: 1 })]);
  });

  it('refuses a duplicate adjustment id and a duplicate veto id', () => {
    spec.given(adjusted()).when(adjust()).thenRefuses('ADJUSTMENT_EXISTS');
    spec.given(imposed).when(veto()).thenRefuses('VETO_EXISTS');
  });
});
