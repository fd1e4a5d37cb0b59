import { type DynamicModule, Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { allProjections } from '@dukao/composition';
import { AppConfigModule, type AppConfig } from '@dukao/config';
import { EventStoreModule } from '@dukao/event-store';
import { ProjectionsModule } from '@dukao/projections';
import { ReadModelStoreModule } from '@dukao/read-model-store';
import { AuditStreamsController } from './audit/audit-streams.controller';
import { ReadYourWrites } from './common/read-your-writes';
import { HealthController } from './health/health.controller';
import { ProjectionsController } from './projections/projections.controller';

@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        AppConfigModule.forRoot(config),
        EventStoreModule.forRoot(),
        ReadModelStoreModule.forRoot(),
        // Embedded mode runs the projections in the api; in production the worker does.
        ProjectionsModule.forRoot({ projections: allProjections, run: config.mode === 'embedded' }),
        CqrsModule.forRoot(),
      ],
      controllers: [HealthController, ProjectionsController, AuditStreamsController],
      providers: [ReadYourWrites],
    };
  }
}
