import { DomainError } from '@dukao/kernel';

/** The refusals of the supervision context, each with a stable code and a Chinese message. */
export const SupervisionErrors = {
  notFound: () => new DomainError('not-found', 'NOTICE_NOT_FOUND', '督查通知不存在'),
  exists: () => new DomainError('conflict', 'NOTICE_EXISTS', '督查通知已存在'),
  invalid: (problems: string[]) =>
    new DomainError('invalid', 'INVALID_NOTICE', `督查通知不符合要求：${problems.join('；')}`, { problems }),
  outOfScope: (unitId: string) =>
    new DomainError('forbidden', 'OUT_OF_SCOPE', '无权处理其他单位的督查事项', { unitId }),
  closed: () => new DomainError('conflict', 'NOTICE_CLOSED', '该督查事项已办结'),
  alreadySigned: (round: number) =>
    new DomainError('conflict', 'NOTICE_ALREADY_SIGNED', `第 ${round} 轮督办通知已签收`, { round }),
  notSigned: (round: number) =>
    new DomainError('conflict', 'NOTICE_NOT_SIGNED', `请先签收第 ${round} 轮督办通知，再反馈整改情况`, {
      round,
    }),
  rectificationPending: () =>
    new DomainError('conflict', 'RECTIFICATION_PENDING', '已有整改反馈待审核，请等待督查室审核'),
  noPendingRectification: () =>
    new DomainError('conflict', 'NO_PENDING_RECTIFICATION', '没有待审核的整改反馈'),
  rectificationMismatch: (rectificationId: string) =>
    new DomainError('conflict', 'RECTIFICATION_NOT_PENDING', '所指整改反馈不是当前待审核的反馈', {
      rectificationId,
    }),
  alreadyEscalated: () =>
    new DomainError('conflict', 'ALREADY_ESCALATED', '该事项已进入二次督办，不能再次升级'),
  roundNotFailed: () =>
    new DomainError('conflict', 'ROUND_NOT_FAILED', '第一轮督办未被退回且未逾期，不能启动二次督办'),
  deadlinePassed: (deadline: string) =>
    new DomainError('conflict', 'DEADLINE_PASSED', `办理期限 ${deadline} 已过，不能申请延期`, { deadline }),
  extensionPending: () => new DomainError('conflict', 'EXTENSION_PENDING', '已有延期申请待审批'),
  extensionNotPending: (extensionId: string) =>
    new DomainError('conflict', 'EXTENSION_NOT_PENDING', '该延期申请不存在或已审批', { extensionId }),
  actionNotWarranted: () =>
    new DomainError(
      'conflict',
      'ACTION_NOT_WARRANTED',
      '仅二次督办仍未整改到位（被退回或逾期）的事项可据此问责',
    ),
  actionAlreadyTaken: (action: string) =>
    new DomainError('conflict', 'ACTION_ALREADY_TAKEN', '该事项已采取同类问责措施', { action }),
  actionExists: () => new DomainError('conflict', 'ACTION_EXISTS', '问责记录已存在'),
  invalidAction: (problems: string[]) =>
    new DomainError(
      'invalid',
      'INVALID_ACCOUNTABILITY_ACTION',
      `问责记录不符合要求：${problems.join('；')}`,
      {
        problems,
      },
    ),
  actionNotFound: () => new DomainError('not-found', 'ACTION_NOT_FOUND', '问责记录不存在'),
};
