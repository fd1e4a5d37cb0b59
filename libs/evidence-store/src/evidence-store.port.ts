/**
 * The evidence-store port: files that units attach to progress reports (进度填报的佐证材料).
 *
 * Files are content-addressed: a file is named by the SHA-256 of its bytes (`fileId`), so the same
 * bytes are stored once however often, and by whomever, they are uploaded. A report event records
 * the {@link EvidenceRef} (both SHA-256 and SM3), which pins the exact bytes the report relied on.
 * The name a person gave the file belongs to the reference, not to the stored file.
 */

export type EvidenceRef = {
  /** The content hash (SHA-256, hex) that names the stored file. */
  fileId: string;
  name: string;
  mediaType: string;
  size: number;
  sha256: string;
  sm3: string;
};

export interface EvidenceUpload {
  /** The name the uploader gave the file; normalised by {@link normalizeEvidenceName}. */
  name: string;
  /** The media type the uploader declared; checked against the bytes by {@link resolveMediaType}. */
  mediaType: string;
  content: Buffer;
}

export interface EvidenceStore {
  /**
   * Checks and stores the bytes, once: the same bytes give the same `fileId` and are stored once.
   * Returns the reference with the given name. Refuses with {@link EvidenceRejectedError}.
   */
  put(upload: EvidenceUpload): Promise<EvidenceRef>;
  /** The stored file's reference (`name` is the fileId: names are not stored), or null. */
  stat(fileId: string): Promise<EvidenceRef | null>;
  /** The stored bytes, checked against their hash, or null. */
  read(fileId: string): Promise<{ ref: EvidenceRef; content: Buffer } | null>;
}

/** DI token for the evidence store. */
export const EVIDENCE_STORE = Symbol('EVIDENCE_STORE');

export const EVIDENCE_MEDIA_TYPES = {
  pdf: 'application/pdf',
  jpeg: 'image/jpeg',
  png: 'image/png',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  doc: 'application/msword',
  xls: 'application/vnd.ms-excel',
  /** 版式文档 OFD (GB/T 33190), ZIP-based. */
  ofd: 'application/ofd',
  zip: 'application/zip',
} as const;

export type EvidenceMediaType = (typeof EVIDENCE_MEDIA_TYPES)[keyof typeof EVIDENCE_MEDIA_TYPES];

export const EVIDENCE_LIMITS = {
  maxBytes: 20 * 1024 * 1024,
  mediaTypes: Object.values(EVIDENCE_MEDIA_TYPES) as readonly EvidenceMediaType[],
  /** Longest file name kept, in characters. */
  maxNameLength: 255,
} as const;

/** A fileId: the lower-case hex SHA-256 of the file. */
export const FILE_ID_PATTERN = /^[0-9a-f]{64}$/;
export const isFileId = (value: string): boolean => FILE_ID_PATTERN.test(value);

export type EvidenceRejectionCode =
  'EVIDENCE_MISSING' | 'EVIDENCE_TOO_LARGE' | 'EVIDENCE_TYPE_NOT_ALLOWED' | 'EVIDENCE_TYPE_MISMATCH';

/** An upload refused for what it is (empty, too large, a type not accepted, bytes not of the declared type). */
export class EvidenceRejectedError extends Error {
  constructor(
    readonly code: EvidenceRejectionCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'EvidenceRejectedError';
  }
}

/** Stored bytes that no longer match their hash: the store was tampered with or damaged. */
export class EvidenceCorruptedError extends Error {
  readonly code = 'EVIDENCE_CORRUPTED';
  constructor(readonly fileId: string) {
    super(`stored evidence ${fileId} does not match its hash`);
    this.name = 'EvidenceCorruptedError';
  }
}

const ALLOWED_NAMES = '允许的类型：PDF、JPEG、PNG、Word（doc/docx）、Excel（xls/xlsx）、OFD、ZIP';

