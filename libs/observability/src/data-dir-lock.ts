import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The file a running embedded server keeps in DATA_DIR, holding its process id. */
export const SERVER_PID_FILE = 'dukao-server.pid';

/**
 * Marks DATA_DIR as in use by this process (embedded mode), so that `npm run restore` refuses to
 * overwrite the files under a running server. Returns a function that removes the mark, if it is
 * still ours.
 */
export function markDataDirInUse(dataDir: string): () => void {
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, SERVER_PID_FILE);
  writeFileSync(file, `${process.pid}\n`);
  return () => {
    if (readPid(file) === process.pid) rmSync(file, { force: true });
  };
}

/** The id of a live process that holds DATA_DIR, or null (no mark, or its process is gone). */
export function dataDirHolder(dataDir: string): number | null {
  const pid = readPid(join(dataDir, SERVER_PID_FILE));
  if (pid === null) return null;
  try {
    process.kill(pid, 0);
    return pid;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else: still in use.
    return (error as NodeJS.ErrnoException).code === 'EPERM' ? pid : null;
  }
}

function readPid(file: string): number | null {
  try {
    const pid = Number(readFileSync(file, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}
