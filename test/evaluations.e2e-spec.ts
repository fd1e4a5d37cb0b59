import { createHash } from 'node:crypto';
import { Workbook } from 'exceljs';
import type { Response } from 'superagent';
import { PublicRatingLimiter } from '../apps/api/src/evaluations/public-rating-limiter';
import { EmbeddedApp, type Session, bearer } from './support/embedded-app';
import { isChinese } from './support/requests';

/**
 * One 满意度评议 campaign end to end through HTTP, with all four rater groups (public 0.4,
 * departments 0.3, leaders 0.2, third-party survey 0.1), the refusals along the way, and the exact
 * weighted result per unit after the close. The `it`s share state and run in order; the clock moves.
 */
/** Collects a binary body (superagent only buffers text and JSON by default). */
const binary = (res: Response, callback: (error: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (chunk: Buffer) => chunks.push(chunk));
  res.on('end', () => callback(null, Buffer.concat(chunks)));
};

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const DIMENSIONS = ['能力素质', '依法行政', '廉政勤政', '服务意识', '工作成效'];
const scores = (value: number) => Object.fromEntries(DIMENSIONS.map((d) => [d, value]));
const CAMPAIGN = 'pingyi-2026';
const UNITS = ['town-a', 'town-b', 'town-c'];

describe('evaluations: a satisfaction campaign from creation to published results', () => {
  let now = '2026-11-01T01:00:00.000Z';
  let env: EmbeddedApp;
  let system: Session;
  let security: Session;
  let admin: Session;
  let staffA: Session;
  let staffB: Session;
  let staffC: Session;
  let leader: Session;
  let inspector: Session;
  const tokens: Record<string, string[]> = {};
  let lastPosition = 0;

  const travel = async (iso: string) => {
    now = new Date(iso).toISOString();
    await env.renew(system, security, admin, staffA, staffB, staffC, leader, inspector);
  };
  const sheet = (as: Session, unitId: string, body: object) =>
    env.http().put(`/campaigns/${CAMPAIGN}/sheets/${unitId}`).set(bearer(as)).send(body);
  const dept = (as: Session, unitId: string, value: number) =>
    sheet(as, unitId, { group: 'departments', scores: scores(value) });
  const expectRefusal = async (
    res: { status: number; body: { code: string; message: string } },
    status: number,
    code: string,
  ) => {
    expect({ status: res.status, code: res.body.code }).toEqual({ status, code });
    expect(isChinese(res.body.message)).toBe(true);
  };
  const track = <R extends { body: { position?: number | null } }>(res: R): R => {
    if (typeof res.body.position === 'number') lastPosition = Math.max(lastPosition, res.body.position);
    return res;
  };

  beforeAll(async () => {
    env = await EmbeddedApp.start({}, () => new Date(now));
    system = await env.administrator('systemAdmin');
    security = await env.administrator('securityAdmin');
    const admins = { system, security };
    admin = await env.user(admins, 'kaohe-ban', [{ role: 'assessmentAdmin' }]);
    staffA = await env.user(admins, 'town-a-staff', [{ role: 'unitStaff', unitIds: ['town-a'] }]);
    staffB = await env.user(admins, 'town-b-staff', [{ role: 'unitStaff', unitIds: ['town-b'] }]);
    staffC = await env.user(admins, 'town-c-staff', [{ role: 'unitStaff', unitIds: ['town-c'] }]);
    leader = await env.user(admins, 'fen-guan-ld', [{ role: 'cityLeader' }]);
    inspector = await env.user(admins, 'jiancha', [{ role: 'inspector' }]);
  }, 60_000);

  afterAll(async () => {
    await env?.stop();
  });

  const campaign = () => ({
    campaignId: CAMPAIGN,
    cycleId: '2026',
    name: '2026 年度机关作风满意度评议',
    period: '2026',
    unitIds: UNITS,
    groups: [
      { kind: 'public', weight: 0.4 },
      { kind: 'departments', weight: 0.3, raterUnitIds: UNITS },
      { kind: 'leaders', weight: 0.2, userIds: [leader.userId] },
      { kind: 'survey', weight: 0.1 },
    ],
    questionnaire: { kind: 'dimensions', dimensions: DIMENSIONS },
    opensAt: '2026-11-02T00:00:00.000Z',
    closesAt: '2026-11-20T00:00:00.000Z',
    quota: { excellentAt: 90, maxShare: 0.5 },
    reciprocalThreshold: 10,
  });

  it('refuses a campaign whose weights do not sum to 1 (422) or malformed (400), appending nothing', async () => {
    const head = await env.headPosition();
    const bad = await env
      .http()
      .post('/campaigns')
      .set(bearer(admin))
      .send({
        ...campaign(),
        groups: [
          { kind: 'public', weight: 0.5 },
          { kind: 'survey', weight: 0.4 },
        ],
      });
    await expectRefusal(bad, 422, 'INVALID_CAMPAIGN');
    expect(bad.body.message).toMatch(/权重之和须为 1/);
    const malformed = await env
      .http()
      .post('/campaigns')
      .set(bearer(admin))
      .send({ ...campaign(), unitIds: 'town-a' });
    expect(malformed.status).toBe(400);
    expect(await env.headPosition()).toBe(head);
  });

  it('refuses creation by unit staff (403) and anonymously (401)', async () => {
    expect((await env.http().post('/campaigns').set(bearer(staffA)).send(campaign())).status).toBe(403);
    expect((await env.http().post('/campaigns').send(campaign())).status).toBe(401);
  });

  it('creates the campaign; sheets are refused until it opens', async () => {
    track(await env.http().post('/campaigns').set(bearer(admin)).send(campaign()).expect(201));
    await expectRefusal(await dept(staffA, 'town-b', 80), 409, 'CAMPAIGN_NOT_OPEN');
    track(await env.http().post(`/campaigns/${CAMPAIGN}/open`).set(bearer(admin)).expect(200));
    // Opened, but opensAt is tomorrow by the clock.
    await expectRefusal(await dept(staffA, 'town-b', 80), 409, 'CAMPAIGN_NOT_OPEN');
    await travel('2026-11-03T02:00:00.000Z');
  });

  it('takes department sheets and refuses own unit, another unit’s name, incomplete sheets and the quota', async () => {
    track(await dept(staffA, 'town-b', 95).expect(200));
    const over = await dept(staffA, 'town-c', 95);
    await expectRefusal(over, 409, 'OVER_QUOTA');
    expect(over.body.message).toContain('最多 1 份');
    track(await dept(staffA, 'town-c', 80).expect(200));
    await expectRefusal(await dept(staffA, 'town-a', 80), 403, 'RATING_OWN_UNIT');
    await expectRefusal(
      await sheet(staffA, 'town-c', { group: 'departments', raterUnitId: 'town-b', scores: scores(80) }),
      403,
      'OUT_OF_SCOPE',
    );
    const head = await env.headPosition();
    const { 工作成效: _left, ...partial } = scores(80);
    const incomplete = await sheet(staffB, 'town-a', { group: 'departments', scores: partial });
    await expectRefusal(incomplete, 422, 'INCOMPLETE_SHEET');
    expect(incomplete.body.message).toContain('工作成效');
    expect(await env.headPosition()).toBe(head);

    track(await dept(staffB, 'town-a', 70).expect(200));
    track(await dept(staffB, 'town-c', 80).expect(200));
    track(await dept(staffC, 'town-a', 85).expect(200));
    track(await dept(staffC, 'town-b', 75).expect(200));
    // Town B revises its sheet for town A before the close: version 2 replaces version 1.
    const revised = track(await dept(staffB, 'town-a', 72).expect(200));
    expect(revised.body).toMatchObject({ version: 2, overall: 72 });
  });

  it('takes the named leader’s sheets and refuses a user who is not a listed leader', async () => {
    for (const [unit, value] of [
      ['town-a', 80],
      ['town-b', 90],
      ['town-c', 70],
    ] as const)
      track(await sheet(leader, unit, { group: 'leaders', scores: scores(value) }).expect(200));
    await expectRefusal(
      await sheet(staffA, 'town-b', { group: 'leaders', scores: scores(80) }),
      403,
      'NOT_A_RATER',
    );
  });

  it('imports the third-party survey (JSON or .xlsx) all or nothing, naming each bad row', async () => {
    const head = await env.headPosition();
    const bad = await env
      .http()
      .post(`/campaigns/${CAMPAIGN}/survey`)
      .set(bearer(admin))
      .send({
        rows: [
          { unitId: 'town-a', respondents: 200, dimensionMeans: scores(88) },
          { unitId: 'town-x', respondents: 10, dimensionMeans: scores(70) },
          { unitId: 'town-b', respondents: 150, dimensionMeans: { ...scores(70), 工作成效: 120 } },
        ],
      });
    await expectRefusal(bad, 422, 'INVALID_SURVEY');
    expect(bad.body.details.problems).toEqual([
      '第 2 行：单位 town-x 不在本次评议对象之中',
      '第 3 行：“工作成效”的平均分须在 0–100 之间',
    ]);
    expect(await env.headPosition()).toBe(head);
    // The same data as an Excel file, first with a bad cell and a bad row (nothing imported), then right.
    const upload = async (rows: Array<Array<string | number>>) => {
      const workbook = new Workbook();
      const sheet = workbook.addWorksheet('调查结果');
      sheet.addRow(['单位编号', '受访人数', ...DIMENSIONS]);
      for (const row of rows) sheet.addRow(row);
      const file = Buffer.from(await workbook.xlsx.writeBuffer());
      return env
        .http()
        .post(`/campaigns/${CAMPAIGN}/survey/import`)
        .set(bearer(admin))
        .attach('file', file, { filename: '第三方测评.xlsx', contentType: XLSX });
    };
    const badFile = await upload([
      ['town-a', 200, 88, 88, 88, 88, '八十八'],
      ['town-b', 150, 70, 70, 70, 70, 70],
    ]);
    await expectRefusal(badFile, 422, 'INVALID_SURVEY');
    expect(badFile.body.details.errors).toEqual([
      { row: 2, column: '工作成效', message: '“工作成效”须为数字' },
    ]);
    const wrongUnit = await upload([['town-z', 20, 80, 80, 80, 80, 80]]);
    await expectRefusal(wrongUnit, 422, 'INVALID_SURVEY');
    expect(wrongUnit.body.details.problems).toEqual(['第 2 行：单位 town-z 不在本次评议对象之中']);
    expect(await env.headPosition()).toBe(head);
    const imported = track(
      await upload([
        ['town-a', 200, 88, 88, 88, 88, 88],
        ['town-b', 150, 70, 70, 70, 70, 70],
      ]),
    );
    expect(imported.status).toBe(200);
  });

  it('issues rating links whose tokens are stored only as hashes', async () => {
    for (const [unit, count] of [
      ['town-a', 3],
      ['town-b', 1],
    ] as const) {
      const res = track(
        await env
          .http()
          .post(`/campaigns/${CAMPAIGN}/units/${unit}/rating-links`)
          .set(bearer(admin))
          .send({ count })
          .expect(201),
      );
      expect(res.body.links).toHaveLength(count);
      expect(res.body.links[0]).toBe(`/rate/${CAMPAIGN}/${unit}?t=${res.body.tokens[0]}`);
      tokens[unit] = res.body.tokens;
    }
    const stored = JSON.stringify(await env.store.readStream(`publicrating-${CAMPAIGN}:town-a`));
    const token = tokens['town-a']![0]!;
    expect(stored).not.toContain(token);
    expect(stored).toContain(createHash('sha256').update(token).digest('hex'));
  });

  it('renders a rating link as a QR code in PNG and SVG', async () => {
    const token = tokens['town-a']![0]!;
    const base = `/campaigns/${CAMPAIGN}/units/town-a/rating-qr`;
    const png = await env
      .http()
      .get(`${base}/png?t=${token}`)
      .set(bearer(admin))
      .buffer(true)
      .parse(binary)
      .expect(200);
    expect(png.headers['content-type']).toMatch(/^image\/png/);
    expect((png.body as Buffer).subarray(0, 8)).toEqual(
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    );
    const svg = await env
      .http()
      .get(`${base}/svg?t=${token}`)
      .set(bearer(admin))
      .buffer(true)
      .parse(binary)
      .expect(200);
    expect(svg.headers['content-type']).toMatch(/^image\/svg\+xml/);
    expect((svg.body as Buffer).toString('utf8')).toMatch(/^<svg /);
    const bad = await env.http().get(`${base}/svg?t=x`).set(bearer(admin));
    expect(bad.status).toBe(400);
    expect((await env.http().get(`${base}/svg?t=${token}`).set(bearer(staffA))).status).toBe(403);
  });

  it('takes anonymous ratings without login, once per token, storing no user or address', async () => {
    const rate = (unitId: string, token: string, value: number) =>
      env
        .http()
        .post('/public-ratings')
        .send({ campaignId: CAMPAIGN, unitId, token, scores: scores(value) });
    track(await rate('town-a', tokens['town-a']![0]!, 90).expect(201));
    track(await rate('town-a', tokens['town-a']![1]!, 60).expect(201));
    await expectRefusal(await rate('town-a', tokens['town-a']![0]!, 100), 409, 'RATING_TOKEN_USED');
    await expectRefusal(await rate('town-b', tokens['town-a']![2]!, 100), 403, 'RATING_TOKEN_INVALID');
    track(await rate('town-b', tokens['town-b']![0]!, 80).expect(201));

    const events = await env.store.readStream(`publicrating-${CAMPAIGN}:town-a`);
    const ratings = events.filter((e) => e.type === 'PublicRatingSubmitted');
    expect(ratings).toHaveLength(2);
    for (const e of ratings) {
      expect(e.metadata.actor).toEqual({ userId: 'anonymous', role: 'public', unitId: null });
      expect(JSON.stringify(e)).not.toMatch(/127\.0\.0\.1|::1|::ffff/);
      expect(e.data.networkHash).toMatch(/^[0-9a-f]{64}$/);
    }
  });

  it('locks the sheets after closesAt by the clock (423)', async () => {
    await travel('2026-11-20T00:00:00.000Z');
    await expectRefusal(await dept(staffA, 'town-b', 60), 423, 'CAMPAIGN_CLOSED');
    const res = await env
      .http()
      .post('/public-ratings')
      .send({ campaignId: CAMPAIGN, unitId: 'town-a', token: tokens['town-a']![2]!, scores: scores(10) });
    await expectRefusal(res, 423, 'CAMPAIGN_CLOSED');
  });

  it('closes the campaign and publishes the exact weighted result per unit', async () => {
    track(await env.http().post(`/campaigns/${CAMPAIGN}/close`).set(bearer(admin)).expect(200));
    const res = await env
      .http()
      .get(`/campaigns/${CAMPAIGN}/results?minPosition=${lastPosition}`)
      .set(bearer(staffA))
      .expect(200);
    const summary = (
      res.body.units as Array<{
        unitId: string;
        overall: number;
        renormalised: boolean;
        groups: Array<{ kind: string; responses: number; score: number | null }>;
      }>
    ).map((u) => ({
      unitId: u.unitId,
      overall: u.overall,
      renormalised: u.renormalised,
      groups: Object.fromEntries(u.groups.map((g) => [g.kind, [g.responses, g.score]])),
    }));
    expect(summary).toEqual([
      {
        // 0.4 × 75 + 0.3 × (72 + 85) / 2 + 0.2 × 80 + 0.1 × 88 = 30 + 23.55 + 16 + 8.8
        unitId: 'town-a',
        overall: 78.35,
        renormalised: false,
        groups: { public: [2, 75], departments: [2, 78.5], leaders: [1, 80], survey: [200, 88] },
      },
      {
        // 0.4 × 80 + 0.3 × (95 + 75) / 2 + 0.2 × 90 + 0.1 × 70 = 32 + 25.5 + 18 + 7
        unitId: 'town-b',
        overall: 82.5,
        renormalised: false,
        groups: { public: [1, 80], departments: [2, 85], leaders: [1, 90], survey: [150, 70] },
      },
      {
        // No public rating, no survey row: (0.3 × 80 + 0.2 × 70) / 0.5
        unitId: 'town-c',
        overall: 76,
        renormalised: true,
        groups: { public: [0, null], departments: [2, 80], leaders: [1, 70], survey: [0, null] },
      },
    ]);
    const events = await env.store.readStream(`campaign-${CAMPAIGN}`);
    expect(events.slice(-2).map((e) => e.type)).toEqual(['CampaignClosed', 'EvaluationResultsPublished']);
  });

  it('shows the signals to inspectors only', async () => {
    const res = await env
      .http()
      .get(`/campaigns/${CAMPAIGN}/signals?minPosition=${lastPosition}`)
      .set(bearer(inspector))
      .expect(200);
    expect(res.body).toEqual({ campaignId: CAMPAIGN, reciprocal: [], bursts: [] });
    expect((await env.http().get(`/campaigns/${CAMPAIGN}/signals`).set(bearer(admin))).status).toBe(403);
    const detail = await env.http().get(`/campaigns/${CAMPAIGN}`).set(bearer(staffA)).expect(200);
    expect(detail.body.results.reciprocalSignals).toBeUndefined();
  });

  it('accepts a burst from one network but flags it for the inspectors', async () => {
    const burst = 'pingyi-burst';
    track(
      await env
        .http()
        .post('/campaigns')
        .set(bearer(admin))
        .send({
          ...campaign(),
          campaignId: burst,
          groups: [{ kind: 'public', weight: 1 }],
          questionnaire: { kind: 'satisfaction', scores: { 满意: 100, 基本满意: 80, 不满意: 0 } },
          opensAt: '2026-11-19T00:00:00.000Z',
          closesAt: '2026-12-01T00:00:00.000Z',
        })
        .expect(201),
    );
    track(await env.http().post(`/campaigns/${burst}/open`).set(bearer(admin)).expect(200));
    const links = await env
      .http()
      .post(`/campaigns/${burst}/units/town-a/rating-links`)
      .set(bearer(admin))
      .send({ count: 21 })
      .expect(201);
    for (const token of links.body.tokens as string[])
      track(
        await env
          .http()
          .post('/public-ratings')
          .send({ campaignId: burst, unitId: 'town-a', token, level: '满意' })
          .expect(201),
      );
    const signals = await env
      .http()
      .get(`/campaigns/${burst}/signals?minPosition=${lastPosition}`)
      .set(bearer(inspector))
      .expect(200);
    expect(signals.body.bursts).toEqual([
      expect.objectContaining({ unitId: 'town-a', countInWindow: 21, windowMinutes: 5 }),
    ]);
    const ratings = (await env.store.readStream(`publicrating-${burst}:town-a`)).filter(
      (e) => e.type === 'PublicRatingSubmitted',
    );
    expect(ratings).toHaveLength(21);
  });

  it('limits attempts per token and per network with 429, in Chinese', async () => {
    const attempt = (token: string) =>
      env
        .http()
        .post('/public-ratings')
        .send({ campaignId: CAMPAIGN, unitId: 'town-b', token, scores: scores(50) });
    const used = tokens['town-b']![0]!; // its one earlier attempt was days ago, outside the window
    for (let i = 1; i <= 5; i += 1) expect((await attempt(used)).status).toBe(423);
    await expectRefusal(await attempt(used), 429, 'RATING_RATE_LIMITED');

    const limiter = env.app.get(PublicRatingLimiter);
    const saved = limiter.limits.perNetworkAttempts;
    limiter.limits.perNetworkAttempts = 0;
    try {
      const res = await attempt(tokens['town-a']![2]!);
      await expectRefusal(res, 429, 'RATING_RATE_LIMITED');
      expect(res.body.message).toContain('网络');
    } finally {
      limiter.limits.perNetworkAttempts = saved;
    }
  });
});
