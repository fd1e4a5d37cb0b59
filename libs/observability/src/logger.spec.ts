import { Writable } from 'node:stream';
import { PinoLoggerService, createLogger, logContext, scrubText } from './logger';

/** A logger writing into an array of parsed lines. */
function capture(level = 'info') {
  const lines: Array<Record<string, unknown>> = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean))
        lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { lines, logger: createLogger({ service: 'test', level, destination }) };
}

describe('scrubText', () => {
  it('masks mainland mobile numbers, JWTs, query-string credentials and URL passwords', () => {
    expect(scrubText('sent to 13800000001 and 8613912345678')).toBe('sent to 138****0001 and 8613912345678');
    expect(scrubText('token eyJhbGciOi.eyJzdWIiOi.c2lnbmF0dXJl here')).toBe('token [redacted token] here');
    expect(scrubText('POST /reminders/receipts/aliyun?token=abcdef&x=1 failed')).toBe(
      'POST /reminders/receipts/aliyun?token=[redacted]&x=1 failed',
    );
    expect(scrubText('cannot reach redis://user:pa55@redis:6379')).toBe(
      'cannot reach redis://***@redis:6379',
    );
  });

  it('leaves ordinary numbers alone', () => {
    expect(scrubText('position 12345678901234 of 2026')).toBe('position 12345678901234 of 2026');
  });
});

describe('createLogger', () => {
  it('writes JSON lines with level, time, service and, inside a request, its correlation id', () => {
    const { lines, logger } = capture();
    logger.info('outside');
    logContext.run({ correlationId: 'corr-1' }, () => logger.info({ n: 1 }, 'inside'));
    expect(lines[0]).toMatchObject({ level: 'info', service: 'test', msg: 'outside' });
    expect(lines[0]).not.toHaveProperty('correlationId');
    expect(lines[1]).toMatchObject({ level: 'info', correlationId: 'corr-1', n: 1, msg: 'inside' });
    expect(typeof lines[1]!.time).toBe('string');
  });

  it('redacts credentials and phone numbers in logged objects and messages', () => {
    const { lines, logger } = capture();
    logger.info(
      {
        req: { headers: { authorization: 'Bearer x', cookie: 'a=b' } },
        user: { password: 'p', phone: '13800000001' },
      },
      'user 13800000001 signed in',
    );
    expect(lines[0]).toMatchObject({
      req: { headers: { authorization: '[redacted]', cookie: '[redacted]' } },
      user: { password: '[redacted]', phone: '[redacted]' },
      msg: 'user 138****0001 signed in',
    });
  });
});

describe('PinoLoggerService', () => {
  it("maps Nest's calls: the last string is the context, an error's stack is kept", () => {
    const { lines, logger } = capture('debug');
    const nest = new PinoLoggerService(logger);
    nest.log('started', 'NestApplication');
    nest.error('boom', 'Error: boom\n    at here (file.ts:1:1)', 'Handler');
    nest.warn({ detail: 1 }, 'Ctx');
    nest.verbose('hidden at debug', 'Ctx');
    expect(lines).toEqual([
      expect.objectContaining({ level: 'info', context: 'NestApplication', msg: 'started' }),
      expect.objectContaining({
        level: 'error',
        context: 'Handler',
        msg: 'boom',
        stack: expect.stringContaining('at here'),
      }),
      expect.objectContaining({ level: 'warn', context: 'Ctx', data: { detail: 1 } }),
    ]);
  });
});
