import type { Decider } from '@dukao/event-store';
import { answerOverall, answerProblems } from './answer';
import { type CampaignState, assertAcceptsAnswers } from './campaign.decider';
import { CampaignErrors } from './campaign.errors';
import type { Answer } from './campaign.events';
import type { PublicRatingEvent } from './public-rating.events';

/** More than this many ratings from one network within the window are flagged (still accepted). */
export const BURST_LIMIT = 20;
export const BURST_WINDOW_MINUTES = 5;

export interface PublicRatingState {
  /** Issued token hashes → consumed or not. */
  tokens: Map<string, boolean>;
  /** Submission times (ms) per network hash, for burst detection. */
  recentByNetwork: Map<string, number[]>;
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
  initialState: () => ({ tokens: new Map(), recentByNetwork: new Map() }),
  evolve(state, event) {
    switch (event.type) {
      case 'RatingTokensIssued': {
        const tokens = new Map(state.tokens);
        for (const hash of event.data.tokenHashes) tokens.set(hash, false);
        return { ...state, tokens };
      }
      case 'PublicRatingSubmitted': {
        const tokens = new Map(state.tokens).set(event.data.tokenHash, true);
        const recentByNetwork = new Map(state.recentByNetwork);
        const times = recentByNetwork.get(event.data.networkHash) ?? [];
        recentByNetwork.set(event.data.networkHash, [...times, Date.parse(event.data.submittedAt)]);
        return { tokens, recentByNetwork };
      }
      case 'PublicRatingBurstFlagged':
        return state;
    }
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
        const consumed = state.tokens.get(tokenHash);
        if (consumed === undefined) throw CampaignErrors.tokenUnknown();
        if (consumed) throw CampaignErrors.tokenUsed();
        const problems = answerProblems(definition.questionnaire, answer);
        if (problems.length) throw CampaignErrors.incomplete(problems);
        const overall = answerOverall(definition.questionnaire, answer);
        const now = Date.parse(at);
        const windowStart = now - BURST_WINDOW_MINUTES * 60_000;
        const countInWindow =
          (state.recentByNetwork.get(networkHash) ?? []).filter((t) => t > windowStart).length + 1;
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
