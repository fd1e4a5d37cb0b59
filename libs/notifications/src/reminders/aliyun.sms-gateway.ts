import type * as DysmsapiSdk from '@alicloud/dysmsapi20170525';
import type * as OpenApiCore from '@alicloud/openapi-core';
import { z } from 'zod';
import {
  InvalidSmsReceiptError,
  type SmsGateway,
  type SmsMessage,
  SmsRejectedError,
  type SmsReceipt,
} from './sms.port';

export interface AliyunSmsGatewayOptions {
  accessKeyId: string;
  accessKeySecret: string;
  /** The approved signature (签名). */
  signName: string;
  /** Our template name → approved Aliyun template code (`ALIYUN_SMS_TEMPLATES`). */
  templates: Record<string, string>;
  /** `host[:port]` of the API. Default `dysmsapi.aliyuncs.com`. */
  endpoint?: string;
  /** Default https; http only for a local stand-in in tests. */
  protocol?: 'https' | 'http';
  /** Connect and read timeout of one SendSms call. Default 10 s. */
  timeoutMs?: number;
}

/** The fields of a SendSms answer the gateway reads. */
interface SendSmsAnswer {
  code?: string;
  message?: string;
  bizId?: string;
  requestId?: string;
}

/**
 * Refusals that say "not now" rather than "never": per-number frequency limits, the account's daily
 * limit, an empty balance or a suspended account (an operator can fix both). Retried with backoff.
 */
const TRANSIENT_CODES = new Set([
  'isv.BUSINESS_LIMIT_CONTROL',
  'isv.DAY_LIMIT_CONTROL',
  'isv.AMOUNT_NOT_ENOUGH',
  'isv.OUT_OF_SERVICE',
]);

/** Gateway-level 4xx that concern our credentials, not this message: retried (the operator may fix them). */
const CREDENTIAL_CODES =
  /^(InvalidAccessKeyId|SignatureDoesNotMatch|IncompleteSignature|InvalidTimeStamp|SignatureNonceUsed|InvalidSecurityToken|Forbidden|NoPermission)/;

/**
 * The Aliyun SMS adapter (`@alicloud/dysmsapi20170525`, SendSms): sends `template` with its
 * approved code (from `ALIYUN_SMS_TEMPLATES`) and its params as TemplateParam; `text` is not sent
 * (Aliyun renders the approved template). `OutId` is our key, so delivery reports come back with it.
 *
 * Answers: Code `OK` gives BizId as providerId. Throttling and balance codes, `isp.*`, 5xx, a network
 * error or a timeout are transient (plain Error); every other `isv.*` code, a message without a
 * mapped template and a 4xx about the request are {@link SmsRejectedError}.
 *
 * Idempotency: SendSms has none (Aliyun's own words), so the key is not enforced by the provider.
 * Repeated sends of one key are prevented by the caller's ledger; a timeout after Aliyun accepted a
 * message can still lead to a second SMS on retry. The SDK's own retries stay off for that reason.
 */
export class AliyunSmsGateway implements SmsGateway {
  readonly #client: DysmsapiSdk.default;
  private readonly sdk: typeof DysmsapiSdk;
  private readonly signName: string;
  private readonly templates: ReadonlyMap<string, string>;
  private readonly timeoutMs: number;

