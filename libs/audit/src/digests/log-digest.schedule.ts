import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { APP_CONFIG, type AppConfig } from '@dukao/config';
import { EVENT_STORE, type EventStore } from '@dukao/event-store';
import { IntervalSchedule, SYSTEM_ACTOR } from '@dukao/kernel';
import { LogDigester } from './log-digester';

/**
 * Signs a digest every AUDIT_DIGEST_INTERVAL_MINUTES (default daily; 0 turns it off) where the
 * projections run, unless nothing was appended since the last digest this process recorded.
 */
@Injectable()
export class LogDigestSchedule implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('LogDigests');
  private readonly schedule: IntervalSchedule;

  constructor(
    digester: LogDigester,
    @Inject(EVENT_STORE) events: EventStore,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.schedule = new IntervalSchedule(
      'log digest',
      config.audit.digestIntervalMinutes,
      async () => {
        if (!digester.publicKey()) return;
        const head = await events.headPosition();
        if (head === null || head === digester.lastRecordedPosition) return;
        const digestId = randomUUID();
        const recorded = await digester.record(
          { kind: 'schedule' },
          { commandId: `scheduled-digest:${digestId}`, actor: SYSTEM_ACTOR, correlationId: randomUUID() },
          digestId,
        );
        this.logger.log(
          `日志摘要 ${digestId}: ${recorded.document.eventCount} events, root ${recorded.document.root}`,
        );
      },
      this.logger,
    );
  }

  onApplicationBootstrap(): void {
    this.schedule.start();
  }

  beforeApplicationShutdown(): Promise<void> {
    return this.schedule.stop();
  }
}
