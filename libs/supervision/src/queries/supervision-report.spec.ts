import { Workbook } from 'exceljs';
import type { AccountabilityActionView } from '../projections/accountability-actions.projection';
import type { RoundView, SupervisionNoticeView } from '../projections/supervision-notices.projection';
import {
  caseAt,
  supervisionReport,
  supervisionReportHtml,
  supervisionReportXlsx,
} from './supervision-report';

const who = { userId: 'u', role: 'supervisor', unitId: null };
const round = (overrides: Partial<RoundView>): RoundView => ({
  round: 1,
  reason: null,
  demand: '整改',
  deadline: '2026-04-10',
  deadlineAt: '2026-04-10T16:00:00.000Z',
  originalDeadline: '2026-04-10',
  tracker: null,
  openedAt: '2026-04-02T02:00:00.000Z',
  openedBy: who,
  signedAt: null,
  signedBy: null,
  rectifications: [],
  extensions: [],
  ...overrides,
});
const notice = (overrides: Partial<SupervisionNoticeView>): SupervisionNoticeView =>
  ({
    _id: 'n',
    noticeId: 'n',
    cycleId: '2026',
    unitId: 'town-a',
    title: '节点逾期',
    status: 'open',
    issuedAt: '2026-04-02T02:00:00.000Z',
    closedAt: null,
    rounds: [round({})],
    actions: [],
    ...overrides,
  }) as SupervisionNoticeView;
const action = (overrides: Partial<AccountabilityActionView>): AccountabilityActionView =>
  ({
    _id: 'a',
    actionId: 'a',
    cycleId: '2026',
    unitId: 'town-a',
    action: 'publicNotice',
    deduction: 1,
    occurredOn: '2026-04-22',
    recordedAt: '2026-04-22T02:00:00.000Z',
    ...overrides,
  }) as AccountabilityActionView;

/** Round 1 returned on 9 April, round 2 (due 20 April) opened the same day, overdue on 22 April. */
const failed = notice({
  noticeId: 'n-a',
  rounds: [
    round({
      rectifications: [
        {
          rectificationId: 'r',
          narrative: '',
          evidence: [],
          late: false,
          reportedAt: '2026-04-08T02:00:00.000Z',
          reportedBy: who,
          status: 'returned',
          decisionNote: '不足',
          decidedAt: '2026-04-09T02:00:00.000Z',
          decidedBy: who,
        },
      ],
    }),
    round({
      round: 2,
      reason: 'returned',
      tracker: 'u-t',
      deadline: '2026-04-20',
      originalDeadline: '2026-04-20',
      deadlineAt: '2026-04-20T16:00:00.000Z',
      openedAt: '2026-04-09T03:00:00.000Z',
    }),
  ],
  actions: [{ deduction: 1 } as SupervisionNoticeView['actions'][number]],
});
/** Town B: opened in March, extended to 30 April on 5 April, closed on 25 April. */
const extended = notice({
  noticeId: 'n-b',
  unitId: 'town-b',
  title: '<批示> & 督办',
  issuedAt: '2026-03-20T02:00:00.000Z',
  status: 'closed',
  closedAt: '2026-04-25T02:00:00.000Z',
  rounds: [
    round({
      openedAt: '2026-03-20T02:00:00.000Z',
      extensions: [
        {
          extensionId: 'x',
          currentDeadline: '2026-04-10',
          requestedDeadline: '2026-04-30',
          reason: '',
          requestedAt: '2026-04-05T02:00:00.000Z',
          requestedBy: who,
          status: 'approved',
          refusalReason: null,
          decidedAt: '2026-04-06T02:00:00.000Z',
          decidedBy: who,
        },
      ],
    }),
  ],
});
const longClosed = notice({
  noticeId: 'n-old',
  status: 'closed',
  issuedAt: '2026-01-10T02:00:00.000Z',
  closedAt: '2026-02-01T02:00:00.000Z',
});
const names = new Map([
  ['town-a', '甲镇'],
  ['town-b', '乙镇'],
]);
const april = {
  period: { from: '2026-04-01', to: '2026-04-30' },
  cycleId: '2026',
  now: '2026-06-01T00:00:00.000Z',
  unitNames: names,
};

