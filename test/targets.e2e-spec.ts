import { Workbook } from 'exceljs';
import type { Response } from 'superagent';
import { type StoredEvent, verifyChain } from '@dukao/event-store';
import type { ReportView } from '@dukao/targets';
import { EvaluateWarningWhenTargetChanged } from '@dukao/warnings';
import { type EmbeddedApp, type Session, bearer } from './support/embedded-app';
import {
  GDP_PROPOSAL,
  TOWNS_TREE,
  createUnits,
  openCycle,
  publishTownsTree,
  signIn,
  startApp,
} from './support/worked-example';

/**
 * A year of one target, driven through the HTTP API as the office and the units would, on the
 * worked example of shared/DOMAIN.md: Town A, GDP growth 8.0% for 2026, baseline 7.1%, schedule
 * 25/50/75/100 by quarter, cumulative 3.2% by the end of June → 40% against 50% expected.
 * The `it`s share state and run in order, as the story goes; the clock moves with it.
 */

const PDF = Buffer.from(
  '%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n',
  'latin1',
);
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** Collects a binary body (superagent only buffers text and JSON by default). */
const binary = (res: Response, callback: (error: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (chunk: Buffer) => chunks.push(chunk));
  res.on('end', () => callback(null, Buffer.concat(chunks)));
};

/** Town A's first proposal, 7.5: the leader returns it as too low, and it is resubmitted at 8.0. */
const LOW_PROPOSAL = { ...GDP_PROPOSAL, annualValue: 7.5 };

