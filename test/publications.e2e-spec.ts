import { join } from 'node:path';
import Database from 'better-sqlite3';
import { DEFAULT_SCHEME, periodEnd } from '@dukao/targets';
import { type EmbeddedApp, type Session, bearer } from './support/embedded-app';
import {
  GDP_PROPOSAL,
  createUnits,
  openCycle,
  proposeAndIssue,
  publishTownsTree,
  sh,
  signIn,
  startApp,
} from './support/worked-example';

/**
 * Publication (公示) and shadow scoring on the worked example of shared/DOMAIN.md, with a moving
 * clock. Town A has GDP growth (completion, 600 points) and a livelihood target (progress, 400
 * points), both 8.0 with schedule 25/50/75/100 by quarter; it reports 2.0 for Q1 and 3.2 for Q2 (on
 * 9 July). Town B has no target. June is published on 20 July: Town A 480 (600 × 0.4 + 400 × 0.6),
 * Town B 0. On 25 July Town A corrects its Q2 GDP to 5.6: the publication stays as it was, the
 * recomputation moves. The `it`s share state and run in order.
 */

type Row = { unitId: string; total: number; rank: number; grade: string; flagged: boolean };

describe('publications: 公示 of the June ranking, as published vs recomputed, and shadow scoring', () => {
  let now = sh('2026-01-05 09:00');
  let env: EmbeddedApp;
  let system: Session;
  let security: Session;
  let admin: Session;
  let reviewer: Session;
  let staffA: Session;
  let staffB: Session;
  let leader: Session;
  let supervisor: Session;
  let inspector: Session;
  let gdp: string;
  let livelihood: string;
  let q2GdpReport: string;
  let june: { id: string; position: number };
  const endOfJune = periodEnd('2026-06');

  const travel = async (local: string) => {
    now = sh(local);
    await env.renew(system, security, admin, reviewer, staffA, staffB, leader, supervisor, inspector);
  };
  const report = async (targetId: string, body: Record<string, unknown>) => {
    const reported = await env
      .http()
      .post(`/targets/${targetId}/reports`)
      .set(bearer(staffA))
      .send(body)
      .expect(201);
    const reportId = reported.body.reportId as string;
    await env
      .http()
      .post(`/targets/${targetId}/reports/${reportId}/verify`)
      .set(bearer(reviewer))
      .expect(200);
    return reportId;
  };
  const publish = (
    body: Record<string, unknown>,
    as: Session = admin,
    path = '/rankings/2026/towns/publications',
  ) => env.http().post(path).set(bearer(as)).send(body);
  const publicationEvents = async () =>
    (await env.store.readAll({ filter: { streamPrefixes: ['publication-'] } })).length;
  const rows = (items: Row[]) => items.map((r) => [r.unitId, r.total, r.rank, r.grade]);

  beforeAll(async () => {
    env = await startApp(() => new Date(now));
    ({ system, security, admin, reviewer, staffA, staffB, leader, supervisor } = await signIn(env, [
      'admin',
      'reviewer',
      'staffA',
      'staffB',
      'leader',
      'supervisor',
    ]));
    inspector = await env.user({ system, security }, 'jiancha', [{ role: 'inspector' }]);
  }, 60_000);
  afterAll(async () => {
    await env?.stop();
  });

  it('sets up the worked example: Q1 2.0 in April, Q2 3.2 on 9 July, each verified', async () => {
    await openCycle(env, admin);
    await createUnits(env, admin);
    await publishTownsTree(env, admin);
    const people = { admin, reviewer, leader };
    gdp = (await proposeAndIssue(env, people)).targetId;
    livelihood = (
      await proposeAndIssue(env, people, {
        ...GDP_PROPOSAL,
        indicatorId: 'livelihood',
        title: '民生实事完成数',
        measure: '民生实事完成数',
        unitOfMeasure: '件',
      })
    ).targetId;
    await travel('2026-04-08 10:00');
    await report(gdp, { period: '2026-Q1', cumulativeValue: 2.0 });
    await report(livelihood, { period: '2026-Q1', cumulativeValue: 2.0 });
    await travel('2026-07-09 10:00');
    q2GdpReport = await report(gdp, { period: '2026-Q2', cumulativeValue: 3.2 });
    await report(livelihood, { period: '2026-Q2', cumulativeValue: 3.2 });
  }, 60_000);

  it('refuses to publish a month that has not ended, and appends nothing', async () => {
    const before = await publicationEvents();
    const res = await publish({ kind: 'monthly', period: '2026-07' }).expect(422);
    expect(res.body).toMatchObject({ code: 'PERIOD_NOT_ENDED', details: { endsAt: periodEnd('2026-07') } });
    expect(res.body.message).toMatch(/尚未结束/);
    expect(await publicationEvents()).toBe(before);
  });

  it('publishes June on 20 July: the rows as scored at the end of June, the digest, a 7-day appeal window', async () => {
    await travel('2026-07-20 10:00');
    const res = await publish({ kind: 'monthly', period: '2026-06', note: '2026年6月排名公示' })
      .set('Idempotency-Key', 'publish-2026-06-towns')
      .expect(201);
    june = { id: res.body.id, position: res.body.position };
    const published = res.body.publication;
    // Town A: GDP 600 × 3.2/8.0 = 240; livelihood p = 0.8 → 400 × 0.6 = 240; total 480 of 1000 (48%
    // < 60%) → admonished. Town B: no target → 0. Both among the bottom three.
    expect(published).toMatchObject({
      publicationId: june.id,
      cycleId: '2026',
      category: 'towns',
      kind: 'monthly',
      period: '2026-06',
      at: endOfJune,
      asOf: now,
      publishedAt: now,
      appealDeadline: sh('2026-07-27 10:00'),
      appealWindowDays: 7,
      schemeVersion: 1,
      treeVersion: 1,
      scale: 1000,
      note: '2026年6月排名公示',
      supersedes: null,
      rows: [
        {
          unitId: 'town-a',
          unitName: '甲镇',
          total: 480,
          totalThousandths: 480_000,
          rank: 1,
          grade: 'admonished',
          flagged: true,
        },
        {
          unitId: 'town-b',
          unitName: '乙镇',
          total: 0,
          totalThousandths: 0,
          rank: 2,
          grade: 'admonished',
          flagged: true,
        },
      ],
    });
    expect(published.inputsDigest).toEqual({
      algorithm: 'sha256',
      value: expect.stringMatching(/^[0-9a-f]{64}$/),
      canonicalization: 'dukao-scoring-input/1',
    });
    // Scored and digested as the log stood before the publication was appended.
    expect(published.logPosition).toBeLessThan(june.position);
    // The event in the log holds exactly what was answered.
    const stream = await env.store.readStream(`publication-${june.id}`);
    expect(stream.map((e) => e.type)).toEqual(['RankingPublished']);
    expect(stream[0]!.data).toEqual(published);
    expect(stream[0]!.metadata.actor).toMatchObject({ role: 'assessmentAdmin' });

    // A retry with the same Idempotency-Key answers the same publication and appends nothing.
    const before = await publicationEvents();
    const again = await publish({ kind: 'monthly', period: '2026-06', note: '2026年6月排名公示' })
      .set('Idempotency-Key', 'publish-2026-06-towns')
      .expect(201);
    expect(again.body).toMatchObject({ id: june.id, replayed: true, publication: published });
    expect(await publicationEvents()).toBe(before);
  });

  it('lists and shows the publication: the office sees every row, unit staff their own row only', async () => {
    const list = await env
      .http()
      .get('/rankings/2026/towns/publications')
      .query({ minPosition: june.position })
      .set(bearer(leader))
      .expect(200);
    expect(list.body.items).toEqual([
      expect.objectContaining({
        publicationId: june.id,
        period: '2026-06',
        units: 2,
        current: true,
        supersededBy: null,
      }),
    ]);
    const shown = await env.http().get(`/publications/${june.id}`).set(bearer(supervisor)).expect(200);
    expect(rows(shown.body.rows)).toEqual([
      ['town-a', 480, 1, 'admonished'],
      ['town-b', 0, 2, 'admonished'],
    ]);
    const own = await env.http().get(`/publications/${june.id}`).set(bearer(staffB)).expect(200);
    expect(own.body).toMatchObject({
      publicationId: june.id,
      units: 2,
      appealDeadline: sh('2026-07-27 10:00'),
    });
    expect(rows(own.body.rows)).toEqual([['town-b', 0, 2, 'admonished']]);
    const ownList = await env.http().get('/rankings/2026/towns/publications').set(bearer(staffA)).expect(200);
    expect(ownList.body.items[0].rows.map((r: Row) => r.unitId)).toEqual(['town-a']);
    const missing = await env.http().get('/publications/no-such-publication').set(bearer(admin)).expect(404);
    expect(missing.body.code).toBe('PUBLICATION_NOT_FOUND');
    const noCycle = await env.http().get('/rankings/2099/towns/publications').set(bearer(admin)).expect(404);
    expect(noCycle.body.code).toBe('CYCLE_NOT_FOUND');
  });

  it('after a correction on 25 July: published rows unchanged, recomputed moves, the inputs as of then still match', async () => {
    await travel('2026-07-25 10:00');
    // Town A corrects its Q2 GDP to 5.6: 600 × 5.6/8.0 = 420; with livelihood 240, 660 of 1000 (66%) → pass.
    await report(gdp, { period: '2026-Q2', cumulativeValue: 5.6, replaces: q2GdpReport });

    const shown = await env.http().get(`/publications/${june.id}`).set(bearer(admin)).expect(200);
    expect(rows(shown.body.rows)).toEqual([
      ['town-a', 480, 1, 'admonished'],
      ['town-b', 0, 2, 'admonished'],
    ]);

    const comparison = await env
      .http()
      .get(`/publications/${june.id}/comparison`)
      .set(bearer(leader))
      .expect(200);
    expect(comparison.body).toMatchObject({
      publicationId: june.id,
      at: endOfJune,
      published: { asOf: sh('2026-07-20 10:00'), schemeVersion: 1 },
      recomputed: { asOf: now, schemeVersion: 1 },
      changed: true,
    });
    expect(rows(comparison.body.published.rows)).toEqual([
      ['town-a', 480, 1, 'admonished'],
      ['town-b', 0, 2, 'admonished'],
    ]);
    expect(rows(comparison.body.recomputed.rows)).toEqual([
      ['town-a', 660, 1, 'pass'],
      ['town-b', 0, 2, 'admonished'],
    ]);
    expect(comparison.body.differences).toEqual([
      expect.objectContaining({
        unitId: 'town-a',
        totalDeltaThousandths: 180_000,
        rankDelta: 0,
        gradeChanged: true,
        changed: true,
      }),
      expect.objectContaining({
        unitId: 'town-b',
        totalDeltaThousandths: 0,
        rankDelta: 0,
        gradeChanged: false,
        changed: false,
      }),
    ]);
    const ownComparison = await env
      .http()
      .get(`/publications/${june.id}/comparison`)
      .set(bearer(staffB))
      .expect(200);
    expect(ownComparison.body.differences.map((d: Row) => d.unitId)).toEqual(['town-b']);
    expect(ownComparison.body.changed).toBe(false);

    const verified = await env
      .http()
      .get(`/publications/${june.id}/verify`)
      .set(bearer(inspector))
      .expect(200);
    expect(verified.body).toMatchObject({
      publicationId: june.id,
      asOf: sh('2026-07-20 10:00'),
      matches: true,
    });
    expect(verified.body.recomputed).toEqual(verified.body.published);
  });

  it('re-publishing June makes a new publication naming the one it supersedes; the first stays as it was', async () => {
    const res = await publish({ kind: 'monthly', period: '2026-06', note: '更正后重新公示' }).expect(201);
    expect(res.body.publication).toMatchObject({ supersedes: june.id, asOf: now });
    expect(rows(res.body.publication.rows)).toEqual([
      ['town-a', 660, 1, 'pass'],
      ['town-b', 0, 2, 'admonished'],
    ]);
    const list = await env
      .http()
      .get('/rankings/2026/towns/publications')
      .query({ minPosition: res.body.position })
      .set(bearer(admin))
      .expect(200);
    expect(
      list.body.items.map((p: { publicationId: string; current: boolean }) => [p.publicationId, p.current]),
    ).toEqual([
      [res.body.id, true],
      [june.id, false],
    ]);
    const first = await env.http().get(`/publications/${june.id}`).set(bearer(admin)).expect(200);
    expect(first.body).toMatchObject({ supersededBy: res.body.id });
    expect(rows(first.body.rows)).toEqual([
      ['town-a', 480, 1, 'admonished'],
      ['town-b', 0, 2, 'admonished'],
    ]);
  });

  it('refuses bad publications with a stable code and a Chinese message, appending nothing', async () => {
    const before = await publicationEvents();
    const cases: Array<[string, Record<string, unknown>, number, string]> = [
      ['/rankings/2026/towns/publications', { kind: 'weekly', period: '2026-06' }, 400, 'VALIDATION_FAILED'],
      ['/rankings/2026/towns/publications', { kind: 'monthly', period: '2026-13' }, 400, 'VALIDATION_FAILED'],
      ['/rankings/2026/towns/publications', { kind: 'monthly' }, 400, 'VALIDATION_FAILED'],
      [
        '/rankings/2026/towns/publications',
        { kind: 'monthly', period: '2026-06', appealWindowDays: 0 },
        400,
        'VALIDATION_FAILED',
      ],
      ['/rankings/2099/towns/publications', { kind: 'monthly', period: '2099-06' }, 404, 'CYCLE_NOT_FOUND'],
      [
        '/rankings/2026/villages/publications',
        { kind: 'monthly', period: '2026-06' },
        404,
        'CATEGORY_NOT_FOUND',
      ],
      [
        '/rankings/2026/towns/publications',
        { kind: 'monthly', period: '2025-12' },
        422,
        'PERIOD_OUTSIDE_CYCLE',
      ],
      ['/rankings/2026/towns/publications', { kind: 'final', period: '2026-12' }, 422, 'PERIOD_REQUIRED'],
      ['/rankings/2026/towns/publications', { kind: 'final' }, 422, 'PERIOD_NOT_ENDED'],
    ];
    for (const [path, body, status, code] of cases) {
      const res = await publish(body, admin, path);
      expect([path, body, res.status, res.body.code]).toEqual([path, body, status, code]);
      expect(res.body.message).toMatch(/[\u4e00-\u9fff]/);
    }
    const forbidden = await publish({ kind: 'monthly', period: '2026-06' }, staffA).expect(403);
    expect(forbidden.body.code).toBe('FORBIDDEN');
    await publish({ kind: 'monthly', period: '2026-06' }, supervisor).expect(403);
    const anonymous = await env
      .http()
      .post('/rankings/2026/towns/publications')
      .send({ kind: 'monthly', period: '2026-06' })
      .expect(401);
    expect(anonymous.body.code).toBe('UNAUTHENTICATED');
    expect(await publicationEvents()).toBe(before);
  });

  it('shadow-scores June under a draft progressZeroAt 0.7, hand-checked, appending nothing', async () => {
    const head = await env.store.headPosition();
    const res = await env
      .http()
      .post('/rankings/2026/towns/shadow')
      .set(bearer(admin))
      .send({ scoring: { ...DEFAULT_SCHEME.scoring, progressZeroAt: 0.7 }, at: endOfJune })
      .expect(200);
    // Town A now (after the correction): GDP 420 (completion: the draft changes nothing) + livelihood
    // 400 × (0.8 − 0.5)/(1 − 0.5) = 240 → 660, pass. Under the draft: livelihood 400 × (0.8 − 0.7)/(1 −
    // 0.7) = 400/3 = 133.333 → 553.333 → 553.33 (55%) → admonished. Town B: 0 either way.
    expect(res.body).toMatchObject({
      cycleId: '2026',
      category: 'towns',
      at: endOfJune,
      schemeVersion: { current: 1, shadow: 'draft' },
      parametersChanged: [{ parameter: 'progressZeroAt', current: 0.5, draft: 0.7 }],
    });
    expect(res.body.units).toEqual([
      {
        unitId: 'town-a',
        unitName: '甲镇',
        current: { total: 660, totalThousandths: 660_000, rank: 1, grade: 'pass', flagged: true },
        shadow: { total: 553.33, totalThousandths: 553_333, rank: 1, grade: 'admonished', flagged: true },
        totalDeltaThousandths: -106_667,
        rankDelta: 0,
        gradeChanged: true,
        indicatorsChanged: [{ indicatorId: 'livelihood', current: 240, shadow: 133.333 }],
      },
      {
        unitId: 'town-b',
        unitName: '乙镇',
        current: { total: 0, totalThousandths: 0, rank: 2, grade: 'admonished', flagged: true },
        shadow: { total: 0, totalThousandths: 0, rank: 2, grade: 'admonished', flagged: true },
        totalDeltaThousandths: 0,
        rankDelta: 0,
        gradeChanged: false,
        indicatorsChanged: [],
      },
    ]);
    expect(res.body.categoryTrace).toEqual([
      expect.objectContaining({
        rule: 'schemeInForce',
        shadow: { version: 'draft', effectiveFrom: endOfJune },
      }),
    ]);
    expect(await env.store.headPosition()).toBe(head);
  });

  it('refuses an invalid draft with its problems listed (422), and callers other than the office and leaders', async () => {
    const head = await env.store.headPosition();
    const invalid = await env
      .http()
      .post('/rankings/2026/towns/shadow')
      .set(bearer(leader))
      .send({ scoring: { ...DEFAULT_SCHEME.scoring, progressZeroAt: -1, completionCap: 5 } })
      .expect(422);
    expect(invalid.body.code).toBe('INVALID_SCHEME');
    expect(invalid.body.details.problems).toEqual([
      expect.stringContaining('scoring.completionCap'),
      expect.stringContaining('scoring.progressZeroAt'),
    ]);
    const missing = await env
      .http()
      .post('/rankings/2026/towns/shadow')
      .set(bearer(admin))
      .send({})
      .expect(400);
    expect(missing.body.code).toBe('VALIDATION_FAILED');
    const noCycle = await env
      .http()
      .post('/rankings/2099/towns/shadow')
      .set(bearer(admin))
      .send({ scoring: DEFAULT_SCHEME.scoring })
      .expect(404);
    expect(noCycle.body.code).toBe('CYCLE_NOT_FOUND');
    await env
      .http()
      .post('/rankings/2026/towns/shadow')
      .set(bearer(staffA))
      .send({ scoring: DEFAULT_SCHEME.scoring })
      .expect(403);
    await env
      .http()
      .post('/rankings/2026/towns/shadow')
      .send({ scoring: DEFAULT_SCHEME.scoring })
      .expect(401);
    expect(await env.store.headPosition()).toBe(head);
  });

  it('says the inputs no longer match when an event recorded before the publication is altered in the store', async () => {
    const reported = (await env.store.readStream(`target-${gdp}`)).find(
      (e) => e.type === 'ProgressReported' && e.data.reportId === q2GdpReport,
    )!;
    // An insider edits the stored Q2 report (3.2 → 4.8) past the append-only trigger.
    const raw = new Database(join(env.dir, 'events.sqlite'));
    raw.exec('DROP TRIGGER events_append_only_update');
    raw
      .prepare(`UPDATE events SET data = json_set(data, '$.cumulativeValue', 4.8) WHERE position = ?`)
      .run(reported.position);
    raw.close();
    const verified = await env
      .http()
      .get(`/publications/${june.id}/verify`)
      .set(bearer(inspector))
      .expect(200);
    expect(verified.body.matches).toBe(false);
    expect(verified.body.recomputed.value).not.toBe(verified.body.published.value);
    // What was published stays as it was.
    const shown = await env.http().get(`/publications/${june.id}`).set(bearer(inspector)).expect(200);
    expect(rows(shown.body.rows)).toEqual([
      ['town-a', 480, 1, 'admonished'],
      ['town-b', 0, 2, 'admonished'],
    ]);
  });
});
