import { DomainError } from '@dukao/kernel';

export const SpotCheckErrors = {
  notFound: (spotCheckId: string) =>
    new DomainError('not-found', 'SPOT_CHECK_NOT_FOUND', '抽查不存在', { spotCheckId }),
  exists: (spotCheckId: string) =>
    new DomainError('conflict', 'SPOT_CHECK_EXISTS', '该抽查已抽取', { spotCheckId }),
  forbidden: (action: string, role: string) =>
    new DomainError('forbidden', 'SPOT_CHECK_FORBIDDEN', `仅电子监察人员可${action}`, { role }),
  invalid: (problem: string) =>
    new DomainError('invalid', 'INVALID_SPOT_CHECK', `抽查设置不符合要求：${problem}`, { problem }),
  emptyFrame: () =>
    new DomainError(
      'invalid',
      'SPOT_CHECK_FRAME_EMPTY',
      '抽查范围内没有可抽取的对象（已下达的目标或有效的填报）',
    ),
  itemNotSampled: (itemId: string) =>
    new DomainError('invalid', 'SPOT_CHECK_ITEM_NOT_SAMPLED', '该对象不在本次抽中的样本中', { itemId }),
  outcomeExists: (itemId: string) =>
    new DomainError('conflict', 'SPOT_CHECK_OUTCOME_EXISTS', '该样本的核验结果已记录', { itemId }),
  invalidOutcome: (problem: string) =>
    new DomainError('invalid', 'INVALID_SPOT_CHECK_OUTCOME', `核验结果不符合要求：${problem}`, { problem }),
};
