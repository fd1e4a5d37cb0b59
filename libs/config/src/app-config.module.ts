import { type DynamicModule, Global, Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { CLOCK, type Clock, systemClock } from '@dukao/kernel';
import type { AppConfig } from './app-config';

/** DI token for the checked {@link AppConfig}. */
export const APP_CONFIG = Symbol('APP_CONFIG');

/**
 * The config is loaded and checked before Nest starts (see `loadConfigOrExit`), then handed in here,
 * so a bad value stops the process with a plain message instead of a failed module graph.
 */
@Global()
@Module({})
export class AppConfigModule {
  /** `clock` replaces the system clock (end-to-end tests move time with it). */
  static forRoot(config: AppConfig, clock: Clock = systemClock): DynamicModule {
    return {
      module: AppConfigModule,
      imports: [
        ConfigModule.forRoot({ ignoreEnvFile: true, ignoreEnvVars: true, load: [() => ({ ...config })] }),
      ],
      providers: [
        { provide: APP_CONFIG, useValue: config },
        { provide: CLOCK, useValue: clock },
      ],
      exports: [APP_CONFIG, CLOCK, ConfigModule],
    };
  }
}