  constructor(options: AliyunSmsGatewayOptions) {
    // Loaded here, not at the top: the SDK takes about a second to load, and only this gateway needs it.
    /* eslint-disable @typescript-eslint/no-require-imports */
    this.sdk = require('@alicloud/dysmsapi20170525') as typeof DysmsapiSdk;
    const core = require('@alicloud/openapi-core') as typeof OpenApiCore;
    /* eslint-enable @typescript-eslint/no-require-imports */
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.#client = new this.sdk.default(
      new core.$OpenApiUtil.Config({
        accessKeyId: options.accessKeyId,
        accessKeySecret: options.accessKeySecret,
        endpoint: options.endpoint ?? 'dysmsapi.aliyuncs.com',
        protocol: options.protocol ?? 'https',
        connectTimeout: this.timeoutMs,
        readTimeout: this.timeoutMs,
      }),
    );
    this.signName = options.signName;
    this.templates = new Map(Object.entries(options.templates));
  }

  async send(message: SmsMessage): Promise<{ providerId: string }> {
    if (!message.key) throw new Error('an SMS needs an idempotency key');
    if (!message.to) throw new Error('an SMS needs a phone number');
    if (!message.template)
      throw new SmsRejectedError(
        'aliyun',
        'NO_TEMPLATE',
        `SMS ${message.key} has no template; Aliyun sends approved templates only`,
      );
    const templateCode = this.templates.get(message.template.name);
    if (templateCode === undefined)
      throw new SmsRejectedError(
        'aliyun',
        'TEMPLATE_NOT_MAPPED',
        `no Aliyun template code for "${message.template.name}" in ALIYUN_SMS_TEMPLATES`,
      );

    const request = new this.sdk.SendSmsRequest({
      phoneNumbers: message.to,
      signName: this.signName,
      templateCode,
      templateParam: JSON.stringify(message.template.params),
      outId: message.key,
    });
    let answer: SendSmsAnswer;
    try {
      answer = (await this.#client.sendSms(request)).body ?? {};
    } catch (error) {
      throw this.classify(error, message.key);
    }
    return { providerId: this.accepted(answer, message.key) };
  }

  /** The BizId of an `OK` answer; throws for any other code. */
  private accepted(answer: SendSmsAnswer, key: string): string {
    const code = answer.code ?? '';
    const detail =
      `${answer.message ?? ''}${answer.requestId ? ` (RequestId ${answer.requestId})` : ''}`.trim();
    if (code === 'OK') {
      if (answer.bizId) return answer.bizId;
      throw new Error(`Aliyun SendSms answered OK without a BizId (SMS ${key}) ${detail}`.trim());
    }
    if (TRANSIENT_CODES.has(code) || code.startsWith('isp.') || !code.startsWith('isv.'))
      throw new Error(`Aliyun SendSms answered ${code || '(no code)'} (SMS ${key}): ${detail}`);
    throw new SmsRejectedError('aliyun', code, detail);
  }

  /** Maps an SDK throw: the SDK's own messages may hold the request URL, phone number included. */
  private classify(error: unknown, key: string): Error {
    const e = (error ?? {}) as {
      name?: unknown;
      code?: unknown;
      statusCode?: unknown;
      data?: unknown;
      requestId?: unknown;
    };
    const status = typeof e.statusCode === 'number' ? e.statusCode : null;
    const code = typeof e.code === 'string' ? e.code : '';
    const data = (e.data ?? {}) as { Message?: unknown; message?: unknown };
    const providerMessage =
      typeof data.Message === 'string' ? data.Message : typeof data.message === 'string' ? data.message : '';
    const requestId =
      typeof e.requestId === 'string' && e.requestId !== 'undefined' ? ` (RequestId ${e.requestId})` : '';
    const options = { cause: error };

    if (status === null) {
      if (e.name === 'RequestTimeoutError')
        return new Error(
          `Aliyun SendSms did not answer within ${this.timeoutMs} ms (SMS ${key}); it may have been sent, and Aliyun ` +
            'does not dedupe a retry',
          options,
        );
      if (e.name === 'SyntaxError')
        return new Error(`Aliyun SendSms answered with a body that is not JSON (SMS ${key})`, options);
      return new Error(
        `Aliyun SendSms unreachable (SMS ${key}): ${code || (typeof e.name === 'string' ? e.name : 'error')}`,
        options,
      );
    }
    const what = `${code || status}${providerMessage ? ` ${providerMessage}` : ''}${requestId}`;
    if (
      status >= 500 ||
      e.name === 'ThrottlingError' ||
      code.startsWith('Throttling') ||
      TRANSIENT_CODES.has(code)
    )
      return new Error(`Aliyun SendSms answered ${status} (SMS ${key}): ${what}`, options);
    if (CREDENTIAL_CODES.test(code) || status === 401 || status === 403)
      return new Error(
        `Aliyun SendSms refused our credentials (${status} ${what}); check ALIYUN_ACCESS_KEY_ID and ` +
          `ALIYUN_ACCESS_KEY_SECRET and the RAM user's dysmsapi permission (SMS ${key})`,
        options,
      );
    return new SmsRejectedError(
      'aliyun',
      code || String(status),
      `(HTTP ${status}) ${providerMessage}${requestId}`.trim(),
      options,
    );
  }
}

