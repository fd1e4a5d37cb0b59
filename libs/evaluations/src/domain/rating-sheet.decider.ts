import type { Decider } from '@dukao/event-store';
import { answerOverall, answerProblems } from './answer';
import { type CampaignState, assertAcceptsAnswers } from './campaign.decider';
import { CampaignErrors } from './campaign.errors';
import type { Answer, CampaignDefinition } from './campaign.events';
import type { RatingSheetEvent, SheetRater } from './rating-sheet.events';

export type RatingSheetState = { status: 'none' } | { status: 'submitted'; version: number; overall: number };

export type RatingSheetCommand = {
  type: 'SubmitRatingSheet';
  campaignId: string;
  /** The campaign as folded by the handler just before (its definition, status and dates). */
  campaign: CampaignState;
  rater: SheetRater;
  unitId: string;
  answer: Answer;
  /** How many of this rater's sheets for the other units are at or above the quota's excellent line. */
  excellentElsewhere: number;
  at: string;
};

/** The units a rater has to rate: every rated unit, except a department's own. */
export function ratableUnits(definition: CampaignDefinition, rater: SheetRater): string[] {
  return rater.group === 'departments'
    ? definition.unitIds.filter((u) => u !== rater.unitId)
    : [...definition.unitIds];
}

/** Throws unless `rater` is listed in the campaign's group of that kind. */
export function assertListedRater(definition: CampaignDefinition, rater: SheetRater): void {
  const group = definition.groups.find((g) => g.kind === rater.group);
  if (rater.group === 'departments') {
    if (group?.kind !== 'departments' || !group.raterUnitIds.includes(rater.unitId))
      throw CampaignErrors.notARater(`部门 ${rater.unitId} 不是评议部门`);
  } else if (group?.kind !== 'leaders' || !group.userIds.includes(rater.userId)) {
    throw CampaignErrors.notARater('未被列为评议领导');
  }
}

/**
 * One rater's sheet for one rated unit (`ratingsheet-…`). A sheet is complete or refused; it can be
 * replaced by a new version while the campaign is open, and is locked once it closes.
 */
export const ratingSheetDecider: Decider<RatingSheetCommand, RatingSheetState, RatingSheetEvent> = {
  initialState: () => ({ status: 'none' }),
  evolve(_state, event) {
    switch (event.type) {
      case 'RatingSheetSubmitted':
        return { status: 'submitted', version: event.data.version, overall: event.data.overall };
    }
  },
  decide(command, state) {
    switch (command.type) {
      case 'SubmitRatingSheet': {
        const { campaignId, rater, unitId, answer, at } = command;
        const definition = assertAcceptsAnswers(command.campaign, campaignId, at);
        if (!definition.unitIds.includes(unitId)) throw CampaignErrors.notRatedUnit(unitId);
        assertListedRater(definition, rater);
        if (rater.group === 'departments' && rater.unitId === unitId)
          throw CampaignErrors.ratingOwnUnit(unitId);
        const problems = answerProblems(definition.questionnaire, answer);
        if (problems.length) throw CampaignErrors.incomplete(problems);
        const overall = answerOverall(definition.questionnaire, answer);
        const quota = definition.quota;
        if (quota && overall >= quota.excellentAt) {
          const ratable = ratableUnits(definition, rater).length;
          const limit = Math.floor(quota.maxShare * ratable);
          if (command.excellentElsewhere + 1 > limit)
            throw CampaignErrors.overQuota(limit, quota.excellentAt, quota.maxShare, ratable);
        }
        const version = state.status === 'submitted' ? state.version + 1 : 1;
        return [
          {
            type: 'RatingSheetSubmitted',
            data: { campaignId, rater, unitId, version, answer, overall, submittedAt: at },
          },
        ];
      }
      default: {
        const _exhaustive: never = command.type;
        return _exhaustive;
      }
    }
  },
};
