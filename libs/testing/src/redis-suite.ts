import { NO_REDIS, redisAvailable } from './redis-server';

/**
 * `describe(name, body)` for a suite that needs a real Redis (see `startRedis`). Without one it
 * prints {@link NO_REDIS} and registers one visible skipped test; under CI (the script starts
 * Redis) a missing Redis fails the run instead, so the Redis suites can never be skipped silently.
 */
export function describeWithRedis(name: string, body: () => void): void {
  if (redisAvailable()) {
    describe(name, body);
    return;
  }
  if (process.env.CI)
    throw new Error(`CI must run "${name}": Redis is missing (REDIS_URL unset, no redis-server)`);
  console.log(`${NO_REDIS} to run "${name}"`);
  describe(name, () => {
    it.skip(NO_REDIS, () => {});
  });
}
