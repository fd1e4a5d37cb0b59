import type { ScoringRule, TraceStep, UnitScore } from '@dukao/scoring';
import { barChart } from '../charts/svg-charts';
import { type Cell, escapeHtml, htmlDocument, num } from '../html/html';
import { CATEGORY_NAMES, GRADE_NAMES } from '../performance/performance-report';

/** Each scoring rule of the engine's trace, as an appellant reads it. */
export const RULE_NAMES: Record<ScoringRule, string> = {
  schemeInForce: '生效的评分方案',
  treeInForce: '生效的指标体系',
  targetExcluded: '目标不计分',
  ratio: '完成比例',
  completion: '完成度得分',
  progress: '推进度得分',
  contributionNormalise: '贡献度归一化',
  contribution: '贡献度得分',
  milestones: '节点完成得分',
  satisfaction: '满意度得分',
  noTarget: '无目标的指标',
  indicatorScore: '指标得分',
  level1Total: '一级指标合计',
  bonus: '加分',
  bonusCap: '加分封顶',
  penalty: '减分',
  accountability: '问责扣分',
  falseReport: '虚报瞒报扣分',
  veto: '一票否决',
  ruling: '申诉裁决',
  total: '总分',
  rank: '排名',
  excellentQuota: '优秀名额',
  gradeBand: '等次',
  gradeOverride: '等次调整',
  bottomFlag: '末位标记',
};

const METHOD_NAMES: Record<string, string> = {
  completion: '完成度',
  progress: '推进度',
  contribution: '贡献度',
  milestones: '节点',
  satisfaction: '满意度',
};

/** What the explanation document shows: the explain route's answer plus names for ids. */
export interface ScoreExplanationInput {
  unitId: string;
  unitName: string | null;
  cycleId: string;
  category: string;
  at: string;
  asOf: string | null;
  schemeVersion: number;
  treeVersion: number;
  scale: number;
  score: UnitScore;
  indicatorNames: ReadonlyMap<string, string>;
  targetTitles: ReadonlyMap<string, string>;
  generatedAt: string;
}

const t = (thousandths: number) => num(thousandths / 1000, 3);

/** A trace value as text: numbers and strings as they are, objects as `key: value` pairs. */
export function traceValue(value: unknown): string {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map(traceValue).join('，');
  return Object.entries(value as Record<string, unknown>)
    .map(([k, v]) => `${k}: ${typeof v === 'object' && v !== null ? JSON.stringify(v) : traceValue(v)}`)
    .join('；');
}

function subject(step: TraceStep, input: ScoreExplanationInput): string {
  const parts: string[] = [];
  if (step.indicatorId) parts.push(input.indicatorNames.get(step.indicatorId) ?? step.indicatorId);
  if (step.targetId) parts.push(input.targetTitles.get(step.targetId) ?? step.targetId);
  return parts.join(' · ') || '—';
}

/**
 * The score of one unit with how it was reached, as a printable document for an appellant (申诉人)
 * and the reviewers: the result, each indicator, every rule applied with its inputs and output, and
 * the events each drew on (pure).
 */
