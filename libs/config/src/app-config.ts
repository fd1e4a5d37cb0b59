import { isAbsolute, join, resolve } from 'node:path';
import { z } from 'zod';

export type EventStoreConfig =
  | { kind: 'sqlite'; filename: string; durability: 'full' | 'normal' }
  | { kind: 'kurrentdb'; connectionString: string };

export interface AppConfig {
  mode: 'embedded' | 'production';
  port: number;
  workerHealthPort: number;
  dataDir: string;
  eventStore: EventStoreConfig;
  hashAlgorithm: 'sha256' | 'sm3';
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
}

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
});

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
  return {
    mode,
    port: e.PORT,
    workerHealthPort: e.WORKER_HEALTH_PORT,
    dataDir,
    eventStore,
    hashAlgorithm: e.EVENT_HASH_ALGORITHM ?? 'sha256',
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
