import { Workbook } from 'exceljs';
import type { Grade, MonthlyRanking } from '@dukao/scoring';
import { type SupervisionNoticeView, caseAt } from '@dukao/supervision';
import { periodEnd } from '@dukao/targets';
import type { WarningView } from '@dukao/warnings';
import { barChart, lineChart } from '../charts/svg-charts';
import { type Cell, escapeHtml, htmlDocument, num, signed, table } from '../html/html';

export const CATEGORY_NAMES: Record<string, string> = { towns: '区镇', departments: '市级机关' };
export const GRADE_NAMES: Record<Grade, string> = {
  excellent: '优秀',
  good: '良好',
  pass: '达标',
  admonished: '诫勉',
};
const categoryName = (category: string) => CATEGORY_NAMES[category] ?? category;

export interface PerformanceRow {
  rank: number;
  unitId: string;
  unitName: string | null;
  total: number;
  grade: Grade;
  flagged: boolean;
  scores: number[];
  completionPct: number | null;
  expectedPct: number | null;
  vsExpected: number | null;
  vsAverage: number | null;
}

export interface CategorySection {
  category: string;
  /** False when the rankings view has no ranking of the month for the category (no tree, no scheme). */
  ranked: boolean;
  /** Units ranked in the category (all of them, also those the reader does not see). */
  units: number;
  scale: number | null;
  indicators: Array<{ indicatorId: string; name: string; points: number }>;
  averageCompletionPct: number | null;
  /** Mean schedule (基准时序进度) of the units with quantitative targets. */
  averageExpectedPct: number | null;
  /** The rows the reader may see, in rank order. */
  rows: PerformanceRow[];
  /** Each month of the cycle up to the report's month: category averages, for the trend chart. */
  trend: Array<{ month: string; averageCompletionPct: number | null; averageExpectedPct: number | null }>;
}

export interface RedItem {
  targetId: string;
  targetTitle: string | null;
  unitId: string;
  unitName: string | null;
  category: string;
  /** When the target turned red (it was still red at the month's end). */
  since: string;
  reasons: string[];
}

export interface OpenCase {
  noticeId: string;
  unitId: string;
  unitName: string | null;
  title: string;
  issuedAt: string;
  round: number;
  deadline: string;
  overdue: boolean;
}

/** 《绩效评估报告》 of a month: the document's content, as pure data. */
export interface PerformanceReport {
  cycleId: string;
  cycleName: string | null;
  month: string;
  /** The end of the month (Asia/Shanghai): the instant every section describes. */
  at: string;
  generatedAt: string;
  categories: CategorySection[];
  redItems: RedItem[];
  openCases: OpenCase[];
}

const mean = (values: number[]) =>
  values.length === 0 ? null : Math.round((values.reduce((a, b) => a + b, 0) / values.length) * 100) / 100;
const expectedMean = (ranking: MonthlyRanking) =>
  mean(ranking.rows.flatMap((r) => (r.expectedPct === null ? [] : [r.expectedPct])));

/** The warning's level at `t`, from its history of level changes (the view keeps every change). */
function levelAt(warning: WarningView, t: string) {
  const last = warning.history.filter((h) => h.at <= t).at(-1);
  return last ?? null;
}

/**
 * Builds the report from the views' documents (pure). `rankings` holds each category's monthly
 * rankings of the cycle up to and including `month` (any order; missing months are gaps in the
 * trend); `visible` says which units the reader may see (rows, red items, cases).
 */
