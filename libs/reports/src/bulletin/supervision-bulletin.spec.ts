import { supervisionReport } from '@dukao/supervision';
import { action, notice, openWorkbook, round } from '../testing/report.fixtures';
import {
  supervisionBulletin,
  supervisionBulletinHtml,
  supervisionBulletinXlsx,
} from './supervision-bulletin';

const unitNames = new Map([
  ['town-a', '甲镇'],
  ['town-b', '乙镇'],
]);
// June 2026 (Shanghai): 31 May 16:00Z to 30 June 16:00Z.
const start = '2026-05-31T16:00:00.000Z';
const end = '2026-06-30T16:00:00.000Z';
const notices = [
  // Round 1 due 10 June, round 2 opened 12 June (tracker u-li), due 20 June, nothing since: overdue.
  notice({
    noticeId: 'n-a',
    title: '甲镇GDP进度落后',
    round: 2,
    tracker: 'u-li',
    rounds: [
      round({}),
      round({
        round: 2,
        reason: 'overdue',
        tracker: 'u-li',
        openedAt: '2026-06-12T02:00:00.000Z',
        deadline: '2026-06-20',
        originalDeadline: '2026-06-20',
        deadlineAt: '2026-06-20T16:00:00.000Z',
      }),
    ],
  }),
  // Town B's case, closed on 8 June.
  notice({
    noticeId: 'n-b',
    unitId: 'town-b',
    title: '乙镇节点',
    status: 'closed',
    closedAt: '2026-06-08T02:00:00.000Z',
  }),
];
const actions = [
  action({
    actionId: 'a-1',
    noticeId: 'n-a',
    action: 'publicNotice',
    deduction: 1,
    official: { name: '张三', position: '镇长' },
  }),
  action({ actionId: 'a-2', action: 'interview', deduction: 0.5, occurredOn: '2026-06-25' }),
  // Dated in July: outside the period.
  action({ actionId: 'a-3', occurredOn: '2026-07-02', recordedAt: '2026-07-02T02:00:00.000Z' }),
];

const build = () => {
  const report = supervisionReport(notices, actions, {
    period: { from: '2026-06-01', to: '2026-06-30' },
    cycleId: '2026',
    now: '2026-07-05T02:00:00.000Z',
    unitNames,
  });
  return supervisionBulletin({
    report,
    notices,
    actions,
    unitNames,
    userNames: new Map([['u-li', '李督查']]),
    generatedAt: '2026-07-05T02:00:00.000Z',
    start,
    end,
  });
};

describe('supervisionBulletin (督查通报)', () => {
  it('names the cases escalated in the period with their tracker, the overdue ones, and the actions dated in it', () => {
    const b = build();
    expect(b.escalations).toEqual([
      expect.objectContaining({
        noticeId: 'n-a',
        unitName: '甲镇',
        reason: '逾期未办结',
        trackerName: '李督查',
        deadline: '2026-06-20',
        state: 'overdue',
      }),
    ]);
    expect(b.overdue.map((c) => c.noticeId)).toEqual(['n-a']);
    expect(b.actions.map((a) => [a.actionId, a.deduction, a.noticeTitle, a.official])).toEqual([
      ['a-1', 1, '甲镇GDP进度落后', '镇长 张三'],
      ['a-2', 0.5, null, null],
    ]);
    expect(b.report.totals).toMatchObject({ opened: 2, closed: 1, escalated: 1, overdue: 1, deduction: 1.5 });
  });

  it('renders the summary, the per-unit table, the deduction bars and each section', () => {
    const html = supervisionBulletinHtml(build());
    expect(html).toContain('<h1>督查通报（2026-06-01 至 2026-06-30，2026年度考核）</h1>');
    expect(html).toContain('本期新开督办 2 件，办结 1 件，启动二次督办 1 件');
    expect(html).toContain('本期问责 2 次，合计扣分 1.5 分');
    expect(html).toMatch(/<tr><td>甲镇<\/td><td>1<\/td><td>0<\/td><td>1<\/td><td>1<\/td><td>1<\/td>/);
    expect(html).toContain('<title>各单位问责扣分</title>');
    expect(html).toContain('<td>李督查</td><td>2026-06-20</td><td><span class="red">逾期</span></td>');
    expect(html).toContain('<td>通报</td><td>镇长 张三</td>');
  });

  it('opens as a workbook with the four sheets', async () => {
    const workbook = await openWorkbook(await supervisionBulletinXlsx(build()));
    expect(workbook.worksheets.map((s) => s.name)).toEqual([
      '各单位情况',
      '二次督办',
      '逾期未办结',
      '问责及扣分',
    ]);
    expect(workbook.getWorksheet('二次督办')!.getRow(2).getCell(7).value).toBe('李督查');
    expect(workbook.getWorksheet('问责及扣分')!.getRow(3).getCell(9).value).toBe(0.5);
  });
});
