import { type DynamicModule, Global, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { EVENT_STORE_INSTRUMENT, type EventStore } from '@dukao/event-store';
import { Metrics } from './metrics';
import { ObservedEventStore } from './observed-event-store';
import { OperationsStatus } from './operations-status';

/**
 * Metrics and the health report, for the api and the worker alike. Global, so that the event store
 * module picks up {@link EVENT_STORE_INSTRUMENT} and every append is measured whichever adapter is in use.
 */
@Global()
@Module({})
export class ObservabilityModule {
  static forRoot(): DynamicModule {
    return {
      module: ObservabilityModule,
      imports: [DiscoveryModule],
      providers: [
        { provide: Metrics, useFactory: () => new Metrics() },
        {
          provide: EVENT_STORE_INSTRUMENT,
          inject: [Metrics],
          useFactory: (metrics: Metrics) => (store: EventStore) => new ObservedEventStore(store, metrics),
        },
        OperationsStatus,
      ],
      exports: [Metrics, EVENT_STORE_INSTRUMENT, OperationsStatus],
    };
  }
}
