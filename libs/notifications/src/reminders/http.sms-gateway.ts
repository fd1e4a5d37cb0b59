import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import {
  InvalidSmsReceiptError,
  type SmsGateway,
  type SmsMessage,
  SmsRejectedError,
  type SmsReceipt,
} from './sms.port';

export interface HttpSmsGatewayOptions {
  /** Where messages are POSTed (`SMS_HTTP_URL`). */
  url: string;
  /** Shared HMAC-SHA256 key (`SMS_HTTP_SECRET`, 32 characters or more). */
  secret: string;
  /** Whole request, answer included. Default 10 s. */
  timeoutMs?: number;
  /** Clock of the `X-Dukao-Timestamp` header. */
  now?: () => Date;
}

export const DEFAULT_SMS_HTTP_TIMEOUT_MS = 10_000;

/** What we POST: `text` is the full rendered message, `template` the same as name and variables (or null). */
export interface HttpSmsRequestBody {
  key: string;
  to: string;
  text: string;
  template: { name: string; params: Record<string, string> } | null;
}

const SIGNATURE = /^sha256=([0-9a-f]{64})$/i;
const TIMESTAMP = /^\d{1,12}$/;

/** `sha256=<hex HMAC-SHA256 of "<timestamp>.<raw body>">`: the value of `X-Dukao-Signature`. */
export function signDukaoPayload(secret: string, timestamp: string, rawBody: string | Buffer): string {
  return `sha256=${hmac(secret, timestamp, rawBody).toString('hex')}`;
}

/**
 * Checks an `X-Dukao-Signature` header (both ways: a provider checks ours, we check its receipt
 * callbacks). False when the header is missing or malformed, the timestamp is more than
 * `toleranceSec` away from `nowMs` (replays), or the HMAC differs; compared in constant time.
 * `rawBody` must be the bytes as received, before any JSON parsing.
 */
