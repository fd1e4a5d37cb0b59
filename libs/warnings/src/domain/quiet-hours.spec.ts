import { planReminders, type ReminderJob, type ReminderPlanInput } from './reminder-plan';
import { digest, earliestSendTime, groupForDigest, rateLimit, releaseTime } from './quiet-hours';
import { SCHEME, sh } from './testing/worked-example.fixture';

const QUIET = SCHEME.reminders.quietHours; // 22:00–08:00
const LIMITS = SCHEME.reminders.perPhoneLimits; // 1/min, 5/hour, 10/day
const MIN = 60_000;
const plus = (iso: string, ms: number) => new Date(new Date(iso).getTime() + ms).toISOString();

describe('releaseTime', () => {
  it('holds a send at 23:00 to 08:00 the next morning', () => {
    expect(releaseTime(sh('2026-07-12 23:00'), QUIET)).toBe(sh('2026-07-13 08:00'));
  });

  it('holds a send after midnight to 08:00 the same morning', () => {
    expect(releaseTime(sh('2026-07-13 03:00'), QUIET)).toBe(sh('2026-07-13 08:00'));
    expect(releaseTime(sh('2026-07-13 00:00'), QUIET)).toBe(sh('2026-07-13 08:00'));
  });

  it('includes the start and excludes the end of the quiet hours', () => {
    expect(releaseTime(sh('2026-07-12 22:00'), QUIET)).toBe(sh('2026-07-13 08:00'));
    expect(releaseTime('2026-07-12T13:59:59.999Z', QUIET)).toBe('2026-07-12T13:59:59.999Z');
    expect(releaseTime(sh('2026-07-13 08:00'), QUIET)).toBe(sh('2026-07-13 08:00'));
    expect(releaseTime('2026-07-12T23:59:59.999Z', QUIET)).toBe(sh('2026-07-13 08:00'));
  });

  it('leaves daytime sends alone and accepts a Date', () => {
    expect(releaseTime(new Date(sh('2026-07-13 09:00')), QUIET)).toBe(sh('2026-07-13 09:00'));
    expect(releaseTime(sh('2026-07-13 21:30'), QUIET)).toBe(sh('2026-07-13 21:30'));
  });

  it('crosses month and year ends', () => {
    expect(releaseTime(sh('2026-07-31 23:30'), QUIET)).toBe(sh('2026-08-01 08:00'));
    expect(releaseTime(sh('2026-12-31 22:15'), QUIET)).toBe(sh('2027-01-01 08:00'));
  });

  it('takes the window from the arguments, wrapping or not', () => {
    const lunch = { from: '12:00', to: '14:00' };
    expect(releaseTime(sh('2026-07-13 12:30'), lunch)).toBe(sh('2026-07-13 14:00'));
    expect(releaseTime(sh('2026-07-13 23:30'), lunch)).toBe(sh('2026-07-13 23:30'));
    expect(releaseTime(sh('2026-07-13 21:30'), { from: '21:00', to: '07:30' })).toBe(sh('2026-07-14 07:30'));
    expect(releaseTime(sh('2026-07-13 03:00'), { from: '00:00', to: '00:00' })).toBe(sh('2026-07-13 03:00'));
  });
});

