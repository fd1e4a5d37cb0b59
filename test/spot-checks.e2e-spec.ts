import { SignLogDigestWhenRankingPublished } from '@dukao/audit';
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
 * 察访核验 and 虚报瞒报 on the worked example, with a moving clock. Town A reports GDP growth 0.8 of 8.0
 * (10%) for Q2, then 8.0 (100%) for Q3 three hours before the deadline, attaching the same photo as in
 * Q2; Town B reports 5.5 for Q3 in good time. On 12 October an inspector draws one Q3 report per town;
 * anyone may recompute the draw from the log. On 20 October the inspector confirms Town A's Q3 report
 * false (虚报) with a site record and Town B's as confirmed: Town A loses the scheme's 5 points in its
 * score explanation and timeline, its report is flagged in the targets view, and the anomaly view
 * ranks it first with its signals. Refusals append nothing. The `it`s share state and run in order.
 */

const PDF = (text: string) =>
  Buffer.from(
    `%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n% ${text}\ntrailer << /Root 1 0 R >>\n%%EOF\n`,
    'latin1',
  );

describe('spot checks: draw → recompute → false report confirmed → deduction → flagged → anomalies', () => {
  let now = sh('2026-01-05 09:00');
  let env: EmbeddedApp;
  let system: Session;
  let security: Session;
  let admin: Session;
  let reviewer: Session;
  let staffA: Session;
  let staffB: Session;
  let leader: Session;
  let inspector: Session;
  let auditor: Session;
  let gdpA: string;
  let gdpB: string;
  let q2A: string;
  let q3A: string;
  let q3B: string;
  let spotCheckId: string;
  let caseId: string;
  let head = 0;

  const travel = async (local: string) => {
    now = sh(local);
    await env.renew(system, security, admin, reviewer, staffA, staffB, leader, inspector, auditor);
  };
  const seen = (position: unknown) => {
    if (typeof position === 'number') head = Math.max(head, position);
  };
  const post = (path: string, as: Session, body: object = {}) =>
    env.http().post(path).set(bearer(as)).send(body);
  const get = (path: string, as: Session, query: Record<string, string | number> = {}) =>
    env
      .http()
      .get(path)
      .query({ minPosition: head, ...query })
      .set(bearer(as));
  const upload = async (as: Session, name: string, text: string) =>
    (
      await env
        .http()
        .post('/evidence')
        .set(bearer(as))
        .attach('file', PDF(text), { filename: name, contentType: 'application/pdf' })
        .expect(201)
    ).body.fileId as string;
  const report = async (as: Session, targetId: string, body: object) => {
    const res = await post(`/targets/${targetId}/reports`, as, body).expect(201);
    seen(res.body.position);
    return res.body.reportId as string;
  };
  /** Runs a refused request and checks the log did not move and the message is Chinese. */
  const refused = async (
    status: number,
    run: () => PromiseLike<{ status: number; body: { code: string; message: string } }>,
  ) => {
    const before = await env.headPosition();
    const res = await run();
    expect(res.status).toBe(status);
    expect(await env.headPosition()).toBe(before);
    expect(res.body.message).toMatch(/[\u4e00-\u9fff]/);
    return res.body;
  };
  const explain = () => get('/scores/town-a/explain', leader, { cycleId: '2026' }).expect(200);

  beforeAll(async () => {
    env = await startApp(() => new Date(now));
    ({ system, security, admin, reviewer, staffA, staffB, leader } = await signIn(env, [
      'admin',
      'reviewer',
      'staffA',
      'staffB',
      'leader',
    ]));
    inspector = await env.user({ system, security }, 'jijian-jiancha', [{ role: 'inspector' }]);
    auditor = await env.administrator('auditor', 'shenji-yuan');
    await openCycle(env, admin);
    await createUnits(env, admin);
    await publishTownsTree(env, admin);
    gdpA = (await proposeAndIssue(env, { admin, reviewer, leader })).targetId;
    const issuedB = await proposeAndIssue(
      env,
      { admin, reviewer, leader },
      { ...GDP_PROPOSAL, unitId: 'town-b' },
    );
    gdpB = issuedB.targetId;
    seen(issuedB.position);
  }, 90_000);
  afterAll(async () => {
    await env?.stop();
  });

  it('Town A reports 10% for Q2, then 100% for Q3 at the deadline with the same photo; Town B reports in time', async () => {
    // Sessions renew by refresh token within its 90 days; step through the year.
    await travel('2026-03-30 10:00');
    await travel('2026-06-25 10:00');
    await travel('2026-07-05 10:00');
    const photo = await upload(staffA, '项目现场照片.pdf', 'site photo');
    q2A = await report(staffA, gdpA, {
      period: '2026-Q2',
      cumulativeValue: 0.8,
      narrative: '项目前期工作有序推进',
      evidence: [{ fileId: photo, name: '项目现场照片.pdf' }],
    });
    await travel('2026-10-08 10:00');
    q3B = await report(staffB, gdpB, { period: '2026-Q3', cumulativeValue: 5.5, narrative: '按计划推进' });
    await travel('2026-10-10 21:00');
    q3A = await report(staffA, gdpA, {
      period: '2026-Q3',
      cumulativeValue: 8.0,
      narrative: '全面完成年度目标',
      evidence: [{ fileId: photo, name: '三季度现场照片.pdf' }],
    });
  }, 60_000);

  it('refuses a draw: 401 anonymous, 403 unit staff and city leaders, 400 malformed, 404 unknown cycle, 422 empty frame', async () => {
    await travel('2026-10-12 09:00');
    const body = {
      title: '三季度察访核验',
      cycleId: '2026',
      population: 'reports',
      period: '2026-Q3',
      count: 1,
      strata: 'unit',
    };
    expect((await refused(401, () => env.http().post('/spot-checks').send(body))).code).toBe(
      'UNAUTHENTICATED',
    );
    expect((await refused(403, () => post('/spot-checks', staffA, body))).code).toBe('FORBIDDEN');
    await refused(403, () => post('/spot-checks', leader, body));
    expect((await refused(400, () => post('/spot-checks', inspector, { ...body, share: 0.5 }))).code).toBe(
      'INVALID_SPOT_CHECK_SIZE',
    );
    await refused(400, () => post('/spot-checks', inspector, { ...body, population: 'units' }));
    expect(
      (await refused(404, () => post('/spot-checks', inspector, { ...body, cycleId: '2030' }))).code,
    ).toBe('CYCLE_NOT_FOUND');
    expect(
      (await refused(422, () => post('/spot-checks', inspector, { ...body, period: '2026-Q4' }))).code,
    ).toBe('SPOT_CHECK_FRAME_EMPTY');
  });

  it('an inspector draws one Q3 report per town; the draw records its frame, log digest, seed and sample', async () => {
    const drawn = await post('/spot-checks', inspector, {
      title: '三季度察访核验',
      cycleId: '2026',
      population: 'reports',
      period: '2026-Q3',
      count: 1,
      strata: 'unit',
    }).expect(201);
    spotCheckId = drawn.body.id;
    seen(drawn.body.position);
    const view = await get(`/spot-checks/${spotCheckId}`, inspector).expect(200);
    expect(view.body).toMatchObject({
      title: '三季度察访核验',
      cycleId: '2026',
      population: 'reports',
      period: '2026-Q3',
      size: { kind: 'count', value: 1 },
      strata: 'unit',
      frameSize: 2,
      algorithm: 'sha256-rank-v1',
      drawnBy: inspector.userId,
      status: 'open',
      counts: { pending: 2, confirmed: 0, falseReport: 0, concealment: 0 },
    });
    expect(view.body.seed).toMatch(/^[0-9a-f]{64}$/);
    expect(view.body.logDigest).toMatch(/^[0-9a-f]{64}$/);
    expect(view.body.logPosition).toBeLessThan(drawn.body.position);
    expect(
      (view.body.items as Array<{ itemId: string; unitId: string; stratum: string }>).map((i) => [
        i.stratum,
        i.itemId,
      ]),
    ).toEqual([
      ['town-a', q3A],
      ['town-b', q3B],
    ]);
    const list = await get('/spot-checks', admin, { cycleId: '2026' }).expect(200);
    expect(list.body).toMatchObject({ total: 1, items: [expect.objectContaining({ _id: spotCheckId })] });
    await refused(403, () => get(`/spot-checks/${spotCheckId}`, staffA));
    expect(
      (await refused(404, () => get('/spot-checks/00000000-0000-4000-8000-000000000000', inspector))).code,
    ).toBe('SPOT_CHECK_NOT_FOUND');
  });

  it('anyone entitled recomputes the draw from the log, and it matches', async () => {
    const res = await get(`/spot-checks/${spotCheckId}/recompute`, auditor).expect(200);
    expect(res.body).toMatchObject({ spotCheckId, matches: true, frameSize: 2, algorithm: 'sha256-rank-v1' });
    expect(
      (res.body.checks as Array<{ name: string; matches: boolean }>).map((c) => [c.name, c.matches]),
    ).toEqual([
      ['frameDigest', true],
      ['frame', true],
      ['logDigest', true],
      ['seed', true],
      ['sample', true],
    ]);
    await refused(403, () => get(`/spot-checks/${spotCheckId}/recompute`, staffB));
    await refused(404, () => get('/spot-checks/00000000-0000-4000-8000-000000000000/recompute', auditor));
  });

  it('refuses outcomes: 403 not an inspector, 400 malformed, 404 unknown draw, 422 item not sampled or no evidence', async () => {
    await travel('2026-10-20 10:00');
    const body = { itemId: q3A, outcome: 'falseReport', findings: '现场核查：实际增速 3.5%' };
    await refused(403, () => post(`/spot-checks/${spotCheckId}/outcomes`, admin, body));
    await refused(403, () =>
      post(`/spot-checks/${spotCheckId}/outcomes`, staffA, { ...body, outcome: 'confirmed' }),
    );
    await refused(400, () =>
      post(`/spot-checks/${spotCheckId}/outcomes`, inspector, { ...body, outcome: 'fake' }),
    );
    expect(
      (
        await refused(404, () =>
          post('/spot-checks/00000000-0000-4000-8000-000000000000/outcomes', inspector, body),
        )
      ).code,
    ).toBe('SPOT_CHECK_NOT_FOUND');
    expect(
      (
        await refused(422, () =>
          post(`/spot-checks/${spotCheckId}/outcomes`, inspector, { ...body, itemId: q2A }),
        )
      ).code,
    ).toBe('SPOT_CHECK_ITEM_NOT_SAMPLED');
    const noEvidence = await refused(422, () =>
      post(`/spot-checks/${spotCheckId}/outcomes`, inspector, body),
    );
    expect(noEvidence.code).toBe('INVALID_SPOT_CHECK_OUTCOME');
    expect(noEvidence.message).toContain('佐证');
  });

  it('the inspector confirms Town A’s Q3 report false (虚报) with a site record, Town B’s as confirmed; no second outcome', async () => {
    const before = await explain();
    expect(before.body).toMatchObject({ falseReportThousandths: 0 });
    const record = await upload(inspector, '现场核查记录.pdf', 'site check record');
    const found = await post(`/spot-checks/${spotCheckId}/outcomes`, inspector, {
      itemId: q3A,
      outcome: 'falseReport',
      findings: '现场核查：统计台账显示前三季度实际增速 3.5%，填报 8.0% 不实',
      evidence: [{ fileId: record, name: '现场核查记录.pdf' }],
    }).expect(201);
    seen(found.body.position);
    const confirmed = await post(`/spot-checks/${spotCheckId}/outcomes`, inspector, {
      itemId: q3B,
      outcome: 'confirmed',
    }).expect(201);
    seen(confirmed.body.position);
    const twice = await refused(409, () =>
      post(`/spot-checks/${spotCheckId}/outcomes`, inspector, { itemId: q3B, outcome: 'confirmed' }),
    );
    expect(twice.code).toBe('SPOT_CHECK_OUTCOME_EXISTS');

    const view = await get(`/spot-checks/${spotCheckId}`, inspector).expect(200);
    expect(view.body).toMatchObject({
      status: 'completed',
      counts: { pending: 0, confirmed: 1, falseReport: 1 },
    });
    caseId = view.body.items[0].caseId;
    expect(view.body.items[0]).toMatchObject({
      itemId: q3A,
      outcome: 'falseReport',
      decidedBy: inspector.userId,
      evidence: [expect.objectContaining({ name: '现场核查记录.pdf', sha256: record })],
      caseId: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });

    const after = await explain();
    expect(after.body).toMatchObject({ falseReportThousandths: 5000 });
    expect(after.body.total).toBeCloseTo(before.body.total - 5, 6);
    const step = (after.body.trace as Array<{ rule: string; output: unknown }>).find(
      (s) => s.rule === 'falseReport',
    );
    expect(step).toMatchObject({ output: -5 });
  });

  it('shows the deduction in Town A’s timeline, by the inspector', async () => {
    const timeline = await get('/scores/town-a/timeline', leader, { cycleId: '2026' }).expect(200);
    const entry = (
      timeline.body.entries as Array<{
        delta: number;
        events: Array<{ type: string; actor: { userId: string } }>;
      }>
    ).find((e) => e.events.some((x) => x.type === 'FalseReportConfirmed'));
    expect(entry).toMatchObject({
      delta: -5,
      events: [expect.objectContaining({ actor: expect.objectContaining({ userId: inspector.userId }) })],
    });
  });

  it('flags the report in the targets view, for the unit and the office alike', async () => {
    for (const as of [admin, staffA]) {
      const target = await get(`/targets/${gdpA}`, as).expect(200);
      const reports = target.body.reports as Array<{ reportId: string; falseReport?: unknown }>;
      expect(reports.find((r) => r.reportId === q3A)!.falseReport).toMatchObject({
        kind: 'falseReport',
        spotCheckId,
        period: '2026-Q3',
        confirmedBy: inspector.userId,
      });
      expect(reports.find((r) => r.reportId === q2A)!.falseReport).toBeUndefined();
      expect(target.body.falseReports).toHaveLength(1);
    }
    const targetB = await get(`/targets/${gdpB}`, admin).expect(200);
    expect(targetB.body.falseReports ?? []).toEqual([]);
  });

  it('ranks Town A’s Q3 report first in the anomaly view, each signal with its events and values', async () => {
    const res = await get('/anomalies', inspector, { cycleId: '2026' }).expect(200);
    expect(res.body.settings).toMatchObject({ version: 0 });
    expect(res.headers['x-audit-read-id']).toEqual(expect.any(String)); // 查阅留痕: the read is on the log
    const [first] = res.body.reports.items as Array<{
      subject: { reportId: string };
      unitId: string;
      signals: string[];
      findings: Array<{ signal: string; evidence: { eventIds: string[]; values: Record<string, unknown> } }>;
    }>;
    expect(first).toMatchObject({ subject: { kind: 'report', reportId: q3A }, unitId: 'town-a' });
    expect(first!.signals).toEqual(
      expect.arrayContaining(['lastMinuteJump', 'evidenceReuse', 'falseReportConfirmed']),
    );
    const jump = first!.findings.find((f) => f.signal === 'lastMinuteJump')!;
    expect(jump.evidence.values).toMatchObject({ previousPct: 10, pct: 100, hoursBeforeDue: 3 });
    expect(jump.evidence.eventIds).toHaveLength(2);
    expect(res.body.units[0]).toMatchObject({ unitId: 'town-a' });
    const onlyB = await get('/anomalies', inspector, { cycleId: '2026', unitId: 'town-b' }).expect(200);
    expect(onlyB.body.reports.items.every((r: { unitId: string }) => r.unitId === 'town-b')).toBe(true);
    const jumps = await get('/anomalies', inspector, { signal: 'lastMinuteJump' }).expect(200);
    expect(
      jumps.body.reports.items.map((r: { subject: { reportId: string } }) => r.subject.reportId),
    ).toEqual([q3A]);
  });

  it('refuses the anomaly view to all but inspectors, and malformed filters', async () => {
    await refused(401, () => env.http().get('/anomalies'));
    await refused(403, () => get('/anomalies', leader));
    await refused(403, () => get('/anomalies', staffA));
    await refused(400, () => get('/anomalies', inspector, { signal: 'gossip' }));
  });

  it('thresholds are versioned settings: a stricter jump threshold drops the jump signal', async () => {
    const current = await get('/anomalies/settings', inspector).expect(200);
    const values = { ...current.body.values, jumpPoints: 95 };
    await refused(403, () =>
      env.http().put('/anomalies/settings').set(bearer(admin)).send({ settings: values }),
    );
    const invalid = await refused(422, () =>
      env
        .http()
        .put('/anomalies/settings')
        .set(bearer(inspector))
        .send({ settings: { ...values, staleReports: 1 } }),
    );
    expect(invalid.code).toBe('INVALID_ANOMALY_SETTINGS');
    const published = await env
      .http()
      .put('/anomalies/settings')
      .set(bearer(inspector))
      .send({ settings: values, note: '仅跳升 95 个百分点以上提示' })
      .expect(200);
    expect(published.body).toMatchObject({ version: 1, changed: true });
    seen(published.body.position);
    const res = await get('/anomalies', inspector, { cycleId: '2026', signal: 'lastMinuteJump' }).expect(200);
    expect(res.body.settings).toMatchObject({ version: 1 });
    expect(res.body.reports.items).toEqual([]);
  });

  it('Town A appeals the finding after the October 公示; the committee overturns it and the deduction goes', async () => {
    await travel('2026-11-02 10:00');
    const published = await post('/rankings/2026/towns/publications', admin, {
      kind: 'monthly',
      period: '2026-10',
      appealWindowDays: 7,
    }).expect(201);
    seen(published.body.position);
    // Every 公示 has the log digested and signed (docs/audit.md): let that append land first.
    expect(await env.app.get(SignLogDigestWhenRankingPublished).waitFor(published.body.position)).toBe(true);
    const publicationId = published.body.id as string;
    const subject = { kind: 'falseReport', caseId };
    const appeal = { unitId: 'town-a', publicationId, subject, reasons: '统计口径理解有误，已提交说明' };
    const other = await refused(422, () => post('/appeals', staffB, { ...appeal, unitId: 'town-b' }));
    expect(other.code).toBe('APPEAL_SUBJECT_NOT_FOUND');
    await refused(400, () => post('/appeals', staffA, { ...appeal, subject: { kind: 'falseReport' } }));
    const filed = await post('/appeals', staffA, appeal).expect(201);
    seen(filed.body.position);
    const [event] = await env.store.readStream(`appeal-${filed.body.id as string}`);
    expect(event).toMatchObject({
      data: { subject: { kind: 'falseReport', caseId, finding: 'falseReport', targetId: gdpA } },
    });

    const rulings = `/appeals/${filed.body.id as string}/rulings`;
    const partial = await refused(422, () =>
      post(rulings, admin, { outcome: 'partial', amount: 2, reasoning: '减轻处理' }),
    );
    expect(partial.code).toBe('INVALID_RULING');
    const ruled = await post(rulings, admin, {
      outcome: 'overturned',
      reasoning: '复核认定数据口径差异，撤销认定',
    }).expect(201);
    seen(ruled.body.position);
    expect((await explain()).body).toMatchObject({ falseReportThousandths: 0 });
    const cases = await get('/anomalies', inspector, {
      cycleId: '2026',
      signal: 'falseReportConfirmed',
    }).expect(200);
    expect(cases.body.reports.items).toEqual([]);
  }, 30_000);
});
