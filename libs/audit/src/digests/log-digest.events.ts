import type { HashAlgorithm } from '@dukao/event-store';
import type { MerklePeak } from './merkle';

export const LOG_DIGEST_FORMAT = 'dukao-log-digest/1';
export const LOG_DIGEST_MERKLE = 'rfc6962-by-position/1';

/** What made a digest: the timed schedule, a publication (公示), or an inspector's request. */
export type LogDigestTrigger =
  | { kind: 'schedule' }
  | { kind: 'publication'; publicationId: string; eventId: string }
  | { kind: 'request'; userId: string };

/** The signing key as the document carries it, so the document is self-contained. */
export type LogDigestKey = {
  algorithm: 'ed25519';
  /** SHA-256 (hex) of the public key's DER (SubjectPublicKeyInfo) bytes. */
  keyId: string;
  /** SubjectPublicKeyInfo, PEM. */
  publicKey: string;
};

/**
 * Everything the signature covers: the Merkle root over the first `eventCount` events of the log
 * (by position), the peaks it folds from, where the log ended, and who signs with which key.
 */
export type LogDigestBody = {
  format: typeof LOG_DIGEST_FORMAT;
  digestId: string;
  merkle: typeof LOG_DIGEST_MERKLE;
  hashAlgorithm: HashAlgorithm;
  eventCount: number;
  firstPosition: number | null;
  lastPosition: number | null;
  lastEventId: string | null;
  root: string;
  peaks: MerklePeak[];
  trigger: LogDigestTrigger;
  signedAt: string;
  key: LogDigestKey;
};

/** The downloadable, self-contained digest: the body and its signature (base64 of the Ed25519 signature over canonicalJson(body)). */
export type LogDigestDocument = LogDigestBody & { signature: string };

/** A signed digest of the whole log, recorded in the log itself (it is a leaf of the next digest). */
export type LogDigestSigned = { type: 'LogDigestSigned'; data: LogDigestDocument };

export type LogDigestEvent = LogDigestSigned;
export const LOG_DIGEST_EVENT_TYPES: readonly LogDigestEvent['type'][] = ['LogDigestSigned'];

export const LOG_DIGEST_STREAM_PREFIX = 'logdigest-';
/** One stream per digest. */
export const logDigestStream = (digestId: string) => `${LOG_DIGEST_STREAM_PREFIX}${digestId}`;
