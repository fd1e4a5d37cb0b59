import { DomainError } from '@dukao/kernel';

const STATUS_NAMES: Record<string, string> = {
  proposed: '审核中',
  returned: '已退回',
  issued: '已下达',
  withdrawn: '已撤销',
};
const status = (s: string) => STATUS_NAMES[s] ?? s;

export const TargetErrors = {
  targetExists: (targetId: string) =>
    new DomainError('conflict', 'TARGET_EXISTS', '目标已存在', { targetId }),
  targetNotFound: () => new DomainError('not-found', 'TARGET_NOT_FOUND', '目标不存在'),
  invalidDefinition: (problems: string[]) =>
    new DomainError('invalid', 'INVALID_TARGET', `目标内容不符合要求：${problems.join('；')}`, { problems }),
  invalidStages: () => new DomainError('invalid', 'INVALID_REVIEW_STAGES', '联审环节须至少一个且不重复'),
  notUnderReview: (s: string) =>
    new DomainError('conflict', 'TARGET_NOT_UNDER_REVIEW', `目标当前${status(s)}，不在审核中`, { status: s }),
  wrongStage: (expected: string, given: string) =>
    new DomainError('conflict', 'WRONG_REVIEW_STAGE', '当前不是该审核环节', {
      expectedStage: expected,
      givenStage: given,
    }),
  reasonRequired: () => new DomainError('invalid', 'REASON_REQUIRED', '请填写理由'),
  notReturned: (s: string) =>
    new DomainError('conflict', 'TARGET_NOT_RETURNED', `目标当前${status(s)}，只有被退回的目标可重新提交`, {
      status: s,
    }),
  cannotMove: () => new DomainError('invalid', 'TARGET_UNIT_FIXED', '重新提交不能更改考核单位或考核周期'),
  notIssued: (s: string) =>
    new DomainError('conflict', 'TARGET_NOT_ISSUED', `目标当前${status(s)}，尚未下达`, { status: s }),
  notQuantitative: () => new DomainError('invalid', 'TARGET_NOT_QUANTITATIVE', '节点目标没有可调整的目标值'),
  rulingRequired: () => new DomainError('invalid', 'RULING_REQUIRED', '调整目标值须附裁决文号'),
  adjustmentOutOfOrder: (last: string) =>
    new DomainError('conflict', 'ADJUSTMENT_OUT_OF_ORDER', '调整生效时间须晚于上一次调整', {
      lastEffectiveFrom: last,
    }),
  withdrawn: () => new DomainError('conflict', 'TARGET_WITHDRAWN', '目标已撤销'),
  badPeriod: (period: string, cadence: string) =>
    new DomainError(
      'invalid',
      'INVALID_PERIOD',
      `填报期次不正确（${cadence === 'monthly' ? '按月，如 2026-06' : '按季，如 2026-Q2'}）`,
      { period },
    ),
  reportExists: (reportId: string) =>
    new DomainError('conflict', 'REPORT_EXISTS', '该填报编号已存在', { reportId }),
  periodAlreadyReported: (period: string) =>
    new DomainError('conflict', 'PERIOD_ALREADY_REPORTED', '已有他人先行填报本期，如需修改请提交更正', {
      period,
    }),
  reportNotFound: (reportId: string) =>
    new DomainError('not-found', 'REPORT_NOT_FOUND', '填报记录不存在', { reportId }),
  notCurrent: (reportId: string) =>
    new DomainError('conflict', 'REPORT_NOT_CURRENT', '只能更正本期现行的填报', { reportId }),
  alreadyReplaced: (reportId: string) =>
    new DomainError('conflict', 'REPORT_REPLACED', '该填报已被更正', { reportId }),
  alreadyReviewed: (reportId: string, s: string) =>
    new DomainError(
      'conflict',
      'REPORT_ALREADY_REVIEWED',
      s === 'verified' ? '该填报已审核通过' : '该填报已退回',
      { reportId, status: s },
    ),
  valueRequired: () => new DomainError('invalid', 'VALUE_REQUIRED', '量化目标须填报累计完成值'),
  unknownMilestone: (milestoneId: string) =>
    new DomainError('invalid', 'UNKNOWN_MILESTONE', '节点不存在', { milestoneId }),
  invalidWarningThresholds: (problems: string[]) =>
    new DomainError('invalid', 'INVALID_WARNING_THRESHOLDS', `预警阈值不符合要求：${problems.join('；')}`, {
      problems,
    }),
  evidenceRequired: () => new DomainError('invalid', 'EVIDENCE_REQUIRED', '完成该节点须上传佐证材料'),
};
