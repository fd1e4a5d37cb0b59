import { isAbsolute, join, resolve } from 'node:path';
import { z } from 'zod';

export type EventStoreConfig =
  | { kind: 'sqlite'; filename: string; durability: 'full' | 'normal' }
  | { kind: 'kurrentdb'; connectionString: string };

/**
 * Where SMS go (`SMS_GATEWAY`). Holds secrets: never log it whole, never put it in an error message.
 * Receipt callbacks are verified with the same settings: the http gateway's `secret`, Aliyun's
 * `receiptToken`.
 */
export type SmsGatewayConfig =
  | { kind: 'outbox' }
  | {
      kind: 'http';
      url: string;
      /** HMAC-SHA256 key: signs what we send and verifies the provider's receipt callbacks. */
      secret: string;
      timeoutMs: number;
    }
  | {
      kind: 'aliyun';
      accessKeyId: string;
      accessKeySecret: string;
      signName: string;
      /** Our template name (`reminderDigest`, …) → approved Aliyun template code (`SMS_123456789`). */
      templates: Record<string, string>;
      /** `host[:port]` of the SendSms API. */
      endpoint: string;
      protocol: 'https' | 'http';
      timeoutMs: number;
      /** Shared token of the delivery-report callback (`?token=`); null: receipts are refused. */
      receiptToken: string | null;
    };

export type SmsGatewayKind = SmsGatewayConfig['kind'];

export interface AppConfig {
  mode: 'embedded' | 'production';
  port: number;
  workerHealthPort: number;
  dataDir: string;
  eventStore: EventStoreConfig;
  hashAlgorithm: 'sha256' | 'sm3';
  /** Signed log digests (docs/audit.md). */
  audit: {
    /** PKCS#8 PEM Ed25519 key (AUDIT_SIGNING_KEY_FILE); null: DATA_DIR/audit-signing-key.pem in embedded mode, no digests in production. */
    signingKeyFile: string | null;
    /** How often a digest is signed where the projections run (AUDIT_DIGEST_INTERVAL_MINUTES, default 1440; 0 turns it off). */
    digestIntervalMinutes: number;
  };
  /** Headless Chromium for PDF reports (CHROMIUM_PATH): a path; null: chromium or chromium-browser on PATH; 'off': no PDFs (503). */
  chromiumPath: string | null;
  readStoreUrl: string | null;
  redisUrl: string | null;
  bodyLimit: string;
  auth: {
    /** HS256 key for access tokens; null in embedded mode until a key file in DATA_DIR is made. */
    jwtSecret: string | null;
    accessTokenTtlSeconds: number;
    refreshTokenTtlSeconds: number;
    lockoutAttempts: number;
    lockoutMinutes: number;
  };
  rateLimitPerMinute: number;
  /** How often the missed-period check runs where projections run; 0 turns it off. */
  missedPeriodCheckMinutes: number;
  sms: SmsGatewayConfig;
  /** How long a person's SMS digest collects items due together before it goes (SMS_DIGEST_WINDOW_SECONDS, default 60). */
  smsDigestWindowSeconds: number;
  /** Days a publication (公示) stays open for appeals unless the publisher says otherwise (APPEAL_WINDOW_DAYS, default 7). */
  appealWindowDays: number;
  /** Lowest level written to the JSON log (LOG_LEVEL, default info; `silent` writes nothing). */
  logLevel: LogLevel;
  /** Bearer token a Prometheus scraper presents at `/metrics` (METRICS_TOKEN); null: only 系统管理员 may read it. Secret. */
  metricsToken: string | null;
  /** How long shutdown waits for open HTTP requests before closing their connections (SHUTDOWN_GRACE_SECONDS, default 10). */
  shutdownGraceSeconds: number;
}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Raised for a configuration the process must not start with. Its message is meant for the operator. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration (配置错误):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const port = (name: string, fallback: number) =>
  z
    .string()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined || value === '') return fallback;
      const n = Number(value);
      if (!Number.isInteger(n) || n < 0 || n > 65535) {
        ctx.addIssue({ code: 'custom', message: `${name} must be a port number 0–65535 (got "${value}")` });
        return z.NEVER;
      }
      return n;
    });

