import { documentProjection } from '@dukao/projections';
import type { ReadModelDocument } from '@dukao/read-model-store';

/** One document per stream of the log: what the audit views list and page through. */
export interface StreamCatalogEntry extends ReadModelDocument {
  /** `target`, `report`, … : the stream id up to its first dash. */
  category: string;
  revision: number;
  eventCount: number;
  firstEventType: string;
  lastEventType: string;
  firstRecordedAt: string;
  lastRecordedAt: string;
  lastPosition: number;
  lastActorId: string;
  lastHash: string;
}

export const STREAM_CATALOG = 'streamCatalog';

export const streamCatalogProjection = documentProjection<StreamCatalogEntry>({
  name: 'streamCatalog',
  version: 1,
  collection: {
    name: STREAM_CATALOG,
    indexes: [{ fields: { category: 1, lastPosition: -1 } }, { fields: { lastRecordedAt: -1 } }],
  },
  documentId: (event) => event.streamId,
  evolve: (entry, event) => ({
    _id: event.streamId,
    category: entry?.category ?? event.streamId.split('-')[0]!,
    revision: event.revision,
    eventCount: (entry?.eventCount ?? 0) + 1,
    firstEventType: entry?.firstEventType ?? event.type,
    lastEventType: event.type,
    firstRecordedAt: entry?.firstRecordedAt ?? event.metadata.recordedAt,
    lastRecordedAt: event.metadata.recordedAt,
    lastPosition: event.position,
    lastActorId: event.metadata.actor.userId,
    lastHash: event.metadata.hash,
  }),
});
