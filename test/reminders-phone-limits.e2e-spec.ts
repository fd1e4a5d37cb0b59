import { bearer, type EmbeddedApp, type Session } from './support/embedded-app';
import { reminderQueue } from './support/reminder-queue';
import {
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
 * Per-phone limits (issue 6: "respected by deferring, never by dropping silently") on the worked
 * example, through the API with a moving clock. Town A's leader in charge and principal leader share
 * one phone (the office's duty phone); the scheme in force sends tier 3 one day after the due date,
 * as tier 2, so on 11 July two people's reminders fall due at 09:00 on one number. They are two
 * people, so two messages (a digest merges one person's items only): the first at 09:01, after the
 * digest window; the second held by the 1-per-minute limit and sent at 09:02, not dropped. The `it`s
 * share state and run in order.
 */
const PHONES = {
  reporter: '13800000011',
  leaderInCharge: '13800000012',
  principalLeader: '13800000012',
};

describe('reminders: two people sharing a phone, held by the per-phone limit, none dropped', () => {
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

  const travel = async (local: string) => {
    now = sh(local);
    await env.renew(system, security, admin, reviewer, staffA, leader, supervisor);
  };
  const reminders = reminderQueue(
    () => env,
    () => now,
  );
  const { queue, settle, drain } = reminders;
  const outbox = () => reminders.outbox(supervisor);
  const toSharedPhone = async () => (await outbox()).filter((m) => m.to === PHONES.leaderInCharge);

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

  it('sets up Town A with a shared duty phone, a scheme sending tier 3 one day after, and the GDP target', async () => {
    await openCycle(env, admin);
    await createUnits(env, admin);
    await addUnitPeople(env, { system, security }, 'town-a', PHONES);
    await publishTownsTree(env, admin);
    const cycle = (await env.http().get('/cycles/2026').set(bearer(admin)).expect(200)).body;
    const scheme = cycle.schemes[0].scheme;
    expect(scheme.reminders.perPhoneLimits).toEqual({ perMinute: 1, perHour: 5, perDay: 10 });
    await env
      .http()
      .post('/cycles/2026/schemes')
      .set(bearer(admin))
      .send({
        scheme: { ...scheme, reminders: { ...scheme.reminders, tier3DaysAfter: 1 } },
        effectiveFrom: now,
        note: '三级提醒与二级同日',
      })
      .expect(201);
    const issued = await proposeAndIssue(env, { admin, reviewer, leader });
    targetId = issued.targetId;
    await settle(issued.position);
    const q1 = await env
      .http()
      .post(`/targets/${targetId}/reports`)
      .set(bearer(staffA))
      .send({ period: '2026-Q1', cumulativeValue: 2.0 })
      .expect(201);
    await settle(q1.body.position);
  });

  it('sends the reporter’s tier 1 on 7 and 9 July as usual', async () => {
    for (const day of ['2026-07-07 09:01', '2026-07-09 09:01']) {
      await travel(day);
      await drain();
    }
    expect((await outbox()).map((m) => [m.to, m.sentAt])).toEqual([
      [PHONES.reporter, sh('2026-07-07 09:01')],
      [PHONES.reporter, sh('2026-07-09 09:01')],
    ]);
  });

  it('on 11 July sends the first message to the shared phone at 09:01 and holds the second', async () => {
    await travel('2026-07-11 09:01');
    await drain();
    const first = await toSharedPhone();
    expect(first.map((m) => m.sentAt)).toEqual([sh('2026-07-11 09:01')]);
    // The other message is still waiting, rescheduled to the minute after, not dropped or failed.
    const waiting = (await queue().list({ limit: 1000 })).filter(
      (j) => j.name === 'sms' && (j.state === 'pending' || j.state === 'running'),
    );
    expect(waiting.map((j) => j.runAt)).toEqual([sh('2026-07-11 09:02')]);
    const failed = (await queue().list({ limit: 1000 })).filter((j) => j.state === 'failed');
    expect(failed).toEqual([]);
  });

  it('sends the held one at 09:02: both tiers reached the phone, a minute apart, each once', async () => {
    await travel('2026-07-11 09:02');
    await drain();
    const messages = await toSharedPhone();
    expect(messages.map((m) => m.sentAt)).toEqual([sh('2026-07-11 09:01'), sh('2026-07-11 09:02')]);
    const texts = messages.map((m) => m.text).join('\n');
    expect(texts).toContain('甲镇“GDP增速”');
    expect(new Set(messages.map((m) => m.key)).size).toBe(2);
    // Later drains send nothing more.
    await travel('2026-07-11 10:00');
    await drain();
    expect(await toSharedPhone()).toHaveLength(2);
  });
});