const positiveInt = (name: string, fallback: number, max: number) =>
  z
    .string()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined || value === '') return fallback;
      const n = Number(value);
      if (!Number.isInteger(n) || n < 1 || n > max) {
        ctx.addIssue({
          code: 'custom',
          message: `${name} must be a whole number from 1 to ${max} (got "${value}")`,
        });
        return z.NEVER;
      }
      return n;
    });

const optionalUrl = (name: string, schemes: string[]) =>
  z
    .string()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined || value === '') return null;
      const scheme = value.split('://')[0] ?? '';
      if (!schemes.includes(scheme) || !URL.canParse(value)) {
        ctx.addIssue({
          code: 'custom',
          message: `${name} must be a ${schemes.map((s) => `${s}://`).join(' or ')} URL (got "${value}")`,
        });
        return z.NEVER;
      }
      return value;
    });

/** A secret: its value never appears in a message. */
const secret = (name: string, minLength: number) =>
  z
    .string()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined || value === '') return null;
      if (value.length < minLength) {
        ctx.addIssue({ code: 'custom', message: `${name} must be at least ${minLength} characters` });
        return z.NEVER;
      }
      return value;
    });

const optionalText = z
  .string()
  .optional()
  .transform((value) => (value === undefined || value.trim() === '' ? null : value.trim()));

const smsHttpUrl = z
  .string()
  .optional()
  .transform((value, ctx) => {
    if (value === undefined || value === '') return null;
    const url = URL.canParse(value) ? new URL(value) : null;
    if (url && (url.username || url.password)) {
      // Not echoed: the user part may hold a password.
      ctx.addIssue({
        code: 'custom',
        message: 'SMS_HTTP_URL must not contain credentials; the gateway authenticates with SMS_HTTP_SECRET',
      });
      return z.NEVER;
    }
    if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
      ctx.addIssue({
        code: 'custom',
        // A value with "@" is not echoed either: it may be a mistyped user:password@host.
        message: `SMS_HTTP_URL must be an https:// or http:// URL${value.includes('@') ? '' : ` (got "${value}")`}`,
      });
      return z.NEVER;
    }
    return url.toString();
  });

const aliyunTemplates = z
  .string()
  .optional()
  .transform((value, ctx) => {
    if (value === undefined || value.trim() === '') return null;
    const problem =
      'ALIYUN_SMS_TEMPLATES must be a JSON object of our template names to Aliyun template codes, ' +
      'e.g. {"reminderDigest":"SMS_123456789"}';
    let parsed: unknown;
    try {
      parsed = JSON.parse(value);
    } catch {
      ctx.addIssue({ code: 'custom', message: `${problem} (not valid JSON)` });
      return z.NEVER;
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      ctx.addIssue({
        code: 'custom',
        message: `${problem} (got ${Array.isArray(parsed) ? 'an array' : typeof parsed})`,
      });
      return z.NEVER;
    }
    const templates: Record<string, string> = {};
    for (const [name, code] of Object.entries(parsed as Record<string, unknown>)) {
      if (
        !/^[A-Za-z][A-Za-z0-9_.-]*$/.test(name) ||
        typeof code !== 'string' ||
        !/^[A-Za-z0-9_-]+$/.test(code)
      ) {
        ctx.addIssue({ code: 'custom', message: `${problem} (bad entry "${name}")` });
        return z.NEVER;
      }
      templates[name] = code;
    }
    if (Object.keys(templates).length === 0) {
      ctx.addIssue({ code: 'custom', message: `${problem} (got an empty object)` });
      return z.NEVER;
    }
    return templates;
  });

const aliyunEndpoint = z
  .string()
  .optional()
  .transform((value, ctx) => {
    if (value === undefined || value.trim() === '')
      return { endpoint: 'dysmsapi.aliyuncs.com', protocol: 'https' as const };
    const withScheme = value.includes('://') ? value : `https://${value}`;
    const url = URL.canParse(withScheme) ? new URL(withScheme) : null;
    if (
      !url ||
      (url.protocol !== 'https:' && url.protocol !== 'http:') ||
      url.username ||
      url.password ||
      url.pathname !== '/' ||
      url.search ||
      url.hash
    ) {
      ctx.addIssue({
        code: 'custom',
        message: `ALIYUN_SMS_ENDPOINT must be a host[:port], or http(s)://host[:port]${value.includes('@') ? '' : ` (got "${value}")`}`,
      });
      return z.NEVER;
    }
    return {
      endpoint: url.host,
      protocol: url.protocol === 'http:' ? ('http' as const) : ('https' as const),
    };
  });

