import { endOfShanghaiDay } from '@dukao/targets';
import { Workbook } from 'exceljs';
import { startOfShanghaiDayOf } from '../domain/supervision.decider';
import { ACCOUNTABILITY_ACTION_KINDS, type AccountabilityActionKind } from '../domain/supervision.events';
import type { AccountabilityActionView } from '../projections/accountability-actions.projection';
import type { RoundView, SupervisionNoticeView } from '../projections/supervision-notices.projection';

/** The period of a 专题督办情况 report: Shanghai dates, both included. */
export interface ReportPeriod {
  from: string;
  to: string;
}

export interface ReportRow {
  unitId: string;
  unitName: string | null;
  /** Cases opened in the period (督查通知 / 建议书 issued). */
  opened: number;
  /** Cases closed (办结) in the period. */
  closed: number;
  /** Cases escalated to round 2 (二次督办) in the period. */
  escalated: number;
  /** Cases overdue at the end of the period (or at the report's instant, if earlier). */
  overdue: number;
  /** Cases still open at that instant. */
  open: number;
  /** Accountability actions dated in the period, by kind. */
  actions: Record<AccountabilityActionKind, number>;
  /** Their deductions as recorded with each (scheme in force on its date). */
  deduction: number;
}

export interface SupervisionReport {
  period: ReportPeriod;
  cycleId: string | null;
  /** The instant the state columns (open, overdue) describe: the end of `to`, or now if earlier. */
  asOf: string;
  rows: ReportRow[];
  totals: Omit<ReportRow, 'unitId' | 'unitName'>;
  /** Every case that counted in a row, for the detail sheet. */
  cases: Array<{
    noticeId: string;
    unitId: string;
    title: string;
    issuedAt: string;
    round: number;
    deadline: string;
    state: 'open' | 'overdue' | 'closed';
    tracker: string | null;
    deduction: number;
  }>;
}

const ACTION_NAMES: Record<AccountabilityActionKind, string> = {
  caution: '提醒',
  interview: '约谈',
  publicNotice: '通报',
  admonition: '诫勉',
  accountability: '追责',
};

const zeroActions = (): Record<AccountabilityActionKind, number> =>
  Object.fromEntries(ACCOUNTABILITY_ACTION_KINDS.map((k) => [k, 0])) as Record<
    AccountabilityActionKind,
    number
  >;
const emptyRow = () => ({
  opened: 0,
  closed: 0,
  escalated: 0,
  overdue: 0,
  open: 0,
  actions: zeroActions(),
  deduction: 0,
});
const add = (a: number, b: number) => Math.round((a + b) * 1000) / 1000;
const within = (instant: string | null, start: string, end: string) =>
  instant !== null && instant >= start && instant < end;

/** The round's deadline instant as it stood at `t`: its first one, moved by the extensions approved by then. */
function deadlineAt(round: RoundView, t: string): { deadline: string; deadlineAt: string } {
  const approved = round.extensions.filter(
    (x) => x.status === 'approved' && x.decidedAt !== null && x.decidedAt <= t,
  );
  const deadline = approved.at(-1)?.requestedDeadline ?? round.originalDeadline;
  return { deadline, deadlineAt: endOfShanghaiDay(deadline) };
}

/**
 * A case as it stood at `t`, replayed from its document: open or closed, the round in force, its
 * deadline then, and whether an answer awaited the office (then it is not overdue).
 */
export function caseAt(notice: SupervisionNoticeView, t: string) {
  const closed = notice.closedAt !== null && notice.closedAt <= t;
  const round = notice.rounds.filter((r) => r.openedAt <= t).at(-1) ?? notice.rounds[0]!;
  const { deadline, deadlineAt: due } = deadlineAt(round, t);
  const awaiting = round.rectifications.some(
    (x) => x.reportedAt <= t && (x.decidedAt === null || x.decidedAt > t),
  );
  return { closed, round: round.round, deadline, overdue: !closed && !awaiting && t >= due };
}