export function scoreExplanationHtml(input: ScoreExplanationInput): string {
  const s = input.score;
  const unit = input.unitName ?? input.unitId;
  const title = `${unit} 得分说明（${input.cycleId}年度考核）`;
  const facts: Array<[string, string]> = [
    ['单位', `${unit}（${input.unitId}），${CATEGORY_NAMES[input.category] ?? input.category}`],
    ['评分时点', input.at],
    ['依据记录截至', input.asOf ?? '全部记录'],
    [
      '评分方案 / 指标体系',
      `第 ${input.schemeVersion} 版 / 第 ${input.treeVersion} 版（满分 ${input.scale}）`,
    ],
    ['总分', num(s.total)],
    ['名次', String(s.rank)],
    [
      '等次',
      `${GRADE_NAMES[s.grade]}${s.grade !== s.gradeBeforeOverrides ? `（调整前 ${GRADE_NAMES[s.gradeBeforeOverrides]}）` : ''}`,
    ],
    ['末位', s.flagged ? '是（类别后三名）' : '否'],
    ['一票否决', s.vetoed ? '是' : '否'],
  ];
  const parts: Array<[string, string]> = [
    ['指标得分合计', t(s.indicatorSumThousandths)],
    ['加分（封顶后）', `+${t(s.bonusThousandths)}（封顶前 ${t(s.bonusUncappedThousandths)}）`],
    ['减分', `−${t(s.penaltyThousandths)}`],
    ['问责扣分', `−${t(s.accountabilityThousandths)}`],
    ['虚报瞒报扣分', `−${t(s.falseReportThousandths)}`],
    ['申诉裁决调整', t(s.rulingThousandths)],
    ['总分', t(s.totalThousandths)],
  ];
  const level1 = s.indicators.filter((i) => i.level === 1);
  const chart = barChart(
    level1.map((i) => ({
      label: input.indicatorNames.get(i.indicatorId) ?? i.indicatorId,
      value: i.points === 0 ? 0 : Math.round((i.score / i.points) * 10_000) / 100,
    })),
    { title: '一级指标得分率（%）', max: 100 },
  );
  // Tree order: each level-1 indicator, then its level-2 children.
  const ordered = level1.flatMap((parent) => [
    parent,
    ...s.indicators.filter((i) => i.level === 2 && i.parentId === parent.indicatorId),
  ]);
  const indicatorRows = ordered.map((i): Cell[] => [
    i.level === 1 ? '一级' : '二级',
    input.indicatorNames.get(i.indicatorId) ?? i.indicatorId,
    i.method ? (METHOD_NAMES[i.method] ?? i.method) : '—',
    num(i.points),
    num(i.score, 3),
  ]);
  const stepRows = s.trace.map((step, n): Cell[] => [
    n + 1,
    RULE_NAMES[step.rule] ?? step.rule,
    subject(step, input),
    { html: `<pre>${escapeHtml(traceValue(step.inputs))}</pre>` },
    { html: `<pre>${escapeHtml(traceValue(step.output))}</pre>` },
    step.events.map((e) => `${e.type} #${e.position}`).join('\n') || '—',
  ]);
  const events = new Map<string, { eventId: string; position: number; type: string }>();
  for (const step of s.trace) for (const e of step.events) events.set(e.eventId, e);
  const eventRows = [...events.values()]
    .sort((a, b) => a.position - b.position)
    .map((e): Cell[] => [e.position, e.type, e.eventId]);
  const dl = (pairs: Array<[string, string]>) =>
    `<dl class="facts">${pairs.map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>`).join('')}</dl>`;
  const tableOf = (header: string[], rows: Cell[][], empty: string) => {
    const cell = (v: Cell, tag: string) =>
      `<${tag}>${typeof v === 'object' ? v.html : escapeHtml(String(v)).replace(/\n/g, '<br>')}</${tag}>`;
    return `<table><thead><tr>${header.map((h) => cell(h, 'th')).join('')}</tr></thead><tbody>${
      rows.length === 0
        ? `<tr><td colspan="${header.length}" class="empty">${escapeHtml(empty)}</td></tr>`
        : rows.map((r) => `<tr>${r.map((v) => cell(v, 'td')).join('')}</tr>`).join('\n')
    }</tbody></table>`;
  };
  const body = `<h2>一、得分概况</h2>
${dl(facts)}
<h3>总分构成</h3>
${dl(parts)}
<h2>二、指标得分</h2>
${tableOf(['层级', '指标', '计分方法', '分值', '得分'], indicatorRows, '无指标')}
<div class="chart">${chart}</div>
<h2>三、计算过程</h2>
<p class="note">按计算顺序列出每条规则的输入、输出及所依据的事件（事件类型 #日志位置）。</p>
${tableOf(['序号', '规则', '对象', '输入', '输出', '依据事件'], stepRows, '无计算步骤')}
<h2>四、所依据的事件</h2>
${tableOf(['日志位置', '事件类型', '事件编号'], eventRows, '无')}
<p class="note">本说明由日志重算得出：同一评分时点与记录截至时点，任何时候重算结果相同。生成于 ${escapeHtml(input.generatedAt)}。</p>`;
  return htmlDocument({ title, subtitle: `评分时点 ${input.at}`, body });
}
