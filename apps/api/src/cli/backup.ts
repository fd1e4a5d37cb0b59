import { join, resolve } from 'node:path';
import { loadConfigOrExit } from '@dukao/config';
import { SqliteEventStore, readAllPages, verifyChain } from '@dukao/event-store';
import {
  BackupError,
  EVENT_LOG_FILE,
  copyDataDir,
  describeFiles,
  removeSqliteSidecars,
  writeManifest,
} from '@dukao/observability';
import { embeddedOnly } from './backup-scope';

/**
 * `npm run backup [-- --out DIR]`: a consistent copy of the embedded DATA_DIR, safe while the server
 * runs (SQLite's online backup of each database, the log last), checked with the log's hash chains
 * and described in `manifest.json` (each file's size and SHA-256). Default DIR:
 * `./backups/dukao-<UTC time>`. Exit 0 with the directory printed; 1 when the copy fails its check;
 * 2 for a wrong invocation.
 */
async function main(): Promise<number> {
  const config = loadConfigOrExit();
  const refusal = embeddedOnly(config);
  if (refusal) {
    process.stderr.write(`${refusal}\n`);
    return 2;
  }
  const outIndex = process.argv.indexOf('--out');
  const stamp = new Date()
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  const out = resolve(
    outIndex > 0 && process.argv[outIndex + 1] ? process.argv[outIndex + 1]! : `backups/dukao-${stamp}`,
  );

  const copied = await copyDataDir(config.dataDir, out);
  const logFile = join(out, EVENT_LOG_FILE);
  const store = new SqliteEventStore({ filename: logFile });
  let eventLog;
  try {
    const result = await verifyChain(readAllPages(store, { upcast: false }), { gapFreePositions: true });
    if (!result.ok) {
      const b = result.firstBreak!;
      throw new BackupError(
        `备份中的事件日志校验失败：stream ${b.streamId} revision ${b.revision} position ${b.position}: ${b.reason} (run npm run verify-log on the live data)`,
      );
    }
    eventLog = { headPosition: result.lastPosition, events: result.events };
  } finally {
    await store.close();
    await removeSqliteSidecars(logFile);
  }
  const files = await describeFiles(out, copied);
  await writeManifest(out, {
    format: 'dukao-backup',
    version: 1,
    createdAt: new Date().toISOString(),
    eventLog,
    files,
  });
  process.stdout.write(
    `OK: backup of ${config.dataDir} in ${out}: ${files.length} files, ${eventLog.events} events up to position ${eventLog.headPosition ?? '-'} (备份完成)\n`,
  );
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`backup failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
