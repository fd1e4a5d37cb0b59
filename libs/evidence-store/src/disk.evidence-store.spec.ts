import { createHash } from 'node:crypto';
import fsPromises from 'node:fs/promises';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DiskEvidenceStore } from './disk.evidence-store';
import {
  EVIDENCE_LIMITS,
  EVIDENCE_MEDIA_TYPES as T,
  EvidenceCorruptedError,
  EvidenceRejectedError,
  normalizeEvidenceName,
  oleRootNames,
  resolveMediaType,
  sniffMediaType,
  zipEntryNames,
} from './evidence-store.port';

// ---- sample files, built from their bytes ----

const pdf = (text = 'evidence') =>
  Buffer.from(
    `%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n% ${text}\ntrailer << /Root 1 0 R >>\n%%EOF\n`,
    'latin1',
  );
const png = () =>
  Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    Buffer.from('\0\0\0\rIHDR-rest-of-image'),
  ]);
const jpeg = () =>
  Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from('\0\x10JFIF\0-rest-of-image')]);

/** A stored (uncompressed) ZIP with the given entries, each holding its name as content. */
function zip(names: string[], prefix = Buffer.alloc(0)): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const name of names) {
    const n = Buffer.from(name, 'utf8');
    const data = n;
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(n.length, 26);
    locals.push(local, n, data);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(n.length, 28);
    central.writeUInt32LE(offset, 42);
    centrals.push(central, n);
    offset += 30 + n.length + data.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(names.length, 8);
  end.writeUInt16LE(names.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([prefix, ...locals, directory, end]);
}

function crc32(data: Buffer): number {
  let crc = 0xffffffff;
  for (const byte of data) {
    crc ^= byte;
    for (let k = 0; k < 8; k += 1) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1));
  }
  return (crc ^ 0xffffffff) >>> 0;
}

const docx = () => zip(['[Content_Types].xml', '_rels/.rels', 'word/document.xml']);
const xlsx = () => zip(['[Content_Types].xml', '_rels/.rels', 'xl/workbook.xml', 'xl/worksheets/sheet1.xml']);
const ofd = () => zip(['OFD.xml', 'Doc_0/Document.xml']);

const NONE = 0xffffffff;
type DirEntry = { name: string; type: 1 | 2 | 5; left?: number; right?: number; child?: number };

/** A minimal OLE2 compound file (512-byte sectors): header, one FAT sector, one directory sector. */
function cfb(entries: DirEntry[]): Buffer {
  const file = Buffer.alloc(512 * 3);
  Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]).copy(file, 0);
  file.writeUInt16LE(0x3e, 0x18);
  file.writeUInt16LE(3, 0x1a);
  file.writeUInt16LE(0xfffe, 0x1c);
  file.writeUInt16LE(9, 0x1e);
  file.writeUInt16LE(6, 0x20);
  file.writeUInt32LE(1, 0x2c); // FAT sectors
  file.writeUInt32LE(1, 0x30); // first directory sector
  file.writeUInt32LE(4096, 0x38);
  file.writeUInt32LE(0xfffffffe, 0x3c);
  file.writeUInt32LE(0xfffffffe, 0x44);
  for (let i = 0; i < 109; i += 1) file.writeUInt32LE(i === 0 ? 0 : NONE, 0x4c + i * 4);
  const fat = 512;
  for (let i = 0; i < 128; i += 1) file.writeUInt32LE(NONE, fat + i * 4);
  file.writeUInt32LE(0xfffffffd, fat); // sector 0 is the FAT
  file.writeUInt32LE(0xfffffffe, fat + 4); // sector 1, the directory, ends its chain
  const dir = 1024;
  for (let i = 0; i < 4; i += 1) {
    const at = dir + i * 128;
    const entry = entries[i];
    file.writeUInt32LE(entry?.left ?? NONE, at + 0x44);
    file.writeUInt32LE(entry?.right ?? NONE, at + 0x48);
    file.writeUInt32LE(entry?.child ?? NONE, at + 0x4c);
    if (!entry) continue;
    file.write(entry.name, at, 'utf16le');
    file.writeUInt16LE((entry.name.length + 1) * 2, at + 0x40);
    file.writeUInt8(entry.type, at + 0x42);
    file.writeUInt8(1, at + 0x43);
  }
  return file;
}