export function performanceReport(args: {
  cycleId: string;
  cycleName: string | null;
  month: string;
  generatedAt: string;
  categories: readonly string[];
  rankings: readonly MonthlyRanking[];
  warnings: readonly WarningView[];
  targetTitles: ReadonlyMap<string, string>;
  notices: readonly SupervisionNoticeView[];
  unitNames: ReadonlyMap<string, string>;
  visible: (unitId: string) => boolean;
}): PerformanceReport {
  const at = periodEnd(args.month);
  const categories = args.categories.map((category): CategorySection => {
    const ofCategory = args.rankings
      .filter((r) => r.cycleId === args.cycleId && r.category === category && r.month <= args.month)
      .sort((a, b) => a.month.localeCompare(b.month));
    const ranking = ofCategory.find((r) => r.month === args.month) ?? null;
    const trendMonths = Array.from(
      { length: Number(args.month.slice(5, 7)) },
      (_, i) => `${args.month.slice(0, 5)}${String(i + 1).padStart(2, '0')}`,
    );
    return {
      category,
      ranked: ranking !== null,
      units: ranking?.rows.length ?? 0,
      scale: ranking?.scale ?? null,
      indicators: ranking?.indicators ?? [],
      averageCompletionPct: ranking?.averageCompletionPct ?? null,
      averageExpectedPct: ranking ? expectedMean(ranking) : null,
      rows: (ranking?.rows ?? [])
        .filter((r) => args.visible(r.unitId))
        .map((r) => ({
          rank: r.rank,
          unitId: r.unitId,
          unitName: r.unitName,
          total: r.total,
          grade: r.grade,
          flagged: r.flagged,
          scores: r.scores,
          completionPct: r.completionPct,
          expectedPct: r.expectedPct,
          vsExpected: r.vsExpected,
          vsAverage: r.vsAverage,
        })),
      trend: ranking
        ? trendMonths.map((month) => {
            const doc = ofCategory.find((r) => r.month === month);
            return {
              month,
              averageCompletionPct: doc?.averageCompletionPct ?? null,
              averageExpectedPct: doc ? expectedMean(doc) : null,
            };
          })
        : [],
    };
  });

  const redItems: RedItem[] = [];
  for (const warning of args.warnings) {
    if (warning.cycleId !== args.cycleId || !args.visible(warning.unitId)) continue;
    const state = levelAt(warning, at);
    if (state?.level !== 'red') continue;
    redItems.push({
      targetId: warning._id,
      targetTitle: args.targetTitles.get(warning._id) ?? null,
      unitId: warning.unitId,
      unitName: args.unitNames.get(warning.unitId) ?? null,
      category: warning.category,
      since: state.at,
      reasons: state.reasons.filter((r) => r.level === 'red').map((r) => r.detail),
    });
  }
  redItems.sort((a, b) => a.unitId.localeCompare(b.unitId) || a.since.localeCompare(b.since));

  const openCases: OpenCase[] = [];
  for (const notice of args.notices) {
    if (notice.cycleId !== args.cycleId || !args.visible(notice.unitId) || notice.issuedAt > at) continue;
    const state = caseAt(notice, at);
    if (state.closed) continue;
    openCases.push({
      noticeId: notice.noticeId,
      unitId: notice.unitId,
      unitName: args.unitNames.get(notice.unitId) ?? null,
      title: notice.title,
      issuedAt: notice.issuedAt,
      round: state.round,
      deadline: state.deadline,
      overdue: state.overdue,
    });
  }
  openCases.sort((a, b) => Number(b.overdue) - Number(a.overdue) || a.issuedAt.localeCompare(b.issuedAt));

  return {
    cycleId: args.cycleId,
    cycleName: args.cycleName,
    month: args.month,
    at,
    generatedAt: args.generatedAt,
    categories,
    redItems,
    openCases,
  };
}

const monthLabel = (month: string) => `${month.slice(0, 4)}年${Number(month.slice(5, 7))}月`;
export const performanceReportTitle = (report: PerformanceReport) =>
  `${report.cycleName ?? `${report.cycleId}年度考核`} 绩效评估报告（${monthLabel(report.month)}）`;

const unitLabel = (r: { unitName: string | null; unitId: string }) => r.unitName ?? r.unitId;
const shanghaiDate = (instant: string) =>
  new Date(new Date(instant).getTime() + 8 * 3_600_000).toISOString().slice(0, 10);

function categoryHtml(section: CategorySection, index: number): string {
  const heading = `<h2>${['一', '二', '三', '四'][index] ?? index + 1}、${escapeHtml(categoryName(section.category))}排名</h2>`;
  if (!section.ranked)
    return `${heading}\n<p class="note">本月无该类别排名（尚无生效的评分方案或指标体系）。</p>`;
  const header = [
    '名次',
    '单位',
    ...section.indicators.map((i) => `${i.name}（${num(i.points)}）`),
    '总分',
    '等次',
    '完成度%',
    '时序进度%',
    '较时序进度',
    '较类别平均',
  ];
  const rows = section.rows.map((r): Cell[] => [
    r.rank,
    r.flagged ? { html: `<span class="red">${escapeHtml(unitLabel(r))}（末位）</span>` } : unitLabel(r),
    ...r.scores.map((s) => num(s)),
    num(r.total),
    GRADE_NAMES[r.grade],
    num(r.completionPct),
    num(r.expectedPct),
    signed(r.vsExpected),
    signed(r.vsAverage),
  ]);
  const bars = barChart(
    section.rows.map((r) => ({ label: unitLabel(r), value: r.total, alert: r.flagged })),
    {
      title: `${categoryName(section.category)}总分（满分 ${num(section.scale)}）`,
      max: section.scale ?? undefined,
    },
  );
  const trend = lineChart(
    section.trend.map((t) => `${Number(t.month.slice(5, 7))}月`),
    [
      { name: '类别平均完成度', values: section.trend.map((t) => t.averageCompletionPct), color: '#1f5fa8' },
      {
        name: '平均时序进度',
        values: section.trend.map((t) => t.averageExpectedPct),
        color: '#888',
        dashed: true,
      },
    ],
    { title: `${categoryName(section.category)}完成度与时序进度（%）`, unit: '%' },
  );
  return `${heading}
<p>参加排名 ${section.units} 个单位；类别平均完成度 ${num(section.averageCompletionPct)}%，平均时序进度 ${num(section.averageExpectedPct)}%。</p>
${table(header, rows, { empty: '无可查看的单位' })}
<div class="chart">${bars}</div>
<div class="chart">${trend}</div>`;
}

