import { join, resolve } from 'node:path';
import { ConfigError, loadConfig } from './app-config';

describe('loadConfig', () => {
  it('defaults to embedded mode with durable SQLite files under ./data on port 3000', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      mode: 'embedded',
      port: 3000,
      dataDir: resolve('data'),
      eventStore: { kind: 'sqlite', filename: join(resolve('data'), 'events.sqlite'), durability: 'full' },
      hashAlgorithm: 'sha256',
      readStoreUrl: null,
      redisUrl: null,
    });
  });

  it('honours DATA_DIR and PORT', () => {
    const config = loadConfig({ DATA_DIR: '/tmp/dukao-x', PORT: '8080' });
    expect(config.port).toBe(8080);
    expect(config.eventStore).toMatchObject({ filename: '/tmp/dukao-x/events.sqlite' });
  });

  const secret = 'x'.repeat(32);
  it.each([
    'kurrentdb://localhost:2113?tls=false',
    'esdb://es:2113?tls=false',
    'kurrentdb+discover://a:2113',
  ])('selects KurrentDB for %s', (url) => {
    expect(loadConfig({ EVENT_STORE_URL: url, JWT_SECRET: secret })).toMatchObject({
      mode: 'production',
      eventStore: { kind: 'kurrentdb', connectionString: url },
    });
  });

  it('requires a shared JWT_SECRET in production mode', () => {
    expect(() => loadConfig({ EVENT_STORE_URL: 'kurrentdb://es:2113?tls=false' })).toThrow(
      /JWT_SECRET is required/,
    );
    expect(() => loadConfig({ JWT_SECRET: 'short' })).toThrow(/at least 32 characters/);
  });

  it('has safe authentication defaults', () => {
    expect(loadConfig({}).auth).toEqual({
      jwtSecret: null,
      accessTokenTtlSeconds: 900,
      refreshTokenTtlSeconds: 604800,
      lockoutAttempts: 5,
      lockoutMinutes: 15,
    });
  });

  it('collects an SMS digest for a minute unless SMS_DIGEST_WINDOW_SECONDS says otherwise', () => {
    expect(loadConfig({}).smsDigestWindowSeconds).toBe(60);
    expect(loadConfig({ SMS_DIGEST_WINDOW_SECONDS: '300' }).smsDigestWindowSeconds).toBe(300);
  });

  it('keeps a publication open for appeals 7 days unless APPEAL_WINDOW_DAYS says otherwise', () => {
    expect(loadConfig({}).appealWindowDays).toBe(7);
    expect(loadConfig({ APPEAL_WINDOW_DAYS: '15' }).appealWindowDays).toBe(15);
  });

  it('looks for Chromium on PATH unless CHROMIUM_PATH names it (resolved) or turns PDFs off', () => {
    expect(loadConfig({}).chromiumPath).toBeNull();
    expect(loadConfig({ CHROMIUM_PATH: ' ' }).chromiumPath).toBeNull();
    expect(loadConfig({ CHROMIUM_PATH: 'off' }).chromiumPath).toBe('off');
    expect(loadConfig({ CHROMIUM_PATH: 'bin/chrome' }).chromiumPath).toBe(resolve('bin/chrome'));
  });

  it('accepts an explicit SQLite file', () => {
    expect(loadConfig({ EVENT_STORE_URL: 'sqlite:///var/lib/dukao/log.sqlite' }).eventStore).toMatchObject({
      kind: 'sqlite',
      filename: '/var/lib/dukao/log.sqlite',
    });
  });

  it.each([
    [
      'EVENT_STORE_URL',
      'postgres://localhost/dukao',
      /EVENT_STORE_URL must be sqlite:<file> or kurrentdb:\/\//,
    ],
    ['EVENT_STORE_URL', 'kurrentdb://', /EVENT_STORE_URL/],
    ['EVENT_STORE_URL', 'sqlite:', /needs a file/],
    ['PORT', 'eighty', /PORT must be a port number/],
    ['REDIS_URL', 'localhost:6379', /REDIS_URL must be a redis:\/\//],
    ['EVENT_STORE_DURABILITY', 'off', /EVENT_STORE_DURABILITY must be "full" or "normal"/],
  ])('refuses %s=%s with a clear message', (name, value, message) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(message);
  });

  describe('SMS gateway', () => {
    const httpSecret = 'h'.repeat(32);
    const aliyun = {
      SMS_GATEWAY: 'aliyun',
      ALIYUN_ACCESS_KEY_ID: 'LTAI5tExampleId',
      ALIYUN_ACCESS_KEY_SECRET: 'aliyun-secret-value',
      ALIYUN_SMS_SIGN_NAME: '督考',
      ALIYUN_SMS_TEMPLATES: '{"reminderDigest":"SMS_123456789"}',
    };
    /** The ConfigError's problems, to assert the whole list and that no secret is in it. */
    const problems = (env: NodeJS.ProcessEnv): string[] => {
      try {
        loadConfig(env);
      } catch (error) {
        if (error instanceof ConfigError) return error.problems;
        throw error;
      }
      throw new Error('expected a ConfigError');
    };

    it('defaults to the outbox', () => {
      expect(loadConfig({}).sms).toEqual({ kind: 'outbox' });
      expect(loadConfig({ SMS_GATEWAY: 'outbox', SMS_HTTP_URL: 'https://sms.example.cn/send' }).sms).toEqual({
        kind: 'outbox',
      });
    });

    it('selects the http gateway with its URL, secret and a 10 s default timeout', () => {
      expect(
        loadConfig({
          SMS_GATEWAY: 'http',
          SMS_HTTP_URL: 'https://sms.example.cn/send',
          SMS_HTTP_SECRET: httpSecret,
        }).sms,
      ).toEqual({ kind: 'http', url: 'https://sms.example.cn/send', secret: httpSecret, timeoutMs: 10_000 });
      expect(
        loadConfig({
          SMS_GATEWAY: 'http',
          SMS_HTTP_URL: 'http://10.0.0.5:8080/sms',
          SMS_HTTP_SECRET: httpSecret,
          SMS_HTTP_TIMEOUT_MS: '2500',
        }).sms,
      ).toMatchObject({ url: 'http://10.0.0.5:8080/sms', timeoutMs: 2500 });
    });

    it('names every setting the http gateway is missing', () => {
      expect(problems({ SMS_GATEWAY: 'http' })).toEqual([
        'SMS_GATEWAY=http needs SMS_HTTP_URL (the provider endpoint the messages are POSTed to)',
        'SMS_GATEWAY=http needs SMS_HTTP_SECRET (the shared HMAC key, 32 characters or more)',
      ]);
    });

    it('refuses a short SMS_HTTP_SECRET without echoing it', () => {
      const list = problems({
        SMS_GATEWAY: 'http',
        SMS_HTTP_URL: 'https://sms.example.cn/send',
        SMS_HTTP_SECRET: 'too-short-secret',
      });
      expect(list).toEqual(['SMS_HTTP_SECRET: SMS_HTTP_SECRET must be at least 32 characters']);
      expect(list.join()).not.toContain('too-short-secret');
    });

    it('refuses credentials in SMS_HTTP_URL without echoing them', () => {
      const list = problems({
        SMS_GATEWAY: 'http',
        SMS_HTTP_URL: 'https://user:hunter2@sms.example.cn/send',
        SMS_HTTP_SECRET: httpSecret,
      });
      expect(list).toEqual([expect.stringMatching(/SMS_HTTP_URL must not contain credentials/)]);
      expect(list.join()).not.toContain('hunter2');
    });

    it('selects Aliyun with its templates, the public endpoint by default and an optional receipt token', () => {
      expect(loadConfig(aliyun).sms).toEqual({
        kind: 'aliyun',
        accessKeyId: 'LTAI5tExampleId',
        accessKeySecret: 'aliyun-secret-value',
        signName: '督考',
        templates: { reminderDigest: 'SMS_123456789' },
        endpoint: 'dysmsapi.aliyuncs.com',
        protocol: 'https',
        timeoutMs: 10_000,
        receiptToken: null,
      });
      expect(
        loadConfig({
          ...aliyun,
          ALIYUN_SMS_ENDPOINT: 'http://127.0.0.1:8089',
          ALIYUN_SMS_RECEIPT_TOKEN: 't'.repeat(40),
        }).sms,
      ).toMatchObject({ endpoint: '127.0.0.1:8089', protocol: 'http', receiptToken: 't'.repeat(40) });
      expect(
        loadConfig({ ...aliyun, ALIYUN_SMS_ENDPOINT: 'dysmsapi.ap-southeast-1.aliyuncs.com' }).sms,
      ).toMatchObject({ endpoint: 'dysmsapi.ap-southeast-1.aliyuncs.com', protocol: 'https' });
    });

    it('names every setting Aliyun is missing, and no secret', () => {
      const list = problems({ SMS_GATEWAY: 'aliyun', ALIYUN_ACCESS_KEY_SECRET: 'aliyun-secret-value' });
      expect(list).toEqual([
        'SMS_GATEWAY=aliyun needs ALIYUN_ACCESS_KEY_ID (the AccessKey ID of a RAM user allowed to call dysmsapi:SendSms)',
        'SMS_GATEWAY=aliyun needs ALIYUN_SMS_SIGN_NAME (the approved SMS signature (签名), e.g. 督考)',
        'SMS_GATEWAY=aliyun needs ALIYUN_SMS_TEMPLATES (a JSON object of template names to approved codes, e.g. {"reminderDigest":"SMS_123456789"})',
      ]);
      expect(list.join()).not.toContain('aliyun-secret-value');
    });

    it.each([
      ['not json', /not valid JSON/],
      ['["SMS_1"]', /got an array/],
      ['{}', /got an empty object/],
      ['{"reminderDigest":42}', /bad entry "reminderDigest"/],
      ['{"reminderDigest":"SMS 1"}', /bad entry "reminderDigest"/],
    ])('refuses ALIYUN_SMS_TEMPLATES=%s', (value, message) => {
      const list = problems({ ...aliyun, ALIYUN_SMS_TEMPLATES: value });
      expect(list).toHaveLength(1);
      expect(list[0]).toMatch(/^ALIYUN_SMS_TEMPLATES: ALIYUN_SMS_TEMPLATES must be a JSON object/);
      expect(list[0]).toMatch(message);
    });

    it.each(['ftp://dysmsapi.aliyuncs.com', 'https://dysmsapi.aliyuncs.com/path', 'https://a:b@host'])(
      'refuses ALIYUN_SMS_ENDPOINT=%s',
      (value) => {
        expect(() => loadConfig({ ...aliyun, ALIYUN_SMS_ENDPOINT: value })).toThrow(
          /ALIYUN_SMS_ENDPOINT must be a host\[:port\]/,
        );
      },
    );

    it('refuses a short ALIYUN_SMS_RECEIPT_TOKEN', () => {
      expect(problems({ ...aliyun, ALIYUN_SMS_RECEIPT_TOKEN: 'short' })).toEqual([
        'ALIYUN_SMS_RECEIPT_TOKEN: ALIYUN_SMS_RECEIPT_TOKEN must be at least 32 characters',
      ]);
    });

    it('refuses gateway settings while SMS_GATEWAY is unset, so production never falls back to the outbox silently', () => {
      expect(problems({ SMS_HTTP_URL: 'https://sms.example.cn/send', SMS_HTTP_SECRET: httpSecret })).toEqual([
        'SMS_HTTP_URL, SMS_HTTP_SECRET are set but SMS_GATEWAY is not: set SMS_GATEWAY=http or SMS_GATEWAY=aliyun (or SMS_GATEWAY=outbox to keep messages in the outbox)',
      ]);
    });

    it.each([
      ['SMS_GATEWAY', 'sms.cn', /SMS_GATEWAY must be "outbox", "http" or "aliyun"/],
      ['SMS_HTTP_TIMEOUT_MS', '0', /SMS_HTTP_TIMEOUT_MS must be a whole number from 1 to 120000/],
      ['SMS_HTTP_URL', 'sms.example.cn/send', /SMS_HTTP_URL must be an https:\/\/ or http:\/\/ URL/],
      ['SMS_DIGEST_WINDOW_SECONDS', '0', /SMS_DIGEST_WINDOW_SECONDS must be a whole number from 1 to 3600/],
      ['SMS_DIGEST_WINDOW_SECONDS', '1.5', /SMS_DIGEST_WINDOW_SECONDS must be a whole number/],
      ['APPEAL_WINDOW_DAYS', '0', /APPEAL_WINDOW_DAYS must be a whole number from 1 to 365/],
    ])('refuses %s=%s with a clear message', (name, value, message) => {
      expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
      expect(() => loadConfig({ [name]: value })).toThrow(message);
    });
  });
});