describe('rateLimit', () => {
  const at = sh('2026-07-13 10:00');

  it('allows a send at once to a phone with no history', () => {
    expect(rateLimit([], LIMITS, at)).toBe(at);
  });

  it('defers to a minute after the last send (1 per minute)', () => {
    expect(rateLimit([plus(at, -30_000)], LIMITS, at)).toBe(plus(at, 30_000));
    expect(rateLimit([plus(at, -MIN)], LIMITS, at)).toBe(at);
  });

  it('defers until the oldest of five sends leaves the hour (5 per hour)', () => {
    const history = [-50, -40, -30, -20, -10].map((m) => plus(at, m * MIN));
    expect(rateLimit(history, LIMITS, at)).toBe(plus(at, 10 * MIN));
    expect(rateLimit([...history].reverse(), LIMITS, at)).toBe(plus(at, 10 * MIN));
  });

  it('defers to the next Shanghai midnight after ten sends that day (10 per day)', () => {
    const history = Array.from({ length: 10 }, (_, i) =>
      sh(`2026-07-13 0${i % 2 === 0 ? 8 : 9}:${String(i * 5).padStart(2, '0')}`),
    );
    expect(rateLimit(history, LIMITS, sh('2026-07-13 20:00'))).toBe(sh('2026-07-14 00:00'));
    expect(earliestSendTime(history, LIMITS, QUIET, sh('2026-07-13 20:00'))).toBe(sh('2026-07-14 08:00'));
  });

  it('counts a send already reserved after the candidate', () => {
    expect(rateLimit([plus(at, 20_000)], LIMITS, at)).toBe(plus(at, 80_000));
  });

  it('applies every limit until all hold, and takes them from the arguments', () => {
    const history = [plus(at, -59 * MIN), plus(at, -30_000)];
    expect(rateLimit(history, { perMinute: 1, perHour: 2, perDay: 10 }, at)).toBe(plus(at, MIN));
    expect(rateLimit(history, { perMinute: 2, perHour: 5, perDay: 10 }, at)).toBe(at);
  });

  it('never drops: a busy phone always gets a later instant', () => {
    const history = Array.from({ length: 40 }, (_, i) => plus(at, -i * 20_000));
    const next = rateLimit(history, LIMITS, at);
    expect(next > at).toBe(true);
    const allowed = [...history, next];
    expect(allowed.filter((s) => s > plus(next, -MIN) && s <= next)).toHaveLength(1);
  });
});

describe('earliestSendTime', () => {
  it('holds a rate-limited send that lands in the quiet hours', () => {
    expect(earliestSendTime([sh('2026-07-13 21:59')], LIMITS, QUIET, sh('2026-07-13 21:59'))).toBe(
      sh('2026-07-14 08:00'),
    );
  });

  it('spaces sends released together at 08:00', () => {
    expect(earliestSendTime([sh('2026-07-14 08:00')], LIMITS, QUIET, sh('2026-07-13 23:00'))).toBe(
      sh('2026-07-14 08:01'),
    );
  });
});

const base: ReminderPlanInput = {
  targetId: 'T1',
  targetTitle: 'GDP增速',
  unitId: 'U-A',
  unitName: '城东镇',
  subject: { kind: 'report', period: '2026-Q2' },
  dueDate: '2026-07-10',
  done: false,
};
const plan = (input: Partial<ReminderPlanInput>, now: string) =>
  planReminders({ ...base, ...input }, SCHEME.reminders, now);
const onDay = (jobs: ReminderJob[], day: string) => jobs.filter((j) => j.sendAt.startsWith(day));

