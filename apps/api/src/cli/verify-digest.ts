import { createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { type LogDigestDocument, verifyLogAgainstDigest } from '@dukao/audit';
import { loadConfigOrExit } from '@dukao/config';
import { createEventStore, readAllPages } from '@dukao/event-store';

const USAGE = 'usage: npm run verify-digest -- <digest.json> [--public-key <key.pem>] [--json]';

/**
 * `npm run verify-digest -- digest.json [--public-key key.pem] [--json]`: checks the log (DATA_DIR or
 * EVENT_STORE_URL, as the api) against a digest downloaded earlier from GET /audit/digests/{id}: the
 * signature (with the key in the document, or the one given, which must then match), and that the
 * first N events still give the signed Merkle root. Exit 0 when the log only grew, 1 at the first
 * difference, 2 when the digest cannot be read.
 */
async function main(argv: readonly string[]): Promise<number> {
  const json = argv.includes('--json');
  const keyAt = argv.indexOf('--public-key');
  const keyFile = keyAt >= 0 ? argv[keyAt + 1] : undefined;
  const file = argv.find((arg, i) => !arg.startsWith('--') && (keyAt < 0 || i !== keyAt + 1));
  if (!file || (keyAt >= 0 && !keyFile)) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const document = JSON.parse(readFileSync(file, 'utf8')) as LogDigestDocument;
  const trusted = keyFile ? createPublicKey(readFileSync(keyFile)) : undefined;
  const config = loadConfigOrExit();
  const store = await createEventStore(config);
  try {
    const result = await verifyLogAgainstDigest(
      document,
      readAllPages(store, { upcast: false, pageSize: 5000 }),
      { gapFreePositions: store.positionsAreGapFree, trusted },
    );
    if (json) {
      process.stdout.write(`${JSON.stringify(result)}\n`);
    } else if (result.ok) {
      process.stdout.write(
        `OK: digest ${result.digestId} (${result.signed.eventCount} events, root ${result.signed.root}) ` +
          `signed by key ${result.signature.keyId}; the log ${result.grew ? 'grew since' : 'is unchanged'} ` +
          `(日志自摘要签发以来只增未改)\n`,
      );
    } else if (!result.signature.valid) {
      process.stdout.write(`BAD SIGNATURE: ${result.signature.problem} (摘要签名无效)\n`);
    } else {
      const d = result.firstDifference!;
      const where =
        d.eventId !== null || d.streamId !== null
          ? ` at position ${d.position ?? '-'} stream ${d.streamId ?? '-'} revision ${d.revision ?? '-'} (event ${d.eventId ?? '-'})`
          : d.range
            ? ` in positions ${d.range.fromPosition}–${d.range.toPosition}`
            : '';
      process.stdout.write(`DIFFERS: ${d.kind}${where}: ${d.detail} (日志与摘要不符)\n`);
    }
    return result.ok ? 0 : 1;
  } finally {
    await store.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`verify-digest failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(2);
  },
);
