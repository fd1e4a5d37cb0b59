import { createHash } from 'node:crypto';
import {
  closeSync,
  createReadStream,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  readdirSync,
  statSync,
} from 'node:fs';
import { chmod, copyFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import Database from 'better-sqlite3';
import { SERVER_PID_FILE } from './data-dir-lock';

/**
 * Backups of an embedded DATA_DIR. Every file is taken, so that files added later are not missed:
 * the SQLite databases (recognised by their header: today `events.sqlite`, `read-models.sqlite`,
 * `jobs.sqlite`, `sms-outbox.sqlite`, `sms-ledger.sqlite`) through SQLite's online backup, which
 * gives a consistent copy of each while the server writes to it; everything else (the keys
 * `jwt-secret` and `audit-signing-key.pem`, the `evidence/` files, which are never rewritten) by
 * copying. Left out: SQLite's `-wal`/`-shm`/`-journal` files (the online backup includes what they
 * hold), the server's pid file, and temporary files.
 *
 * The event log is copied last, so it holds at least every event the other copies depend on (an
 * `SmsSent` is appended before the SMS ledger marks the message sent; views are rebuilt from it).
 */
export const MANIFEST = 'manifest.json';
export const EVENT_LOG_FILE = 'events.sqlite';
const FORMAT = 'dukao-backup';
const SQLITE_HEADER = Buffer.from('SQLite format 3\0', 'latin1');
const SKIPPED = /(-wal|-shm|-journal)$|(^|[/\\])\.[^/\\]*\.tmp$/;

export interface BackupFile {
  /** Relative to DATA_DIR, with `/`. */
  path: string;
  kind: 'sqlite' | 'file';
  size: number;
  sha256: string;
}

export interface BackupManifest {
  format: typeof FORMAT;
  version: 1;
  createdAt: string;
  /** The log's head when it was copied, and how many events it holds (filled in by the caller). */
  eventLog: { headPosition: number | null; events: number } | null;
  files: BackupFile[];
}

/** Copies every file of `dataDir` into the new directory `outDir` (mode 0700: it holds keys). */
export async function copyDataDir(dataDir: string, outDir: string): Promise<BackupFile[]> {
  if (existsSync(outDir) && readdirSync(outDir).length > 0) {
    throw new BackupError(`备份目录 ${outDir} 已存在且不为空 (the backup directory must be new or empty)`);
  }
  mkdirSync(outDir, { recursive: true, mode: 0o700 });
  await chmod(outDir, 0o700);
  const paths = listFiles(dataDir).filter((path) => !SKIPPED.test(path) && path !== SERVER_PID_FILE);
  // The log last (see above).
  paths.sort((a, b) => Number(a === EVENT_LOG_FILE) - Number(b === EVENT_LOG_FILE) || a.localeCompare(b));
  const kinds = new Map<string, BackupFile['kind']>();
  for (const path of paths) {
    const from = join(dataDir, path);
    const to = join(outDir, path);
    mkdirSync(dirname(to), { recursive: true, mode: 0o700 });
    if (isSqlite(from)) {
      const db = new Database(from, { fileMustExist: true });
      try {
        db.pragma('busy_timeout = 5000');
        await db.backup(to);
      } finally {
        db.close();
      }
      clearLeases(to);
      kinds.set(path, 'sqlite');
    } else {
      await copyFile(from, to);
      kinds.set(path, 'file');
    }
  }
  return [...kinds].map(([path, kind]) => ({ path, kind, size: 0, sha256: '' }));
}

/** Sizes and SHA-256 of the files of a backup, once nothing will open them any more. */
export async function describeFiles(dir: string, files: readonly BackupFile[]): Promise<BackupFile[]> {
  return Promise.all(
    files.map(async (file) => ({
      ...file,
      size: statSync(join(dir, file.path)).size,
      sha256: await sha256Of(join(dir, file.path)),
    })),
  );
}

export async function writeManifest(dir: string, manifest: BackupManifest): Promise<void> {
  await writeFile(join(dir, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`, { mode: 0o600 });
}

/**
 * Reads a backup's manifest and checks every file against it (present, same size, same SHA-256) and
 * every SQLite file with `PRAGMA integrity_check`, without changing anything. Throws a
 * {@link BackupError} naming each problem.
 */
export async function checkBackup(dir: string): Promise<BackupManifest> {
  let manifest: BackupManifest;
  try {
    manifest = JSON.parse(readFileSync(join(dir, MANIFEST), 'utf8')) as BackupManifest;
  } catch (error) {
    throw new BackupError(
      `${dir} 不是有效的备份：无法读取 ${MANIFEST} (${error instanceof Error ? error.message : String(error)})`,
    );
  }
  if (manifest?.format !== FORMAT || manifest.version !== 1 || !Array.isArray(manifest.files)) {
    throw new BackupError(`${dir} 不是督考备份（${MANIFEST} 格式不符）`);
  }
  const problems: string[] = [];
  for (const file of manifest.files) {
    const path = join(dir, file.path);
    if (relative(dir, path).startsWith('..') || !existsSync(path)) {
      problems.push(`${file.path}: 文件缺失 (missing)`);
      continue;
    }
    const size = statSync(path).size;
    if (size !== file.size) {
      problems.push(`${file.path}: 大小不符 (size ${size}, manifest ${file.size})`);
      continue;
    }
    if ((await sha256Of(path)) !== file.sha256) {
      problems.push(`${file.path}: 校验和不符 (SHA-256 differs from the manifest)`);
      continue;
    }
    if (file.kind === 'sqlite') {
      const problem = integrityProblem(path);
      if (problem) problems.push(`${file.path}: SQLite 完整性检查失败 (${problem})`);
    }
  }
  if (!manifest.files.some((f) => f.path === EVENT_LOG_FILE && f.kind === 'sqlite')) {
    problems.push(`${EVENT_LOG_FILE}: 备份中没有事件日志 (no event log in the backup)`);
  }
  if (problems.length > 0) {
    throw new BackupError(
      `备份已损坏，拒绝恢复 (the backup is corrupted):\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    );
  }
  return manifest;
}

/** Copies the backup's files into `stagingDir` (to verify there before anything is replaced). */
export async function stageBackup(
  backupDir: string,
  manifest: BackupManifest,
  stagingDir: string,
): Promise<void> {
  await rm(stagingDir, { recursive: true, force: true });
  mkdirSync(stagingDir, { recursive: true, mode: 0o700 });
  for (const file of manifest.files) {
    mkdirSync(dirname(join(stagingDir, file.path)), { recursive: true, mode: 0o700 });
    await copyFile(join(backupDir, file.path), join(stagingDir, file.path));
  }
  // Keys keep their owner-only mode.
  for (const file of manifest.files)
    if (file.kind === 'file') await chmod(join(stagingDir, file.path), 0o600);
}

/**
 * Moves the staged files over `dataDir`: each SQLite file's old `-wal`/`-shm` go first (an old WAL
 * beside a new database would corrupt it), and each top-level entry of the backup replaces the
 * one in DATA_DIR (so `evidence/` holds exactly the backup's files).
 */
export async function replaceDataDir(
  stagingDir: string,
  manifest: BackupManifest,
  dataDir: string,
): Promise<void> {
  mkdirSync(dataDir, { recursive: true });
  const top = new Set(manifest.files.map((f) => f.path.split('/')[0]!));
  for (const name of top) {
    for (const suffix of ['', '-wal', '-shm', '-journal']) {
      await rm(join(dataDir, `${name}${suffix}`), { recursive: true, force: true });
    }
    await rename(join(stagingDir, name), join(dataDir, name));
  }
  await rm(stagingDir, { recursive: true, force: true });
}

/** Removes the files SQLite leaves beside a database it had open (after a read-only look at a copy). */
export async function removeSqliteSidecars(file: string): Promise<void> {
  for (const suffix of ['-wal', '-shm', '-journal']) await rm(`${file}${suffix}`, { force: true });
}

export class BackupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BackupError';
  }
}

