import { randomUUID } from 'node:crypto';
import type { StoredEvent } from '@dukao/event-store';
import { ReminderPlanner } from '@dukao/notifications';
import { ProjectionEngine } from '@dukao/projections';
import { DEFAULT_SCHEME } from '@dukao/targets';
import { EvaluateWarningWhenTargetChanged, type WarningRaised } from '@dukao/warnings';
import { type EmbeddedApp, type Session, bearer } from './support/embedded-app';
import {
  TOWN_A_PHONES,
  addUnitPeople,
  createUnits,
  openCycle,
  proposeAndIssue,
  publishTownsTree,
  sh,
  signIn,
  startApp,
} from './support/worked-example';

/**
 * Warnings on the worked example of shared/DOMAIN.md, with a moving clock: Town A's GDP growth
 * target 8.0% for 2026 (schedule 25/50/75/100 by quarter). Cumulative 3.2% by June is 40% against
 * 50%: a bell. Q3 (due 10 October) unreported: yellow the day after, red after 7 days overdue. A
 * report lowers it, a correction clears it. The `it`s share state and run in order.
 */

describe('warnings: Town A’s GDP target turns bell, yellow, red, and back', () => {
  let now = sh('2026-01-05 09:00');
  let env: EmbeddedApp;
  let system: Session;
  let security: Session;
  let admin: Session;
  let reviewer: Session;
  let staffA: Session;
  let staffB: Session;
  let leader: Session;
  let targetId: string;
  const reports: Record<string, string> = {};
  /** The log head once the target had turned red. */
  let redHead = 0;

  const travel = async (local: string) => {
    now = sh(local);
    await env.renew(system, security, admin, reviewer, staffA, staffB, leader);
  };
  /**
   * Waits until the reactor has handled the write at `position` and the warnings view has taken in
   * whatever it appended; returns the log head to pass as minPosition. The clock must not move
   * before: the reactor evaluates at the time it runs.
   */
  const settle = async (position: number) => {
    expect(await env.app.get(EvaluateWarningWhenTargetChanged).waitFor(position, 10_000)).toBe(true);
    const head = (await env.headPosition())!;
    expect(await env.app.get(ProjectionEngine).waitFor('warnings', head, 10_000)).toBe(true);
    return head;
  };
  const history = async (minPosition: number, as: Session = leader) =>
    (
      await env
        .http()
        .get(`/warnings/${targetId}/history?minPosition=${minPosition}`)
        .set(bearer(as))
        .expect(200)
    ).body;
  const tick = async () => {
    const res = await env.http().post('/warnings/evaluations').set(bearer(admin)).expect(200);
    return { ...(res.body as { evaluated: number; changed: number }), head: (await env.headPosition())! };
  };
  const report = (body: Record<string, unknown>) =>
    env.http().post(`/targets/${targetId}/reports`).set(bearer(staffA)).send(body).expect(201);
  const warningEvents = async () => env.store.readStream(`warning-${targetId}`);

  beforeAll(async () => {
    env = await startApp(() => new Date(now));
    ({ system, security, admin, reviewer, staffA, staffB, leader } = await signIn(env, [
      'admin',
      'reviewer',
      'staffA',
      'staffB',
      'leader',
    ]));
  }, 60_000);
  afterAll(async () => {
    await env?.stop();
  });

  it('sets up cycle 2026, the towns and an issued GDP target of 8.0 with no warning', async () => {
    await openCycle(env, admin);
    await createUnits(env, admin);
    await publishTownsTree(env, admin);
    const issued = await proposeAndIssue(env, { admin, reviewer, leader });
    targetId = issued.targetId;

    const head = await settle(issued.position);
    expect(await history(head)).toMatchObject({
      targetId,
      unitId: 'town-a',
      level: 'none',
      reasons: [],
      history: [],
    });
    expect(await warningEvents()).toEqual([]);
  });

  it('stays quiet on an on-track Q1 report', async () => {
    await travel('2026-04-08 10:00');
    const q1 = await report({ period: '2026-Q1', cumulativeValue: 2.0 });
    const head = await settle(q1.body.position);
    expect((await history(head)).level).toBe('none');
  });

  it('the worked example: Q2 cumulative 3.2 of 8.0 (40% against 50%, a gap of 10) raises a bell, with its reason and scheme version', async () => {
    await travel('2026-07-09 10:00');
    const q2 = await report({ period: '2026-Q2', cumulativeValue: 3.2, narrative: '上半年增长3.2%' });
    reports.q2 = q2.body.reportId;
    const head = await settle(q2.body.position);

    const view = await history(head);
    expect(view).toMatchObject({
      level: 'bell',
      schemeVersion: 1,
      since: now,
      reasons: [
        {
          rule: 'gapAboveBell',
          level: 'bell',
          period: '2026-Q2',
          detail: '2026年第二季度累计完成 40%，基准时序进度 50%，落后 10 个百分点，超过警铃阈值 5',
        },
      ],
    });

    const raised = ((await warningEvents()) as unknown as Array<StoredEvent & WarningRaised>)[0]!;
    const reportEvent = (await env.store.readStream(`target-${targetId}`)).find(
      (e) => e.position === q2.body.position,
    )!;
    expect(raised).toMatchObject({
      type: 'WarningRaised',
      data: {
        targetId,
        cycleId: '2026',
        unitId: 'town-a',
        category: 'towns',
        level: 'bell',
        previousLevel: 'none',
        schemeVersion: 1,
        evaluatedAt: now,
        cause: { kind: 'event', eventId: reportEvent.id },
      },
      metadata: { causationId: reportEvent.id, correlationId: reportEvent.metadata.correlationId },
    });
    expect(raised.data.reasons).toEqual([
      expect.objectContaining({ rule: 'gapAboveBell', dueDate: null, milestoneId: null }),
    ]);

    const list = await env.http().get(`/warnings?minPosition=${head}`).set(bearer(leader)).expect(200);
    expect(list.body).toMatchObject({
      total: 1,
      items: [{ targetId, title: 'GDP增速', level: 'bell', unitId: 'town-a' }],
    });
    expect(list.body.items[0].history).toBeUndefined();
    expect((await env.http().get('/warnings?level=red').set(bearer(leader)).expect(200)).body.total).toBe(0);
  });

  it('publishes scheme version 2 from 1 October; re-evaluating on the publication changes nothing yet', async () => {
    await travel('2026-09-01 10:00');
    const cycle = (await env.http().get('/cycles/2026').set(bearer(admin)).expect(200)).body;
    const scheme = cycle.schemes[0].scheme;
    const published = await env
      .http()
      .post('/cycles/2026/schemes')
      .set(bearer(admin))
      .send({
        scheme: { ...scheme, warnings: { ...scheme.warnings, milestoneYellowDays: 5 } },
        effectiveFrom: sh('2026-10-01 00:00'),
        note: '第二版',
      })
      .expect(201);
    const head = await settle(published.body.position);
    expect(await history(head)).toMatchObject({ level: 'bell', schemeVersion: 1 });
    expect(await warningEvents()).toHaveLength(1);
  });

  it('turns yellow on the tick the day after Q3 was due unreported, once per day however often it runs', async () => {
    await travel('2026-10-10 09:00');
    // Due today: a bell, already the level: nothing recorded.
    expect(await tick()).toMatchObject({ evaluated: 1, changed: 0 });

    await travel('2026-10-11 09:00');
    const first = await tick();
    expect(first).toMatchObject({ evaluated: 1, changed: 1 });
    const view = await history(first.head);
    expect(view).toMatchObject({ level: 'yellow', schemeVersion: 2, since: now });
    expect(view.reasons.map((r: { rule: string }) => r.rule)).toEqual(['reportOverdue', 'gapAboveBell']);
    expect(view.reasons[0]).toMatchObject({
      period: '2026-Q3',
      dueDate: '2026-10-10',
      detail: '2026年第三季度进度应于10月10日前报送，已逾期 1 天',
    });

    await travel('2026-10-11 15:00');
    expect(await tick()).toMatchObject({ evaluated: 1, changed: 0 });
    await travel('2026-10-17 09:00');
    expect(await tick()).toMatchObject({ changed: 0 });
    expect(await warningEvents()).toHaveLength(2);
  });

  it('turns red on the tick once Q3 is more than 7 days overdue', async () => {
    await travel('2026-10-18 09:00');
    const red = await tick();
    expect(red).toMatchObject({ changed: 1 });
    redHead = red.head;
    const view = await history(red.head);
    expect(view).toMatchObject({ level: 'red', schemeVersion: 2, since: sh('2026-10-18 09:00') });
    expect(view.reasons[0]).toMatchObject({
      rule: 'reportOverdueLong',
      level: 'red',
      detail: expect.stringContaining('已逾期 8 天，超过 7 天'),
    });
    expect(
      view.history.map((h: { level: string; previousLevel: string }) => [h.previousLevel, h.level]),
    ).toEqual([
      ['none', 'bell'],
      ['bell', 'yellow'],
      ['yellow', 'red'],
    ]);
    const reds = await env
      .http()
      .get(`/warnings?level=red&unitId=town-a&minPosition=${red.head}`)
      .set(bearer(admin))
      .expect(200);
    expect(reds.body).toMatchObject({ total: 1, items: [{ targetId, level: 'red' }] });
  });

  it('counts the board by unit and category, within each caller’s scope', async () => {
    const board = await env
      .http()
      .get(`/warnings/board?cycleId=2026&category=towns&minPosition=${redHead}`)
      .set(bearer(leader))
      .expect(200);
    expect(board.body).toEqual({
      cycleId: '2026',
      category: 'towns',
      totals: { bell: 0, yellow: 0, red: 1, total: 1 },
      items: [
        { unitId: 'town-a', unitName: '甲镇', category: 'towns', bell: 0, yellow: 0, red: 1, total: 1 },
      ],
      truncated: false,
    });
    const other = await env
      .http()
      .get('/warnings/board?cycleId=2026&category=departments')
      .set(bearer(leader))
      .expect(200);
    expect(other.body.totals.total).toBe(0);
    const own = await env.http().get('/warnings/board?cycleId=2026').set(bearer(staffA)).expect(200);
    expect(own.body.totals).toEqual({ bell: 0, yellow: 0, red: 1, total: 1 });
    await env.http().get('/warnings/board?category=villages').set(bearer(leader)).expect(400);
    await env.http().get('/warnings?skip=1000001').set(bearer(leader)).expect(400);
  });

  it('keeps Town B out: its staff see no warning of Town A and cannot read its history', async () => {
    const board = await env.http().get('/warnings/board?cycleId=2026').set(bearer(staffB)).expect(200);
    expect(board.body).toMatchObject({ totals: { bell: 0, yellow: 0, red: 0, total: 0 }, items: [] });
    const list = await env.http().get('/warnings?unitId=town-a').set(bearer(staffB)).expect(200);
    expect(list.body.total).toBe(0);
    const denied = await env.http().get(`/warnings/${targetId}/history`).set(bearer(staffB)).expect(404);
    expect(denied.body.code).toBe('TARGET_NOT_FOUND');
    await env.http().get('/warnings/board').set(bearer(reviewer)).expect(403);
    await env.http().post('/warnings/evaluations').set(bearer(leader)).expect(403);
    expect((await history(redHead, staffA)).level).toBe('red');
  });

  it('a late Q3 report lowers it to a bell, and a correction on track clears it', async () => {
    await travel('2026-10-20 10:00');
    // 5.2 of 8.0 = 65% against 75%: a gap of 10.
    const q3 = await report({ period: '2026-Q3', cumulativeValue: 5.2 });
    let head = await settle(q3.body.position);
    expect(await history(head)).toMatchObject({
      level: 'bell',
      reasons: [expect.objectContaining({ rule: 'gapAboveBell', period: '2026-Q3' })],
    });

    await travel('2026-10-21 10:00');
    const corrected = await report({
      period: '2026-Q3',
      cumulativeValue: 6.0,
      replaces: q3.body.reportId,
      narrative: '更正',
    });
    head = await settle(corrected.body.position);
    const view = await history(head);
    expect(view).toMatchObject({ level: 'none', reasons: [], since: now });
    expect(
      (await env.http().get(`/warnings?minPosition=${head}`).set(bearer(leader)).expect(200)).body.total,
    ).toBe(0);
    const board = await env.http().get('/warnings/board?cycleId=2026').set(bearer(leader)).expect(200);
    expect(board.body.totals.total).toBe(0);
  });

  it('the audit trail: the warning stream says when the target turned red and under which scheme version', async () => {
    const events = await warningEvents();
    expect(
      events.map((e) => [
        e.type,
        (e.data as { level?: string }).level ?? null,
        e.data.previousLevel,
        e.data.schemeVersion,
        e.data.evaluatedAt,
      ]),
    ).toEqual([
      ['WarningRaised', 'bell', 'none', 1, sh('2026-07-09 10:00')],
      ['WarningRaised', 'yellow', 'bell', 2, sh('2026-10-11 09:00')],
      ['WarningRaised', 'red', 'yellow', 2, sh('2026-10-18 09:00')],
      ['WarningRaised', 'bell', 'red', 2, sh('2026-10-20 10:00')],
      ['WarningCleared', null, 'bell', 2, sh('2026-10-21 10:00')],
    ]);
    const red = events[2]!;
    expect(red.data.cause).toEqual({ kind: 'tick', eventId: null });
    expect(red.metadata).toMatchObject({
      actor: { userId: admin.userId, role: 'assessmentAdmin' },
      recordedAt: sh('2026-10-18 09:00'),
    });
    expect(red.metadata.commandId).toBe(`warn-${targetId}-tick-2026-10-18`);
  });
});