const envSchema = z.object({
  PORT: port('PORT', 3000),
  WORKER_HEALTH_PORT: port('WORKER_HEALTH_PORT', 3001),
  DATA_DIR: z.string().optional(),
  EVENT_STORE_URL: z.string().optional(),
  EVENT_STORE_DURABILITY: z
    .enum(['full', 'normal'], { message: 'EVENT_STORE_DURABILITY must be "full" or "normal"' })
    .optional(),
  EVENT_HASH_ALGORITHM: z
    .enum(['sha256', 'sm3'], { message: 'EVENT_HASH_ALGORITHM must be "sha256" or "sm3"' })
    .optional(),
  AUDIT_SIGNING_KEY_FILE: optionalText,
  AUDIT_DIGEST_INTERVAL_MINUTES: z
    .string()
    .regex(/^\d{1,6}$/, 'AUDIT_DIGEST_INTERVAL_MINUTES must be a whole number of minutes (0 turns it off)')
    .optional(),
  CHROMIUM_PATH: optionalText,
  READ_STORE_URL: optionalUrl('READ_STORE_URL', ['mongodb', 'mongodb+srv', 'sqlite']),
  REDIS_URL: optionalUrl('REDIS_URL', ['redis', 'rediss']),
  JWT_SECRET: z.string().min(32, 'JWT_SECRET must be at least 32 characters').optional(),
  ACCESS_TOKEN_TTL_SECONDS: positiveInt('ACCESS_TOKEN_TTL_SECONDS', 900, 86_400),
  REFRESH_TOKEN_TTL_SECONDS: positiveInt('REFRESH_TOKEN_TTL_SECONDS', 7 * 86_400, 90 * 86_400),
  LOGIN_LOCKOUT_ATTEMPTS: positiveInt('LOGIN_LOCKOUT_ATTEMPTS', 5, 100),
  LOGIN_LOCKOUT_MINUTES: positiveInt('LOGIN_LOCKOUT_MINUTES', 15, 24 * 60),
  RATE_LIMIT_PER_MINUTE: positiveInt('RATE_LIMIT_PER_MINUTE', 600, 1_000_000),
  MISSED_PERIOD_CHECK_MINUTES: z
    .string()
    .regex(/^\d{1,4}$/, 'MISSED_PERIOD_CHECK_MINUTES must be a whole number of minutes (0 turns it off)')
    .optional(),
  HTTP_BODY_LIMIT: z
    .string()
    .regex(/^\d+(kb|mb)$/i, 'HTTP_BODY_LIMIT must look like 256kb or 1mb')
    .optional(),
  SMS_GATEWAY: z
    .enum(['outbox', 'http', 'aliyun'], { message: 'SMS_GATEWAY must be "outbox", "http" or "aliyun"' })
    .optional(),
  SMS_HTTP_URL: smsHttpUrl,
  SMS_HTTP_SECRET: secret('SMS_HTTP_SECRET', 32),
  SMS_HTTP_TIMEOUT_MS: positiveInt('SMS_HTTP_TIMEOUT_MS', 10_000, 120_000),
  SMS_DIGEST_WINDOW_SECONDS: positiveInt('SMS_DIGEST_WINDOW_SECONDS', 60, 3600),
  APPEAL_WINDOW_DAYS: positiveInt('APPEAL_WINDOW_DAYS', 7, 365),
  LOG_LEVEL: z.enum(LOG_LEVELS, { message: `LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}` }).optional(),
  METRICS_TOKEN: secret('METRICS_TOKEN', 32),
  SHUTDOWN_GRACE_SECONDS: positiveInt('SHUTDOWN_GRACE_SECONDS', 10, 600),
  ALIYUN_ACCESS_KEY_ID: optionalText,
  ALIYUN_ACCESS_KEY_SECRET: secret('ALIYUN_ACCESS_KEY_SECRET', 1),
  ALIYUN_SMS_SIGN_NAME: optionalText,
  ALIYUN_SMS_TEMPLATES: aliyunTemplates,
  ALIYUN_SMS_ENDPOINT: aliyunEndpoint,
  ALIYUN_SMS_RECEIPT_TOKEN: secret('ALIYUN_SMS_RECEIPT_TOKEN', 32),
});

type Env = z.output<typeof envSchema>;