const doc = () =>
  cfb([
    { name: 'Root Entry', type: 5, child: 1 },
    { name: 'WordDocument', type: 2, right: 2 },
    { name: '1Table', type: 2 },
  ]);
const xls = () =>
  cfb([
    { name: 'Root Entry', type: 5, child: 1 },
    { name: 'Workbook', type: 2 },
  ]);

const sha256 = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex');
const sm3 = (bytes: Buffer | string) => createHash('sm3').update(bytes).digest('hex');

const rejection = async (promise: Promise<unknown>) => {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(EvidenceRejectedError);
  return error as EvidenceRejectedError;
};

// ---- the store ----

const dirs: string[] = [];
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

let root: string;
let store: DiskEvidenceStore;
beforeEach(() => {
  const dir = mkdtempSync(join(tmpdir(), 'dukao-evidence-'));
  dirs.push(dir);
  root = join(dir, 'evidence');
  store = new DiskEvidenceStore({ root });
});
afterEach(() => jest.restoreAllMocks());

/** Every file under the root, relative to it. */
const filesUnder = (dir: string): string[] =>
  existsSync(dir)
    ? readdirSync(dir, { recursive: true, encoding: 'utf8' })
        .filter((p) => statSync(join(dir, p)).isFile())
        .sort()
    : [];

describe('hashes', () => {
  it('has SM3 as in GB/T 32905-2016 (appendix A test vectors)', () => {
    expect(sm3('abc')).toBe('66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0');
    expect(sm3('abcd'.repeat(16))).toBe('debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732');
  });

  it('names the file by its SHA-256 and records SHA-256 and SM3 of the bytes', async () => {
    const bytes = pdf();
    const ref = await store.put({ name: '一季度进度.pdf', mediaType: 'application/pdf', content: bytes });
    expect(ref).toEqual({
      fileId: sha256(bytes),
      name: '一季度进度.pdf',
      mediaType: 'application/pdf',
      size: bytes.length,
      sha256: sha256(bytes),
      sm3: sm3(bytes),
    });
  });
});

