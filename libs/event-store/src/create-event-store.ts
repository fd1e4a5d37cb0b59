import type { AppConfig } from '@dukao/config';
import type { EventStore } from './event-store.port';
import { KurrentDbEventStore } from './kurrentdb.event-store';
import { SqliteEventStore } from './sqlite.event-store';
import type { Upcaster } from './upcasting';

/** The one place that picks an adapter from the config. */
export async function createEventStore(config: AppConfig, upcasters: readonly Upcaster[] = []): Promise<EventStore> {
  const { eventStore, hashAlgorithm } = config;
  switch (eventStore.kind) {
    case 'sqlite':
      return new SqliteEventStore({
        filename: eventStore.filename,
        durability: eventStore.durability,
        hashAlgorithm,
        upcasters,
      });
    case 'kurrentdb':
      return KurrentDbEventStore.connect({ connectionString: eventStore.connectionString, hashAlgorithm, upcasters });
  }
}
