import { ReminderPlanner } from '@dukao/notifications';
import { type EmbeddedApp, type Session, bearer } from './support/embedded-app';
import { reminderQueue } from './support/reminder-queue';
import {
  TOWN_A_PHONES as PHONES,
  addUnitPeople,
  createUnits,
  openCycle,
  proposeAndIssue,
  publishTownsTree,
  sh,
  signIn,
  startApp,
} from './support/worked-example';

/**
 * Reminders for a supervision case (督查督办) through the three-tier machinery, with a moving clock.
 * The office opens a 督查通知 to Town A on 1 April, reply due 10 April (the day Town A's Q1 GDP report
 * is due): tier 1 (reporter) on 7 and 9 April, tier 2 (leader in charge) on 11 April, tier 3 (principal
 * leader) on 13 April, each due 09:00 and sent 09:01 after the digest window; on 7 April the
 * reporter's case item and Q1 report item go as one SMS. No answer comes, so the office opens
 * 二次督办 at 23:00 on 14 April with a tracker: the leader in charge and the tracker are told at
 * 08:01 the next morning, not at night. An approved extension moves round 2's reminders to the new
 * deadline; the rectification reported on 26 April cancels the rest. Every SMS is in the outbox and,
 * through `SmsSent`, in `GET /reminders/messages`. The `it`s run in order.
 */

const TRACKER_PHONE = '13900000009';
const TITLE = '重点项目开工滞后';

