import { projectionSpec, storedEvent } from '@dukao/testing';
import type { LogDigestDocument } from './log-digest.events';
import { LOG_DIGESTS, logDigestsProjection } from './log-digests.projection';

const document = {
  format: 'dukao-log-digest/1',
  digestId: '6f1c1a0e-3f5c-4d3a-9a57-0d5b1d9e7a01',
  merkle: 'rfc6962-by-position/1',
  hashAlgorithm: 'sha256',
  eventCount: 1,
  firstPosition: 1,
  lastPosition: 1,
  lastEventId: '6f1c1a0e-3f5c-4d3a-9a57-0d5b1d9e7a02',
  root: 'a'.repeat(64),
  peaks: [{ size: 1, hash: 'a'.repeat(64) }],
  trigger: { kind: 'publication', publicationId: 'p-1', eventId: 'e-1' },
  signedAt: '2026-07-01T00:00:00.000Z',
  key: { algorithm: 'ed25519', keyId: 'd'.repeat(64), publicKey: 'PEM' },
  signature: 'c2ln',
} satisfies LogDigestDocument;
const event = storedEvent('LogDigestSigned', document, { streamId: `logdigest-${document.digestId}` });

describe('logDigests projection', () => {
  it('given a signed digest, then a summary to list and the document to download', () => {
    expect(
      projectionSpec(logDigestsProjection).given(event).document(LOG_DIGESTS, document.digestId),
    ).toEqual({
      _id: document.digestId,
      _position: event.position,
      digestId: document.digestId,
      eventCount: 1,
      lastPosition: 1,
      root: 'a'.repeat(64),
      hashAlgorithm: 'sha256',
      keyId: 'd'.repeat(64),
      trigger: { kind: 'publication', publicationId: 'p-1', eventId: 'e-1' },
      signedAt: '2026-07-01T00:00:00.000Z',
      recordedAtPosition: event.position,
      recordedAt: event.metadata.recordedAt,
      document,
    });
  });

  it('applying the same event twice changes nothing', () => {
    const once = projectionSpec(logDigestsProjection).given(event).all(LOG_DIGESTS);
    expect(projectionSpec(logDigestsProjection).given(event, event).all(LOG_DIGESTS)).toEqual(once);
  });
});
