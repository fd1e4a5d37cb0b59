import { join } from 'node:path';
import { type DynamicModule, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@dukao/config';
import { CLOCK, type Clock } from '@dukao/kernel';
import { JOB_QUEUE, type JobQueue } from '../job-queue.port';
import { OutboxSmsGateway } from './outbox.sms-gateway';
import { ReminderPlanner } from './reminder-planner.reactor';
import { SendReminderProcessor, SMS_DIGEST_WINDOW_MS, SMS_GATEWAY_NAME } from './send-reminder.processor';
import { createSmsGateway } from './sms-gateways';
import { SmsLedger } from './sms-ledger';
import { SMS_GATEWAY } from './sms.port';

/**
 * Reminders (三级提醒): the SMS gateway (the embedded outbox at `<DATA_DIR>/sms-outbox.sqlite`), and
 * where `run` is true (where projections run: the embedded api, the worker) the planner that turns
 * target and warning events into 'reminder' jobs and the processor that sends them. Needs the global
 * `NotificationsModule` (JOB_QUEUE) and the read-model store.
 */
@Module({})
export class RemindersModule implements OnApplicationShutdown {
  static forRoot(options: { run: boolean }): DynamicModule {
    return {
      module: RemindersModule,
      providers: [
        {
          provide: OutboxSmsGateway,
          inject: [APP_CONFIG, CLOCK],
          useFactory: (config: AppConfig, clock: Clock) =>
            new OutboxSmsGateway(join(config.dataDir, 'sms-outbox.sqlite'), clock),
        },
        {
          provide: SMS_GATEWAY,
          inject: [APP_CONFIG, OutboxSmsGateway],
          useFactory: (config: AppConfig, outbox: OutboxSmsGateway) => createSmsGateway(config, outbox),
        },
        {
          provide: SMS_GATEWAY_NAME,
          inject: [APP_CONFIG],
          useFactory: (config: AppConfig) => config.sms.kind,
        },
        {
          provide: SMS_DIGEST_WINDOW_MS,
          inject: [APP_CONFIG],
          useFactory: (config: AppConfig) => config.smsDigestWindowSeconds * 1000,
        },
        {
          provide: SmsLedger,
          inject: [APP_CONFIG],
          useFactory: (config: AppConfig) => new SmsLedger(join(config.dataDir, 'sms-ledger.sqlite')),
        },
        ...(options.run ? [ReminderPlanner, SendReminderProcessor] : []),
      ],
      exports: [
        OutboxSmsGateway,
        SMS_GATEWAY,
        SMS_GATEWAY_NAME,
        SmsLedger,
        ...(options.run ? [ReminderPlanner, SendReminderProcessor] : []),
      ],
    };
  }

  constructor(
    @Inject(OutboxSmsGateway) private readonly outbox: OutboxSmsGateway,
    @Inject(SmsLedger) private readonly ledger: SmsLedger,
    @Inject(JOB_QUEUE) private readonly queue: JobQueue,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    // The queue first: it waits for running sends, which write to the ledger and the outbox.
    await this.queue.close();
    this.outbox.close();
    this.ledger.close();
  }
}