const SHANGHAI_TIME = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/;

/** `yyyy-MM-dd HH:mm:ss` in Asia/Shanghai (UTC+8 all year) → ISO UTC; null when not a real instant. */
export function shanghaiTimeToIso(text: string): string | null {
  const m = SHANGHAI_TIME.exec(text);
  if (!m) return null;
  const [year, month, day, hour, minute, second] = m.slice(1).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const ms = Date.UTC(year, month - 1, day, hour - 8, minute, second);
  const local = new Date(ms + 8 * 3_600_000);
  // Date.UTC rolls 2026-02-30 over into March; a real date comes back unchanged.
  if (
    local.getUTCFullYear() !== year ||
    local.getUTCMonth() !== month - 1 ||
    local.getUTCDate() !== day ||
    local.getUTCHours() !== hour ||
    minute > 59 ||
    second > 59
  )
    return null;
  return new Date(ms).toISOString();
}

const shanghaiTime = z.string().transform((value, ctx) => {
  const iso = shanghaiTimeToIso(value);
  if (iso === null) {
    ctx.addIssue({
      code: 'custom',
      message: `expected "yyyy-MM-dd HH:mm:ss" (Asia/Shanghai), got "${value}"`,
    });
    return z.NEVER;
  }
  return iso;
});

/**
 * One entry of Aliyun's SmsReport push. Fields Aliyun may add later are let through (a refused push
 * is retried by Aliyun and then dropped); the fields we read must have their documented types.
 */
const aliyunReport = z.looseObject({
  phone_number: z.string().min(1).max(32),
  send_time: shanghaiTime.optional(),
  report_time: shanghaiTime,
  success: z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')]),
  err_code: z.string().max(100).optional(),
  err_msg: z.string().max(500).optional(),
  sms_size: z.union([z.string(), z.number()]).optional(),
  biz_id: z.string().min(1).max(200),
  out_id: z.string().max(200).nullable().optional(),
});

const aliyunReports = z.array(aliyunReport).max(10_000);

/**
 * Reads Aliyun's HTTP batch delivery report (SmsReport): an array of `{phone_number, send_time,
 * report_time, success, err_code, err_msg, sms_size, biz_id, out_id}`, times as `yyyy-MM-dd HH:mm:ss`
 * in Asia/Shanghai. `out_id` is our key; a report without one is for a message not sent by Dukao
 * (the console, another system on the account) and is left out. Throws
 * {@link InvalidSmsReceiptError} naming each problem. Check the callback's token first.
 *
 * Aliyun expects the answer `{"code":0,"msg":"成功"}` (200) and re-pushes otherwise.
 */
export function parseAliyunReports(body: unknown): SmsReceipt[] {
  const parsed = aliyunReports.safeParse(body);
  if (!parsed.success)
    throw new InvalidSmsReceiptError(
      'aliyun',
      parsed.error.issues.map((issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`),
    );
  return parsed.data.flatMap((r) =>
    r.out_id
      ? [
          {
            key: r.out_id,
            providerId: r.biz_id,
            phone: r.phone_number,
            delivered: r.success,
            at: r.report_time,
            error: r.success ? null : [r.err_code, r.err_msg].filter(Boolean).join(' ') || 'not delivered',
          },
        ]
      : [],
  );
}
