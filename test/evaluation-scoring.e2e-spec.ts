import { bearer, type EmbeddedApp, type Session } from './support/embedded-app';
import { createUnits, openCycle, sh, signIn, startApp } from './support/worked-example';

/**
 * 满意度评议 feeds the score (issue 7, "the close of a campaign emits the results as events that the
 * scoring uses as satisfaction input"): a towns tree with a 400-point 满意度 indicator of method
 * `satisfaction`; a campaign rated by departments (互评) and a named leader; after its close the
 * published `overall` of each town becomes `points × overall / 100` in explain, the ranking and the
 * timeline, from the publication's business time on, and a replay as of before the close shows
 * none of it. The `it`s share state and run in order; the clock moves.
 */
const DIMENSIONS = ['能力素质', '依法行政', '廉政勤政', '服务意识', '工作成效'];
const scores = (...values: number[]) => Object.fromEntries(DIMENSIONS.map((d, i) => [d, values[i]]));
const CAMPAIGN = 'zuofeng-2026';

const TREE = {
  category: 'towns',
  scale: 1000,
  indicators: [
    { indicatorId: 'economy', parentId: null, name: '经济发展', level: 1, points: 600, method: null },
    {
      indicatorId: 'gdp-growth',
      parentId: 'economy',
      name: 'GDP增速',
      level: 2,
      points: 600,
      method: 'completion',
    },
    {
      indicatorId: 'satisfaction',
      parentId: null,
      name: '群众满意度',
      level: 1,
      points: 400,
      method: 'satisfaction',
    },
  ],
};

