/** How a sheet is answered: a 0–100 score per dimension, or one satisfaction level mapped to a score. */
export type Questionnaire =
  | { kind: 'dimensions'; dimensions: string[] }
  | { kind: 'satisfaction'; scores: Record<SatisfactionLevel, number> };

export const SATISFACTION_LEVELS = ['满意', '基本满意', '不满意'] as const;
export type SatisfactionLevel = (typeof SATISFACTION_LEVELS)[number];

export const RATER_GROUP_KINDS = ['public', 'departments', 'leaders', 'survey'] as const;
export type RaterGroupKind = (typeof RATER_GROUP_KINDS)[number];

/** A group of raters and its weight in the overall result (the weights of a campaign sum to 1). */
export type RaterGroup =
  | { kind: 'public'; weight: number }
  | { kind: 'departments'; weight: number; raterUnitIds: string[] }
  | { kind: 'leaders'; weight: number; userIds: string[] }
  | { kind: 'survey'; weight: number };

/** At most `maxShare` of a rater's sheets may have an overall score ≥ `excellentAt` (评优比例限制). */
export type QuotaRule = {
  excellentAt: number;
  maxShare: number;
};

/** An answer as given: dimension scores, or a satisfaction level. */
export type Answer =
  { kind: 'dimensions'; scores: Record<string, number> } | { kind: 'satisfaction'; level: SatisfactionLevel };

export type CampaignDefinition = {
  campaignId: string;
  cycleId: string;
  name: string;
  period: string | null;
  unitIds: string[];
  groups: RaterGroup[];
  questionnaire: Questionnaire;
  opensAt: string;
  closesAt: string;
  quota: QuotaRule | null;
  /** Share dropped at each end before averaging a group (0.05 = top and bottom 5%); null: plain mean. */
  trimShare: number | null;
  /** Reciprocal-pattern threshold: points above a department's mean rating of the others. */
  reciprocalThreshold: number;
};

export type CampaignCreated = {
  type: 'CampaignCreated';
  data: CampaignDefinition & { createdAt: string };
};
export type CampaignOpened = { type: 'CampaignOpened'; data: { campaignId: string; openedAt: string } };

/** One row of a third-party survey: respondents and their mean per dimension, or counts per level. */
export type SurveyRow = {
  unitId: string;
  respondents: number;
  /** Mean score of the unit on this survey, 0–100, derived from the row's means or counts. */
  mean: number;
  dimensionMeans: Record<string, number> | null;
  levelCounts: Record<SatisfactionLevel, number> | null;
};
export type SurveyResultsImported = {
  type: 'SurveyResultsImported';
  data: { campaignId: string; rows: SurveyRow[]; source: string | null; importedAt: string };
};

export type GroupResult = {
  kind: RaterGroupKind;
  weight: number;
  responses: number;
  mean: number | null;
  trimmedMean: number | null;
  /** The value that counts: the trimmed mean when configured, else the mean; null without responses. */
  score: number | null;
  /** The weight actually applied after re-normalising over the groups with responses (0 without), 4 decimals. */
  appliedWeight: number;
};
export type UnitResult = {
  unitId: string;
  groups: GroupResult[];
  /** Weighted overall, 0–100, two decimals; null when no group has a response. */
  overall: number | null;
  /** True when a group had no responses and the others' weights were scaled to sum to 1. */
  renormalised: boolean;
};
/** Two departments that rated each other well above their mean rating of the other units. */
export type ReciprocalSignal = {
  unitA: string;
  unitB: string;
  aToB: number;
  aMeanOfOthers: number;
  bToA: number;
  bMeanOfOthers: number;
};

export type CampaignClosed = {
  type: 'CampaignClosed';
  data: { campaignId: string; closedAt: string };
};
/**
 * The campaign's results (满意度 input for scoring): one event per campaign, appended right after
 * `CampaignClosed`. Groups without responses are left out and the remaining weights re-normalised.
 */
export type EvaluationResultsPublished = {
  type: 'EvaluationResultsPublished';
  data: {
    campaignId: string;
    cycleId: string;
    units: UnitResult[];
    reciprocalSignals: ReciprocalSignal[];
    publishedAt: string;
  };
};

export type CampaignEvent =
  CampaignCreated | CampaignOpened | SurveyResultsImported | CampaignClosed | EvaluationResultsPublished;
export const CAMPAIGN_EVENT_TYPES: readonly CampaignEvent['type'][] = [
  'CampaignCreated',
  'CampaignOpened',
  'SurveyResultsImported',
  'CampaignClosed',
  'EvaluationResultsPublished',
];

export const CAMPAIGN_STREAM_PREFIX = 'campaign-';
export const campaignStream = (campaignId: string) => `${CAMPAIGN_STREAM_PREFIX}${campaignId}`;
