import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { APP_CONFIG, type AppConfig } from '@dukao/config';
import type { Actor } from '@dukao/event-store';
import { CLOCK, type Clock, IntervalSchedule, SYSTEM_ACTOR } from '@dukao/kernel';
import { READ_MODEL_STORE, type ReadModelStore } from '@dukao/read-model-store';
import { ChangeTarget } from './commands/change-target.command';
import { endOfShanghaiDay, periodsOf, reportDueDate } from './domain/periods';
import { TARGETS, type TargetView } from './projections/targets.projection';

/**
 * The scheduled check that records a period closed with neither report nor nil return as missed.
 * It proposes; the target decider decides (and ignores periods already reported, missed, or ended
 * before a dynamic target was issued). Command ids derive from target and period, so running it
 * again, or on two processes, records each miss once.
 */
@Injectable()
export class MissedPeriodsCheck {
  constructor(
    private readonly commands: CommandBus,
    @Inject(READ_MODEL_STORE) private readonly views: ReadModelStore,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** `by`: who asked for this run (an administrator), else the scheduler. */
  async run(by?: { actor: Actor; correlationId: string }): Promise<{ checked: number; recorded: number }> {
    const now = this.clock().toISOString();
    const targets = await this.views.find<TargetView>(TARGETS, { status: 'issued' });
    let recorded = 0;
    for (const target of targets) {
      const reported = new Set(target.reports.filter((r) => r.status !== 'replaced').map((r) => r.period));
      const candidates = periodsOf(target.year, target.cadence).filter(
        (period) =>
          !reported.has(period) &&
          !target.missedPeriods.includes(period) &&
          endOfShanghaiDay(reportDueDate(period, target.reportDueDay)) <= now,
      );
      for (const period of candidates) {
        const result = await this.commands.execute(
          new ChangeTarget(
            target._id,
            { type: 'RecordMissedPeriod', period, at: now },
            {
              commandId: `missed-period:${target._id}:${period}`,
              actor: by?.actor ?? { ...SYSTEM_ACTOR, role: 'scheduler' },
              correlationId: by?.correlationId ?? `missed-period-check:${now}`,
            },
          ),
        );
        if (!result.replayed && result.position !== null) recorded += 1;
      }
    }
    return { checked: targets.length, recorded };
  }
}

/**
 * Runs the check every MISSED_PERIOD_CHECK_MINUTES (0: off) where projections run (api embedded,
 * worker in production).
 */
@Injectable()
export class MissedPeriodsSchedule implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('MissedPeriods');
  private readonly schedule: IntervalSchedule;

  constructor(check: MissedPeriodsCheck, @Inject(APP_CONFIG) config: AppConfig) {
    this.schedule = new IntervalSchedule(
      'missed-period check',
      config.missedPeriodCheckMinutes,
      async () => {
        const { recorded } = await check.run();
        if (recorded > 0) this.logger.log(`recorded ${recorded} missed period(s)`);
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
