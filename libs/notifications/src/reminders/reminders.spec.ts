import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type EventStore, SqliteEventStore } from '@dukao/event-store';
import type { ReadModelStore } from '@dukao/read-model-store';
import { DEFAULT_SCHEME } from '@dukao/targets';
import type { JobPayload } from '../job-queue.port';
import { SqliteJobQueue } from '../sqlite.job-queue';
import { OutboxSmsGateway } from './outbox.sms-gateway';
import { REMINDER_JOB, type ReminderJobPayload } from './reminder-planner.reactor';
import { digestTemplateParams, SendReminderProcessor, SMS_JOB } from './send-reminder.processor';
import { smsStreamId } from './sms.events';
import { SmsLedger } from './sms-ledger';
import type { SmsGateway } from './sms.port';

const sh = (local: string) => new Date(`${local.replace(' ', 'T')}:00+08:00`).toISOString();

const job = (over: Partial<ReminderJobPayload> = {}): ReminderJobPayload => ({
  jobKey: 'reminder_leaderInCharge_T1_2026-Q2_t2_2026-07-10',
  reminderKey: 'reminder_leaderInCharge_T1_2026-Q2_t2_2026-07-10',
  tier: 2,
  duty: 'leaderInCharge',
  unitId: 'town-a',
  unitName: '甲镇',
  targetId: 'T1',
  targetTitle: 'GDP增速',
  subject: { kind: 'report', period: '2026-Q2' },
  period: '2026-Q2',
  dueDate: '2026-07-10',
  sendAt: sh('2026-07-11 09:00'),
  reason: 'overdue',
  cycleId: '2026',
  ...over,
});

/** The two views the sender reads: one leader in charge of Town A with a phone; no cycle (default scheme). */
function fakeViews(phone: string | null): ReadModelStore {
  const views = {
    async find(collection: string, filter: { unitId?: string; duty?: string }) {
      if (collection !== 'unitMemberships' || filter.unitId !== 'town-a' || filter.duty !== 'leaderInCharge')
        return [];
      return [
        {
          _id: 'm1',
          userId: 'u1',
          unitId: 'town-a',
          duty: 'leaderInCharge',
          effectiveFrom: sh('2026-01-01 00:00'),
          effectiveUntil: null,
        },
      ];
    },
    async get(collection: string, id: string) {
      if (collection === 'users' && id === 'u1')
        return { _id: 'u1', displayName: '李分管', phone, status: 'active' };
      return null;
    },
  };
  return views as unknown as ReadModelStore;
}

describe('OutboxSmsGateway', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'dukao-sms-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('stores a key once, answers the same provider id, and keeps it across a restart', async () => {
    const file = join(dir, 'sms-outbox.sqlite');
    const outbox = new OutboxSmsGateway(file, () => new Date(sh('2026-07-11 09:00')));
    const first = await outbox.send({ to: '13800000002', text: 'a', key: 'k1' });
    expect(await outbox.send({ to: '13800000002', text: 'b', key: 'k1' })).toEqual(first);
    await outbox.send({ to: '13800000003', text: 'c', key: 'k2' });
    outbox.close();
    const reopened = new OutboxSmsGateway(file);
    await reopened.send({ to: '13800000002', text: 'again', key: 'k1' });
    expect(await reopened.list()).toEqual([
      { key: 'k1', to: '13800000002', text: 'a', providerId: 'outbox-k1', sentAt: sh('2026-07-11 09:00') },
      { key: 'k2', to: '13800000003', text: 'c', providerId: 'outbox-k2', sentAt: sh('2026-07-11 09:00') },
    ]);
    expect((await reopened.list({ to: '13800000003' })).map((m) => m.key)).toEqual(['k2']);
    reopened.close();
  });
});

