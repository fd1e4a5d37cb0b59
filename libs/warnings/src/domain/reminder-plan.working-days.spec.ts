import type { WorkCalendar } from '@dukao/calendar';
import {
  type ReminderJob,
  type ReminderPlanInput,
  type ReminderSchedule,
  planReminders,
} from './reminder-plan';
import { SCHEME, sh } from './testing/worked-example.fixture';

/** The default schedule (tier 1 three and one days before, tier 2 one and tier 3 three days after), in working days. */
const WORKING: ReminderSchedule = { ...SCHEME.reminders, offsetDays: 'working' };
/** A National-Day-style week for the tests (not the official notice): 1–7 October off, 27 September and 10 October worked. */
const Y2026: WorkCalendar = {
  year: 2026,
  holidays: [
    '2026-10-01',
    '2026-10-02',
    '2026-10-03',
    '2026-10-04',
    '2026-10-05',
    '2026-10-06',
    '2026-10-07',
  ],
  workdays: ['2026-09-27', '2026-10-10'],
};

const q2: ReminderPlanInput = {
  targetId: 'T1',
  targetTitle: 'GDP增速',
  unitId: 'U-A',
  unitName: '城东镇',
  subject: { kind: 'report', period: '2026-Q2' },
  dueDate: '2026-07-10',
  done: false,
};
/** The Shanghai dates of the scheduled jobs, by tier. */
const days = (jobs: ReminderJob[]) => jobs.map((j) => [j.tier, j.dueDate, j.sendAt]);

describe('given a schedule counted in working days', () => {
  describe('when the report is due on Friday 10 July', () => {
    const jobs = planReminders(q2, WORKING, sh('2026-07-01 10:00'), [Y2026]);

    it('plans tier 1 on Tuesday 7 and Thursday 9 July, tier 2 on Monday 13 and tier 3 on Wednesday 15 July', () => {
      expect(days(jobs)).toEqual([
        [1, '2026-07-10', sh('2026-07-07 09:00')],
        [1, '2026-07-10', sh('2026-07-09 09:00')],
        [2, '2026-07-10', sh('2026-07-13 09:00')],
        [3, '2026-07-10', sh('2026-07-15 09:00')],
      ]);
    });

    it('keeps the job keys of the calendar-day plan (the offsets are the same counts)', () => {
      const calendar = planReminders(q2, SCHEME.reminders, sh('2026-07-01 10:00'), [Y2026]);
      expect(jobs.map((j) => j.jobKey)).toEqual(calendar.map((j) => j.jobKey));
    });
  });

  describe('when a milestone is due on Wednesday 30 September, the eve of the holiday week', () => {
    const jobs = planReminders(
      { ...q2, subject: { kind: 'milestone', milestoneId: 'M1', title: '完成征地' }, dueDate: '2026-09-30' },
      WORKING,
      sh('2026-09-01 10:00'),
      [Y2026],
    );

    it('counts the make-up Sunday before it and escalates after the holidays: tier 2 on 8 October, tier 3 on the make-up Saturday', () => {
      expect(days(jobs)).toEqual([
        [1, '2026-09-30', sh('2026-09-27 09:00')],
        [1, '2026-09-30', sh('2026-09-29 09:00')],
        [2, '2026-09-30', sh('2026-10-08 09:00')],
        [3, '2026-09-30', sh('2026-10-10 09:00')],
      ]);
    });
  });

  describe('when a report is due on Thursday 8 October, the first day back', () => {
    it('reminds on the working days before the holiday week', () => {
      const jobs = planReminders({ ...q2, dueDate: '2026-10-08' }, WORKING, sh('2026-09-01 10:00'), [Y2026]);
      expect(days(jobs)).toEqual([
        [1, '2026-10-08', sh('2026-09-28 09:00')],
        [1, '2026-10-08', sh('2026-09-30 09:00')],
        [2, '2026-10-08', sh('2026-10-09 09:00')],
        [3, '2026-10-08', sh('2026-10-12 09:00')],
      ]);
    });
  });

  describe('when no calendar is published for the year', () => {
    it('counts Monday to Friday', () => {
      const jobs = planReminders({ ...q2, dueDate: '2026-09-30' }, WORKING, sh('2026-09-01 10:00'));
      expect(days(jobs).map(([tier, , sendAt]) => [tier, sendAt])).toEqual([
        [1, sh('2026-09-25 09:00')],
        [1, sh('2026-09-29 09:00')],
        [2, sh('2026-10-01 09:00')],
        [3, sh('2026-10-05 09:00')],
      ]);
    });
  });
});

describe('given a schedule counted in calendar days', () => {
  it('ignores the calendars: tier 2 the day after a report due before the holidays', () => {
    const jobs = planReminders({ ...q2, dueDate: '2026-09-30' }, SCHEME.reminders, sh('2026-09-01 10:00'), [
      Y2026,
    ]);
    expect(jobs.filter((j) => j.tier === 2).map((j) => j.sendAt)).toEqual([sh('2026-10-01 09:00')]);
  });

  it('is what a scheme stored before `offsetDays` existed means', () => {
    const { offsetDays: _absent, ...stored } = SCHEME.reminders;
    const jobs = planReminders(q2, stored, sh('2026-07-01 10:00'), [Y2026]);
    expect(jobs.map((j) => j.sendAt)).toEqual([
      sh('2026-07-07 09:00'),
      sh('2026-07-09 09:00'),
      sh('2026-07-11 09:00'),
      sh('2026-07-13 09:00'),
    ]);
  });
});
