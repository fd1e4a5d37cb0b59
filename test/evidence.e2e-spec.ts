import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Response } from 'superagent';
import { EmbeddedApp, type Session, bearer } from './support/embedded-app';

/**
 * Evidence files (佐证材料): upload by multipart/form-data, named by content hash, downloaded as stored.
 * Needs `EvidenceStoreModule` and `EvidenceController` registered in apps/api/src/app.module.ts.
 */

const MiB = 1024 * 1024;
const PDF = Buffer.from(
  '%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n' +
    'trailer << /Root 1 0 R >>\n%%EOF\n',
  'latin1',
);
const PNG = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  Buffer.from('\0\0\0\rIHDR-image'),
]);
const CHINESE_NAME = '2026年一季度工作进度（盖章版）.pdf';

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const sm3 = (bytes: Buffer) => createHash('sm3').update(bytes).digest('hex');

/** Collects a binary body whatever its type (superagent only buffers text and JSON by default). */
const binary = (res: Response, callback: (error: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (chunk: Buffer) => chunks.push(chunk));
  res.on('end', () => callback(null, Buffer.concat(chunks)));
};

describe('evidence files (佐证材料)', () => {
  let dukao: EmbeddedApp;
  let staff: Session;
  let auditor: Session;
  let inspector: Session;
  let leader: Session;

  const upload = (session: Session | null, content: Buffer, filename: string, contentType: string) => {
    const req = dukao.http().post('/evidence');
    if (session) req.set(bearer(session));
    return req.attach('file', content, { filename, contentType });
  };

  beforeAll(async () => {
    dukao = await EmbeddedApp.start();
    const system = await dukao.administrator('systemAdmin');
    const security = await dukao.administrator('securityAdmin');
    auditor = await dukao.administrator('auditor');
    const admins = { system, security };
    staff = await dukao.user(admins, 'e-staff', [{ role: 'unitStaff', unitIds: ['town-a'] }]);
    inspector = await dukao.user(admins, 'e-inspector', [{ role: 'inspector' }]);
    leader = await dukao.user(admins, 'e-leader', [{ role: 'cityLeader' }]);
  }, 60_000);

  afterAll(async () => {
    await dukao?.stop();
  });

  it('stores an uploaded PDF under its SHA-256, keeps a Chinese file name, and records SHA-256 and SM3', async () => {
    const head = await dukao.headPosition();
    const res = await upload(staff, PDF, CHINESE_NAME, 'application/pdf').expect(201);
    expect(res.body).toEqual({
      fileId: sha256(PDF),
      name: CHINESE_NAME,
      mediaType: 'application/pdf',
      size: PDF.length,
      sha256: sha256(PDF),
      sm3: sm3(PDF),
    });
    const id = sha256(PDF);
    expect(readFileSync(join(dukao.dir, 'evidence', id.slice(0, 2), id))).toEqual(PDF);
    // Uploading is not a fact of the log: the report that cites the file is.
    expect(await dukao.headPosition()).toBe(head);
  });

  it('answers the same bytes uploaded again with the same fileId, under the new name', async () => {
    const first = await upload(staff, PDF, 'first.pdf', 'application/pdf').expect(201);
    const again = await upload(staff, Buffer.from(PDF), '再次上传.pdf', 'application/pdf').expect(201);
    expect(again.body).toEqual({ ...first.body, name: '再次上传.pdf' });
  });

  it('takes the type from the bytes when the browser declares none', async () => {
    const res = await upload(staff, PNG, '现场照片.png', 'application/octet-stream').expect(201);
    expect(res.body).toMatchObject({ fileId: sha256(PNG), mediaType: 'image/png', name: '现场照片.png' });
  });

  it('returns the stored bytes with the stored media type to those who may read reports', async () => {
    const id = sha256(PDF);
    for (const reader of [staff, inspector, auditor]) {
      const res = await dukao
        .http()
        .get(`/evidence/${id}`)
        .set(bearer(reader))
        .buffer(true)
        .parse(binary)
        .expect(200);
      expect(res.headers['content-type']).toBe('application/pdf');
      expect(res.headers['content-length']).toBe(String(PDF.length));
      expect(res.headers['content-disposition']).toBe(`attachment; filename="${id}.pdf"`);
      expect(res.headers.etag).toBe(`"${id}"`);
      expect(res.headers['x-content-sm3']).toBe(sm3(PDF));
      expect(Buffer.compare(res.body as Buffer, PDF)).toBe(0);
    }
    const upper = await dukao
      .http()
      .get(`/evidence/${id.toUpperCase()}`)
      .set(bearer(staff))
      .buffer(true)
      .parse(binary)
      .expect(200);
    expect(Buffer.compare(upper.body as Buffer, PDF)).toBe(0);
  });

  it('answers 404 for an unknown file and 400 for what is no file id', async () => {
    const unknown = await dukao
      .http()
      .get(`/evidence/${sha256(Buffer.from('never uploaded'))}`)
      .set(bearer(staff))
      .expect(404);
    expect(unknown.body).toMatchObject({ code: 'EVIDENCE_NOT_FOUND', message: '佐证材料不存在' });
    for (const bad of ['abc', '..%2F..%2Fetc%2Fpasswd', `${sha256(PDF)}.json`, 'g'.repeat(64)]) {
      const res = await dukao.http().get(`/evidence/${bad}`).set(bearer(staff)).expect(400);
      expect(res.body.code).toBe('INVALID_FILE_ID');
    }
  });

  it('refuses a file over 20 MiB with 413 EVIDENCE_TOO_LARGE and stores nothing of it', async () => {
    const big = Buffer.alloc(20 * MiB + 1, 0x20);
    PDF.copy(big);
    const res = await upload(staff, big, '超大文件.pdf', 'application/pdf').expect(413);
    expect(res.body).toMatchObject({
      code: 'EVIDENCE_TOO_LARGE',
      message: '文件超过 20 MB 上限',
      details: { maxBytes: 20 * MiB },
    });
    await dukao
      .http()
      .get(`/evidence/${sha256(big)}`)
      .set(bearer(staff))
      .expect(404);
  });

  it('refuses a type not accepted with 415 EVIDENCE_TYPE_NOT_ALLOWED', async () => {
    const res = await upload(staff, Buffer.from('just text'), '说明.txt', 'text/plain').expect(415);
    expect(res.body).toMatchObject({
      code: 'EVIDENCE_TYPE_NOT_ALLOWED',
      details: { declared: 'text/plain' },
    });
    expect(res.body.message).toMatch(/不支持该文件类型/);
  });

  it('refuses bytes that are not the declared type with 415 EVIDENCE_TYPE_MISMATCH', async () => {
    const res = await upload(staff, PNG, '伪装.pdf', 'application/pdf').expect(415);
    expect(res.body).toMatchObject({
      code: 'EVIDENCE_TYPE_MISMATCH',
      details: { declared: 'application/pdf', detected: 'image/png' },
    });
    expect(res.body.message).toMatch(/不符/);
  });

  it('answers 400 EVIDENCE_MISSING when no file comes in the file field', async () => {
    const none = await dukao
      .http()
      .post('/evidence')
      .set(bearer(staff))
      .send({ file: 'not a file' })
      .expect(400);
    expect(none.body).toMatchObject({ code: 'EVIDENCE_MISSING' });
    const empty = await dukao
      .http()
      .post('/evidence')
      .set(bearer(staff))
      .field('note', 'no file')
      .expect(400);
    expect(empty.body.code).toBe('EVIDENCE_MISSING');
    const elsewhere = await dukao
      .http()
      .post('/evidence')
      .set(bearer(staff))
      .attach('attachment', PDF, { filename: 'a.pdf', contentType: 'application/pdf' })
      .expect(400);
    expect(elsewhere.body.code).toBe('EVIDENCE_MISSING');
    const nothing = await upload(staff, Buffer.alloc(0), 'empty.pdf', 'application/pdf').expect(400);
    expect(nothing.body).toMatchObject({ code: 'EVIDENCE_MISSING', message: '上传的文件为空' });
    const two = await dukao
      .http()
      .post('/evidence')
      .set(bearer(staff))
      .attach('file', PDF, { filename: 'a.pdf', contentType: 'application/pdf' })
      .attach('file', PNG, { filename: 'b.png', contentType: 'image/png' })
      .expect(400);
    expect(two.body.code).toBe('EVIDENCE_TOO_MANY_FILES');
  });

  it('answers a broken multipart body with 400, not a server error', async () => {
    const res = await dukao
      .http()
      .post('/evidence')
      .set(bearer(staff))
      .set('content-type', 'multipart/form-data; boundary=XYZ')
      .send('--XYZ\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"\r\n\r\n%PDF-1.4 cut off')
      .expect(400);
    expect(res.body.code).toBe('MALFORMED_UPLOAD');
  });

  it('refuses anonymous callers with 401 and callers without an uploading role with 403', async () => {
    const anonymous = await upload(null, PDF, 'a.pdf', 'application/pdf').expect(401);
    expect(anonymous.body.code).toBe('UNAUTHENTICATED');
    await dukao
      .http()
      .get(`/evidence/${sha256(PDF)}`)
      .expect(401);
    const byAuditor = await upload(auditor, PDF, 'a.pdf', 'application/pdf').expect(403);
    expect(byAuditor.body.code).toBe('FORBIDDEN');
    // A city leader reads evidence but uploads none.
    const byLeader = await upload(leader, PDF, 'a.pdf', 'application/pdf').expect(403);
    expect(byLeader.body.code).toBe('FORBIDDEN');
  });

  it("takes an inspector's upload: a spot check's findings (察访核验) carry their own evidence", async () => {
    const res = await upload(inspector, PDF, '核验记录.pdf', 'application/pdf').expect(201);
    expect(res.body).toMatchObject({ fileId: sha256(PDF), name: '核验记录.pdf', sha256: sha256(PDF) });
  });
});
