import { createHmac } from 'node:crypto';
import { createServer } from 'node:net';
import { inspect } from 'node:util';
import { type FakeSmsProvider, startFakeSmsProvider } from '../../../../test/support/fake-sms-provider';
import { isPermanentJobError } from '../job-queue.port';
import {
  HttpSmsGateway,
  parseHttpReceipts,
  signDukaoPayload,
  verifyDukaoSignature,
} from './http.sms-gateway';
import { InvalidSmsReceiptError, type SmsMessage, SmsRejectedError } from './sms.port';

const SECRET = 'dukao-test-secret-0123456789abcdef';

const message: SmsMessage = {
  key: 'digest-u1-20260707',
  to: '13800000001',
  text: '【督考】您好，以下事项请及时办理：1. 甲镇“GDP增速”2026年第二季度进展报告7月10日截止。',
  template: { name: 'reminderDigest', params: { count: '1', text: '甲镇“GDP增速”…' } },
};

/** Resolves to what `promise` rejected with; fails the test when it resolves. */
async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}

describe('signDukaoPayload / verifyDukaoSignature', () => {
  const body = '{"key":"k1","to":"13800000000"}';
  const at = 1_767_225_600; // 2026-01-01T00:00:00Z
  // openssl: printf '%s' '1767225600.<body>' | openssl dgst -sha256 -hmac <secret>
  const known = 'sha256=73ad4389497c92fd5d777abf527ca0bc44ffe6fa69fcb45706079b7da53bde8a';

  it('signs "<timestamp>.<raw body>" with HMAC-SHA256', () => {
    expect(signDukaoPayload(SECRET, String(at), body)).toBe(known);
    expect(signDukaoPayload(SECRET, String(at), Buffer.from(body))).toBe(known);
  });

  it('accepts the right signature within the tolerance, also in upper case', () => {
    expect(verifyDukaoSignature(SECRET, String(at), body, known, at * 1000)).toBe(true);
    expect(verifyDukaoSignature(SECRET, String(at), Buffer.from(body), known, (at + 300) * 1000)).toBe(true);
    expect(
      verifyDukaoSignature(
        SECRET,
        String(at),
        body,
        known.toUpperCase().replace('SHA256=', 'sha256='),
        at * 1000,
      ),
    ).toBe(true);
  });

  it.each([
    ['another body', String(at), body.replace('k1', 'k2'), known, at],
    ['another secret', String(at), body, signDukaoPayload('x'.repeat(32), String(at), body), at],
    ['another timestamp', String(at + 1), body, known, at],
    ['a timestamp 301 s old', String(at), body, known, at + 301],
    ['a timestamp 301 s ahead', String(at), body, known, at - 301],
    ['no signature', String(at), body, undefined, at],
    ['no timestamp', undefined, body, known, at],
    ['a non-numeric timestamp', '1767225600.5', body, known, at],
    ['no sha256= prefix', String(at), body, known.slice('sha256='.length), at],
    ['a truncated signature', String(at), body, known.slice(0, -2), at],
  ])('refuses %s', (_label, timestamp, raw, signature, nowSec) => {
    expect(verifyDukaoSignature(SECRET, timestamp, raw, signature, nowSec * 1000)).toBe(false);
  });

  it('honours a custom tolerance', () => {
    expect(verifyDukaoSignature(SECRET, String(at), body, known, (at + 31) * 1000, 30)).toBe(false);
    expect(verifyDukaoSignature(SECRET, String(at), body, known, (at + 30) * 1000, 30)).toBe(true);
  });
});

