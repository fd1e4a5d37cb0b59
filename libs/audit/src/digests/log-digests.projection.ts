import { documentProjection } from '@dukao/projections';
import type { ReadModelDocument } from '@dukao/read-model-store';
import type { LogDigestDocument, LogDigestTrigger } from './log-digest.events';

/** One document per signed digest: the list inspectors pick a digest to download from. */
export interface LogDigestView extends ReadModelDocument {
  digestId: string;
  eventCount: number;
  lastPosition: number | null;
  root: string;
  hashAlgorithm: string;
  keyId: string;
  trigger: LogDigestTrigger;
  signedAt: string;
  /** Where the LogDigestSigned event itself is in the log. */
  recordedAtPosition: number;
  recordedAt: string;
  /** The signed document as recorded, served for download. */
  document: LogDigestDocument;
}

export const LOG_DIGESTS = 'logDigests';

export const logDigestsProjection = documentProjection<LogDigestView>({
  name: 'logDigests',
  version: 1,
  eventTypes: ['LogDigestSigned'],
  collection: { name: LOG_DIGESTS, indexes: [{ fields: { recordedAtPosition: -1 } }] },
  documentId: (event) => (event.data as unknown as LogDigestDocument).digestId,
  evolve: (existing, event) => {
    if (existing) return existing;
    const d = event.data as unknown as LogDigestDocument;
    return {
      _id: d.digestId,
      digestId: d.digestId,
      eventCount: d.eventCount,
      lastPosition: d.lastPosition,
      root: d.root,
      hashAlgorithm: d.hashAlgorithm,
      keyId: d.key.keyId,
      trigger: d.trigger,
      signedAt: d.signedAt,
      recordedAtPosition: event.position,
      recordedAt: event.metadata.recordedAt,
      document: d,
    };
  },
});
