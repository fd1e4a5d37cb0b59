import { JUNE, MARCH, notice, openWorkbook, round, warning } from '../testing/report.fixtures';
import { performanceReport, performanceReportHtml, performanceReportXlsx } from './performance-report';

const reasons = (detail: string) => [
  { rule: 'gap' as never, level: 'red' as const, detail, period: null, milestoneId: null, dueDate: null },
];

const build = (visible: (unitId: string) => boolean = () => true) =>
  performanceReport({
    cycleId: '2026',
    cycleName: '2026年度绩效考核',
    month: '2026-06',
    generatedAt: '2026-07-10T02:00:00.000Z',
    categories: ['towns', 'departments'],
    rankings: [JUNE, MARCH],
    warnings: [
      // Red from 20 June to the end of the month: listed.
      warning({
        _id: 't-gdp',
        history: [
          {
            level: 'red',
            previousLevel: 'yellow',
            at: '2026-06-20T02:00:00.000Z',
            reasons: reasons('完成进度落后时序进度 25 个百分点'),
            schemeVersion: 1,
          },
        ],
      }),
      // Red only from 3 July: not red at the end of June.
      warning({
        _id: 't-late',
        unitId: 'town-b',
        history: [
          {
            level: 'red',
            previousLevel: 'none',
            at: '2026-07-03T02:00:00.000Z',
            reasons: reasons('x'),
            schemeVersion: 1,
          },
        ],
      }),
      // Red in May, cleared in June.
      warning({
        _id: 't-cleared',
        level: 'none',
        history: [
          {
            level: 'red',
            previousLevel: 'none',
            at: '2026-05-03T02:00:00.000Z',
            reasons: reasons('y'),
            schemeVersion: 1,
          },
          {
            level: 'none',
            previousLevel: 'red',
            at: '2026-06-03T02:00:00.000Z',
            reasons: [],
            schemeVersion: 1,
          },
        ],
      }),
    ],
    targetTitles: new Map([['t-gdp', 'GDP增速']]),
    notices: [
      // Issued 2 June, due 10 June, nothing reported: overdue at the end of June.
      notice({ noticeId: 'n-open', title: '甲镇GDP进度落后' }),
      // Closed on 25 June: not open at the month's end.
      notice({ noticeId: 'n-closed', closedAt: '2026-06-25T02:00:00.000Z', status: 'closed' }),
      // Round 2 since 12 June, due 30 July: open, not overdue.
      notice({
        noticeId: 'n-round2',
        unitId: 'town-b',
        title: '乙镇节点逾期',
        round: 2,
        rounds: [
          round({}),
          round({
            round: 2,
            reason: 'overdue',
            openedAt: '2026-06-12T02:00:00.000Z',
            deadline: '2026-07-30',
            originalDeadline: '2026-07-30',
            deadlineAt: '2026-07-30T16:00:00.000Z',
          }),
        ],
      }),
      // Issued in July: after the month.
      notice({ noticeId: 'n-july', issuedAt: '2026-07-02T02:00:00.000Z' }),
    ],
    unitNames: new Map([
      ['town-a', '甲镇'],
      ['town-b', '乙镇'],
    ]),
    visible,
  });

