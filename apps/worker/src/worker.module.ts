import { type DynamicModule, Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { allProjections } from '@dukao/composition';
import { AuditModule, LogDigestSchedule, SignLogDigestWhenRankingPublished } from '@dukao/audit';
import { AppConfigModule, type AppConfig } from '@dukao/config';
import { EventStoreModule } from '@dukao/event-store';
import { ProjectionsModule } from '@dukao/projections';
import { NotificationsModule, RemindersModule } from '@dukao/notifications';
import { ObservabilityModule } from '@dukao/observability';
import { ReadModelStoreModule } from '@dukao/read-model-store';
import { RankingsReactor, RankingsSchedule, ScoringModule } from '@dukao/scoring';
import { MissedPeriodsSchedule, TargetsModule } from '@dukao/targets';
import { EvaluateWarningWhenTargetChanged, WarningsModule, WarningsSchedule } from '@dukao/warnings';
import { WorkerHealthServer } from './worker-health.server';

/**
 * The production worker: the same context modules as the api, started without HTTP routes. It runs
 * every projection for which it holds the lease, so several replicas can stand by for each other.
 */
@Module({})
export class WorkerModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: WorkerModule,
      imports: [
        AppConfigModule.forRoot(config),
        ObservabilityModule.forRoot(),
        EventStoreModule.forRoot(),
        ReadModelStoreModule.forRoot(),
        ProjectionsModule.forRoot({ projections: allProjections, run: true }),
        CqrsModule.forRoot(),
        TargetsModule,
        WarningsModule,
        ScoringModule,
        AuditModule,
        NotificationsModule.forRoot(),
        RemindersModule.forRoot({ run: true }),
      ],
      providers: [
        WorkerHealthServer,
        MissedPeriodsSchedule,
        EvaluateWarningWhenTargetChanged,
        WarningsSchedule,
        RankingsReactor,
        RankingsSchedule,
        SignLogDigestWhenRankingPublished,
        LogDigestSchedule,
      ],
    };
  }
}
