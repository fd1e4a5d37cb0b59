import type { Answer } from './campaign.events';

/** Who fills a sheet: a department (acting through one of its staff) or a named leader. */
export type SheetRater = { group: 'departments'; unitId: string } | { group: 'leaders'; userId: string };

/** A complete sheet; a resubmission before close is a new version that replaces the previous one. */
export type RatingSheetSubmitted = {
  type: 'RatingSheetSubmitted';
  data: {
    campaignId: string;
    rater: SheetRater;
    unitId: string;
    version: number;
    answer: Answer;
    /** The sheet's overall score, 0–100 (mean of the dimensions, or the level's mapped score). */
    overall: number;
    submittedAt: string;
  };
};
export type RatingSheetEvent = RatingSheetSubmitted;
export const RATING_SHEET_EVENT_TYPES: readonly RatingSheetEvent['type'][] = ['RatingSheetSubmitted'];

export const RATING_SHEET_STREAM_PREFIX = 'ratingsheet-';
const raterKey = (rater: SheetRater) =>
  rater.group === 'departments' ? `d:${rater.unitId}` : `l:${rater.userId}`;
/** One stream per rater per rated unit: `ratingsheet-<campaignId>:d:<rater unit>:<rated unit>` (or `l:<leader user id>`). */
export const ratingSheetStream = (campaignId: string, rater: SheetRater, unitId: string) =>
  `${RATING_SHEET_STREAM_PREFIX}${campaignId}:${raterKey(rater)}:${unitId}`;
