import type { LoggerService } from '@nestjs/common';
import { logContext } from '@dukao/kernel';
import pino, { type DestinationStream, type Logger } from 'pino';

export { logContext } from '@dukao/kernel';

/**
 * Fields never written: credentials, tokens and phone numbers wherever they appear in a logged object
 * (a request's headers, an error's details). Messages are scrubbed separately by {@link scrubText}.
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-dukao-signature"]',
  'res.headers["set-cookie"]',
  '*.password',
  '*.currentPassword',
  '*.newPassword',
  '*.initialPassword',
  '*.accessToken',
  '*.refreshToken',
  '*.token',
  '*.secret',
  '*.phone',
  '*.to',
];

/** Mainland mobile numbers (11 digits from 1[3-9]) in free text, kept as 138****0001. */
const PHONE = /(?<!\d)(1[3-9]\d)\d{4}(\d{4})(?!\d)/g;
/** A bearer token or JWT pasted into a message. */
const JWT = /\beyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+/g;

/** A credential in a URL's query string (`?token=…`, as a receipt callback carries), or a URL's user:password. */
const QUERY_SECRET = /([?&](?:token|access_token|refresh_token|key|secret|signature|password)=)[^&\s"']+/gi;
const URL_CREDENTIALS = /(\/\/)[^/@\s:]+:[^/@\s]+@/g;

/** Masks phone numbers, tokens and credentials in a log message. */
export function scrubText(text: string): string {
  return text
    .replace(PHONE, '$1****$2')
    .replace(JWT, '[redacted token]')
    .replace(QUERY_SECRET, '$1[redacted]')
    .replace(URL_CREDENTIALS, '$1***@');
}

export interface LoggerOptions {
  /** `api`, `worker` or a command's name; written as `service` on every line. */
  service: string;
  level: string;
  /** Where lines go; stdout by default. */
  destination?: DestinationStream;
}

/**
 * One JSON object per line on stdout: `level`, `time` (ISO 8601), `service`, `pid`, `msg`, the
 * `context` (Nest's logger name) and, inside a request or a job, its `correlationId`.
 */
export function createLogger(options: LoggerOptions): Logger {
  return pino(
    {
      level: options.level,
      base: { service: options.service, pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      mixin: () => {
        const context = logContext.getStore();
        return context ? { correlationId: context.correlationId } : {};
      },
      hooks: {
        logMethod(args, method) {
          method.apply(
            this,
            args.map((arg) => (typeof arg === 'string' ? scrubText(arg) : arg)) as Parameters<typeof method>,
          );
        },
      },
    },
    // Synchronous: the last lines before an exit (a signal, a fatal error) must not be lost in a buffer.
    options.destination ?? pino.destination({ fd: 1, sync: true }),
  );
}

/**
 * Nest's `LoggerService` on top of pino, so that Nest's own lines and every `new Logger(name)` in the
 * code come out as the same JSON. Nest passes the logger name as the last string argument.
 */
export class PinoLoggerService implements LoggerService {
  constructor(readonly pino: Logger) {}

  log(message: unknown, ...rest: unknown[]): void {
    this.write('info', message, rest);
  }
  error(message: unknown, ...rest: unknown[]): void {
    this.write('error', message, rest);
  }
  warn(message: unknown, ...rest: unknown[]): void {
    this.write('warn', message, rest);
  }
  debug(message: unknown, ...rest: unknown[]): void {
    this.write('debug', message, rest);
  }
  verbose(message: unknown, ...rest: unknown[]): void {
    this.write('trace', message, rest);
  }
  fatal(message: unknown, ...rest: unknown[]): void {
    this.write('fatal', message, rest);
  }

  private write(
    level: 'info' | 'error' | 'warn' | 'debug' | 'trace' | 'fatal',
    message: unknown,
    rest: unknown[],
  ) {
    if (!this.pino.isLevelEnabled(level)) return;
    const params = [...rest];
    const context = typeof params[params.length - 1] === 'string' ? (params.pop() as string) : undefined;
    const fields: Record<string, unknown> = context ? { context } : {};
    // Nest's error(message, stack, context): the stack comes as a string before the context.
    if (level === 'error' && typeof params[0] === 'string' && params[0].includes('\n    at ')) {
      fields.stack = scrubText(params.shift() as string);
    }
    if (message instanceof Error) {
      fields.err = message;
      this.pino[level](fields, scrubText(message.message));
    } else if (typeof message === 'string') {
      this.pino[level](fields, message);
    } else {
      this.pino[level]({ ...fields, data: message });
    }
  }
}
