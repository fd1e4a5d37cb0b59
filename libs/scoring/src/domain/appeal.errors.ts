import { DomainError } from '@dukao/kernel';

/** An instant as Shanghai local time, `YYYY-MM-DD HH:mm`, for messages. */
export const shanghaiTime = (instant: string) =>
  new Date(Date.parse(instant) + 8 * 3_600_000).toISOString().slice(0, 16).replace('T', ' ');

export const AppealErrors = {
  notFound: (appealId: string) =>
    new DomainError('not-found', 'APPEAL_NOT_FOUND', '申诉不存在', { appealId }),
  exists: (appealId: string) => new DomainError('conflict', 'APPEAL_EXISTS', '该申诉已存在', { appealId }),
  unitNotFound: (unitId: string) =>
    new DomainError('invalid', 'UNIT_NOT_FOUND', '考核单位不存在', { unitId }),
  publicationNotOfUnit: (publicationId: string, unitId: string) =>
    new DomainError(
      'invalid',
      'PUBLICATION_NOT_OF_UNIT',
      '该公示不是本单位所在类别的排名（或公示时本单位不在其中），不能据此申诉',
      { publicationId, unitId },
    ),
  windowClosed: (appealDeadline: string) =>
    new DomainError(
      'invalid',
      'APPEAL_WINDOW_CLOSED',
      `申诉期已过（截止 ${shanghaiTime(appealDeadline)}），不再受理申诉`,
      { appealDeadline },
    ),
  subjectNotFound: (subject: Record<string, unknown>) =>
    new DomainError('invalid', 'APPEAL_SUBJECT_NOT_FOUND', '申诉对象不存在或不属于本单位', { subject }),
  subjectNotInPublication: (subject: Record<string, unknown>) =>
    new DomainError(
      'invalid',
      'APPEAL_SUBJECT_NOT_IN_PUBLICATION',
      '申诉对象不在该次公示的评分范围内（在公示的评分时点之后发生，或公示之后才记录）',
      { subject },
    ),
  blank: (field: 'reasons' | 'reasoning') =>
    new DomainError('invalid', 'INVALID_APPEAL', field === 'reasons' ? '须写明申诉理由' : '须写明裁决理由', {
      field,
    }),
  withdrawn: (appealId: string) =>
    new DomainError('conflict', 'APPEAL_WITHDRAWN', '该申诉已撤回', { appealId }),
  alreadyRuled: (appealId: string) =>
    new DomainError('conflict', 'APPEAL_ALREADY_RULED', '该申诉已有裁决，每项申诉只裁决一次', { appealId }),
  invalidRuling: (problem: string) =>
    new DomainError('invalid', 'INVALID_RULING', `裁决不符合要求：${problem}`, { problem }),
};
