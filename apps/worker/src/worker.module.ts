import { type DynamicModule, Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { AppConfigModule, type AppConfig } from '@dukao/config';
import { EventStoreModule } from '@dukao/event-store';
import { WorkerHealthServer } from './worker-health.server';

/**
 * The production worker: the same context modules as the api, started without HTTP routes.
 * Queue consumers and the projection runner register here as their issues land.
 */
@Module({})
export class WorkerModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: WorkerModule,
      imports: [AppConfigModule.forRoot(config), EventStoreModule.forRoot(), CqrsModule.forRoot()],
      providers: [WorkerHealthServer],
    };
  }
}
