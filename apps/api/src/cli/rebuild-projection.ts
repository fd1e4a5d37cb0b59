import { allProjections } from '@dukao/composition';
import { loadConfigOrExit } from '@dukao/config';
import { createEventStore } from '@dukao/event-store';
import { ProjectionEngine } from '@dukao/projections';
import { createReadModelStore } from '@dukao/read-model-store';

/**
 * `npm run projections:rebuild -- NAME`: builds a fresh generation of one projection from position 0
 * and swaps it in; the old one serves until then. Refuses while another process (a running api or
 * worker) holds the projection: ask that one instead (POST /projections/NAME/rebuild).
 */
async function main(): Promise<number> {
  const name = process.argv[2];
  const projection = allProjections.find((p) => p.name === name);
  if (!projection) {
    process.stderr.write(
      `usage: npm run projections:rebuild -- NAME\nprojections: ${allProjections.map((p) => p.name).join(', ')}\n`,
    );
    return 2;
  }
  const config = loadConfigOrExit();
  const eventStore = await createEventStore(config);
  const readStore = await createReadModelStore(config);
  const engine = new ProjectionEngine(eventStore, readStore, [projection], {
    owner: `rebuild-cli:${process.pid}`,
  });
  try {
    await engine.start();
    const [status] = await engine.statuses();
    if (status?.state === 'standby') {
      process.stderr.write(
        `projection ${projection.name} is run by another process; ask it instead: POST /projections/${projection.name}/rebuild\n`,
      );
      return 1;
    }
    const started = Date.now();
    const from = (await readStore.registration(projection.name))?.generation ?? 0;
    await engine.rebuild(projection.name);
    for (;;) {
      const [now] = await engine.statuses();
      if (now?.failure) throw new Error(`failed at position ${now.failure.position}: ${now.failure.message}`);
      if (now && now.activeGeneration !== null && now.activeGeneration > from && !now.rebuild) {
        process.stdout.write(
          `rebuilt ${projection.name} (version ${projection.version}) into generation ${now.activeGeneration} ` +
            `up to position ${now.position ?? '-'} in ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
        );
        return 0;
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  } finally {
    await engine.stop();
    await readStore.close();
    await eventStore.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(
      `projections:rebuild failed: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exit(1);
  },
);
