import { DomainError } from '@dukao/kernel';

export const PublicationErrors = {
  periodNotEnded: (period: string, endsAt: string) =>
    new DomainError('invalid', 'PERIOD_NOT_ENDED', `${period} 尚未结束，不能公示其排名`, { period, endsAt }),
  periodOutsideCycle: (period: string, year: number) =>
    new DomainError('invalid', 'PERIOD_OUTSIDE_CYCLE', `${period} 不在 ${year} 年度考核周期内`, {
      period,
      year,
    }),
  periodRequired: () =>
    new DomainError('invalid', 'PERIOD_REQUIRED', '月度公示须指明月份（YYYY-MM）；年度公示不带月份'),
  badAppealWindow: (days: number) =>
    new DomainError('invalid', 'INVALID_APPEAL_WINDOW', '申诉期须为 1 至 365 天的整数', { days }),
  nothingToPublish: (category: string) =>
    new DomainError('invalid', 'NOTHING_TO_PUBLISH', '该类别在评分时点没有被考核单位，无排名可公示', {
      category,
    }),
  exists: (publicationId: string) =>
    new DomainError('conflict', 'PUBLICATION_EXISTS', '该公示已存在', { publicationId }),
  notFound: (publicationId: string) =>
    new DomainError('not-found', 'PUBLICATION_NOT_FOUND', '公示不存在', { publicationId }),
};
