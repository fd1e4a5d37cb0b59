import { createHash, createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isPermanentJobError } from '../job-queue.port';
import { AliyunSmsGateway, parseAliyunReports, shanghaiTimeToIso } from './aliyun.sms-gateway';
import { InvalidSmsReceiptError, type SmsMessage, SmsRejectedError } from './sms.port';

const AK_ID = 'LTAI5tTestAccessKeyId';
const AK_SECRET = 'aliyun-test-access-key-secret';

/** What the stand-in answers: a status and a JSON body, or nothing at all. */
type Answer = { status: number; body: object } | 'hang';

interface SeenRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: IncomingHttpHeaders;
  /** Whether the ACS3-HMAC-SHA256 signature checks out with AK_SECRET. */
  signatureValid: boolean;
}

/**
 * RFC 3986 encoding as Aliyun's V3 signature uses it (encodeURIComponent plus !'()*).
 * See https://help.aliyun.com/zh/sdk/product-overview/v3-request-structure-and-signature
 */
const percent = (s: string) =>
  encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** Recomputes the ACS3-HMAC-SHA256 signature of a request, independently of the SDK. */
function acs3SignatureValid(method: string, url: URL, headers: IncomingHttpHeaders, body: string): boolean {
  const match = /^ACS3-HMAC-SHA256 Credential=([^,]+),SignedHeaders=([^,]+),Signature=([0-9a-f]{64})$/.exec(
    String(headers.authorization),
  );
  if (!match || match[1] !== AK_ID) return false;
  const signedHeaders = match[2]!.split(';');
  const query = [...url.searchParams.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${percent(k)}=${percent(v)}`)
    .join('&');
  const hashedBody = createHash('sha256').update(body).digest('hex');
  if (headers['x-acs-content-sha256'] !== hashedBody) return false;
  const canonical = [
    method,
    url.pathname,
    query,
    signedHeaders.map((h) => `${h}:${String(headers[h]).trim()}\n`).join(''),
    match[2],
    hashedBody,
  ].join('\n');
  const toSign = `ACS3-HMAC-SHA256\n${createHash('sha256').update(canonical).digest('hex')}`;
  return createHmac('sha256', AK_SECRET).update(toSign).digest('hex') === match[3];
}

/** A local stand-in for dysmsapi.aliyuncs.com over plain http. */
async function startAliyunStandIn() {
  const seen: SeenRequest[] = [];
  let answer: Answer = {
    status: 200,
    body: { Code: 'OK', Message: 'OK', BizId: '900619746936498440^0', RequestId: 'F655A8D5-B967-440B' },
  };
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://stand-in');
      seen.push({
        method: req.method ?? '',
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        headers: req.headers,
        signatureValid: acs3SignatureValid(req.method ?? '', url, req.headers, body),
      });
      if (answer === 'hang') return;
      res.writeHead(answer.status, { 'content-type': 'application/json;charset=utf-8' });
      res.end(JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `127.0.0.1:${port}`,
    seen,
    answer: (next: Answer) => {
      answer = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

const message: SmsMessage = {
  key: 'digest-u1-20260707',
  to: '13800000001',
  text: '【督考】您好，以下事项请及时办理：1. 甲镇“GDP增速”第二季度进展报告7月10日截止。',
  template: { name: 'reminderDigest', params: { count: '1', text: '甲镇“GDP增速”…' } },
};

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}

describe('AliyunSmsGateway against a local stand-in', () => {
  let standIn: Awaited<ReturnType<typeof startAliyunStandIn>>;
  let gateway: AliyunSmsGateway;
  beforeEach(async () => {
    standIn = await startAliyunStandIn();
    gateway = new AliyunSmsGateway({
      accessKeyId: AK_ID,
      accessKeySecret: AK_SECRET,
      signName: '督考',
      templates: { reminderDigest: 'SMS_123456789' },
      endpoint: standIn.endpoint,
      protocol: 'http',
      timeoutMs: 200,
    });
  });
  afterEach(() => standIn.close());

  it('calls SendSms, signed with the access key, with the mapped template and the key as OutId', async () => {
    await expect(gateway.send(message)).resolves.toEqual({ providerId: '900619746936498440^0' });
    expect(standIn.seen).toHaveLength(1);
    const [request] = standIn.seen;
    expect(request).toMatchObject({
      method: 'POST',
      path: '/',
      query: {
        PhoneNumbers: '13800000001',
        SignName: '督考',
        TemplateCode: 'SMS_123456789',
        TemplateParam: '{"count":"1","text":"甲镇“GDP增速”…"}',
        OutId: 'digest-u1-20260707',
      },
      headers: expect.objectContaining({ 'x-acs-action': 'SendSms', 'x-acs-version': '2017-05-25' }),
      signatureValid: true,
    });
    expect(JSON.stringify(request!.headers)).not.toContain(AK_SECRET);
  });

  it('refuses, without calling Aliyun, a message without a template or with an unmapped one', async () => {
    const { template: _template, ...plain } = message;
    const none = await rejection(gateway.send(plain));
    expect(none).toBeInstanceOf(SmsRejectedError);
    expect(none).toMatchObject({ gateway: 'aliyun', providerCode: 'NO_TEMPLATE', permanent: true });

    const unmapped = await rejection(
      gateway.send({ ...message, template: { name: 'weeklyRanking', params: {} } }),
    );
    expect(unmapped).toBeInstanceOf(SmsRejectedError);
    expect(unmapped).toMatchObject({
      providerCode: 'TEMPLATE_NOT_MAPPED',
      providerMessage: 'no Aliyun template code for "weeklyRanking" in ALIYUN_SMS_TEMPLATES',
    });
    expect(standIn.seen).toHaveLength(0);
  });

  it.each([
    ['isv.MOBILE_NUMBER_ILLEGAL', '非法手机号'],
    ['isv.SMS_TEMPLATE_ILLEGAL', '模板不合法(不存在或被拉黑)'],
    ['isv.INVALID_PARAMETERS', '参数异常'],
  ])('rejects for good on %s', async (code, text) => {
    standIn.answer({ status: 200, body: { Code: code, Message: text, RequestId: 'REQ-1' } });
    const error = await rejection(gateway.send(message));
    expect(error).toBeInstanceOf(SmsRejectedError);
    expect(error).toMatchObject({
      code: 'SMS_REJECTED',
      gateway: 'aliyun',
      providerCode: code,
      providerMessage: `${text} (RequestId REQ-1)`,
    });
    expect(isPermanentJobError(error)).toBe(true);
  });

  it.each([
    'isv.BUSINESS_LIMIT_CONTROL',
    'isv.DAY_LIMIT_CONTROL',
    'isv.AMOUNT_NOT_ENOUGH',
    'isp.SYSTEM_ERROR',
  ])('treats %s as transient', async (code) => {
    standIn.answer({ status: 200, body: { Code: code, Message: '稍后再试', RequestId: 'REQ-2' } });
    const error = await rejection(gateway.send(message));
    expect(error).not.toBeInstanceOf(SmsRejectedError);
    expect(isPermanentJobError(error)).toBe(false);
    expect(error.message).toBe(
      `Aliyun SendSms answered ${code} (SMS digest-u1-20260707): 稍后再试 (RequestId REQ-2)`,
    );
  });

  it.each([
    [500, 'InternalError', /^Aliyun SendSms answered 500 \(SMS digest-u1-20260707\): InternalError boom/],
    [503, 'ServiceUnavailable', /^Aliyun SendSms answered 503/],
    [400, 'Throttling.User', /^Aliyun SendSms answered 400 .*Throttling\.User/],
    [404, 'InvalidAccessKeyId.NotFound', /refused our credentials \(404 InvalidAccessKeyId\.NotFound boom/],
    [400, 'SignatureDoesNotMatch', /refused our credentials/],
  ])('treats HTTP %s %s as transient', async (status, code, text) => {
    standIn.answer({ status, body: { Code: code, Message: 'boom', RequestId: 'REQ-3' } });
    const error = await rejection(gateway.send(message));
    expect(error).not.toBeInstanceOf(SmsRejectedError);
    expect(error.message).toMatch(text);
  });

  it('rejects a gateway 4xx about the request itself', async () => {
    standIn.answer({
      status: 400,
      body: { Code: 'MissingPhoneNumbers', Message: 'PhoneNumbers is mandatory', RequestId: 'REQ-4' },
    });
    const error = await rejection(gateway.send(message));
    expect(error).toBeInstanceOf(SmsRejectedError);
    expect(error).toMatchObject({
      providerCode: 'MissingPhoneNumbers',
      providerMessage: '(HTTP 400) PhoneNumbers is mandatory (RequestId REQ-4)',
    });
  });

  it('treats OK without a BizId as transient', async () => {
    standIn.answer({ status: 200, body: { Code: 'OK', Message: 'OK', RequestId: 'REQ-5' } });
    await expect(gateway.send(message)).rejects.toThrow(/answered OK without a BizId/);
  });

  it('gives up after timeoutMs when Aliyun does not answer, as a transient error without the phone number', async () => {
    standIn.answer('hang');
    const started = Date.now();
    const error = await rejection(gateway.send(message));
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(190);
    expect(elapsed).toBeLessThan(1500);
    expect(error).not.toBeInstanceOf(SmsRejectedError);
    expect(error.message).toMatch(/^Aliyun SendSms did not answer within 200 ms \(SMS digest-u1-20260707\)/);
    // The SDK's own message holds the request URL, phone number included.
    expect(error.message).not.toContain('13800000001');
  });

  it('treats a closed endpoint as transient, without the phone number', async () => {
    await standIn.close();
    const error = await rejection(gateway.send(message));
    expect(error.message).toBe('Aliyun SendSms unreachable (SMS digest-u1-20260707): ECONNREFUSED');
  });
});

describe('shanghaiTimeToIso', () => {
  it.each([
    ['2026-07-07 09:00:05', '2026-07-07T01:00:05.000Z'],
    ['2026-01-01 03:00:00', '2025-12-31T19:00:00.000Z'],
    ['2024-02-29 23:59:59', '2024-02-29T15:59:59.000Z'],
  ])('reads %s as %s', (text, iso) => {
    expect(shanghaiTimeToIso(text)).toBe(iso);
  });

  it.each([
    '2026-02-30 10:00:00',
    '2026-07-07 24:00:00',
    '2026-07-07 09:60:00',
    '2026-07-07T09:00:00',
    '2026-07-07',
  ])('refuses %s', (text) => {
    expect(shanghaiTimeToIso(text)).toBeNull();
  });
});

describe('parseAliyunReports', () => {
  const delivered = {
    phone_number: '13800000001',
    send_time: '2026-07-07 09:00:01',
    report_time: '2026-07-07 09:00:05',
    success: true,
    err_code: 'DELIVERED',
    err_msg: '用户接收成功',
    sms_size: '1',
    biz_id: '900619746936498440^0',
    out_id: 'digest-u1-20260707',
  };

  it('reads a batch: out_id is the key, times become UTC, failures keep their reason', () => {
    expect(
      parseAliyunReports([
        delivered,
        {
          ...delivered,
          phone_number: '13800000002',
          success: false,
          err_code: 'MK:0001',
          err_msg: '停机',
          biz_id: '900619746936498441^0',
          out_id: 'digest-u2-20260707',
        },
      ]),
    ).toEqual([
      {
        key: 'digest-u1-20260707',
        providerId: '900619746936498440^0',
        phone: '13800000001',
        delivered: true,
        at: '2026-07-07T01:00:05.000Z',
        error: null,
      },
      {
        key: 'digest-u2-20260707',
        providerId: '900619746936498441^0',
        phone: '13800000002',
        delivered: false,
        at: '2026-07-07T01:00:05.000Z',
        error: 'MK:0001 停机',
      },
    ]);
  });

  it('leaves out reports of messages Dukao did not send (no out_id), and accepts "true" and new fields', () => {
    expect(
      parseAliyunReports([
        { ...delivered, out_id: '' },
        { ...delivered, out_id: undefined },
        { ...delivered, success: 'true', sign_name: '督考' },
      ]),
    ).toEqual([expect.objectContaining({ key: 'digest-u1-20260707', delivered: true })]);
    expect(parseAliyunReports([])).toEqual([]);
  });

  it.each([
    ['an object instead of an array', delivered, /^invalid aliyun SMS receipt: body: /],
    [
      'a UTC ISO time',
      [{ ...delivered, report_time: '2026-07-07T01:00:05Z' }],
      /0\.report_time: expected "yyyy-MM-dd HH:mm:ss"/,
    ],
    ['an impossible date', [{ ...delivered, report_time: '2026-02-30 09:00:00' }], /0\.report_time/],
    ['success as a number', [{ ...delivered, success: 1 }], /0\.success/],
    ['no biz_id', [{ ...delivered, biz_id: undefined }], /0\.biz_id/],
  ])('refuses %s with InvalidSmsReceiptError', (_label, body, problem) => {
    expect(() => parseAliyunReports(body)).toThrow(InvalidSmsReceiptError);
    expect(() => parseAliyunReports(body)).toThrow(problem);
  });
});
