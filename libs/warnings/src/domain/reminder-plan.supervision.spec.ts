import { digest } from './quiet-hours';
import {
  type CaseReminderInput,
  caseJobKey,
  planCaseReminders,
  planReminders,
  type ReminderJob,
} from './reminder-plan';
import { SCHEME, sh } from './testing/worked-example.fixture';

const R = SCHEME.reminders;

/** A 督查通知 to Town A opened 1 July 2026, its reply due 10 July (the same day as Q2's report). */
const round1: CaseReminderInput = {
  noticeId: 'N1',
  document: 'notice',
  title: '重点项目开工滞后',
  unitId: 'town-a',
  unitName: '甲镇',
  round: 1,
  deadline: '2026-07-10',
  owed: true,
};
/** The same case escalated (二次督办) on 12 July 11:00, due 20 July, tracked by user u-tracker. */
const round2: CaseReminderInput = {
  ...round1,
  round: 2,
  deadline: '2026-07-20',
  escalatedAt: sh('2026-07-12 11:00'),
  answeredInRound: false,
  tracker: 'u-tracker',
};
const plan = (input: Partial<CaseReminderInput>, now: string, reminders = R) =>
  planCaseReminders({ ...round1, ...input }, reminders, now);
const brief = (jobs: ReminderJob[]) => jobs.map((j) => [j.tier, j.duty, j.sendAt, j.reason]);

describe('a case round’s reply deadline (round 1 due 10 July, no answer yet)', () => {
  const jobs = plan({}, sh('2026-07-01 10:00'));

  it('plans the three tiers as for a report: tier 1 on 7 and 9 July, tier 2 on 11 July, tier 3 on 13 July, at 09:00', () => {
    expect(brief(jobs)).toEqual([
      [1, 'reporter', sh('2026-07-07 09:00'), 'dueSoon'],
      [1, 'reporter', sh('2026-07-09 09:00'), 'dueSoon'],
      [2, 'leaderInCharge', sh('2026-07-11 09:00'), 'overdue'],
      [3, 'principalLeader', sh('2026-07-13 09:00'), 'overdue'],
    ]);
  });

  it('describes each job completely: no target, the case as subject, the deadline as due date', () => {
    expect(jobs[0]).toEqual({
      jobKey: 'reminder-case_reporter_N1_r1_t1_2026-07-10_b3',
      tier: 1,
      duty: 'reporter',
      unitId: 'town-a',
      unitName: '甲镇',
      targetId: null,
      targetTitle: null,
      subject: {
        kind: 'supervision',
        noticeId: 'N1',
        round: 1,
        title: '重点项目开工滞后',
        document: 'notice',
      },
      period: null,
      dueDate: '2026-07-10',
      sendAt: sh('2026-07-07 09:00'),
      reason: 'dueSoon',
    });
  });

  it('gives deterministic keys that are valid job keys and never start like a target’s', () => {
    const keys = jobs.map((j) => j.jobKey);
    expect(keys).toEqual([
      'reminder-case_reporter_N1_r1_t1_2026-07-10_b3',
      'reminder-case_reporter_N1_r1_t1_2026-07-10_b1',
      'reminder-case_leaderInCharge_N1_r1_t2_2026-07-10',
      'reminder-case_principalLeader_N1_r1_t3_2026-07-10',
    ]);
    expect(plan({}, sh('2026-07-03 15:00')).map((j) => j.jobKey)).toEqual(keys);
    for (const key of keys) {
      // The queue's job-key alphabet (no ':' for BullMQ).
      expect(key).toMatch(/^[A-Za-z0-9_.-]{1,200}$/);
      expect(key.startsWith('reminder_')).toBe(false);
    }
    expect(caseJobKey('tracker', 'a_b', 2, 2, '2026-07-20')).toBe(
      'reminder-case_tracker_a%5Fb_r2_t2_2026-07-20',
    );
  });

  it('takes its offsets from the scheme’s reminder schedule', () => {
    const custom = { ...R, sendAt: '10:30', tier1DaysBefore: [2], tier2DaysAfter: 2, tier3DaysAfter: 4 };
    expect(brief(plan({}, sh('2026-07-01 10:00'), custom))).toEqual([
      [1, 'reporter', sh('2026-07-08 10:30'), 'dueSoon'],
      [2, 'leaderInCharge', sh('2026-07-12 10:30'), 'overdue'],
      [3, 'principalLeader', sh('2026-07-14 10:30'), 'overdue'],
    ]);
  });

  it('counts working days when the schedule says so: one after a Friday deadline is the Monday', () => {
    const working = { ...R, offsetDays: 'working' as const };
    expect(brief(plan({ deadline: '2026-07-17' }, sh('2026-07-01 10:00'), working))).toEqual([
      [1, 'reporter', sh('2026-07-14 09:00'), 'dueSoon'],
      [1, 'reporter', sh('2026-07-16 09:00'), 'dueSoon'],
      [2, 'leaderInCharge', sh('2026-07-20 09:00'), 'overdue'],
      [3, 'principalLeader', sh('2026-07-22 09:00'), 'overdue'],
    ]);
  });

  it('holds a send time inside quiet hours to their end', () => {
    expect(plan({}, sh('2026-07-01 10:00'), { ...R, sendAt: '06:30' })[0]!.sendAt).toBe(
      sh('2026-07-07 08:00'),
    );
  });
});

