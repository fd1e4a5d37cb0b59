import { DomainError } from '@dukao/kernel';

export const ScoreRecordErrors = {
  cycleNotOpen: (cycleId: string) =>
    new DomainError('invalid', 'CYCLE_NOT_OPEN', '考核周期不存在或已结束', { cycleId }),
  unitNotFound: (unitId: string) =>
    new DomainError('invalid', 'UNIT_NOT_FOUND', '考核单位不存在', { unitId }),
  invalidAmount: (amount: number, max: number) =>
    new DomainError(
      'invalid',
      'INVALID_ADJUSTMENT_AMOUNT',
      `加减分分值须大于 0、不超过 ${max} 分，且最多三位小数`,
      { amount, max },
    ),
  invalidDate: (occurredOn: string) =>
    new DomainError('invalid', 'INVALID_OCCURRED_ON', `${occurredOn} 不是有效日期（格式 YYYY-MM-DD）`, {
      occurredOn,
    }),
  dateOutsideCycle: (occurredOn: string, year: number) =>
    new DomainError(
      'invalid',
      'OCCURRED_ON_OUTSIDE_CYCLE',
      `日期 ${occurredOn} 不在 ${year} 年度考核周期内`,
      {
        occurredOn,
        year,
      },
    ),
  blank: (field: 'reason' | 'basis') =>
    new DomainError(
      'invalid',
      'INVALID_SCORE_RECORD',
      field === 'reason' ? '须写明加减分或否决的理由' : '须写明依据（文件或决定）',
      { field },
    ),
  adjustmentExists: (adjustmentId: string) =>
    new DomainError('conflict', 'ADJUSTMENT_EXISTS', '该加减分记录已存在', { adjustmentId }),
  vetoExists: (vetoId: string) =>
    new DomainError('conflict', 'VETO_EXISTS', '该一票否决记录已存在', { vetoId }),
  wrongStream: (cycleId: string, unitId: string) =>
    new DomainError('invalid', 'INVALID_SCORE_RECORD', '记录的考核周期或单位与所在记录流不符', {
      cycleId,
      unitId,
    }),
};