export function verifyDukaoSignature(
  secret: string,
  timestamp: string | undefined,
  rawBody: string | Buffer,
  signatureHeader: string | undefined,
  nowMs: number,
  toleranceSec = 300,
): boolean {
  if (typeof timestamp !== 'string' || !TIMESTAMP.test(timestamp)) return false;
  if (Math.abs(nowMs / 1000 - Number(timestamp)) > toleranceSec) return false;
  const match = typeof signatureHeader === 'string' ? SIGNATURE.exec(signatureHeader.trim()) : null;
  if (!match) return false;
  const given = Buffer.from(match[1]!, 'hex');
  const expected = hmac(secret, timestamp, rawBody);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

function hmac(secret: string, timestamp: string, rawBody: string | Buffer): Buffer {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(rawBody).digest();
}

const accepted = z.object({ providerId: z.string().min(1).max(200) });
const refusal = z.object({
  code: z.union([z.string(), z.number()]).optional(),
  message: z.string().optional(),
});

/**
 * The generic HTTP gateway: POSTs `{key, to, text, template}` as JSON to `SMS_HTTP_URL`, signed with
 * the shared secret (see `docs/production.md` for the receiving side's contract).
 *
 * Idempotency rests on the provider: every attempt for a message carries the same
 * `Idempotency-Key` (the message key), and the provider must answer a key it has seen with the
 * first answer instead of sending again. That makes a timeout safe to retry: the message may
 * have gone out, and the retry will not send it twice.
 *
 * Answers: 2xx with `{providerId}` is sent; 4xx other than 408/429 is {@link SmsRejectedError}
 * (permanent: the job fails at once); 5xx, 408, 429, a network error or a timeout is a plain Error
 * (transient: the job is retried).
 */
export class HttpSmsGateway implements SmsGateway {
  readonly #secret: string;
  private readonly url: string;
  private readonly origin: string;
  private readonly timeoutMs: number;
  private readonly now: () => Date;

  constructor(options: HttpSmsGatewayOptions) {
    if (!URL.canParse(options.url)) throw new Error('HttpSmsGateway: url is not a valid URL');
    if (options.secret.length < 32) throw new Error('HttpSmsGateway: secret must be at least 32 characters');
    this.url = options.url;
    this.origin = new URL(options.url).origin;
    this.#secret = options.secret;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_SMS_HTTP_TIMEOUT_MS;
    this.now = options.now ?? (() => new Date());
  }

  async send(message: SmsMessage): Promise<{ providerId: string }> {
    if (!message.key) throw new Error('an SMS needs an idempotency key');
    if (!message.to) throw new Error('an SMS needs a phone number');
    const body: HttpSmsRequestBody = {
      key: message.key,
      to: message.to,
      text: message.text,
      template: message.template ?? null,
    };
    const raw = JSON.stringify(body);
    const timestamp = String(Math.floor(this.now().getTime() / 1000));
    const where = `SMS gateway ${this.origin}`;

    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.timeoutMs);
    let status: number;
    let answer: string;
    try {
      const response = await fetch(this.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json; charset=utf-8',
          accept: 'application/json',
          'idempotency-key': message.key,
          'x-dukao-timestamp': timestamp,
          'x-dukao-signature': signDukaoPayload(this.#secret, timestamp, raw),
        },
        body: raw,
        signal: controller.signal,
        // A redirected POST would be replayed as a GET, or to a host the secret was not meant for.
        redirect: 'error',
      });
      status = response.status;
      answer = await response.text();
    } catch (error) {
      if (controller.signal.aborted) {
        throw new Error(
          `${where} did not answer within ${this.timeoutMs} ms (SMS ${message.key}); it may have been sent, ` +
            'the retry carries the same Idempotency-Key',
          { cause: error },
        );
      }
      throw new Error(`${where} unreachable (SMS ${message.key}): ${causeText(error)}`, { cause: error });
    } finally {
      clearTimeout(timer);
    }

    if (status >= 200 && status < 300) {
      const parsed = accepted.safeParse(parseJson(answer));
      if (!parsed.success)
        throw new Error(
          `${where} answered ${status} without a providerId (SMS ${message.key}): ${snippet(answer)}`,
        );
      return { providerId: parsed.data.providerId };
    }
    if (status >= 400 && status < 500 && status !== 408 && status !== 429) {
      const detail = refusal.safeParse(parseJson(answer));
      const code =
        detail.success && detail.data.code !== undefined ? String(detail.data.code) : String(status);
      const text =
        detail.success && detail.data.message !== undefined ? detail.data.message : snippet(answer);
      throw new SmsRejectedError('http', code, `(HTTP ${status}) ${text}`.trim());
    }
    throw new Error(`${where} answered ${status} (SMS ${message.key}): ${snippet(answer)}`);
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function snippet(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 200 ? `${flat.slice(0, 200)}…` : flat || '(empty body)';
}

function causeText(error: unknown): string {
  // fetch wraps the socket error: "fetch failed", cause ECONNREFUSED …
  const cause = (error as { cause?: { code?: unknown; message?: unknown } } | null)?.cause;
  if (cause && typeof cause.code === 'string') return cause.code;
  if (cause && typeof cause.message === 'string') return cause.message;
  return error instanceof Error ? error.message : String(error);
}

const httpReceipt = z.strictObject({
  key: z.string().min(1).max(200),
  providerId: z.string().min(1).max(200).nullable().optional(),
  phone: z.string().min(1).max(32).nullable().optional(),
  status: z.enum(['delivered', 'failed']),
  at: z.iso.datetime({ offset: true }),
  error: z.string().max(500).nullable().optional(),
});

const httpReceipts = z.union([
  z.strictObject({ receipts: z.array(httpReceipt).min(1).max(1000) }),
  httpReceipt,
]);

/**
 * Reads the http gateway's receipt callback body: `{receipts: [receipt, …]}` or one receipt, each
 * `{key, providerId?, phone?, status: 'delivered' | 'failed', at, error?}` with `at` an ISO 8601
 * instant with its zone. Unknown fields are refused (a misspelt field is not silently null).
 * Throws {@link InvalidSmsReceiptError} naming each problem. Verify the signature first.
 */
export function parseHttpReceipts(body: unknown): SmsReceipt[] {
  const parsed = httpReceipts.safeParse(body);
  if (!parsed.success) {
    // The union reports "no match"; the branch the body meant to take explains why.
    const meant =
      body !== null && typeof body === 'object' && 'receipts' in body
        ? httpReceipts.options[0].safeParse(body)
        : httpReceipt.safeParse(body);
    const issues = (meant.success ? parsed.error : meant.error).issues;
    throw new InvalidSmsReceiptError(
      'http',
      issues.map((issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`),
    );
  }
  const list = 'receipts' in parsed.data ? parsed.data.receipts : [parsed.data];
  return list.map((r) => ({
    key: r.key,
    providerId: r.providerId ?? null,
    phone: r.phone ?? null,
    delivered: r.status === 'delivered',
    at: new Date(r.at).toISOString(),
    error: r.error ?? null,
  }));
}
