import {
  causeOf,
  jobKey,
  levelChangeOf,
  planReminders,
  reminderInputsOf,
  type ReminderJob,
  type ReminderPlanInput,
} from './reminder-plan';
import { SCHEME, gdpTarget, report, sh } from './testing/worked-example.fixture';
import { evaluateWarning, warningInputOf } from './warning-level';

const R = SCHEME.reminders;

/** Worked example: Town A's Q2 GDP report, due 10 July 2026. */
const q2: ReminderPlanInput = {
  targetId: 'T1',
  targetTitle: 'GDP增速',
  unitId: 'U-A',
  unitName: '城东镇',
  subject: { kind: 'report', period: '2026-Q2' },
  dueDate: '2026-07-10',
  done: false,
};
const plan = (input: Partial<ReminderPlanInput>, now: string, reminders = R) =>
  planReminders({ ...q2, ...input }, reminders, now);
const brief = (jobs: ReminderJob[]) => jobs.map((j) => [j.tier, j.duty, j.sendAt, j.reason]);

describe('scheduled tiers (worked example: report due 10 July, missing)', () => {
  const jobs = plan({}, sh('2026-07-01 10:00'));

  it('plans tier 1 on 7 and 9 July, tier 2 on 11 July and tier 3 on 13 July, all at 09:00 Shanghai', () => {
    expect(brief(jobs)).toEqual([
      [1, 'reporter', '2026-07-07T01:00:00.000Z', 'dueSoon'],
      [1, 'reporter', '2026-07-09T01:00:00.000Z', 'dueSoon'],
      [2, 'leaderInCharge', '2026-07-11T01:00:00.000Z', 'overdue'],
      [3, 'principalLeader', '2026-07-13T01:00:00.000Z', 'overdue'],
    ]);
  });

  it('describes each job completely', () => {
    expect(jobs[0]).toEqual({
      jobKey: 'reminder_reporter_T1_2026-Q2_t1_2026-07-10_b3',
      tier: 1,
      duty: 'reporter',
      unitId: 'U-A',
      unitName: '城东镇',
      targetId: 'T1',
      targetTitle: 'GDP增速',
      subject: { kind: 'report', period: '2026-Q2' },
      period: '2026-Q2',
      dueDate: '2026-07-10',
      sendAt: '2026-07-07T01:00:00.000Z',
      reason: 'dueSoon',
    });
  });

  it('gives deterministic, distinct job keys without colons', () => {
    const keys = jobs.map((j) => j.jobKey);
    expect(keys).toEqual([
      'reminder_reporter_T1_2026-Q2_t1_2026-07-10_b3',
      'reminder_reporter_T1_2026-Q2_t1_2026-07-10_b1',
      'reminder_leaderInCharge_T1_2026-Q2_t2_2026-07-10',
      'reminder_principalLeader_T1_2026-Q2_t3_2026-07-10',
    ]);
    expect(new Set(keys).size).toBe(keys.length);
    expect(plan({}, sh('2026-07-02 15:00')).map((j) => j.jobKey)).toEqual(keys);
    expect(keys.join('')).not.toContain(':');
  });

  it('keeps tier 2 and 3 while the report is still missing', () => {
    expect(brief(plan({}, sh('2026-07-12 10:00'))).slice(-1)).toEqual([
      [3, 'principalLeader', '2026-07-13T01:00:00.000Z', 'overdue'],
    ]);
  });

  it('stops all escalation once the period is reported: a report on 12 July cancels tier 3', () => {
    expect(plan({ done: true, lastFiledAt: sh('2026-07-12 10:00') }, sh('2026-07-12 10:00'))).toEqual([]);
    expect(plan({ done: true }, sh('2026-07-01 10:00'))).toEqual([]);
  });

  it('takes the schedule from the arguments', () => {
    const custom = { ...R, sendAt: '10:30', tier1DaysBefore: [5], tier2DaysAfter: 2, tier3DaysAfter: 5 };
    expect(brief(plan({}, sh('2026-07-01 10:00'), custom))).toEqual([
      [1, 'reporter', sh('2026-07-05 10:30'), 'dueSoon'],
      [2, 'leaderInCharge', sh('2026-07-12 10:30'), 'overdue'],
      [3, 'principalLeader', sh('2026-07-15 10:30'), 'overdue'],
    ]);
  });

  it('holds a configured send time inside the quiet hours to their end', () => {
    expect(plan({}, sh('2026-07-01 10:00'), { ...R, sendAt: '07:00' })[0]!.sendAt).toBe(
      sh('2026-07-07 08:00'),
    );
  });

  it('counts a repeated tier-1 day once', () => {
    expect(
      plan({}, sh('2026-07-01 10:00'), { ...R, tier1DaysBefore: [1, 3, 1] }).filter((j) => j.tier === 1),
    ).toHaveLength(2);
  });

  it('plans for a milestone with its own keys', () => {
    const milestone = plan(
      { subject: { kind: 'milestone', milestoneId: 'M1', title: '完成征地' }, dueDate: '2026-06-30' },
      sh('2026-06-01 10:00'),
    );
    expect(milestone.map((j) => j.jobKey)).toEqual([
      'reminder_reporter_T1_m-M1_t1_2026-06-30_b3',
      'reminder_reporter_T1_m-M1_t1_2026-06-30_b1',
      'reminder_leaderInCharge_T1_m-M1_t2_2026-06-30',
      'reminder_principalLeader_T1_m-M1_t3_2026-06-30',
    ]);
    expect(milestone.every((j) => j.period === null)).toBe(true);
  });
});