describe('targets: a year of Town A’s GDP target, from planning to the audit trail', () => {
  let now = '2026-01-05T01:00:00.000Z';
  let env: EmbeddedApp;
  let system: Session;
  let security: Session;
  let admin: Session;
  let reviewer: Session;
  let staffA: Session;
  let staffA2: Session;
  let staffB: Session;
  let leader: Session;

  let targetId: string;
  let fileId: string;
  const reports: Record<string, string> = {};
  let q1First: Record<string, unknown>;
  /** The business time of each write, to compare with what the events record. */
  const times: Record<string, string> = {};

  /** Moves the clock and renews every session (a jump of months outlives any token). */
  const travel = async (iso: string) => {
    now = new Date(iso).toISOString();
    await env.renew(system, security, admin, reviewer, staffA, staffA2, staffB, leader);
  };
  const detail = async (minPosition: number | null, as: Session = admin) =>
    (
      await env
        .http()
        .get(`/targets/${targetId}?minPosition=${minPosition ?? 0}`)
        .set(bearer(as))
        .expect(200)
    ).body;
  const review = (as: Session, stage: string, decision: 'pass' | 'return', reason?: string) =>
    env
      .http()
      .post(`/targets/${targetId}/reviews`)
      .set(bearer(as))
      .send({ stage, decision, ...(reason ? { reason } : {}) });
  const report = (as: Session, body: Record<string, unknown>) =>
    env.http().post(`/targets/${targetId}/reports`).set(bearer(as)).send(body);
  const reportOf = (target: { reports: ReportView[] }, key: string) =>
    target.reports.find((r) => r.reportId === reports[key])!;

  beforeAll(async () => {
    env = await startApp(() => new Date(now));
    ({ system, security, admin, reviewer, staffA, staffA2, staffB, leader } = await signIn(env, [
      'admin',
      'reviewer',
      'staffA',
      'staffA2',
      'staffB',
      'leader',
    ]));
  }, 60_000);
  afterAll(async () => {
    await env?.stop();
  });

  it('opens cycle 2026 with the default scheme, registers the units and publishes the towns’ 千分制 indicator tree', async () => {
    const cycle = await openCycle(env, admin);
    expect(cycle.body).toMatchObject({ id: '2026', replayed: false });
    await env.http().post('/cycles').set(bearer(staffA)).send({ cycleId: '2027', name: '越权' }).expect(403);

    await createUnits(env, admin);

    const unbalanced = {
      ...TOWNS_TREE,
      indicators: TOWNS_TREE.indicators.map((i) =>
        i.indicatorId === 'livelihood' ? { ...i, points: 300 } : i,
      ),
    };
    const refused = await env
      .http()
      .post('/cycles/2026/indicator-trees')
      .set(bearer(admin))
      .send(unbalanced)
      .expect(422);
    expect(refused.body.code).toBe('INVALID_INDICATOR_TREE');
    const tree = await publishTownsTree(env, admin);

    const view = await env
      .http()
      .get(`/cycles/2026?minPosition=${tree.body.position}`)
      .set(bearer(leader))
      .expect(200);
    expect(view.body).toMatchObject({ _id: '2026', year: 2026, status: 'open', openedAt: now });
    expect(view.body.schemes).toEqual([
      expect.objectContaining({ version: 1, note: '默认方案', effectiveFrom: now }),
    ]);
    expect(view.body.schemes[0].scheme.warnings).toMatchObject({ bellGap: 5, yellowGap: 10, redGap: 20 });
    expect(view.body.indicatorTrees).toEqual([
      expect.objectContaining({ category: 'towns', version: 1, scale: 1000, effectiveFrom: now }),
    ]);

    const units = await env
      .http()
      .get(`/units?minPosition=${tree.body.position}`)
      .set(bearer(admin))
      .expect(200);
    expect(units.body.items.map((u: { _id: string }) => u._id).sort()).toEqual([
      'stats-bureau',
      'town-a',
      'town-b',
    ]);
  });

  it('issues the target through 联审, refusing the wrong stage or reviewer and restarting the review after a return', async () => {
    const proposed = await env.http().post('/targets').set(bearer(admin)).send(LOW_PROPOSAL).expect(201);
    targetId = proposed.body.id;
    times.proposed = now;
    expect(proposed.body).toMatchObject({ revision: 0, replayed: false });
    expect(await detail(proposed.body.position)).toMatchObject({
      status: 'proposed',
      nextStage: 'lineDepartment',
      annualValue: 7.5,
      category: 'towns',
      year: 2026,
    });

    const early = await review(admin, 'assessmentOffice', 'pass').expect(409);
    expect(early.body).toMatchObject({
      code: 'WRONG_REVIEW_STAGE',
      details: { expectedStage: 'lineDepartment', givenStage: 'assessmentOffice' },
    });
    const notTheirs = await review(leader, 'lineDepartment', 'pass').expect(403);
    expect(notTheirs.body).toMatchObject({ code: 'WRONG_REVIEWER', message: '您不是该审核环节的审核人' });
    await review(staffA, 'lineDepartment', 'pass').expect(403);
    const tooSoon = await report(staffA, { period: '2026-Q1', cumulativeValue: 0.5 }).expect(409);
    expect(tooSoon.body.code).toBe('TARGET_NOT_ISSUED');

    await review(reviewer, 'lineDepartment', 'pass', '口径与统计年鉴一致').expect(200);
    await review(admin, 'assessmentOffice', 'pass').expect(200);
    await travel('2026-01-06T02:00:00Z');
    const bare = await review(leader, 'leaderInCharge', 'return').expect(422);
    expect(bare.body.code).toBe('REASON_REQUIRED');
    const returned = await review(leader, 'leaderInCharge', 'return', '目标偏低，请对标全市平均水平').expect(
      200,
    );
    times.returned = now;
    expect(await detail(returned.body.position)).toMatchObject({ status: 'returned', nextStage: null });
    const closed = await review(leader, 'leaderInCharge', 'pass').expect(409);
    expect(closed.body.code).toBe('TARGET_NOT_UNDER_REVIEW');

    await travel('2026-01-07T02:00:00Z');
    const resubmitted = await env
      .http()
      .post(`/targets/${targetId}/resubmit`)
      .set(bearer(admin))
      .send(GDP_PROPOSAL)
      .expect(200);
    expect(await detail(resubmitted.body.position)).toMatchObject({
      status: 'proposed',
      nextStage: 'lineDepartment',
      annualValue: 8,
    });
    const skipped = await review(leader, 'leaderInCharge', 'pass').expect(409);
    expect(skipped.body.code).toBe('WRONG_REVIEW_STAGE');

    await travel('2026-01-08T02:00:00Z');
    await review(reviewer, 'lineDepartment', 'pass').expect(200);
    await review(admin, 'assessmentOffice', 'pass').expect(200);
    const issued = await review(leader, 'leaderInCharge', 'pass', '同意下达').expect(200);
    times.issued = now;

    const target = await detail(issued.body.position);
    expect(target).toMatchObject({
      status: 'issued',
      nextStage: null,
      issuedAt: now,
      annualValue: 8,
      baseline: 7.1,
      valueHistory: [{ value: 8, effectiveFrom: null, rulingRef: null }],
    });
    expect(
      target.reviewHistory.map((h: { stage: string; decision: string; by: string }) => [
        h.stage,
        h.decision,
        h.by,
      ]),
    ).toEqual([
      ['lineDepartment', 'passed', reviewer.userId],
      ['assessmentOffice', 'passed', admin.userId],
      ['leaderInCharge', 'returned', leader.userId],
      ['lineDepartment', 'resubmitted', admin.userId],
      ['lineDepartment', 'passed', reviewer.userId],
      ['assessmentOffice', 'passed', admin.userId],
      ['leaderInCharge', 'passed', leader.userId],
    ]);
    expect(target.reviewHistory[2]).toMatchObject({
      reason: '目标偏低，请对标全市平均水平',
      at: times.returned,
    });
  });

  it('takes the Q1 report on time (with an Idempotency-Key) and the data-collection unit verifies it', async () => {
    await travel('2026-04-08T02:00:00Z');
    const uploaded = await env
      .http()
      .post('/evidence')
      .set(bearer(staffA))
      .attach('file', PDF, { filename: 'report.pdf', contentType: 'application/pdf' })
      .expect(201);
    expect(uploaded.body).toMatchObject({
      fileId: expect.stringMatching(/^[0-9a-f]{64}$/),
      mediaType: 'application/pdf',
      size: PDF.length,
    });
    fileId = uploaded.body.fileId;

    const q1 = await report(staffA, {
      period: '2026-Q1',
      cumulativeValue: 1.8,
      narrative: '一季度地区生产总值增长1.8%',
    })
      .set('idempotency-key', 'town-a-gdp-2026-Q1')
      .expect(201);
    reports.q1 = q1.body.reportId;
    times.q1 = now;
    q1First = q1.body;
    expect(q1.body).toMatchObject({ id: targetId, replayed: false, reportId: expect.any(String) });

    const verified = await env
      .http()
      .post(`/targets/${targetId}/reports/${reports.q1}/verify`)
      .set(bearer(reviewer))
      .expect(200);
    const again = await env
      .http()
      .post(`/targets/${targetId}/reports/${reports.q1}/verify`)
      .set(bearer(reviewer))
      .expect(409);
    expect(again.body.code).toBe('REPORT_ALREADY_REVIEWED');

    const target = await detail(verified.body.position);
    expect(reportOf(target, 'q1')).toMatchObject({
      period: '2026-Q1',
      cumulativeValue: 1.8,
      status: 'verified',
      late: false,
      dueDate: '2026-04-10',
      reportedBy: staffA.userId,
      reviewedBy: reviewer.userId,
      reviewedAt: now,
    });
    expect(target.progress).toMatchObject({
      valueInForce: 8,
      completionPct: 22.5,
      expectedPctForLatestPeriod: 25,
      gap: 2.5,
    });
  });

  it('keeps Town B out: it can neither read nor report on Town A’s target', async () => {
    const read = await env.http().get(`/targets/${targetId}`).set(bearer(staffB)).expect(404);
    expect(read.body.code).toBe('TARGET_NOT_FOUND');
    const listed = await env.http().get('/targets?cycleId=2026').set(bearer(staffB)).expect(200);
    expect(listed.body.total).toBe(0);
    // The warning reactor answers target events on its own time: let it finish before reading the head.
    expect(await env.app.get(EvaluateWarningWhenTargetChanged).settle(10_000)).toBe(true);
    const head = await env.headPosition();
    const written = await report(staffB, { period: '2026-Q1', cumulativeValue: 9.9 }).expect(403);
    expect(written.body).toMatchObject({ code: 'OUT_OF_SCOPE', message: '无权处理其他单位的目标' });
    await report(reviewer, { period: '2026-Q1', cumulativeValue: 9.9 }).expect(403);
    expect(await env.headPosition()).toBe(head);
    // Town A's own staff and the unscoped city leader see it.
    await env.http().get(`/targets/${targetId}`).set(bearer(staffA2)).expect(200);
    await env.http().get(`/targets/${targetId}`).set(bearer(leader)).expect(200);
  });

  it('the worked example: cumulative 3.2% by June is 40% done against 50% expected, a gap of 10 (bell, not yet yellow)', async () => {
    await travel('2026-07-09T02:00:00Z');
    const q2 = await report(staffA, {
      period: '2026-Q2',
      cumulativeValue: 3.2,
      narrative: '上半年增长3.2%',
      evidence: [{ fileId, name: '二季度统计报表.pdf' }],
    }).expect(201);
    reports.q2 = q2.body.reportId;

    const target = await detail(q2.body.position);
    expect(target.latest).toEqual({
      period: '2026-Q2',
      reportId: reports.q2,
      cumulativeValue: 3.2,
      status: 'pending',
    });
    expect(target.progress).toMatchObject({
      valueInForce: 8,
      completionPct: 40,
      expectedPctForLatestPeriod: 50,
      gap: 10,
    });
    expect(reportOf(target, 'q2')).toMatchObject({ late: false, dueDate: '2026-07-10', status: 'pending' });
    expect(reportOf(target, 'q2').evidence).toEqual([
      {
        fileId,
        name: '二季度统计报表.pdf',
        mediaType: 'application/pdf',
        size: PDF.length,
        sha256: fileId,
        sm3: expect.stringMatching(/^[0-9a-f]{64}$/),
      },
    ]);
    const { warnings } = (await env.http().get('/cycles/2026').set(bearer(admin)).expect(200)).body.schemes[0]
      .scheme;
    expect(target.progress.gap).toBeGreaterThan(warnings.bellGap);
    expect(target.progress.gap).not.toBeGreaterThan(warnings.yellowGap);

    const second = await report(staffA2, { period: '2026-Q2', cumulativeValue: 3.5 }).expect(409);
    expect(second.body.code).toBe('PERIOD_ALREADY_REPORTED');
    expect(second.body.message).toContain('已有他人先行填报');
    const missing = await report(staffA, {
      period: '2026-Q2',
      cumulativeValue: 3.2,
      evidence: [{ fileId: '0'.repeat(64), name: 'x.pdf' }],
    }).expect(422);
    expect(missing.body.code).toBe('EVIDENCE_NOT_FOUND');
  });

  it('lets a unit report afresh after a rejection, and keeps a corrected report in the history as replaced', async () => {
    const unexplained = await env
      .http()
      .post(`/targets/${targetId}/reports/${reports.q2}/reject`)
      .set(bearer(reviewer))
      .send({})
      .expect(400);
    expect(unexplained.body.code).toBe('VALIDATION_FAILED');
    const rejected = await env
      .http()
      .post(`/targets/${targetId}/reports/${reports.q2}/reject`)
      .set(bearer(reviewer))
      .send({ reason: '佐证材料未加盖统计局公章' })
      .expect(200);
    let target = await detail(rejected.body.position);
    expect(reportOf(target, 'q2')).toMatchObject({
      status: 'rejected',
      reviewReason: '佐证材料未加盖统计局公章',
      reviewedBy: reviewer.userId,
    });
    // A rejected report does not count: the latest figure falls back to Q1.
    expect(target.latest).toMatchObject({ period: '2026-Q1', reportId: reports.q1 });

    await travel('2026-07-10T01:00:00Z'); // 09:00 in Shanghai on the due date: still on time
    const fresh = await report(staffA2, {
      period: '2026-Q2',
      cumulativeValue: 3.1,
      evidence: [{ fileId, name: '二季度统计报表（盖章）.pdf' }],
    }).expect(201);
    reports.q2Fresh = fresh.body.reportId;
    const corrected = await report(staffA, {
      period: '2026-Q2',
      cumulativeValue: 3.2,
      narrative: '更正：按统计局反馈修正为3.2%',
      evidence: [{ fileId, name: '二季度统计报表（盖章）.pdf' }],
      replaces: reports.q2Fresh,
    }).expect(201);
    reports.q2Corrected = corrected.body.reportId;

    const twice = await report(staffA, {
      period: '2026-Q2',
      cumulativeValue: 3.3,
      replaces: reports.q2Fresh,
    }).expect(409);
    expect(twice.body.code).toBe('REPORT_REPLACED');
    const stale = await env
      .http()
      .post(`/targets/${targetId}/reports/${reports.q2Fresh}/verify`)
      .set(bearer(reviewer))
      .expect(409);
    expect(stale.body.code).toBe('REPORT_REPLACED');
    const verified = await env
      .http()
      .post(`/targets/${targetId}/reports/${reports.q2Corrected}/verify`)
      .set(bearer(reviewer))
      .expect(200);

    target = await detail(verified.body.position);
    const q2 = target.reports.filter((r: { period: string }) => r.period === '2026-Q2');
    expect(q2.map((r: { reportId: string; status: string }) => [r.reportId, r.status])).toEqual([
      [reports.q2, 'rejected'],
      [reports.q2Fresh, 'replaced'],
      [reports.q2Corrected, 'verified'],
    ]);
    expect(reportOf(target, 'q2Fresh')).toMatchObject({
      cumulativeValue: 3.1,
      replacedBy: reports.q2Corrected,
      reportedBy: staffA2.userId,
      late: false,
    });
    expect(reportOf(target, 'q2Corrected')).toMatchObject({
      replaces: reports.q2Fresh,
      replacedBy: null,
      reportedBy: staffA.userId,
      late: false,
    });
    expect(target.latest).toEqual({
      period: '2026-Q2',
      reportId: reports.q2Corrected,
      cumulativeValue: 3.2,
      status: 'verified',
    });
    expect(target.progress).toMatchObject({ completionPct: 40, gap: 10 });
  });

  it('adjusts the target value on a ruling only, and only from the ruling’s effective date', async () => {
    await travel('2026-08-20T02:00:00Z');
    const adjust = (as: Session, body: Record<string, unknown>) =>
      env.http().post(`/targets/${targetId}/adjustments`).set(bearer(as)).send(body);
    const change = { newValue: 7.5, effectiveFrom: '2026-09-01T00:00:00+08:00', reason: '国家统计口径调整' };

    const unruled = await adjust(admin, change).expect(400);
    expect(unruled.body).toMatchObject({
      code: 'VALIDATION_FAILED',
      details: [expect.objectContaining({ field: 'rulingRef' })],
    });
    const blank = await adjust(admin, { ...change, rulingRef: '   ' }).expect(422);
    expect(blank.body).toMatchObject({ code: 'RULING_REQUIRED', message: '调整目标值须附裁决文号' });
    await adjust(staffA, { ...change, rulingRef: '绩裁〔2026〕3号' }).expect(403);

    const adjusted = await adjust(admin, { ...change, rulingRef: '绩裁〔2026〕3号' }).expect(200);
    times.adjusted = now;
    let target = await detail(adjusted.body.position);
    expect(target.valueHistory).toEqual([
      { value: 8, effectiveFrom: null, rulingRef: null },
      { value: 7.5, effectiveFrom: '2026-08-31T16:00:00.000Z', rulingRef: '绩裁〔2026〕3号' },
    ]);
    expect(target.progress).toMatchObject({ valueInForce: 8, completionPct: 40 });

    await travel('2026-08-31T15:59:00Z');
    expect((await detail(adjusted.body.position)).progress.valueInForce).toBe(8);
    await travel('2026-09-01T02:00:00Z');
    target = await detail(adjusted.body.position);
    expect(target.progress).toMatchObject({ valueInForce: 7.5, completionPct: 42.67 });
  });

  it('accepts a Q3 report filed after the 10 October deadline and flags it late', async () => {
    await travel('2026-10-20T02:00:00Z');
    const q3 = await report(staffA, { period: '2026-Q3', cumulativeValue: 5.4 }).expect(201);
    reports.q3 = q3.body.reportId;
    times.q3 = now;
    const target = await detail(q3.body.position);
    const entry = reportOf(target, 'q3');
    expect(entry).toMatchObject({
      period: '2026-Q3',
      status: 'pending',
      late: true,
      dueDate: '2026-10-10',
      occurredAt: '2026-09-30T16:00:00.000Z',
    });
    expect(Number.isNaN(Date.parse(entry.recordedAt))).toBe(false);
    expect(target.progress).toMatchObject({
      valueInForce: 7.5,
      completionPct: 72,
      expectedPctForLatestPeriod: 75,
      gap: 3,
    });
  });

  it('records the missed Q4 once, after its deadline has passed without a report', async () => {
    await travel('2027-01-10T12:00:00Z'); // 20:00 in Shanghai on the due date: not missed yet
    expect(
      (await env.http().post('/targets/missed-period-checks').set(bearer(admin)).expect(200)).body,
    ).toEqual({ checked: 1, recorded: 0 });
    await env.http().post('/targets/missed-period-checks').set(bearer(staffA)).expect(403);

    await travel('2027-01-11T01:00:00Z');
    expect(
      (await env.http().post('/targets/missed-period-checks').set(bearer(admin)).expect(200)).body,
    ).toEqual({ checked: 1, recorded: 1 });
    times.missed = now;
    // The warning reactor answers target events on its own time: let it finish before reading the head.
    expect(await env.app.get(EvaluateWarningWhenTargetChanged).settle(10_000)).toBe(true);
    const head = await env.headPosition();
    expect(
      (await env.http().post('/targets/missed-period-checks').set(bearer(admin)).expect(200)).body,
    ).toEqual({ checked: 1, recorded: 0 });
    expect(await env.headPosition()).toBe(head);

    const missed = await env.store.readAll({ filter: { eventTypes: ['PeriodMissed'] } });
    expect(missed.map((e) => e.data)).toEqual([
      { targetId, period: '2026-Q4', dueDate: '2027-01-10', recordedAt: now },
    ]);
    expect((await detail(head)).missedPeriods).toEqual(['2026-Q4']);
  });

  it('shows Town A its dashboard, completion against the expected schedule, and refuses it to Town B', async () => {
    const position = await env.headPosition();
    const dashboard = await env
      .http()
      .get(`/units/town-a/dashboard?cycleId=2026&minPosition=${position}`)
      .set(bearer(staffA))
      .expect(200);
    expect(dashboard.body).toMatchObject({ unitId: 'town-a', asOf: now });
    expect(dashboard.body.items).toEqual([
      expect.objectContaining({
        targetId,
        title: 'GDP增速',
        indicatorId: 'gdp-growth',
        unitOfMeasure: '%',
        latestPeriod: '2026-Q3',
        latestValue: 5.4,
        valueInForce: 7.5,
        completionPct: 72,
        expectedPctForLatestPeriod: 75,
        gap: 3,
        expectedPctToday: 100,
        behindToday: 28,
        missedPeriods: ['2026-Q4'],
        lateReports: 1,
      }),
    ]);
    const other = await env.http().get('/units/town-a/dashboard').set(bearer(staffB)).expect(403);
    expect(other.body.code).toBe('OUT_OF_SCOPE');
    await env.http().get('/units/town-a/dashboard').set(bearer(leader)).expect(200);
  });

  it('answers a repeated Q1 report with the same Idempotency-Key with the first result and appends nothing', async () => {
    // The warning reactor answers target events on its own time: let it finish before reading the head.
    expect(await env.app.get(EvaluateWarningWhenTargetChanged).settle(10_000)).toBe(true);
    const head = await env.headPosition();
    const again = await report(staffA, {
      period: '2026-Q1',
      cumulativeValue: 1.8,
      narrative: '一季度地区生产总值增长1.8%',
    })
      .set('idempotency-key', 'town-a-gdp-2026-Q1')
      .expect(201);
    expect(again.body).toEqual({ ...q1First, replayed: true });
    expect(await env.headPosition()).toBe(head);
  });

  it('keeps every step in the target’s stream: who acted in which role, business and server times, and an intact hash chain', async () => {
    const events: StoredEvent[] = await env.store.readStream(`target-${targetId}`);
    const who = {
      [admin.userId]: 'admin',
      [reviewer.userId]: 'reviewer',
      [staffA.userId]: 'staffA',
      [staffA2.userId]: 'staffA2',
      [leader.userId]: 'leader',
      system: 'system',
    };
    expect(
      events.map((e) => [
        e.type,
        who[e.metadata.actor.userId],
        e.metadata.actor.role,
        e.metadata.actor.unitId ?? null,
      ]),
    ).toEqual([
      ['TargetProposed', 'admin', 'assessmentAdmin', null],
      ['TargetReviewPassed', 'reviewer', 'reviewer', 'stats-bureau'],
      ['TargetReviewPassed', 'admin', 'assessmentAdmin', null],
      ['TargetReturned', 'leader', 'cityLeader', null],
      ['TargetResubmitted', 'admin', 'assessmentAdmin', null],
      ['TargetReviewPassed', 'reviewer', 'reviewer', 'stats-bureau'],
      ['TargetReviewPassed', 'admin', 'assessmentAdmin', null],
      ['TargetReviewPassed', 'leader', 'cityLeader', null],
      ['TargetIssued', 'leader', 'cityLeader', null],
      ['ProgressReported', 'staffA', 'unitStaff', 'town-a'],
      ['ReportVerified', 'reviewer', 'reviewer', 'stats-bureau'],
      ['ProgressReported', 'staffA', 'unitStaff', 'town-a'],
      ['ReportRejected', 'reviewer', 'reviewer', 'stats-bureau'],
      ['ProgressReported', 'staffA2', 'unitStaff', 'town-a'],
      ['ProgressReported', 'staffA', 'unitStaff', 'town-a'],
      ['ReportVerified', 'reviewer', 'reviewer', 'stats-bureau'],
      ['TargetAdjusted', 'admin', 'assessmentAdmin', null],
      ['ProgressReported', 'staffA', 'unitStaff', 'town-a'],
      ['PeriodMissed', 'admin', 'assessmentAdmin', null],
    ]);

    // Business times come from the server's clock, never from a client.
    const [proposed, , , returned] = events;
    expect(proposed!.data.proposedAt).toBe(times.proposed);
    expect(returned!.data.returnedAt).toBe(times.returned);
    expect(events.find((e) => e.type === 'TargetIssued')!.data.issuedAt).toBe(times.issued);
    expect(events.find((e) => e.type === 'TargetAdjusted')!.data).toMatchObject({
      previousValue: 8,
      newValue: 7.5,
      adjustedAt: times.adjusted,
    });
    const q1 = events.find((e) => e.data.reportId === reports.q1 && e.type === 'ProgressReported')!;
    expect(q1.data).toMatchObject({ reportedAt: times.q1, late: false });
    expect(q1.metadata.occurredAt).toBe('2026-03-31T16:00:00.000Z');
    const q3 = events.find((e) => e.data.reportId === reports.q3 && e.type === 'ProgressReported')!;
    expect(q3.data).toMatchObject({ reportedAt: times.q3, late: true });
    expect(q3.metadata.occurredAt).toBe('2026-09-30T16:00:00.000Z');

    // recordedAt is stamped by the server at the append, in log order, never before the business time;
    // a client cannot send one.
    const recorded = events.map((e) => e.metadata.recordedAt);
    expect(recorded.every((at) => new Date(at).toISOString() === at)).toBe(true);
    expect([...recorded].sort()).toEqual(recorded);
    for (const event of events) expect(event.metadata.recordedAt >= event.metadata.occurredAt).toBe(true);
    const forged = await report(staffA, {
      period: '2026-Q4',
      cumulativeValue: 7.9,
      recordedAt: '2026-12-31T00:00:00Z',
    }).expect(400);
    expect(forged.body).toMatchObject({
      code: 'VALIDATION_FAILED',
      details: [expect.objectContaining({ field: 'recordedAt' })],
    });

    // What `npm run verify-log` checks.
    const log = await env.store.readAll({ upcast: false });
    const verdict = await verifyChain(log, { gapFreePositions: true });
    expect(verdict).toMatchObject({ ok: true, events: log.length, lastPosition: await env.headPosition() });
  });

  it('stamps recordedAt with the same server clock the commands read', async () => {
    const events = await env.store.readStream(`target-${targetId}`);
    expect(events[0]!.metadata.recordedAt).toBe(times.proposed);
    expect(events.find((e) => e.data.reportId === reports.q3)!.metadata.recordedAt).toBe(times.q3);
  });

  it('hands out the import template, and refuses a sheet with one bad row as a whole, appending nothing', async () => {
    const template = await env
      .http()
      .get('/targets/import/template')
      .set(bearer(admin))
      .buffer(true)
      .parse(binary)
      .expect(200);
    expect(template.headers['content-type']).toContain(XLSX);
    const book = new Workbook();
    await book.xlsx.load(template.body as ArrayBuffer);
    const header = (book.worksheets[0]!.getRow(1).values as unknown[]).map(String);
    expect(header.some((h) => h.startsWith('考核周期'))).toBe(true);
    await env.http().get('/targets/import/template').set(bearer(staffA)).expect(403);

    const sheet = new Workbook();
    const rows = sheet.addWorksheet('目标');
    rows.addRow([
      '考核周期',
      '单位编号',
      '指标编号',
      '目标名称',
      '目标类型',
      '计量',
      '计量单位',
      '方向',
      '年度目标值',
      '上年基数',
      '基准时序进度',
      '报送频次',
      '报送截止日',
      '数据采集单位',
    ]);
    rows.addRow([
      '2026',
      'town-b',
      'gdp-growth',
      'GDP增速',
      '量化',
      '地区生产总值增速',
      '%',
      '越高越好',
      7.8,
      7.0,
      '25,50,75,100',
      '按季',
      10,
      'stats-bureau',
    ]);
    rows.addRow([
      '2026',
      'town-b',
      'livelihood',
      '民生实事',
      '量化',
      '完成件数',
      '件',
      '越大越好',
      12,
      10,
      '25,50,75,100',
      '按季',
      10,
      'stats-bureau',
    ]);
    const upload = Buffer.from(await sheet.xlsx.writeBuffer());

    // The warning reactor answers target events on its own time: let it finish before reading the head.
    expect(await env.app.get(EvaluateWarningWhenTargetChanged).settle(10_000)).toBe(true);
    const head = await env.headPosition();
    const refused = await env
      .http()
      .post('/targets/import')
      .set(bearer(admin))
      .attach('file', upload, { filename: '2026年目标.xlsx', contentType: XLSX })
      .expect(422);
    expect(refused.body).toMatchObject({ code: 'IMPORT_REJECTED', message: '导入文件有误，未导入任何目标' });
    expect(refused.body.details.errors).toEqual([
      { row: 3, column: '方向', message: expect.stringContaining('越高越好') },
    ]);
    expect(await env.headPosition()).toBe(head);
    expect((await env.http().get('/targets?unitId=town-b').set(bearer(admin)).expect(200)).body.total).toBe(
      0,
    );
  });

  it('checks a resubmitted target against the indicator tree and the units, as a new proposal is', async () => {
    const proposed = await env
      .http()
      .post('/targets')
      .set(bearer(admin))
      .send({ ...LOW_PROPOSAL, unitId: 'town-b' })
      .expect(201);
    await env
      .http()
      .post(`/targets/${proposed.body.id}/reviews`)
      .set(bearer(reviewer))
      .send({ stage: 'lineDepartment', decision: 'return', reason: '口径不符' })
      .expect(200);
    const bad = await env
      .http()
      .post(`/targets/${proposed.body.id}/resubmit`)
      .set(bearer(admin))
      .send({
        ...LOW_PROPOSAL,
        unitId: 'town-b',
        indicatorId: 'no-such-indicator',
        dataCollectionUnitId: 'no-such-unit',
      });
    expect(bad.status).toBe(422);
    expect(['INDICATOR_NOT_FOUND', 'COLLECTOR_NOT_FOUND']).toContain(bad.body.code);
  });
});
