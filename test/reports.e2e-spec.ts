import { Workbook } from 'exceljs';
import JSZip from 'jszip';
import type { Response } from 'superagent';
import { findChromium } from '@dukao/reports';
import { EmbeddedApp, type Session, bearer } from './support/embedded-app';
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

/** Collects a binary body whatever its type (superagent only buffers text and JSON by default). */
const binary = (res: Response, callback: (error: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (chunk: Buffer) => chunks.push(chunk));
  res.on('end', () => callback(null, Buffer.concat(chunks)));
};
const hasChromium = findChromium(process.env.CHROMIUM_PATH || null) !== null;

/**
 * Reports and exports on the worked example. Town A's GDP target has a milestone due 31 March that is
 * not done: red on 2 April, when the office opens a case due 10 April; Town A reports 2.0 for Q1 on
 * 8 April (verified); the case goes to 二次督办 on 12 April (due 20 April), fails, and a 通报
 * (publicNotice, 1 point) follows on 22 April. In May the office reads April's 绩效评估报告, the
 * 督查通报 of April, Town A's score explanation, and an inspector exports the log. The `it`s share
 * state and run in order.
 */
describe('reports: 绩效评估报告, 督查通报, 得分说明, 审计导出', () => {
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
  let inspector: Session;
  let targetId: string;
  let noticeId: string;
  let head = 0;

  const travel = async (local: string) => {
    now = sh(local);
    await env.renew(system, security, admin, reviewer, staffA, staffB, leader, supervisor, inspector);
  };
  const post = async (path: string, as: Session, body: object = {}) => {
    const res = await env.http().post(path).set(bearer(as)).send(body);
    if (typeof res.body?.position === 'number') head = Math.max(head, res.body.position as number);
    return res;
  };
  const get = (path: string, as: Session | null, query: Record<string, string | number> = {}) => {
    const req = env.http().get(path).query(query);
    return as ? req.set(bearer(as)) : req;
  };
  const download = (path: string, as: Session, query: Record<string, string | number> = {}) =>
    get(path, as, query).buffer(true).parse(binary);
  const performance = (month: string, format: string, as: Session = leader, cycleId = '2026') =>
    get(`/reports/performance/${cycleId}/${month}`, as, { format, minPosition: head });

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
    inspector = await env.user({ system, security }, 'jiancha', [{ role: 'inspector' }]);
  }, 60_000);
  afterAll(async () => {
    await env?.stop();
  });

  it('sets up the year: a red milestone, a case escalated to 二次督办, a Q1 report, a 通报', async () => {
    await openCycle(env, admin);
    await createUnits(env, admin);
    await publishTownsTree(env, admin);
    ({ targetId } = await proposeAndIssue(
      env,
      { admin, reviewer, leader },
      {
        ...GDP_PROPOSAL,
        milestones: [
          { milestoneId: 'kaigong', title: '重点项目开工', dueDate: '2026-03-31', evidenceRequired: false },
        ],
      },
    ));
    await travel('2026-04-02 10:00');
    expect((await post('/warnings/evaluations', admin)).status).toBe(200);
    const opened = await post('/supervision-notices', supervisor, {
      cycleId: '2026',
      unitId: 'town-a',
      title: '重点项目开工节点逾期',
      demand: '请于 4 月 10 日前完成开工并反馈整改情况',
      deadline: '2026-04-10',
      targets: [{ targetId, milestoneId: 'kaigong' }],
    });
    expect(opened.status).toBe(201);
    noticeId = opened.body.id;

    await travel('2026-04-08 10:00');
    const reported = await post(`/targets/${targetId}/reports`, staffA, {
      period: '2026-Q1',
      cumulativeValue: 2.0,
    });
    expect(reported.status).toBe(201);
    const verified = await post(
      `/targets/${targetId}/reports/${reported.body.reportId as string}/verify`,
      reviewer,
    );
    expect(verified.status).toBe(200);

    await travel('2026-04-12 10:00');
    const escalated = await post(`/supervision-notices/${noticeId}/escalations`, supervisor, {
      tracker: supervisor.userId,
      deadline: '2026-04-20',
    });
    expect(escalated.status).toBe(201);

    await travel('2026-04-22 10:00');
    const action = await post('/accountability-actions', supervisor, {
      noticeId,
      action: 'publicNotice',
      official: { name: '张三', position: '甲镇副镇长' },
      reason: '二次督办逾期仍未整改到位',
      basis: '市督查室〔2026〕5号',
      occurredOn: '2026-04-22',
    });
    expect(action.status).toBe(201);

    await travel('2026-05-06 10:00');
    expect((await post('/rankings/refresh', admin)).status).toBe(200);
  });

  it('绩效评估报告 (HTML): April’s rankings with charts, completion against the schedule, the red item, the open case', async () => {
    const res = await performance('2026-04', 'html').expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.headers['content-disposition']).toContain("filename*=UTF-8''");
    const html = res.text;
    expect(html).toContain('<h1>2026年度绩效考核 绩效评估报告（2026年4月）</h1>');
    // 2.0 of 8.0 at the end of Q1: 600 × 0.25 = 150, less the 通报’s 1 point; on the Q1 schedule (25 %).
    // With two towns, both are among the bottom three (末位).
    expect(html).toContain(
      '<tr><td>1</td><td><span class="red">甲镇（末位）</span></td><td>150</td><td>0</td><td>149</td><td>诫勉</td><td>25</td><td>25</td><td>0</td><td>0</td></tr>',
    );
    expect(html).toContain('乙镇（末位）');
    expect(html).toContain('<title>区镇总分（满分 1000）</title>');
    expect(html).toContain('data-series="类别平均完成度"');
    expect(html).toMatch(/<td>甲镇<\/td><td>GDP增速<\/td><td>2026-04-02<\/td>/);
    expect(html).toContain('月末在办 1 件，其中逾期 1 件、二次督办 1 件');
    expect(html).toContain('重点项目开工节点逾期');
  });

  it('绩效评估报告 (Excel) opens with the ranking sheets, red items and open cases', async () => {
    const res = await download('/reports/performance/2026/2026-04', leader, { format: 'xlsx' }).expect(200);
    expect(res.headers['content-type']).toContain('spreadsheetml');
    const workbook = new Workbook();
    await workbook.xlsx.load(res.body);
    expect(workbook.worksheets.map((s) => s.name)).toEqual([
      '排名（区镇）',
      '排名（市级机关）',
      '红牌事项',
      '在办督办',
    ]);
    expect(workbook.getWorksheet('排名（区镇）')!.getRow(4).getCell(3).value).toBe('甲镇');
    expect(workbook.getWorksheet('排名（区镇）')!.getRow(4).getCell(6).value).toBe(149);
    expect(workbook.getWorksheet('在办督办')!.getRow(2).getCell(1).value).toBe(noticeId);
  });

  it('绩效评估报告 (PDF) is rendered from the HTML when Chromium is there, else 503 with a Chinese code', async () => {
    const res = await download('/reports/performance/2026/2026-04', leader, { format: 'pdf' });
    if (hasChromium) {
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toBe('application/pdf');
      expect((res.body as Buffer).subarray(0, 5).toString('latin1')).toBe('%PDF-');
    } else {
      console.log('skipped: no chromium — checking the 503 instead of the PDF');
      expect(res.status).toBe(503);
      expect(JSON.parse((res.body as Buffer).toString('utf8'))).toMatchObject({
        code: 'PDF_RENDERER_UNAVAILABLE',
      });
    }
  }, 60_000);

  it('refuses: 401 anonymous, 403 unit staff, 400 malformed month or format, 404 unknown cycle or month not ended', async () => {
    expect((await get('/reports/performance/2026/2026-04', null)).status).toBe(401);
    const staff = await performance('2026-04', 'html', staffA);
    expect(staff.status).toBe(403);
    expect(staff.body.code).toBe('FORBIDDEN');
    const malformed = await performance('2026-13', 'html');
    expect(malformed.status).toBe(400);
    expect(malformed.body.message).toMatch(/[\u4e00-\u9fff]/);
    expect((await performance('2026-04', 'docx')).status).toBe(400);
    const unknown = await performance('2026-04', 'html', leader, '2099');
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('CYCLE_NOT_FOUND');
    expect((await performance('2026-05', 'html')).body.code).toBe('MONTH_NOT_ENDED');
    expect((await performance('2025-12', 'html')).body.code).toBe('MONTH_NOT_IN_CYCLE');
  });

  it('督查通报 of April: the case escalated, overdue, and the 通报 with its deduction; a unit sees only its own', async () => {
    const html = await get('/reports/supervision-bulletin', supervisor, {
      from: '2026-04-01',
      to: '2026-04-30',
    }).expect(200);
    expect(html.text).toContain('<h1>督查通报（2026-04-01 至 2026-04-30）</h1>');
    expect(html.text).toContain('本期新开督办 1 件，办结 0 件，启动二次督办 1 件');
    expect(html.text).toContain('本期问责 1 次，合计扣分 1 分');
    expect(html.text).toContain('<td>通报</td><td>甲镇副镇长 张三</td>');
    const json = await get('/reports/supervision-bulletin', staffA, {
      from: '2026-04-01',
      to: '2026-04-30',
      format: 'json',
    }).expect(200);
    expect(json.body.escalations).toEqual([
      expect.objectContaining({ noticeId, unitId: 'town-a', reason: '逾期未办结', state: 'overdue' }),
    ]);
    expect(json.body.actions).toEqual([expect.objectContaining({ action: 'publicNotice', deduction: 1 })]);
    const other = await get('/reports/supervision-bulletin', staffB, {
      from: '2026-04-01',
      to: '2026-04-30',
      format: 'json',
    }).expect(200);
    expect(other.body).toMatchObject({ escalations: [], actions: [], overdue: [] });
    const xlsx = await download('/reports/supervision-bulletin', supervisor, {
      from: '2026-04-01',
      to: '2026-04-30',
      format: 'xlsx',
    }).expect(200);
    expect((xlsx.body as Buffer).subarray(0, 2).toString('latin1')).toBe('PK');
    const backwards = await get('/reports/supervision-bulletin', supervisor, {
      from: '2026-04-30',
      to: '2026-04-01',
    });
    expect(backwards.status).toBe(400);
    expect(backwards.body.code).toBe('INVALID_PERIOD');
    expect(
      (await get('/reports/supervision-bulletin', admin, { from: '2026-04-01', to: '2026-04-31x' })).status,
    ).toBe(400);
    expect(
      (await get('/reports/supervision-bulletin', system, { from: '2026-04-01', to: '2026-04-30' })).status,
    ).toBe(403);
  });

  it('专题督办情况 also as PDF (and as the same JSON as the supervision route)', async () => {
    const query = { from: '2026-04-01', to: '2026-04-30' };
    const ours = await get('/reports/supervision-report', supervisor, { ...query, format: 'json' }).expect(
      200,
    );
    const theirs = await get('/supervision-notices/report', supervisor, query).expect(200);
    const { truncated: _t, ...same } = theirs.body as Record<string, unknown>;
    expect(ours.body).toEqual(same);
    const pdf = await download('/reports/supervision-report', supervisor, { ...query, format: 'pdf' });
    expect(pdf.status).toBe(hasChromium ? 200 : 503);
    if (hasChromium) expect((pdf.body as Buffer).subarray(0, 5).toString('latin1')).toBe('%PDF-');
  }, 60_000);

  it('得分说明: Town A’s staff get their own unit’s document (rules, inputs, events), not Town B’s', async () => {
    const own = await get('/scores/town-a/explain/document', staffA, {
      cycleId: '2026',
      at: sh('2026-04-30 23:59'),
    }).expect(200);
    expect(own.headers['content-type']).toMatch(/^text\/html/);
    expect(own.text).toContain('<h1>甲镇 得分说明（2026年度考核）</h1>');
    expect(own.text).toContain('<dt>总分</dt><dd>149</dd>');
    expect(own.text).toContain('<td>问责扣分</td>');
    expect(own.text).toMatch(/<td>问责扣分<\/td><td>—<\/td><td><pre>action: publicNotice；deduction: 1；/);
    expect(own.text).toContain('<td>二级</td><td>GDP增速</td><td>完成度</td><td>600</td><td>150</td>');
    const other = await get('/scores/town-b/explain/document', staffA, { cycleId: '2026' });
    expect(other.status).toBe(403);
    expect(other.body.code).toBe('OUT_OF_SCOPE');
    expect((await get('/scores/town-b/explain/document', leader, { cycleId: '2026' })).status).toBe(200);
    expect((await get('/scores/nowhere/explain/document', leader, { cycleId: '2026' })).status).toBe(404);
    expect(
      (await get('/scores/town-a/explain/document', leader, { cycleId: '2026', format: 'xlsx' })).status,
    ).toBe(400);
    expect((await get('/scores/town-a/explain/document', null, { cycleId: '2026' })).status).toBe(401);
    const pdf = await download('/scores/town-a/explain/document', staffA, { cycleId: '2026', format: 'pdf' });
    expect(pdf.status).toBe(hasChromium ? 200 : 503);
  }, 60_000);

  it('审计导出: an inspector downloads the events, the whole log’s verification and a manifest; the export is recorded', async () => {
    expect((await get('/reports/audit-export', admin)).status).toBe(403);
    const res = await download('/reports/audit-export', inspector, {
      from: '2026-04-01',
      to: '2026-04-30',
    }).expect(200);
    expect(res.headers['content-type']).toBe('application/zip');
    const zip = await JSZip.loadAsync(res.body as Buffer);
    const names = Object.keys(zip.files);
    expect(names).toEqual(
      expect.arrayContaining([
        '说明.txt',
        'manifest.json',
        'events.jsonl',
        'events.xlsx',
        'verification.json',
      ]),
    );
    const events = (await zip.file('events.jsonl')!.async('string'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { type: string; metadata: { recordedAt: string } });
    expect(events.map((e) => e.type)).toEqual(
      expect.arrayContaining([
        'SupervisionNoticeIssued',
        'ProgressReported',
        'SupervisionEscalated',
        'AccountabilityActionTaken',
      ]),
    );
    expect(
      events.every(
        (e) =>
          e.metadata.recordedAt >= sh('2026-04-01 00:00') && e.metadata.recordedAt < sh('2026-05-01 00:00'),
      ),
    ).toBe(true);
    expect(JSON.parse(await zip.file('verification.json')!.async('string'))).toMatchObject({
      ok: true,
      firstBreak: null,
    });
    const manifest = JSON.parse(await zip.file('manifest.json')!.async('string')) as {
      digest: unknown;
      events: number;
    };
    expect(manifest.events).toBe(events.length);
    // The signed digest goes in when one exists (the schedule may not have signed one yet): the two agree.
    expect(zip.file('log-digest.json') !== null).toBe(manifest.digest !== null);
    expect(await zip.file('说明.txt')!.async('string')).toContain('日志完整，未被篡改');

    const reads: string[] = [];
    for (const e of await env.store.readAll({ after: 0, limit: 100_000 }))
      if (e.type === 'AuditViewRead') reads.push((e.data as { view: string }).view);
    expect(reads).toContain('auditExport');
    const backwards = await get('/reports/audit-export', inspector, { from: '2026-04-30', to: '2026-04-01' });
    expect(backwards.body.code).toBe('INVALID_PERIOD');
  });
});

describe('reports: PDF turned off (CHROMIUM_PATH=off)', () => {
  let env: EmbeddedApp;
  let leader: Session;

  beforeAll(async () => {
    env = await EmbeddedApp.start({ CHROMIUM_PATH: 'off' });
    ({ leader } = await signIn(env, ['leader']));
  }, 60_000);
  afterAll(async () => {
    await env?.stop();
  });

  it('answers PDF requests 503 PDF_RENDERER_UNAVAILABLE with a Chinese message; HTML still works', async () => {
    const res = await env
      .http()
      .get('/reports/performance/2026/2026-04')
      .query({ format: 'pdf' })
      .set(bearer(leader));
    expect(res.status).toBe(503);
    expect(res.body.code).toBe('PDF_RENDERER_UNAVAILABLE');
    expect(res.body.message).toContain('PDF');
    expect(res.body.message).toMatch(/[\u4e00-\u9fff]/);
    const html = await env.http().get('/reports/performance/2026/2026-04').set(bearer(leader));
    expect(html.body.code).toBe('CYCLE_NOT_FOUND');
  });
});