describe('catch-up of jobs whose time has passed', () => {
  it('plans the latest passed tier-1 reminder now, and drops older ones', () => {
    expect(brief(plan({}, sh('2026-07-08 10:00'))).slice(0, 2)).toEqual([
      [1, 'reporter', sh('2026-07-08 10:00'), 'dueSoon'],
      [1, 'reporter', sh('2026-07-09 09:00'), 'dueSoon'],
    ]);
    const ninth = plan({}, sh('2026-07-09 10:00'));
    expect(ninth.filter((j) => j.tier === 1).map((j) => [j.jobKey, j.sendAt])).toEqual([
      ['reminder_reporter_T1_2026-Q2_t1_2026-07-10_b1', sh('2026-07-09 10:00')],
    ]);
  });

  it('drops tier 1 once the due day has ended', () => {
    expect(plan({}, sh('2026-07-11 00:30')).map((j) => j.tier)).toEqual([2, 3]);
  });

  it('sends a passed escalation now under its same key, held out of quiet hours', () => {
    const late = plan({}, sh('2026-07-12 10:00'));
    expect(late.find((j) => j.tier === 2)).toMatchObject({
      jobKey: 'reminder_leaderInCharge_T1_2026-Q2_t2_2026-07-10',
      sendAt: sh('2026-07-12 10:00'),
    });
    expect(plan({}, sh('2026-07-12 23:30')).find((j) => j.tier === 2)!.sendAt).toBe(sh('2026-07-13 08:00'));
  });

  it('resumes escalation when the only report is rejected (the period is missing again)', () => {
    expect(brief(plan({ done: false, lastFiledAt: sh('2026-07-09 10:00') }, sh('2026-07-15 10:00')))).toEqual(
      [
        [2, 'leaderInCharge', sh('2026-07-15 10:00'), 'overdue'],
        [3, 'principalLeader', sh('2026-07-15 10:00'), 'overdue'],
      ],
    );
  });
});

