import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { BullmqJobQueue } from './bullmq.job-queue';
import { describeJobQueueContract } from './job-queue.contract';

// Runs against a real Redis only (CI starts one): REDIS_URL=redis://127.0.0.1:6379 npx jest libs/notifications
const url = process.env.REDIS_URL ?? '';

if (url) {
  jest.setTimeout(30_000);

  // A fresh queue per test, obliterated afterwards (the contract closes its queues first).
  let queueName: string;
  beforeEach(() => {
    queueName = `dukao-contract-${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  });
  afterEach(async () => {
    const connection = new Redis(url, { maxRetriesPerRequest: null });
    const queue = new Queue(queueName, { connection });
    try {
      await queue.obliterate({ force: true });
    } finally {
      await queue.close();
      await connection.quit();
    }
  });

  describeJobQueueContract('bullmq', async () =>
    BullmqJobQueue.connect({ url, queueName, onError: () => {} }),
  );
} else {
  console.log(
    'skipped: no server — set REDIS_URL=redis://127.0.0.1:6379 to run the BullMQ job queue contract suite',
  );
  describe('JobQueue contract: bullmq', () => {
    it.skip('skipped: no server (REDIS_URL unset)', () => {});
  });
}
