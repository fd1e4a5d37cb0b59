import { deciderSpec } from '@dukao/testing';
import { campaignDecider } from './campaign.decider';
import type { CampaignEvent, UnitResult } from './campaign.events';
import { at, definition } from './fixtures.spec-helpers';

const spec = deciderSpec(campaignDecider);
const created: CampaignEvent = { type: 'CampaignCreated', data: { ...definition(), createdAt: at } };
const opened: CampaignEvent = { type: 'CampaignOpened', data: { campaignId: 'pingyi-2026', openedAt: at } };
const closed: CampaignEvent = { type: 'CampaignClosed', data: { campaignId: 'pingyi-2026', closedAt: at } };
const results = { units: [] as UnitResult[], reciprocalSignals: [] };

describe('when no campaign exists', () => {
  it('creates it', () => {
    spec.given().when({ type: 'CreateCampaign', definition: definition(), at }).then([created]);
  });

  it('refuses weights that do not sum to 1', () => {
    spec
      .given()
      .when({
        type: 'CreateCampaign',
        definition: definition({
          groups: [
            { kind: 'public', weight: 0.5 },
            { kind: 'survey', weight: 0.4 },
          ],
        }),
        at,
      })
      .thenRefuses('INVALID_CAMPAIGN', /权重之和须为 1，现为 0.9/);
  });

  it('refuses a closing time before the opening time and a group without raters', () => {
    spec
      .given()
      .when({
        type: 'CreateCampaign',
        definition: definition({
          closesAt: '2026-10-01T00:00:00.000Z',
          groups: [
            { kind: 'departments', weight: 0.5, raterUnitIds: [] },
            { kind: 'leaders', weight: 0.5, userIds: ['x'] },
          ],
        }),
        at,
      })
      .thenRefuses('INVALID_CAMPAIGN', /部门互评须列出评议部门；开始时间须早于截止时间/);
  });

  it('refuses a satisfaction scale missing a level', () => {
    spec
      .given()
      .when({
        type: 'CreateCampaign',
        definition: definition({
          questionnaire: { kind: 'satisfaction', scores: { 满意: 100, 基本满意: 80 } as never },
        }),
        at,
      })
      .thenRefuses('INVALID_CAMPAIGN', /“不满意”须对应 0–100 之间的分值/);
  });
});

describe('when the campaign is created', () => {
  it('refuses creating it again', () => {
    spec
      .given(created)
      .when({ type: 'CreateCampaign', definition: definition(), at })
      .thenRefuses('CAMPAIGN_EXISTS');
  });

  it('opens it', () => {
    spec.given(created).when({ type: 'OpenCampaign', campaignId: 'pingyi-2026', at }).then([opened]);
  });

  it('refuses closing it before it opened', () => {
    spec
      .given(created)
      .when({ type: 'CloseCampaign', campaignId: 'pingyi-2026', at, results })
      .thenRefuses('CAMPAIGN_NOT_OPEN');
  });

  it('imports survey rows, deriving each mean from the dimension means', () => {
    const dimensionMeans = { 能力素质: 80, 依法行政: 90, 廉政勤政: 85, 服务意识: 75, 工作成效: 95 };
    spec
      .given(created)
      .when({
        type: 'ImportSurveyResults',
        campaignId: 'pingyi-2026',
        rows: [{ unitId: 'bureau-a', respondents: 120, dimensionMeans }],
        source: null,
        at,
      })
      .then([
        {
          type: 'SurveyResultsImported',
          data: {
            campaignId: 'pingyi-2026',
            rows: [{ unitId: 'bureau-a', respondents: 120, mean: 85, dimensionMeans, levelCounts: null }],
            source: null,
            importedAt: at,
          },
        },
      ]);
  });

  it('refuses the whole survey and names every bad row', () => {
    spec
      .given(created)
      .when({
        type: 'ImportSurveyResults',
        campaignId: 'pingyi-2026',
        rows: [
          { unitId: 'bureau-x', respondents: 10, dimensionMeans: { 能力素质: 1 } },
          { unitId: 'bureau-b', respondents: 0, dimensionMeans: {} },
        ],
        source: null,
        at,
      })
      .thenRefuses(
        'INVALID_SURVEY',
        /第 1 行：单位 bureau-x 不在本次评议对象之中.*第 2 行：受访人数须为正整数/,
      );
  });
});

describe('when the campaign is open', () => {
  it('closes it and publishes the results handed in', () => {
    spec
      .given(created, opened)
      .when({ type: 'CloseCampaign', campaignId: 'pingyi-2026', at, results })
      .then([
        closed,
        {
          type: 'EvaluationResultsPublished',
          data: { campaignId: 'pingyi-2026', cycleId: '2026', ...results, publishedAt: at },
        },
      ]);
  });
});

describe('when the campaign is closed', () => {
  it('appends nothing on a second close', () => {
    spec
      .given(created, opened, closed)
      .when({ type: 'CloseCampaign', campaignId: 'pingyi-2026', at, results })
      .then([]);
  });

  it('refuses a survey import (locked)', () => {
    spec
      .given(created, opened, closed)
      .when({ type: 'ImportSurveyResults', campaignId: 'pingyi-2026', rows: [], source: null, at })
      .thenRefuses('CAMPAIGN_CLOSED');
  });
});