describe('event-driven escalation', () => {
  it('worked example: a verification at 23:00 turning the target red sends tier 3 at 08:00 the next morning', () => {
    const jobs = plan(
      {
        done: true,
        lastFiledAt: sh('2026-07-12 10:00'),
        levelChanges: [{ from: 'yellow', to: 'red', at: sh('2026-07-12 23:00') }],
      },
      sh('2026-07-12 23:00'),
    );
    expect(jobs).toEqual([
      expect.objectContaining({
        jobKey: 'reminder_principalLeader_T1_2026-Q2_t3_2026-07-10',
        tier: 3,
        duty: 'principalLeader',
        sendAt: '2026-07-13T00:00:00.000Z',
        reason: 'turnedRed',
      }),
    ]);
  });

  it('sends tier 2 at the moment the target turns yellow outside quiet hours', () => {
    const jobs = plan(
      {
        done: true,
        lastFiledAt: sh('2026-07-05 10:00'),
        levelChanges: [{ from: 'bell', to: 'yellow', at: sh('2026-07-06 14:00') }],
      },
      sh('2026-07-06 14:00'),
    );
    expect(brief(jobs)).toEqual([[2, 'leaderInCharge', sh('2026-07-06 14:00'), 'turnedYellow']]);
  });

  it('tells tier 2 as well when the target jumps past yellow straight to red', () => {
    const jobs = plan(
      {
        done: true,
        lastFiledAt: sh('2026-07-05 10:00'),
        levelChanges: [{ from: 'bell', to: 'red', at: sh('2026-07-06 14:00') }],
      },
      sh('2026-07-06 14:00'),
    );
    expect(brief(jobs)).toEqual([
      [2, 'leaderInCharge', sh('2026-07-06 14:00'), 'turnedRed'],
      [3, 'principalLeader', sh('2026-07-06 14:00'), 'turnedRed'],
    ]);
  });

  it('ignores falls, bells, and changes after now', () => {
    const changes = [
      { from: 'none', to: 'bell', at: sh('2026-07-06 10:00') },
      { from: 'red', to: 'yellow', at: sh('2026-07-06 11:00') },
      { from: 'yellow', to: 'red', at: sh('2026-07-06 15:00') },
    ] as const;
    expect(plan({ done: true, levelChanges: changes }, sh('2026-07-06 12:00'))).toEqual([]);
  });

  it('is cancelled by a filing after the change: yellow at midnight, report at 07:30, nothing at 08:00', () => {
    const levelChanges = [{ from: 'bell', to: 'yellow', at: sh('2026-07-11 00:00') }] as const;
    expect(brief(plan({ levelChanges }, sh('2026-07-11 00:00')))[0]).toEqual([
      2,
      'leaderInCharge',
      sh('2026-07-11 08:00'),
      'turnedYellow',
    ]);
    expect(
      plan({ done: true, lastFiledAt: sh('2026-07-11 07:30'), levelChanges }, sh('2026-07-11 07:30')),
    ).toEqual([]);
  });

  it('is cancelled by a later fall below its level before it is sent', () => {
    const levelChanges = [
      { from: 'yellow', to: 'red', at: sh('2026-07-12 23:00') },
      { from: 'red', to: 'bell', at: sh('2026-07-13 07:00') },
    ] as const;
    const filed = { done: true, lastFiledAt: sh('2026-07-12 10:00') };
    expect(plan({ ...filed, levelChanges }, sh('2026-07-12 23:30'))).toHaveLength(1);
    expect(plan({ ...filed, levelChanges }, sh('2026-07-13 07:00'))).toEqual([]);
  });

  it('merges with the scheduled job of the same key: one SMS, the earlier one', () => {
    // Overdue from Shanghai midnight: yellow at 00:00, held to 08:00; the scheduled tier 2 was due at 09:00.
    const jobs = plan(
      { levelChanges: [{ from: 'bell', to: 'yellow', at: sh('2026-07-11 00:00') }] },
      sh('2026-07-11 00:00'),
    );
    const tier2 = jobs.filter((j) => j.tier === 2);
    expect(tier2).toEqual([
      expect.objectContaining({
        jobKey: 'reminder_leaderInCharge_T1_2026-Q2_t2_2026-07-10',
        sendAt: sh('2026-07-11 08:00'),
        reason: 'turnedYellow',
      }),
    ]);
    expect(brief(jobs.filter((j) => j.tier === 3))).toEqual([
      [3, 'principalLeader', sh('2026-07-13 09:00'), 'overdue'],
    ]);
  });

  it('reads the changes in time order whatever order they come in', () => {
    const levelChanges = [
      { from: 'red', to: 'bell', at: sh('2026-07-13 07:00') },
      { from: 'yellow', to: 'red', at: sh('2026-07-12 23:00') },
    ] as const;
    expect(plan({ done: true, levelChanges }, sh('2026-07-13 07:30'))).toEqual([]);
  });
});

