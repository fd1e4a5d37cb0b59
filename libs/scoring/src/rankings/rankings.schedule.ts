import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@dukao/config';
import { IntervalSchedule } from '@dukao/kernel';
import { RankingsReactor } from './rankings.reactor';

/**
 * Adds the rankings of months that have just ended, with no event to prompt it: runs
 * `RankingsReactor.refreshMonths` at the interval of the other periodic checks
 * (MISSED_PERIOD_CHECK_MINUTES; 0 turns it off), where the reactor runs.
 */
@Injectable()
export class RankingsSchedule implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Rankings');
  private readonly schedule: IntervalSchedule;

  constructor(reactor: RankingsReactor, @Inject(APP_CONFIG) config: AppConfig) {
    this.schedule = new IntervalSchedule(
      'rankings month tick',
      config.missedPeriodCheckMinutes,
      async () => {
        const done = await reactor.refreshMonths();
        if (done && done.months > 0) this.logger.log(`${done.months} monthly ranking(s) added`);
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
