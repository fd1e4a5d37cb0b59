import type { Decider } from '@dukao/event-store';
import { answerOverall, answerProblems } from './answer';
import { type CampaignState, assertAcceptsAnswers } from './campaign.decider';
import { CampaignErrors } from './campaign.errors';
import type { Answer } from './campaign.events';
import type { PublicRatingEvent } from './public-rating.events';

/** More than this many ratings from one network within the window are flagged (still accepted). */
export const BURST_LIMIT = 20;
export const BURST_WINDOW_MINUTES = 5;
const BURST_WINDOW_MS = BURST_WINDOW_MINUTES * 60_000;
/**
 * How long before the stream's newest rating a rating still counts towards a burst: the window plus an
 * hour. Older ones are forgotten, so the state stays bounded; they could only fall in the window of a
 * command dated over an hour before a rating already stored, and a command is dated by the server clock
 * when its request arrives.
 */
export const BURST_MEMORY_MS = BURST_WINDOW_MS + 60 * 60_000;

/** The ratings of one network: event index and submission time (ms), in stream order. */
interface NetworkRatings {
  indexes: number[];
  times: number[];
}

/**
 * What the decisions need from a stream, recorded once per event and shared by the states folded
 * along it: token hash → index of the event that issued it and of the one that used it, and each
 * network's recent ratings. A state sees only the entries of its first `length` events, so folding on
 * from it never changes its answers (evolve stays pure) and costs O(1) per event, where copying
 * every token and time per event made a fold O(n²). Folding on from a state that is not the newest of
 * its ledger first copies the ledger up to that state (a branch; a linear fold never needs one).
 */
class PublicRatingLedger {
  readonly issued = new Map<string, number>();
  readonly used = new Map<string, number>();
  readonly networks = new Map<string, NetworkRatings>();
  /** Events recorded. */
  length = 0;
  /** Newest submission time recorded (ms). */
  newest = Number.NEGATIVE_INFINITY;
  private ratingsSinceSweep = 0;

  record(event: PublicRatingEvent): void {
    const index = this.length;
    this.length += 1;
    switch (event.type) {
      case 'RatingTokensIssued':
        for (const hash of event.data.tokenHashes) if (!this.issued.has(hash)) this.issued.set(hash, index);
        return;
      case 'PublicRatingSubmitted': {
        const { tokenHash, networkHash, submittedAt } = event.data;
        if (!this.used.has(tokenHash)) this.used.set(tokenHash, index);
        const time = Date.parse(submittedAt);
        if (time > this.newest) this.newest = time;
        let network = this.networks.get(networkHash);
        if (!network) this.networks.set(networkHash, (network = { indexes: [], times: [] }));
        network.indexes.push(index);
        network.times.push(time);
        this.ratingsSinceSweep += 1;
        if (this.ratingsSinceSweep > 1024 + this.networks.size) this.sweep();
        return;
      }
      case 'PublicRatingBurstFlagged':
        return;
    }
  }

  /** Forgets ratings older than `BURST_MEMORY_MS` before the newest: amortised O(1) per rating. */
  private sweep(): void {
    this.ratingsSinceSweep = 0;
    const horizon = this.newest - BURST_MEMORY_MS;
    for (const [hash, network] of this.networks) {
      if (!network.times.some((t) => t <= horizon)) continue;
      const kept: NetworkRatings = { indexes: [], times: [] };
      network.times.forEach((t, i) => {
        if (t > horizon) {
          kept.indexes.push(network.indexes[i]!);
          kept.times.push(t);
        }
      });
      if (kept.times.length === 0) this.networks.delete(hash);
      else this.networks.set(hash, kept);
    }
  }

  /** A new ledger with the entries of the first `length` events only. */
  branch(length: number): PublicRatingLedger {
    const copy = new PublicRatingLedger();
    copy.length = length;
    for (const [hash, index] of this.issued) if (index < length) copy.issued.set(hash, index);
    for (const [hash, index] of this.used) if (index < length) copy.used.set(hash, index);
    for (const [hash, network] of this.networks) {
      const kept: NetworkRatings = { indexes: [], times: [] };
      network.indexes.forEach((index, i) => {
        if (index < length) {
          kept.indexes.push(index);
          kept.times.push(network.times[i]!);
          if (network.times[i]! > copy.newest) copy.newest = network.times[i]!;
        }
      });
      if (kept.indexes.length) copy.networks.set(hash, kept);
    }
    return copy;
  }
}

