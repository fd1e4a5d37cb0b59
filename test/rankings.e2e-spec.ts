import { periodEnd } from '@dukao/targets';
import { type EmbeddedApp, type Session, bearer } from './support/embedded-app';
import {
  GDP_PROPOSAL,
  TOWNS_TREE,
  createUnits,
  proposeAndIssue,
  sh,
  signIn,
  startApp,
} from './support/worked-example';

/**
 * Monthly rankings (月排名) on the worked example, with a moving clock. Cycle 2025: Town A's GDP
 * target of 8.0 reported 4.0 for Q2. Cycle 2026: the same target, 2.0 for Q1 (filed in April) and
 * 3.2 for Q2 (filed on 9 July). Town B has no target. The rankings view grows a month as each month
 * ends, moves when a report comes in, and compares June 2026 with June 2025. The `it`s share state
 * and run in order.
 */
describe('rankings: the monthly rankings view over a year', () => {
  let now = sh('2025-01-05 09:00');
  let env: EmbeddedApp;
  let system: Session;
  let security: Session;
  let admin: Session;
  let reviewer: Session;
  let staffA: Session;
  let leader: Session;
  let leaderB: Session;
  let gdp2026: string;
  let head = 0;

  const travel = async (local: string) => {
    now = sh(local);
    await env.renew(system, security, admin, reviewer, staffA, leader, leaderB);
  };
  const openCycle = async (cycleId: string) => {
    await env
      .http()
      .post('/cycles')
      .set(bearer(admin))
      .send({ cycleId, name: `${cycleId}年度绩效考核` })
      .expect(201);
    const tree = await env
      .http()
      .post(`/cycles/${cycleId}/indicator-trees`)
      .set(bearer(admin))
      .send(TOWNS_TREE)
      .expect(201);
    head = Math.max(head, tree.body.position as number);
  };
  const reportAndVerify = async (targetId: string, period: string, cumulativeValue: number) => {
    const reported = await env
      .http()
      .post(`/targets/${targetId}/reports`)
      .set(bearer(staffA))
      .send({ period, cumulativeValue })
      .expect(201);
    const verified = await env
      .http()
      .post(`/targets/${targetId}/reports/${reported.body.reportId as string}/verify`)
      .set(bearer(reviewer))
      .expect(200);
    head = Math.max(head, verified.body.position as number);
  };
  const months = async (cycleId: string) =>
    (
      await env
        .http()
        .get(`/rankings/${cycleId}/towns/months`)
        .query({ minPosition: head })
        .set(bearer(leader))
        .expect(200)
    ).body.months as string[];
  type Row = {
    unitId: string;
    unitName: string;
    total: number;
    rank: number;
    grade: string;
    flagged: boolean;
    completionPct: number | null;
    expectedPct: number | null;
    vsExpected: number | null;
    vsAverage: number | null;
    lastYear: { cycleId: string; total: number; rank: number; delta: number; rankChange: number } | null;
    scores: number[];
  };
  const month = async (cycleId: string, m: string, as: Session = leader) => {
    const res = await env
      .http()
      .get(`/rankings/${cycleId}/towns/months/${m}`)
      .query({ minPosition: head })
      .set(bearer(as))
      .expect(200);
    const body = res.body as {
      items: Row[];
      units: number;
      averageCompletionPct: number | null;
      indicators: Array<{ indicatorId: string; name: string; points: number }>;
      [key: string]: unknown;
    };
    return { ...body, row: (unitId: string) => body.items.find((r) => r.unitId === unitId)! };
  };
  const refresh = () => env.http().post('/rankings/refresh').set(bearer(admin)).expect(200);

  beforeAll(async () => {
    env = await startApp(() => new Date(now));
    ({ system, security, admin, reviewer, staffA, leader } = await signIn(env, [
      'admin',
      'reviewer',
      'staffA',
      'leader',
    ]));
    leaderB = await env.user({ system, security }, 'fenguan-yizhen', [
      { role: 'cityLeader', unitIds: ['town-b'] },
    ]);
  }, 60_000);
  afterAll(async () => {
    await env?.stop();
  });

  it('2025: Town A reports 4.0 of 8.0 for Q2', async () => {
    await openCycle('2025');
    await createUnits(env, admin);
    const people = { admin, reviewer, leader };
    const { targetId } = await proposeAndIssue(env, people, { ...GDP_PROPOSAL, cycleId: '2025' });
    await travel('2025-07-09 10:00');
    await reportAndVerify(targetId, '2025-Q2', 4.0);
  });

  it('2026 opens with no month ended yet; every month of 2025 is ranked, December as the year end', async () => {
    await travel('2026-01-05 09:00');
    await openCycle('2026');
    ({ targetId: gdp2026 } = await proposeAndIssue(env, { admin, reviewer, leader }));
    await travel('2026-01-20 10:00');
    await refresh();
    expect(await months('2026')).toEqual([]);
    const of2025 = await months('2025');
    expect(of2025).toHaveLength(12);
    const june2025 = await month('2025', '2025-06');
    expect(june2025.row('town-a')).toMatchObject({ total: 300, rank: 1, completionPct: 50, expectedPct: 50 });
    expect(await month('2025', '2025-12')).toMatchObject({ final: true, at: periodEnd('2025-12') });
  });

  it('a month appears once it has ended (the month tick)', async () => {
    await travel('2026-02-02 10:00');
    expect((await refresh()).body.months).toBeGreaterThanOrEqual(1);
    expect(await months('2026')).toEqual(['2026-01']);
    await env.http().get('/rankings/2026/towns/months/2026-02').set(bearer(leader)).expect(404);
  });

  it('a report brings the months ended since, and compares completion with the schedule', async () => {
    await travel('2026-04-08 10:00');
    await reportAndVerify(gdp2026, '2026-Q1', 2.0);
    expect(await months('2026')).toEqual(['2026-01', '2026-02', '2026-03']);
    const march = await month('2026', '2026-03');
    expect(march).toMatchObject({
      cycleId: '2026',
      category: 'towns',
      month: '2026-03',
      final: false,
      units: 2,
    });
    // 2.0 of 8.0 at the end of Q1 (schedule 25 %): on schedule; Town B has no target.
    expect(march.row('town-a')).toMatchObject({
      unitName: '甲镇',
      rank: 1,
      completionPct: 25,
      expectedPct: 25,
      vsExpected: 0,
      vsAverage: 0,
    });
    expect(march.row('town-b')).toMatchObject({ completionPct: null, rank: 2, flagged: true });
    expect(march.averageCompletionPct).toBe(25);
  });

  it('a new report moves the view: June before and after Q2 is filed, and against June 2025', async () => {
    await travel('2026-07-05 10:00');
    await refresh();
    expect((await months('2026')).at(-1)).toBe('2026-06');
    const before = await month('2026', '2026-06');
    // Q2 not yet reported: still 2.0 of 8.0, against a schedule of 50 %.
    expect(before.row('town-a')).toMatchObject({
      total: 150,
      completionPct: 25,
      expectedPct: 50,
      vsExpected: -25,
    });

    await travel('2026-07-09 10:00');
    await reportAndVerify(gdp2026, '2026-Q2', 3.2);
    const june = await month('2026', '2026-06');
    expect(june.row('town-a')).toMatchObject({
      total: 240,
      completionPct: 40,
      expectedPct: 50,
      vsExpected: -10,
    });
    expect(june.indicators).toEqual([
      { indicatorId: 'economy', name: '经济发展', points: 600 },
      { indicatorId: 'livelihood', name: '社会民生', points: 400 },
    ]);
    expect(june.row('town-a').scores).toEqual([240, 0]);
    expect(june).toMatchObject({ lastYearCycleId: '2025' });
    expect(june.row('town-a').lastYear).toMatchObject({
      cycleId: '2025',
      total: 300,
      rank: 1,
      delta: -60,
      rankChange: 0,
    });
    // March is untouched by a Q2 report.
    expect((await month('2026', '2026-03')).row('town-a')).toMatchObject({ completionPct: 25 });

    // The same ranking as the on-demand route computes at the end of June.
    const onDemand = await env
      .http()
      .get('/rankings/2026/towns')
      .query({ at: periodEnd('2026-06'), minPosition: head })
      .set(bearer(leader))
      .expect(200);
    expect(
      june.items.map(({ unitId, total, rank, grade, flagged }) => ({ unitId, total, rank, grade, flagged })),
    ).toEqual(
      (onDemand.body.items as Row[]).map(({ unitId, total, rank, grade, flagged }) => ({
        unitId,
        total,
        rank,
        grade,
        flagged,
      })),
    );
  });

  it('a leader limited to Town B sees its row, ranked category-wide; unit staff read no ranking', async () => {
    const june = await month('2026', '2026-06', leaderB);
    expect(june.units).toBe(2);
    expect(june.items.map((r) => [r.unitId, r.rank])).toEqual([['town-b', 2]]);
    await env.http().get('/rankings/2026/towns/months/2026-06').set(bearer(staffA)).expect(403);
    await env.http().post('/rankings/refresh').set(bearer(leader)).expect(403);
  });

  it('refuses a malformed month, an unknown category, and a month not ranked', async () => {
    const get = (path: string) => env.http().get(path).set(bearer(leader));
    expect((await get('/rankings/2026/towns/months/2026-13')).status).toBe(400);
    expect((await get('/rankings/2026/villages/months/2026-06')).body.code).toBe('CATEGORY_NOT_FOUND');
    const missing = await get('/rankings/2026/towns/months/2026-08');
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe('RANKING_NOT_FOUND');
    expect(await months('2027')).toEqual([]);
  });
});
