import { join } from 'node:path';
import type { AppConfig } from '@dukao/config';
import { MongoReadModelStore } from './mongo.read-model-store';
import type { ReadModelStore } from './read-model-store.port';
import { SqliteReadModelStore } from './sqlite.read-model-store';

/** The one place that picks the read-model adapter: MongoDB when READ_STORE_URL says so, else SQLite in DATA_DIR. */
export async function createReadModelStore(config: AppConfig): Promise<ReadModelStore> {
  const url = config.readStoreUrl;
  if (url?.startsWith('mongodb')) return MongoReadModelStore.connect({ url });
  const filename = url?.startsWith('sqlite:')
    ? url.slice('sqlite:'.length).replace(/^\/\//, '')
    : join(config.dataDir, 'read-models.sqlite');
  return new SqliteReadModelStore({ filename });
}