describe('digest', () => {
  const jobs = plan({}, sh('2026-07-01 10:00'));

  it('writes one reminder as a numbered item', () => {
    const message = digest(onDay(jobs, '2026-07-07'));
    expect(message).toEqual({
      day: '2026-07-07',
      sendAt: sh('2026-07-07 09:00'),
      jobKeys: ['reminder_reporter_T1_2026-Q2_t1_2026-07-10_b3'],
      items: ['城东镇“GDP增速”2026年第二季度进度应于7月10日前报送'],
      text: '【督考】您好，以下事项请及时办理：1. 城东镇“GDP增速”2026年第二季度进度应于7月10日前报送。',
    });
  });

  it('puts several items of one person and day in one message, each job once', () => {
    const other = plan(
      {
        targetId: 'T2',
        targetTitle: '固定资产投资',
        unitName: '城东镇',
        subject: { kind: 'report', period: '2026-06' },
      },
      sh('2026-07-01 10:00'),
    );
    const day = [...onDay(jobs, '2026-07-09'), ...onDay(other, '2026-07-09'), ...onDay(jobs, '2026-07-09')];
    const message = digest(day);
    expect(message.jobKeys).toEqual([
      'reminder_reporter_T1_2026-Q2_t1_2026-07-10_b1',
      'reminder_reporter_T2_2026-06_t1_2026-07-10_b1',
    ]);
    expect(message.text).toBe(
      '【督考】您好，以下事项请及时办理：1. 城东镇“GDP增速”2026年第二季度进度应于7月10日前报送；2. 城东镇“固定资产投资”2026年6月进度应于7月10日前报送。',
    );
  });

  it('lists at most five items and counts the rest, so a long digest stays a few SMS', () => {
    const many = Array.from({ length: 7 }, (_, i) =>
      plan({ targetId: `T${i}`, targetTitle: `指标${i}` }, sh('2026-07-01 10:00')),
    ).flatMap((j) => onDay(j, '2026-07-09'));
    const message = digest(many);
    expect(message.jobKeys).toHaveLength(7);
    expect(message.items).toHaveLength(7);
    expect(message.text).toMatch(/5\. 城东镇“指标4”[^；]*；等共7项，详见督考系统。$/);
    expect(message.text).not.toContain('指标5');
    expect(digest(many, '【督考】', 7).text).toContain('7. 城东镇“指标6”');
  });

  it('says how many days a report is overdue, on the message day', () => {
    expect(digest(onDay(jobs, '2026-07-13')).text).toBe(
      '【督考】您好，以下事项请及时办理：1. 城东镇“GDP增速”2026年第二季度进度应于7月10日前报送，已逾期3天仍未报送。',
    );
  });

  it('words milestones and level rises', () => {
    const milestone = plan(
      { subject: { kind: 'milestone', milestoneId: 'M1', title: '完成征地' }, dueDate: '2026-06-30' },
      sh('2026-06-20 10:00'),
    );
    expect(digest(onDay(milestone, '2026-07-01')).items).toEqual([
      '城东镇“GDP增速”节点“完成征地”应于6月30日前完成，已逾期1天仍未完成',
    ]);
    const red = plan(
      {
        done: true,
        lastFiledAt: sh('2026-07-12 10:00'),
        levelChanges: [{ from: 'yellow', to: 'red', at: sh('2026-07-12 23:00') }],
      },
      sh('2026-07-12 23:00'),
    );
    expect(digest(red).items).toEqual(['城东镇“GDP增速”已亮红牌预警（2026年第二季度），请督促推进']);
  });

  it('says "today" for an escalation due on the due day itself', () => {
    const sameDay = planReminders(base, { ...SCHEME.reminders, tier2DaysAfter: 0 }, sh('2026-07-01 10:00'));
    expect(digest(onDay(sameDay, '2026-07-10')).items).toEqual([
      '城东镇“GDP增速”2026年第二季度进度应于7月10日前报送，今天截止仍未报送',
    ]);
  });

  it('takes the signature as an argument', () => {
    expect(digest(onDay(jobs, '2026-07-07'), '【绩效办】').text.startsWith('【绩效办】您好')).toBe(true);
  });

  it('refuses no jobs and jobs of different days', () => {
    expect(() => digest([])).toThrow('at least one');
    expect(() => digest(jobs)).toThrow('one Shanghai day');
  });
});

describe('groupForDigest', () => {
  it('groups by the person a job resolves to and by Shanghai day', () => {
    const a = plan({}, sh('2026-07-01 10:00'));
    const b = plan({ targetId: 'T2', unitId: 'U-B', unitName: '城西镇' }, sh('2026-07-01 10:00'));
    const person = (job: ReminderJob) => (job.duty === 'reporter' ? 'zhang' : `${job.unitId}-${job.duty}`);
    const groups = groupForDigest([...a, ...b], person);
    expect(groups.map((g) => [g.person, g.day, g.jobs.length])).toEqual([
      ['zhang', '2026-07-07', 2],
      ['zhang', '2026-07-09', 2],
      ['U-A-leaderInCharge', '2026-07-11', 1],
      ['U-A-principalLeader', '2026-07-13', 1],
      ['U-B-leaderInCharge', '2026-07-11', 1],
      ['U-B-principalLeader', '2026-07-13', 1],
    ]);
    expect(digest(groups[0]!.jobs).items).toHaveLength(2);
  });
});