/** What each gateway needs; ALIYUN_SMS_RECEIPT_TOKEN is optional (without it delivery reports are refused). */
const SMS_SETTINGS = {
  http: ['SMS_HTTP_URL', 'SMS_HTTP_SECRET'],
  aliyun: [
    'ALIYUN_ACCESS_KEY_ID',
    'ALIYUN_ACCESS_KEY_SECRET',
    'ALIYUN_SMS_SIGN_NAME',
    'ALIYUN_SMS_TEMPLATES',
  ],
} as const;

const SMS_HINTS: Record<(typeof SMS_SETTINGS)[keyof typeof SMS_SETTINGS][number], string> = {
  SMS_HTTP_URL: 'the provider endpoint the messages are POSTed to',
  SMS_HTTP_SECRET: 'the shared HMAC key, 32 characters or more',
  ALIYUN_ACCESS_KEY_ID: 'the AccessKey ID of a RAM user allowed to call dysmsapi:SendSms',
  ALIYUN_ACCESS_KEY_SECRET: 'the AccessKey secret of that RAM user',
  ALIYUN_SMS_SIGN_NAME: 'the approved SMS signature (签名), e.g. 督考',
  ALIYUN_SMS_TEMPLATES:
    'a JSON object of template names to approved codes, e.g. {"reminderDigest":"SMS_123456789"}',
};

/**
 * The SMS gateway settings: those of the chosen gateway must all be there. Settings of a gateway
 * while `SMS_GATEWAY` is unset are refused too, so that a forgotten `SMS_GATEWAY=http` does not leave
 * production quietly writing to the outbox.
 */
function smsConfig(e: Env): SmsGatewayConfig | string[] {
  const gateway = e.SMS_GATEWAY;
  if (gateway === undefined) {
    const stray = [...SMS_SETTINGS.http, ...SMS_SETTINGS.aliyun, 'ALIYUN_SMS_RECEIPT_TOKEN' as const].filter(
      (name) => e[name] !== null,
    );
    if (stray.length > 0)
      return [
        `${stray.join(', ')} ${stray.length === 1 ? 'is' : 'are'} set but SMS_GATEWAY is not: ` +
          'set SMS_GATEWAY=http or SMS_GATEWAY=aliyun (or SMS_GATEWAY=outbox to keep messages in the outbox)',
      ];
    return { kind: 'outbox' };
  }
  if (gateway === 'outbox') return { kind: 'outbox' };
  const missing = (names: ReadonlyArray<keyof typeof SMS_HINTS>) =>
    names
      .filter((name) => e[name] === null)
      .map((name) => `SMS_GATEWAY=${gateway} needs ${name} (${SMS_HINTS[name]})`);
  if (gateway === 'http') {
    const { SMS_HTTP_URL: url, SMS_HTTP_SECRET: hmacKey } = e;
    if (url === null || hmacKey === null) return missing(SMS_SETTINGS.http);
    return { kind: 'http', url, secret: hmacKey, timeoutMs: e.SMS_HTTP_TIMEOUT_MS };
  }
  const {
    ALIYUN_ACCESS_KEY_ID: accessKeyId,
    ALIYUN_ACCESS_KEY_SECRET: accessKeySecret,
    ALIYUN_SMS_SIGN_NAME: signName,
    ALIYUN_SMS_TEMPLATES: templates,
  } = e;
  if (accessKeyId === null || accessKeySecret === null || signName === null || templates === null)
    return missing(SMS_SETTINGS.aliyun);
  return {
    kind: 'aliyun',
    accessKeyId,
    accessKeySecret,
    signName,
    templates,
    endpoint: e.ALIYUN_SMS_ENDPOINT.endpoint,
    protocol: e.ALIYUN_SMS_ENDPOINT.protocol,
    timeoutMs: e.SMS_HTTP_TIMEOUT_MS,
    receiptToken: e.ALIYUN_SMS_RECEIPT_TOKEN,
  };
}

const KURRENT_SCHEMES = ['kurrentdb', 'kurrentdb+discover', 'esdb', 'esdb+discover', 'kdb', 'kdb+discover'];

