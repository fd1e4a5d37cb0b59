import type { CampaignState } from './campaign.decider';
import type { CampaignDefinition } from './campaign.events';

export const DIMENSIONS = ['能力素质', '依法行政', '廉政勤政', '服务意识', '工作成效'];
export const at = '2026-11-02T01:00:00.000Z';
export const opensAt = '2026-11-01T00:00:00.000Z';
export const closesAt = '2026-11-30T00:00:00.000Z';

export const definition = (overrides: Partial<CampaignDefinition> = {}): CampaignDefinition => ({
  campaignId: 'pingyi-2026',
  cycleId: '2026',
  name: '2026 年度机关满意度评议',
  period: '2026',
  unitIds: ['bureau-a', 'bureau-b', 'bureau-c', 'bureau-d'],
  groups: [
    { kind: 'public', weight: 0.4 },
    { kind: 'departments', weight: 0.3, raterUnitIds: ['bureau-a', 'bureau-b', 'bureau-c', 'bureau-d'] },
    { kind: 'leaders', weight: 0.2, userIds: ['leader-1'] },
    { kind: 'survey', weight: 0.1 },
  ],
  questionnaire: { kind: 'dimensions', dimensions: DIMENSIONS },
  opensAt,
  closesAt,
  quota: { excellentAt: 90, maxShare: 0.34 },
  trimShare: null,
  reciprocalThreshold: 10,
  ...overrides,
});

export const openCampaign = (overrides: Partial<CampaignDefinition> = {}): CampaignState => ({
  status: 'open',
  definition: definition(overrides),
  survey: null,
});

/** The same score on every dimension. */
export const scores = (value: number) => Object.fromEntries(DIMENSIONS.map((d) => [d, value]));