describe('evaluations → scoring: a closed 评议 campaign is the satisfaction indicator’s input', () => {
  let now = sh('2026-11-01 09:00');
  let env: EmbeddedApp;
  let system: Session;
  let security: Session;
  let admin: Session;
  let staffA: Session;
  let staffB: Session;
  let leader: Session;
  let head = 0;
  const endOfNovember = sh('2026-11-30 23:59');
  const beforeClose = sh('2026-11-21 08:00');

  const travel = async (local: string) => {
    now = sh(local);
    await env.renew(system, security, admin, staffA, staffB, leader);
  };
  const track = <R extends { body: { position?: number | null } }>(res: R): R => {
    if (typeof res.body.position === 'number') head = Math.max(head, res.body.position);
    return res;
  };
  const sheet = (as: Session, unitId: string, group: string, values: number[]) =>
    env
      .http()
      .put(`/campaigns/${CAMPAIGN}/sheets/${unitId}`)
      .set(bearer(as))
      .send({ group, scores: scores(...values) });
  type Step = { rule: string; indicatorId?: string; inputs: Record<string, unknown>; output: unknown };
  type Explained = { total: number; rank: number; trace: Step[] };
  const explain = async (unitId: string, query: Record<string, string> = {}) =>
    (
      await env
        .http()
        .get(`/scores/${unitId}/explain`)
        .query({ cycleId: '2026', at: endOfNovember, minPosition: head, ...query })
        .set(bearer(admin))
        .expect(200)
    ).body as Explained;
  const satisfactionStep = (body: Explained) =>
    body.trace.find((s) => s.rule === 'satisfaction' && s.indicatorId === 'satisfaction');

  beforeAll(async () => {
    env = await startApp(() => new Date(now));
    ({ system, security, admin, staffA, staffB, leader } = await signIn(env, [
      'admin',
      'staffA',
      'staffB',
      'leader',
    ]));
  }, 60_000);
  afterAll(async () => {
    await env?.stop();
  });

  it('sets up cycle 2026, the towns and a tree whose 满意度 indicator is scored by satisfaction', async () => {
    await openCycle(env, admin);
    await createUnits(env, admin);
    track(await env.http().post('/cycles/2026/indicator-trees').set(bearer(admin)).send(TREE).expect(201));
    const town = await explain('town-a');
    // No campaign closed yet: no result → 0 (docs/scoring.md), and no target for GDP growth.
    expect(town.total).toBe(0);
  });

  it('runs the campaign: the towns rate each other (互评), the named leader rates both', async () => {
    const created = await env
      .http()
      .post('/campaigns')
      .set(bearer(admin))
      .send({
        campaignId: CAMPAIGN,
        cycleId: '2026',
        name: '2026 年度机关作风满意度评议',
        period: '2026',
        unitIds: ['town-a', 'town-b'],
        groups: [
          { kind: 'departments', weight: 0.5, raterUnitIds: ['town-a', 'town-b'] },
          { kind: 'leaders', weight: 0.5, userIds: [leader.userId] },
        ],
        questionnaire: { kind: 'dimensions', dimensions: DIMENSIONS },
        opensAt: sh('2026-11-02 00:00'),
        closesAt: sh('2026-11-20 00:00'),
      })
      .expect(201);
    track(created);
    await travel('2026-11-03 10:00');
    track(await env.http().post(`/campaigns/${CAMPAIGN}/open`).set(bearer(admin)).expect(200));
    // Sheet means: Town B rates Town A 80, Town A rates Town B 70; the leader 90 and 60.
    track(await sheet(staffB, 'town-a', 'departments', [80, 80, 80, 80, 80]).expect(200));
    track(await sheet(staffA, 'town-b', 'departments', [70, 70, 70, 70, 70]).expect(200));
    track(await sheet(leader, 'town-a', 'leaders', [90, 90, 90, 90, 90]).expect(200));
    track(await sheet(leader, 'town-b', 'leaders', [50, 60, 60, 60, 70]).expect(200));
    // While the campaign is open nothing reaches the score.
    expect((await explain('town-a')).total).toBe(0);
  });

  it('closes it on 21 November: explain scores 满意度 = 400 × overall / 100 with the published event', async () => {
    await travel('2026-11-21 09:00');
    track(await env.http().post(`/campaigns/${CAMPAIGN}/close`).set(bearer(admin)).expect(200));
    const results = await env
      .http()
      .get(`/campaigns/${CAMPAIGN}/results`)
      .query({ minPosition: head })
      .set(bearer(admin))
      .expect(200);
    const overall = Object.fromEntries(
      (results.body.units as Array<{ unitId: string; overall: number }>).map((u) => [u.unitId, u.overall]),
    );
    // Town A: 0.5 × 80 + 0.5 × 90 = 85; Town B: 0.5 × 70 + 0.5 × 60 = 65.
    expect(overall).toEqual({ 'town-a': 85, 'town-b': 65 });

    const a = await explain('town-a');
    // The satisfaction factor is overall / 100; the indicator scores points × factor.
    expect(satisfactionStep(a)).toMatchObject({ output: 0.85 });
    expect(a.trace.find((s) => s.rule === 'indicatorScore' && s.indicatorId === 'satisfaction')?.output).toBe(
      340,
    ); // 400 × 85 / 100
    expect(a.total).toBe(340);
    const b = await explain('town-b');
    expect(b.total).toBe(260); // 400 × 65 / 100
    const published = (await env.store.readStream(`campaign-${CAMPAIGN}`)).find(
      (e) => e.type === 'EvaluationResultsPublished',
    )!;
    const withEvents = a.trace.find((s) => s.rule === 'satisfaction') as unknown as {
      events: Array<{ eventId: string; type: string }>;
    };
    expect(withEvents.events).toContainEqual(
      expect.objectContaining({ eventId: published.id, type: 'EvaluationResultsPublished' }),
    );
  });

  it('ranks the towns by it, and a replay as of before the close shows none of it', async () => {
    const ranking = await env
      .http()
      .get('/rankings/2026/towns')
      .query({ at: endOfNovember, minPosition: head })
      .set(bearer(admin))
      .expect(200);
    expect(ranking.body.items.map((i: { unitId: string; total: number }) => [i.unitId, i.total])).toEqual([
      ['town-a', 340],
      ['town-b', 260],
    ]);
    const replay = await explain('town-a', { asOf: beforeClose });
    expect(replay.total).toBe(0);
    // Business time is the publication (21 November): scored at the 20th, they do not count yet.
    const dayBefore = await explain('town-a', { at: sh('2026-11-20 23:59') });
    expect(dayBefore.total).toBe(0);
  });

  it('shows the publication in Town A’s timeline as the instant that moved the score by 340', async () => {
    const res = await env
      .http()
      .get('/scores/town-a/timeline')
      .query({ cycleId: '2026', at: endOfNovember, minPosition: head })
      .set(bearer(staffA))
      .expect(200);
    const body = res.body as {
      finalThousandths: number;
      entries: Array<{ recordedAt: string; deltaThousandths: number; events: Array<{ type: string }> }>;
    };
    expect(body.finalThousandths).toBe(340_000);
    const moved = body.entries.filter((e) => e.deltaThousandths !== 0);
    expect(moved).toHaveLength(1);
    expect(moved[0]).toMatchObject({ recordedAt: now, deltaThousandths: 340_000 });
    expect(moved[0]!.events.map((e) => e.type)).toContain('EvaluationResultsPublished');
  });
});