describe('jobKey', () => {
  it('encodes colons and underscores of ids so keys are BullMQ-safe and unambiguous', () => {
    const key = jobKey(
      'reporter',
      'tgt:2026_a',
      { kind: 'milestone', milestoneId: 'm:1', title: 'x' },
      1,
      '2026-07-10',
      3,
    );
    expect(key).toBe('reminder_reporter_tgt%3A2026%5Fa_m-m%3A1_t1_2026-07-10_b3');
    expect(key).not.toContain(':');
  });
});

describe('level changes from warnings', () => {
  const q2Missing = gdpTarget({
    reports: [
      report({
        reportId: 'R1',
        period: '2026-Q1',
        cumulativeValue: 2,
        status: 'verified',
        recordedAt: sh('2026-04-08 10:00'),
      }),
    ],
    latest: { period: '2026-Q1', reportId: 'R1', cumulativeValue: 2, status: 'verified' },
  });

  it('attributes a change to the subject of the strongest reason', () => {
    const now = new Date(sh('2026-07-11 00:00'));
    const warning = evaluateWarning(warningInputOf(q2Missing, now), SCHEME.warnings, now);
    expect(causeOf(warning)).toEqual({ period: '2026-Q2' });
    expect(levelChangeOf('bell', warning, now.toISOString())).toEqual({
      from: 'bell',
      to: 'yellow',
      at: now.toISOString(),
      cause: { period: '2026-Q2' },
    });
    expect(levelChangeOf('yellow', warning, now.toISOString())).toBeNull();
  });

  it('names a milestone as the cause, and none when there is no reason', () => {
    const withMilestone = gdpTarget({
      milestones: [
        {
          milestoneId: 'M1',
          title: '完成征地',
          dueDate: '2026-06-30',
          evidenceRequired: false,
          completedOn: null,
        },
      ],
    });
    const now = new Date(sh('2026-07-15 10:00'));
    expect(causeOf(evaluateWarning(warningInputOf(withMilestone, now), SCHEME.warnings, now))).toEqual({
      milestoneId: 'M1',
    });
    expect(
      causeOf({ level: 'none', reasons: [], gap: null, completionPct: null, expectedPct: null }),
    ).toBeNull();
  });
});