describe('HttpSmsGateway against the fake provider', () => {
  let provider: FakeSmsProvider;
  beforeEach(async () => {
    provider = await startFakeSmsProvider({ secret: SECRET });
  });
  afterEach(async () => {
    await provider.close();
  });
  const gateway = (options: { timeoutMs?: number; secret?: string; now?: () => Date } = {}) =>
    new HttpSmsGateway({ url: provider.url, secret: SECRET, ...options });

  it('POSTs the message as signed JSON with its key as Idempotency-Key', async () => {
    const nowMs = Math.floor(Date.now() / 1000) * 1000;
    const { providerId } = await gateway({ now: () => new Date(nowMs) }).send(message);

    expect(provider.received).toEqual([
      {
        key: message.key,
        to: message.to,
        text: message.text,
        template: message.template,
        at: expect.any(String),
        providerId,
      },
    ]);
    const [request] = provider.requests;
    const expectedBody = JSON.stringify({
      key: message.key,
      to: message.to,
      text: message.text,
      template: message.template,
    });
    expect(request!.rawBody).toBe(expectedBody);
    const timestamp = String(nowMs / 1000);
    expect(request!.headers).toMatchObject({
      'content-type': 'application/json; charset=utf-8',
      'idempotency-key': message.key,
      'x-dukao-timestamp': timestamp,
      'x-dukao-signature': `sha256=${createHmac('sha256', SECRET).update(`${timestamp}.${expectedBody}`).digest('hex')}`,
    });
    expect(request!.status).toBe(200);
  });

  it('sends "template": null for a message without one', async () => {
    await gateway().send({ key: 'plain-1', to: '13800000002', text: '测试' });
    expect(JSON.parse(provider.requests[0]!.rawBody)).toEqual({
      key: 'plain-1',
      to: '13800000002',
      text: '测试',
      template: null,
    });
  });

  it('sends a key once: a repeated send gets the first providerId back', async () => {
    const first = await gateway().send(message);
    const second = await gateway().send(message);
    expect(second).toEqual(first);
    expect(provider.countByKey(message.key)).toBe(1);
    expect(provider.attemptsByKey(message.key)).toBe(2);
  });

  it('throws SmsRejectedError, permanent, for a 4xx refusal, with the provider code and message', async () => {
    provider.setBehaviour({ status: 422, code: 'INVALID_NUMBER', message: '号码无效' });
    const error = await rejection(gateway().send(message));
    expect(error).toBeInstanceOf(SmsRejectedError);
    expect(error).toMatchObject({
      code: 'SMS_REJECTED',
      gateway: 'http',
      providerCode: 'INVALID_NUMBER',
      providerMessage: '(HTTP 422) 号码无效',
      permanent: true,
    });
    expect(isPermanentJobError(error)).toBe(true);
    expect(provider.received).toEqual([]);
  });

  it('is refused (401, rejected) when signed with another secret', async () => {
    const error = await rejection(gateway({ secret: 'y'.repeat(32) }).send(message));
    expect(error).toBeInstanceOf(SmsRejectedError);
    expect(error).toMatchObject({ providerCode: 'BAD_SIGNATURE' });
    expect(provider.requests.map((r) => r.status)).toEqual([401]);
    expect(provider.received).toEqual([]);
  });

  it.each([500, 503, 408, 429])(
    'treats %s as transient: a plain Error, then sends on retry',
    async (status) => {
      provider.setBehaviour({ status });
      const error = await rejection(gateway().send(message));
      expect(error).not.toBeInstanceOf(SmsRejectedError);
      expect(isPermanentJobError(error)).toBe(false);
      expect(error.message).toBe(
        `SMS gateway ${new URL(provider.url).origin} answered ${status} (SMS ${message.key}): ` +
          `{"code":"HTTP_${status}","message":"fake provider refused"}`,
      );
      provider.setBehaviour('ok');
      const { providerId } = await gateway().send(message);
      expect(provider.received.map((m) => m.providerId)).toEqual([providerId]);
    },
  );

  it('succeeds after transient failures, sending once', async () => {
    provider.setBehaviour({ failFirst: 2 });
    const sms = gateway();
    await expect(sms.send(message)).rejects.toThrow(/answered 503/);
    await expect(sms.send(message)).rejects.toThrow(/answered 503/);
    const { providerId } = await sms.send(message);
    expect(provider.received.map((m) => m.providerId)).toEqual([providerId]);
    expect(provider.attemptsByKey(message.key)).toBe(3);
  });

  it('gives up after timeoutMs when the provider does not answer, as a transient error', async () => {
    provider.setBehaviour('hang');
    const started = Date.now();
    const error = await rejection(gateway({ timeoutMs: 200 }).send(message));
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(190);
    expect(elapsed).toBeLessThan(1000);
    expect(error).not.toBeInstanceOf(SmsRejectedError);
    expect(error.message).toMatch(/did not answer within 200 ms \(SMS digest-u1-20260707\)/);
  });

  it('treats a 2xx without providerId as transient', async () => {
    provider.setBehaviour({ status: 200 });
    const error = await rejection(gateway().send(message));
    expect(error).not.toBeInstanceOf(SmsRejectedError);
    expect(error.message).toMatch(/answered 200 without a providerId/);
  });

  it('treats a refused connection as transient, naming the cause', async () => {
    // A port that was free a moment ago: nothing listens there.
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port: free } = probe.address() as { port: number };
        probe.close(() => resolve(free));
      });
    });
    const sms = new HttpSmsGateway({ url: `http://127.0.0.1:${port}/sms`, secret: SECRET, timeoutMs: 2000 });
    const error = await rejection(sms.send(message));
    expect(error).not.toBeInstanceOf(SmsRejectedError);
    expect(error.message).toBe(
      `SMS gateway http://127.0.0.1:${port} unreachable (SMS ${message.key}): ECONNREFUSED`,
    );
  });

  it('keeps the secret out of its errors and of inspection', async () => {
    provider.setBehaviour({ status: 500 });
    const sms = gateway();
    const error = await rejection(sms.send(message));
    expect(error.message).not.toContain(SECRET);
    expect(JSON.stringify(sms)).not.toContain(SECRET);
    expect(inspect(sms, { depth: 5 })).not.toContain(SECRET);
  });
});

