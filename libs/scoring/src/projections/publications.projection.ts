import type { Projection } from '@dukao/projections';
import type { ReadModelDocument } from '@dukao/read-model-store';
import {
  PUBLICATION_EVENT_TYPES,
  type PublicationEvent,
  type RankingPublished,
} from '../domain/publication.events';

export const PUBLICATIONS = 'publications';

/**
 * One document per publication (公示), `_id` its publicationId: the event's data as published (rows
 * included, never recomputed), who published it, and the later publication of the same period that
 * replaced it (`supersededBy`, null while it is the one in force).
 */
type PublicationData = RankingPublished['data'];

export interface PublicationView extends ReadModelDocument, PublicationData {
  publishedBy: string;
  supersededBy: string | null;
}

export const publicationsProjection: Projection = {
  name: 'publications',
  version: 1,
  eventTypes: PUBLICATION_EVENT_TYPES,
  collections: [
    {
      name: PUBLICATIONS,
      indexes: [{ fields: { cycleId: 1, category: 1, publishedAt: -1 } }],
    },
  ],
  changes(stored) {
    const event = stored as unknown as PublicationEvent;
    switch (event.type) {
      case 'RankingPublished': {
        const data = event.data;
        const created = {
          collection: PUBLICATIONS,
          id: data.publicationId,
          evolve: (): PublicationView => ({
            _id: data.publicationId,
            ...data,
            publishedBy: stored.metadata.actor.userId,
            supersededBy: null,
          }),
        };
        if (data.supersedes === null) return [created];
        return [
          created,
          {
            collection: PUBLICATIONS,
            id: data.supersedes,
            evolve: (doc) => (doc === null ? null : { ...doc, supersededBy: data.publicationId }),
          },
        ];
      }
    }
  },
};
