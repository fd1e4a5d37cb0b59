import type { Projection } from '@dukao/projections';
import type { ReadModelDocument } from '@dukao/read-model-store';
import { PUBLIC_RATING_EVENT_TYPES, type PublicRatingEvent } from '../domain/public-rating.events';

export const PUBLIC_RATING_LINKS = 'publicRatingLinks';
export const PUBLIC_RATING_BURSTS = 'publicRatingBursts';

/**
 * One document per campaign and unit (`<campaignId>:<unitId>`): how many links were issued and used.
 * Neither tokens nor their hashes are kept here.
 */
export interface PublicRatingLinksView extends ReadModelDocument {
  campaignId: string;
  unitId: string;
  issued: number;
  used: number;
}

/** One document per burst flagged for the inspectors (`<campaignId>:<unitId>:<log position>`). */
export interface PublicRatingBurstView extends ReadModelDocument {
  campaignId: string;
  unitId: string;
  networkHash: string;
  countInWindow: number;
  windowMinutes: number;
  flaggedAt: string;
}

/**
 * The links per unit and the bursts flagged. Version 2 keeps each burst in a document of its own:
 * version 1 appended them to the unit's document, which every later flag then read and rewrote whole,
 * so a burst of n flags on one unit cost O(n²) (a sustained burst from one network is exactly when
 * flags come by the thousand).
 */
export const publicRatingLinksProjection: Projection = {
  name: 'publicRatingLinks',
  version: 2,
  eventTypes: PUBLIC_RATING_EVENT_TYPES,
  collections: [
    { name: PUBLIC_RATING_LINKS, indexes: [{ fields: { campaignId: 1 } }] },
    { name: PUBLIC_RATING_BURSTS, indexes: [{ fields: { campaignId: 1, flaggedAt: 1 } }] },
  ],
  changes(stored) {
    const event = stored as unknown as PublicRatingEvent;
    const { campaignId, unitId } = event.data;
    const links = (count: (view: PublicRatingLinksView) => Partial<PublicRatingLinksView>) => ({
      collection: PUBLIC_RATING_LINKS,
      id: `${campaignId}:${unitId}`,
      evolve(doc: ReadModelDocument | null): PublicRatingLinksView {
        const current = (doc as PublicRatingLinksView | null) ?? {
          _id: `${campaignId}:${unitId}`,
          campaignId,
          unitId,
          issued: 0,
          used: 0,
        };
        return { ...current, ...count(current) };
      },
    });
    switch (event.type) {
      case 'RatingTokensIssued':
        return [links((v) => ({ issued: v.issued + event.data.tokenHashes.length }))];
      case 'PublicRatingSubmitted':
        return [links((v) => ({ used: v.used + 1 }))];
      case 'PublicRatingBurstFlagged': {
        const { networkHash, countInWindow, windowMinutes, flaggedAt } = event.data;
        const id = `${campaignId}:${unitId}:${stored.position}`;
        return [
          {
            collection: PUBLIC_RATING_BURSTS,
            id,
            evolve: (): PublicRatingBurstView => ({
              _id: id,
              campaignId,
              unitId,
              networkHash,
              countInWindow,
              windowMinutes,
              flaggedAt,
            }),
          },
        ];
      }
    }
  },
};
