import { loadConfigOrExit } from '@dukao/config';
import { createEventStore, readAllPages, verifyChain } from '@dukao/event-store';

/**
 * `npm run verify-log [-- --json]`: walks the whole log in position order and checks every stream's
 * hash chain (and, on SQLite, that positions have no gap). Exit 0 when intact, 1 at the first break.
 */
async function main(): Promise<number> {
  const json = process.argv.includes('--json');
  const config = loadConfigOrExit();
  const store = await createEventStore(config);
  try {
    const result = await verifyChain(readAllPages(store, { upcast: false }), {
      gapFreePositions: store.positionsAreGapFree,
    });
    if (json) {
      process.stdout.write(`${JSON.stringify(result)}\n`);
    } else if (result.ok) {
      process.stdout.write(
        `OK: ${result.events} events in ${result.streams} streams, last position ${result.lastPosition ?? '-'}; ` +
          `every hash chain is intact (日志完整，未被篡改)\n`,
      );
    } else {
      const b = result.firstBreak!;
      process.stdout.write(
        `BROKEN: stream ${b.streamId} revision ${b.revision} position ${b.position} (event ${b.eventId}): ` +
          `${b.reason}: ${b.detail} (日志校验失败). ${result.events} events before it verified.\n`,
      );
    }
    return result.ok ? 0 : 1;
  } finally {
    await store.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`verify-log failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(2);
  },
);
