import { periodEnd } from '@dukao/targets';
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
 * Scores on the worked example of shared/DOMAIN.md and docs/scoring.md, with a moving clock. Town A
 * has two targets of 8.0 (schedule 25/50/75/100 by quarter): GDP growth under `gdp-growth`
 * (completion, 600 points) and a second one under `livelihood` (progress, 400 points). It reports
 * 2.0 for Q1 in April and 3.2 for Q2 on 9 July; the statistics bureau verifies each. Scored at the
 * end of June (the business instant), as known now and as known before the Q2 report was filed.
 * Town B has no target. The `it`s share state and run in order.
 */

describe('scores: the worked example explained, replayed and ranked', () => {
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
  let gdp: string;
  let livelihood: string;
  let head = 0;
  const q2Events: Record<string, { eventId: string; position: number }> = {};
  /** The end of June (Q2) in Shanghai: the business instant scored. */
  const endOfJune = periodEnd('2026-Q2');
  /** Just before the Q2 reports were filed (2026-07-09 10:00). */
  const beforeQ2Report = sh('2026-07-09 09:00');

  const travel = async (local: string) => {
    now = sh(local);
    await env.renew(system, security, admin, reviewer, staffA, staffB, leader, supervisor);
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
    return reported.body as { reportId: string; position: number };
  };
  const explain = (unitId: string, query: Record<string, string | number>, as: Session = leader) =>
    env
      .http()
      .get(`/scores/${unitId}/explain`)
      .query({ cycleId: '2026', minPosition: head, ...query })
      .set(bearer(as));
  type Step = {
    rule: string;
    targetId?: string;
    indicatorId?: string;
    inputs: Record<string, unknown>;
    output: unknown;
    events: Array<{ eventId: string; position: number; type: string }>;
  };
  const step = (trace: Step[], rule: string, key: { targetId?: string; indicatorId?: string }) =>
    trace.find(
      (s) =>
        s.rule === rule &&
        (key.targetId === undefined || s.targetId === key.targetId) &&
        (key.indicatorId === undefined || s.indicatorId === key.indicatorId),
    );

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
  }, 60_000);
  afterAll(async () => {
    await env?.stop();
  });

  it('sets up cycle 2026, the towns, and Town A’s two targets of 8.0 issued through 联审', async () => {
    await openCycle(env, admin);
    await createUnits(env, admin);
    await publishTownsTree(env, admin);
    const people = { admin, reviewer, leader };
    gdp = (await proposeAndIssue(env, people)).targetId;
    const issued = await proposeAndIssue(env, people, {
      ...GDP_PROPOSAL,
      indicatorId: 'livelihood',
      title: '民生实事完成数',
      measure: '民生实事完成数',
      unitOfMeasure: '件',
    });
    livelihood = issued.targetId;
    head = issued.position;
  });

  it('takes Q1 (2.0) in April and Q2 (3.2) on 9 July, each verified by the statistics bureau', async () => {
    await travel('2026-04-08 10:00');
    await reportAndVerify(gdp, '2026-Q1', 2.0);
    await reportAndVerify(livelihood, '2026-Q1', 2.0);
    await travel('2026-07-09 10:00');
    const g = await reportAndVerify(gdp, '2026-Q2', 3.2);
    const l = await reportAndVerify(livelihood, '2026-Q2', 3.2);
    const eventOf = async (targetId: string, position: number) => {
      const e = (await env.store.readStream(`target-${targetId}`)).find((x) => x.position === position)!;
      expect(e.type).toBe('ProgressReported');
      return { eventId: e.id, position };
    };
    q2Events.gdp = await eventOf(gdp, g.position);
    q2Events.livelihood = await eventOf(livelihood, l.position);
  });

  it('explains Town A at the end of June: the numbers of docs/scoring.md, each with its rule and events', async () => {
    await travel('2026-07-20 10:00');
    const res = await explain('town-a', { at: endOfJune }).expect(200);
    const body = res.body as { trace: Step[]; [key: string]: unknown };
    expect(body).toMatchObject({
      cycleId: '2026',
      category: 'towns',
      unitId: 'town-a',
      unitName: '甲镇',
      at: endOfJune,
      asOf: now,
      schemeVersion: 1,
      treeVersion: 1,
      scale: 1000,
    });
    // GDP growth (completion, 600 points): r = 3.2 / 8.0 = 0.4; completion factor = r = 0.4;
    // score = 600 × 0.4 = 240.000.
    expect(step(body.trace, 'ratio', { targetId: gdp })).toMatchObject({
      inputs: { direction: 'higherIsBetter', actual: 3.2, target: 8, cap: 1.2 },
      output: 0.4,
    });
    expect(step(body.trace, 'ratio', { targetId: gdp })!.events).toContainEqual({
      ...q2Events.gdp,
      type: 'ProgressReported',
    });
    expect(step(body.trace, 'completion', { targetId: gdp })!.output).toBe(0.4);
    expect(step(body.trace, 'indicatorScore', { indicatorId: 'gdp-growth' })!.output).toBe(240);
    // Livelihood (progress, 400 points): r = 3.2 / 8.0 = 0.4; Q2 is the latest quarter ended by
    // the end of June, schedule[Q2] = 50, so p = 100 × 0.4 / 50 = 0.8; factor =
    // (0.8 − zeroAt 0.5) / (fullAt 1 − 0.5) = 0.6; score = 400 × 0.6 = 240.000.
    expect(step(body.trace, 'ratio', { targetId: livelihood })!.output).toBe(0.4);
    expect(step(body.trace, 'progress', { targetId: livelihood })).toMatchObject({
      inputs: { period: '2026-Q2', expectedPct: 50, completionPct: 40, p: 0.8, fullAt: 1, zeroAt: 0.5 },
      output: 0.6,
    });
    expect(step(body.trace, 'indicatorScore', { indicatorId: 'livelihood' })!.output).toBe(240);
    // Level 1: economy = gdp-growth = 240; livelihood = 240. Total = 240 + 240 = 480 of 1000:
    // 48% < pass 60% → admonished.
    expect(body).toMatchObject({
      indicatorSumThousandths: 480_000,
      totalThousandths: 480_000,
      total: 480,
      rank: 1,
      grade: 'admonished',
      flagged: true,
    });
    expect(body.indicators).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ indicatorId: 'economy', score: 240 }),
        expect.objectContaining({ indicatorId: 'livelihood', score: 240 }),
      ]),
    );
    expect(step(body.trace, 'total', {})).toBeDefined();
  });

  it('replays asOf before the Q2 reports were filed: only Q1 counts, a lower score', async () => {
    const res = await explain('town-a', { at: endOfJune, asOf: beforeQ2Report }).expect(200);
    const body = res.body as { trace: Step[]; [key: string]: unknown };
    expect(body.asOf).toBe(beforeQ2Report);
    // GDP: r = 2.0 / 8.0 = 0.25 → 600 × 0.25 = 150. Livelihood: r = 0.25, p = 100 × 0.25 / 50 =
    // 0.5 ≤ zeroAt 0.5 → factor 0 → 0. Total 150.
    expect(step(body.trace, 'ratio', { targetId: gdp })!.output).toBe(0.25);
    expect(step(body.trace, 'progress', { targetId: livelihood })).toMatchObject({
      inputs: { p: 0.5 },
      output: 0,
    });
    expect(body).toMatchObject({ total: 150, totalThousandths: 150_000 });
    const events = body.trace.flatMap((s) => s.events.map((e) => e.eventId));
    expect(events).not.toContain(q2Events.gdp!.eventId);
    expect(events).not.toContain(q2Events.livelihood!.eventId);

    // At the end of March as known now: Q1 2.0 of 8.0, schedule[Q1] 25 → p 1.0 → factor 1.
    const march = await explain('town-a', { at: periodEnd('2026-Q1') }).expect(200);
    expect(march.body).toMatchObject({ total: 550 }); // 600 × 0.25 + 400 × 1
  });

  it('ranks the towns: Town A first, Town B (no targets) second; both among the bottom three', async () => {
    const res = await env
      .http()
      .get('/rankings/2026/towns')
      .query({ at: endOfJune, minPosition: head })
      .set(bearer(supervisor))
      .expect(200);
    expect(res.body).toMatchObject({
      cycleId: '2026',
      category: 'towns',
      at: endOfJune,
      schemeVersion: 1,
      treeVersion: 1,
      scale: 1000,
      units: 2,
      items: [
        { unitId: 'town-a', unitName: '甲镇', total: 480, rank: 1, grade: 'admonished', flagged: true },
        { unitId: 'town-b', unitName: '乙镇', total: 0, rank: 2, grade: 'admonished', flagged: true },
      ],
    });
    const before = await env
      .http()
      .get('/rankings/2026/towns')
      .query({ at: endOfJune, asOf: beforeQ2Report })
      .set(bearer(admin))
      .expect(200);
    expect(before.body.items.map((i: { unitId: string; total: number }) => [i.unitId, i.total])).toEqual([
      ['town-a', 150],
      ['town-b', 0],
    ]);
  });

  it('shows Town A’s timeline at the end of June: the Q1 and Q2 reports with deltas, actor and both times', async () => {
    const res = await env
      .http()
      .get('/scores/town-a/timeline')
      .query({ cycleId: '2026', at: endOfJune, minPosition: head })
      .set(bearer(leader))
      .expect(200);
    type Entry = {
      recordedAt: string;
      events: Array<{
        eventId: string;
        type: string;
        targetId?: string;
        occurredAt: string | null;
        recordedAt: string;
        actor: { userId: string; role: string } | null;
      }>;
      totalBefore: number | null;
      totalAfter: number | null;
      deltaThousandths: number;
      schemeVersion: number | null;
      rulesChanged: Array<{ rule: string; indicatorId?: string; targetId?: string }>;
    };
    const body = res.body as { entries: Entry[]; startThousandths: number; finalThousandths: number };
    expect(body).toMatchObject({
      unitId: 'town-a',
      at: endOfJune,
      startThousandths: 0,
      finalThousandths: 480_000,
    });
    const recorded = body.entries.map((e) => e.recordedAt);
    expect([...recorded].sort()).toEqual(recorded);
    const withReports = body.entries.filter((e) => e.events.some((x) => x.type === 'ProgressReported'));
    // The clock stands still within a day of the journey, so each day's reports and their
    // verifications share one recordedAt and one entry. 8 April: GDP 2.0 → 600 × 0.25 = 150;
    // livelihood 2.0 → p 0.5 → 0 (its ratio changes, not its score). 9 July: GDP 150 → 240 (+90),
    // livelihood 0 → 240 (+240): +330. Starting total 0, final 480.
    expect(withReports.map((e) => [e.recordedAt, e.totalBefore, e.totalAfter, e.deltaThousandths])).toEqual([
      [sh('2026-04-08 10:00'), 0, 150, 150_000],
      [sh('2026-07-09 10:00'), 150, 480, 330_000],
    ]);
    expect(withReports.reduce((s, e) => s + e.deltaThousandths, 0)).toBe(480_000 - 0);
    expect(body.entries.reduce((s, e) => s + e.deltaThousandths, 0)).toBe(
      body.finalThousandths - body.startThousandths,
    );
    const [q1, q2] = withReports;
    expect(q1!.events.map((e) => e.type)).toEqual(
      expect.arrayContaining(['ProgressReported', 'ReportVerified']),
    );
    expect(q2!.schemeVersion).toBe(1);
    expect(q2!.rulesChanged).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ rule: 'ratio', targetId: gdp }),
        expect.objectContaining({ rule: 'progress', targetId: livelihood }),
        expect.objectContaining({ rule: 'indicatorScore', indicatorId: 'gdp-growth' }),
        expect.objectContaining({ rule: 'total' }),
      ]),
    );
    const q2Report = q2!.events.find((e) => e.eventId === q2Events.gdp!.eventId)!;
    expect(q2Report).toMatchObject({
      type: 'ProgressReported',
      targetId: gdp,
      recordedAt: sh('2026-07-09 10:00'),
      actor: { role: 'unitStaff' },
    });
    // Business time: the end of the period reported (June), recorded on 9 July.
    expect(q2Report.occurredAt).toBe(endOfJune);
    expect(q2Report.occurredAt! < q2Report.recordedAt).toBe(true);

    const own = await env
      .http()
      .get('/scores/town-a/timeline')
      .query({ cycleId: '2026', at: endOfJune })
      .set(bearer(staffA))
      .expect(200);
    expect(own.body.finalThousandths).toBe(480_000);
    const other = await env
      .http()
      .get('/scores/town-b/timeline')
      .query({ cycleId: '2026', at: endOfJune })
      .set(bearer(staffA))
      .expect(403);
    expect(other.body.code).toBe('OUT_OF_SCOPE');
  });

  it('lets unit staff explain their own unit only; no ranking for them; 401 without a session', async () => {
    const own = await explain('town-a', { at: endOfJune }, staffA).expect(200);
    expect(own.body.total).toBe(480);
    const other = await explain('town-b', { at: endOfJune }, staffA).expect(403);
    expect(other.body).toMatchObject({ code: 'OUT_OF_SCOPE', message: '无权访问其他单位的数据' });
    const b = await explain('town-b', { at: endOfJune }, staffB).expect(200);
    expect(b.body).toMatchObject({ unitId: 'town-b', total: 0, rank: 2 });
    await env.http().get('/rankings/2026/towns').set(bearer(staffA)).expect(403);
    const anonymous = await env.http().get('/scores/town-a/explain').query({ cycleId: '2026' }).expect(401);
    expect(anonymous.body.code).toBe('UNAUTHENTICATED');
    await env.http().get('/rankings/2026/towns').expect(401);
  });

  it('refuses bad input with a stable code and a Chinese message', async () => {
    const cases: Array<[string, Record<string, string>, number, string]> = [
      ['/scores/town-a/explain', { cycleId: '2026', at: '2026-06-31' }, 400, 'VALIDATION_FAILED'],
      ['/scores/town-a/explain', { cycleId: '2026', asOf: 'yesterday' }, 400, 'VALIDATION_FAILED'],
      ['/scores/town-a/explain', {}, 400, 'VALIDATION_FAILED'],
      ['/scores/town-a/explain', { cycleId: '2099' }, 404, 'CYCLE_NOT_FOUND'],
      ['/scores/nowhere/explain', { cycleId: '2026' }, 404, 'UNIT_NOT_FOUND'],
      ['/scores/stats-bureau/explain', { cycleId: '2026' }, 422, 'NO_TREE_IN_FORCE'],
      ['/scores/town-a/explain', { cycleId: '2026', at: '2025-12-31T00:00:00Z' }, 422, 'NO_SCHEME_IN_FORCE'],
      ['/rankings/2099/towns', {}, 404, 'CYCLE_NOT_FOUND'],
      ['/rankings/2026/villages', {}, 404, 'CATEGORY_NOT_FOUND'],
      ['/rankings/2026/departments', {}, 422, 'NO_TREE_IN_FORCE'],
      ['/rankings/2026/towns', { at: 'not-a-date' }, 400, 'VALIDATION_FAILED'],
    ];
    for (const [path, query, status, code] of cases) {
      const res = await env.http().get(path).query(query).set(bearer(admin));
      expect([path, query, res.status, res.body.code]).toEqual([path, query, status, code]);
      expect(res.body.message).toMatch(/[\u4e00-\u9fff]/);
    }
  });
});
