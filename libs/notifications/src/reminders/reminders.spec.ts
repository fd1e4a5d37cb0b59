import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ReadModelStore } from '@dukao/read-model-store';
import { DEFAULT_SCHEME } from '@dukao/targets';
import type { JobPayload } from '../job-queue.port';
import { SqliteJobQueue } from '../sqlite.job-queue';
import { OutboxSmsGateway } from './outbox.sms-gateway';
import { REMINDER_JOB, type ReminderJobPayload } from './reminder-planner.reactor';
import { SendReminderProcessor } from './send-reminder.processor';
import { SmsLedger } from './sms-ledger';

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
  const clock = () => new Date(now);
  const processor = (phone: string | null = '13800000002') =>
    new SendReminderProcessor(queue, outbox, fakeViews(phone), clock, ledger);
  const run = (p: SendReminderProcessor, payload: ReminderJobPayload, jobKey = payload.jobKey) =>
    p.handle({
      jobKey,
      name: REMINDER_JOB,
      runAt: now,
      payload: payload as unknown as JobPayload,
      attempt: 1,
    });

  beforeEach(() => {
    now = sh('2026-07-11 09:00');
    queue = new SqliteJobQueue({ filename: ':memory:', now: clock, poll: false });
    outbox = new OutboxSmsGateway(':memory:', clock);
    ledger = new SmsLedger(':memory:');
  });
  afterEach(async () => {
    await queue.close();
    outbox.close();
    ledger.close();
  });

  it('sends to the person holding the duty, under the reminder key, once', async () => {
    const p = processor();
    expect(await run(p, job())).toEqual({ outcome: 'sent', at: now });
    expect(await run(p, job())).toEqual({ outcome: 'alreadySent', at: now });
    const sent = await outbox.list();
    expect(sent).toEqual([expect.objectContaining({ key: job().jobKey, to: '13800000002' })]);
    expect(sent[0]!.text).toContain('甲镇“GDP增速”');
    expect(sent[0]!.text).toContain('已逾期1天');
  });

  it('holds a send due in quiet hours until 08:00, under a derived key, and sends it then under the reminder key', async () => {
    now = sh('2026-07-11 23:00');
    const p = processor();
    expect(await run(p, job())).toEqual({ outcome: 'deferred', at: sh('2026-07-12 08:00') });
    expect(await outbox.list()).toEqual([]);
    const [deferred] = await queue.list({ state: 'pending' });
    expect(deferred).toMatchObject({
      jobKey: `${job().jobKey}.d202607120000`,
      runAt: sh('2026-07-12 08:00'),
    });
    now = sh('2026-07-12 08:00');
    expect(await run(p, deferred!.payload as unknown as ReminderJobPayload, deferred!.jobKey)).toMatchObject({
      outcome: 'sent',
    });
    expect((await outbox.list()).map((m) => [m.key, m.sentAt])).toEqual([
      [job().jobKey, sh('2026-07-12 08:00')],
    ]);
  });

  it('keeps to the per-phone limit of one a minute: a second reminder to the same phone waits a minute', async () => {
    const p = processor();
    await run(p, job());
    const other = job({
      jobKey: 'reminder_leaderInCharge_T2_2026-Q2_t2_2026-07-10',
      reminderKey: 'reminder_leaderInCharge_T2_2026-Q2_t2_2026-07-10',
      targetId: 'T2',
    });
    expect(await run(p, other)).toEqual({ outcome: 'deferred', at: sh('2026-07-11 09:01') });
    expect(DEFAULT_SCHEME.reminders.perPhoneLimits.perMinute).toBe(1);
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
