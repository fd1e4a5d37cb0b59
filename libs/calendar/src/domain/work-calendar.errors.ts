import { DomainError } from '@dukao/kernel';

export const WorkCalendarErrors = {
  invalid: (problems: string[]) =>
    new DomainError('invalid', 'INVALID_WORK_CALENDAR', `工作日历不符合要求：${problems.join('；')}`, {
      problems,
    }),
  notFound: (year: number) =>
    new DomainError('not-found', 'WORK_CALENDAR_NOT_FOUND', `${year} 年的工作日历尚未发布`, { year }),
};
