import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { type CommandContext, EVENT_STORE, type EventStore, handleCommand } from '@dukao/event-store';
import { type SurveyRowInput, campaignDecider } from '../domain/campaign.decider';
import { type CampaignDefinition, campaignStream } from '../domain/campaign.events';
import type { CampaignOutcome } from './load';

/** Creates a campaign (not yet open). */
export class CreateCampaign extends Command<CampaignOutcome> {
  constructor(
    readonly definition: CampaignDefinition,
    readonly context: CommandContext,
    readonly at: string,
  ) {
    super();
  }
}

/** Opens a campaign: sheets and public ratings are accepted from `opensAt` until `closesAt`. */
export class OpenCampaign extends Command<CampaignOutcome> {
  constructor(
    readonly campaignId: string,
    readonly context: CommandContext,
    readonly at: string,
  ) {
    super();
  }
}

/** Imports a third-party survey's rows (all or nothing; a new import replaces the previous one). */
export class ImportSurveyResults extends Command<CampaignOutcome> {
  constructor(
    readonly campaignId: string,
    readonly rows: SurveyRowInput[],
    readonly source: string | null,
    readonly context: CommandContext,
    readonly at: string,
  ) {
    super();
  }
}

const outcome = (id: string, r: { nextRevision: number; position: number | null; replayed: boolean }) => ({
  id,
  revision: r.nextRevision,
  position: r.position,
  replayed: r.replayed,
});

@CommandHandler(CreateCampaign)
export class CreateCampaignHandler implements ICommandHandler<CreateCampaign> {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async execute({ definition, context, at }: CreateCampaign): Promise<CampaignOutcome> {
    const id = definition.campaignId;
    const r = await handleCommand(
      this.store,
      campaignStream(id),
      campaignDecider,
      { type: 'CreateCampaign', definition, at },
      context,
    );
    return outcome(id, r);
  }
}

@CommandHandler(OpenCampaign)
export class OpenCampaignHandler implements ICommandHandler<OpenCampaign> {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async execute({ campaignId, context, at }: OpenCampaign): Promise<CampaignOutcome> {
    const r = await handleCommand(
      this.store,
      campaignStream(campaignId),
      campaignDecider,
      { type: 'OpenCampaign', campaignId, at },
      context,
    );
    return outcome(campaignId, r);
  }
}

@CommandHandler(ImportSurveyResults)
export class ImportSurveyResultsHandler implements ICommandHandler<ImportSurveyResults> {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async execute({ campaignId, rows, source, context, at }: ImportSurveyResults): Promise<CampaignOutcome> {
    const r = await handleCommand(
      this.store,
      campaignStream(campaignId),
      campaignDecider,
      { type: 'ImportSurveyResults', campaignId, rows, source, at },
      context,
    );
    return outcome(campaignId, r);
  }
}
