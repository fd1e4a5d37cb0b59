import type { Answer } from './campaign.events';

/** Rating links for one unit: only the SHA-256 of each token is kept. */
export type RatingTokensIssued = {
  type: 'RatingTokensIssued';
  data: { campaignId: string; unitId: string; tokenHashes: string[]; issuedAt: string };
};
/**
 * An anonymous rating: no user, no IP, no device. `networkHash` is a salted hash of the client's
 * /24 network, kept only to recognise bursts.
 */
export type PublicRatingSubmitted = {
  type: 'PublicRatingSubmitted';
  data: {
    campaignId: string;
    unitId: string;
    tokenHash: string;
    answer: Answer;
    overall: number;
    networkHash: string;
    submittedAt: string;
  };
};
/** Accepted, but from a network that sent more than the burst limit in the window: for inspectors. */
export type PublicRatingBurstFlagged = {
  type: 'PublicRatingBurstFlagged';
  data: {
    campaignId: string;
    unitId: string;
    tokenHash: string;
    networkHash: string;
    countInWindow: number;
    windowMinutes: number;
    flaggedAt: string;
  };
};
export type PublicRatingEvent = RatingTokensIssued | PublicRatingSubmitted | PublicRatingBurstFlagged;
export const PUBLIC_RATING_EVENT_TYPES: readonly PublicRatingEvent['type'][] = [
  'RatingTokensIssued',
  'PublicRatingSubmitted',
  'PublicRatingBurstFlagged',
];

export const PUBLIC_RATING_STREAM_PREFIX = 'publicrating-';
/** One stream per campaign and rated unit: its tokens and the ratings given with them. */
export const publicRatingStream = (campaignId: string, unitId: string) =>
  `${PUBLIC_RATING_STREAM_PREFIX}${campaignId}:${unitId}`;