describe('content addressing', () => {
  it('stores the bytes at <aa>/<sha256> with a sidecar, mode 0640, without the name', async () => {
    const bytes = pdf();
    const ref = await store.put({ name: 'a.pdf', mediaType: 'application/pdf', content: bytes });
    const id = ref.fileId;
    expect(filesUnder(root)).toEqual([join(id.slice(0, 2), id), join(id.slice(0, 2), `${id}.json`)]);
    expect(readFileSync(join(root, id.slice(0, 2), id))).toEqual(bytes);
    const sidecar = JSON.parse(readFileSync(join(root, id.slice(0, 2), `${id}.json`), 'utf8'));
    expect(sidecar).toEqual({
      sha256: id,
      sm3: sm3(bytes),
      size: bytes.length,
      mediaType: 'application/pdf',
    });
    for (const file of filesUnder(root)) expect(statSync(join(root, file)).mode & 0o777).toBe(0o640);
  });

  it('stores the same bytes once, answering each upload with its own name', async () => {
    const bytes = pdf();
    const first = await store.put({ name: '报告.pdf', mediaType: 'application/pdf', content: bytes });
    const path = join(root, first.fileId.slice(0, 2), first.fileId);
    const before = statSync(path);
    const second = await store.put({
      name: 'copy of report.pdf',
      mediaType: 'application/pdf',
      content: Buffer.from(bytes),
    });
    expect(second).toEqual({ ...first, name: 'copy of report.pdf' });
    expect(filesUnder(root)).toHaveLength(2);
    const after = statSync(path);
    expect([after.ino, after.mtimeMs]).toEqual([before.ino, before.mtimeMs]);
  });

  it('gives different bytes different files', async () => {
    const a = await store.put({ name: 'a.pdf', mediaType: 'application/pdf', content: pdf('a') });
    const b = await store.put({ name: 'b.pdf', mediaType: 'application/pdf', content: pdf('b') });
    expect(a.fileId).not.toBe(b.fileId);
    expect(filesUnder(root)).toHaveLength(4);
  });

  it('keeps the type the bytes are, whatever a later upload of them declares', async () => {
    const bytes = docx();
    const asZip = await store.put({ name: 'a.zip', mediaType: 'application/zip', content: bytes });
    expect(asZip.mediaType).toBe(T.docx);
    const asDocx = await store.put({ name: 'a.docx', mediaType: T.docx, content: bytes });
    expect(asDocx.mediaType).toBe(T.docx);
  });

  it('reads back the bytes and the reference; stat names the file by its id', async () => {
    const bytes = png();
    const ref = await store.put({ name: '现场照片.png', mediaType: 'image/png', content: bytes });
    const read = await store.read(ref.fileId);
    expect(read?.content).toEqual(bytes);
    expect(read?.ref).toEqual({ ...ref, name: ref.fileId });
    expect(await store.stat(ref.fileId)).toEqual({ ...ref, name: ref.fileId });
  });

  it('answers null for unknown and malformed ids without touching other paths', async () => {
    expect(await store.stat(sha256('nothing'))).toBeNull();
    expect(await store.read(sha256('nothing'))).toBeNull();
    for (const id of [
      '../../etc/passwd',
      sha256('x').toUpperCase(),
      `${sha256('x')}.json`,
      '',
      'a'.repeat(65),
    ]) {
      expect(await store.stat(id)).toBeNull();
      expect(await store.read(id)).toBeNull();
    }
  });

  it('refuses to hand out bytes that no longer match their hash', async () => {
    const ref = await store.put({ name: 'a.pdf', mediaType: 'application/pdf', content: pdf() });
    const path = join(root, ref.fileId.slice(0, 2), ref.fileId);
    rmSync(path);
    writeFileSync(path, pdf('tampered'));
    await expect(store.read(ref.fileId)).rejects.toBeInstanceOf(EvidenceCorruptedError);
    rmSync(path);
    await expect(store.read(ref.fileId)).rejects.toBeInstanceOf(EvidenceCorruptedError);
  });
});

describe('refusals', () => {
  it('refuses an empty file and one over the limit, storing nothing', async () => {
    expect(
      (await rejection(store.put({ name: 'a.pdf', mediaType: 'application/pdf', content: Buffer.alloc(0) })))
        .code,
    ).toBe('EVIDENCE_MISSING');
    const big = Buffer.alloc(EVIDENCE_LIMITS.maxBytes + 1);
    pdf().copy(big);
    const tooLarge = await rejection(
      store.put({ name: 'big.pdf', mediaType: 'application/pdf', content: big }),
    );
    expect(tooLarge.code).toBe('EVIDENCE_TOO_LARGE');
    expect(tooLarge.message).toMatch(/20 MB/);
    expect(filesUnder(root)).toEqual([]);
  });

  it('accepts exactly the limit', async () => {
    const max = Buffer.alloc(EVIDENCE_LIMITS.maxBytes);
    pdf().copy(max);
    const ref = await store.put({ name: 'max.pdf', mediaType: 'application/pdf', content: max });
    expect(ref.size).toBe(EVIDENCE_LIMITS.maxBytes);
  });

  it('refuses a type not accepted, and bytes that are not the declared type', async () => {
    const notAllowed = await rejection(
      store.put({ name: 'a.txt', mediaType: 'text/plain', content: Buffer.from('hello') }),
    );
    expect(notAllowed.code).toBe('EVIDENCE_TYPE_NOT_ALLOWED');
    expect(notAllowed.message).toMatch(/不支持/);
    const exe = await rejection(
      store.put({ name: 'a.exe', mediaType: 'application/octet-stream', content: Buffer.from('MZ\x90\0') }),
    );
    expect(exe.code).toBe('EVIDENCE_TYPE_NOT_ALLOWED');
    const mismatch = await rejection(
      store.put({ name: 'a.pdf', mediaType: 'application/pdf', content: png() }),
    );
    expect(mismatch).toMatchObject({
      code: 'EVIDENCE_TYPE_MISMATCH',
      details: { declared: 'application/pdf', detected: 'image/png' },
    });
    expect(mismatch.message).toMatch(/不符/);
    expect(filesUnder(root)).toEqual([]);
  });
});