/** Checks an upload's size; the store calls it, and so may a caller that wants to refuse early. */
export function assertEvidenceSize(size: number): void {
  if (size === 0) throw new EvidenceRejectedError('EVIDENCE_MISSING', '上传的文件为空');
  if (size > EVIDENCE_LIMITS.maxBytes) {
    throw new EvidenceRejectedError(
      'EVIDENCE_TOO_LARGE',
      `文件超过 ${EVIDENCE_LIMITS.maxBytes / 1024 / 1024} MB 上限`,
      {
        maxBytes: EVIDENCE_LIMITS.maxBytes,
        size,
      },
    );
  }
}

/** Other names clients send for the accepted types. */
const MEDIA_TYPE_ALIASES: Record<string, EvidenceMediaType> = {
  'image/jpg': EVIDENCE_MEDIA_TYPES.jpeg,
  'image/pjpeg': EVIDENCE_MEDIA_TYPES.jpeg,
  'application/x-pdf': EVIDENCE_MEDIA_TYPES.pdf,
  'application/x-zip-compressed': EVIDENCE_MEDIA_TYPES.zip,
  'application/vnd.ofd': EVIDENCE_MEDIA_TYPES.ofd,
};

/** Declarations that say nothing (browsers send these for extensions the OS does not know, e.g. .ofd). */
const UNDECLARED = new Set(['', 'application/octet-stream', 'binary/octet-stream']);

const ZIP_BASED: ReadonlySet<EvidenceMediaType> = new Set([
  EVIDENCE_MEDIA_TYPES.docx,
  EVIDENCE_MEDIA_TYPES.xlsx,
  EVIDENCE_MEDIA_TYPES.ofd,
]);

const isAllowed = (type: string): type is EvidenceMediaType =>
  (EVIDENCE_LIMITS.mediaTypes as readonly string[]).includes(type);

/** `Application/PDF; charset=binary` → `application/pdf`, aliases resolved. */
export function normalizeMediaType(declared: string): string {
  const bare = (declared.split(';')[0] ?? '').trim().toLowerCase();
  return MEDIA_TYPE_ALIASES[bare] ?? bare;
}

/**
 * The media type an upload is stored with. It follows from the bytes alone, so the same bytes always
 * get the same type: the declaration is only checked against them. A declaration that says nothing
 * (`application/octet-stream`) takes the detected type; `application/zip` accepts any ZIP, including
 * a docx, xlsx or OFD, which are then stored as what they are.
 */
export function resolveMediaType(declared: string, content: Buffer): EvidenceMediaType {
  const normalized = normalizeMediaType(declared);
  const detected = sniffMediaType(content);
  if (UNDECLARED.has(normalized)) {
    if (detected) return detected;
    throw new EvidenceRejectedError('EVIDENCE_TYPE_NOT_ALLOWED', `不支持该文件类型。${ALLOWED_NAMES}`, {
      allowed: EVIDENCE_LIMITS.mediaTypes,
    });
  }
  if (!isAllowed(normalized)) {
    throw new EvidenceRejectedError('EVIDENCE_TYPE_NOT_ALLOWED', `不支持该文件类型。${ALLOWED_NAMES}`, {
      declared: normalized,
      allowed: EVIDENCE_LIMITS.mediaTypes,
    });
  }
  if (detected === normalized) return detected;
  if (normalized === EVIDENCE_MEDIA_TYPES.zip && detected && ZIP_BASED.has(detected)) return detected;
  throw new EvidenceRejectedError(
    'EVIDENCE_TYPE_MISMATCH',
    '文件内容与声明的类型不符，请确认文件未损坏且扩展名正确',
    {
      declared: normalized,
      detected,
    },
  );
}

/**
 * The accepted type the bytes are, from their magic numbers and, for ZIP and OLE2 containers, the
 * names inside; null for anything else (including macro-enabled Office files and encrypted ones).
 */
