import { allProjections } from '@dukao/composition';
import { loadConfigOrExit } from '@dukao/config';
import { createEventStore } from '@dukao/event-store';
import { ProjectionEngine } from '@dukao/projections';
import { type ReadModelStore, createReadModelStore } from '@dukao/read-model-store';
import { RANKINGS_VIEW, RankingsReactor, ScoringInputLoader } from '@dukao/scoring';
import type { EventStore } from '@dukao/event-store';

/**
 * `npm run projections:rebuild -- NAME`: builds a fresh generation of one projection from position 0
 * and swaps it in; the old one serves until then. Refuses while another process (a running api or
 * worker) holds the projection: ask that one instead (POST /projections/NAME/rebuild).
 * `rankings` (the monthly rankings view, kept by a reactor) is rebuilt the same way, with the
 * projections it reads run here as well.
 */
async function main(): Promise<number> {
  const name = process.argv[2];
  const projection = allProjections.find((p) => p.name === name);
  if (!projection && name !== RANKINGS_VIEW) {
    process.stderr.write(
      `usage: npm run projections:rebuild -- NAME\nprojections: ${[...allProjections.map((p) => p.name), RANKINGS_VIEW].join(', ')}\n`,
    );
    return 2;
  }
  const config = loadConfigOrExit();
  if (!projection) {
    const eventStore = await createEventStore(config);
    const readStore = await createReadModelStore(config);
    try {
      return await rebuildRankings(eventStore, readStore);
    } finally {
      await readStore.close();
      await eventStore.close();
    }
  }
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

/**
 * Rebuilds the rankings view: its reactor fills a fresh generation from position 0 (the projections
 * it reads kept up here) and swaps it in. Refuses while a running api or worker keeps the view.
 */
async function rebuildRankings(eventStore: EventStore, readStore: ReadModelStore): Promise<number> {
  const owner = `rebuild-cli:${process.pid}`;
  // Progress to stderr: stdout carries the one-line result.
  const say = (message: string) => void process.stderr.write(`${message}\n`);
  const logger = { log: say, warn: say, error: say };
  const engine = new ProjectionEngine(eventStore, readStore, allProjections, { owner, logger });
  const loader = new ScoringInputLoader(eventStore, readStore);
  const reactor = new RankingsReactor(loader, engine, eventStore, readStore, () => new Date(), {
    owner,
    logger,
  });
  try {
    await engine.start();
    await reactor.start();
    if (!reactor.active) {
      process.stderr.write(
        `${RANKINGS_VIEW} is kept by another process (a running api or worker); stop it, or bump RANKINGS_VIEW_VERSION\n`,
      );
      return 1;
    }
    const started = Date.now();
    await reactor.rebuild();
    if (!(await reactor.settle(24 * 3_600_000))) throw new Error('the rebuilt view did not catch up');
    const registration = await readStore.registration(RANKINGS_VIEW);
    process.stdout.write(
      `rebuilt ${RANKINGS_VIEW} into generation ${registration?.generation ?? '-'} up to position ` +
        `${registration?.checkpoint ?? '-'} in ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
    );
    return 0;
  } finally {
    await reactor.stop();
    await engine.stop();
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
