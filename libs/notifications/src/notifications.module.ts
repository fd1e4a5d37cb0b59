import { join } from 'node:path';
import { type DynamicModule, Global, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@dukao/config';
import { CLOCK, type Clock } from '@dukao/kernel';
import { BullmqJobQueue } from './bullmq.job-queue';
import { JOB_QUEUE, type JobQueue } from './job-queue.port';
import { SqliteJobQueue } from './sqlite.job-queue';

/** The one place that picks the job queue: BullMQ when REDIS_URL is set, else SQLite at `<DATA_DIR>/jobs.sqlite`. */
export function createJobQueue(config: AppConfig, clock?: Clock): JobQueue {
  if (config.redisUrl) return BullmqJobQueue.connect({ url: config.redisUrl });
  return new SqliteJobQueue({
    filename: join(config.dataDir, 'jobs.sqlite'),
    ...(clock ? { now: clock } : {}),
  });
}

/**
 * Provides the {@link JOB_QUEUE} selected by the config, and closes it on shutdown (it stops taking
 * jobs and waits for the running ones). The embedded queue runs its jobs on the injected clock.
 */
@Global()
@Module({})
export class NotificationsModule implements OnApplicationShutdown {
  static forRoot(): DynamicModule {
    return {
      module: NotificationsModule,
      providers: [
        {
          provide: JOB_QUEUE,
          inject: [APP_CONFIG, { token: CLOCK, optional: true }],
          useFactory: (config: AppConfig, clock?: Clock) => createJobQueue(config, clock),
        },
      ],
      exports: [JOB_QUEUE],
    };
  }

  constructor(@Inject(JOB_QUEUE) private readonly queue: JobQueue) {}

  async onApplicationShutdown(): Promise<void> {
    await this.queue.close();
  }
}
