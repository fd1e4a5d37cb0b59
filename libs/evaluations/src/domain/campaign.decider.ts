import type { Decider } from '@dukao/event-store';
import { round2 } from './answer';
import { CampaignErrors } from './campaign.errors';
import {
  type CampaignDefinition,
  type CampaignEvent,
  RATER_GROUP_KINDS,
  SATISFACTION_LEVELS,
  type SurveyRow,
  type UnitResult,
  type ReciprocalSignal,
} from './campaign.events';

export type CampaignState =
  | { status: 'none' }
  | { status: 'created' | 'open' | 'closed'; definition: CampaignDefinition; survey: SurveyRow[] | null };

/** A row of a survey as entered: the domain derives its mean. */
export interface SurveyRowInput {
  /** The row's number as the person knows it (the Excel row); defaults to its position from 1. */
  row?: number;
  unitId: string;
  respondents: number;
  dimensionMeans?: Record<string, number> | null;
  levelCounts?: Partial<Record<string, number>> | null;
}

export type CampaignCommand =
  | { type: 'CreateCampaign'; definition: CampaignDefinition; at: string }
  | { type: 'OpenCampaign'; campaignId: string; at: string }
  | {
      type: 'ImportSurveyResults';
      campaignId: string;
      rows: SurveyRowInput[];
      source: string | null;
      at: string;
    }
  | {
      type: 'CloseCampaign';
      campaignId: string;
      at: string;
      /** Computed by the handler from the sheets and ratings (`computeResults`). */
      results: { units: UnitResult[]; reciprocalSignals: ReciprocalSignal[] };
    };

const WEIGHT_TOLERANCE = 1e-6;

/** Everything wrong with a campaign definition, in Chinese; empty when it is sound. */
export function campaignProblems(d: CampaignDefinition): string[] {
  const problems: string[] = [];
  if (!d.name.trim()) problems.push('名称不能为空');
  if (d.unitIds.length === 0) problems.push('至少需要一个被评议单位');
  if (new Set(d.unitIds).size !== d.unitIds.length) problems.push('被评议单位有重复');
  if (d.groups.length === 0) problems.push('至少需要一个评议群体');
  const kinds = d.groups.map((g) => g.kind);
  if (new Set(kinds).size !== kinds.length) problems.push('评议群体不得重复');
  for (const group of d.groups) {
    if (!RATER_GROUP_KINDS.includes(group.kind)) problems.push(`未知的评议群体：${String(group.kind)}`);
    if (typeof group.weight !== 'number' || !(group.weight > 0 && group.weight <= 1))
      problems.push(`评议群体 ${group.kind} 的权重须大于 0 且不超过 1`);
    if (group.kind === 'departments' && group.raterUnitIds.length === 0)
      problems.push('部门互评须列出评议部门');
    if (group.kind === 'leaders' && group.userIds.length === 0) problems.push('领导评议须列出评议领导');
  }
  const sum = d.groups.reduce((s, g) => s + g.weight, 0);
  if (d.groups.length && Math.abs(sum - 1) > WEIGHT_TOLERANCE)
    problems.push(`各评议群体权重之和须为 1，现为 ${round2(sum)}`);
  const q = d.questionnaire;
  if (q.kind === 'dimensions') {
    if (q.dimensions.length === 0) problems.push('至少需要一个评议维度');
    if (new Set(q.dimensions).size !== q.dimensions.length) problems.push('评议维度有重复');
    if (q.dimensions.some((x) => !x.trim())) problems.push('评议维度名称不能为空');
  } else {
    for (const level of SATISFACTION_LEVELS) {
      const score = q.scores[level];
      if (typeof score !== 'number' || !(score >= 0 && score <= 100))
        problems.push(`“${level}”须对应 0–100 之间的分值`);
    }
  }
  if (!(Date.parse(d.opensAt) < Date.parse(d.closesAt))) problems.push('开始时间须早于截止时间');
  if (d.quota && !(d.quota.excellentAt > 0 && d.quota.excellentAt <= 100))
    problems.push('优秀分数线须在 0–100 之间');
  if (d.quota && !(d.quota.maxShare > 0 && d.quota.maxShare <= 1))
    problems.push('优秀比例须大于 0 且不超过 1');
  if (d.trimShare !== null && !(d.trimShare >= 0 && d.trimShare < 0.5))
    problems.push('去除最高、最低分的比例须在 0 到 0.5 之间');
  if (!(d.reciprocalThreshold > 0)) problems.push('互评异常阈值须大于 0');
  return problems;
}

/** Refuses answers unless the campaign is open and `at` lies in [opensAt, closesAt). */
export function assertAcceptsAnswers(
  state: CampaignState,
  campaignId: string,
  at: string,
): CampaignDefinition {
  if (state.status === 'none') throw CampaignErrors.notFound(campaignId);
  if (state.status === 'closed' || Date.parse(at) >= Date.parse(state.definition.closesAt))
    throw CampaignErrors.closed(campaignId);
  if (state.status === 'created' || Date.parse(at) < Date.parse(state.definition.opensAt))
    throw CampaignErrors.notOpen(campaignId);
  return state.definition;
}

