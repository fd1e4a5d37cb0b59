import { projectionSpec, storedEvent } from '@dukao/testing';
import { STREAM_CATALOG, streamCatalogProjection } from './stream-catalog.projection';

describe('streamCatalog projection', () => {
  const issued = storedEvent(
    'TargetIssued',
    { value: 8 },
    { streamId: 'target-a', revision: 0, metadata: { recordedAt: '2026-01-05T01:00:00.000Z' } },
  );
  const adjusted = storedEvent(
    'TargetAdjusted',
    { value: 9 },
    {
      streamId: 'target-a',
      revision: 1,
      metadata: {
        recordedAt: '2026-03-01T02:00:00.000Z',
        actor: { userId: 'u-admin', role: 'assessmentAdmin' },
      },
    },
  );

  it('describes a new stream from its first event', () => {
    expect(
      projectionSpec(streamCatalogProjection).given(issued).document(STREAM_CATALOG, 'target-a'),
    ).toEqual({
      _id: 'target-a',
      _position: issued.position,
      category: 'target',
      revision: 0,
      eventCount: 1,
      firstEventType: 'TargetIssued',
      lastEventType: 'TargetIssued',
      firstRecordedAt: '2026-01-05T01:00:00.000Z',
      lastRecordedAt: '2026-01-05T01:00:00.000Z',
      lastPosition: issued.position,
      lastActorId: 'u-1',
      lastHash: issued.metadata.hash,
    });
  });

  it('keeps the first event and moves the last one forward', () => {
    const entry = projectionSpec(streamCatalogProjection)
      .given(issued, adjusted)
      .document(STREAM_CATALOG, 'target-a');
    expect(entry).toMatchObject({
      revision: 1,
      eventCount: 2,
      firstEventType: 'TargetIssued',
      lastEventType: 'TargetAdjusted',
      firstRecordedAt: '2026-01-05T01:00:00.000Z',
      lastRecordedAt: '2026-03-01T02:00:00.000Z',
      lastActorId: 'u-admin',
    });
  });

  it('changes nothing when the same event is applied twice', () => {
    const once = projectionSpec(streamCatalogProjection)
      .given(issued, adjusted)
      .document(STREAM_CATALOG, 'target-a');
    const twice = projectionSpec(streamCatalogProjection)
      .given(issued, adjusted, adjusted, issued)
      .document(STREAM_CATALOG, 'target-a');
    expect(twice).toEqual(once);
  });
});
