import { Workbook } from 'exceljs';
import {
  ACCOUNTABILITY_ACTION_KINDS,
  type AccountabilityActionKind,
  type AccountabilityActionView,
  type SupervisionNoticeView,
  type SupervisionReport,
  caseAt,
} from '@dukao/supervision';
import { barChart } from '../charts/svg-charts';
import { type Cell, escapeHtml, htmlDocument, num, table } from '../html/html';

export const ACTION_NAMES: Record<AccountabilityActionKind, string> = {
  caution: '提醒',
  interview: '约谈',
  publicNotice: '通报',
  admonition: '诫勉',
  accountability: '追责',
};
const ESCALATION_REASONS = { returned: '整改不到位被退回', overdue: '逾期未办结' } as const;
const STATE_NAMES = { open: '在办', overdue: '逾期', closed: '已办结' } as const;

export interface BulletinEscalation {
  noticeId: string;
  unitId: string;
  unitName: string | null;
  title: string;
  escalatedAt: string;
  reason: string;
  tracker: string | null;
  trackerName: string | null;
  deadline: string;
  state: 'open' | 'overdue' | 'closed';
}

export interface BulletinAction {
  actionId: string;
  unitId: string;
  unitName: string | null;
  action: AccountabilityActionKind;
  official: string | null;
  reason: string;
  basis: string;
  occurredOn: string;
  deduction: number;
  noticeTitle: string | null;
}

/** 《督查通报》 of a period: the per-unit figures of 专题督办情况 plus the cases and actions it names. */
export interface SupervisionBulletin {
  report: SupervisionReport;
  generatedAt: string;
  /** Cases escalated to 二次督办 in the period. */
  escalations: BulletinEscalation[];
  /** Cases overdue at the report's instant. */
  overdue: SupervisionReport['cases'];
  /** Accountability actions dated in the period. */
  actions: BulletinAction[];
  unitNames: ReadonlyMap<string, string>;
}

/** Builds the bulletin from the 专题督办情况 report and the documents it was made from (pure). */
export function supervisionBulletin(args: {
  report: SupervisionReport;
  notices: readonly SupervisionNoticeView[];
  actions: readonly AccountabilityActionView[];
  unitNames: ReadonlyMap<string, string>;
  userNames: ReadonlyMap<string, string>;
  generatedAt: string;
  /** The start of the period's first day and the end of its last (instants). */
  start: string;
  end: string;
}): SupervisionBulletin {
  const { report, start, end } = args;
  const escalations: BulletinEscalation[] = [];
  for (const notice of args.notices) {
    const round2 = notice.rounds.find((r) => r.round === 2);
    if (!round2 || round2.openedAt < start || round2.openedAt >= end || round2.openedAt > report.asOf)
      continue;
    const state = caseAt(notice, report.asOf);
    escalations.push({
      noticeId: notice.noticeId,
      unitId: notice.unitId,
      unitName: args.unitNames.get(notice.unitId) ?? null,
      title: notice.title,
      escalatedAt: round2.openedAt,
      reason: round2.reason ? ESCALATION_REASONS[round2.reason] : '—',
      tracker: round2.tracker,
      trackerName: round2.tracker ? (args.userNames.get(round2.tracker) ?? null) : null,
      deadline: state.round === 2 ? state.deadline : round2.deadline,
      state: state.closed ? 'closed' : state.overdue ? 'overdue' : 'open',
    });
  }
  escalations.sort((a, b) => a.escalatedAt.localeCompare(b.escalatedAt));
  const titles = new Map(args.notices.map((n) => [n.noticeId, n.title]));
  const actions = args.actions
    .filter(
      (a) =>
        a.occurredOn >= report.period.from && a.occurredOn <= report.period.to && a.recordedAt <= report.asOf,
    )
    .map((a): BulletinAction => ({
      actionId: a.actionId,
      unitId: a.unitId,
      unitName: args.unitNames.get(a.unitId) ?? null,
      action: a.action,
      official: a.official ? `${a.official.position} ${a.official.name}` : null,
      reason: a.reason,
      basis: a.basis,
      occurredOn: a.occurredOn,
      deduction: a.deduction,
      noticeTitle: a.noticeId ? (titles.get(a.noticeId) ?? null) : null,
    }))
    .sort((a, b) => a.occurredOn.localeCompare(b.occurredOn) || a.actionId.localeCompare(b.actionId));
  return {
    report,
    generatedAt: args.generatedAt,
    escalations,
    overdue: report.cases.filter((c) => c.state === 'overdue'),
    actions,
    unitNames: args.unitNames,
  };
}

