import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { describeWithRedis, startRedis, type TestRedis } from '@dukao/testing';
import { BullmqJobQueue } from './bullmq.job-queue';
import { describeJobQueueContract } from './job-queue.contract';

// Runs against a real Redis: REDIS_URL (CI starts one), else a redis-server from PATH.
describeWithRedis('JobQueue on BullMQ', () => {
  jest.setTimeout(30_000);
  let redis: TestRedis;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis.stop();
  });

  // A fresh queue per test, obliterated afterwards (the contract closes its queues first).
  let queueName: string;
  beforeEach(() => {
    queueName = `dukao-contract-${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  });
  afterEach(async () => {
    const connection = new Redis(redis.url, { maxRetriesPerRequest: null });
    const queue = new Queue(queueName, { connection });
    try {
      await queue.obliterate({ force: true });
    } finally {
      await queue.close();
      await connection.quit();
    }
  });

  describeJobQueueContract('bullmq', async () =>
    BullmqJobQueue.connect({ url: redis.url, queueName, onError: () => {} }),
  );
});
