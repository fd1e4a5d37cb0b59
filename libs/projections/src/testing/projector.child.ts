/**
 * Child process for the kill test: runs the engine over DIR's log with small batches and prints its
 * committed position after each batch. The parent kills it with SIGKILL part-way.
 */
import { join } from 'node:path';
import { SqliteEventStore } from '@dukao/event-store';
import { SqliteReadModelStore } from '@dukao/read-model-store';
import { ProjectionEngine } from '../projection-engine';
import { tallyProjection } from './tally.projection';

const [dir, readModels] = process.argv.slice(2) as [string, string];
const events = new SqliteEventStore({ filename: join(dir, 'events.sqlite') });
const views = new SqliteReadModelStore({ filename: join(dir, readModels) });
const quiet = {
  log: () => undefined,
  warn: () => undefined,
  error: (m: string) => process.stderr.write(`${m}\n`),
};
const engine = new ProjectionEngine(events, views, [tallyProjection], {
  batchSize: 37,
  leaseTtlMs: 300,
  logger: quiet,
});

void (async () => {
  await engine.start();
  for (;;) {
    const [status] = await engine.statuses();
    process.stdout.write(`${status?.position ?? 0}\n`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
})();
