import { type JobInfo, OutboxSmsGateway, ReminderPlanner, SendReminderProcessor } from '@dukao/notifications';
import { type EmbeddedApp, type Session, bearer } from './support/embedded-app';
import { reminderQueue } from './support/reminder-queue';
import {
  GDP_PROPOSAL,
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
 * Reminders (三级提醒) on the worked example of shared/DOMAIN.md, with a moving clock: Town A's GDP
 * target, Q2 report due 10 July. Tier 1 (reporter) on 7 and 9 July, tier 2 (leaderInCharge) on 11
 * July, tier 3 (principalLeader) on 13 July, all due 09:00 Shanghai (01:00Z) and sent at 09:01, after
 * the one-minute digest window in which a person's items due together are merged into one SMS; a
 * report on 12 July cancels tier 3. A red at 23:00 sends tier 3 at 08:01 the next morning. The `it`s
 * run in order.
 */

interface ReminderItem {
  key: string;
  reminderKey: string;
  state: JobInfo['state'];
  runAt: string;
  tier: number;
  duty: string;
  period: string | null;
  dueDate: string;
  reason: string;
}

describe('reminders: Town A’s GDP target, tiers 1–3 by SMS, stopped by a report, held out of quiet hours', () => {
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
  const key = (duty: string, period: string, tier: number, due: string, before?: number) =>
    `reminder_${duty}_${targetId}_${period}_t${tier}_${due}${before === undefined ? '' : `_b${before}`}`;

  const travel = async (local: string) => {
    now = sh(local);
    await env.renew(system, security, admin, reviewer, staffA, leader, supervisor);
  };
  const reminders_ = reminderQueue(
    () => env,
    () => now,
  );
  const { queue, settle, drain } = reminders_;
  const outbox = () => reminders_.outbox(supervisor);
  const sent = () => reminders_.sent(admin, supervisor);
  const reminders = async (): Promise<ReminderItem[]> =>
    (await env.http().get('/reminders?limit=1000').set(bearer(admin)).expect(200)).body.items;
  const report = (body: Record<string, unknown>) =>
    env.http().post(`/targets/${targetId}/reports`).set(bearer(staffA)).send(body).expect(201);

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

  it('sets up Town A’s people with phones and an issued GDP target; plans Q2’s reminders at 09:00 Shanghai', async () => {
    await openCycle(env, admin);
    await createUnits(env, admin);
    await addUnitPeople(env, { system, security }, 'town-a', PHONES);
    await publishTownsTree(env, admin);
    const issued = await proposeAndIssue(env, { admin, reviewer, leader });
    targetId = issued.targetId;
    await settle(issued.position);

    const q2 = (await reminders()).filter((r) => r.period === '2026-Q2');
    expect(q2.map((r) => [r.key, r.state, r.runAt, r.tier, r.duty])).toEqual([
      [key('reporter', '2026-Q2', 1, '2026-07-10', 3), 'pending', '2026-07-07T01:00:00.000Z', 1, 'reporter'],
      [key('reporter', '2026-Q2', 1, '2026-07-10', 1), 'pending', '2026-07-09T01:00:00.000Z', 1, 'reporter'],
      [
        key('leaderInCharge', '2026-Q2', 2, '2026-07-10'),
        'pending',
        '2026-07-11T01:00:00.000Z',
        2,
        'leaderInCharge',
      ],
      [
        key('principalLeader', '2026-Q2', 3, '2026-07-10'),
        'pending',
        '2026-07-13T01:00:00.000Z',
        3,
        'principalLeader',
      ],
    ]);
    await env.http().get('/reminders').set(bearer(staffA)).expect(403);
    await env.http().get('/reminders/outbox').set(bearer(leader)).expect(403);
    await env.http().get('/reminders').set(bearer(system)).expect(200);
  });

  it('an on-time Q1 report cancels Q1’s reminders', async () => {
    await travel('2026-04-01 10:00');
    const q1 = await report({ period: '2026-Q1', cumulativeValue: 2.0 });
    await settle(q1.body.position);
    expect((await reminders()).filter((r) => r.period === '2026-Q1' && r.state === 'pending')).toEqual([]);
    await travel('2026-04-10 09:00');
    await drain();
    expect(await outbox()).toEqual([]);
  });

  it('sends tier 1 to the reporter on 7 and 9 July, due 09:00 and sent at 09:01, not before', async () => {
    await travel('2026-07-07 08:59');
    await drain();
    expect(await outbox()).toEqual([]);
    await travel('2026-07-07 09:00');
    await drain();
    expect(await outbox()).toEqual([]);
    await travel('2026-07-07 09:01');
    await drain();
    let messages = await sent();
    expect(messages).toEqual([
      expect.objectContaining({
        keys: [key('reporter', '2026-Q2', 1, '2026-07-10', 3)],
        to: PHONES.reporter,
        sentAt: sh('2026-07-07 09:01'),
      }),
    ]);
    expect(messages[0]!.text).toContain('甲镇“GDP增速”');
    expect(messages[0]!.text).toContain('7月10日');
    await travel('2026-07-09 09:01');
    await drain();
    messages = await sent();
    expect(messages.map((m) => [m.keys, m.to, m.sentAt])).toEqual([
      [[key('reporter', '2026-Q2', 1, '2026-07-10', 3)], PHONES.reporter, sh('2026-07-07 09:01')],
      [[key('reporter', '2026-Q2', 1, '2026-07-10', 1)], PHONES.reporter, sh('2026-07-09 09:01')],
    ]);
  });

  it('sends tier 2 to the leader in charge on 11 July while the report is missing', async () => {
    await travel('2026-07-11 09:01');
    await drain();
    expect((await sent()).at(-1)).toMatchObject({
      keys: [key('leaderInCharge', '2026-Q2', 2, '2026-07-10')],
      to: PHONES.leaderInCharge,
      sentAt: now,
    });
    expect(await outbox()).toHaveLength(3);
  });

  it('a report filed on 12 July cancels tier 3', async () => {
    await travel('2026-07-12 10:00');
    const q2 = await report({ period: '2026-Q2', cumulativeValue: 3.2 });
    await settle(q2.body.position);
    expect(await queue().get(key('principalLeader', '2026-Q2', 3, '2026-07-10'))).toBeNull();
    await travel('2026-07-13 09:01');
    await drain();
    expect(await outbox()).toHaveLength(3);
  });

  it('a red at 23:00 sends tier 3 at 08:01 the next morning (due 08:00), not at 23:00', async () => {
    // Scheme version 2, in force at once: tier 3 ten days after the due date, so a red comes first.
    await travel('2026-09-01 10:00');
    const cycle = (await env.http().get('/cycles/2026').set(bearer(admin)).expect(200)).body;
    const scheme = cycle.schemes[0].scheme;
    const published = await env
      .http()
      .post('/cycles/2026/schemes')
      .set(bearer(admin))
      .send({
        scheme: { ...scheme, reminders: { ...scheme.reminders, tier3DaysAfter: 10 } },
        effectiveFrom: now,
        note: '第二版',
      })
      .expect(201);
    await settle(published.body.position);
    const t3 = key('principalLeader', '2026-Q3', 3, '2026-10-10');
    expect(await queue().get(t3)).toMatchObject({ state: 'pending', runAt: '2026-10-20T01:00:00.000Z' });

    for (const day of ['2026-10-07 09:00', '2026-10-07 09:01', '2026-10-09 09:01', '2026-10-11 09:01']) {
      await travel(day);
      await drain();
    }
    expect((await sent()).map((m) => m.keys).slice(3)).toEqual([
      [key('reporter', '2026-Q3', 1, '2026-10-10', 3)],
      [key('reporter', '2026-Q3', 1, '2026-10-10', 1)],
      [key('leaderInCharge', '2026-Q3', 2, '2026-10-10')],
    ]);

    await travel('2026-10-18 23:00');
    const tick = await env.http().post('/warnings/evaluations').set(bearer(admin)).expect(200);
    expect(tick.body).toMatchObject({ changed: 1 });
    await settle();
    expect(await queue().get(t3)).toMatchObject({ state: 'pending', runAt: sh('2026-10-19 08:00') });
    await drain();
    expect(await outbox()).toHaveLength(6);
    await travel('2026-10-19 07:59');
    await drain();
    expect(await outbox()).toHaveLength(6);
    await travel('2026-10-19 08:00');
    await drain();
    expect(await outbox()).toHaveLength(6);
    await travel('2026-10-19 08:01');
    await drain();
    expect((await sent()).at(-1)).toMatchObject({
      keys: [t3],
      to: PHONES.principalLeader,
      sentAt: sh('2026-10-19 08:01'),
    });
    expect((await outbox()).at(-1)!.text).toContain('红牌');
    await travel('2026-10-20 09:01');
    await drain();
    expect(await outbox()).toHaveLength(7);
  });

  it('replanning, re-running a sent job or sending a key again never duplicates an SMS', async () => {
    const before = await outbox();
    expect(await env.app.get(ReminderPlanner).replanAll()).toBe(1);
    await drain();
    const sentJob = (await queue().get(key('principalLeader', '2026-Q3', 3, '2026-10-10')))!;
    expect(sentJob.state).toBe('done');
    const again = await env.app.get(SendReminderProcessor).handle({
      jobKey: sentJob.jobKey,
      name: sentJob.name,
      runAt: sentJob.runAt,
      payload: sentJob.payload,
      attempt: 2,
    });
    expect(again.outcome).toBe('alreadySent');
    const gateway = env.app.get(OutboxSmsGateway);
    const first = before[0]!;
    expect(await gateway.send({ to: first.to, text: 'again', key: first.key })).toEqual({
      providerId: `outbox-${first.key}`,
    });
    expect(await outbox()).toEqual(before);
    expect(new Set(before.map((s) => s.key)).size).toBe(before.length);
  });

  it('merges one person’s items due together into one SMS: the reporter’s two Q4 reminders in one digest', async () => {
    await travel('2026-12-01 10:00');
    const { targetId: secondId, position } = await proposeAndIssue(
      env,
      { admin, reviewer, leader },
      { ...GDP_PROPOSAL, title: '固定资产投资增速', measure: '固定资产投资增速' },
    );
    await settle(position);

    const before = (await outbox()).length;
    await travel('2027-01-07 09:01');
    await drain();
    const messages = await sent();
    expect(messages).toHaveLength(before + 1);
    const digest = messages.at(-1)!;
    expect(digest.to).toBe(PHONES.reporter);
    expect(digest.sentAt).toBe(sh('2027-01-07 09:01'));
    expect([...digest.keys].sort()).toEqual(
      [
        key('reporter', '2026-Q4', 1, '2027-01-10', 3),
        `reminder_reporter_${secondId}_2026-Q4_t1_2027-01-10_b3`,
      ].sort(),
    );
    expect(digest.text).toMatch(/^【督考】您好，以下事项请及时办理：1\. 甲镇“.+”.*；2\. 甲镇“.+”.*。$/);
    expect(digest.text).toContain('GDP增速');
    expect(digest.text).toContain('固定资产投资增速');
    // Each item's job is done, and both point at the one message.
    for (const k of digest.keys) expect(await queue().get(k)).toMatchObject({ state: 'done' });
  });

  it('counts offsets in working days once the scheme says so, skipping the published 2027 holidays', async () => {
    // Now 7 January 2027; Q4 is due Sunday 10 January. 11–12 January are declared holidays (an example).
    const calendar = await env
      .http()
      .put('/work-calendars/2027')
      .set(bearer(admin))
      .send({ holidays: ['2027-01-11', '2027-01-12'], workdays: [], source: '测试用日历' })
      .expect(200);
    expect(calendar.body.version).toBe(1);
    await settle();
    const tier2 = key('leaderInCharge', '2026-Q4', 2, '2027-01-10');
    const tier3 = key('principalLeader', '2026-Q4', 3, '2027-01-10');
    const tier1 = key('reporter', '2026-Q4', 1, '2027-01-10', 1);
    // Calendar days still: the calendar alone changes nothing.
    expect(await queue().get(tier2)).toMatchObject({ runAt: sh('2027-01-11 09:00') });

    const cycle = (await env.http().get('/cycles/2026').set(bearer(admin)).expect(200)).body;
    const scheme = cycle.schemes.at(-1).scheme;
    const published = await env
      .http()
      .post('/cycles/2026/schemes')
      .set(bearer(admin))
      .send({
        scheme: { ...scheme, reminders: { ...scheme.reminders, offsetDays: 'working' } },
        effectiveFrom: now,
        note: '第三版：按工作日计',
      })
      .expect(201);
    await settle(published.body.position);
    // One working day before Sunday the 10th is Friday the 8th; one after skips the holidays to the
    // 13th; ten after runs 13–15, 18–22, 25–26.
    expect(await queue().get(tier1)).toMatchObject({ state: 'pending', runAt: sh('2027-01-08 09:00') });
    expect(await queue().get(tier2)).toMatchObject({ state: 'pending', runAt: sh('2027-01-13 09:00') });
    expect(await queue().get(tier3)).toMatchObject({ state: 'pending', runAt: sh('2027-01-26 09:00') });
  });

  it('a reminder with nobody holding the duty fails with a clear error', async () => {
    const sentJob = (await queue().get(key('principalLeader', '2026-Q3', 3, '2026-10-10')))!;
    await expect(
      env.app.get(SendReminderProcessor).handle({
        jobKey: 'reminder_reporter_x_2026-Q3_t1_2026-10-10_b1',
        name: 'reminder',
        runAt: now,
        payload: {
          ...sentJob.payload,
          unitId: 'town-b',
          duty: 'reporter',
          reminderKey: 'reminder_reporter_x_2026-Q3_t1_2026-10-10_b1',
        },
        attempt: 1,
      }),
    ).rejects.toThrow('no reporter of unit town-b');
  });
});