describe('reminderInputsOf', () => {
  it('lists every period and milestone of an issued target, with what is done and when it was last filed', () => {
    const target = gdpTarget({
      milestones: [
        {
          milestoneId: 'M1',
          title: '完成征地',
          dueDate: '2026-06-30',
          evidenceRequired: false,
          completedOn: '2026-06-28',
        },
      ],
      reports: [
        report({
          reportId: 'R1',
          period: '2026-Q1',
          cumulativeValue: 2,
          status: 'verified',
          recordedAt: sh('2026-04-08 10:00'),
        }),
        report({
          reportId: 'R2',
          period: '2026-Q2',
          cumulativeValue: 3,
          status: 'rejected',
          recordedAt: sh('2026-07-05 10:00'),
        }),
        report({
          reportId: 'R3',
          period: '2026-Q2',
          cumulativeValue: 3.2,
          status: 'pending',
          recordedAt: sh('2026-07-12 10:00'),
          milestonesCompleted: [{ milestoneId: 'M1', completedOn: '2026-06-28' }],
        }),
      ],
    });
    const inputs = reminderInputsOf(target, '城东镇');
    expect(inputs.map((i) => [i.subject, i.dueDate, i.done, i.lastFiledAt])).toEqual([
      [{ kind: 'report', period: '2026-Q1' }, '2026-04-10', true, sh('2026-04-08 10:00')],
      [{ kind: 'report', period: '2026-Q2' }, '2026-07-10', true, sh('2026-07-12 10:00')],
      [{ kind: 'report', period: '2026-Q3' }, '2026-10-10', false, null],
      [{ kind: 'report', period: '2026-Q4' }, '2027-01-10', false, null],
      [
        { kind: 'milestone', milestoneId: 'M1', title: '完成征地' },
        '2026-06-30',
        true,
        sh('2026-07-12 10:00'),
      ],
    ]);
    expect(inputs[0]).toMatchObject({
      targetId: 'T1',
      targetTitle: 'GDP增速',
      unitId: 'U-A',
      unitName: '城东镇',
    });
  });

  it('skips periods and milestones that ended before a dynamic target was issued, and targets not issued', () => {
    const dynamic = gdpTarget({
      issuedAt: sh('2026-07-05 10:00'),
      reports: [],
      latest: null,
      milestones: [
        {
          milestoneId: 'M0',
          title: '立项',
          dueDate: '2026-06-30',
          evidenceRequired: false,
          completedOn: null,
        },
        {
          milestoneId: 'M1',
          title: '完成征地',
          dueDate: '2026-09-30',
          evidenceRequired: false,
          completedOn: null,
        },
      ],
    });
    expect(
      reminderInputsOf(dynamic, '城东镇').map((i) =>
        i.subject.kind === 'report' ? i.subject.period : i.subject.milestoneId,
      ),
    ).toEqual(['2026-Q3', '2026-Q4', 'M1']);
    expect(reminderInputsOf(gdpTarget({ status: 'proposed' }), '城东镇')).toEqual([]);
  });

  it('sends a rise only to its cause, and every fall to all subjects', () => {
    const changes = [
      { from: 'bell', to: 'red', at: sh('2026-07-12 23:00'), cause: { period: '2026-Q2' } },
      { from: 'red', to: 'bell', at: sh('2026-07-13 07:00'), cause: { period: '2026-Q3' } },
    ] as const;
    const inputs = reminderInputsOf(gdpTarget(), '城东镇', changes);
    expect(inputs.map((i) => i.levelChanges!.map((c) => c.to))).toEqual([
      ['bell'],
      ['red', 'bell'],
      ['bell'],
      ['bell'],
    ]);
  });

  it('feeds planReminders end to end: Q2 missing on 1 July plans its four reminders', () => {
    const target = gdpTarget({
      reports: [
        report({
          reportId: 'R1',
          period: '2026-Q1',
          cumulativeValue: 2,
          status: 'verified',
          recordedAt: sh('2026-04-08 10:00'),
        }),
      ],
      latest: { period: '2026-Q1', reportId: 'R1', cumulativeValue: 2, status: 'verified' },
    });
    const now = sh('2026-07-01 10:00');
    const jobs = reminderInputsOf(target, '城东镇').flatMap((input) => planReminders(input, R, now));
    expect(jobs.filter((j) => j.period === '2026-Q2').map((j) => j.sendAt)).toEqual([
      '2026-07-07T01:00:00.000Z',
      '2026-07-09T01:00:00.000Z',
      '2026-07-11T01:00:00.000Z',
      '2026-07-13T01:00:00.000Z',
    ]);
    expect(jobs.filter((j) => j.period === '2026-Q1')).toEqual([]);
  });
});