describe('performanceReport (the 绩效评估报告 of a month)', () => {
  it('ranks each category from the month document, with the averages and the trend over the months', () => {
    const report = build();
    expect(report.at).toBe('2026-06-30T16:00:00.000Z');
    const towns = report.categories[0]!;
    expect(towns).toMatchObject({
      category: 'towns',
      ranked: true,
      units: 2,
      averageCompletionPct: 40,
      averageExpectedPct: 50,
    });
    expect(towns.rows.map((r) => [r.rank, r.unitId, r.total, r.flagged])).toEqual([
      [1, 'town-a', 240, false],
      [2, 'town-b', 0, true],
    ]);
    expect(towns.trend).toHaveLength(6);
    expect(towns.trend[2]).toEqual({ month: '2026-03', averageCompletionPct: 25, averageExpectedPct: 25 });
    expect(towns.trend[3]).toEqual({
      month: '2026-04',
      averageCompletionPct: null,
      averageExpectedPct: null,
    });
    expect(report.categories[1]).toMatchObject({
      category: 'departments',
      ranked: false,
      rows: [],
      trend: [],
    });
  });

  it('lists the targets red at the month end, and the cases open then', () => {
    const report = build();
    expect(report.redItems).toEqual([
      expect.objectContaining({
        targetId: 't-gdp',
        targetTitle: 'GDP增速',
        unitName: '甲镇',
        reasons: ['完成进度落后时序进度 25 个百分点'],
      }),
    ]);
    expect(report.openCases.map((c) => [c.noticeId, c.round, c.overdue])).toEqual([
      ['n-open', 1, true],
      ['n-round2', 2, false],
    ]);
  });

  it('shows a scoped reader only their units: rows, red items and cases', () => {
    const report = build((unitId) => unitId === 'town-b');
    expect(report.categories[0]!.rows.map((r) => r.unitId)).toEqual(['town-b']);
    expect(report.categories[0]!.units).toBe(2);
    expect(report.redItems).toEqual([]);
    expect(report.openCases.map((c) => c.noticeId)).toEqual(['n-round2']);
  });
});

describe('performanceReportHtml', () => {
  const html = performanceReportHtml(build());

  it('has the title, each unit row with its numbers, and the bottom-three mark', () => {
    expect(html).toContain('<h1>2026年度绩效考核 绩效评估报告（2026年6月）</h1>');
    expect(html).toMatch(
      /<tr><td>1<\/td><td>甲镇<\/td><td>240<\/td><td>0<\/td><td>240<\/td><td>诫勉<\/td><td>40<\/td><td>50<\/td><td>−10<\/td><td>0<\/td><\/tr>/,
    );
    expect(html).toContain('乙镇（末位）');
    expect(html).toContain('类别平均完成度 40%，平均时序进度 50%');
  });

  it('draws the ranking bars and the completion lines inline, and says when a category has no ranking', () => {
    expect(html.match(/<svg /g)).toHaveLength(2);
    expect(html).toContain('<title>区镇总分（满分 1000）</title>');
    expect(html).toContain('data-series="类别平均完成度"');
    expect(html).toContain('本月无该类别排名');
  });

  it('lists the red items and the open cases, overdue first', () => {
    expect(html).toContain('<td>GDP增速</td><td>2026-06-20</td>');
    expect(html).toContain('月末在办 2 件，其中逾期 1 件、二次督办 1 件');
    expect(html.indexOf('甲镇GDP进度落后')).toBeLessThan(html.indexOf('乙镇节点逾期'));
    expect(html).not.toContain('<script');
  });
});

describe('performanceReportXlsx', () => {
  it('opens with a ranking sheet per category, red items and open cases', async () => {
    const workbook = await openWorkbook(await performanceReportXlsx(build()));
    expect(workbook.worksheets.map((s) => s.name)).toEqual([
      '排名（区镇）',
      '排名（市级机关）',
      '红牌事项',
      '在办督办',
    ]);
    const towns = workbook.getWorksheet('排名（区镇）')!;
    expect(towns.getRow(3).values).toEqual([
      undefined,
      '名次',
      '单位编号',
      '单位',
      '经济发展',
      '社会民生',
      '总分',
      '等次',
      '末位',
      '完成度%',
      '时序进度%',
      '较时序进度',
      '较类别平均',
    ]);
    expect(towns.getRow(4).values).toEqual([
      undefined,
      1,
      'town-a',
      '甲镇',
      240,
      0,
      240,
      '诫勉',
      '',
      40,
      50,
      -10,
      0,
    ]);
    expect(towns.getRow(5).getCell(8).value).toBe('是');
    expect(workbook.getWorksheet('红牌事项')!.getRow(2).getCell(4).value).toBe('GDP增速');
    expect(workbook.getWorksheet('在办督办')!.rowCount).toBe(3);
  });
});
