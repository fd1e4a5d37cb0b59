import { Workbook } from 'exceljs';
import type { Response } from 'superagent';
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
 * 督查督办 on the worked example, with a moving clock: Town A's GDP target has a milestone 重点项目开工
 * due 31 March. On 2 April it is overdue, the target turns red and is offered as a candidate; the
 * supervision office opens a notice (round 1, due 10 April), Town A signs and reports rectification
 * with evidence, the office returns it, escalates to 二次督办 with a tracker (due 20 April), refuses an
 * extension, and on 22 April the case is overdue: a 通报 (publicNotice, 1 point by the default scheme)
 * follows and shows in Town A's score explanation and timeline. Refusals append nothing. The `it`s
 * share state and run in order.
 */

const PDF = Buffer.from(
  '%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n' +
    'trailer << /Root 1 0 R >>\n%%EOF\n',
  'latin1',
);

/** Collects a binary body whatever its type (superagent only buffers text and JSON by default). */
const binary = (res: Response, callback: (error: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (chunk: Buffer) => chunks.push(chunk));
  res.on('end', () => callback(null, Buffer.concat(chunks)));
};

describe('supervision: red milestone → notice → returned → 二次督办 → overdue → accountability → score', () => {
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
  let targetId: string;
  let noticeId: string;
  let rectificationId: string;
  let fileId: string;
  let actionId: string;
  let head = 0;

  const travel = async (local: string) => {
    now = sh(local);
    await env.renew(system, security, admin, reviewer, staffA, staffB, leader, supervisor);
  };
  const post = (path: string, as: Session, body: object = {}) =>
    env.http().post(path).set(bearer(as)).send(body);
  const get = (path: string, as: Session, query: Record<string, string | number> = {}) =>
    env
      .http()
      .get(path)
      .query({ minPosition: head, ...query })
      .set(bearer(as));
  const notice = (suffix = '') => `/supervision-notices/${noticeId}${suffix}`;
  /** Runs a refused request and checks the log did not move. */
  const refused = async (run: () => Promise<{ status: number; body: { code: string; message: string } }>) => {
    const before = await env.headPosition();
    const res = await run();
    expect(await env.headPosition()).toBe(before);
    expect(res.body.message).toMatch(/[\u4e00-\u9fff]/);
    return res;
  };
  const explain = (query: Record<string, string> = {}) =>
    get('/scores/town-a/explain', leader, { cycleId: '2026', ...query }).expect(200);

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

  it('sets up cycle 2026, the towns, and Town A’s GDP target with a milestone due 31 March', async () => {
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
        ],
      },
    );
    targetId = issued.targetId;
    head = issued.position;
  });

  it('offers the red milestone as a candidate once the target turns red; a person opens the notice', async () => {
    await travel('2026-04-02 10:00');
    await post('/warnings/evaluations', admin).expect(200);
    head = (await env.headPosition())!;
    const candidates = await get('/supervision-notices/candidates', supervisor, { cycleId: '2026' }).expect(
      200,
    );
    expect(candidates.body.items).toEqual([
      expect.objectContaining({
        targetId,
        milestoneId: 'kaigong',
        milestoneTitle: '重点项目开工',
        title: 'GDP增速',
        unitId: 'town-a',
        reasons: [expect.objectContaining({ rule: 'milestoneOverdue', level: 'red' })],
      }),
    ]);

    const opened = await post('/supervision-notices', supervisor, {
      cycleId: '2026',
      unitId: 'town-a',
      kind: 'notice',
      title: '重点项目开工节点逾期',
      demand: '请于 4 月 10 日前完成开工并反馈整改情况',
      deadline: '2026-04-10',
      targets: [{ targetId, milestoneId: 'kaigong' }],
    }).expect(201);
    noticeId = opened.body.id;
    head = opened.body.position;

    const after = await get('/supervision-notices/candidates', supervisor, { cycleId: '2026' }).expect(200);
    expect(after.body.items).toEqual([]);
  });

  it('refuses opening a notice: 401 anonymous, 403 unit staff, 400 malformed, 422 another unit’s target', async () => {
    const body = {
      cycleId: '2026',
      unitId: 'town-a',
      title: '重复通知',
      demand: '整改',
      deadline: '2026-04-10',
      targets: [{ targetId }],
    };
    const anonymous = await refused(() => env.http().post('/supervision-notices').send(body));
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.code).toBe('UNAUTHENTICATED');
    const staff = await refused(() => post('/supervision-notices', staffA, body));
    expect(staff.status).toBe(403);
    expect(staff.body.code).toBe('FORBIDDEN');
    const malformed = await refused(() =>
      post('/supervision-notices', supervisor, { ...body, deadline: '4月10日' }),
    );
    expect(malformed.status).toBe(400);
    const wrongUnit = await refused(() =>
      post('/supervision-notices', supervisor, { ...body, unitId: 'town-b' }),
    );
    expect(wrongUnit.status).toBe(422);
    expect(wrongUnit.body).toMatchObject({ code: 'INVALID_NOTICE' });
    expect(wrongUnit.body.message).toContain('不属于责任单位 town-b');
  });

  it('Town A signs for it; Town B may not', async () => {
    await travel('2026-04-03 10:00');
    const other = await refused(() => post(notice('/sign'), staffB));
    expect(other.status).toBe(403);
    expect(other.body.code).toBe('OUT_OF_SCOPE');
    const signed = await post(notice('/sign'), staffA).expect(200);
    head = signed.body.position;
    const twice = await refused(() => post(notice('/sign'), staffA));
    expect(twice.status).toBe(409);
    expect(twice.body.code).toBe('NOTICE_ALREADY_SIGNED');
  });

  it('Town A reports rectification with evidence; Town B may not rectify Town A’s case', async () => {
    await travel('2026-04-08 10:00');
    const uploaded = await env
      .http()
      .post('/evidence')
      .set(bearer(staffA))
      .attach('file', PDF, { filename: '开工整改报告.pdf', contentType: 'application/pdf' })
      .expect(201);
    fileId = uploaded.body.fileId;
    const body = {
      narrative: '已完成施工许可，计划 4 月 9 日开工',
      evidence: [{ fileId, name: '开工整改报告.pdf' }],
    };
    const other = await refused(() => post(notice('/rectifications'), staffB, body));
    expect(other.status).toBe(403);
    expect(other.body.code).toBe('OUT_OF_SCOPE');
    const missing = await refused(() =>
      post(notice('/rectifications'), staffA, {
        ...body,
        evidence: [{ fileId: 'c'.repeat(64), name: 'x.pdf' }],
      }),
    );
    expect(missing.status).toBe(422);
    expect(missing.body.code).toBe('EVIDENCE_NOT_FOUND');
    const reported = await post(notice('/rectifications'), staffA, body).expect(201);
    rectificationId = reported.body.rectificationId;
    head = reported.body.position;

    // Town A's Q1 GDP figure, verified: 2.0 of 8.0 gives 600 × 0.25 = 150 points.
    const report = await post(`/targets/${targetId}/reports`, staffA, {
      period: '2026-Q1',
      cumulativeValue: 2.0,
    });
    expect(report.status).toBe(201);
    const verified = await post(
      `/targets/${targetId}/reports/${report.body.reportId as string}/verify`,
      reviewer,
    ).expect(200);
    head = Math.max(head, verified.body.position as number);
  });

  it('the office returns it for redo; closing with nothing pending is refused', async () => {
    await travel('2026-04-09 10:00');
    const returned = await post(notice('/return'), supervisor, { reason: '未见开工现场照片，请补充' }).expect(
      200,
    );
    head = returned.body.position;
    const close = await refused(() => post(notice('/close'), supervisor));
    expect(close.status).toBe(409);
    expect(close.body.code).toBe('NO_PENDING_RECTIFICATION');
  });

  it('二次督办: round 2 with a named tracker and a new deadline; once only', async () => {
    await travel('2026-04-09 11:00');
    const unknown = await refused(() =>
      post(notice('/escalations'), supervisor, {
        tracker: '00000000-0000-4000-8000-000000000000',
        deadline: '2026-04-20',
      }),
    );
    expect(unknown.status).toBe(422);
    expect(unknown.body.code).toBe('TRACKER_NOT_FOUND');
    const escalated = await post(notice('/escalations'), supervisor, {
      tracker: supervisor.userId,
      deadline: '2026-04-20',
      demand: '4 月 20 日前开工并提供现场照片',
    }).expect(201);
    head = escalated.body.position;
    const again = await refused(() =>
      post(notice('/escalations'), supervisor, { tracker: supervisor.userId, deadline: '2026-04-25' }),
    );
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('ALREADY_ESCALATED');
  });

  it('Town A signs round 2 and asks for an extension before the deadline; the office refuses it', async () => {
    await travel('2026-04-10 10:00');
    head = (await post(notice('/sign'), staffA).expect(200)).body.position;
    const requested = await post(notice('/extensions'), staffA, {
      deadline: '2026-04-25',
      reason: '施工设备到场延迟',
    }).expect(201);
    const refusedExtension = await post(
      notice(`/extensions/${requested.body.extensionId as string}/refuse`),
      supervisor,
      { reason: '理由不充分' },
    ).expect(200);
    head = refusedExtension.body.position;
  });

  it('is overdue on 22 April: on the board (round 2, by tracker) and in the overdue list; no extension now', async () => {
    await travel('2026-04-22 10:00');
    const late = await refused(() =>
      post(notice('/extensions'), staffA, { deadline: '2026-04-30', reason: '再延' }),
    );
    expect(late.status).toBe(409);
    expect(late.body.code).toBe('DEADLINE_PASSED');

    const board = await get('/supervision-notices/board', supervisor, { cycleId: '2026' }).expect(200);
    expect(board.body.totals).toEqual({ open: 1, overdue: 1, round2: 1, closed: 0, total: 1 });
    expect(board.body.byUnit).toEqual([
      { unitId: 'town-a', unitName: '甲镇', open: 1, overdue: 1, round2: 1, closed: 0, total: 1 },
    ]);
    expect(board.body.byTracker).toEqual([
      expect.objectContaining({ tracker: supervisor.userId, open: 1, overdue: 1, round2: 1 }),
    ]);
    const overdue = await get('/supervision-notices', leader, { overdue: 'true', round: 2 }).expect(200);
    expect(overdue.body).toMatchObject({
      total: 1,
      items: [{ noticeId, overdue: true, round: 2, tracker: supervisor.userId }],
    });
    const mine = await get('/supervision-notices', staffB).expect(200);
    expect(mine.body.total).toBe(0);
  });

  it('takes a 通报 (publicNotice) on the failed round 2, with the scheme’s deduction; the same kind twice is refused', async () => {
    const before = await explain();
    expect(before.body).toMatchObject({ total: 150, accountabilityThousandths: 0 });

    const action = {
      noticeId,
      action: 'publicNotice',
      official: { name: '张三', position: '甲镇副镇长' },
      reason: '二次督办逾期仍未整改到位',
      basis: '市督查室〔2026〕5号',
      occurredOn: '2026-04-22',
    };
    const staff = await refused(() => post('/accountability-actions', staffA, action));
    expect(staff.status).toBe(403);
    const taken = await post('/accountability-actions', supervisor, action).expect(201);
    actionId = taken.body.id;
    head = taken.body.position;
    expect(taken.body).toMatchObject({ noticeId });
    const twice = await refused(() => post('/accountability-actions', supervisor, action));
    expect(twice.status).toBe(409);
    expect(twice.body.code).toBe('ACTION_ALREADY_TAKEN');

    const recorded = await get(`/accountability-actions/${actionId}`, staffA).expect(200);
    expect(recorded.body).toMatchObject({
      cycleId: '2026',
      unitId: 'town-a',
      action: 'publicNotice',
      deduction: 1,
      schemeVersion: 1,
      noticeId,
      round: 2,
      occurredOn: '2026-04-22',
      official: { name: '张三', position: '甲镇副镇长' },
      takenBy: { userId: supervisor.userId, role: 'supervisor' },
    });
    const others = await get('/accountability-actions', staffB).expect(200);
    expect(others.body.total).toBe(0);
  });

  it('shows the deduction in Town A’s score explanation and timeline', async () => {
    const after = await explain();
    expect(after.body).toMatchObject({ total: 149, accountabilityThousandths: 1000 });
    const step = (
      after.body.trace as Array<{ rule: string; inputs: Record<string, unknown>; output: unknown }>
    ).find((s) => s.rule === 'accountability');
    expect(step).toMatchObject({
      inputs: { action: 'publicNotice', deduction: 1, occurredAt: sh('2026-04-22 00:00') },
      output: -1,
    });
    const timeline = await get('/scores/town-a/timeline', leader, { cycleId: '2026' }).expect(200);
    const entry = (
      timeline.body.entries as Array<{
        delta: number;
        events: Array<{ type: string; actor: { userId: string } }>;
      }>
    ).find((e) => e.events.some((x) => x.type === 'AccountabilityActionTaken'));
    expect(entry).toMatchObject({
      delta: -1,
      events: [
        expect.objectContaining({
          type: 'AccountabilityActionTaken',
          actor: expect.objectContaining({ userId: supervisor.userId }),
        }),
      ],
    });
  });

  it('the lineage: both rounds of one case, every step with actor and time, evidence, the target and the deduction', async () => {
    const other = await get(notice(), staffB).expect(403);
    expect(other.body.code).toBe('OUT_OF_SCOPE');
    const res = await get(notice(), staffA).expect(200);
    const view = res.body;
    expect(view).toMatchObject({
      noticeId,
      unitId: 'town-a',
      unitName: '甲镇',
      status: 'open',
      round: 2,
      overdue: true,
      tracker: supervisor.userId,
      trackerName: supervisor.username,
      deductionTotal: 1,
      targets: [
        {
          targetId,
          milestoneId: 'kaigong',
          title: 'GDP增速',
          milestone: expect.objectContaining({ title: '重点项目开工' }),
        },
      ],
      actions: [{ actionId, action: 'publicNotice', deduction: 1, round: 2 }],
    });
    expect(view.rounds).toEqual([
      expect.objectContaining({
        round: 1,
        reason: null,
        deadline: '2026-04-10',
        signedBy: expect.objectContaining({ userId: staffA.userId }),
        rectifications: [
          expect.objectContaining({
            rectificationId,
            status: 'returned',
            decisionNote: '未见开工现场照片，请补充',
            evidence: [
              expect.objectContaining({ fileId, name: '开工整改报告.pdf', mediaType: 'application/pdf' }),
            ],
            reportedBy: expect.objectContaining({ userId: staffA.userId }),
            decidedBy: expect.objectContaining({ userId: supervisor.userId }),
          }),
        ],
      }),
      expect.objectContaining({
        round: 2,
        reason: 'returned',
        tracker: supervisor.userId,
        deadline: '2026-04-20',
        demand: '4 月 20 日前开工并提供现场照片',
        extensions: [expect.objectContaining({ status: 'refused', requestedDeadline: '2026-04-25' })],
      }),
    ]);
    const steps = view.steps as Array<{ type: string; round: number; actor: { userId: string }; at: string }>;
    expect(steps.map((s) => [s.type, s.round, s.actor.userId, s.at])).toEqual([
      ['SupervisionNoticeIssued', 1, supervisor.userId, sh('2026-04-02 10:00')],
      ['SupervisionNoticeSigned', 1, staffA.userId, sh('2026-04-03 10:00')],
      ['RectificationReported', 1, staffA.userId, sh('2026-04-08 10:00')],
      ['RectificationReturned', 1, supervisor.userId, sh('2026-04-09 10:00')],
      ['SupervisionEscalated', 2, supervisor.userId, sh('2026-04-09 11:00')],
      ['SupervisionNoticeSigned', 2, staffA.userId, sh('2026-04-10 10:00')],
      ['ExtensionRequested', 2, staffA.userId, sh('2026-04-10 10:00')],
      ['ExtensionRefused', 2, supervisor.userId, sh('2026-04-10 10:00')],
      ['AccountabilityActionTaken', 2, supervisor.userId, sh('2026-04-22 10:00')],
    ]);
    // One case, one stream: the whole chain is there, in order.
    const stream = await env.store.readStream(`supervision-${noticeId}`);
    expect(stream.map((e) => e.type)).toEqual(steps.map((s) => s.type));
  });

  it('closes on a late rectification accepted; closing twice and escalating a closed case are refused', async () => {
    await travel('2026-04-24 10:00');
    const reported = await post(notice('/rectifications'), staffA, {
      narrative: '已于 4 月 23 日开工，附现场照片',
      evidence: [{ fileId, name: '开工现场.pdf' }],
    }).expect(201);
    const closed = await post(notice('/close'), supervisor, { comment: '整改到位，予以办结' }).expect(200);
    head = closed.body.position;
    const twice = await refused(() => post(notice('/close'), supervisor));
    expect(twice.status).toBe(409);
    expect(twice.body.code).toBe('NOTICE_CLOSED');
    const escalate = await refused(() =>
      post(notice('/escalations'), supervisor, { tracker: supervisor.userId, deadline: '2026-05-10' }),
    );
    expect(escalate.status).toBe(409);
    expect(escalate.body.code).toBe('NOTICE_CLOSED');

    const view = await get(notice(), supervisor).expect(200);
    expect(view.body).toMatchObject({ status: 'closed', overdue: false, closedAt: sh('2026-04-24 10:00') });
    expect(view.body.rounds[1].rectifications).toEqual([
      expect.objectContaining({
        rectificationId: reported.body.rectificationId,
        late: true,
        status: 'accepted',
        decisionNote: '整改到位，予以办结',
      }),
    ]);
    const board = await get('/supervision-notices/board', supervisor).expect(200);
    expect(board.body.totals).toEqual({ open: 0, overdue: 0, round2: 0, closed: 1, total: 1 });
    // The deduction stays: closing the case does not undo the action.
    expect((await explain()).body).toMatchObject({ total: 149 });
  });

  it('a free-standing matter (领导批示) for Town B: an extension asked in time is approved and moves the deadline', async () => {
    const missing = await get('/supervision-notices/00000000-0000-4000-8000-000000000000', supervisor).expect(
      404,
    );
    expect(missing.body.code).toBe('NOTICE_NOT_FOUND');
    const opened = await post('/supervision-notices', supervisor, {
      cycleId: '2026',
      unitId: 'town-b',
      kind: 'suggestion',
      title: '市长批示：加快农贸市场改造',
      demand: '5 月 10 日前报送改造方案',
      deadline: '2026-05-10',
      matter: { source: 'leaderInstruction', description: '市长批示：农贸市场改造进度滞后，请督办' },
    }).expect(201);
    const matter = `/supervision-notices/${opened.body.id as string}`;
    await post(`${matter}/sign`, staffB).expect(200);
    const requested = await post(`${matter}/extensions`, staffB, {
      deadline: '2026-05-20',
      reason: '方案须经镇党委会研究',
    }).expect(201);
    const foreign = await refused(() =>
      post(`${matter}/extensions/${requested.body.extensionId as string}/approve`, staffA),
    );
    expect(foreign.status).toBe(403);
    const approved = await post(
      `${matter}/extensions/${requested.body.extensionId as string}/approve`,
      supervisor,
    ).expect(200);
    head = approved.body.position;
    const view = await get(matter, staffB).expect(200);
    expect(view.body).toMatchObject({
      unitId: 'town-b',
      kind: 'suggestion',
      targets: [],
      matter: { source: 'leaderInstruction' },
      deadline: '2026-05-20',
      rounds: [
        {
          round: 1,
          originalDeadline: '2026-05-10',
          deadline: '2026-05-20',
          extensions: [{ status: 'approved', requestedDeadline: '2026-05-20' }],
        },
      ],
    });
    const theirs = await get('/supervision-notices', staffB).expect(200);
    expect(theirs.body.items.map((n: { unitId: string }) => n.unitId)).toEqual(['town-b']);
  });

  it('a free-standing action must name events that exist in the log; then it is recorded on its own stream', async () => {
    const returnedEvent = (await env.store.readStream(`supervision-${noticeId}`)).find(
      (e) => e.type === 'RectificationReturned',
    )!;
    const action = {
      cycleId: '2026',
      unitId: 'town-a',
      action: 'caution',
      reason: '整改反馈佐证不实',
      occurredOn: '2026-04-24',
      causes: [{ streamId: `supervision-${noticeId}`, eventId: '00000000-0000-4000-8000-000000000000' }],
    };
    const unknown = await refused(() => post('/accountability-actions', admin, action));
    expect(unknown.status).toBe(422);
    expect(unknown.body.code).toBe('INVALID_ACCOUNTABILITY_ACTION');
    const noCause = await refused(() => post('/accountability-actions', admin, { ...action, causes: [] }));
    expect(noCause.status).toBe(422);
    const taken = await post('/accountability-actions', admin, {
      ...action,
      causes: [{ streamId: `supervision-${noticeId}`, eventId: returnedEvent.id }],
    }).expect(201);
    head = taken.body.position;
    expect(await env.store.readStream(`accountability-${taken.body.id as string}`)).toEqual([
      expect.objectContaining({
        type: 'AccountabilityActionTaken',
        data: expect.objectContaining({
          noticeId: null,
          action: 'caution',
          deduction: 0,
          causes: [
            { streamId: `supervision-${noticeId}`, eventId: returnedEvent.id, type: 'RectificationReturned' },
          ],
        }),
      }),
    ]);
    const listed = await get('/accountability-actions', leader, { unitId: 'town-a' }).expect(200);
    expect(listed.body.items.map((a: { action: string }) => a.action).sort()).toEqual([
      'caution',
      'publicNotice',
    ]);
    // 提醒 deducts nothing under the default scheme: the total stays.
    expect((await explain()).body).toMatchObject({ total: 149, accountabilityThousandths: 1000 });
  });

  it('the 专题督办情况 report for April: per unit, as JSON, Excel and printable HTML, within the caller’s scope', async () => {
    const april = { from: '2026-04-01', to: '2026-04-30', cycleId: '2026' };
    const json = await get('/supervision-notices/report', leader, april).expect(200);
    // The period has not ended: its state columns stand at now (24 April).
    expect(json.body).toMatchObject({ asOf: now, period: { from: '2026-04-01', to: '2026-04-30' } });
    expect(json.body.rows).toEqual([
      {
        unitId: 'town-a',
        unitName: '甲镇',
        opened: 1,
        closed: 1,
        escalated: 1,
        open: 0,
        overdue: 0,
        actions: { caution: 1, interview: 0, publicNotice: 1, admonition: 0, accountability: 0 },
        deduction: 1,
      },
      expect.objectContaining({ unitId: 'town-b', unitName: '乙镇', opened: 1, open: 1, overdue: 0 }),
    ]);
    const own = await get('/supervision-notices/report', staffB, april).expect(200);
    expect(own.body.rows.map((r: { unitId: string }) => r.unitId)).toEqual(['town-b']);

    const xlsx = await get('/supervision-notices/report', supervisor, { ...april, format: 'xlsx' })
      .buffer(true)
      .parse(binary)
      .expect(200);
    expect(xlsx.headers['content-type']).toContain('spreadsheetml');
    const workbook = new Workbook();
    await workbook.xlsx.load(xlsx.body as ArrayBuffer);
    const sheet = workbook.getWorksheet('专题督办情况')!;
    expect((sheet.getRow(4).values as unknown[]).slice(1, 7)).toEqual(['town-a', '甲镇', 1, 1, 1, 0]);

    const html = await get('/supervision-notices/report', supervisor, { ...april, format: 'html' }).expect(
      200,
    );
    expect(html.headers['content-type']).toContain('text/html');
    expect(html.text).toContain('专题督办情况（2026-04-01 至 2026-04-30，2026 年度考核）');
    expect(html.text).toContain('重点项目开工节点逾期');

    const backwards = await get('/supervision-notices/report', leader, {
      from: '2026-05-01',
      to: '2026-04-01',
    }).expect(400);
    expect(backwards.body.code).toBe('INVALID_PERIOD');
  });
});
