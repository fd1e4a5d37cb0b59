import type { JsonValue } from '@dukao/event-store';
import { projectionSpec, storedEvent } from '@dukao/testing';
import { SCORE_RECORDS, scoreAdjustmentsProjection } from './score-adjustments.projection';

const JUNE_15 = '2026-06-14T16:00:00.000Z';
const DEC = '2026-12-10T02:00:00.000Z';
const admin = { actor: { userId: 'admin-1', role: 'assessmentAdmin', unitId: null }, recordedAt: DEC };
const penalty = storedEvent(
  'ScoreAdjusted',
  {
    adjustmentId: 'adj-1',
    cycleId: '2026',
    unitId: 'town-a',
    kind: 'penalty',
    amount: 2,
    reason: '安全生产约谈',
    basis: '市考核办〔2026〕12号',
    occurredOn: '2026-06-15',
    occurredAt: JUNE_15,
    adjustedAt: DEC,
  },
  { streamId: 'scorerecords-2026:town-a', metadata: admin },
);
const veto = storedEvent(
  'VetoImposed',
  {
    vetoId: 'veto-1',
    cycleId: '2026',
    unitId: 'town-b',
    reason: '重大事故',
    basis: '市委〔2026〕3号',
    occurredOn: '2026-06-15',
    occurredAt: JUNE_15,
    imposedAt: DEC,
  },
  { streamId: 'scorerecords-2026:town-b', metadata: admin },
);
const ruling = (subject: { [key: string]: JsonValue }) =>
  storedEvent(
    'RulingRecorded',
    {
      appealId: 'ap-1',
      cycleId: '2026',
      unitId: 'town-a',
      publicationId: 'pub-1',
      subject,
      outcome: 'partial',
      amount: 0.5,
      reasoning: '部分成立',
      effectiveFrom: JUNE_15,
      ruledAt: '2027-01-10T02:00:00.000Z',
    },
    { streamId: 'appeal-ap-1' },
  );
const onPenalty = ruling({
  kind: 'adjustment',
  adjustmentId: 'adj-1',
  recordKind: 'penalty',
  amount: 2,
  eventId: penalty.id,
  occurredAt: JUNE_15,
});

describe('scoreRecords projection', () => {
  it('keeps one document per adjustment with who recorded it and when, and both times', () => {
    expect(
      projectionSpec(scoreAdjustmentsProjection).given(penalty).document(SCORE_RECORDS, 'adj-1'),
    ).toEqual({
      _id: 'adj-1',
      _position: penalty.position,
      recordType: 'adjustment',
      kind: 'penalty',
      cycleId: '2026',
      unitId: 'town-a',
      amount: 2,
      reason: '安全生产约谈',
      basis: '市考核办〔2026〕12号',
      occurredOn: '2026-06-15',
      occurredAt: JUNE_15,
      recordedAt: DEC,
      recordedBy: { userId: 'admin-1', role: 'assessmentAdmin' },
      eventId: penalty.id,
      rulings: [],
    });
  });

  it('keeps a veto as a record of kind veto without an amount', () => {
    expect(
      projectionSpec(scoreAdjustmentsProjection).given(veto).document(SCORE_RECORDS, 'veto-1'),
    ).toMatchObject({
      recordType: 'veto',
      kind: 'veto',
      amount: null,
      unitId: 'town-b',
    });
  });

  it('adds a ruling on the record to it; rulings on a score or a verification touch no record', () => {
    const spec = projectionSpec(scoreAdjustmentsProjection).given(
      penalty,
      veto,
      onPenalty,
      ruling({ kind: 'score', eventId: null, occurredAt: JUNE_15 }),
    );
    expect(spec.document(SCORE_RECORDS, 'adj-1')!.rulings).toEqual([
      {
        appealId: 'ap-1',
        outcome: 'partial',
        amount: 0.5,
        effectiveFrom: JUNE_15,
        ruledAt: '2027-01-10T02:00:00.000Z',
        eventId: onPenalty.id,
      },
    ]);
    expect(spec.document(SCORE_RECORDS, 'veto-1')!.rulings).toEqual([]);
    expect(spec.all(SCORE_RECORDS)).toHaveLength(2);
  });

  it('changes nothing when the same events are applied twice', () => {
    const once = projectionSpec(scoreAdjustmentsProjection)
      .given(penalty, onPenalty)
      .document(SCORE_RECORDS, 'adj-1');
    const twice = projectionSpec(scoreAdjustmentsProjection)
      .given(penalty, onPenalty, onPenalty, penalty)
      .document(SCORE_RECORDS, 'adj-1');
    expect(twice).toEqual(once);
  });
});
