import { projectionSpec, storedEvent } from '@dukao/testing';
import { APPEALS, appealsProjection } from './appeals.projection';

const subject = { kind: 'score', eventId: null, occurredAt: '2026-06-30T16:00:00.000Z' };
const staff = { actor: { userId: 'staff-a', role: 'unitStaff', unitId: 'town-a' } };
const admin = { actor: { userId: 'admin-1', role: 'assessmentAdmin', unitId: null } };
const filed = (appealId: string) =>
  storedEvent(
    'AppealFiled',
    {
      appealId,
      cycleId: '2026',
      unitId: 'town-a',
      category: 'towns',
      publicationId: 'pub-1',
      subject,
      reasons: '满意度测评样本不足',
      evidence: [],
      filedAt: '2026-07-08T02:00:00.000Z',
    },
    { streamId: `appeal-${appealId}`, metadata: staff },
  );
const filed1 = filed('ap-1');
const filed2 = filed('ap-2');
const withdrawn = storedEvent(
  'AppealWithdrawn',
  {
    appealId: 'ap-2',
    cycleId: '2026',
    unitId: 'town-a',
    reason: '撤回',
    withdrawnAt: '2026-07-09T02:00:00.000Z',
  },
  { streamId: 'appeal-ap-2', metadata: staff },
);
const ruled = storedEvent(
  'RulingRecorded',
  {
    appealId: 'ap-1',
    cycleId: '2026',
    unitId: 'town-a',
    publicationId: 'pub-1',
    subject,
    outcome: 'partial',
    amount: 1.5,
    reasoning: '部分成立',
    effectiveFrom: '2026-06-30T16:00:00.000Z',
    ruledAt: '2026-08-01T02:00:00.000Z',
  },
  { streamId: 'appeal-ap-1', metadata: admin },
);

describe('appeals projection', () => {
  it('shows a filed appeal with who filed it', () => {
    expect(projectionSpec(appealsProjection).given(filed1).document(APPEALS, 'ap-1')).toMatchObject({
      appealId: 'ap-1',
      status: 'filed',
      subject,
      filedBy: { userId: 'staff-a', role: 'unitStaff' },
      withdrawal: null,
      ruling: null,
    });
  });

  it('shows the ruling with who recorded it, and a withdrawal', () => {
    const spec = projectionSpec(appealsProjection).given(filed1, filed2, ruled, withdrawn);
    expect(spec.document(APPEALS, 'ap-1')).toMatchObject({
      status: 'ruled',
      ruling: {
        outcome: 'partial',
        amount: 1.5,
        reasoning: '部分成立',
        effectiveFrom: '2026-06-30T16:00:00.000Z',
        ruledAt: '2026-08-01T02:00:00.000Z',
        ruledBy: 'admin-1',
        eventId: ruled.id,
      },
    });
    expect(spec.document(APPEALS, 'ap-2')).toMatchObject({
      status: 'withdrawn',
      withdrawal: { reason: '撤回', withdrawnBy: 'staff-a' },
      ruling: null,
    });
  });

  it('changes nothing when the same events are applied twice', () => {
    const once = projectionSpec(appealsProjection).given(filed1, ruled).document(APPEALS, 'ap-1');
    const twice = projectionSpec(appealsProjection)
      .given(filed1, ruled, filed1, ruled)
      .document(APPEALS, 'ap-1');
    expect(twice).toEqual(once);
  });
});