export function sniffMediaType(content: Buffer): EvidenceMediaType | null {
  if (startsWith(content, [0x25, 0x50, 0x44, 0x46, 0x2d])) return EVIDENCE_MEDIA_TYPES.pdf; // %PDF-
  if (startsWith(content, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return EVIDENCE_MEDIA_TYPES.png;
  if (startsWith(content, [0xff, 0xd8, 0xff])) return EVIDENCE_MEDIA_TYPES.jpeg;
  if (startsWith(content, [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1])) return oleKind(content);
  if (startsWith(content, [0x50, 0x4b, 0x03, 0x04])) return zipKind(content);
  return null;
}

/**
 * Control characters, and the invisible format characters (zero-width, bidi embeddings and overrides)
 * that could make a name such as "报告<U+202E>fdp.exe" display as "报告exe.pdf".
 */
// eslint-disable-next-line no-control-regex
const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g;

/** The file name as kept: the last path segment, without control or bidi-override characters, at most 255 characters. */
export function normalizeEvidenceName(raw: string): string {
  const base = raw.normalize('NFC').split(/[/\\]/).pop() ?? '';
  const cleaned = base.replace(INVISIBLE, '').trim();
  const name = cleaned === '' || cleaned === '.' || cleaned === '..' ? '未命名文件' : cleaned;
  return Array.from(name).slice(0, EVIDENCE_LIMITS.maxNameLength).join('');
}

function startsWith(content: Buffer, magic: readonly number[]): boolean {
  return content.length >= magic.length && magic.every((byte, i) => content[i] === byte);
}

/** docx, xlsx, OFD or a plain ZIP, from the names in the central directory; null when it cannot be read. */
function zipKind(content: Buffer): EvidenceMediaType | null {
  const names = zipEntryNames(content);
  if (!names) return null;
  const has = (name: string) => names.includes(name);
  const under = (prefix: string) => names.some((n) => n.startsWith(prefix));
  if (has('[Content_Types].xml')) {
    if (names.some((n) => /vbaProject\.bin$/i.test(n))) return null; // macro-enabled (docm/xlsm)
    if (under('word/')) return EVIDENCE_MEDIA_TYPES.docx;
    if (under('xl/')) return EVIDENCE_MEDIA_TYPES.xlsx;
  }
  if (has('OFD.xml')) return EVIDENCE_MEDIA_TYPES.ofd;
  return EVIDENCE_MEDIA_TYPES.zip;
}

const EOCD = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_EOCD = 0x06064b50;
const CENTRAL_ENTRY = 0x02014b50;

/** The entry names of a ZIP's central directory (ZIP64 too), or null when it is not a readable ZIP. */
export function zipEntryNames(content: Buffer): string[] | null {
  let eocd = -1;
  for (let i = content.length - 22; i >= Math.max(0, content.length - 22 - 0xffff); i -= 1) {
    if (content.readUInt32LE(i) === EOCD) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) return null;
  let count = content.readUInt16LE(eocd + 10);
  let size = content.readUInt32LE(eocd + 12);
  let offset = content.readUInt32LE(eocd + 16);
  if (
    (count === 0xffff || size === 0xffffffff || offset === 0xffffffff) &&
    eocd >= 20 &&
    content.readUInt32LE(eocd - 20) === ZIP64_LOCATOR
  ) {
    const record = Number(content.readBigUInt64LE(eocd - 20 + 8));
    if (record + 56 > content.length || content.readUInt32LE(record) !== ZIP64_EOCD) return null;
    count = Number(content.readBigUInt64LE(record + 32));
    size = Number(content.readBigUInt64LE(record + 40));
    offset = Number(content.readBigUInt64LE(record + 48));
  }
  // Data prepended to the archive shifts every offset; the directory then ends where the EOCD starts.
  const atSignature = (p: number) =>
    p >= 0 && p + 46 <= content.length && content.readUInt32LE(p) === CENTRAL_ENTRY;
  let p = atSignature(offset) ? offset : eocd - size;
  if (count > 0 && !atSignature(p)) return null;
  const names: string[] = [];
  for (let i = 0; i < count; i += 1) {
    if (!atSignature(p)) return null;
    const nameLength = content.readUInt16LE(p + 28);
    const extraLength = content.readUInt16LE(p + 30);
    const commentLength = content.readUInt16LE(p + 32);
    if (p + 46 + nameLength > content.length) return null;
    names.push(content.toString('utf8', p + 46, p + 46 + nameLength));
    p += 46 + nameLength + extraLength + commentLength;
  }
  return names;
}

/** doc or xls from the streams at the root of an OLE2 compound file; null for other or unreadable ones. */
function oleKind(content: Buffer): EvidenceMediaType | null {
  const names = oleRootNames(content);
  if (!names) return null;
  if (names.includes('WordDocument')) return EVIDENCE_MEDIA_TYPES.doc;
  if (names.includes('Workbook') || names.includes('Book')) return EVIDENCE_MEDIA_TYPES.xls;
  return null;
}

const MAX_REGULAR_SECTOR = 0xfffffffa;
const FREE_SECTOR = 0xffffffff;

/**
 * The names of the entries directly under the root storage of an OLE2 compound file (MS-CFB), or
 * null when it cannot be read. Only the root's children count: a Word file with an embedded Excel
 * sheet has a "Workbook" stream too, inside its ObjectPool storage.
 */
export function oleRootNames(content: Buffer): string[] | null {
  if (content.length < 512) return null;
  const shift = content.readUInt16LE(0x1e);
  if (shift !== 9 && shift !== 12) return null;
  const sectorSize = 1 << shift;
  const perSector = sectorSize / 4;
  const sectorCount = Math.floor((content.length - sectorSize) / sectorSize) + 1;
  const sectorOffset = (sid: number) => (sid + 1) * sectorSize;
  const validSector = (sid: number) =>
    sid < MAX_REGULAR_SECTOR && sectorOffset(sid) + sectorSize <= content.length;

  // The FAT's own sectors: 109 in the header, the rest in a chain of DIFAT sectors.
  const fatSectors: number[] = [];
  for (let i = 0; i < 109; i += 1) {
    const sid = content.readUInt32LE(0x4c + i * 4);
    if (sid !== FREE_SECTOR) fatSectors.push(sid);
  }
  let difat = content.readUInt32LE(0x44);
  for (let hops = 0; validSector(difat) && hops < sectorCount; hops += 1) {
    const base = sectorOffset(difat);
    for (let i = 0; i < perSector - 1; i += 1) {
      const sid = content.readUInt32LE(base + i * 4);
      if (sid !== FREE_SECTOR) fatSectors.push(sid);
    }
    difat = content.readUInt32LE(base + (perSector - 1) * 4);
  }
  const next = (sid: number): number => {
    const fatSector = fatSectors[Math.floor(sid / perSector)];
    if (fatSector === undefined || !validSector(fatSector)) return FREE_SECTOR;
    return content.readUInt32LE(sectorOffset(fatSector) + (sid % perSector) * 4);
  };

  // The directory: 128-byte entries in the sector chain that starts at 0x30.
  const entries: Array<{ name: string; left: number; right: number; child: number }> = [];
  const seen = new Set<number>();
  for (let sid = content.readUInt32LE(0x30); validSector(sid) && !seen.has(sid); sid = next(sid)) {
    seen.add(sid);
    for (let at = sectorOffset(sid); at < sectorOffset(sid) + sectorSize; at += 128) {
      const nameLength = Math.min(content.readUInt16LE(at + 0x40), 64);
      entries.push({
        name: nameLength >= 2 ? content.toString('utf16le', at, at + nameLength - 2) : '',
        left: content.readUInt32LE(at + 0x44),
        right: content.readUInt32LE(at + 0x48),
        child: content.readUInt32LE(at + 0x4c),
      });
    }
  }
  const root = entries[0];
  if (!root) return null;
  // The root's children form a tree through their left and right siblings.
  const names: string[] = [];
  const visited = new Set<number>();
  const pending = [root.child];
  while (pending.length > 0) {
    const id = pending.pop()!;
    const entry = entries[id];
    if (!entry || visited.has(id)) continue;
    visited.add(id);
    names.push(entry.name);
    pending.push(entry.left, entry.right);
  }
  return names;
}
