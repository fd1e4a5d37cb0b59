import { EvaluateWarningWhenTargetChanged } from '@dukao/warnings';
import { bearer, type EmbeddedApp, type Session } from './support/embedded-app';
import {
  createUnits,
  GDP_PROPOSAL,
  openCycle,
  proposeAndIssue,
  publishTownsTree,
  sh,
  signIn,
  startApp,
} from './support/worked-example';

/**
 * 亮灯 (issue 6: "per milestone its light"; DOMAIN.md: green on time, yellow within 3 days of due
 * and not done, red overdue) through the API with a moving clock: Town A's GDP target carries two
 * milestones, 重点项目开工 due 31 March and 主体封顶 due 30 September. Time alone turns the first
 * yellow then red on the tick; a report completing it late turns it green again (late); each change
 * is an event with the window and scheme version applied. The `it`s share state and run in order.
 */
describe('milestone lights: green, yellow within 3 days, red overdue, green once done', () => {
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
  let head = 0;

  const travel = async (local: string) => {
    now = sh(local);
    await env.renew(system, security, admin, reviewer, staffA, staffB, leader);
  };
  const tick = async () => {
    const res = await env.http().post('/warnings/evaluations').set(bearer(admin)).expect(200);
    head = (await env.headPosition()) ?? head;
    return res.body as { evaluated: number; changed: number };
  };
  const lights = async (as: Session = leader) =>
    (
      await env
        .http()
        .get(`/warnings/${targetId}/milestones`)
        .query({ minPosition: head })
        .set(bearer(as))
        .expect(200)
    ).body as {
      milestones: Array<{
        milestoneId: string;
        light: string;
        since: string | null;
        completedOn: string | null;
        late: boolean;
        schemeVersion: number | null;
        milestoneYellowDays: number | null;
        history: Array<{ light: string; previousLight: string; at: string }>;
      }>;
    };
  const summary = async () => (await lights()).milestones.map((m) => [m.milestoneId, m.light]);

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

  it('issues the target with two milestones: both green, nothing recorded', async () => {
    await openCycle(env, admin);
    await createUnits(env, admin);
    await publishTownsTree(env, admin);
    const issued = await proposeAndIssue(
      env,
      { admin, reviewer, leader },
      {
        ...GDP_PROPOSAL,
        milestones: [
          { milestoneId: 'kaigong', title: '重点项目开工', dueDate: '2026-03-31', evidenceRequired: false },
          { milestoneId: 'fengding', title: '主体封顶', dueDate: '2026-09-30', evidenceRequired: false },
        ],
      },
    );
    targetId = issued.targetId;
    head = issued.position;
    expect(await env.app.get(EvaluateWarningWhenTargetChanged).waitFor(head, 10_000)).toBe(true);
    expect(await summary()).toEqual([
      ['kaigong', 'green'],
      ['fengding', 'green'],
    ]);
    expect(await env.store.readStream(`milestonelights-${targetId}`)).toEqual([]);
  });

  it('stays green four days before the due date, turns yellow three days before, once per day', async () => {
    await travel('2026-03-27 09:00');
    await tick();
    expect(await summary()).toEqual([
      ['kaigong', 'green'],
      ['fengding', 'green'],
    ]);
    await travel('2026-03-28 09:00');
    await tick();
    await tick();
    const body = await lights();
    expect(body.milestones[0]).toMatchObject({
      milestoneId: 'kaigong',
      light: 'yellow',
      since: now,
      schemeVersion: 1,
      milestoneYellowDays: 3,
    });
    expect(body.milestones[1]).toMatchObject({ milestoneId: 'fengding', light: 'green', since: null });
    const events = await env.store.readStream(`milestonelights-${targetId}`);
    expect(events.map((e) => [e.type, (e.data as { light: string }).light])).toEqual([
      ['MilestoneLightChanged', 'yellow'],
    ]);
  });

  it('turns red once its due day has ended undone, and lists it among the red milestones', async () => {
    await travel('2026-04-01 09:00');
    await tick();
    expect(await summary()).toEqual([
      ['kaigong', 'red'],
      ['fengding', 'green'],
    ]);
    const red = await env
      .http()
      .get('/warnings/milestones')
      .query({ light: 'red', minPosition: head })
      .set(bearer(admin))
      .expect(200);
    expect(red.body.items).toEqual([
      expect.objectContaining({
        targetId,
        title: 'GDP增速',
        unitId: 'town-a',
        red: 1,
        yellow: 0,
        milestones: [
          expect.objectContaining({ milestoneId: 'kaigong', light: 'red', dueDate: '2026-03-31' }),
        ],
      }),
    ]);
    const yellow = await env
      .http()
      .get('/warnings/milestones')
      .query({ light: 'yellow', minPosition: head })
      .set(bearer(admin))
      .expect(200);
    expect(yellow.body.items).toEqual([]);
  });

  it('keeps other units out: Town B staff see no lit milestone of Town A and cannot read its lights', async () => {
    const list = await env.http().get('/warnings/milestones').set(bearer(staffB)).expect(200);
    expect(list.body.items).toEqual([]);
    const own = await env.http().get('/warnings/milestones').set(bearer(staffA)).expect(200);
    expect(own.body.items).toHaveLength(1);
    const other = await env.http().get(`/warnings/${targetId}/milestones`).set(bearer(staffB)).expect(404);
    expect(other.body.code).toBe('TARGET_NOT_FOUND');
    await env.http().get('/warnings/milestones').expect(401);
    const bad = await env.http().get('/warnings/milestones').query({ light: 'green' }).set(bearer(admin));
    expect(bad.status).toBe(400);
  });

  it('a report completing it on 3 April turns it green at once, late, with each change in its history', async () => {
    await travel('2026-04-08 10:00');
    const reported = await env
      .http()
      .post(`/targets/${targetId}/reports`)
      .set(bearer(staffA))
      .send({
        period: '2026-Q1',
        cumulativeValue: 2.0,
        milestonesCompleted: [{ milestoneId: 'kaigong', completedOn: '2026-04-03' }],
      })
      .expect(201);
    expect(await env.app.get(EvaluateWarningWhenTargetChanged).waitFor(reported.body.position, 10_000)).toBe(
      true,
    );
    head = (await env.headPosition()) ?? head;
    const body = await lights(staffA);
    expect(body.milestones[0]).toMatchObject({
      milestoneId: 'kaigong',
      light: 'green',
      completedOn: '2026-04-03',
      late: true,
      since: now,
    });
    expect(body.milestones[0]!.history.map((h) => [h.previousLight, h.light, h.at])).toEqual([
      ['green', 'yellow', sh('2026-03-28 09:00')],
      ['yellow', 'red', sh('2026-04-01 09:00')],
      ['red', 'green', sh('2026-04-08 10:00')],
    ]);
    const lit = await env
      .http()
      .get('/warnings/milestones')
      .query({ minPosition: head })
      .set(bearer(admin))
      .expect(200);
    expect(lit.body.items).toEqual([]);
  });

  it('a later scheme version’s wider yellow window lights the second milestone earlier', async () => {
    await travel('2026-09-20 09:00');
    const cycle = (await env.http().get('/cycles/2026').set(bearer(admin)).expect(200)).body;
    const scheme = cycle.schemes[0].scheme;
    const published = await env
      .http()
      .post('/cycles/2026/schemes')
      .set(bearer(admin))
      .send({
        scheme: { ...scheme, warnings: { ...scheme.warnings, milestoneYellowDays: 10 } },
        effectiveFrom: now,
        note: '节点黄灯提前至10天',
      })
      .expect(201);
    expect(await env.app.get(EvaluateWarningWhenTargetChanged).waitFor(published.body.position, 10_000)).toBe(
      true,
    );
    head = (await env.headPosition()) ?? head;
    const body = await lights();
    expect(body.milestones[1]).toMatchObject({
      milestoneId: 'fengding',
      light: 'yellow',
      schemeVersion: 2,
      milestoneYellowDays: 10,
    });
  });
});
