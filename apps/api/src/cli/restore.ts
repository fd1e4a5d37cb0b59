import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { allProjections } from '@dukao/composition';
import { loadConfigOrExit } from '@dukao/config';
import { SqliteEventStore, createEventStore, readAllPages, verifyChain } from '@dukao/event-store';
import {
  BackupError,
  EVENT_LOG_FILE,
  checkBackup,
  dataDirHolder,
  removeSqliteSidecars,
  replaceDataDir,
  stageBackup,
} from '@dukao/observability';
import { ProjectionEngine } from '@dukao/projections';
import { createReadModelStore } from '@dukao/read-model-store';
import { embeddedOnly } from './backup-scope';

const USAGE = 'usage: npm run restore -- <backup directory> [--force]\n';

/**
 * `npm run restore -- DIR [--force]`: puts a backup made by `npm run backup` into DATA_DIR.
 * 1. Refuses while a server runs on DATA_DIR (its pid file names a live process), and refuses to
 *    replace existing data, unless `--force`.
 * 2. Checks the backup: every file against the manifest (size, SHA-256), SQLite integrity, and the
 *    log's hash chains (the `verify-log` check) on a staged copy; a corrupted backup changes nothing.
 * 3. Moves the files in, then rebuilds every projection from the restored log.
 * Exit 0 when restored; 1 when refused or a check fails; 2 for a wrong invocation.
 */
async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const force = args.includes('--force');
  const positional = args.filter((a) => !a.startsWith('--'));
  if (positional.length !== 1) {
    process.stderr.write(USAGE);
    return 2;
  }
  const backupDir = resolve(positional[0]!);
  const config = loadConfigOrExit();
  const refusal = embeddedOnly(config);
  if (refusal) {
    process.stderr.write(`${refusal}\n`);
    return 2;
  }
  const { dataDir } = config;
  const holder = dataDirHolder(dataDir);
  if (holder !== null && !force) {
    process.stderr.write(
      `refused: a Dukao server (pid ${holder}) is running on ${dataDir} (服务器正在运行，拒绝覆盖); stop it first, or pass --force\n`,
    );
    return 1;
  }
  if (existsSync(join(dataDir, EVENT_LOG_FILE)) && !force) {
    process.stderr.write(
      `refused: ${dataDir} already holds data (已有数据，拒绝覆盖); restore into an empty DATA_DIR, or pass --force to replace it\n`,
    );
    return 1;
  }

  const manifest = await checkBackup(backupDir);
  const staging = join(dataDir, `.restore-${process.pid}`);
  await stageBackup(backupDir, manifest, staging);
  const stagedLog = join(staging, EVENT_LOG_FILE);
  const staged = new SqliteEventStore({ filename: stagedLog });
  try {
    const result = await verifyChain(readAllPages(staged, { upcast: false }), { gapFreePositions: true });
    if (!result.ok) {
      const b = result.firstBreak!;
      throw new BackupError(
        `备份已损坏，拒绝恢复：事件日志在 stream ${b.streamId} revision ${b.revision} position ${b.position} 处校验失败 (${b.reason})`,
      );
    }
    if (manifest.eventLog && result.lastPosition !== manifest.eventLog.headPosition) {
      throw new BackupError(
        `备份已损坏，拒绝恢复：日志末位 ${result.lastPosition ?? '-'} 与清单 ${manifest.eventLog.headPosition ?? '-'} 不符`,
      );
    }
    process.stdout.write(
      `verify-log OK: ${result.events} events in ${result.streams} streams, last position ${result.lastPosition ?? '-'}\n`,
    );
  } catch (error) {
    await staged.close();
    await import('node:fs/promises').then((fs) => fs.rm(staging, { recursive: true, force: true }));
    throw error;
  }
  await staged.close();
  await removeSqliteSidecars(stagedLog);
  await replaceDataDir(staging, manifest, dataDir);

  const rebuilt = await rebuildAll(config);
  process.stdout.write(
    `OK: restored ${manifest.files.length} files from ${backupDir} into ${dataDir}; rebuilt ${rebuilt} projections (恢复完成)\n`,
  );
  return 0;
}

/** Rebuilds every projection from position 0 and waits until each new generation serves. */
async function rebuildAll(config: ReturnType<typeof loadConfigOrExit>): Promise<number> {
  const eventStore = await createEventStore(config);
  const readStore = await createReadModelStore(config);
  const engine = new ProjectionEngine(eventStore, readStore, allProjections, {
    owner: `restore-cli:${process.pid}`,
    // Progress stays quiet (one line is printed at the end); problems go to stderr.
    logger: {
      log: () => undefined,
      warn: (message: unknown) => process.stderr.write(`${String(message)}\n`),
      error: (message: unknown) => process.stderr.write(`${String(message)}\n`),
    },
  });
  try {
    await engine.start();
    const from = new Map<string, number>();
    for (const status of await engine.statuses()) {
      // The restored view may still be on its way to the head: wait until it serves, then rebuild it.
      while ((await engine.statuses()).find((s) => s.name === status.name)?.state === 'rebuilding') {
        await new Promise((r) => setTimeout(r, 50));
      }
      from.set(status.name, (await readStore.registration(status.name))?.generation ?? 0);
      await engine.rebuild(status.name);
    }
    for (;;) {
      const statuses = await engine.statuses();
      const failed = statuses.find((s) => s.failure);
      if (failed)
        throw new Error(
          `projection ${failed.name} failed at position ${failed.failure!.position}: ${failed.failure!.message}`,
        );
      if (statuses.every((s) => !s.rebuild && (s.activeGeneration ?? 0) > (from.get(s.name) ?? 0))) {
        return statuses.length;
      }
      await new Promise((r) => setTimeout(r, 50));
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
    process.stderr.write(`restore failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
