import { projectionSpec, storedEvent } from '@dukao/testing';
import { AUDIT_TRAIL, auditTrailProjection, supersededBy } from './audit-trail.projection';

const correction = storedEvent(
  'ProgressReported',
  {
    targetId: 't-1',
    reportId: 'r-2',
    period: '2026-06',
    cumulativeValue: 3.2,
    replaces: 'r-1',
    narrative: '更正',
  },
  {
    streamId: 'target-t-1',
    revision: 4,
    metadata: {
      actor: { userId: 'u-staff', role: 'unitStaff', unitId: 'town-a' },
      correlationId: 'corr-9',
      causationId: 'cause-1',
      commandId: 'cmd-1',
      occurredAt: '2026-06-30T16:00:00.000Z',
      recordedAt: '2026-07-12T01:00:00.000Z',
      hash: 'ab'.repeat(32),
    },
  },
);

describe('auditTrail projection', () => {
  it('given a correction, then one entry with actor, role, both times, links and what it replaces', () => {
    expect(
      projectionSpec(auditTrailProjection).given(correction).document(AUDIT_TRAIL, correction.id),
    ).toEqual({
      _id: correction.id,
      _position: correction.position,
      position: correction.position,
      eventId: correction.id,
      type: 'ProgressReported',
      schemaVersion: 1,
      streamId: 'target-t-1',
      category: 'target',
      revision: 4,
      actorId: 'u-staff',
      actorRole: 'unitStaff',
      actorUnitId: 'town-a',
      recordedAt: '2026-07-12T01:00:00.000Z',
      occurredAt: '2026-06-30T16:00:00.000Z',
      correlationId: 'corr-9',
      causationId: 'cause-1',
      commandId: 'cmd-1',
      targetId: 't-1',
      unitId: null,
      supersedes: [{ kind: 'replaces', ref: 'r-1' }],
      hash: 'ab'.repeat(32),
      data: correction.data,
    });
  });

  it('names what rulings, republications, resubmissions and adjustments supersede', () => {
    expect(
      supersededBy(
        storedEvent('RulingRecorded', {
          appealId: 'a-1',
          unitId: 'town-a',
          subject: { kind: 'veto', eventId: 'e-7' },
        }),
      ),
    ).toEqual([{ kind: 'contests', ref: 'e-7' }]);
    expect(
      supersededBy(storedEvent('RankingPublished', { publicationId: 'p-2', supersedes: 'p-1' })),
    ).toEqual([{ kind: 'supersedes', ref: 'p-1' }]);
    expect(supersededBy(storedEvent('TargetResubmitted', { targetId: 't-1' }))).toEqual([
      { kind: 'resubmits', ref: 't-1' },
    ]);
    expect(
      supersededBy(
        storedEvent('RatingSheetSubmitted', { version: 2 }, { streamId: 'ratingsheet-c:d:u1:u2' }),
      ),
    ).toEqual([{ kind: 'resubmits', ref: 'ratingsheet-c:d:u1:u2@1' }]);
    expect(
      supersededBy(storedEvent('TargetAdjusted', { targetId: 't-1', rulingRef: '裁决〔2026〕3号' })),
    ).toEqual([{ kind: 'adjusts', ref: '裁决〔2026〕3号' }]);
    expect(supersededBy(storedEvent('ProgressReported', { targetId: 't-1', replaces: null }))).toEqual([]);
  });

  it('takes the unit from the data or the proposed definition, and hides credential hashes', () => {
    const proposed = storedEvent('TargetProposed', { targetId: 't-2', definition: { unitId: 'town-b' } });
    expect(
      projectionSpec(auditTrailProjection).given(proposed).document(AUDIT_TRAIL, proposed.id),
    ).toMatchObject({
      targetId: 't-2',
      unitId: 'town-b',
    });
    const password = storedEvent('PasswordSet', {
      userId: 'u-1',
      passwordHash: 'scrypt$secret',
      mustChange: false,
    });
    expect(
      projectionSpec(auditTrailProjection).given(password).document(AUDIT_TRAIL, password.id),
    ).toMatchObject({
      data: { userId: 'u-1', passwordHash: '[已隐去]', mustChange: false },
    });
  });

  it('applying the same event twice changes nothing', () => {
    const once = projectionSpec(auditTrailProjection).given(correction).all(AUDIT_TRAIL);
    expect(projectionSpec(auditTrailProjection).given(correction, correction).all(AUDIT_TRAIL)).toEqual(once);
  });
});
