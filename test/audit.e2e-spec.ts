import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { Workbook } from 'exceljs';
import { type EmbeddedApp, type Session, bearer } from './support/embedded-app';
import {
  createUnits,
  openCycle,
  proposeAndIssue,
  publishTownsTree,
  sh,
  signIn,
  startApp,
} from './support/worked-example';

type Entry = {
  position: number;
  eventId: string;
  type: string;
  streamId: string;
  actorId: string;
  actorRole: string;
  recordedAt: string;
  occurredAt: string;
  correlationId: string;
  causationId: string | null;
  targetId: string | null;
  supersedes: Array<{ kind: string; ref: string }>;
  data: Record<string, unknown>;
};

/**
 * The discipline inspector's audit (issue 10): the trail by target, unit, actor and time, exported;
 * every read of it recorded; the log verified; a digest signed at 公示 and on request, downloaded,
 * checked against the log; a byte changed in the SQLite file found; a shortened log reported.
 */
describe('audit: trail, recorded reads, verification and signed digests', () => {
  let now = sh('2026-01-05 09:00');
  let env: EmbeddedApp;
  let system: Session;
  let security: Session;
  let admin: Session;
  let reviewer: Session;
  let staffA: Session;
  let leader: Session;
  let inspector: Session;
  let auditor: Session;
  let gdp: string;
  let firstReport: string;
  let correction: string;
  let requested: Record<string, unknown> & { digestId: string; eventCount: number; lastPosition: number };

  const travel = async (local: string) => {
    now = sh(local);
    await env.renew(system, security, admin, reviewer, staffA, leader, inspector, auditor);
  };
  const get = (path: string, as: Session) => env.http().get(path).set(bearer(as));
  const trail = async (query: string, as: Session = inspector) => {
    const head = await env.headPosition();
    const res = await get(`/audit/events?${query}&minPosition=${head}`, as).expect(200);
    return res.body as { items: Entry[]; total: number };
  };

  beforeAll(async () => {
    env = await startApp(() => new Date(now));
    ({ system, security, admin, reviewer, staffA, leader } = await signIn(env, [
      'admin',
      'reviewer',
      'staffA',
      'leader',
    ]));
    inspector = await env.user({ system, security }, 'jiancha', [{ role: 'inspector' }]);
    auditor = await env.administrator('auditor', 'shenji');
  }, 60_000);
  afterAll(async () => {
    await env?.stop();
  });

  it('sets up: Town A reports Q1, corrects it, Q2 is verified', async () => {
    await openCycle(env, admin);
    await createUnits(env, admin);
    await publishTownsTree(env, admin);
    gdp = (await proposeAndIssue(env, { admin, reviewer, leader })).targetId;
    await travel('2026-04-08 10:00');
    const q1 = await env
      .http()
      .post(`/targets/${gdp}/reports`)
      .set(bearer(staffA))
      .set('x-correlation-id', 'town-a-q1-report')
      .send({ period: '2026-Q1', cumulativeValue: 2.0 })
      .expect(201);
    firstReport = q1.body.reportId;
    await travel('2026-04-09 11:00');
    const corrected = await env
      .http()
      .post(`/targets/${gdp}/reports`)
      .set(bearer(staffA))
      .send({ period: '2026-Q1', cumulativeValue: 1.8, replaces: firstReport })
      .expect(201);
    correction = corrected.body.reportId;
    await travel('2026-07-09 10:00');
    const q2 = await env
      .http()
      .post(`/targets/${gdp}/reports`)
      .set(bearer(staffA))
      .send({ period: '2026-Q2', cumulativeValue: 3.2 })
      .expect(201);
    await env
      .http()
      .post(`/targets/${gdp}/reports/${q2.body.reportId}/verify`)
      .set(bearer(reviewer))
      .expect(200);
  }, 60_000);

  it('the inspector reads the trail of a target: who, in which role, when recorded and when it happened, what it replaces', async () => {
    const { items, total } = await trail(`targetId=${gdp}&category=target`);
    expect(items.map((e) => e.type)).toEqual([
      'TargetProposed',
      'TargetReviewPassed',
      'TargetReviewPassed',
      'TargetReviewPassed',
      'TargetIssued',
      'ProgressReported',
      'ProgressReported',
      'ProgressReported',
      'ReportVerified',
    ]);
    expect(total).toBe(9);
    const [q1, fix] = items.filter((e) => e.type === 'ProgressReported');
    expect(q1).toMatchObject({
      actorId: staffA.userId,
      actorRole: 'unitStaff',
      correlationId: 'town-a-q1-report',
      recordedAt: sh('2026-04-08 10:00'),
      streamId: `target-${gdp}`,
      supersedes: [],
    });
    expect(fix).toMatchObject({
      recordedAt: sh('2026-04-09 11:00'),
      supersedes: [{ kind: 'replaces', ref: firstReport }],
      data: { reportId: correction, cumulativeValue: 1.8 },
    });
    expect(q1!.occurredAt).toEqual(expect.any(String));
    const verified = items.at(-1)!;
    expect(verified).toMatchObject({ actorRole: 'reviewer', actorId: reviewer.userId });
    // Without the category, the target's other streams come too: its warnings, raised by the system.
    const all = await trail(`targetId=${gdp}`);
    expect(all.items.find((e) => e.type === 'WarningRaised')).toMatchObject({
      actorId: 'system',
      streamId: `warning-${gdp}`,
      causationId: expect.any(String),
    });
  });

  it('filters by unit (events on its targets too), by actor and by time range, and pages', async () => {
    const byUnit = await trail('unitId=town-a&type=ProgressReported');
    expect(byUnit.items.map((e) => e.data.reportId)).toContain(correction);
    const byActor = await trail(`actorId=${reviewer.userId}`);
    expect(byActor.items.every((e) => e.actorId === reviewer.userId)).toBe(true);
    expect(byActor.items.map((e) => e.type)).toContain('ReportVerified');
    const april = await trail(
      `targetId=${gdp}&category=target&from=${encodeURIComponent('2026-04-01T00:00:00+08:00')}&to=${encodeURIComponent('2026-05-01T00:00:00+08:00')}`,
    );
    expect(april.items.map((e) => e.recordedAt)).toEqual([sh('2026-04-08 10:00'), sh('2026-04-09 11:00')]);
    const page = await trail(`targetId=${gdp}&category=target&limit=2&skip=2&order=desc`);
    expect(page).toMatchObject({ total: 9, limit: 2, skip: 2 });
    expect(page.items.map((e) => e.type)).toEqual(['ProgressReported', 'ProgressReported']);
    const one = await get(`/audit/events/${page.items[0]!.eventId}`, inspector).expect(200);
    expect(one.body).toMatchObject({ eventId: page.items[0]!.eventId, targetId: gdp });
    await get('/audit/events/00000000-0000-4000-8000-000000000000', inspector)
      .expect(404)
      .expect((res) => expect(res.body.code).toBe('EVENT_NOT_FOUND'));
  });

  it('exports the trail as CSV and as Excel', async () => {
    const csv = await get(`/audit/events?targetId=${gdp}&category=target&format=csv`, auditor).expect(200);
    expect(csv.headers['content-type']).toMatch(/text\/csv/);
    expect(csv.headers['content-disposition']).toMatch(/attachment; filename="audit-trail.csv"/);
    const lines = csv.text
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    expect(lines[0]).toMatch(/^位置 position,事件 eventId,类型 type/);
    expect(lines).toHaveLength(10);
    expect(lines.some((line) => line.includes(`replaces:${firstReport}`))).toBe(true);
    const xlsx = await get(`/audit/events?targetId=${gdp}&category=target&format=xlsx`, inspector)
      .buffer(true)
      .parse((res, done) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => done(null, Buffer.concat(chunks)));
      })
      .expect(200);
    const workbook = new Workbook();
    await workbook.xlsx.load(xlsx.body as ArrayBuffer);
    const sheet = workbook.getWorksheet('审计轨迹')!;
    expect(sheet.rowCount).toBe(11);
    expect(sheet.getRow(3).getCell(3).value).toBe('TargetProposed');
  });

  it('every read of a sensitive view is recorded: who, which view, which filters; visible in the trail', async () => {
    const read = await get(`/audit/events?targetId=${gdp}&type=ProgressReported`, inspector).expect(200);
    const readId = read.headers['x-audit-read-id'];
    expect(readId).toMatch(/^[0-9a-f-]{36}$/);
    const { items } = await trail(`type=AuditViewRead&actorId=${inspector.userId}`, auditor);
    const recorded = items.find((e) => e.eventId === readId);
    expect(recorded).toMatchObject({
      actorRole: 'inspector',
      streamId: `auditread-${inspector.userId}:${now.slice(0, 10)}`,
      data: {
        userId: inspector.userId,
        view: 'auditTrail',
        route: 'GET /audit/events',
        query: { targetId: gdp, type: 'ProgressReported' },
      },
    });
    // The auditor's own reads are recorded too.
    const mine = await trail(`type=AuditViewRead&actorId=${auditor.userId}`, inspector);
    expect(mine.items.map((e) => e.data.view)).toContain('auditTrail');
    const streams = await get('/audit/streams?category=auditread', auditor).expect(200);
    expect(streams.headers['x-audit-read-id']).toBeDefined();
  });

  it('a read whose record cannot be written is refused, not served unrecorded', async () => {
    const append = jest.spyOn(env.store, 'append').mockRejectedValueOnce(new Error('disk I/O error'));
    try {
      const res = await get(`/audit/events?targetId=${gdp}`, inspector).expect(503);
      expect(res.body).toMatchObject({ code: 'AUDIT_READ_NOT_RECORDED', details: { view: 'auditTrail' } });
      expect(res.body.items).toBeUndefined();
    } finally {
      append.mockRestore();
    }
  });

  it('refuses everyone else: 401 without a token, 403 for other roles; only inspectors sign digests', async () => {
    await env.http().get('/audit/events').expect(401);
    await env.http().get('/audit/verify').expect(401);
    for (const other of [staffA, admin, reviewer, leader, system, security]) {
      await get('/audit/events', other).expect(403);
      await get('/audit/verify', other).expect(403);
      await get('/audit/digests', other).expect(403);
    }
    await env.http().post('/audit/digests').set(bearer(auditor)).expect(403);
    await env.http().post('/audit/digests').set(bearer(admin)).expect(403);
  });

  it('verifies every hash chain of the log', async () => {
    const res = await get('/audit/verify', auditor).expect(200);
    expect(res.body).toMatchObject({ ok: true, firstBreak: null, message: '日志完整，未被篡改' });
    expect(res.body.events).toBeGreaterThan(30);
  });

  it('a publication (公示) is witnessed by a signed digest of the whole log', async () => {
    await travel('2026-07-20 10:00');
    const published = await env
      .http()
      .post('/rankings/2026/towns/publications')
      .set(bearer(admin))
      .send({ kind: 'monthly', period: '2026-06' })
      .expect(201);
    const publicationId = published.body.id as string;
    type Listed = { trigger: { kind: string; publicationId?: string }; eventCount: number };
    let digest: Listed | undefined;
    for (let attempt = 0; attempt < 100 && !digest; attempt += 1) {
      const list = await get('/audit/digests', inspector).expect(200);
      digest = (list.body.items as Listed[]).find((d) => d.trigger.kind === 'publication');
      if (!digest) await new Promise((r) => setTimeout(r, 50));
    }
    expect(digest).toMatchObject({ trigger: { kind: 'publication', publicationId } });
    expect(digest!.eventCount).toBeGreaterThanOrEqual(published.body.position);
  });

  it('an inspector signs a digest on request, downloads it, and checks the log against it later', async () => {
    const signed = await env.http().post('/audit/digests').set(bearer(inspector)).expect(201);
    const key = await env.http().get('/audit/public-key').expect(200);
    expect(signed.body).toMatchObject({
      format: 'dukao-log-digest/1',
      hashAlgorithm: 'sha256',
      trigger: { kind: 'request', userId: inspector.userId },
      key: { algorithm: 'ed25519', keyId: key.body.keyId },
    });
    const download = await get(
      `/audit/digests/${signed.body.digestId}?minPosition=${signed.body.position}`,
      inspector,
    );
    expect(download.status).toBe(200);
    expect(download.headers['content-disposition']).toBe(
      `attachment; filename="log-digest-${signed.body.digestId}.json"`,
    );
    requested = JSON.parse(download.text);
    const { position: _p, replayed: _r, ...document } = signed.body;
    expect(requested).toEqual(document);
    await get(`/audit/digests/${'0'.repeat(8)}-0000-4000-8000-000000000000`, inspector)
      .expect(404)
      .expect((res) => expect(res.body.code).toBe('LOG_DIGEST_NOT_FOUND'));

    const checked = await env
      .http()
      .post('/audit/digests/verify')
      .set(bearer(auditor))
      .send(requested)
      .expect(200);
    expect(checked.body).toMatchObject({
      ok: true,
      grew: true,
      signedWithThisServersKey: true,
      signature: { valid: true },
      firstDifference: null,
    });
    const forged = await env
      .http()
      .post('/audit/digests/verify')
      .set(bearer(auditor))
      .send({ ...requested, root: 'f'.repeat(64) })
      .expect(200);
    expect(forged.body).toMatchObject({ ok: false, signature: { valid: false } });
    await env
      .http()
      .post('/audit/digests/verify')
      .set(bearer(auditor))
      .send({ ...requested, extra: 1 })
      .expect(400);
  });

  it('one byte of a stored event altered in the SQLite file: verify and the digest check name that event', async () => {
    const file = join(env.dir, 'events.sqlite');
    const { items } = await trail(`targetId=${gdp}&category=target&type=ProgressReported`);
    const target = items[0]!;
    const raw = new Database(file);
    const original = raw.prepare('SELECT data FROM events WHERE position = ?').get(target.position) as {
      data: string;
    };
    const altered = original.data.replace('"cumulativeValue":2', '"cumulativeValue":3');
    expect(altered.length).toBe(original.data.length);
    raw.exec('DROP TRIGGER events_append_only_update');
    raw.prepare('UPDATE events SET data = ? WHERE position = ?').run(altered, target.position);
    raw.close();

    const verify = await get('/audit/verify', inspector).expect(200);
    expect(verify.body).toMatchObject({
      ok: false,
      firstBreak: {
        position: target.position,
        streamId: target.streamId,
        eventId: target.eventId,
        reason: 'hash-mismatch',
      },
    });
    const checked = await env
      .http()
      .post('/audit/digests/verify')
      .set(bearer(inspector))
      .send(requested)
      .expect(200);
    expect(checked.body).toMatchObject({
      ok: false,
      signature: { valid: true },
      firstDifference: { kind: 'event-changed', position: target.position, eventId: target.eventId },
    });
    // Put the byte back (the store's own connection restores its guard at the next open).
    const fix = new Database(file);
    fix.prepare('UPDATE events SET data = ? WHERE position = ?').run(original.data, target.position);
    fix.exec(
      `CREATE TRIGGER events_append_only_update BEFORE UPDATE ON events
       BEGIN SELECT RAISE(ABORT, 'events are append-only: UPDATE is not allowed'); END;`,
    );
    fix.close();
    await get('/audit/verify', inspector)
      .expect(200)
      .expect((res) => expect(res.body.ok).toBe(true));
  });

  it('the last signed event deleted: npm run verify-digest reports that the log shrank', async () => {
    const file = join(env.dir, 'events.sqlite');
    const digestFile = join(env.dir, 'digest.json');
    writeFileSync(digestFile, JSON.stringify(requested));
    const keyFile = join(env.dir, 'key.pem');
    writeFileSync(
      keyFile,
      ((await env.http().get('/audit/public-key').expect(200)).body as { publicKey: string }).publicKey,
    );
    const raw = new Database(file);
    raw.exec('DROP TRIGGER events_append_only_delete');
    raw.prepare('DELETE FROM events WHERE position >= ?').run(requested.lastPosition);
    raw.close();
    const result = spawnSync(
      process.execPath,
      ['-r', '@swc-node/register', 'apps/api/src/cli/verify-digest.ts', digestFile, '--public-key', keyFile],
      {
        cwd: resolve(__dirname, '..'),
        env: { ...process.env, EVENT_STORE_URL: '', DATA_DIR: env.dir },
        encoding: 'utf8',
        timeout: 60_000,
      },
    );
    expect(result.stdout).toMatch(/^DIFFERS: log-shrank at position \d+/);
    expect(result.stdout).toContain(`event ${requested.lastEventId as string}`);
    expect(result.stdout).toMatch(/日志变短了/);
    expect(result.status).toBe(1);
  }, 90_000);
});
