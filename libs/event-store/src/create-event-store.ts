import type { AppConfig } from '@dukao/config';
import type { EventStore } from './event-store.port';
import { KurrentDbEventStore } from './kurrentdb.event-store';
import { SqliteEventStore } from './sqlite.event-store';
import type { Upcaster } from './upcasting';

/** The one place that picks an adapter from the config. */
/** `clock` stamps `recordedAt`; only tests pass one (to move time), everything else uses the system clock. */
export async function createEventStore(
  config: AppConfig,
  upcasters: readonly Upcaster[] = [],
  clock?: () => Date,
): Promise<EventStore> {
  const { eventStore, hashAlgorithm } = config;
  switch (eventStore.kind) {
    case 'sqlite':
      return new SqliteEventStore({
        filename: eventStore.filename,
        durability: eventStore.durability,
        hashAlgorithm,
        upcasters,
        clock,
      });
    case 'kurrentdb':
      return KurrentDbEventStore.connect({
        connectionString: eventStore.connectionString,
        hashAlgorithm,
        upcasters,
        clock,
      });
  }
}