/** The report as a printable HTML page (A4 landscape), charts inline as SVG. */
export function performanceReportHtml(report: PerformanceReport): string {
  const n = report.categories.length;
  const ordinal = (i: number) => ['一', '二', '三', '四', '五', '六'][i] ?? String(i + 1);
  const red = table(
    ['单位', '目标', '亮红牌时间', '原因'],
    report.redItems.map((r) => [
      unitLabel(r),
      r.targetTitle ?? r.targetId,
      shanghaiDate(r.since),
      r.reasons.join('；') || '—',
    ]),
    { empty: '月末无红牌事项' },
  );
  const cases = table(
    ['单位', '督办事项', '发出日期', '轮次', '办理期限', '状态'],
    report.openCases.map((c): Cell[] => [
      unitLabel(c),
      c.title,
      shanghaiDate(c.issuedAt),
      c.round === 2 ? '二次督办' : `第${c.round}轮`,
      c.deadline,
      c.overdue ? { html: '<span class="red">逾期</span>' } : '在办',
    ]),
    { empty: '月末无在办督办事项' },
  );
  const body = `${report.categories.map(categoryHtml).join('\n')}
<h2>${ordinal(n)}、红牌事项</h2>
<p>${monthLabel(report.month)}末处于红牌的目标 ${report.redItems.length} 项。</p>
${red}
<h2>${ordinal(n + 1)}、在办督办事项</h2>
<p>${monthLabel(report.month)}末在办 ${report.openCases.length} 件，其中逾期 ${report.openCases.filter((c) => c.overdue).length} 件、二次督办 ${report.openCases.filter((c) => c.round >= 2).length} 件。</p>
${cases}
<p class="note">数据截至 ${escapeHtml(report.at)}（${monthLabel(report.month)}末，北京时间）；生成于 ${escapeHtml(report.generatedAt)}。排名取自月排名视图，红牌取自预警视图，督办取自督办视图。</p>`;
  return htmlDocument({
    title: performanceReportTitle(report),
    subtitle: `考核周期 ${report.cycleId} · ${monthLabel(report.month)}`,
    body,
    landscape: true,
  });
}

/** The report as an Excel workbook: one ranking sheet per category, then red items and open cases. */
export async function performanceReportXlsx(report: PerformanceReport): Promise<Buffer> {
  const workbook = new Workbook();
  workbook.creator = '督考';
  for (const section of report.categories) {
    const sheet = workbook.addWorksheet(`排名（${categoryName(section.category)}）`, {
      views: [{ state: 'frozen', ySplit: 3 }],
    });
    sheet.addRow([`${performanceReportTitle(report)} · ${categoryName(section.category)}`]).font = {
      bold: true,
      size: 14,
    };
    sheet.addRow([
      section.ranked
        ? `参加排名 ${section.units} 个单位；类别平均完成度 ${num(section.averageCompletionPct)}%，平均时序进度 ${num(section.averageExpectedPct)}%`
        : '本月无该类别排名（尚无生效的评分方案或指标体系）',
    ]);
    sheet.addRow([
      '名次',
      '单位编号',
      '单位',
      ...section.indicators.map((i) => i.name),
      '总分',
      '等次',
      '末位',
      '完成度%',
      '时序进度%',
      '较时序进度',
      '较类别平均',
    ]).font = { bold: true };
    for (const r of section.rows)
      sheet.addRow([
        r.rank,
        r.unitId,
        r.unitName ?? '',
        ...r.scores,
        r.total,
        GRADE_NAMES[r.grade],
        r.flagged ? '是' : '',
        r.completionPct,
        r.expectedPct,
        r.vsExpected,
        r.vsAverage,
      ]);
    sheet.columns.forEach((column, i) => {
      column.width = i === 1 || i === 2 ? 16 : 11;
    });
  }
  const red = workbook.addWorksheet('红牌事项');
  red.addRow(['单位编号', '单位', '目标编号', '目标', '亮红牌时间', '原因']).font = { bold: true };
  for (const r of report.redItems)
    red.addRow([r.unitId, r.unitName ?? '', r.targetId, r.targetTitle ?? '', r.since, r.reasons.join('；')]);
  const cases = workbook.addWorksheet('在办督办');
  cases.addRow(['编号', '单位编号', '单位', '督办事项', '发出时间', '轮次', '办理期限', '逾期']).font = {
    bold: true,
  };
  for (const c of report.openCases)
    cases.addRow([
      c.noticeId,
      c.unitId,
      c.unitName ?? '',
      c.title,
      c.issuedAt,
      c.round,
      c.deadline,
      c.overdue ? '是' : '',
    ]);
  return Buffer.from(await workbook.xlsx.writeBuffer());
}