function parseEventStoreUrl(
  raw: string | undefined,
  dataDir: string,
  durability: 'full' | 'normal',
): EventStoreConfig | string {
  if (raw === undefined || raw === '')
    return { kind: 'sqlite', filename: join(dataDir, 'events.sqlite'), durability };
  if (raw.startsWith('sqlite:')) {
    const path = raw.slice('sqlite:'.length).replace(/^\/\//, '');
    if (path === '') return 'EVENT_STORE_URL "sqlite:" needs a file, e.g. sqlite:./data/events.sqlite';
    return {
      kind: 'sqlite',
      filename: path === ':memory:' || isAbsolute(path) ? path : resolve(path),
      durability,
    };
  }
  const scheme = raw.split('://')[0] ?? '';
  if (KURRENT_SCHEMES.includes(scheme) && raw.includes('://') && raw.length > scheme.length + 3) {
    return { kind: 'kurrentdb', connectionString: raw };
  }
  return (
    `EVENT_STORE_URL must be sqlite:<file> or kurrentdb://host:2113?tls=false (esdb:// is accepted too); ` +
    `got "${raw}"`
  );
}

/**
 * Reads and checks the environment once at start-up. Every command that touches data (the api,
 * the worker, verify-log, bench) goes through here, so they all honour the same DATA_DIR and URLs.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => `${issue.path.join('.') || 'env'}: ${issue.message}`),
    );
  }
  const e = parsed.data;
  const dataDir = resolve(e.DATA_DIR || './data');
  const eventStore = parseEventStoreUrl(e.EVENT_STORE_URL, dataDir, e.EVENT_STORE_DURABILITY ?? 'full');
  if (typeof eventStore === 'string') throw new ConfigError([eventStore]);
  const mode = eventStore.kind === 'sqlite' ? 'embedded' : 'production';
  // Replicas must share the signing key; only the single embedded process may make its own.
  if (mode === 'production' && !e.JWT_SECRET) {
    throw new ConfigError([
      'JWT_SECRET is required in production mode (32 characters or more, the same for every api replica)',
    ]);
  }
  const sms = smsConfig(e);
  if (Array.isArray(sms)) throw new ConfigError(sms);
  return {
    mode,
    port: e.PORT,
    workerHealthPort: e.WORKER_HEALTH_PORT,
    dataDir,
    eventStore,
    hashAlgorithm: e.EVENT_HASH_ALGORITHM ?? 'sha256',
    audit: {
      signingKeyFile: e.AUDIT_SIGNING_KEY_FILE === null ? null : resolve(e.AUDIT_SIGNING_KEY_FILE),
      digestIntervalMinutes:
        e.AUDIT_DIGEST_INTERVAL_MINUTES === undefined ? 1440 : Number(e.AUDIT_DIGEST_INTERVAL_MINUTES),
    },
    chromiumPath:
      e.CHROMIUM_PATH === null || e.CHROMIUM_PATH === 'off' ? e.CHROMIUM_PATH : resolve(e.CHROMIUM_PATH),
    readStoreUrl: e.READ_STORE_URL,
    redisUrl: e.REDIS_URL,
    bodyLimit: e.HTTP_BODY_LIMIT ?? '256kb',
    auth: {
      jwtSecret: e.JWT_SECRET ?? null,
      accessTokenTtlSeconds: e.ACCESS_TOKEN_TTL_SECONDS,
      refreshTokenTtlSeconds: e.REFRESH_TOKEN_TTL_SECONDS,
      lockoutAttempts: e.LOGIN_LOCKOUT_ATTEMPTS,
      lockoutMinutes: e.LOGIN_LOCKOUT_MINUTES,
    },
    rateLimitPerMinute: e.RATE_LIMIT_PER_MINUTE,
    missedPeriodCheckMinutes:
      e.MISSED_PERIOD_CHECK_MINUTES === undefined ? 60 : Number(e.MISSED_PERIOD_CHECK_MINUTES),
    sms,
    smsDigestWindowSeconds: e.SMS_DIGEST_WINDOW_SECONDS,
    appealWindowDays: e.APPEAL_WINDOW_DAYS,
    logLevel: e.LOG_LEVEL ?? 'info',
    metricsToken: e.METRICS_TOKEN,
    shutdownGraceSeconds: e.SHUTDOWN_GRACE_SECONDS,
  };
}

/** Loads the config or ends the process with the problems listed: no stack trace for an operator's typo. */
export function loadConfigOrExit(env: NodeJS.ProcessEnv = process.env): AppConfig {
  try {
    return loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }
}
