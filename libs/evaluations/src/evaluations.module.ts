import { Module } from '@nestjs/common';
import {
  CreateCampaignHandler,
  ImportSurveyResultsHandler,
  OpenCampaignHandler,
} from './commands/campaign.commands';
import { CloseCampaignHandler } from './commands/close-campaign.command';
import { IssueRatingTokensHandler, SubmitPublicRatingHandler } from './commands/public-rating.commands';
import { SubmitRatingSheetHandler } from './commands/submit-rating-sheet.command';

const commandHandlers = [
  CreateCampaignHandler,
  OpenCampaignHandler,
  ImportSurveyResultsHandler,
  CloseCampaignHandler,
  SubmitRatingSheetHandler,
  IssueRatingTokensHandler,
  SubmitPublicRatingHandler,
];

/**
 * Satisfaction campaigns (满意度评议): `campaign-<id>`, one `ratingsheet-…` stream per rater and
 * rated unit, one `publicrating-…` stream per campaign and unit. Its projections (`campaignsProjection`,
 * `publicRatingLinksProjection`) are registered in @dukao/composition.
 */
@Module({ providers: [...commandHandlers] })
export class EvaluationsModule {}