describe('caseAt', () => {
  it('replays a case at an instant: its round, its deadline then, and whether it was overdue', () => {
    expect(caseAt(failed, '2026-04-08T12:00:00.000Z')).toEqual({
      closed: false,
      round: 1,
      deadline: '2026-04-10',
      overdue: false,
    });
    expect(caseAt(failed, '2026-04-09T12:00:00.000Z')).toEqual({
      closed: false,
      round: 2,
      deadline: '2026-04-20',
      overdue: false,
    });
    expect(caseAt(failed, '2026-04-21T00:00:00.000Z')).toMatchObject({ round: 2, overdue: true });
    // The extension approved on 6 April moved the deadline: not overdue on 15 April.
    expect(caseAt(extended, '2026-04-05T12:00:00.000Z')).toMatchObject({
      deadline: '2026-04-10',
      overdue: false,
    });
    expect(caseAt(extended, '2026-04-15T00:00:00.000Z')).toMatchObject({
      deadline: '2026-04-30',
      overdue: false,
    });
    expect(caseAt(extended, '2026-04-26T00:00:00.000Z')).toMatchObject({ closed: true, overdue: false });
  });
});

describe('supervisionReport', () => {
  const report = supervisionReport(
    [failed, extended, longClosed],
    [action({}), action({ actionId: 'b', action: 'caution', deduction: 0, occurredOn: '2026-05-02' })],
    april,
  );

  it('counts per unit what happened in the period and what stood at its end', () => {
    expect(report.asOf).toBe('2026-04-30T16:00:00.000Z');
    expect(report.rows).toEqual([
      {
        unitId: 'town-a',
        unitName: '甲镇',
        opened: 1,
        closed: 0,
        escalated: 1,
        overdue: 1,
        open: 1,
        actions: { caution: 0, interview: 0, publicNotice: 1, admonition: 0, accountability: 0 },
        deduction: 1,
      },
      {
        unitId: 'town-b',
        unitName: '乙镇',
        opened: 0,
        closed: 1,
        escalated: 0,
        overdue: 0,
        open: 0,
        actions: { caution: 0, interview: 0, publicNotice: 0, admonition: 0, accountability: 0 },
        deduction: 0,
      },
    ]);
    expect(report.totals).toMatchObject({
      opened: 1,
      closed: 1,
      escalated: 1,
      overdue: 1,
      open: 1,
      deduction: 1,
    });
    expect(report.cases.map((c) => [c.noticeId, c.state, c.round])).toEqual([
      ['n-a', 'overdue', 2],
      ['n-b', 'closed', 1],
    ]);
  });

  it('stops at now when the period has not ended', () => {
    const early = supervisionReport([failed], [], { ...april, now: '2026-04-15T00:00:00.000Z' });
    expect(early.asOf).toBe('2026-04-15T00:00:00.000Z');
    expect(early.rows[0]).toMatchObject({ overdue: 0, open: 1, escalated: 1 });
  });

  it('writes an Excel workbook: the per-unit sheet with a total row, and the case list', async () => {
    const workbook = new Workbook();
    await workbook.xlsx.load((await supervisionReportXlsx(report)) as unknown as ArrayBuffer);
    const sheet = workbook.getWorksheet('专题督办情况')!;
    expect(sheet.getCell('A1').value as string).toContain('2026-04-01 至 2026-04-30');
    expect((sheet.getRow(3).values as unknown[]).slice(1, 8)).toEqual([
      '单位编号',
      '单位',
      '新开督办',
      '办结',
      '二次督办',
      '期末在办',
      '期末逾期',
    ]);
    expect((sheet.getRow(4).values as unknown[]).slice(1)).toEqual([
      'town-a',
      '甲镇',
      1,
      0,
      1,
      1,
      1,
      0,
      0,
      1,
      0,
      0,
      1,
    ]);
    expect((sheet.getRow(6).values as unknown[]).slice(1, 4)).toEqual(['合计', '', 1]);
    expect(workbook.getWorksheet('督办事项')!.rowCount).toBe(3);
  });

  it('writes a printable HTML page with the text escaped', () => {
    const html = supervisionReportHtml(report);
    expect(html).toContain('<h1>专题督办情况（2026-04-01 至 2026-04-30，2026 年度考核）</h1>');
    expect(html).toContain('&lt;批示&gt; &amp; 督办');
    expect(html).not.toContain('<批示>');
    expect(html).toContain('@page { size: A4 landscape');
  });
});
