import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@dukao/config';
import { IntervalSchedule } from '@dukao/kernel';
import { WarningsTick } from './warnings-tick';

/** Runs the tick every MISSED_PERIOD_CHECK_MINUTES (0: off) where projections run, as the missed-period check. */
@Injectable()
export class WarningsSchedule implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Warnings');
  private readonly schedule: IntervalSchedule;

  constructor(tick: WarningsTick, @Inject(APP_CONFIG) config: AppConfig) {
    this.schedule = new IntervalSchedule(
      'warnings tick',
      config.missedPeriodCheckMinutes,
      async () => {
        const { changed } = await tick.run();
        if (changed > 0) this.logger.log(`${changed} warning level(s) changed`);
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
