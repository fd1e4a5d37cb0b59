import { deciderSpec } from '@dukao/testing';
import type { CampaignState } from './campaign.decider';
import type { RatingSheetEvent, SheetRater } from './rating-sheet.events';
import { type RatingSheetCommand, ratingSheetDecider } from './rating-sheet.decider';
import { DIMENSIONS, at, closesAt, definition, openCampaign, scores } from './fixtures.spec-helpers';

const spec = deciderSpec(ratingSheetDecider);
const bureauA: SheetRater = { group: 'departments', unitId: 'bureau-a' };
const submit = (overrides: Partial<RatingSheetCommand> = {}): RatingSheetCommand => ({
  type: 'SubmitRatingSheet',
  campaignId: 'pingyi-2026',
  campaign: openCampaign(),
  rater: bureauA,
  unitId: 'bureau-b',
  answer: { kind: 'dimensions', scores: scores(85) },
  excellentElsewhere: 0,
  at,
  ...overrides,
});
const submitted = (version: number, overall = 85): RatingSheetEvent => ({
  type: 'RatingSheetSubmitted',
  data: {
    campaignId: 'pingyi-2026',
    rater: bureauA,
    unitId: 'bureau-b',
    version,
    answer: { kind: 'dimensions', scores: scores(overall) },
    overall,
    submittedAt: at,
  },
});

describe('when the rater has no sheet for the unit yet', () => {
  it('accepts a complete sheet with its overall score (mean of the dimensions)', () => {
    const answer = { kind: 'dimensions' as const, scores: { ...scores(80), 工作成效: 90 } };
    spec
      .given()
      .when(submit({ answer }))
      .then([{ ...submitted(1), data: { ...submitted(1).data, answer, overall: 82 } }]);
  });

  it('refuses rating its own unit', () => {
    spec
      .given()
      .when(submit({ unitId: 'bureau-a' }))
      .thenRefuses('RATING_OWN_UNIT', /不得评议本单位/);
  });

  it('refuses a department that is not a listed rater', () => {
    spec
      .given()
      .when(submit({ rater: { group: 'departments', unitId: 'bureau-z' } }))
      .thenRefuses('NOT_A_RATER', /部门 bureau-z 不是评议部门/);
  });

  it('refuses a leader who is not named', () => {
    spec
      .given()
      .when(submit({ rater: { group: 'leaders', userId: 'someone' } }))
      .thenRefuses('NOT_A_RATER', /未被列为评议领导/);
  });

  it('refuses an incomplete sheet, naming the missing dimension', () => {
    const { 工作成效: _missing, ...partial } = scores(80);
    spec
      .given()
      .when(submit({ answer: { kind: 'dimensions', scores: partial } }))
      .thenRefuses('INCOMPLETE_SHEET', /缺少“工作成效”的评分/);
  });

  it('refuses a score above 100', () => {
    spec
      .given()
      .when(submit({ answer: { kind: 'dimensions', scores: { ...scores(80), [DIMENSIONS[0]!]: 101 } } }))
      .thenRefuses('INCOMPLETE_SHEET', /须在 0–100 之间/);
  });

  it('refuses a unit that is not rated in the campaign', () => {
    spec
      .given()
      .when(submit({ unitId: 'bureau-q' }))
      .thenRefuses('UNIT_NOT_RATED');
  });

  it('refuses an excellent sheet over the quota, naming the limit', () => {
    // 3 ratable units × 34% = 1 excellent sheet at most; one is already elsewhere.
    spec
      .given()
      .when(submit({ answer: { kind: 'dimensions', scores: scores(95) }, excellentElsewhere: 1 }))
      .thenRefuses('OVER_QUOTA', /不得超过 34%，即本次最多 1 份（共评议 3 个单位）/);
  });

  it('accepts the first excellent sheet within the quota', () => {
    spec
      .given()
      .when(submit({ answer: { kind: 'dimensions', scores: scores(95) } }))
      .then([submitted(1, 95)]);
  });

  it('refuses before the campaign is opened', () => {
    const campaign: CampaignState = { status: 'created', definition: definition(), survey: null };
    spec.given().when(submit({ campaign })).thenRefuses('CAMPAIGN_NOT_OPEN');
  });

  it('refuses a missing campaign', () => {
    spec
      .given()
      .when(submit({ campaign: { status: 'none' } }))
      .thenRefuses('CAMPAIGN_NOT_FOUND');
  });
});

describe('when the rater already submitted a sheet', () => {
  it('accepts a new version while the campaign is open', () => {
    spec
      .given(submitted(1))
      .when(submit())
      .then([submitted(2)]);
  });

  it('is locked once the campaign is closed', () => {
    const campaign: CampaignState = { status: 'closed', definition: definition(), survey: null };
    spec
      .given(submitted(1))
      .when(submit({ campaign }))
      .thenRefuses('CAMPAIGN_CLOSED', /已截止/);
  });

  it('is locked after closesAt by the clock even before the admin closes it', () => {
    spec
      .given(submitted(1))
      .when(submit({ at: closesAt }))
      .thenRefuses('CAMPAIGN_CLOSED');
  });
});
