import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { type CommandContext, EVENT_STORE, type EventStore, handleCommand } from '@dukao/event-store';
import type { Answer } from '../domain/campaign.events';
import { ratableUnits, ratingSheetDecider } from '../domain/rating-sheet.decider';
import { type RatingSheetSubmitted, type SheetRater, ratingSheetStream } from '../domain/rating-sheet.events';
import { loadCampaign } from './load';

export interface SheetOutcome {
  id: string;
  revision: number;
  position: number | null;
  replayed: boolean;
  version: number;
  overall: number;
}

/** Submits (or replaces) one rater's sheet for one rated unit. */
export class SubmitRatingSheet extends Command<SheetOutcome> {
  constructor(
    readonly campaignId: string,
    readonly rater: SheetRater,
    readonly unitId: string,
    readonly answer: Answer,
    readonly context: CommandContext,
    readonly at: string,
  ) {
    super();
  }
}

/**
 * Folds the campaign and counts the rater's other sheets at or above the quota's excellent line,
 * then decides on the sheet's own stream. Two sheets of one rater submitted at the same instant may
 * both pass the quota (the count is read, not locked); sequential submissions cannot.
 */
@CommandHandler(SubmitRatingSheet)
export class SubmitRatingSheetHandler implements ICommandHandler<SubmitRatingSheet> {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async execute({
    campaignId,
    rater,
    unitId,
    answer,
    context,
    at,
  }: SubmitRatingSheet): Promise<SheetOutcome> {
    const campaign = await loadCampaign(this.store, campaignId);
    let excellentElsewhere = 0;
    if (campaign.status !== 'none' && campaign.definition.quota) {
      const line = campaign.definition.quota.excellentAt;
      for (const other of ratableUnits(campaign.definition, rater)) {
        if (other === unitId) continue;
        const last = (await this.store.readStream(ratingSheetStream(campaignId, rater, other))).at(-1) as
          RatingSheetSubmitted | undefined;
        if (last && last.data.overall >= line) excellentElsewhere += 1;
      }
    }
    const streamId = ratingSheetStream(campaignId, rater, unitId);
    const r = await handleCommand(
      this.store,
      streamId,
      ratingSheetDecider,
      { type: 'SubmitRatingSheet', campaignId, campaign, rater, unitId, answer, excellentElsewhere, at },
      context,
    );
    return {
      id: streamId,
      revision: r.nextRevision,
      position: r.position,
      replayed: r.replayed,
      version: r.state.status === 'submitted' ? r.state.version : 0,
      overall: r.state.status === 'submitted' ? r.state.overall : 0,
    };
  }
}