function surveyRows(definition: CampaignDefinition, inputs: SurveyRowInput[]): SurveyRow[] {
  const problems: string[] = [];
  const rows: SurveyRow[] = [];
  const seen = new Set<string>();
  const q = definition.questionnaire;
  inputs.forEach((input, index) => {
    const at = `第 ${input.row ?? index + 1} 行`;
    const before = problems.length;
    if (!definition.unitIds.includes(input.unitId))
      problems.push(`${at}：单位 ${input.unitId} 不在本次评议对象之中`);
    if (seen.has(input.unitId)) problems.push(`${at}：单位 ${input.unitId} 重复`);
    seen.add(input.unitId);
    if (!(Number.isInteger(input.respondents) && input.respondents > 0))
      problems.push(`${at}：受访人数须为正整数`);
    let mean: number;
    let dimensionMeans: Record<string, number> | null = null;
    let levelCounts: SurveyRow['levelCounts'] = null;
    if (q.kind === 'dimensions') {
      const given = input.dimensionMeans ?? {};
      if (input.levelCounts) problems.push(`${at}：本次评议按维度打分，须提供各维度平均分`);
      for (const key of Object.keys(given))
        if (!q.dimensions.includes(key)) problems.push(`${at}：评议维度“${key}”不在本次评议表中`);
      const values: number[] = [];
      for (const dimension of q.dimensions) {
        const value = given[dimension];
        if (typeof value !== 'number' || !(value >= 0 && value <= 100))
          problems.push(`${at}：“${dimension}”的平均分须在 0–100 之间`);
        else values.push(value);
      }
      dimensionMeans = Object.fromEntries(q.dimensions.map((d) => [d, given[d] ?? 0]));
      mean = values.length ? values.reduce((a, b) => a + b, 0) / values.length : 0;
    } else {
      const given = input.levelCounts ?? {};
      if (!input.levelCounts) problems.push(`${at}：本次为满意度评议，须提供满意、基本满意、不满意人数`);
      const counts = Object.fromEntries(SATISFACTION_LEVELS.map((l) => [l, given[l] ?? 0])) as Record<
        (typeof SATISFACTION_LEVELS)[number],
        number
      >;
      if (SATISFACTION_LEVELS.some((l) => !(Number.isInteger(counts[l]) && counts[l] >= 0)))
        problems.push(`${at}：各满意度人数须为非负整数`);
      const total = SATISFACTION_LEVELS.reduce((s, l) => s + counts[l], 0);
      if (total !== input.respondents) problems.push(`${at}：各满意度人数之和 ${total} 与受访人数不符`);
      levelCounts = counts;
      mean = total ? SATISFACTION_LEVELS.reduce((s, l) => s + counts[l] * q.scores[l], 0) / total : 0;
    }
    if (problems.length === before)
      rows.push({
        unitId: input.unitId,
        respondents: input.respondents,
        mean: round2(mean),
        dimensionMeans,
        levelCounts,
      });
  });
  if (inputs.length === 0) problems.push('没有数据行');
  if (problems.length) throw CampaignErrors.invalidSurvey(problems);
  return rows;
}

/**
 * A satisfaction campaign (`campaign-<id>`): created, opened, fed with a survey import, closed.
 * Closing appends `CampaignClosed` and the results computed by the handler.
 */
export const campaignDecider: Decider<CampaignCommand, CampaignState, CampaignEvent> = {
  initialState: () => ({ status: 'none' }),
  evolve(state, event) {
    switch (event.type) {
      case 'CampaignCreated': {
        const { createdAt: _createdAt, ...definition } = event.data;
        return { status: 'created', definition, survey: null };
      }
      case 'CampaignOpened':
        return state.status === 'none' ? state : { ...state, status: 'open' };
      case 'SurveyResultsImported':
        return state.status === 'none' ? state : { ...state, survey: event.data.rows };
      case 'CampaignClosed':
        return state.status === 'none' ? state : { ...state, status: 'closed' };
      case 'EvaluationResultsPublished':
        return state;
    }
  },
  decide(command, state) {
    switch (command.type) {
      case 'CreateCampaign': {
        const { definition, at } = command;
        if (state.status !== 'none') throw CampaignErrors.alreadyExists(definition.campaignId);
        const problems = campaignProblems(definition);
        if (problems.length) throw CampaignErrors.invalid(problems);
        return [{ type: 'CampaignCreated', data: { ...definition, createdAt: at } }];
      }
      case 'OpenCampaign': {
        if (state.status === 'none') throw CampaignErrors.notFound(command.campaignId);
        if (state.status === 'open') return [];
        if (state.status === 'closed') throw CampaignErrors.closed(state.definition.campaignId);
        return [
          { type: 'CampaignOpened', data: { campaignId: state.definition.campaignId, openedAt: command.at } },
        ];
      }
      case 'ImportSurveyResults': {
        if (state.status === 'none') throw CampaignErrors.notFound(command.campaignId);
        const { campaignId } = state.definition;
        if (state.status === 'closed') throw CampaignErrors.closed(campaignId);
        if (!state.definition.groups.some((g) => g.kind === 'survey'))
          throw CampaignErrors.invalidSurvey(['本次评议未设第三方调查群体']);
        const rows = surveyRows(state.definition, command.rows);
        return [
          {
            type: 'SurveyResultsImported',
            data: { campaignId, rows, source: command.source, importedAt: command.at },
          },
        ];
      }
      case 'CloseCampaign': {
        if (state.status === 'none') throw CampaignErrors.notFound(command.campaignId);
        const { campaignId, cycleId } = state.definition;
        if (state.status === 'closed') return [];
        if (state.status === 'created') throw CampaignErrors.notOpen(campaignId);
        return [
          { type: 'CampaignClosed', data: { campaignId, closedAt: command.at } },
          {
            type: 'EvaluationResultsPublished',
            data: { campaignId, cycleId, ...command.results, publishedAt: command.at },
          },
        ];
      }
      default: {
        const _exhaustive: never = command;
        return _exhaustive;
      }
    }
  },
};