describe('sniffing the type from the bytes', () => {
  it.each([
    ['pdf', pdf(), T.pdf],
    ['png', png(), T.png],
    ['jpeg', jpeg(), T.jpeg],
    ['docx', docx(), T.docx],
    ['xlsx', xlsx(), T.xlsx],
    ['ofd', ofd(), T.ofd],
    ['zip', zip(['a.txt', 'b/c.jpg']), T.zip],
    ['doc', doc(), T.doc],
    ['xls', xls(), T.xls],
    [
      'BIFF5 xls',
      cfb([
        { name: 'Root Entry', type: 5, child: 1 },
        { name: 'Book', type: 2 },
      ]),
      T.xls,
    ],
  ])('recognises %s', (_label, bytes, type) => {
    expect(sniffMediaType(bytes)).toBe(type);
    expect(resolveMediaType(type, bytes)).toBe(type);
    expect(resolveMediaType('application/octet-stream', bytes)).toBe(type);
  });

  it.each([
    ['text', Buffer.from('just some text')],
    ['gif', Buffer.from('GIF89a......')],
    ['exe', Buffer.from('MZ\x90\0\x03\0\0\0')],
    ['rtf saved as .doc', Buffer.from('{\\rtf1\\ansi 报告}')],
    ['truncated pdf magic', Buffer.from('%PD')],
    ['zip without a central directory', Buffer.from('PK\x03\x04 broken')],
    ['macro-enabled Word (docm)', zip(['[Content_Types].xml', 'word/document.xml', 'word/vbaProject.bin'])],
    [
      'PowerPoint 97 (OLE2)',
      cfb([
        { name: 'Root Entry', type: 5, child: 1 },
        { name: 'PowerPoint Document', type: 2 },
      ]),
    ],
    [
      'encrypted OOXML (OLE2)',
      cfb([
        { name: 'Root Entry', type: 5, child: 1 },
        { name: 'EncryptedPackage', type: 2 },
      ]),
    ],
    ['OLE2 header only', cfb([]).subarray(0, 100)],
    ['empty', Buffer.alloc(0)],
  ])('recognises nothing in %s', (_label, bytes) => {
    expect(sniffMediaType(bytes)).toBeNull();
  });

  it('looks only at the root of an OLE2 file: a Word file with an embedded sheet stays a Word file', () => {
    const embedded = cfb([
      { name: 'Root Entry', type: 5, child: 1 },
      { name: 'ObjectPool', type: 1, child: 2, right: 3 },
      { name: 'Workbook', type: 2 },
      { name: 'WordDocument', type: 2 },
    ]);
    expect(oleRootNames(embedded)?.sort()).toEqual(['ObjectPool', 'WordDocument']);
    expect(sniffMediaType(embedded)).toBe(T.doc);
  });

  it('reads the central directory of a ZIP with data before it (self-extracting style)', () => {
    const shifted = zip(['[Content_Types].xml', 'xl/workbook.xml'], Buffer.from('stub'));
    expect(zipEntryNames(shifted)).toEqual(['[Content_Types].xml', 'xl/workbook.xml']);
  });

  it('tolerates parameters, case and the usual aliases in the declared type', () => {
    expect(resolveMediaType('Application/PDF; charset=binary', pdf())).toBe(T.pdf);
    expect(resolveMediaType('image/jpg', jpeg())).toBe(T.jpeg);
    expect(resolveMediaType('image/pjpeg', jpeg())).toBe(T.jpeg);
    expect(resolveMediaType('application/x-zip-compressed', zip(['a.txt']))).toBe(T.zip);
    expect(resolveMediaType('', ofd())).toBe(T.ofd);
  });

  it('lets a declared ZIP be any ZIP-based type, but no narrower type be another', () => {
    expect(resolveMediaType(T.zip, docx())).toBe(T.docx);
    expect(resolveMediaType(T.zip, ofd())).toBe(T.ofd);
    const cases: Array<[string, Buffer]> = [
      [T.docx, xlsx()],
      [T.xlsx, docx()],
      [T.docx, zip(['a.txt'])],
      [T.ofd, zip(['a.txt'])],
      [T.doc, xls()],
      [T.xls, doc()],
      [T.zip, pdf()],
      [T.jpeg, png()],
      [T.pdf, Buffer.from('not a pdf')],
    ];
    for (const [declared, bytes] of cases) {
      expect(() => resolveMediaType(declared, bytes)).toThrow(
        expect.objectContaining({ code: 'EVIDENCE_TYPE_MISMATCH' }),
      );
    }
    expect(() => resolveMediaType('image/gif', Buffer.from('GIF89a'))).toThrow(
      expect.objectContaining({ code: 'EVIDENCE_TYPE_NOT_ALLOWED' }),
    );
    expect(() => resolveMediaType('text/html', pdf())).toThrow(
      expect.objectContaining({ code: 'EVIDENCE_TYPE_NOT_ALLOWED' }),
    );
  });
});

