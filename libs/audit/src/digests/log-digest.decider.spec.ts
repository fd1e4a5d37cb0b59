import { deciderSpec } from '@dukao/testing';
import { logDigestDecider } from './log-digest.decider';
import type { LogDigestDocument, LogDigestSigned } from './log-digest.events';

const document: LogDigestDocument = {
  format: 'dukao-log-digest/1',
  digestId: '6f1c1a0e-3f5c-4d3a-9a57-0d5b1d9e7a01',
  merkle: 'rfc6962-by-position/1',
  hashAlgorithm: 'sha256',
  eventCount: 3,
  firstPosition: 1,
  lastPosition: 3,
  lastEventId: '6f1c1a0e-3f5c-4d3a-9a57-0d5b1d9e7a02',
  root: 'a'.repeat(64),
  peaks: [
    { size: 2, hash: 'b'.repeat(64) },
    { size: 1, hash: 'c'.repeat(64) },
  ],
  trigger: { kind: 'schedule' },
  signedAt: '2026-07-01T00:00:00.000Z',
  key: { algorithm: 'ed25519', keyId: 'd'.repeat(64), publicKey: '-----BEGIN PUBLIC KEY-----' },
  signature: 'c2lnbmF0dXJl',
};
const signed: LogDigestSigned = { type: 'LogDigestSigned', data: document };
const spec = deciderSpec(logDigestDecider);

describe('log digest decider', () => {
  describe('when no digest is recorded under the id', () => {
    it('records the signed document as it is', () => {
      spec.given().when({ type: 'RecordLogDigest', document }).then([signed]);
    });

    it('refuses peaks that do not add up to the event count', () => {
      spec
        .given()
        .when({ type: 'RecordLogDigest', document: { ...document, eventCount: 4 } })
        .thenRefuses('INVALID_LOG_DIGEST', /事件数/);
    });

    it('refuses a root that is not a digest', () => {
      spec
        .given()
        .when({ type: 'RecordLogDigest', document: { ...document, root: 'xyz' } })
        .thenRefuses('INVALID_LOG_DIGEST', /根哈希/);
    });

    it('refuses an empty log with a last position, and an unsigned document', () => {
      spec
        .given()
        .when({ type: 'RecordLogDigest', document: { ...document, eventCount: 0, peaks: [] } })
        .thenRefuses('INVALID_LOG_DIGEST', /末位置/);
      spec
        .given()
        .when({ type: 'RecordLogDigest', document: { ...document, signature: '' } })
        .thenRefuses('INVALID_LOG_DIGEST', /签名/);
    });
  });

  describe('when the digest is already recorded', () => {
    it('records nothing again', () => {
      spec
        .given(signed)
        .when({ type: 'RecordLogDigest', document: { ...document, root: 'e'.repeat(64) } })
        .then([]);
    });
  });
});