/**
 * The decision state of one unit's public-rating stream after its first `length` events (`length` is
 * the stream's revision + 1). Read it through `tokenIssued`, `tokenUsedAt` and `ratingsInWindow`.
 */
export interface PublicRatingState {
  readonly length: number;
  readonly ledger: PublicRatingLedger;
}

/** The state's size in tokens (issued and used), for bounding what a process keeps in memory. */
export const publicRatingStateSize = (state: PublicRatingState): number =>
  state.ledger.issued.size + state.ledger.used.size;

/** Whether the token with this hash was issued for the stream. */
export const tokenIssued = (state: PublicRatingState, tokenHash: string): boolean =>
  (state.ledger.issued.get(tokenHash) ?? state.length) < state.length;

/** The revision of the rating that used the token, or null while it is unused. */
export function tokenUsedAt(state: PublicRatingState, tokenHash: string): number | null {
  const index = state.ledger.used.get(tokenHash);
  return index !== undefined && index < state.length ? index : null;
}

/** Ratings from the network submitted after `windowStart` (ms). */
export function ratingsInWindow(state: PublicRatingState, networkHash: string, windowStart: number): number {
  const network = state.ledger.networks.get(networkHash);
  if (!network) return 0;
  let count = 0;
  for (let i = network.indexes.length - 1; i >= 0; i -= 1)
    if (network.indexes[i]! < state.length && network.times[i]! > windowStart) count += 1;
  return count;
}

export type PublicRatingCommand =
  | {
      type: 'IssueRatingTokens';
      campaignId: string;
      unitId: string;
      campaign: CampaignState;
      tokenHashes: string[];
      at: string;
    }
  | {
      type: 'SubmitPublicRating';
      campaignId: string;
      unitId: string;
      campaign: CampaignState;
      tokenHash: string;
      networkHash: string;
      answer: Answer;
      at: string;
    };

/**
 * Public ratings of one unit in one campaign (`publicrating-…`): one-time tokens are issued as
 * hashes and each is consumed by one rating. A burst from one network is accepted and flagged.
 */
export const publicRatingDecider: Decider<PublicRatingCommand, PublicRatingState, PublicRatingEvent> = {
  initialState: () => ({ length: 0, ledger: new PublicRatingLedger() }),
  evolve(state, event) {
    const ledger = state.ledger.length === state.length ? state.ledger : state.ledger.branch(state.length);
    ledger.record(event);
    return { length: state.length + 1, ledger };
  },
  decide(command, state) {
    switch (command.type) {
      case 'IssueRatingTokens': {
        const { campaignId, unitId, campaign, tokenHashes, at } = command;
        if (campaign.status === 'none') throw CampaignErrors.notFound(campaignId);
        if (campaign.status === 'closed') throw CampaignErrors.closed(campaignId);
        if (!campaign.definition.unitIds.includes(unitId)) throw CampaignErrors.notRatedUnit(unitId);
        if (!campaign.definition.groups.some((g) => g.kind === 'public'))
          throw CampaignErrors.invalid(['本次评议未设社会公众群体']);
        return [{ type: 'RatingTokensIssued', data: { campaignId, unitId, tokenHashes, issuedAt: at } }];
      }
      case 'SubmitPublicRating': {
        const { campaignId, unitId, tokenHash, networkHash, answer, at } = command;
        const definition = assertAcceptsAnswers(command.campaign, campaignId, at);
        if (!tokenIssued(state, tokenHash)) throw CampaignErrors.tokenUnknown();
        if (tokenUsedAt(state, tokenHash) !== null) throw CampaignErrors.tokenUsed();
        const problems = answerProblems(definition.questionnaire, answer);
        if (problems.length) throw CampaignErrors.incomplete(problems);
        const overall = answerOverall(definition.questionnaire, answer);
        const now = Date.parse(at);
        const countInWindow = ratingsInWindow(state, networkHash, now - BURST_WINDOW_MS) + 1;
        const submitted: PublicRatingEvent = {
          type: 'PublicRatingSubmitted',
          data: { campaignId, unitId, tokenHash, answer, overall, networkHash, submittedAt: at },
        };
        if (countInWindow <= BURST_LIMIT) return [submitted];
        return [
          submitted,
          {
            type: 'PublicRatingBurstFlagged',
            data: {
              campaignId,
              unitId,
              tokenHash,
              networkHash,
              countInWindow,
              windowMinutes: BURST_WINDOW_MINUTES,
              flaggedAt: at,
            },
          },
        ];
      }
      default: {
        const _exhaustive: never = command;
        return _exhaustive;
      }
    }
  },
};
