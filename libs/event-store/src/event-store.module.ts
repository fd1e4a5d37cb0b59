import {
  type DynamicModule,
  Global,
  Inject,
  Logger,
  Module,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@dukao/config';
import { CLOCK, type Clock } from '@dukao/kernel';
import { EVENT_STORE, type EventStore } from './event-store.port';
import { createEventStore } from './create-event-store';

/**
 * Optional: a function that wraps the store the config selected (metrics measure appends through it,
 * whichever adapter is in use). Provide it from a global module.
 */
export const EVENT_STORE_INSTRUMENT = Symbol('EVENT_STORE_INSTRUMENT');
export type EventStoreInstrument = (store: EventStore) => EventStore;

/** Provides the {@link EVENT_STORE} selected by the config and closes it last on shutdown. */
@Global()
@Module({})
export class EventStoreModule implements OnApplicationShutdown {
  static forRoot(): DynamicModule {
    return {
      module: EventStoreModule,
      providers: [
        {
          provide: EVENT_STORE,
          inject: [APP_CONFIG, CLOCK, { token: EVENT_STORE_INSTRUMENT, optional: true }],
          useFactory: async (config: AppConfig, clock: Clock, instrument?: EventStoreInstrument) => {
            const logger = new Logger('EventStore');
            if (config.eventStore.kind === 'sqlite' && config.eventStore.durability === 'normal') {
              logger.warn(
                'EVENT_STORE_DURABILITY=normal: the last acknowledged appends may be lost on power failure',
              );
            }
            const store = await createEventStore(config, [], clock);
            return instrument ? instrument(store) : store;
          },
        },
      ],
      exports: [EVENT_STORE],
    };
  }

  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async onApplicationShutdown(): Promise<void> {
    await this.store.close();
  }
}