describe('SendReminderProcessor', () => {
  let now: string;
  let queue: SqliteJobQueue;
  let outbox: OutboxSmsGateway;
  let ledger: SmsLedger;
  let events: SqliteEventStore;
  let dir: string;
  const clock = () => new Date(now);
  const processor = (phone: string | null = '13800000002', gateway: SmsGateway = outbox) =>
    new SendReminderProcessor(queue, gateway, fakeViews(phone), clock, ledger, events, 60_000, 'outbox');
  const run = (p: SendReminderProcessor, payload: ReminderJobPayload, jobKey = payload.jobKey) =>
    p.handle({
      jobKey,
      name: REMINDER_JOB,
      runAt: now,
      payload: payload as unknown as JobPayload,
      attempt: 1,
    });
  const sendDue = async (p: SendReminderProcessor) => {
    const results = [];
    for (const j of await queue.list({ state: 'pending' }))
      if (j.name === SMS_JOB && j.runAt <= now) {
        // As the queue would: the job is taken (and then done or failed), whatever send answers.
        await queue.cancel(j.jobKey);
        results.push(
          await p.send({ jobKey: j.jobKey, name: SMS_JOB, runAt: j.runAt, payload: j.payload, attempt: 1 }),
        );
      }
    return results;
  };
  const smsEvents = async () => (await events.readAll()).map((e) => [e.type, e.streamId, e.data]);
  const other = job({
    jobKey: 'reminder_leaderInCharge_T2_2026-Q2_t2_2026-07-10',
    reminderKey: 'reminder_leaderInCharge_T2_2026-Q2_t2_2026-07-10',
    targetId: 'T2',
    targetTitle: '固定资产投资',
  });

  beforeEach(() => {
    now = sh('2026-07-11 09:00');
    dir = mkdtempSync(join(tmpdir(), 'dukao-sms-'));
    queue = new SqliteJobQueue({ filename: ':memory:', now: clock, poll: false });
    outbox = new OutboxSmsGateway(':memory:', clock);
    ledger = new SmsLedger(':memory:');
    events = new SqliteEventStore({ filename: join(dir, 'events.sqlite') });
  });
  afterEach(async () => {
    await queue.close();
    outbox.close();
    ledger.close();
    await events.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('collects a person’s items due together into one digest, sent once after the window, with SmsSent in the log', async () => {
    const p = processor();
    const first = await run(p, job());
    expect(first).toMatchObject({ outcome: 'joined' });
    expect(await run(p, other)).toEqual({ ...first, at: now });
    expect(await run(p, job())).toEqual({ ...first, at: now });
    expect(await sendDue(p)).toEqual([]);
    now = sh('2026-07-11 09:01');
    expect(await sendDue(p)).toEqual([{ outcome: 'sent', at: now }]);
    const sent = await outbox.list();
    expect(sent).toEqual([expect.objectContaining({ key: first.digestKey, to: '13800000002', sentAt: now })]);
    expect(sent[0]!.text).toBe(
      '【督考】您好，以下事项请及时办理：1. 甲镇“GDP增速”2026年第二季度进度应于7月10日前报送，已逾期1天仍未报送；2. 甲镇“固定资产投资”2026年第二季度进度应于7月10日前报送，已逾期1天仍未报送。',
    );
    expect(await smsEvents()).toEqual([
      [
        'SmsSent',
        `sms-${first.digestKey}`,
        expect.objectContaining({
          messageKey: first.digestKey,
          userId: 'u1',
          phone: '138****0002',
          gateway: 'outbox',
          providerId: `outbox-${first.digestKey}`,
          sentAt: now,
          items: [
            expect.objectContaining({
              reminderKey: job().reminderKey,
              targetId: 'T1',
              tier: 2,
              duty: 'leaderInCharge',
            }),
            expect.objectContaining({ reminderKey: other.reminderKey, targetId: 'T2' }),
          ],
        }),
      ],
    ]);
    // Replays, a queue that lost its records, a rerun of the sms job: nothing more is sent or appended.
    expect(await run(p, job())).toMatchObject({ outcome: 'alreadySent' });
    expect(
      await p.send({
        jobKey: first.digestKey,
        name: SMS_JOB,
        runAt: now,
        payload: { digestKey: first.digestKey },
        attempt: 2,
      }),
    ).toMatchObject({ outcome: 'alreadySent' });
    expect(await outbox.list()).toHaveLength(1);
    expect(await events.readAll()).toHaveLength(1);
    expect(ledger.wasSent(job().reminderKey)).toBe(true);
  });

  it('an item arriving after its digest was sealed opens the next digest, which keeps to the per-phone limit of one a minute', async () => {
    const p = processor();
    await run(p, job());
    now = sh('2026-07-11 09:01');
    await sendDue(p);
    const second = await run(p, other);
    now = new Date(Date.parse(sh('2026-07-11 09:01')) + 30_000).toISOString();
    // Its item was due at 09:00, so its window has passed: it is due now, but the phone had an SMS at 09:01.
    expect(await sendDue(p)).toEqual([{ outcome: 'deferred', at: sh('2026-07-11 09:02') }]);
    now = sh('2026-07-11 09:02');
    expect(await sendDue(p)).toEqual([{ outcome: 'sent', at: now }]);
    expect((await outbox.list()).map((m) => [m.key, m.sentAt])).toEqual([
      [expect.any(String), sh('2026-07-11 09:01')],
      [second.digestKey, sh('2026-07-11 09:02')],
    ]);
  });

  it('defers a digest that would break the per-phone limit, by rescheduling it, never dropping it', async () => {
    const p = processor();
    await run(p, job());
    now = sh('2026-07-11 09:01');
    await sendDue(p);
    await run(p, other);
    // Someone sends the phone's minute quota at 09:01:40 (the window ends 09:02): the digest waits to 09:02:40.
    const [next] = (await queue.list({ state: 'pending' })).filter((j) => j.name === SMS_JOB);
    now = new Date(Date.parse(sh('2026-07-11 09:01')) + 40_000).toISOString();
    const third = job({
      jobKey: 'reminder_leaderInCharge_T3_x',
      reminderKey: 'reminder_leaderInCharge_T3_x',
      targetId: 'T3',
    });
    // A second person sharing the phone (a secretary's number) got a message sealed at 09:01:40.
    ledger.join(third, { userId: 'u9', phone: '13800000002' }, now);
    await ledger.seal(ledger.digestOfItem(third.reminderKey)!.key, now, () => 'x');
    now = sh('2026-07-11 09:02');
    expect(
      await p.send({
        jobKey: next!.jobKey,
        name: SMS_JOB,
        runAt: next!.runAt,
        payload: next!.payload,
        attempt: 1,
      }),
    ).toEqual({
      outcome: 'deferred',
      at: new Date(Date.parse(sh('2026-07-11 09:02')) + 40_000).toISOString(),
    });
    expect((await queue.list({ state: 'pending' })).map((j) => j.jobKey)).toContain(
      `${next!.jobKey}.d202607110102`,
    );
    expect(DEFAULT_SCHEME.reminders.perPhoneLimits.perMinute).toBe(1);
  });

  it('holds a digest due in quiet hours until 08:00 and sends it then, under its own key', async () => {
    now = sh('2026-07-11 22:30');
    const p = processor();
    const { digestKey } = await run(p, job());
    now = sh('2026-07-11 22:31');
    expect(await sendDue(p)).toEqual([{ outcome: 'deferred', at: sh('2026-07-12 08:00') }]);
    expect(await outbox.list()).toEqual([]);
    // An item arriving overnight joins the held digest: one message in the morning.
    now = sh('2026-07-12 03:00');
    expect(await run(p, other)).toMatchObject({ digestKey });
    now = sh('2026-07-12 08:00');
    const deferred = (await queue.list({ state: 'pending' })).find(
      (j) => j.jobKey === `${digestKey}.d202607120000`,
    )!;
    expect(
      await p.send({
        jobKey: deferred.jobKey,
        name: SMS_JOB,
        runAt: deferred.runAt,
        payload: deferred.payload,
        attempt: 1,
      }),
    ).toEqual({ outcome: 'sent', at: now });
    const sent = await outbox.list();
    expect(sent.map((m) => [m.key, m.sentAt])).toEqual([[digestKey, sh('2026-07-12 08:00')]]);
    expect(sent[0]!.text).toContain('已逾期2天');
    expect(sent[0]!.text).toContain('固定资产投资');
  });

  it('resends the sealed text under the same key after a gateway failure, and records the send once', async () => {
    let calls = 0;
    const flaky: SmsGateway = {
      send: async (m) => {
        calls += 1;
        if (calls === 1) throw new Error('connect ECONNREFUSED');
        return outbox.send(m);
      },
    };
    const p = processor('13800000002', flaky);
    const { digestKey } = await run(p, job());
    now = sh('2026-07-11 09:01');
    await expect(sendDue(p)).rejects.toThrow('ECONNREFUSED');
    expect(ledger.digest(digestKey)).toMatchObject({ state: 'sealed' });
    expect(ledger.wasSent(job().reminderKey)).toBe(false);
    // An item arriving now does not change the sealed text: it opens the next digest.
    expect((await run(p, other)).digestKey).not.toBe(digestKey);
    now = sh('2026-07-11 09:02');
    expect(
      await p.send({ jobKey: digestKey, name: SMS_JOB, runAt: now, payload: { digestKey }, attempt: 2 }),
    ).toEqual({ outcome: 'sent', at: now });
    const [sent] = await outbox.list();
    expect(sent).toMatchObject({ key: digestKey });
    expect(sent!.text).not.toContain('固定资产投资');
    expect((await events.readAll()).map((e) => e.type)).toEqual(['SmsSent']);
  });

  it('does not send again what the log records as sent when the ledger lost its mark (a power loss)', async () => {
    const p = processor();
    const { digestKey } = await run(p, job());
    now = sh('2026-07-11 09:01');
    await sendDue(p);
    // The ledger as a power loss could leave it: the digest open again, its mark gone.
    const stale = new SmsLedger(':memory:');
    stale.join(job(), { userId: 'u1', phone: '13800000002' }, sh('2026-07-11 09:00'));
    expect(stale.digest(digestKey)).toMatchObject({ state: 'open' });
    let calls = 0;
    const spy: SmsGateway = { send: async (m) => ((calls += 1), outbox.send(m)) };
    const after = new SendReminderProcessor(
      queue,
      spy,
      fakeViews('13800000002'),
      clock,
      stale,
      events,
      60_000,
      'outbox',
    );
    now = sh('2026-07-11 09:05');
    expect(
      await after.send({ jobKey: digestKey, name: SMS_JOB, runAt: now, payload: { digestKey }, attempt: 1 }),
    ).toEqual({ outcome: 'alreadySent', at: sh('2026-07-11 09:01') });
    expect(calls).toBe(0);
    expect(stale.digest(digestKey)).toMatchObject({ state: 'sent', sentAt: sh('2026-07-11 09:01') });
    expect(await events.readAll()).toHaveLength(1);
    stale.close();
  });

  it('a refusal by the provider fails the message at once, records SmsRejected, and never marks it sent', async () => {
    const refusing: SmsGateway = {
      send: async () => {
        throw Object.assign(new Error('isv.MOBILE_NUMBER_ILLEGAL'), { permanent: true });
      },
    };
    const p = processor('13800000002', refusing);
    const { digestKey } = await run(p, job());
    now = sh('2026-07-11 09:01');
    await expect(sendDue(p)).rejects.toThrow('MOBILE_NUMBER_ILLEGAL');
    expect(ledger.digest(digestKey)).toMatchObject({ state: 'failed', error: 'isv.MOBILE_NUMBER_ILLEGAL' });
    expect(await smsEvents()).toEqual([
      ['SmsRejected', `sms-${digestKey}`, expect.objectContaining({ error: 'isv.MOBILE_NUMBER_ILLEGAL' })],
    ]);
    expect(
      await p.send({ jobKey: digestKey, name: SMS_JOB, runAt: now, payload: { digestKey }, attempt: 2 }),
    ).toEqual({ outcome: 'rejected', at: now });
  });

  describe('concurrent sends (their ledger, outbox and log writes share commits)', () => {
    /** One open digest per person, each with one item due at 09:00; answers their keys. */
    const openDigests = (people: Array<{ userId: string; phone: string }>) =>
      people.map(
        (person, n) =>
          ledger.join(
            job({ jobKey: `reminder_${person.userId}_${n}`, reminderKey: `reminder_${person.userId}_${n}` }),
            person,
            sh('2026-07-11 09:00'),
          ).digestKey,
      );
    const smsJob = (digestKey: string, attempt = 1) => ({
      jobKey: digestKey,
      name: SMS_JOB,
      runAt: now,
      payload: { digestKey },
      attempt,
    });
    /** The log, except that appends to the given messages' streams fail (a full disk, say). */
    const failingFor = (keys: string[]): EventStore =>
      new Proxy(events, {
        get: (target, property) => {
          if (property === 'append')
            return (
              stream: string,
              ...rest: Parameters<EventStore['append']> extends [string, ...infer R] ? R : never
            ) =>
              keys.some((key) => smsStreamId(key) === stream)
                ? Promise.reject(new Error('disk I/O error'))
                : target.append(stream, ...rest);
          const value = Reflect.get(target, property) as unknown;
          return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
        },
      });
    const sentEvents = async () =>
      (await events.readAll()).filter((e) => e.type === 'SmsSent').map((e) => e.streamId);

    it('sends each message once, and two digests to one phone in the same turn keep its per-minute limit', async () => {
      const keys = openDigests([
        { userId: 'u1', phone: '13800000001' },
        { userId: 'u2', phone: '13800000002' },
        { userId: 'u3', phone: '13800000003' },
        // A secretary's number shared by two leaders: one SMS a minute between them.
        { userId: 'u4', phone: '13800000009' },
        { userId: 'u5', phone: '13800000009' },
      ]);
      now = sh('2026-07-11 09:01');
      const p = processor();
      const results = await Promise.all(keys.map((key) => p.send(smsJob(key))));
      expect(results.map((r) => r.outcome)).toEqual(['sent', 'sent', 'sent', 'sent', 'deferred']);
      expect(results[4]).toEqual({ outcome: 'deferred', at: sh('2026-07-11 09:02') });
      expect((await outbox.list()).map((m) => m.key).sort()).toEqual(keys.slice(0, 4).sort());
      expect((await sentEvents()).sort()).toEqual(keys.slice(0, 4).map(smsStreamId).sort());
      for (const key of keys.slice(0, 4)) expect(ledger.digest(key)).toMatchObject({ state: 'sent' });
      expect(ledger.digest(keys[4]!)).toMatchObject({ state: 'open' });
      // Run again (a queue that lost its records): nothing more is sent or appended.
      expect(
        (await Promise.all(keys.slice(0, 4).map((key) => p.send(smsJob(key, 2))))).map((r) => r.outcome),
      ).toEqual(['alreadySent', 'alreadySent', 'alreadySent', 'alreadySent']);
      expect(await outbox.list()).toHaveLength(4);
      expect(await sentEvents()).toHaveLength(4);
    });

    it('when one append of the batch fails, only that message stays unsent, and its retry sends it once', async () => {
      const keys = openDigests([
        { userId: 'u1', phone: '13800000001' },
        { userId: 'u2', phone: '13800000002' },
        { userId: 'u3', phone: '13800000003' },
      ]);
      now = sh('2026-07-11 09:01');
      const failing = new SendReminderProcessor(
        queue,
        outbox,
        fakeViews(null),
        clock,
        ledger,
        failingFor([keys[1]!]),
        60_000,
        'outbox',
      );
      const results = await Promise.allSettled(keys.map((key) => failing.send(smsJob(key))));
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      expect(ledger.digest(keys[0]!)).toMatchObject({ state: 'sent' });
      expect(ledger.digest(keys[1]!)).toMatchObject({ state: 'sealed', sentAt: null });
      expect(ledger.wasSent(`reminder_u2_1`)).toBe(false);
      expect(ledger.digest(keys[2]!)).toMatchObject({ state: 'sent' });
      expect((await sentEvents()).sort()).toEqual([smsStreamId(keys[0]!), smsStreamId(keys[2]!)].sort());
      // The retry resends the sealed text under the same key: the provider (the outbox) keeps one.
      let calls = 0;
      const spy: SmsGateway = { send: async (m) => ((calls += 1), outbox.send(m)) };
      expect(await processor('13800000002', spy).send(smsJob(keys[1]!, 2))).toEqual({
        outcome: 'sent',
        at: now,
      });
      expect(calls).toBe(1);
      expect((await outbox.list()).map((m) => m.key).sort()).toEqual([...keys].sort());
      expect((await sentEvents()).filter((s) => s === smsStreamId(keys[1]!))).toHaveLength(1);
      expect(ledger.digest(keys[1]!)).toMatchObject({ state: 'sent' });
    });

    it('a crash between the SmsSent appends and the ledger marks sends nothing again after the restart', async () => {
      ledger.close();
      const file = join(dir, 'sms-ledger.sqlite');
      ledger = new SmsLedger(file);
      const keys = openDigests([
        { userId: 'u1', phone: '13800000001' },
        { userId: 'u2', phone: '13800000002' },
      ]);
      now = sh('2026-07-11 09:01');
      // The process dies after the log acknowledged the appends, before the marks are written.
      ledger.markSent = () => Promise.reject(new Error('killed'));
      const dying = processor();
      const results = await Promise.allSettled(keys.map((key) => dying.send(smsJob(key))));
      expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
      expect(await sentEvents()).toHaveLength(2);
      ledger.close();
      ledger = new SmsLedger(file);
      for (const key of keys) expect(ledger.digest(key)).toMatchObject({ state: 'sealed' });
      let calls = 0;
      const spy: SmsGateway = { send: async (m) => ((calls += 1), outbox.send(m)) };
      const restarted = processor('13800000002', spy);
      expect(await Promise.all(keys.map((key) => restarted.send(smsJob(key, 2))))).toEqual([
        { outcome: 'alreadySent', at: sh('2026-07-11 09:01') },
        { outcome: 'alreadySent', at: sh('2026-07-11 09:01') },
      ]);
      expect(calls).toBe(0);
      expect(await sentEvents()).toHaveLength(2);
      for (const key of keys) expect(ledger.digest(key)).toMatchObject({ state: 'sent' });
    });
  });

  it('fails a job whose person has no phone, and the queue keeps it as failed with the reason', async () => {
    const p = processor(null);
    p.onApplicationBootstrap();
    await queue.schedule({
      jobKey: job().jobKey,
      name: REMINDER_JOB,
      runAt: now,
      payload: job() as unknown as JobPayload,
    });
    for (let i = 0; i < 3; i++) {
      await queue.tick();
      now = new Date(Date.parse(now) + 10 * 60_000).toISOString();
    }
    expect(await queue.get(job().jobKey)).toMatchObject({
      state: 'failed',
      attempts: 3,
      lastError: expect.stringContaining('has no phone number'),
    });
    expect(await outbox.list()).toEqual([]);
  });
});

describe('digestTemplateParams', () => {
  it('gives a template the count and the first item, cut to an Aliyun variable’s 35 characters', () => {
    const first = job({ unitName: '甲镇', targetTitle: 'GDP增速' });
    expect(digestTemplateParams({ items: [first, job()], text: 'T' })).toEqual({
      count: '2',
      first: '甲镇“GDP增速”',
      text: 'T',
    });
    const long = digestTemplateParams({ items: [job({ targetTitle: '很'.repeat(50) })], text: null });
    expect(long.first!).toHaveLength(35);
    expect(long.first!.endsWith('…')).toBe(true);
  });
});