describe('supervision reminders: a case’s deadline by tiers 1–3, 二次督办 to the leader in charge, stopped by a rectification', () => {
  let now = sh('2026-01-05 09:00');
  let env: EmbeddedApp;
  let system: Session;
  let security: Session;
  let admin: Session;
  let reviewer: Session;
  let staffA: Session;
  let leader: Session;
  let supervisor: Session;
  let targetId: string;
  let noticeId: string;
  let trackerId: string;
  const caseKey = (to: string, round: number, rest: string) =>
    `reminder-case_${to}_${noticeId}_r${round}_${rest}`;

  const travel = async (local: string) => {
    now = sh(local);
    await env.renew(system, security, admin, reviewer, staffA, leader, supervisor);
  };
  const reminders = reminderQueue(
    () => env,
    () => now,
  );
  const { queue, drain } = reminders;
  const settle = () => reminders.settle();
  const outbox = () => reminders.outbox(supervisor);
  const sent = () => reminders.sent(admin, supervisor);
  /** The case's pending reminders: key and time. */
  const pendingOfCase = async () =>
    (await queue().list({ state: 'pending', limit: 1000 }))
      .filter((j) => j.jobKey.includes(`_${noticeId}_`))
      .map((j) => [j.jobKey, j.runAt]);
  const post = (path: string, as: Session, body: object = {}) =>
    env.http().post(path).set(bearer(as)).send(body);
  const notice = (suffix = '') => `/supervision-notices/${noticeId}${suffix}`;

  beforeAll(async () => {
    env = await startApp(() => new Date(now));
    ({ system, security, admin, reviewer, staffA, leader, supervisor } = await signIn(env, [
      'admin',
      'reviewer',
      'staffA',
      'leader',
      'supervisor',
    ]));
  }, 60_000);
  afterAll(async () => {
    await env?.stop();
  });

  it('sets up Town A’s people with phones, its GDP target, and a tracker with a phone', async () => {
    await openCycle(env, admin);
    await createUnits(env, admin);
    await addUnitPeople(env, { system, security }, 'town-a', PHONES);
    await publishTownsTree(env, admin);
    ({ targetId } = await proposeAndIssue(env, { admin, reviewer, leader }));
    const tracker = await post('/users', system, {
      username: 'ducha-zhuanren',
      displayName: '督查室专人',
      phone: TRACKER_PHONE,
    }).expect(201);
    trackerId = tracker.body.id;
    await settle();
  });

  it('opening a case plans its three tiers around the reply deadline', async () => {
    await travel('2026-04-01 10:00');
    const opened = await post('/supervision-notices', supervisor, {
      cycleId: '2026',
      unitId: 'town-a',
      kind: 'notice',
      title: TITLE,
      demand: '请于 4 月 10 日前完成开工并反馈整改情况',
      deadline: '2026-04-10',
      targets: [{ targetId }],
    }).expect(201);
    noticeId = opened.body.id;
    await settle();
    expect(await pendingOfCase()).toEqual([
      [caseKey('reporter', 1, 't1_2026-04-10_b3'), sh('2026-04-07 09:00')],
      [caseKey('reporter', 1, 't1_2026-04-10_b1'), sh('2026-04-09 09:00')],
      [caseKey('leaderInCharge', 1, 't2_2026-04-10'), sh('2026-04-11 09:00')],
      [caseKey('principalLeader', 1, 't3_2026-04-10'), sh('2026-04-13 09:00')],
    ]);
    const listed = (
      await env.http().get('/reminders?state=pending&limit=1000').set(bearer(admin)).expect(200)
    ).body.items as Array<{ key: string; targetId: string | null; dueDate: string; tier: number }>;
    expect(listed.find((r) => r.key === caseKey('leaderInCharge', 1, 't2_2026-04-10'))).toMatchObject({
      targetId: null,
      dueDate: '2026-04-10',
      tier: 2,
    });
  });

  it('7 April: tier 1 reaches the reporter at 09:01, in one SMS with the Q1 report’s tier 1', async () => {
    await travel('2026-04-07 09:00');
    await drain();
    expect(await outbox()).toEqual([]);
    await travel('2026-04-07 09:01');
    await drain();
    const messages = await sent();
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({ to: PHONES.reporter, sentAt: sh('2026-04-07 09:01') });
    expect([...messages[0]!.keys].sort()).toEqual(
      [
        caseKey('reporter', 1, 't1_2026-04-10_b3'),
        `reminder_reporter_${targetId}_2026-Q1_t1_2026-04-10_b3`,
      ].sort(),
    );
    expect(messages[0]!.text).toContain(`甲镇督查通知《${TITLE}》整改反馈将于4月10日到期`);
    expect(messages[0]!.text).toContain('甲镇“GDP增速”2026年第一季度进度应于4月10日前报送');
    const logged = (await env.http().get('/reminders/messages?limit=10').set(bearer(admin)).expect(200)).body
      .items[0].items as Array<{ noticeId: string | null; round: number | null; targetId: string | null }>;
    expect(logged).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ noticeId, round: 1, targetId: null }),
        expect.objectContaining({ noticeId: null, targetId }),
      ]),
    );
  });

  it('9 April: tier 1 again (the Q1 report, filed on the 8th, is no longer in it)', async () => {
    await travel('2026-04-08 10:00');
    await post(`/targets/${targetId}/reports`, staffA, { period: '2026-Q1', cumulativeValue: 2.0 }).expect(
      201,
    );
    await settle();
    await travel('2026-04-09 09:01');
    await drain();
    expect((await sent()).slice(1).map((m) => [m.keys, m.to, m.sentAt])).toEqual([
      [[caseKey('reporter', 1, 't1_2026-04-10_b1')], PHONES.reporter, sh('2026-04-09 09:01')],
    ]);
  });

  it('no answer: tier 2 to the leader in charge on 11 April, tier 3 to the principal leader on 13 April', async () => {
    await travel('2026-04-11 09:01');
    await drain();
    await travel('2026-04-13 09:01');
    await drain();
    const messages = (await sent()).slice(2);
    expect(messages.map((m) => [m.keys, m.to, m.sentAt])).toEqual([
      [[caseKey('leaderInCharge', 1, 't2_2026-04-10')], PHONES.leaderInCharge, sh('2026-04-11 09:01')],
      [[caseKey('principalLeader', 1, 't3_2026-04-10')], PHONES.principalLeader, sh('2026-04-13 09:01')],
    ]);
    expect(messages[0]!.text).toBe(
      `【督考】您好，以下事项请及时办理：1. 甲镇督查通知《${TITLE}》整改反馈应于4月10日前报送，已逾期1天仍未反馈。`,
    );
    expect(messages[1]!.text).toContain('已逾期3天仍未反馈');
    expect(await pendingOfCase()).toEqual([]);
  });

  it('二次督办 opened at 23:00: the leader in charge and the tracker are told at 08:01, not in the night', async () => {
    await travel('2026-04-14 23:00');
    await post(notice('/escalations'), supervisor, {
      tracker: trackerId,
      deadline: '2026-04-24',
      demand: '4 月 24 日前开工并提供现场照片',
    }).expect(201);
    await settle();
    expect((await pendingOfCase()).slice(0, 2)).toEqual([
      [caseKey('leaderInCharge', 2, 'opened'), sh('2026-04-15 08:00')],
      [caseKey('tracker', 2, 'opened'), sh('2026-04-15 08:00')],
    ]);
    await drain();
    await travel('2026-04-15 07:59');
    await drain();
    await travel('2026-04-15 08:00');
    await drain();
    expect(await outbox()).toHaveLength(4);
    await travel('2026-04-15 08:01');
    await drain();
    const messages = (await sent()).slice(4);
    expect(messages.map((m) => [m.keys, m.to, m.sentAt]).sort()).toEqual(
      [
        [[caseKey('leaderInCharge', 2, 'opened')], PHONES.leaderInCharge, sh('2026-04-15 08:01')],
        [[caseKey('tracker', 2, 'opened')], TRACKER_PHONE, sh('2026-04-15 08:01')],
      ].sort(),
    );
    const texts = messages.map((m) => m.text);
    expect(texts).toContain(
      `【督考】您好，以下事项请及时办理：1. 甲镇督查通知《${TITLE}》已转二次督办，整改反馈须于4月24日前报送，请督促落实。`,
    );
    expect(texts).toContain(
      `【督考】您好，以下事项请及时办理：1. 甲镇督查通知《${TITLE}》已转二次督办，由您专人跟踪，整改反馈须于4月24日前报送。`,
    );
  });

  it('an approved extension moves round 2’s pending reminders to the new deadline', async () => {
    await travel('2026-04-16 10:00');
    await post(notice('/sign'), staffA).expect(200);
    const requested = await post(notice('/extensions'), staffA, {
      deadline: '2026-04-28',
      reason: '施工设备到场延迟',
    }).expect(201);
    await settle();
    expect(await queue().get(caseKey('reporter', 2, 't1_2026-04-24_b3'))).toMatchObject({
      state: 'pending',
      runAt: sh('2026-04-21 09:00'),
    });
    await post(notice(`/extensions/${requested.body.extensionId as string}/approve`), supervisor).expect(200);
    await settle();
    expect(await pendingOfCase()).toEqual([
      [caseKey('reporter', 2, 't1_2026-04-28_b3'), sh('2026-04-25 09:00')],
      [caseKey('reporter', 2, 't1_2026-04-28_b1'), sh('2026-04-27 09:00')],
      [caseKey('leaderInCharge', 2, 't2_2026-04-28'), sh('2026-04-29 09:00')],
      [caseKey('tracker', 2, 't2_2026-04-28'), sh('2026-04-29 09:00')],
      [caseKey('principalLeader', 2, 't3_2026-04-28'), sh('2026-05-01 09:00')],
    ]);
    expect(await queue().get(caseKey('reporter', 2, 't1_2026-04-24_b3'))).toBeNull();
  });

  it('tier 1 of round 2 on 25 April; the rectification reported on 26 April cancels the rest', async () => {
    await travel('2026-04-25 09:01');
    await drain();
    const last = (await sent()).at(-1)!;
    expect(last).toMatchObject({
      keys: [caseKey('reporter', 2, 't1_2026-04-28_b3')],
      to: PHONES.reporter,
      sentAt: sh('2026-04-25 09:01'),
    });
    expect(last.text).toContain(`甲镇督查通知《${TITLE}》（二次督办）整改反馈将于4月28日到期`);

    await travel('2026-04-26 10:00');
    await post(notice('/rectifications'), staffA, { narrative: '已开工，附现场照片说明' }).expect(201);
    await settle();
    expect(await pendingOfCase()).toEqual([]);
    const count = (await outbox()).length;
    for (const day of ['2026-04-27 09:01', '2026-04-29 09:01', '2026-05-01 09:01']) {
      await travel(day);
      await drain();
    }
    expect(await outbox()).toHaveLength(count);
  });

  it('the case closed; replanning everything sends nothing again', async () => {
    await travel('2026-05-02 10:00');
    await post(notice('/close'), supervisor, { comment: '同意办结' }).expect(200);
    await settle();
    const before = await outbox();
    await env.app.get(ReminderPlanner).replanAll();
    await drain();
    expect(await pendingOfCase()).toEqual([]);
    expect(await outbox()).toEqual(before);
    expect(new Set(before.map((m) => m.key)).size).toBe(before.length);
  });
});
