import { type Answer, type Questionnaire, SATISFACTION_LEVELS } from './campaign.events';

/** Rounds to two decimals, the precision results are published with. */
export const round2 = (x: number) => Math.round(x * 100) / 100;

/** What is missing or wrong in an answer to `questionnaire`; empty when it is complete. */
export function answerProblems(questionnaire: Questionnaire, answer: Answer): string[] {
  if (questionnaire.kind === 'satisfaction') {
    if (answer.kind !== 'satisfaction') return ['本次评议须选择满意、基本满意或不满意'];
    return SATISFACTION_LEVELS.includes(answer.level) ? [] : [`无效的满意度选项：${String(answer.level)}`];
  }
  if (answer.kind !== 'dimensions') return ['本次评议须对每个维度打分'];
  const problems: string[] = [];
  for (const dimension of questionnaire.dimensions) {
    const score = answer.scores[dimension];
    if (score === undefined) problems.push(`缺少“${dimension}”的评分`);
    else if (!Number.isFinite(score) || score < 0 || score > 100)
      problems.push(`“${dimension}”的评分须在 0–100 之间`);
  }
  for (const key of Object.keys(answer.scores))
    if (!questionnaire.dimensions.includes(key)) problems.push(`评议维度“${key}”不在本次评议表中`);
  return problems;
}

/** The overall score of a complete answer: the mean of its dimensions, or its level's mapped score. */
export function answerOverall(questionnaire: Questionnaire, answer: Answer): number {
  if (questionnaire.kind === 'satisfaction' && answer.kind === 'satisfaction')
    return questionnaire.scores[answer.level];
  if (questionnaire.kind === 'dimensions' && answer.kind === 'dimensions') {
    const values = questionnaire.dimensions.map((d) => answer.scores[d] ?? 0);
    return round2(values.reduce((a, b) => a + b, 0) / values.length);
  }
  throw new Error('answer does not fit the questionnaire');
}