describe('what stops and what revives a case’s reminders', () => {
  it('a rectification reported (an answer awaits the office) or the case closed: nothing is planned', () => {
    expect(plan({ owed: false }, sh('2026-07-08 10:00'))).toEqual([]);
    expect(plan({ owed: false }, sh('2026-07-12 10:00'))).toEqual([]);
  });

  it('a case opened late catches up only its latest passed tier-1 reminder, at once', () => {
    expect(brief(plan({}, sh('2026-07-08 10:00'))).slice(0, 2)).toEqual([
      [1, 'reporter', sh('2026-07-08 10:00'), 'dueSoon'],
      [1, 'reporter', sh('2026-07-09 09:00'), 'dueSoon'],
    ]);
  });

  it('an answer returned after the deadline revives tier 2 at once (held out of quiet hours) and tier 3 on time', () => {
    expect(brief(plan({}, sh('2026-07-12 10:00')))).toEqual([
      [2, 'leaderInCharge', sh('2026-07-12 10:00'), 'overdue'],
      [3, 'principalLeader', sh('2026-07-13 09:00'), 'overdue'],
    ]);
    expect(brief(plan({}, sh('2026-07-12 23:30')))[0]).toEqual([
      2,
      'leaderInCharge',
      sh('2026-07-13 08:00'),
      'overdue',
    ]);
  });

  it('an approved extension replans every tier on the new deadline, under new keys', () => {
    const before = plan({}, sh('2026-07-08 10:00'));
    const after = plan({ deadline: '2026-07-24' }, sh('2026-07-08 10:00'));
    expect(after.map((j) => [j.jobKey, j.sendAt])).toEqual([
      ['reminder-case_reporter_N1_r1_t1_2026-07-24_b3', sh('2026-07-21 09:00')],
      ['reminder-case_reporter_N1_r1_t1_2026-07-24_b1', sh('2026-07-23 09:00')],
      ['reminder-case_leaderInCharge_N1_r1_t2_2026-07-24', sh('2026-07-25 09:00')],
      ['reminder-case_principalLeader_N1_r1_t3_2026-07-24', sh('2026-07-27 09:00')],
    ]);
    const keys = new Set(after.map((j) => j.jobKey));
    expect(before.filter((j) => keys.has(j.jobKey))).toEqual([]);
  });

  it('ignores a tracker in round 1 (there is none before 二次督办)', () => {
    expect(plan({ tracker: 'u-tracker' }, sh('2026-07-01 10:00')).some((j) => j.duty === 'tracker')).toBe(
      false,
    );
  });
});