/**
 * The 专题督办情况 report for a period, per unit: cases opened, closed and escalated in the period,
 * open and overdue at its end (or now, if earlier), and accountability actions dated in it with
 * their deductions. Pure: the views' documents in, the report out.
 */
export function supervisionReport(
  notices: readonly SupervisionNoticeView[],
  actions: readonly AccountabilityActionView[],
  options: {
    period: ReportPeriod;
    cycleId: string | null;
    now: string;
    unitNames: ReadonlyMap<string, string>;
  },
): SupervisionReport {
  const { period, now } = options;
  const start = startOfShanghaiDayOf(period.from);
  const end = endOfShanghaiDay(period.to);
  const asOf = end < now ? end : now;
  const rows = new Map<string, ReportRow>();
  const row = (unitId: string) => {
    let r = rows.get(unitId);
    if (!r)
      rows.set(unitId, (r = { unitId, unitName: options.unitNames.get(unitId) ?? null, ...emptyRow() }));
    return r;
  };
  const cases: SupervisionReport['cases'] = [];
  for (const notice of notices) {
    if (notice.issuedAt >= end || notice.issuedAt > asOf) continue;
    const state = caseAt(notice, asOf);
    const opened = within(notice.issuedAt, start, end);
    const closed = within(notice.closedAt, start, end);
    const escalated = notice.rounds.some((r) => r.round === 2 && within(r.openedAt, start, end));
    // A case closed before the period began has nothing to say about it.
    if (!opened && !closed && !escalated && state.closed) continue;
    const r = row(notice.unitId);
    if (opened) r.opened += 1;
    if (closed) r.closed += 1;
    if (escalated) r.escalated += 1;
    if (!state.closed) r.open += 1;
    if (state.overdue) r.overdue += 1;
    cases.push({
      noticeId: notice.noticeId,
      unitId: notice.unitId,
      title: notice.title,
      issuedAt: notice.issuedAt,
      round: state.round,
      deadline: state.deadline,
      state: state.closed ? 'closed' : state.overdue ? 'overdue' : 'open',
      tracker: notice.rounds.find((x) => x.round === state.round)?.tracker ?? null,
      deduction: notice.actions.reduce((sum, a) => add(sum, a.deduction), 0),
    });
  }
  for (const action of actions) {
    if (action.occurredOn < period.from || action.occurredOn > period.to || action.recordedAt > asOf)
      continue;
    const r = row(action.unitId);
    r.actions[action.action] += 1;
    r.deduction = add(r.deduction, action.deduction);
  }
  const sorted = [...rows.values()].sort((a, b) => a.unitId.localeCompare(b.unitId));
  const totals = emptyRow();
  for (const r of sorted) {
    totals.opened += r.opened;
    totals.closed += r.closed;
    totals.escalated += r.escalated;
    totals.overdue += r.overdue;
    totals.open += r.open;
    for (const k of ACCOUNTABILITY_ACTION_KINDS) totals.actions[k] += r.actions[k];
    totals.deduction = add(totals.deduction, r.deduction);
  }
  cases.sort((a, b) => a.unitId.localeCompare(b.unitId) || a.issuedAt.localeCompare(b.issuedAt));
  return { period, cycleId: options.cycleId, asOf, rows: sorted, totals, cases };
}

const COLUMNS: Array<[string, (r: Omit<ReportRow, 'unitId' | 'unitName'>) => number]> = [
  ['新开督办', (r) => r.opened],
  ['办结', (r) => r.closed],
  ['二次督办', (r) => r.escalated],
  ['期末在办', (r) => r.open],
  ['期末逾期', (r) => r.overdue],
  ...ACCOUNTABILITY_ACTION_KINDS.map(
    (k) =>
      [ACTION_NAMES[k], (r: Omit<ReportRow, 'unitId' | 'unitName'>) => r.actions[k]] as [
        string,
        (r: Omit<ReportRow, 'unitId' | 'unitName'>) => number,
      ],
  ),
  ['扣分合计', (r) => r.deduction],
];
const STATE_NAMES = { open: '在办', overdue: '逾期', closed: '已办结' } as const;
const title = (report: SupervisionReport) =>
  `专题督办情况（${report.period.from} 至 ${report.period.to}${report.cycleId ? `，${report.cycleId} 年度考核` : ''}）`;

