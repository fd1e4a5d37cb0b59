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
 * The appeal journey of issue 8 on the worked example, with a moving clock: a deduction (减分) →
 * publication (公示) → appeal (申诉) → ruling (裁决) overturns → score and rank change; the published
 * snapshot is unchanged; the timeline shows every step. Town A and Town B each have GDP growth
 * (completion, 600 points, target 8.0): Town A reports 3.2 for Q2 (600 × 0.4 = 240), Town B 3.1
 * (600 × 0.3875 = 232.5). On 10 July the office deducts 10 points from Town A for 15 June: 230, so
 * Town B ranks first in the June ranking published that day (appeals until 17 July). Town A appeals
 * on 12 July; the committee overturns the deduction on 20 July. Then June is published again twice, for
 * an appeal against an accountability action (约谈, reduced from 0.5 to 0.2) and one against the
 * rejection of Town B's corrected report (overturned: it counts). The `it`s share state and run in order.
 */

type Row = { unitId: string; total: number; rank: number };

const PDF = Buffer.from(
  '%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n' +
    'trailer << /Root 1 0 R >>\n%%EOF\n',
  'latin1',
);

describe('appeals: deduction → publication → appeal → ruling, with the refusals', () => {
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
  let head = 0;
  let adjustmentId: string;
  let publicationId: string;
  let appealId: string;
  let scoreAppealId: string;
  let evidenceFileId: string;
  let gdpA: string;
  let gdpB: string;
  let q2ReportB: string;
  const endOfJune = periodEnd('2026-06');
  /** 15 June, the date the deduction applies to, starts at 00:00 in Shanghai. */
  const june15 = sh('2026-06-15 00:00');

  const travel = async (local: string) => {
    now = sh(local);
    await env.renew(system, security, admin, reviewer, staffA, staffB, leader, supervisor);
  };
  const http = () => env.http();
  const seen = (position: number | null | undefined) => {
    if (typeof position === 'number') head = Math.max(head, position);
  };
  const reportAndVerify = async (staff: Session, targetId: string, cumulativeValue: number) => {
    const reported = await http()
      .post(`/targets/${targetId}/reports`)
      .set(bearer(staff))
      .send({ period: '2026-Q2', cumulativeValue })
      .expect(201);
    const verified = await http()
      .post(`/targets/${targetId}/reports/${reported.body.reportId as string}/verify`)
      .set(bearer(reviewer))
      .expect(200);
    seen(verified.body.position);
    return reported.body.reportId as string;
  };
  const fileAppeal = (as: Session, body: Record<string, unknown>) =>
    http().post('/appeals').set(bearer(as)).send(body);
  const explain = (query: Record<string, string | number> = {}) =>
    http()
      .get('/scores/town-a/explain')
      .query({ cycleId: '2026', at: endOfJune, minPosition: head, ...query })
      .set(bearer(leader));
  /** Refusals append nothing: the log's head stays where it was. */
  const appendsNothing = async (refusals: () => Promise<void>) => {
    const before = await env.headPosition();
    await refusals();
    expect(await env.headPosition()).toBe(before);
  };

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
    await openCycle(env, admin);
    await createUnits(env, admin);
    await publishTownsTree(env, admin);
    const people = { admin, reviewer, leader };
    gdpA = (await proposeAndIssue(env, people)).targetId;
    gdpB = (await proposeAndIssue(env, people, { ...GDP_PROPOSAL, unitId: 'town-b' })).targetId;
    await travel('2026-07-09 10:00');
    await reportAndVerify(staffA, gdpA, 3.2);
    q2ReportB = await reportAndVerify(staffB, gdpB, 3.1);
  }, 90_000);
  afterAll(async () => {
    await env?.stop();
  });

  it('records a deduction of 10 points on 10 July that applies to 15 June, and lists it', async () => {
    await travel('2026-07-10 10:00');
    const res = await http()
      .post('/score-adjustments')
      .set(bearer(admin))
      .set('Idempotency-Key', 'penalty-town-a-2026-06')
      .send({
        cycleId: '2026',
        unitId: 'town-a',
        kind: 'penalty',
        amount: 10,
        reason: '6月发生安全生产事故，被约谈',
        basis: '市考核办〔2026〕12号',
        occurredOn: '2026-06-15',
      })
      .expect(201);
    adjustmentId = res.body.id;
    seen(res.body.position);
    expect(res.body).toMatchObject({ replayed: false });
    const stream = await env.store.readStream('scorerecords-2026:town-a');
    expect(stream.map((e) => e.type)).toEqual(['ScoreAdjusted']);
    expect(stream[0]!.metadata).toMatchObject({ occurredAt: june15, recordedAt: now });

    const again = await http()
      .post('/score-adjustments')
      .set(bearer(admin))
      .set('Idempotency-Key', 'penalty-town-a-2026-06')
      .send({
        cycleId: '2026',
        unitId: 'town-a',
        kind: 'penalty',
        amount: 10,
        reason: '6月发生安全生产事故，被约谈',
        basis: '市考核办〔2026〕12号',
        occurredOn: '2026-06-15',
      })
      .expect(201);
    expect(again.body).toMatchObject({ id: adjustmentId, replayed: true });
    expect(await env.store.readStream('scorerecords-2026:town-a')).toHaveLength(1);

    const own = await http()
      .get('/score-adjustments')
      .query({ cycleId: '2026', minPosition: head })
      .set(bearer(staffA))
      .expect(200);
    expect(own.body).toMatchObject({ total: 1 });
    expect(own.body.items[0]).toMatchObject({
      _id: adjustmentId,
      kind: 'penalty',
      amount: 10,
      unitId: 'town-a',
      occurredOn: '2026-06-15',
      occurredAt: june15,
      recordedAt: now,
      basis: '市考核办〔2026〕12号',
      rulings: [],
    });
    const b = await http()
      .get('/score-adjustments')
      .query({ minPosition: head })
      .set(bearer(staffB))
      .expect(200);
    expect(b.body.items).toEqual([]);
    const other = await http()
      .get('/score-adjustments')
      .query({ unitId: 'town-a' })
      .set(bearer(staffB))
      .expect(403);
    expect(other.body.code).toBe('OUT_OF_SCOPE');
    // The deduction counts at the end of June once known: 240 − 10 = 230.
    const score = await explain().expect(200);
    expect(score.body).toMatchObject({ total: 230, penaltyThousandths: 10_000, rank: 2 });
  });

  it('refuses bad adjustments and vetoes, appending nothing', async () => {
    const valid = {
      cycleId: '2026',
      unitId: 'town-a',
      kind: 'bonus',
      amount: 1,
      reason: '理由',
      basis: '依据',
      occurredOn: '2026-06-15',
    };
    await appendsNothing(async () => {
      const cases: Array<[Record<string, unknown>, number, string]> = [
        [{ amount: 0 }, 422, 'INVALID_ADJUSTMENT_AMOUNT'],
        [{ amount: 500 }, 422, 'INVALID_ADJUSTMENT_AMOUNT'],
        [{ amount: 0.0001 }, 422, 'INVALID_ADJUSTMENT_AMOUNT'],
        [{ unitId: 'town-z' }, 422, 'UNIT_NOT_FOUND'],
        [{ cycleId: '2099' }, 422, 'CYCLE_NOT_OPEN'],
        [{ occurredOn: '2027-01-01' }, 422, 'OCCURRED_ON_OUTSIDE_CYCLE'],
        [{ occurredOn: '2026-02-30' }, 422, 'INVALID_OCCURRED_ON'],
        [{ occurredOn: '15/06/2026' }, 400, 'VALIDATION_FAILED'],
        [{ kind: 'gift' }, 400, 'VALIDATION_FAILED'],
        [{ amount: 'ten' }, 400, 'VALIDATION_FAILED'],
        [{ basis: '' }, 400, 'VALIDATION_FAILED'],
      ];
      for (const [over, status, code] of cases) {
        const res = await http()
          .post('/score-adjustments')
          .set(bearer(admin))
          .send({ ...valid, ...over });
        expect([JSON.stringify(over), res.status, res.body.code]).toEqual([
          JSON.stringify(over),
          status,
          code,
        ]);
        expect(res.body.message).toMatch(/[\u4e00-\u9fff]/);
      }
      const veto = await http()
        .post('/vetoes')
        .set(bearer(admin))
        .send({ cycleId: '2026', unitId: 'town-a', reason: '理由', basis: '依据', occurredOn: '2025-12-31' })
        .expect(422);
      expect(veto.body.code).toBe('OCCURRED_ON_OUTSIDE_CYCLE');
      const forbidden = await http().post('/score-adjustments').set(bearer(staffA)).send(valid).expect(403);
      expect(forbidden.body.code).toBe('FORBIDDEN');
      await http().post('/vetoes').set(bearer(supervisor)).send(valid).expect(403);
    });
  });

  it('publishes the June ranking on 10 July with the deduction: Town B first (232.5), Town A second (230)', async () => {
    await travel('2026-07-10 11:00');
    const res = await http()
      .post('/rankings/2026/towns/publications')
      .set(bearer(admin))
      .send({ kind: 'monthly', period: '2026-06', appealWindowDays: 7 })
      .expect(201);
    publicationId = res.body.id;
    seen(res.body.position);
    expect(res.body.publication).toMatchObject({
      at: endOfJune,
      appealDeadline: sh('2026-07-17 11:00'),
      rows: [
        { unitId: 'town-b', total: 232.5, rank: 1 },
        { unitId: 'town-a', total: 230, rank: 2 },
      ],
    });
  });

  it('takes Town A’s appeal on 12 July against the deduction, with its evidence', async () => {
    await travel('2026-07-12 10:00');
    const uploaded = await http()
      .post('/evidence')
      .set(bearer(staffA))
      .attach('file', PDF, { filename: '整改情况说明.pdf', contentType: 'application/pdf' })
      .expect(201);
    evidenceFileId = uploaded.body.fileId;
    const res = await fileAppeal(staffA, {
      unitId: 'town-a',
      publicationId,
      subject: { kind: 'adjustment', adjustmentId },
      reasons: '事故系外单位施工所致，已有调查结论，扣分依据不成立',
      evidence: [{ fileId: evidenceFileId, name: '调查结论.pdf' }],
    }).expect(201);
    appealId = res.body.id;
    seen(res.body.position);
    const [filed] = await env.store.readStream(`appeal-${appealId}`);
    expect(filed).toMatchObject({
      type: 'AppealFiled',
      data: {
        cycleId: '2026',
        unitId: 'town-a',
        category: 'towns',
        publicationId,
        subject: { kind: 'adjustment', adjustmentId, recordKind: 'penalty', amount: 10, occurredAt: june15 },
        evidence: [
          { fileId: evidenceFileId, name: '调查结论.pdf', mediaType: 'application/pdf', size: PDF.length },
        ],
        filedAt: now,
      },
      metadata: { actor: { role: 'unitStaff', unitId: 'town-a' } },
    });

    const shown = await http()
      .get(`/appeals/${appealId}`)
      .query({ minPosition: head })
      .set(bearer(staffA))
      .expect(200);
    expect(shown.body).toMatchObject({ appealId, status: 'filed', ruling: null, unitId: 'town-a' });
    await http().get(`/appeals/${appealId}`).set(bearer(staffB)).expect(404);
  });

  it('lets Town A file and withdraw a second appeal (its score) before any ruling; no one else may withdraw it', async () => {
    const filed = await fileAppeal(staffA, {
      unitId: 'town-a',
      publicationId,
      subject: { kind: 'score' },
      reasons: '满意度测评样本不足',
    }).expect(201);
    scoreAppealId = filed.body.id;
    const other = await http()
      .post(`/appeals/${scoreAppealId}/withdrawal`)
      .set(bearer(staffB))
      .send({})
      .expect(403);
    expect(other.body.code).toBe('OUT_OF_SCOPE');
    const res = await http()
      .post(`/appeals/${scoreAppealId}/withdrawal`)
      .set(bearer(staffA))
      .send({ reason: '经沟通撤回' })
      .expect(201);
    seen(res.body.position);
    const list = await http()
      .get('/appeals')
      .query({ cycleId: '2026', minPosition: head })
      .set(bearer(staffA))
      .expect(200);
    expect(list.body.items.map((a: { appealId: string; status: string }) => [a.appealId, a.status])).toEqual(
      expect.arrayContaining([
        [appealId, 'filed'],
        [scoreAppealId, 'withdrawn'],
      ]),
    );
    const withdrawn = await http()
      .get('/appeals')
      .query({ status: 'withdrawn', minPosition: head })
      .set(bearer(admin))
      .expect(200);
    expect(withdrawn.body.items.map((a: { appealId: string }) => a.appealId)).toEqual([scoreAppealId]);
    const b = await http().get('/appeals').query({ minPosition: head }).set(bearer(staffB)).expect(200);
    expect(b.body).toMatchObject({ items: [], total: 0 });
  });

  it('refuses appeals that are not Town A’s to make, malformed, or on an unknown publication, appending nothing', async () => {
    await appendsNothing(async () => {
      const forOther = await fileAppeal(staffB, {
        unitId: 'town-a',
        publicationId,
        subject: { kind: 'score' },
        reasons: '理由',
      }).expect(403);
      expect(forOther.body.code).toBe('OUT_OF_SCOPE');
      // Town B naming Town A's deduction as its own: not among Town B's records.
      const othersSubject = await fileAppeal(staffB, {
        unitId: 'town-b',
        publicationId,
        subject: { kind: 'adjustment', adjustmentId },
        reasons: '理由',
      }).expect(422);
      expect(othersSubject.body).toMatchObject({ code: 'APPEAL_SUBJECT_NOT_FOUND' });
      expect(othersSubject.body.message).toMatch(/不属于本单位/);
      const unknown = await fileAppeal(staffA, {
        unitId: 'town-a',
        publicationId: 'no-such-publication',
        subject: { kind: 'score' },
        reasons: '理由',
      }).expect(404);
      expect(unknown.body.code).toBe('PUBLICATION_NOT_FOUND');
      for (const body of [
        { unitId: 'town-a', publicationId, subject: { kind: 'everything' }, reasons: '理由' },
        { unitId: 'town-a', publicationId, subject: { kind: 'adjustment' }, reasons: '理由' },
        { unitId: 'town-a', publicationId, subject: { kind: 'score' } },
        { unitId: 'town-a', subject: { kind: 'score' }, reasons: '理由' },
      ]) {
        const res = await fileAppeal(staffA, body).expect(400);
        expect(res.body.code).toBe('VALIDATION_FAILED');
      }
      const missingFile = await fileAppeal(staffA, {
        unitId: 'town-a',
        publicationId,
        subject: { kind: 'score' },
        reasons: '理由',
        evidence: [{ fileId: 'b'.repeat(64), name: '未上传.pdf' }],
      }).expect(422);
      expect(missingFile.body.code).toBe('EVIDENCE_NOT_FOUND');
      await fileAppeal(admin, {
        unitId: 'town-a',
        publicationId,
        subject: { kind: 'score' },
        reasons: '理由',
      }).expect(403);
    });
  });

  it('refuses a late appeal on 18 July, after the window closed on 17 July 11:00', async () => {
    await travel('2026-07-18 10:00');
    await appendsNothing(async () => {
      const late = await fileAppeal(staffA, {
        unitId: 'town-a',
        publicationId,
        subject: { kind: 'adjustment', adjustmentId },
        reasons: '补充申诉',
      }).expect(422);
      expect(late.body).toMatchObject({
        code: 'APPEAL_WINDOW_CLOSED',
        message: '申诉期已过（截止 2026-07-17 11:00），不再受理申诉',
        details: { appealDeadline: sh('2026-07-17 11:00') },
      });
    });
  });

  it('records the committee’s ruling on 20 July: only the office, only once', async () => {
    await travel('2026-07-20 10:00');
    const ruling = { outcome: 'overturned', reasoning: '经专家评审委员会审议，事故责任不在该镇，撤销扣分' };
    await appendsNothing(async () => {
      const notAdmin = await http()
        .post(`/appeals/${appealId}/rulings`)
        .set(bearer(staffA))
        .send(ruling)
        .expect(403);
      expect(notAdmin.body.code).toBe('FORBIDDEN');
      await http().post(`/appeals/${appealId}/rulings`).set(bearer(leader)).send(ruling).expect(403);
      const malformed = await http()
        .post(`/appeals/${appealId}/rulings`)
        .set(bearer(admin))
        .send({ outcome: 'maybe', reasoning: '理由' })
        .expect(400);
      expect(malformed.body.code).toBe('VALIDATION_FAILED');
      const unfit = await http()
        .post(`/appeals/${appealId}/rulings`)
        .set(bearer(admin))
        .send({ outcome: 'partial', amount: 12, reasoning: '理由' })
        .expect(422);
      expect(unfit.body.code).toBe('INVALID_RULING');
      const onWithdrawn = await http()
        .post(`/appeals/${scoreAppealId}/rulings`)
        .set(bearer(admin))
        .send({ outcome: 'upheld', reasoning: '理由' })
        .expect(409);
      expect(onWithdrawn.body.code).toBe('APPEAL_WITHDRAWN');
    });

    const res = await http().post(`/appeals/${appealId}/rulings`).set(bearer(admin)).send(ruling).expect(201);
    seen(res.body.position);
    const stream = await env.store.readStream(`appeal-${appealId}`);
    expect(stream.at(-1)).toMatchObject({
      type: 'RulingRecorded',
      data: { outcome: 'overturned', amount: null, effectiveFrom: june15, ruledAt: now },
      metadata: { occurredAt: june15, recordedAt: now, actor: { role: 'assessmentAdmin' } },
    });

    await appendsNothing(async () => {
      const twice = await http()
        .post(`/appeals/${appealId}/rulings`)
        .set(bearer(admin))
        .send({ outcome: 'upheld', reasoning: '再次裁决' })
        .expect(409);
      expect(twice.body.code).toBe('APPEAL_ALREADY_RULED');
      const late = await http()
        .post(`/appeals/${appealId}/withdrawal`)
        .set(bearer(staffA))
        .send({})
        .expect(409);
      expect(late.body.code).toBe('APPEAL_ALREADY_RULED');
    });

    const shown = await http()
      .get(`/appeals/${appealId}`)
      .query({ minPosition: head })
      .set(bearer(staffA))
      .expect(200);
    expect(shown.body).toMatchObject({
      status: 'ruled',
      ruling: { outcome: 'overturned', effectiveFrom: june15, ruledAt: now, ruledBy: admin.userId },
    });
    const record = await http()
      .get('/score-adjustments')
      .query({ unitId: 'town-a', minPosition: head })
      .set(bearer(admin))
      .expect(200);
    expect(record.body.items[0].rulings).toEqual([
      expect.objectContaining({ appealId, outcome: 'overturned', effectiveFrom: june15 }),
    ]);
  });

  it('restores the 10 points from 15 June: Town A 240 and first; replayed before the ruling, 230 and second', async () => {
    const after = await explain().expect(200);
    expect(after.body).toMatchObject({ total: 240, penaltyThousandths: 0, rank: 1 });
    const ruling = (after.body.trace as Array<{ rule: string; inputs: Record<string, unknown> }>).find(
      (s) => s.rule === 'ruling',
    );
    expect(ruling).toMatchObject({
      inputs: {
        appealId,
        subject: 'record',
        recordKind: 'penalty',
        outcome: 'overturned',
        before: 10,
        after: 0,
      },
    });
    const before = await explain({ asOf: sh('2026-07-19 10:00') }).expect(200);
    expect(before.body).toMatchObject({ total: 230, rank: 2 });

    const ranking = await http()
      .get('/rankings/2026/towns')
      .query({ at: endOfJune, minPosition: head })
      .set(bearer(supervisor))
      .expect(200);
    expect(ranking.body.items.map((r: Row) => [r.unitId, r.total, r.rank])).toEqual([
      ['town-a', 240, 1],
      ['town-b', 232.5, 2],
    ]);
    const replayed = await http()
      .get('/rankings/2026/towns')
      .query({ at: endOfJune, asOf: sh('2026-07-19 10:00') })
      .set(bearer(supervisor))
      .expect(200);
    expect(replayed.body.items.map((r: Row) => [r.unitId, r.rank])).toEqual([
      ['town-b', 1],
      ['town-a', 2],
    ]);
    // The monthly rankings view (月排名) follows the log: June as the log knows it now.
    const june = await http()
      .get('/rankings/2026/towns/months/2026-06')
      .query({ minPosition: head })
      .set(bearer(supervisor))
      .expect(200);
    expect(june.body.items.map((r: Row) => [r.unitId, r.total, r.rank])).toEqual([
      ['town-a', 240, 1],
      ['town-b', 232.5, 2],
    ]);
  });

  it('leaves the published snapshot as it was; the recomputation shows the change', async () => {
    const published = await http().get(`/publications/${publicationId}`).set(bearer(admin)).expect(200);
    expect(published.body.rows.map((r: Row) => [r.unitId, r.total, r.rank])).toEqual([
      ['town-b', 232.5, 1],
      ['town-a', 230, 2],
    ]);
    const comparison = await http()
      .get(`/publications/${publicationId}/comparison`)
      .set(bearer(admin))
      .expect(200);
    expect(comparison.body.changed).toBe(true);
    expect(comparison.body.recomputed.rows.map((r: Row) => [r.unitId, r.total, r.rank])).toEqual([
      ['town-a', 240, 1],
      ['town-b', 232.5, 2],
    ]);
    const verified = await http().get(`/publications/${publicationId}/verify`).set(bearer(admin)).expect(200);
    expect(verified.body.matches).toBe(true);
  });

  it('shows the deduction and the ruling on Town A’s timeline, each with its business time and recording time', async () => {
    const res = await http()
      .get('/scores/town-a/timeline')
      .query({ cycleId: '2026', at: endOfJune, minPosition: head })
      .set(bearer(staffA))
      .expect(200);
    type Entry = {
      recordedAt: string;
      events: Array<{
        type: string;
        occurredAt: string | null;
        recordedAt: string;
        actor: { role: string } | null;
      }>;
      deltaThousandths: number;
      totalBefore: number | null;
      totalAfter: number | null;
      rulesChanged: Array<{ rule: string }>;
    };
    const entries = res.body.entries as Entry[];
    const deduction = entries.find((e) => e.events.some((x) => x.type === 'ScoreAdjusted'))!;
    expect(deduction).toMatchObject({
      recordedAt: sh('2026-07-10 10:00'),
      totalBefore: 240,
      totalAfter: 230,
      deltaThousandths: -10_000,
    });
    // An adjustment approved on 10 July that applies to 15 June shows both.
    expect(deduction.events[0]).toMatchObject({
      occurredAt: june15,
      recordedAt: sh('2026-07-10 10:00'),
      actor: { role: 'assessmentAdmin' },
    });
    expect(deduction.rulesChanged.map((c) => c.rule)).toEqual(expect.arrayContaining(['penalty', 'total']));
    const ruled = entries.find((e) => e.events.some((x) => x.type === 'RulingRecorded'))!;
    expect(ruled).toMatchObject({
      recordedAt: sh('2026-07-20 10:00'),
      totalBefore: 230,
      totalAfter: 240,
      deltaThousandths: 10_000,
    });
    expect(ruled.events[0]).toMatchObject({ occurredAt: june15, actor: { role: 'assessmentAdmin' } });
    expect(ruled.rulesChanged.map((c) => c.rule)).toEqual(
      expect.arrayContaining(['ruling', 'penalty', 'total']),
    );
    // Filing and withdrawing appeals moved nothing: no entry for them.
    expect(entries.flatMap((e) => e.events.map((x) => x.type))).not.toContain('AppealFiled');
    expect(res.body.finalThousandths).toBe(240_000);
  });

  it('takes an appeal against an accountability action (约谈, 0.5) in a re-publication, and reduces it to 0.2', async () => {
    await travel('2026-07-21 10:00');
    const q2Report = (await env.store.readStream(`target-${gdpA}`)).find(
      (e) => e.type === 'ProgressReported',
    )!;
    const taken = await http()
      .post('/accountability-actions')
      .set(bearer(supervisor))
      .send({
        cycleId: '2026',
        unitId: 'town-a',
        action: 'interview',
        reason: '6月进度数据报送不及时，约谈分管领导',
        basis: '市督查室〔2026〕5号',
        causes: [{ streamId: `target-${gdpA}`, eventId: q2Report.id }],
        occurredOn: '2026-06-20',
      })
      .expect(201);
    const actionId = taken.body.id as string;
    // June again (it supersedes the first publication): Town A 240 − 0.5 = 239.5.
    const republished = await http()
      .post('/rankings/2026/towns/publications')
      .set(bearer(admin))
      .send({ kind: 'monthly', period: '2026-06', appealWindowDays: 7 })
      .expect(201);
    expect(republished.body.publication).toMatchObject({
      supersedes: publicationId,
      rows: [{ unitId: 'town-a', total: 239.5, rank: 1 }, { unitId: 'town-b' }],
    });
    const notB = await fileAppeal(staffB, {
      unitId: 'town-b',
      publicationId: republished.body.id,
      subject: { kind: 'accountability', actionId },
      reasons: '理由',
    }).expect(422);
    expect(notB.body.code).toBe('APPEAL_SUBJECT_NOT_FOUND');
    const filed = await fileAppeal(staffA, {
      unitId: 'town-a',
      publicationId: republished.body.id,
      subject: { kind: 'accountability', actionId },
      reasons: '数据已按期报送，迟报系系统故障',
    }).expect(201);
    const [appeal] = await env.store.readStream(`appeal-${filed.body.id as string}`);
    expect(appeal!.data).toMatchObject({
      subject: {
        kind: 'accountability',
        actionId,
        action: 'interview',
        deduction: 0.5,
        occurredAt: sh('2026-06-20 00:00'),
      },
    });
    const ruled = await http()
      .post(`/appeals/${filed.body.id as string}/rulings`)
      .set(bearer(admin))
      .send({ outcome: 'partial', amount: 0.2, reasoning: '部分成立，扣分减为 0.2' })
      .expect(201);
    seen(ruled.body.position);
    const score = await explain().expect(200);
    expect(score.body).toMatchObject({ total: 239.8, accountabilityThousandths: 200, rank: 1 });
  });
  it('takes Town B’s appeal against the rejection of its corrected Q2 report, and overturns it: the report counts again', async () => {
    await travel('2026-07-22 10:00');
    const corrected = await http()
      .post(`/targets/${gdpB}/reports`)
      .set(bearer(staffB))
      .send({ period: '2026-Q2', cumulativeValue: 3.3, replaces: q2ReportB })
      .expect(201);
    const correctionId = corrected.body.reportId as string;
    const rejected = await http()
      .post(`/targets/${gdpB}/reports/${correctionId}/reject`)
      .set(bearer(reviewer))
      .send({ reason: '更正数据缺少统计部门盖章' })
      .expect(200);
    seen(rejected.body.position);
    // The correction replaced 3.1 and was rejected: Town B has no counting Q2 report (0).
    const republished = await http()
      .post('/rankings/2026/towns/publications')
      .set(bearer(admin))
      .send({ kind: 'monthly', period: '2026-06', appealWindowDays: 7 })
      .expect(201);
    expect(republished.body.publication.rows.map((r: Row) => [r.unitId, r.total, r.rank])).toEqual([
      ['town-a', 239.8, 1],
      ['town-b', 0, 2],
    ]);
    const subject = { kind: 'verification', targetId: gdpB, reportId: correctionId };
    const notA = await fileAppeal(staffA, {
      unitId: 'town-a',
      publicationId: republished.body.id,
      subject,
      reasons: '理由',
    }).expect(422);
    expect(notA.body.code).toBe('APPEAL_SUBJECT_NOT_FOUND');
    const filed = await fileAppeal(staffB, {
      unitId: 'town-b',
      publicationId: republished.body.id,
      subject,
      reasons: '盖章件已补交，数据无误',
    }).expect(201);
    const rejection = (await env.store.readStream(`target-${gdpB}`)).at(-1)!;
    expect(rejection.type).toBe('ReportRejected');
    const [appeal] = await env.store.readStream(`appeal-${filed.body.id as string}`);
    expect(appeal!.data).toMatchObject({
      subject: { ...subject, period: '2026-Q2', eventId: rejection.id, occurredAt: endOfJune },
    });
    const ruled = await http()
      .post(`/appeals/${filed.body.id as string}/rulings`)
      .set(bearer(admin))
      .send({ outcome: 'overturned', reasoning: '退回理由不成立，更正数据有效' })
      .expect(201);
    seen(ruled.body.position);
    // 600 × 3.3/8.0 = 247.5: Town B first again.
    const ranking = await http()
      .get('/rankings/2026/towns')
      .query({ at: endOfJune, minPosition: head })
      .set(bearer(supervisor))
      .expect(200);
    expect(ranking.body.items.map((r: Row) => [r.unitId, r.total, r.rank])).toEqual([
      ['town-b', 247.5, 1],
      ['town-a', 239.8, 2],
    ]);
    const b = await http()
      .get('/scores/town-b/explain')
      .query({ cycleId: '2026', at: endOfJune })
      .set(bearer(staffB))
      .expect(200);
    expect(
      (b.body.trace as Array<{ rule: string; targetId?: string; inputs: Record<string, unknown> }>).find(
        (s) => s.rule === 'ruling',
      ),
    ).toMatchObject({
      targetId: gdpB,
      inputs: { subject: 'rejection', reportId: correctionId, after: 'rejectionVoid' },
    });
  });
});