/**
 * Per-target warning thresholds (DOMAIN.md: "Per-target thresholds override") on the worked example:
 * Town A's GDP target at the end of June is a gap of 10, a bell under the default scheme. The office
 * sets the target's own yellowGap to 8: it turns yellow at once (the reactor follows the target's
 * events), the leader in charge gets a tier-2 reminder planned, and the history says under which
 * thresholds; clearing them brings the bell back. Who may set them, and what is refused, appends
 * nothing. The `it`s share state and run in order.
 */
describe('warnings: a target’s own thresholds replace the scheme’s', () => {
  let now = sh('2026-01-05 09:00');
  let env: EmbeddedApp;
  let system: Session;
  let security: Session;
  let admin: Session;
  let reviewer: Session;
  let staffA: Session;
  let leader: Session;
  let targetId: string;
  const reason = '该镇为重点监测对象，黄牌阈值从严';

  const travel = async (local: string) => {
    now = sh(local);
    await env.renew(system, security, admin, reviewer, staffA, leader);
  };
  /** Waits for the warnings reactor, the warnings view and the reminder planner; returns the log head. */
  const settle = async (position: number) => {
    expect(await env.app.get(EvaluateWarningWhenTargetChanged).waitFor(position, 10_000)).toBe(true);
    const head = (await env.headPosition())!;
    expect(await env.app.get(ProjectionEngine).waitFor('warnings', head, 10_000)).toBe(true);
    expect(await env.app.get(ReminderPlanner).settle(10_000)).toBe(true);
    return head;
  };
  const history = async (minPosition: number) =>
    (
      await env
        .http()
        .get(`/warnings/${targetId}/history?minPosition=${minPosition}`)
        .set(bearer(leader))
        .expect(200)
    ).body;
  const put = (as: Session, body: unknown, id = targetId) =>
    env
      .http()
      .put(`/targets/${id}/warning-thresholds`)
      .set(bearer(as))
      .send(body as object);
  const target = async (minPosition: number) =>
    (await env.http().get(`/targets/${targetId}?minPosition=${minPosition}`).set(bearer(admin)).expect(200))
      .body;
  const turnedYellow = async () =>
    (
      (await env.http().get('/reminders?limit=1000').set(bearer(admin)).expect(200)).body.items as Array<{
        tier: number;
        duty: string;
        period: string | null;
        reason: string;
        runAt: string;
      }>
    ).filter((r) => r.reason === 'turnedYellow');
  const report = (body: Record<string, unknown>) =>
    env.http().post(`/targets/${targetId}/reports`).set(bearer(staffA)).send(body).expect(201);
  /** The target's and its warning's streams: what a refusal must leave as it was. */
  const streams = async () => ({
    target: (await env.store.readStream(`target-${targetId}`)).length,
    warning: (await env.store.readStream(`warning-${targetId}`)).length,
  });

  beforeAll(async () => {
    env = await startApp(() => new Date(now));
    ({ system, security, admin, reviewer, staffA, leader } = await signIn(env, [
      'admin',
      'reviewer',
      'staffA',
      'leader',
    ]));
  }, 60_000);
  afterAll(async () => {
    await env?.stop();
  });

  it('sets up the worked example: Q2 cumulative 3.2 of 8.0, a gap of 10, a bell under the scheme’s thresholds', async () => {
    await openCycle(env, admin);
    await createUnits(env, admin);
    await addUnitPeople(env, { system, security }, 'town-a', TOWN_A_PHONES);
    await publishTownsTree(env, admin);
    const issued = await proposeAndIssue(env, { admin, reviewer, leader });
    targetId = issued.targetId;
    // The reactor evaluates at the time it runs: settle each step before the clock moves.
    await settle(issued.position);
    await travel('2026-04-08 10:00');
    const q1 = await report({ period: '2026-Q1', cumulativeValue: 2.0 });
    await settle(q1.body.position);
    await travel('2026-07-09 10:00');
    const q2 = await report({ period: '2026-Q2', cumulativeValue: 3.2 });
    const head = await settle(q2.body.position);
    expect(await history(head)).toMatchObject({
      level: 'bell',
      schemeVersion: 1,
      thresholds: DEFAULT_SCHEME.warnings,
      overrides: null,
    });
    expect(await target(head)).toMatchObject({
      warningThresholds: null,
      warningThresholdHistory: [],
      warningThresholdsInForce: { schemeVersion: 1, thresholds: DEFAULT_SCHEME.warnings },
    });
  }, 30_000);

  it('refuses a reporter and a city leader (403), and invalid thresholds (400/422), appending nothing', async () => {
    await travel('2026-07-09 11:00');
    const before = await streams();
    const forbidden = await put(staffA, { thresholds: { yellowGap: 8 }, reason }).expect(403);
    expect(forbidden.body.code).toBe('FORBIDDEN');
    await put(leader, { thresholds: { yellowGap: 8 }, reason }).expect(403);

    const negative = await put(admin, { thresholds: { yellowGap: -1 }, reason }).expect(422);
    expect(negative.body).toMatchObject({
      code: 'INVALID_WARNING_THRESHOLDS',
      message: '预警阈值不符合要求：黄牌进度差阈值（百分点）须在 0–100 之间',
    });
    const unknown = await put(admin, { thresholds: { yellowGapPoints: 8 }, reason }).expect(422);
    expect(unknown.body.message).toContain('未知的预警阈值：“yellowGapPoints”');
    const fractionalDays = await put(admin, { thresholds: { redOverdueDays: 1.5 }, reason }).expect(422);
    expect(fractionalDays.body.message).toContain('逾期转红牌天数须为整数天');
    expect((await put(admin, { thresholds: { yellowGap: 8 }, reason: ' ' }).expect(422)).body.code).toBe(
      'REASON_REQUIRED',
    );
    expect((await put(admin, { thresholds: [8], reason }).expect(400)).body.code).toBe('VALIDATION_FAILED');
    await put(admin, { thresholds: { yellowGap: 8 } }).expect(400);
    await put(admin, { thresholds: { yellowGap: 8 }, reason, extra: 1 }).expect(400);
    const missing = await put(admin, { thresholds: { yellowGap: 8 }, reason }, randomUUID()).expect(404);
    expect(missing.body.code).toBe('TARGET_NOT_FOUND');

    expect(await streams()).toEqual(before);
  });

  it('yellowGap 8: the same gap of 10 turns yellow at once, under the thresholds recorded', async () => {
    const set = await put(admin, { thresholds: { yellowGap: 8 }, reason }).expect(200);
    expect(set.body).toMatchObject({ id: targetId, replayed: false });
    const head = await settle(set.body.position);

    const view = await history(head);
    expect(view).toMatchObject({
      level: 'yellow',
      since: now,
      schemeVersion: 1,
      thresholds: { ...DEFAULT_SCHEME.warnings, yellowGap: 8 },
      overrides: { yellowGap: 8 },
      reasons: [
        {
          rule: 'gapAboveYellow',
          level: 'yellow',
          detail: '2026年第二季度累计完成 40%，基准时序进度 50%，落后 10 个百分点，超过黄牌阈值 8',
        },
      ],
    });
    expect(view.history.map((h: { level: string; overrides: unknown }) => [h.level, h.overrides])).toEqual([
      ['bell', null],
      ['yellow', { yellowGap: 8 }],
    ]);

    const setEvent = (await env.store.readStream(`target-${targetId}`)).at(-1)!;
    expect(setEvent).toMatchObject({
      type: 'WarningThresholdsSet',
      data: { targetId, thresholds: { yellowGap: 8 }, previous: {}, reason, setAt: now },
      metadata: { actor: { userId: admin.userId, role: 'assessmentAdmin' } },
    });
    const raised = (await env.store.readStream(`warning-${targetId}`)).at(-1)!;
    expect(raised).toMatchObject({
      type: 'WarningRaised',
      data: { level: 'yellow', cause: { kind: 'event', eventId: setEvent.id } },
    });

    expect(await target(head)).toMatchObject({
      warningThresholds: { yellowGap: 8 },
      warningThresholdHistory: [{ thresholds: { yellowGap: 8 }, reason, at: now, by: admin.userId }],
      warningThresholdsInForce: {
        schemeVersion: 1,
        thresholds: { ...DEFAULT_SCHEME.warnings, yellowGap: 8 },
      },
    });
    const listed = await env
      .http()
      .get(`/targets?unitId=town-a&minPosition=${head}`)
      .set(bearer(leader))
      .expect(200);
    expect(listed.body.items[0]).toMatchObject({ warningThresholds: { yellowGap: 8 } });
    expect(listed.body.items[0].warningThresholdHistory).toBeUndefined();

    // The planner follows the level change: the leader in charge is told of the yellow card now.
    // (at once: the embedded queue may already have run it when we look)
    expect(await turnedYellow()).toEqual([
      expect.objectContaining({ tier: 2, duty: 'leaderInCharge', period: '2026-Q2', runAt: now }),
    ]);
  });

  it('the same thresholds again append nothing', async () => {
    const before = await streams();
    const last = (await env.store.readStream(`target-${targetId}`)).at(-1)!;
    const again = await put(admin, { thresholds: { yellowGap: 8 }, reason: '重复提交' }).expect(200);
    expect(again.body).toMatchObject({ replayed: false, revision: last.revision, position: last.position });
    expect(await streams()).toEqual(before);
  });

  it('cleared ({}), the scheme’s thresholds apply again: back to a bell', async () => {
    await travel('2026-07-09 11:30');
    const cleared = await put(admin, { thresholds: {}, reason: '恢复按方案预警' }).expect(200);
    const head = await settle(cleared.body.position);
    const view = await history(head);
    expect(view).toMatchObject({ level: 'bell', overrides: null, thresholds: DEFAULT_SCHEME.warnings });
    expect(
      view.history.map((h: { previousLevel: string; level: string }) => [h.previousLevel, h.level]),
    ).toEqual([
      ['none', 'bell'],
      ['bell', 'yellow'],
      ['yellow', 'bell'],
    ]);
    expect(await target(head)).toMatchObject({
      warningThresholds: null,
      warningThresholdHistory: [
        { thresholds: { yellowGap: 8 }, reason },
        { thresholds: null, reason: '恢复按方案预警', at: now, by: admin.userId },
      ],
      warningThresholdsInForce: { thresholds: DEFAULT_SCHEME.warnings },
    });
  });

  it('refuses thresholds on a withdrawn target', async () => {
    const withdrawn = await env
      .http()
      .post(`/targets/${targetId}/withdraw`)
      .set(bearer(admin))
      .send({ reason: '该项工作已划转' })
      .expect(200);
    const head = await settle(withdrawn.body.position);
    expect((await history(head)).level).toBe('none');
    const before = await streams();
    const refused = await put(admin, { thresholds: { yellowGap: 8 }, reason }).expect(409);
    expect(refused.body).toMatchObject({ code: 'TARGET_WITHDRAWN', message: '目标已撤销' });
    expect(await streams()).toEqual(before);
  });
});