export const bulletinTitle = (b: SupervisionBulletin) =>
  `督查通报（${b.report.period.from} 至 ${b.report.period.to}${b.report.cycleId ? `，${b.report.cycleId}年度考核` : ''}）`;

const shanghaiDate = (instant: string) =>
  new Date(new Date(instant).getTime() + 8 * 3_600_000).toISOString().slice(0, 10);

/** The bulletin as a printable HTML page (A4 portrait), with the deductions per unit as bars. */
export function supervisionBulletinHtml(b: SupervisionBulletin): string {
  const { report } = b;
  const name = (unitId: string, unitName: string | null) => unitName ?? unitId;
  const totals = report.totals;
  const actionCount = ACCOUNTABILITY_ACTION_KINDS.reduce((sum, k) => sum + totals.actions[k], 0);
  const summary = `本期新开督办 ${totals.opened} 件，办结 ${totals.closed} 件，启动二次督办 ${totals.escalated} 件；截至 ${shanghaiDate(report.asOf)}，在办 ${totals.open} 件，其中逾期 ${totals.overdue} 件。本期问责 ${actionCount} 次，合计扣分 ${num(totals.deduction, 3)} 分。`;
  const perUnit = table(
    [
      '单位',
      '新开',
      '办结',
      '二次督办',
      '在办',
      '逾期',
      ...ACCOUNTABILITY_ACTION_KINDS.map((k) => ACTION_NAMES[k]),
      '扣分',
    ],
    report.rows.map((r) => [
      name(r.unitId, r.unitName),
      r.opened,
      r.closed,
      r.escalated,
      r.open,
      r.overdue,
      ...ACCOUNTABILITY_ACTION_KINDS.map((k) => r.actions[k]),
      num(r.deduction, 3),
    ]),
    {
      footer: [
        '合计',
        totals.opened,
        totals.closed,
        totals.escalated,
        totals.open,
        totals.overdue,
        ...ACCOUNTABILITY_ACTION_KINDS.map((k) => totals.actions[k]),
        num(totals.deduction, 3),
      ],
      empty: '本期无督办事项',
    },
  );
  const deducted = report.rows.filter((r) => r.deduction > 0).sort((a, b) => b.deduction - a.deduction);
  const chart =
    deducted.length === 0
      ? ''
      : `<div class="chart">${barChart(
          deducted.map((r) => ({ label: name(r.unitId, r.unitName), value: r.deduction, alert: true })),
          { title: '各单位问责扣分' },
        )}</div>`;
  const escalations = table(
    ['单位', '督办事项', '启动日期', '原因', '跟踪人', '办理期限', '状态'],
    b.escalations.map((e): Cell[] => [
      name(e.unitId, e.unitName),
      e.title,
      shanghaiDate(e.escalatedAt),
      e.reason,
      e.trackerName ?? e.tracker ?? '—',
      e.deadline,
      e.state === 'overdue' ? { html: '<span class="red">逾期</span>' } : STATE_NAMES[e.state],
    ]),
    { empty: '本期无二次督办' },
  );
  const overdue = table(
    ['单位', '督办事项', '轮次', '办理期限'],
    b.overdue.map((c) => [name(c.unitId, b.unitNames.get(c.unitId) ?? null), c.title, c.round, c.deadline]),
    { empty: '无逾期未办结事项' },
  );
  const actions = table(
    ['单位', '问责方式', '对象', '事由', '依据', '日期', '扣分'],
    b.actions.map((a) => [
      name(a.unitId, a.unitName),
      ACTION_NAMES[a.action],
      a.official ?? '—',
      a.noticeTitle ? `${a.reason}（督办：${a.noticeTitle}）` : a.reason,
      a.basis,
      a.occurredOn,
      num(a.deduction, 3),
    ]),
    { empty: '本期无问责' },
  );
  const body = `<h2>一、总体情况</h2>
<p>${escapeHtml(summary)}</p>
${perUnit}
${chart}
<h2>二、二次督办事项</h2>
${escalations}
<h2>三、逾期未办结事项</h2>
${overdue}
<h2>四、问责及扣分情况</h2>
${actions}
<p class="note">统计截至 ${escapeHtml(report.asOf)}（在办、逾期按此时点计）；生成于 ${escapeHtml(b.generatedAt)}。</p>`;
  return htmlDocument({ title: bulletinTitle(b), subtitle: '督查督办', body });
}