describe('names', () => {
  it('keeps Chinese names and drops paths, control and bidi-override characters', () => {
    expect(normalizeEvidenceName('2026年一季度工作进度（盖章版）.pdf')).toBe(
      '2026年一季度工作进度（盖章版）.pdf',
    );
    expect(normalizeEvidenceName('C:\\fakepath\\报告.pdf')).toBe('报告.pdf');
    expect(normalizeEvidenceName('../../etc/passwd')).toBe('passwd');
    expect(normalizeEvidenceName('发票\u202efdp.exe')).toBe('发票fdp.exe');
    expect(normalizeEvidenceName('a\u0000b\n.pdf')).toBe('ab.pdf');
    expect(normalizeEvidenceName('  ')).toBe('未命名文件');
    expect(normalizeEvidenceName('..')).toBe('未命名文件');
    expect(Array.from(normalizeEvidenceName('长'.repeat(400)))).toHaveLength(EVIDENCE_LIMITS.maxNameLength);
  });
});

describe('concurrency and crash safety', () => {
  it('stores concurrent uploads of the same bytes once and answers each the same', async () => {
    const bytes = pdf('concurrent');
    const refs = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        store.put({ name: `copy-${i}.pdf`, mediaType: 'application/pdf', content: Buffer.from(bytes) }),
      ),
    );
    expect(new Set(refs.map((r) => r.fileId))).toEqual(new Set([sha256(bytes)]));
    expect(refs.map((r) => r.name)).toEqual(Array.from({ length: 12 }, (_, i) => `copy-${i}.pdf`));
    expect(filesUnder(root)).toHaveLength(2); // the file and its sidecar; no temporary files left
    expect((await store.read(sha256(bytes)))?.content).toEqual(bytes);
  });

  it('shows no file until it is complete: bytes go to a flushed temporary file, then are linked into place', async () => {
    const bytes = pdf('crash');
    const id = sha256(bytes);
    const finalPath = join(root, id.slice(0, 2), id);
    const realLink = fsPromises.link;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let reached!: (temp: string) => void;
    const atPublish = new Promise<string>((resolve) => (reached = resolve));
    const spy = jest.spyOn(fsPromises, 'link').mockImplementation(async (temp, final) => {
      reached(String(temp));
      await gate;
      return realLink(temp, final);
    });

    const putting = store.put({ name: 'a.pdf', mediaType: 'application/pdf', content: bytes });
    const temp = await atPublish;
    // The process could stop here: the whole file sits under a temporary name, nothing under the final one.
    expect(temp).toMatch(new RegExp(`/\\.${id}\\.[0-9a-f-]{36}\\.tmp$`));
    expect(readFileSync(temp)).toEqual(bytes);
    expect(existsSync(finalPath)).toBe(false);
    expect(await store.stat(id)).toBeNull();
    expect(await store.read(id)).toBeNull();

    release();
    await putting;
    expect(spy).toHaveBeenCalledTimes(2); // the bytes, then the sidecar
    expect(readFileSync(finalPath)).toEqual(bytes);
    expect(existsSync(temp)).toBe(false);
  });

  it('leaves nothing visible when publishing fails, and cleans its temporary file', async () => {
    jest
      .spyOn(fsPromises, 'link')
      .mockRejectedValueOnce(Object.assign(new Error('EIO: i/o error, link'), { code: 'EIO' }));
    const bytes = pdf('failing');
    await expect(store.put({ name: 'a.pdf', mediaType: 'application/pdf', content: bytes })).rejects.toThrow(
      /EIO/,
    );
    expect(filesUnder(root)).toEqual([]);
    expect(await store.stat(sha256(bytes))).toBeNull();
    jest.restoreAllMocks();
    expect((await store.put({ name: 'a.pdf', mediaType: 'application/pdf', content: bytes })).fileId).toBe(
      sha256(bytes),
    );
  });

  it('completes bytes a crash left without a sidecar, and never rewrites them', async () => {
    const bytes = pdf('half-done');
    const id = sha256(bytes);
    const dir = join(root, id.slice(0, 2));
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, id), bytes, { mode: 0o640 });
    const inode = statSync(join(dir, id)).ino;
    expect(await store.stat(id)).toBeNull(); // only the sidecar makes a file visible
    const ref = await store.put({ name: 'a.pdf', mediaType: 'application/pdf', content: bytes });
    expect(ref.sm3).toBe(sm3(bytes));
    expect(statSync(join(dir, id)).ino).toBe(inode);
    expect(await store.stat(id)).toMatchObject({ fileId: id, size: bytes.length });
  });

  it('falls back to check-then-rename where the file system has no hard links', async () => {
    jest
      .spyOn(fsPromises, 'link')
      .mockRejectedValue(Object.assign(new Error('EPERM: operation not permitted, link'), { code: 'EPERM' }));
    const bytes = pdf('no links');
    const ref = await store.put({ name: 'a.pdf', mediaType: 'application/pdf', content: bytes });
    expect((await store.read(ref.fileId))?.content).toEqual(bytes);
    await store.put({ name: 'b.pdf', mediaType: 'application/pdf', content: bytes });
    expect(filesUnder(root)).toHaveLength(2);
  });

  it('removes temporary files a crash left behind once they are old', async () => {
    const ref = await store.put({ name: 'a.pdf', mediaType: 'application/pdf', content: pdf() });
    const dir = join(root, ref.fileId.slice(0, 2));
    const stale = join(dir, `.${'b'.repeat(64)}.00000000-0000-4000-8000-000000000000.tmp`);
    const fresh = join(dir, `.${'c'.repeat(64)}.00000000-0000-4000-8000-000000000001.tmp`);
    writeFileSync(stale, 'partial');
    writeFileSync(fresh, 'in progress');
    const hourAgo = (Date.now() - 2 * 60 * 60 * 1000) / 1000;
    utimesSync(stale, hourAgo, hourAgo);
    expect(await store.removeStaleTemporaryFiles()).toBe(1);
    expect(existsSync(stale)).toBe(false);
    expect(existsSync(fresh)).toBe(true);
    expect(await store.stat(ref.fileId)).not.toBeNull();
    expect(await new DiskEvidenceStore({ root: join(root, 'absent') }).removeStaleTemporaryFiles()).toBe(0);
  });
});