describe('parseHttpReceipts', () => {
  it('reads a batch, normalising times to UTC', () => {
    expect(
      parseHttpReceipts({
        receipts: [
          {
            key: 'digest-u1-20260707',
            providerId: 'p-1',
            phone: '13800000001',
            status: 'delivered',
            at: '2026-07-07T09:00:05+08:00',
          },
          {
            key: 'digest-u2-20260707',
            providerId: null,
            phone: null,
            status: 'failed',
            at: '2026-07-07T01:00:09Z',
            error: 'MK:0001 停机',
          },
        ],
      }),
    ).toEqual([
      {
        key: 'digest-u1-20260707',
        providerId: 'p-1',
        phone: '13800000001',
        delivered: true,
        at: '2026-07-07T01:00:05.000Z',
        error: null,
      },
      {
        key: 'digest-u2-20260707',
        providerId: null,
        phone: null,
        delivered: false,
        at: '2026-07-07T01:00:09.000Z',
        error: 'MK:0001 停机',
      },
    ]);
  });

  it('reads a single receipt', () => {
    expect(parseHttpReceipts({ key: 'k', status: 'delivered', at: '2026-07-07T01:00:00.000Z' })).toEqual([
      {
        key: 'k',
        providerId: null,
        phone: null,
        delivered: true,
        at: '2026-07-07T01:00:00.000Z',
        error: null,
      },
    ]);
  });

  it.each([
    ['a status it does not know', { key: 'k', status: 'sent', at: '2026-07-07T01:00:00Z' }, /status/],
    ['no key', { status: 'delivered', at: '2026-07-07T01:00:00Z' }, /key/],
    ['a time without zone', { key: 'k', status: 'delivered', at: '2026-07-07 09:00:00' }, /at/],
    [
      'a misspelt field',
      { key: 'k', status: 'delivered', at: '2026-07-07T01:00:00Z', providerID: 'p' },
      /providerID/,
    ],
    ['an empty batch', { receipts: [] }, /receipts/],
    [
      'a bad receipt in a batch',
      { receipts: [{ key: 'k', status: 'delivered', at: '2026-07-07T01:00:00Z' }, { key: 'k2' }] },
      /receipts\.1\.status/,
    ],
    ['a string', 'delivered', /body/],
    ['null', null, /body/],
  ])('refuses %s with InvalidSmsReceiptError', (_label, body, problem) => {
    const error = (() => {
      try {
        parseHttpReceipts(body);
      } catch (e) {
        return e;
      }
      throw new Error('expected a throw');
    })();
    expect(error).toBeInstanceOf(InvalidSmsReceiptError);
    expect((error as InvalidSmsReceiptError).message).toMatch(/^invalid http SMS receipt: /);
    expect((error as InvalidSmsReceiptError).message).toMatch(problem);
  });
});
