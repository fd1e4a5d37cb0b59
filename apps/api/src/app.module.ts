import { type DynamicModule, Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { AppConfigModule, type AppConfig } from '@dukao/config';
import { EventStoreModule } from '@dukao/event-store';
import { HealthController } from './health/health.controller';

@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [AppConfigModule.forRoot(config), EventStoreModule.forRoot(), CqrsModule.forRoot()],
      controllers: [HealthController],
    };
  }
}
