import { createHash, randomBytes } from 'node:crypto';
import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { type CommandContext, EVENT_STORE, type EventStore, handleCommand } from '@dukao/event-store';
import type { Answer } from '../domain/campaign.events';
import { publicRatingDecider } from '../domain/public-rating.decider';
import { publicRatingStream } from '../domain/public-rating.events';
import { loadCampaign } from './load';

/** SHA-256 (hex) of a rating token: the only form in which a token is stored. */
export const hashToken = (token: string) => createHash('sha256').update(token, 'utf8').digest('hex');

/**
 * The salted hash of a client's network: the /24 of an IPv4 address (the /48 of an IPv6 one), salted
 * with the campaign id. The raw address is never stored.
 */
export function networkHash(campaignId: string, ip: string): string {
  const v4 = /(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.\d{1,3}$/.exec(ip);
  const network = v4 ? `${v4[1]}.${v4[2]}.${v4[3]}.0/24` : `${ip.split(':').slice(0, 3).join(':')}::/48`;
  return createHash('sha256').update(`${campaignId}\u0000${network}`, 'utf8').digest('hex');
}

export interface IssuedTokens {
  campaignId: string;
  unitId: string;
  /**
   * The raw tokens: shown once, never stored. A replayed request (same Idempotency-Key) gets none
   * back, since only their hashes exist; issue new links instead.
   */
  tokens: string[];
  position: number | null;
}

/** Issues `count` one-time rating tokens for a unit. */
export class IssueRatingTokens extends Command<IssuedTokens> {
  constructor(
    readonly campaignId: string,
    readonly unitId: string,
    readonly count: number,
    readonly context: CommandContext,
    readonly at: string,
  ) {
    super();
  }
}

@CommandHandler(IssueRatingTokens)
export class IssueRatingTokensHandler implements ICommandHandler<IssueRatingTokens> {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async execute({ campaignId, unitId, count, context, at }: IssueRatingTokens): Promise<IssuedTokens> {
    const campaign = await loadCampaign(this.store, campaignId);
    const tokens = Array.from({ length: count }, () => randomBytes(24).toString('base64url'));
    const r = await handleCommand(
      this.store,
      publicRatingStream(campaignId, unitId),
      publicRatingDecider,
      { type: 'IssueRatingTokens', campaignId, unitId, campaign, tokenHashes: tokens.map(hashToken), at },
      context,
    );
    return { campaignId, unitId, tokens: r.replayed ? [] : tokens, position: r.position };
  }
}

export interface PublicRatingOutcome {
  accepted: true;
  position: number | null;
}

/** An anonymous rating with a one-time token. */
export class SubmitPublicRating extends Command<PublicRatingOutcome> {
  constructor(
    readonly campaignId: string,
    readonly unitId: string,
    readonly token: string,
    readonly clientIp: string,
    readonly answer: Answer,
    readonly context: CommandContext,
    readonly at: string,
  ) {
    super();
  }
}

@CommandHandler(SubmitPublicRating)
export class SubmitPublicRatingHandler implements ICommandHandler<SubmitPublicRating> {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async execute(command: SubmitPublicRating): Promise<PublicRatingOutcome> {
    const { campaignId, unitId, token, clientIp, answer, context, at } = command;
    const campaign = await loadCampaign(this.store, campaignId);
    const r = await handleCommand(
      this.store,
      publicRatingStream(campaignId, unitId),
      publicRatingDecider,
      {
        type: 'SubmitPublicRating',
        campaignId,
        unitId,
        campaign,
        tokenHash: hashToken(token),
        networkHash: networkHash(campaignId, clientIp),
        answer,
        at,
      },
      context,
    );
    return { accepted: true, position: r.position };
  }
}
