import { createHash, randomBytes } from 'node:crypto';
import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import {
  type CommandContext,
  EVENT_STORE,
  type EventStore,
  WrongExpectedRevisionError,
  commandEnvelopes,
  commandEventId,
  handleCommand,
} from '@dukao/event-store';
import { DomainError } from '@dukao/kernel';
import { type CampaignState, campaignDecider } from '../domain/campaign.decider';
import { type Answer, type CampaignEvent, campaignStream } from '../domain/campaign.events';
import {
  type PublicRatingState,
  publicRatingDecider,
  publicRatingStateSize,
  tokenUsedAt,
} from '../domain/public-rating.decider';
import { type PublicRatingEvent, publicRatingStream } from '../domain/public-rating.events';
import { loadCampaign } from './load';
import { type FoldedState, StreamStateCache } from './stream-state-cache';

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

/** Reload-and-decide attempts on a concurrent append, as `handleCommand` makes them. */
const MAX_RETRIES = 25;

/**
 * Decides on the unit's public-rating stream as `handleCommand` does (fold, decide, append expecting
 * the folded revision, on a conflict read and decide again), with the same events and envelopes, but
 * on states kept between requests (`StreamStateCache`) instead of both streams read whole: the
 * campaign's state is checked against its stream's revision, and the unit's state is the one this
 * handler last folded or appended, read only after a conflict or before a refusal. A one-time token is
 * accepted at most once because the append expects the revision the decision saw: of two ratings with
 * one token, concurrent or not, in this process or another, the second to append conflicts, reads the
 * first, and is refused (in this process, ratings of one unit are also queued one after another). A
 * refusal is only given on a state just read (a kept one may not know the newest tokens). A retried
 * command (same command id) gets its original outcome.
 */
@CommandHandler(SubmitPublicRating)
export class SubmitPublicRatingHandler implements ICommandHandler<SubmitPublicRating> {
  private readonly campaigns = new StreamStateCache<CampaignState, CampaignEvent>(campaignDecider, {
    maxStreams: 100,
  });
  /** About 150 bytes a token: 300,000 tokens kept is some 50 MB at most. */
  private readonly ratings = new StreamStateCache<PublicRatingState, PublicRatingEvent>(publicRatingDecider, {
    maxStreams: 10_000,
    weigh: publicRatingStateSize,
    maxWeight: 300_000,
  });

  /** Per unit stream, the settling of the last rating queued on it in this process. */
  private readonly queues = new Map<string, Promise<unknown>>();

  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  /**
   * One rating of a unit at a time in this process, each deciding on the state its predecessor left:
   * concurrent ratings of one unit would otherwise all decide on the same revision, and all but one
   * conflict, read and decide again, some of them until the retries run out (409). Ratings of
   * different units still share each group commit.
   */
  execute(command: SubmitPublicRating): Promise<PublicRatingOutcome> {
    const streamId = publicRatingStream(command.campaignId, command.unitId);
    const run = (this.queues.get(streamId) ?? Promise.resolve()).then(() => this.decideAndAppend(command));
    const settled = run.then(
      () => undefined,
      () => undefined,
    );
    this.queues.set(streamId, settled);
    void settled.then(() => {
      if (this.queues.get(streamId) === settled) this.queues.delete(streamId);
    });
    return run;
  }

  private async decideAndAppend(command: SubmitPublicRating): Promise<PublicRatingOutcome> {
    const { campaignId, unitId, token, clientIp, answer, context, at } = command;
    const streamId = publicRatingStream(campaignId, unitId);
    const tokenHash = hashToken(token);
    const network = networkHash(campaignId, clientIp);
    let read = false;
    for (let attempt = 0; ; attempt += 1) {
      const campaign = await this.campaigns.checked(this.store, campaignStream(campaignId));
      const kept = read ? null : this.ratings.kept(streamId);
      const base = kept ?? (await this.ratings.current(this.store, streamId));
      read = true;
      let events: PublicRatingEvent[];
      try {
        events = publicRatingDecider.decide(
          {
            type: 'SubmitPublicRating',
            campaignId,
            unitId,
            campaign: campaign.state,
            tokenHash,
            networkHash: network,
            answer,
            at,
          },
          base.state,
        );
      } catch (error) {
        if (kept) continue; // decided on a kept state: read the stream and decide again before refusing
        const replayed = await this.replayed(
          error,
          streamId,
          base,
          tokenHash,
          commandEventId(streamId, context.commandId, 0),
          context.commandId,
        );
        if (replayed) return replayed;
        throw error;
      }
      try {
        const result = await this.store.append(streamId, commandEnvelopes(streamId, events, context), {
          expectedRevision: base.length === 0 ? 'no_stream' : base.length - 1,
        });
        // A retried command's append returns the original result; keep the state only when the
        // append landed right after `base` (then the stream holds exactly these events there).
        if (result.nextRevision === base.length - 1 + events.length)
          this.ratings.appended(streamId, base, events);
        return { accepted: true, position: result.position };
      } catch (error) {
        if (!(error instanceof WrongExpectedRevisionError) || attempt >= MAX_RETRIES) throw error;
        if (kept) continue; // the kept state was stale: read the stream at once
        // Concurrent losers would otherwise reload together and collide again in the next group commit.
        await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(50, 2 ** attempt)));
      }
    }
  }

  /**
   * A command handled before finds its token used by its own rating (the first event id derives from
   * the command id): its original outcome, nothing appended. Null for any other refusal.
   */
  private async replayed(
    error: unknown,
    streamId: string,
    base: FoldedState<PublicRatingState>,
    tokenHash: string,
    firstId: string,
    commandId: string,
  ): Promise<PublicRatingOutcome | null> {
    if (!(error instanceof DomainError) || error.code !== 'RATING_TOKEN_USED') return null;
    const usedAt = tokenUsedAt(base.state, tokenHash);
    if (usedAt === null) return null;
    const stored = await this.store.readStream(streamId, {
      from: usedAt,
      to: Math.min(usedAt + 1, base.length - 1),
    });
    if (stored[0]?.id !== firstId) return null;
    const own = stored.filter((e) => e.metadata.commandId === commandId);
    return { accepted: true, position: own.at(-1)!.position };
  }
}