/** The bulletin as an Excel workbook: per unit, 二次督办, overdue cases, actions. */
export async function supervisionBulletinXlsx(b: SupervisionBulletin): Promise<Buffer> {
  const workbook = new Workbook();
  workbook.creator = '督考';
  const { report } = b;
  const units = workbook.addWorksheet('各单位情况', { views: [{ state: 'frozen', ySplit: 3 }] });
  units.addRow([bulletinTitle(b)]).font = { bold: true, size: 14 };
  units.addRow([`统计截至 ${report.asOf}`]);
  units.addRow([
    '单位编号',
    '单位',
    '新开',
    '办结',
    '二次督办',
    '在办',
    '逾期',
    ...ACCOUNTABILITY_ACTION_KINDS.map((k) => ACTION_NAMES[k]),
    '扣分',
  ]).font = { bold: true };
  for (const r of report.rows)
    units.addRow([
      r.unitId,
      r.unitName ?? '',
      r.opened,
      r.closed,
      r.escalated,
      r.open,
      r.overdue,
      ...ACCOUNTABILITY_ACTION_KINDS.map((k) => r.actions[k]),
      r.deduction,
    ]);
  const t = report.totals;
  units.addRow([
    '合计',
    '',
    t.opened,
    t.closed,
    t.escalated,
    t.open,
    t.overdue,
    ...ACCOUNTABILITY_ACTION_KINDS.map((k) => t.actions[k]),
    t.deduction,
  ]).font = { bold: true };
  const esc = workbook.addWorksheet('二次督办');
  esc.addRow([
    '编号',
    '单位编号',
    '单位',
    '督办事项',
    '启动时间',
    '原因',
    '跟踪人',
    '办理期限',
    '状态',
  ]).font = {
    bold: true,
  };
  for (const e of b.escalations)
    esc.addRow([
      e.noticeId,
      e.unitId,
      e.unitName ?? '',
      e.title,
      e.escalatedAt,
      e.reason,
      e.trackerName ?? e.tracker ?? '',
      e.deadline,
      STATE_NAMES[e.state],
    ]);
  const over = workbook.addWorksheet('逾期未办结');
  over.addRow(['编号', '单位编号', '督办事项', '轮次', '办理期限']).font = { bold: true };
  for (const c of b.overdue) over.addRow([c.noticeId, c.unitId, c.title, c.round, c.deadline]);
  const acts = workbook.addWorksheet('问责及扣分');
  acts.addRow(['编号', '单位编号', '单位', '问责方式', '对象', '事由', '依据', '日期', '扣分']).font = {
    bold: true,
  };
  for (const a of b.actions)
    acts.addRow([
      a.actionId,
      a.unitId,
      a.unitName ?? '',
      ACTION_NAMES[a.action],
      a.official ?? '',
      a.reason,
      a.basis,
      a.occurredOn,
      a.deduction,
    ]);
  return Buffer.from(await workbook.xlsx.writeBuffer());
}
