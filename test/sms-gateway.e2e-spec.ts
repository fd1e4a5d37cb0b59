import { EVENT_STORE, type EventStore } from '@dukao/event-store';
import { JOB_QUEUE, signDukaoPayload, SMS_JOB, SmsLedger, type SqliteJobQueue } from '@dukao/notifications';
import { ProjectionEngine } from '@dukao/projections';
import { reminderItem } from '@dukao/testing';
import { EmbeddedApp, type Session, bearer } from './support/embedded-app';
import { type FakeSmsProvider, startFakeSmsProvider } from './support/fake-sms-provider';

/**
 * The api in embedded mode sending through the generic HTTP gateway to a local provider that fails
 * on demand: 500s and timeouts are retried with backoff (on the test's clock), a job that keeps
 * failing ends `failed` and visible at GET /reminders/sms, nothing is marked sent that the provider
 * did not accept, and signed delivery receipts become events, once.
 */

const SECRET = 'receipts-and-sends-share-this-32-char-secret';
const sh = (local: string) => new Date(`${local.replace(' ', 'T')}:00+08:00`).toISOString();

describe('SMS through the HTTP gateway: retries, failures, receipts', () => {
  let now = sh('2026-07-11 09:00');
  let env: EmbeddedApp;
  let provider: FakeSmsProvider;
  let admin: Session;
  let supervisor: Session;
  let n = 0;

  const queue = () => env.app.get<SqliteJobQueue>(JOB_QUEUE);
  const ledger = () => env.app.get(SmsLedger);
  const events = () => env.app.get<EventStore>(EVENT_STORE);
  const minutes = (m: number) => (now = new Date(Date.parse(now) + m * 60_000).toISOString());

  /** A one-item digest to a fresh person, its 'sms' job due now. */
  const queueMessage = async (): Promise<string> => {
    n += 1;
    const item = reminderItem(n, { tier: 2, sendAt: now });
    const { digestKey } = ledger().join(
      item,
      { userId: `u${n}`, phone: `1380000${String(n).padStart(4, '0')}` },
      now,
    );
    await queue().schedule({ jobKey: digestKey, name: SMS_JOB, runAt: now, payload: { digestKey } });
    return digestKey;
  };
  /** Runs the due jobs, moving the clock a minute at a time, until `key` is done or failed. */
  const runUntilSettled = async (key: string, maxMinutes = 60) => {
    for (let i = 0; i < maxMinutes; i++) {
      await queue().tick();
      const job = await queue().get(key);
      if (job?.state === 'done' || job?.state === 'failed') return job;
      minutes(1);
    }
    throw new Error(`job ${key} did not finish`);
  };
  const smsJobs = async (state?: string) =>
    (
      await env
        .http()
        .get(`/reminders/sms${state ? `?state=${state}` : ''}`)
        .set(bearer(admin))
        .expect(200)
    ).body.items as Array<{
      key: string;
      state: string;
      attempts: number;
      lastError: string | null;
      message: { state: string } | null;
    }>;
  const messages = async () => {
    const head = await events().headPosition();
    if (head !== null)
      expect(await env.app.get(ProjectionEngine).waitFor('smsMessages', head, 10_000)).toBe(true);
    return (await env.http().get('/reminders/messages').set(bearer(supervisor)).expect(200)).body
      .items as Array<{
      _id: string;
      status: string;
      deliveredAt: string | null;
      error: string | null;
    }>;
  };
  const smsEventsOf = async (key: string) => (await events().readStream(`sms-${key}`)).map((e) => e.type);
  const postReceipt = (body: unknown, options: { secret?: string; at?: number } = {}) => {
    const raw = JSON.stringify(body);
    const timestamp = String(Math.floor((options.at ?? Date.parse(now)) / 1000));
    return env
      .http()
      .post('/reminders/receipts/http')
      .set('content-type', 'application/json')
      .set('x-dukao-timestamp', timestamp)
      .set('x-dukao-signature', signDukaoPayload(options.secret ?? SECRET, timestamp, raw))
      .send(raw);
  };

  beforeAll(async () => {
    provider = await startFakeSmsProvider({ secret: SECRET });
    env = await EmbeddedApp.start(
      {
        SMS_GATEWAY: 'http',
        SMS_HTTP_URL: provider.url,
        SMS_HTTP_SECRET: SECRET,
        SMS_HTTP_TIMEOUT_MS: '300',
        ACCESS_TOKEN_TTL_SECONDS: '86400',
      },
      () => new Date(now),
    );
    const system = await env.administrator('systemAdmin', 'sysadmin');
    const security = await env.administrator('securityAdmin', 'secadmin');
    admin = await env.user({ system, security }, 'kaohe-ban', [{ role: 'assessmentAdmin' }]);
    supervisor = await env.user({ system, security }, 'ducha-shi', [{ role: 'supervisor' }]);
  }, 60_000);
  afterAll(async () => {
    await env?.stop();
    await provider?.close();
  });

  it('sends a message once, signed, under its key, and records SmsSent', async () => {
    provider.setBehaviour('ok');
    const key = await queueMessage();
    expect(await runUntilSettled(key)).toMatchObject({ state: 'done', attempts: 1 });
    expect(provider.countByKey(key)).toBe(1);
    expect(provider.received.find((m) => m.key === key)).toMatchObject({
      to: '13800000001',
      template: { name: 'reminderDigest', params: expect.objectContaining({ count: '1' }) },
    });
    expect(await smsEventsOf(key)).toEqual(['SmsSent']);
    expect((await messages()).find((m) => m._id === key)).toMatchObject({ status: 'sent' });
  });

  it('retries HTTP 500 with backoff, then fails: visible at GET /reminders/sms, never marked sent', async () => {
    provider.setBehaviour({ status: 500, code: 'INTERNAL', message: 'provider down' });
    const key = await queueMessage();
    const job = await runUntilSettled(key, 120);
    expect(job).toMatchObject({ state: 'failed', attempts: 5 });
    expect(provider.attemptsByKey(key)).toBe(5);
    expect(provider.countByKey(key)).toBe(0);
    const [failed] = (await smsJobs('failed')).filter((j) => j.key === key);
    expect(failed).toMatchObject({
      state: 'failed',
      attempts: 5,
      lastError: expect.stringContaining('500'),
      message: expect.objectContaining({ state: 'sealed' }),
    });
    expect(ledger().digest(key)).toMatchObject({ state: 'sealed', sentAt: null });
    expect(await smsEventsOf(key)).toEqual([]);
    expect((await messages()).some((m) => m._id === key)).toBe(false);
  });

  it('retries a provider that does not answer (timeout), and sends once it does', async () => {
    provider.setBehaviour('hang');
    const key = await queueMessage();
    await queue().tick();
    expect(await queue().get(key)).toMatchObject({
      state: 'pending',
      attempts: 1,
      lastError: expect.stringMatching(/timed out|timeout|300 ms/i),
    });
    provider.setBehaviour('ok');
    expect(await runUntilSettled(key)).toMatchObject({ state: 'done', attempts: 2 });
    expect(provider.countByKey(key)).toBe(1);
    expect(await smsEventsOf(key)).toEqual(['SmsSent']);
  });

  it('a provider failing the first two attempts gets exactly one message, recorded once', async () => {
    provider.setBehaviour({ failFirst: 2 });
    const key = await queueMessage();
    expect(await runUntilSettled(key)).toMatchObject({ state: 'done', attempts: 3 });
    expect(provider.attemptsByKey(key)).toBe(3);
    expect(provider.countByKey(key)).toBe(1);
    expect(await smsEventsOf(key)).toEqual(['SmsSent']);
  });

  it('a refusal (HTTP 400) fails the job at once and records SmsRejected', async () => {
    provider.setBehaviour({ status: 400, code: 'MOBILE_INVALID', message: '号码无效' });
    const key = await queueMessage();
    expect(await runUntilSettled(key)).toMatchObject({ state: 'failed', attempts: 1 });
    expect(provider.countByKey(key)).toBe(0);
    expect(await smsEventsOf(key)).toEqual(['SmsRejected']);
    expect((await messages()).find((m) => m._id === key)).toMatchObject({ status: 'rejected' });
  });

  it('records a signed delivery receipt once; refuses bad signatures and malformed bodies, changing nothing', async () => {
    provider.setBehaviour('ok');
    const key = await queueMessage();
    await runUntilSettled(key);
    const receipt = { key, providerId: provider.received.at(-1)!.providerId, status: 'delivered', at: now };
    expect((await postReceipt({ receipts: [receipt] }).expect(200)).body).toEqual({
      recorded: 1,
      unknown: 0,
    });
    expect((await postReceipt(receipt).expect(200)).body).toEqual({ recorded: 1, unknown: 0 });
    expect(await smsEventsOf(key)).toEqual(['SmsSent', 'SmsDelivered']);
    expect((await messages()).find((m) => m._id === key)).toMatchObject({
      status: 'delivered',
      deliveredAt: now,
    });

    const head = await events().headPosition();
    const forged = await postReceipt({ ...receipt, status: 'failed' }, { secret: 'x'.repeat(40) }).expect(
      401,
    );
    expect(forged.body.code).toBe('SMS_RECEIPT_UNAUTHENTICATED');
    await postReceipt(receipt, { at: Date.parse(now) - 3_600_000 }).expect(401);
    const malformed = await postReceipt({ key, status: 'arrived', at: 'yesterday' }).expect(400);
    expect(malformed.body).toMatchObject({
      code: 'INVALID_SMS_RECEIPT',
      details: { problems: expect.any(Array) },
    });
    expect((await postReceipt({ ...receipt, key: 'sms_unknown_1' }).expect(200)).body).toEqual({
      recorded: 0,
      unknown: 1,
    });
    await env.http().post('/reminders/receipts/aliyun?token=x').send([]).expect(404);
    expect(await events().headPosition()).toBe(head);
  });
});
