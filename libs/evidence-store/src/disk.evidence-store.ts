import { createHash, getHashes, randomUUID } from 'node:crypto';
import { link, mkdir, open, readFile, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import {
  EvidenceCorruptedError,
  type EvidenceRef,
  type EvidenceStore,
  type EvidenceUpload,
  assertEvidenceSize,
  isFileId,
  normalizeEvidenceName,
  resolveMediaType,
} from './evidence-store.port';

/** What `<sha256>.json` beside each file holds. The name is not stored: the same bytes are one file. */
interface Sidecar {
  sha256: string;
  sm3: string;
  size: number;
  mediaType: string;
}

export interface DiskEvidenceStoreOptions {
  /** The directory files go in, usually `<DATA_DIR>/evidence`. */
  root: string;
}

const FILE_MODE = 0o640;
const DIR_MODE = 0o750;
const TEMP_FILE = /^\..+\.tmp$/;
/** Errors of file systems without hard links; those publish with an existence check and rename. */
const NO_HARD_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EXDEV']);

const errorCode = (error: unknown): string | undefined => (error as NodeJS.ErrnoException | undefined)?.code;

/**
 * Stores evidence under `<root>/<aa>/<sha256>` with a sidecar `<sha256>.json`, `aa` being the first
 * two hex digits of the hash.
 *
 * Each file is written to a temporary file in the same directory, flushed to disk, then published
 * under its final name with `link` (which, unlike `rename`, never replaces a file already there), so
 * a reader sees the whole file or none of it, and a stored file is never rewritten. The bytes are
 * published before the sidecar and only the sidecar makes a file visible, so a crash in between
 * leaves bytes that the next upload of them completes. Temporary files a crash left behind are
 * removed by {@link DiskEvidenceStore.removeStaleTemporaryFiles}.
 */
export class DiskEvidenceStore implements EvidenceStore {
  readonly root: string;

  constructor(options: DiskEvidenceStoreOptions) {
    if (!getHashes().includes('sm3')) {
      throw new Error(
        'this Node.js build has no SM3 hash (OpenSSL without SM3); evidence files cannot be stored',
      );
    }
    this.root = options.root;
  }

  async put(upload: EvidenceUpload): Promise<EvidenceRef> {
    const { content } = upload;
    assertEvidenceSize(content.length);
    const mediaType = resolveMediaType(upload.mediaType, content);
    const name = normalizeEvidenceName(upload.name);
    const sha256 = createHash('sha256').update(content).digest('hex');

    const stored = await this.readSidecar(sha256);
    if (stored) return toRef(stored, name);

    const sm3 = createHash('sm3').update(content).digest('hex');
    const dir = await this.ensureDirectory(sha256);
    await publish(dir, sha256, content);
    const sidecar: Sidecar = { sha256, sm3, size: content.length, mediaType };
    await publish(dir, `${sha256}.json`, Buffer.from(`${JSON.stringify(sidecar)}\n`));
    await syncDirectory(dir);
    // A concurrent upload of the same bytes may have published its sidecar first: the stored one answers.
    return toRef((await this.readSidecar(sha256)) ?? sidecar, name);
  }

  async stat(fileId: string): Promise<EvidenceRef | null> {
    if (!isFileId(fileId)) return null;
    const sidecar = await this.readSidecar(fileId);
    return sidecar ? toRef(sidecar, fileId) : null;
  }

  async read(fileId: string): Promise<{ ref: EvidenceRef; content: Buffer } | null> {
    if (!isFileId(fileId)) return null;
    const sidecar = await this.readSidecar(fileId);
    if (!sidecar) return null;
    let content: Buffer;
    try {
      content = await readFile(this.contentPath(fileId));
    } catch (error) {
      if (errorCode(error) === 'ENOENT') throw new EvidenceCorruptedError(fileId);
      throw error;
    }
    if (content.length !== sidecar.size || createHash('sha256').update(content).digest('hex') !== fileId) {
      throw new EvidenceCorruptedError(fileId);
    }
    return { ref: toRef(sidecar, fileId), content };
  }

  /** Removes temporary files older than `olderThanMs` (left by a crash mid-write); returns how many. */
  async removeStaleTemporaryFiles(olderThanMs = 60 * 60 * 1000): Promise<number> {
    let removed = 0;
    let shards: string[];
    try {
      shards = (await readdir(this.root)).filter((entry) => /^[0-9a-f]{2}$/.test(entry));
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return 0;
      throw error;
    }
    const cutoff = Date.now() - olderThanMs;
    for (const shard of shards) {
      for (const entry of await readdir(join(this.root, shard))) {
        if (!TEMP_FILE.test(entry)) continue;
        const path = join(this.root, shard, entry);
        try {
          if ((await stat(path)).mtimeMs <= cutoff) {
            await rm(path, { force: true });
            removed += 1;
          }
        } catch (error) {
          if (errorCode(error) !== 'ENOENT') throw error;
        }
      }
    }
    return removed;
  }

  private directory(sha256: string): string {
    return join(this.root, sha256.slice(0, 2));
  }

  private contentPath(sha256: string): string {
    return join(this.directory(sha256), sha256);
  }

  private async ensureDirectory(sha256: string): Promise<string> {
    const dir = this.directory(sha256);
    const created = await mkdir(dir, { recursive: true, mode: DIR_MODE });
    // A new directory's own entry must reach the disk too.
    if (created !== undefined) await syncDirectory(this.root);
    return dir;
  }

  private async readSidecar(sha256: string): Promise<Sidecar | null> {
    let text: string;
    try {
      text = await readFile(join(this.directory(sha256), `${sha256}.json`), 'utf8');
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return null;
      throw error;
    }
    const sidecar = JSON.parse(text) as Partial<Sidecar>;
    if (
      sidecar.sha256 !== sha256 ||
      typeof sidecar.sm3 !== 'string' ||
      typeof sidecar.size !== 'number' ||
      typeof sidecar.mediaType !== 'string'
    ) {
      throw new EvidenceCorruptedError(sha256);
    }
    return { sha256, sm3: sidecar.sm3, size: sidecar.size, mediaType: sidecar.mediaType };
  }
}

function toRef(sidecar: Sidecar, name: string): EvidenceRef {
  return {
    fileId: sidecar.sha256,
    name,
    mediaType: sidecar.mediaType,
    size: sidecar.size,
    sha256: sidecar.sha256,
    sm3: sidecar.sm3,
  };
}

/**
 * Writes `bytes` to `<dir>/<name>` all at once or not at all, and never over a file already there:
 * a temporary file is written and flushed, then linked to its final name.
 */
async function publish(dir: string, name: string, bytes: Buffer): Promise<void> {
  const final = join(dir, name);
  const temp = join(dir, `.${name}.${randomUUID()}.tmp`);
  try {
    const handle = await open(temp, 'wx', FILE_MODE);
    try {
      await handle.writeFile(bytes);
      await handle.chmod(FILE_MODE); // whatever the umask
      await handle.sync();
    } finally {
      await handle.close();
    }
    try {
      await link(temp, final);
    } catch (error) {
      const code = errorCode(error);
      if (code === 'EEXIST') return; // stored already: the same bytes, as the name is their hash
      if (!code || !NO_HARD_LINKS.has(code)) throw error;
      if (!(await exists(final))) await rename(temp, final);
    }
  } finally {
    await rm(temp, { force: true });
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return false;
    throw error;
  }
}

/** Flushes a directory's entries (new names) to disk; a no-op where directories cannot be opened for it. */
async function syncDirectory(dir: string): Promise<void> {
  let handle;
  try {
    handle = await open(dir, 'r');
  } catch {
    return;
  }
  try {
    await handle.sync();
  } catch (error) {
    if (!['EINVAL', 'EPERM', 'EISDIR', 'EBADF'].includes(errorCode(error) ?? '')) throw error;
  } finally {
    await handle.close();
  }
}
