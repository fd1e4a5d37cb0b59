import { join, resolve } from 'node:path';
import type { AppConfig } from '@dukao/config';
import { EVENT_LOG_FILE } from '@dukao/observability';

/** Backups cover the embedded mode, whose data all lives in DATA_DIR. */
export function embeddedOnly(config: AppConfig): string | null {
  if (config.mode !== 'embedded') {
    return 'backup and restore cover the embedded mode only; back up KurrentDB, MongoDB and Redis with their own tools (docs/operations.md)';
  }
  const outside = [
    config.eventStore.kind === 'sqlite' &&
    resolve(config.eventStore.filename) !== join(config.dataDir, EVENT_LOG_FILE)
      ? 'EVENT_STORE_URL'
      : null,
    config.readStoreUrl ? 'READ_STORE_URL' : null,
    config.redisUrl ? 'REDIS_URL' : null,
  ].filter((name): name is string => name !== null);
  return outside.length
    ? `backup and restore cover DATA_DIR only; unset ${outside.join(', ')} (or point it into DATA_DIR's default file)`
    : null;
}
