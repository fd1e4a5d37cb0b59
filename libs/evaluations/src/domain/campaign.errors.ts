import { DomainError } from '@dukao/kernel';

export const CampaignErrors = {
  invalid: (problems: string[]) =>
    new DomainError('invalid', 'INVALID_CAMPAIGN', `评议活动设置不符合要求：${problems.join('；')}`, {
      problems,
    }),
  notFound: (campaignId: string) =>
    new DomainError('not-found', 'CAMPAIGN_NOT_FOUND', '评议活动不存在', { campaignId }),
  alreadyExists: (campaignId: string) =>
    new DomainError('conflict', 'CAMPAIGN_EXISTS', '该评议活动已创建', { campaignId }),
  notOpen: (campaignId: string) =>
    new DomainError('conflict', 'CAMPAIGN_NOT_OPEN', '评议活动尚未开始，暂不接受评议', { campaignId }),
  closed: (campaignId: string) =>
    new DomainError('locked', 'CAMPAIGN_CLOSED', '评议活动已截止，评议表已锁定', { campaignId }),
  notRatedUnit: (unitId: string) =>
    new DomainError('invalid', 'UNIT_NOT_RATED', `单位 ${unitId} 不在本次评议对象之中`, { unitId }),
  ratingOwnUnit: (unitId: string) =>
    new DomainError('forbidden', 'RATING_OWN_UNIT', '不得评议本单位', { unitId }),
  notARater: (detail: string) =>
    new DomainError('forbidden', 'NOT_A_RATER', `您不在本次评议的评议人名单中（${detail}）`),
  incomplete: (problems: string[]) =>
    new DomainError('invalid', 'INCOMPLETE_SHEET', `评议表不完整或有误：${problems.join('；')}`, {
      problems,
    }),
  overQuota: (limit: number, excellentAt: number, maxShare: number, ratable: number) =>
    new DomainError(
      'conflict',
      'OVER_QUOTA',
      `评分达到 ${excellentAt} 分（优秀）的评议表不得超过 ${Math.round(maxShare * 100)}%，` +
        `即本次最多 ${limit} 份（共评议 ${ratable} 个单位）`,
      { limit, excellentAt, maxShare, ratable },
    ),
  tokenUnknown: () =>
    new DomainError('forbidden', 'RATING_TOKEN_INVALID', '评议链接无效，请扫描最新的二维码'),
  tokenUsed: () =>
    new DomainError('conflict', 'RATING_TOKEN_USED', '该评议链接已使用过，每个链接只能评议一次'),
  invalidSurvey: (problems: string[]) =>
    new DomainError(
      'invalid',
      'INVALID_SURVEY',
      `第三方调查结果有误，未导入任何数据：${problems.join('；')}`,
      {
        problems,
      },
    ),
};