describe('二次督办 (round 2, due 20 July, opened 12 July 11:00, tracker u-tracker)', () => {
  const jobs = planCaseReminders(round2, R, sh('2026-07-12 11:00'));

  it('tells the leader in charge and the tracker at once, then runs the three tiers on the new deadline; the tracker gets tier 2 too', () => {
    expect(jobs.map((j) => [j.jobKey, j.duty, j.tier, j.sendAt, j.reason])).toEqual([
      ['reminder-case_leaderInCharge_N1_r2_opened', 'leaderInCharge', 2, sh('2026-07-12 11:00'), 'escalated'],
      ['reminder-case_tracker_N1_r2_opened', 'tracker', 2, sh('2026-07-12 11:00'), 'escalated'],
      ['reminder-case_reporter_N1_r2_t1_2026-07-20_b3', 'reporter', 1, sh('2026-07-17 09:00'), 'dueSoon'],
      ['reminder-case_reporter_N1_r2_t1_2026-07-20_b1', 'reporter', 1, sh('2026-07-19 09:00'), 'dueSoon'],
      [
        'reminder-case_leaderInCharge_N1_r2_t2_2026-07-20',
        'leaderInCharge',
        2,
        sh('2026-07-21 09:00'),
        'overdue',
      ],
      ['reminder-case_tracker_N1_r2_t2_2026-07-20', 'tracker', 2, sh('2026-07-21 09:00'), 'overdue'],
      [
        'reminder-case_principalLeader_N1_r2_t3_2026-07-20',
        'principalLeader',
        3,
        sh('2026-07-23 09:00'),
        'overdue',
      ],
    ]);
  });

  it('names the tracker as the recipient of their jobs, and nobody else’s', () => {
    expect(jobs.filter((j) => j.userId !== undefined).map((j) => [j.duty, j.userId])).toEqual([
      ['tracker', 'u-tracker'],
      ['tracker', 'u-tracker'],
    ]);
    expect(jobs.every((j) => j.subject.kind === 'supervision' && j.subject.round === 2)).toBe(true);
  });

  it('shares no key with round 1: escalating replaces round 1’s jobs', () => {
    const first = new Set(plan({}, sh('2026-07-01 10:00')).map((j) => j.jobKey));
    expect(jobs.filter((j) => first.has(j.jobKey))).toEqual([]);
  });

  it('opened in quiet hours: the leader in charge hears at 08:00', () => {
    const late = planCaseReminders(
      { ...round2, escalatedAt: sh('2026-07-12 23:00') },
      R,
      sh('2026-07-12 23:00'),
    );
    expect(late.filter((j) => j.reason === 'escalated').map((j) => [j.duty, j.sendAt])).toEqual([
      ['leaderInCharge', sh('2026-07-13 08:00')],
      ['tracker', sh('2026-07-13 08:00')],
    ]);
  });

  it('without a reachable tracker (no phone), only the leader in charge is told', () => {
    const noTracker = planCaseReminders({ ...round2, tracker: null }, R, sh('2026-07-12 11:00'));
    expect(noTracker.some((j) => j.duty === 'tracker')).toBe(false);
    expect(noTracker.filter((j) => j.reason === 'escalated').map((j) => j.duty)).toEqual(['leaderInCharge']);
  });

  it('keeps the opening notice’s key across an extension, so it is never sent twice', () => {
    const extended = planCaseReminders({ ...round2, deadline: '2026-07-27' }, R, sh('2026-07-14 10:00'));
    expect(extended.filter((j) => j.reason === 'escalated').map((j) => j.jobKey)).toEqual([
      'reminder-case_leaderInCharge_N1_r2_opened',
      'reminder-case_tracker_N1_r2_opened',
    ]);
    expect(extended.find((j) => j.tier === 3)!.jobKey).toBe(
      'reminder-case_principalLeader_N1_r2_t3_2026-07-27',
    );
  });

  it('drops the opening notice once the unit has answered in round 2, even if the answer is returned', () => {
    const answered = planCaseReminders({ ...round2, answeredInRound: true }, R, sh('2026-07-15 10:00'));
    expect(answered.some((j) => j.reason === 'escalated')).toBe(false);
    expect(answered.map((j) => j.tier)).toEqual([1, 1, 2, 2, 3]);
  });

  it('a rectification reported or the case closed stops round 2’s reminders too', () => {
    expect(planCaseReminders({ ...round2, owed: false }, R, sh('2026-07-12 11:00'))).toEqual([]);
  });
});

describe('the SMS text of a case’s reminders', () => {
  const at = (jobs: ReminderJob[], day: string) => jobs.filter((j) => j.sendAt.startsWith(day.slice(0, 10)));

  it('tier 1: the reply is due on the deadline', () => {
    const [first] = plan({}, sh('2026-07-01 10:00'));
    expect(digest([first!]).text).toBe(
      '【督考】您好，以下事项请及时办理：1. 甲镇督查通知《重点项目开工滞后》整改反馈将于7月10日到期。',
    );
  });

  it('tier 2/3: overdue by so many days, still unanswered; round 2 and a 建议书 say so', () => {
    const jobs = planCaseReminders({ ...round2, document: 'suggestion' }, R, sh('2026-07-12 11:00'));
    const tier3 = jobs.find((j) => j.tier === 3)!;
    expect(digest([tier3]).text).toBe(
      '【督考】您好，以下事项请及时办理：1. 甲镇绩效督查建议书《重点项目开工滞后》（二次督办）整改反馈应于7月20日前报送，已逾期3天仍未反馈。',
    );
  });

  it('二次督办 opened: the leader in charge is asked to see to it, the tracker told they follow it', () => {
    const opened = at(planCaseReminders(round2, R, sh('2026-07-12 11:00')), '2026-07-12');
    expect(opened.map((j) => digest([j]).text)).toEqual([
      '【督考】您好，以下事项请及时办理：1. 甲镇督查通知《重点项目开工滞后》已转二次督办，整改反馈须于7月20日前报送，请督促落实。',
      '【督考】您好，以下事项请及时办理：1. 甲镇督查通知《重点项目开工滞后》已转二次督办，由您专人跟踪，整改反馈须于7月20日前报送。',
    ]);
  });

  it('merges with a target’s reminder due to the same person at the same time into one message', () => {
    const report = planReminders(
      {
        targetId: 'T1',
        targetTitle: 'GDP增速',
        unitId: 'town-a',
        unitName: '甲镇',
        subject: { kind: 'report', period: '2026-Q2' },
        dueDate: '2026-07-10',
        done: false,
      },
      R,
      sh('2026-07-01 10:00'),
    );
    const sameMorning = [...at(report, '2026-07-07'), ...at(plan({}, sh('2026-07-01 10:00')), '2026-07-07')];
    expect(sameMorning).toHaveLength(2);
    expect(digest(sameMorning).text).toBe(
      '【督考】您好，以下事项请及时办理：1. 甲镇“GDP增速”2026年第二季度进度应于7月10日前报送；2. 甲镇督查通知《重点项目开工滞后》整改反馈将于7月10日到期。',
    );
  });
});