/** The report as an Excel workbook: the per-unit sheet and the case list. */
export async function supervisionReportXlsx(report: SupervisionReport): Promise<Buffer> {
  const workbook = new Workbook();
  workbook.creator = '督考';
  const sheet = workbook.addWorksheet('专题督办情况', { views: [{ state: 'frozen', ySplit: 3 }] });
  sheet.addRow([title(report)]).font = { bold: true, size: 14 };
  sheet.addRow([`统计截至 ${report.asOf}（期末在办、期末逾期按此时点计）`]);
  const header = sheet.addRow(['单位编号', '单位', ...COLUMNS.map(([name]) => name)]);
  header.font = { bold: true };
  for (const r of report.rows)
    sheet.addRow([r.unitId, r.unitName ?? '', ...COLUMNS.map(([, value]) => value(r))]);
  sheet.addRow(['合计', '', ...COLUMNS.map(([, value]) => value(report.totals))]).font = { bold: true };
  sheet.columns.forEach((column, i) => {
    column.width = i < 2 ? 16 : 10;
  });

  const list = workbook.addWorksheet('督办事项');
  list.addRow(['编号', '单位编号', '标题', '发出时间', '轮次', '办理期限', '状态', '跟踪人', '扣分']).font = {
    bold: true,
  };
  for (const c of report.cases)
    list.addRow([
      c.noticeId,
      c.unitId,
      c.title,
      c.issuedAt,
      c.round,
      c.deadline,
      STATE_NAMES[c.state],
      c.tracker ?? '',
      c.deduction,
    ]);
  list.columns.forEach((column, i) => {
    column.width = [38, 14, 40, 26, 6, 12, 8, 38, 8][i] ?? 12;
  });
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

const escapeHtml = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );

/** The report as a printable HTML page (A4 landscape; print it to PDF from the browser). */
export function supervisionReportHtml(report: SupervisionReport): string {
  const cells = (values: Array<string | number>, tag = 'td') =>
    values.map((v) => `<${tag}>${escapeHtml(String(v))}</${tag}>`).join('');
  const rows = report.rows
    .map((r) => `<tr>${cells([r.unitName ?? r.unitId, ...COLUMNS.map(([, value]) => value(r))])}</tr>`)
    .join('\n');
  const caseRows = report.cases
    .map(
      (c) =>
        `<tr>${cells([c.unitId, c.title, c.issuedAt.slice(0, 10), c.round, c.deadline, STATE_NAMES[c.state], c.deduction])}</tr>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>${escapeHtml(title(report))}</title>
<style>
@page { size: A4 landscape; margin: 15mm; }
body { font-family: "SimSun", "Songti SC", serif; font-size: 12pt; }
h1 { font-size: 18pt; text-align: center; }
table { border-collapse: collapse; width: 100%; margin-bottom: 12pt; }
th, td { border: 1px solid #000; padding: 3pt 5pt; text-align: center; }
tfoot td { font-weight: bold; }
@media print { .no-print { display: none; } }
</style>
</head>
<body>
<h1>${escapeHtml(title(report))}</h1>
<p>统计截至 ${escapeHtml(report.asOf)}（期末在办、期末逾期按此时点计）</p>
<table>
<thead><tr>${cells(['单位', ...COLUMNS.map(([name]) => name)], 'th')}</tr></thead>
<tbody>
${rows}
</tbody>
<tfoot><tr>${cells(['合计', ...COLUMNS.map(([, value]) => value(report.totals))])}</tr></tfoot>
</table>
<h2>督办事项</h2>
<table>
<thead><tr>${cells(['单位', '标题', '发出日期', '轮次', '办理期限', '状态', '扣分'], 'th')}</tr></thead>
<tbody>
${caseRows}
</tbody>
</table>
</body>
</html>
`;
}
