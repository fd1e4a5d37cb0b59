import { documentProjection } from '@dukao/projections';
import type { ReadModelDocument } from '@dukao/read-model-store';
import {
  CAMPAIGN_EVENT_TYPES,
  type CampaignDefinition,
  type CampaignEvent,
  type EvaluationResultsPublished,
} from '../domain/campaign.events';

export const CAMPAIGNS = 'campaigns';

/** One document per campaign (`_id` is the campaign id): its definition, state and results. */
export interface CampaignView extends ReadModelDocument, CampaignDefinition {
  status: 'created' | 'open' | 'closed';
  createdAt: string;
  openedAt: string | null;
  closedAt: string | null;
  /** Rows of the last survey import: unit, respondents, mean. */
  survey: Array<{ unitId: string; respondents: number; mean: number }> | null;
  results: Omit<EvaluationResultsPublished['data'], 'campaignId' | 'cycleId'> | null;
}

export const campaignsProjection = documentProjection<CampaignView>({
  name: 'campaigns',
  version: 1,
  eventTypes: CAMPAIGN_EVENT_TYPES,
  collection: { name: CAMPAIGNS, indexes: [{ fields: { cycleId: 1 } }] },
  documentId: (event) => (event as unknown as CampaignEvent).data.campaignId,
  evolve(campaign, stored) {
    const event = stored as unknown as CampaignEvent;
    switch (event.type) {
      case 'CampaignCreated': {
        const { createdAt, ...definition } = event.data;
        return {
          _id: definition.campaignId,
          ...definition,
          status: 'created',
          createdAt,
          openedAt: null,
          closedAt: null,
          survey: null,
          results: null,
        };
      }
      case 'CampaignOpened':
        return campaign && { ...campaign, status: 'open', openedAt: event.data.openedAt };
      case 'SurveyResultsImported':
        return (
          campaign && {
            ...campaign,
            survey: event.data.rows.map(({ unitId, respondents, mean }) => ({ unitId, respondents, mean })),
          }
        );
      case 'CampaignClosed':
        return campaign && { ...campaign, status: 'closed', closedAt: event.data.closedAt };
      case 'EvaluationResultsPublished': {
        const { campaignId: _c, cycleId: _y, ...results } = event.data;
        return campaign && { ...campaign, results };
      }
    }
  },
});
