import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@dukao/config';
import type { Actor } from '@dukao/event-store';
import { CLOCK, type Clock } from '@dukao/kernel';
import { READ_MODEL_STORE, type ReadModelStore } from '@dukao/read-model-store';
import { TARGETS, type TargetView } from '@dukao/targets';
import { WarningEvaluator } from './warning-evaluator';

/**
 * The scheduled evaluation of every issued target: time alone moves levels (a report due soon, then
 * overdue, then overdue more than `redOverdueDays`), with no event to react to. Its command ids carry
 * the Shanghai date, so running it hourly, or on two processes, records each change once.
 */
@Injectable()
export class WarningsTick {
  constructor(
    private readonly evaluator: WarningEvaluator,
    @Inject(READ_MODEL_STORE) private readonly views: ReadModelStore,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** `by`: who asked for this run (an administrator), else the scheduler. */
  async run(by?: { actor: Actor; correlationId: string }): Promise<{ evaluated: number; changed: number }> {
    const targets = await this.views.find<TargetView>(TARGETS, { status: 'issued' });
    const correlationId = by?.correlationId ?? `warnings-tick:${this.clock().toISOString()}`;
    let changed = 0;
    for (const target of targets) {
      const outcome = await this.evaluator.evaluate(
        target,
        { kind: 'tick', eventId: null },
        { actor: by?.actor, correlationId },
      );
      if (outcome && !outcome.replayed && outcome.events.length > 0) changed += 1;
    }
    return { evaluated: targets.length, changed };
  }
}

/** Runs the tick every MISSED_PERIOD_CHECK_MINUTES (0: off) where projections run, as the missed-period check. */
@Injectable()
export class WarningsSchedule implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer: NodeJS.Timeout | null = null;
  private readonly logger = new Logger('Warnings');

  constructor(
    private readonly tick: WarningsTick,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    const minutes = this.config.missedPeriodCheckMinutes;
    if (minutes === 0) return;
    this.timer = setInterval(() => {
      this.tick.run().then(
        ({ changed }) => changed > 0 && this.logger.log(`${changed} warning level(s) changed`),
        (error: unknown) => this.logger.error(`warnings tick failed: ${String(error)}`),
      );
    }, minutes * 60_000);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }
}
