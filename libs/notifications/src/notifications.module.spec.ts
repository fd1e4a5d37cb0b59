import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Test } from '@nestjs/testing';
import { AppConfigModule, loadConfig } from '@dukao/config';
import { JOB_QUEUE, type JobQueue, JobQueueClosedError } from './job-queue.port';
import { NotificationsModule } from './notifications.module';
import { SqliteJobQueue } from './sqlite.job-queue';

describe('NotificationsModule', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'dukao-notif-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('provides the SQLite queue in DATA_DIR without REDIS_URL, and closes it on shutdown', async () => {
    const config = loadConfig({ DATA_DIR: dir });
    const moduleRef = await Test.createTestingModule({
      imports: [AppConfigModule.forRoot(config), NotificationsModule.forRoot()],
    }).compile();
    const app = await moduleRef.init();
    const queue = app.get<JobQueue>(JOB_QUEUE);
    expect(queue).toBeInstanceOf(SqliteJobQueue);
    const runAt = new Date(Date.now() + 60_000).toISOString();
    expect(
      await queue.schedule({ jobKey: 'reminder-p1-t1-1-2026-07-01', name: 'sms', runAt, payload: {} }),
    ).toBe('scheduled');
    await app.close();
    await expect(queue.schedule({ jobKey: 'k', name: 'sms', runAt, payload: {} })).rejects.toBeInstanceOf(
      JobQueueClosedError,
    );

    const reopened = new SqliteJobQueue({ filename: join(dir, 'jobs.sqlite') });
    try {
      expect((await reopened.get('reminder-p1-t1-1-2026-07-01'))?.state).toBe('pending');
    } finally {
      await reopened.close();
    }
  });
});