function listFiles(root: string, under = ''): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(join(root, under), { withFileTypes: true })) {
    const path = under ? `${under}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...listFiles(root, path));
    else if (entry.isFile()) out.push(path);
  }
  return out.map((p) => p.split(sep).join('/'));
}

/**
 * Projection and reactor leases name processes of the source (`host:pid:…`): in a copy they would
 * only keep the restored server waiting for them to expire.
 */
function clearLeases(file: string): void {
  const db = new Database(file, { fileMustExist: true });
  try {
    const table = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'rm_leases'").get();
    if (table) db.exec('DELETE FROM rm_leases');
  } finally {
    db.close();
  }
}

function isSqlite(file: string): boolean {
  const header = Buffer.alloc(SQLITE_HEADER.length);
  const fd = openSync(file, 'r');
  try {
    readSync(fd, header, 0, header.length, 0);
  } finally {
    closeSync(fd);
  }
  return header.equals(SQLITE_HEADER);
}

function integrityProblem(file: string): string | null {
  let db: Database.Database | null = null;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
    const rows = db.pragma('integrity_check') as Array<{ integrity_check: string }>;
    const bad = rows.map((r) => r.integrity_check).filter((r) => r !== 'ok');
    return bad.length ? bad.slice(0, 3).join('; ') : null;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  } finally {
    db?.close();
  }
}

async function sha256Of(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
