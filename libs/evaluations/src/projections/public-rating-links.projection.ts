import { documentProjection } from '@dukao/projections';
import type { ReadModelDocument } from '@dukao/read-model-store';
import { PUBLIC_RATING_EVENT_TYPES, type PublicRatingEvent } from '../domain/public-rating.events';

export const PUBLIC_RATING_LINKS = 'publicRatingLinks';

/**
 * One document per campaign and unit (`<campaignId>:<unitId>`): how many links were issued and used,
 * and the bursts flagged for the inspectors. Neither tokens nor their hashes are kept here.
 */
export interface PublicRatingLinksView extends ReadModelDocument {
  campaignId: string;
  unitId: string;
  issued: number;
  used: number;
  bursts: Array<{ networkHash: string; countInWindow: number; windowMinutes: number; flaggedAt: string }>;
}

export const publicRatingLinksProjection = documentProjection<PublicRatingLinksView>({
  name: 'publicRatingLinks',
  version: 1,
  eventTypes: PUBLIC_RATING_EVENT_TYPES,
  collection: { name: PUBLIC_RATING_LINKS, indexes: [{ fields: { campaignId: 1 } }] },
  documentId: (event) => {
    const { campaignId, unitId } = (event as unknown as PublicRatingEvent).data;
    return `${campaignId}:${unitId}`;
  },
  evolve(doc, stored) {
    const event = stored as unknown as PublicRatingEvent;
    const { campaignId, unitId } = event.data;
    const current = doc ?? {
      _id: `${campaignId}:${unitId}`,
      campaignId,
      unitId,
      issued: 0,
      used: 0,
      bursts: [],
    };
    switch (event.type) {
      case 'RatingTokensIssued':
        return { ...current, issued: current.issued + event.data.tokenHashes.length };
      case 'PublicRatingSubmitted':
        return { ...current, used: current.used + 1 };
      case 'PublicRatingBurstFlagged': {
        const { networkHash, countInWindow, windowMinutes, flaggedAt } = event.data;
        return {
          ...current,
          bursts: [...current.bursts, { networkHash, countInWindow, windowMinutes, flaggedAt }],
        };
      }
    }
  },
});
