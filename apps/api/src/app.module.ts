import { type DynamicModule, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { CqrsModule } from '@nestjs/cqrs';
import { ThrottlerGuard, ThrottlerModule } from '@nestjs/throttler';
import { allProjections } from '@dukao/composition';
import { AuditModule, LogDigestSchedule, SignLogDigestWhenRankingPublished } from '@dukao/audit';
import { CalendarModule } from '@dukao/calendar';
import { AppConfigModule, type AppConfig } from '@dukao/config';
import { EvaluationsModule } from '@dukao/evaluations';
import { EventStoreModule } from '@dukao/event-store';
import type { Clock } from '@dukao/kernel';
import { EvidenceStoreModule } from '@dukao/evidence-store';
import { NotificationsModule, RemindersModule } from '@dukao/notifications';
import { IdentityModule } from '@dukao/identity';
import { ObservabilityModule } from '@dukao/observability';
import { ProjectionsModule } from '@dukao/projections';
import { ReadModelStoreModule } from '@dukao/read-model-store';
import { RankingsReactor, RankingsSchedule, ScoringModule } from '@dukao/scoring';
import { ReportsModule } from '@dukao/reports';
import { SupervisionModule } from '@dukao/supervision';
import { MissedPeriodsSchedule, TargetsModule } from '@dukao/targets';
import { EvaluateWarningWhenTargetChanged, WarningsModule, WarningsSchedule } from '@dukao/warnings';
import { AuditLogController } from './audit/audit-log.controller';
import { AuditStreamsController } from './audit/audit-streams.controller';
import { AuditTrailController } from './audit/audit-trail.controller';
import { WorkCalendarsController } from './calendar/work-calendars.controller';
import { ReadYourWrites } from './common/read-your-writes';
import { CampaignsController, PublicRatingsController } from './evaluations/campaigns.controller';
import { PublicRatingLimiter } from './evaluations/public-rating-limiter';
import { SurveyImportController } from './evaluations/survey-import.controller';
import { EvidenceController } from './evidence/evidence.controller';
import { DataDirMark } from './health/data-dir-mark';
import { HealthController } from './health/health.controller';
import { HttpDrain } from './health/http-drain';
import { MetricsController } from './metrics/metrics.controller';
import { AuthController } from './identity/auth.controller';
import { UnitPeopleController } from './identity/unit-people.controller';
import { UsersController } from './identity/users.controller';
import { ProjectionsController } from './projections/projections.controller';
import { AppealsController } from './scoring/appeals.controller';
import { PublicationsController } from './scoring/publications.controller';
import { RankingsController } from './scoring/rankings.controller';
import { ScoreAdjustmentsController } from './scoring/score-adjustments.controller';
import { ScoresController } from './scoring/scores.controller';
import { AccountabilityActionsController } from './supervision/accountability-actions.controller';
import { SupervisionNoticesController } from './supervision/supervision-notices.controller';
import { ReportsController } from './reports/reports.controller';
import { PlanningController } from './targets/planning.controller';
import { TargetImportController } from './targets/target-import.controller';
import { TargetsController, UnitDashboardController } from './targets/targets.controller';
import { WarningsController } from './warnings/warnings.controller';
import { AnomaliesController } from './audit/anomalies.controller';
import { SpotChecksController } from './audit/spot-checks.controller';
import { SpotChecksModule } from '@dukao/audit';
import { RemindersController } from './reminders/reminders.controller';
import { SmsReceiptsController } from './reminders/sms-receipts.controller';
import { AuthGuard } from './security/auth.guard';

@Module({})
export class AppModule {
  static forRoot(config: AppConfig, clock?: Clock): DynamicModule {
    return {
      module: AppModule,
      imports: [
        AppConfigModule.forRoot(config, clock),
        ObservabilityModule.forRoot(),
        EventStoreModule.forRoot(),
        ReadModelStoreModule.forRoot(),
        // Embedded mode runs the projections in the api; in production the worker does.
        ProjectionsModule.forRoot({ projections: allProjections, run: config.mode === 'embedded' }),
        CqrsModule.forRoot(),
        ThrottlerModule.forRoot({
          throttlers: [{ name: 'default', ttl: 60_000, limit: config.rateLimitPerMinute }],
        }),
        IdentityModule,
        TargetsModule,
        WarningsModule,
        CalendarModule,
        EvaluationsModule,
        ScoringModule,
        EvidenceStoreModule,
        SupervisionModule,
        ReportsModule,
        SpotChecksModule,
        AuditModule,
        NotificationsModule.forRoot(),
        RemindersModule.forRoot({ run: config.mode === 'embedded' }),
      ],
      controllers: [
        HealthController,
        MetricsController,
        AuthController,
        UsersController,
        UnitPeopleController,
        ProjectionsController,
        AuditStreamsController,
        AuditTrailController,
        AuditLogController,
        PlanningController,
        WorkCalendarsController,
        CampaignsController,
        PublicRatingsController,
        SurveyImportController,
        TargetImportController,
        TargetsController,
        UnitDashboardController,
        EvidenceController,
        WarningsController,
        RemindersController,
        SmsReceiptsController,
        ScoresController,
        SupervisionNoticesController,
        AccountabilityActionsController,
        ReportsController,
        PublicationsController,
        ScoreAdjustmentsController,
        AppealsController,
        RankingsController,
        SpotChecksController,
        AnomaliesController,
      ],
      providers: [
        ReadYourWrites,
        HttpDrain,
        DataDirMark,
        PublicRatingLimiter,
        // Scheduled checks run where the projections run: here in embedded mode, in the worker otherwise.
        ...(config.mode === 'embedded'
          ? [
              MissedPeriodsSchedule,
              EvaluateWarningWhenTargetChanged,
              WarningsSchedule,
              RankingsReactor,
              RankingsSchedule,
              SignLogDigestWhenRankingPublished,
              LogDigestSchedule,
            ]
          : []),
        // Order matters: shed floods first, then authenticate.
        { provide: APP_GUARD, useClass: ThrottlerGuard },
        { provide: APP_GUARD, useClass: AuthGuard },
      ],
    };
  }
}
