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
});
