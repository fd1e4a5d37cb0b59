import { round2 } from './answer';
import type {
  CampaignDefinition,
  GroupResult,
  RaterGroupKind,
  ReciprocalSignal,
  SurveyRow,
  UnitResult,
} from './campaign.events';

/** The latest version of one sheet: who rated whom, with what overall score. */
export interface SheetScore {
  group: 'departments' | 'leaders';
  /** The rating department's unit id, or the leader's user id. */
  rater: string;
  unitId: string;
  overall: number;
}

export interface ResultsInput {
  definition: CampaignDefinition;
  sheets: readonly SheetScore[];
  /** Overall score of every public rating, per rated unit. */
  publicRatings: ReadonlyMap<string, readonly number[]>;
  survey: readonly SurveyRow[] | null;
}

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/**
 * Mean after dropping `floor(n × share)` scores at each end (with share 0.05, nothing is dropped
 * below 20 responses). Null without responses.
 */
export function trimmedMean(scores: readonly number[], share: number): number | null {
  if (scores.length === 0) return null;
  const k = Math.floor(scores.length * share);
  const sorted = [...scores].sort((a, b) => a - b);
  return mean(sorted.slice(k, sorted.length - k));
}

function groupResult(
  kind: RaterGroupKind,
  weight: number,
  scores: readonly number[],
  trimShare: number | null,
): Omit<GroupResult, 'appliedWeight'> {
  if (scores.length === 0) return { kind, weight, responses: 0, mean: null, trimmedMean: null, score: null };
  const plain = mean(scores);
  const trimmed = trimShare === null ? null : trimmedMean(scores, trimShare);
  return {
    kind,
    weight,
    responses: scores.length,
    mean: round2(plain),
    trimmedMean: trimmed === null ? null : round2(trimmed),
    score: round2(trimmed ?? plain),
  };
}

/**
 * Per unit: each group's mean (and trimmed mean when configured) over its responses, and the
 * weighted overall. A group without responses for a unit is left out and the other groups' weights
 * are re-normalised to sum to 1 (`renormalised: true`); a survey group counts its row's mean once,
 * with its respondent count as `responses`, and is never trimmed.
 */
export function computeResults({ definition, sheets, publicRatings, survey }: ResultsInput): UnitResult[] {
  return definition.unitIds.map((unitId) => {
    const groups = definition.groups.map((group) => {
      switch (group.kind) {
        case 'departments':
        case 'leaders': {
          const scores = sheets
            .filter((s) => s.group === group.kind && s.unitId === unitId)
            .map((s) => s.overall);
          return groupResult(group.kind, group.weight, scores, definition.trimShare);
        }
        case 'public':
          return groupResult('public', group.weight, publicRatings.get(unitId) ?? [], definition.trimShare);
        case 'survey': {
          const row = survey?.find((r) => r.unitId === unitId);
          return row
            ? {
                kind: 'survey' as const,
                weight: group.weight,
                responses: row.respondents,
                mean: row.mean,
                trimmedMean: null,
                score: row.mean,
              }
            : groupResult('survey', group.weight, [], null);
        }
      }
    });
    const answered = groups.filter((g) => g.score !== null);
    const total = answered.reduce((s, g) => s + g.weight, 0);
    const overall = total > 0 ? round2(answered.reduce((s, g) => s + g.weight * g.score!, 0) / total) : null;
    return {
      unitId,
      groups: groups.map((g) => ({
        ...g,
        appliedWeight: g.score === null || total === 0 ? 0 : Math.round((g.weight / total) * 1e4) / 1e4,
      })),
      overall,
      renormalised: answered.length > 0 && answered.length < groups.length,
    };
  });
}

/**
 * Pairs of departments that rated each other at least `threshold` points above their own mean
 * rating of the other units (互相抬分): a signal for the inspectors, not a verdict.
 */
export function reciprocalSignals(sheets: readonly SheetScore[], threshold: number): ReciprocalSignal[] {
  const departments = sheets.filter((s) => s.group === 'departments');
  const given = (from: string, to: string) =>
    departments.find((s) => s.rater === from && s.unitId === to)?.overall;
  const meanOfOthers = (from: string, except: string) => {
    const others = departments.filter((s) => s.rater === from && s.unitId !== except).map((s) => s.overall);
    return others.length ? mean(others) : null;
  };
  const raters = [...new Set(departments.map((s) => s.rater))].sort();
  const signals: ReciprocalSignal[] = [];
  for (const a of raters) {
    for (const b of raters) {
      if (b <= a) continue;
      const aToB = given(a, b);
      const bToA = given(b, a);
      const aMean = meanOfOthers(a, b);
      const bMean = meanOfOthers(b, a);
      if (aToB === undefined || bToA === undefined || aMean === null || bMean === null) continue;
      if (aToB - aMean >= threshold && bToA - bMean >= threshold)
        signals.push({
          unitA: a,
          unitB: b,
          aToB,
          aMeanOfOthers: round2(aMean),
          bToA,
          bMeanOfOthers: round2(bMean),
        });
    }
  }
  return signals;
}
