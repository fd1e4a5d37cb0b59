import type { Scheme } from '@dukao/targets';
import { type CategoryScore, type Grade, scoreCategory, type TraceStep } from './scoring.engine';
import type { SchemeVersion, ScoringInput } from './scoring.inputs';

/** What the shadow ranking calls the draft scheme version (the engine numbers it internally). */
export const DRAFT_SCHEME = 'draft';

/**
 * The draft as a scheme version the engine will pick at `input.at`, whatever else the input holds:
 * - `effectiveFrom` = `at`: in force at exactly the instant scored (the engine takes the latest
 *   `effectiveFrom ≤ at`; nothing real can be later);
 * - `version` = one more than any real version: it wins the tie with a real version effective at
 *   `at` too (the engine breaks ties on the highest version);
 * - `recordedAt` = the epoch: a draft is recorded at no real time, and the epoch is before every
 *   `asOf`, so every knowledge cut-off knows it. It is never appended anywhere.
 */
export function draftSchemeVersion(input: ScoringInput, scoring: Scheme['scoring']): SchemeVersion {
  return {
    version: Math.max(0, ...input.schemes.map((s) => s.version)) + 1,
    effectiveFrom: input.at,
    recordedAt: new Date(0).toISOString(),
    scoring,
  };
}

export interface ShadowSide {
  total: number;
  totalThousandths: number;
  rank: number;
  grade: Grade;
  flagged: boolean;
}

export interface ShadowUnit {
  unitId: string;
  current: ShadowSide;
  shadow: ShadowSide;
  /** shadow − current, exact. */
  totalDeltaThousandths: number;
  /** shadow − current (negative: moves up). */
  rankDelta: number;
  gradeChanged: boolean;
  /** Indicators whose score differs, with both scores. */
  indicatorsChanged: Array<{ indicatorId: string; current: number; shadow: number }>;
}

export interface ShadowRanking {
  cycleId: string;
  category: string;
  at: string;
  asOf: string | null;
  treeVersion: number;
  scale: number;
  schemeVersion: { current: number; shadow: typeof DRAFT_SCHEME };
  /** Scoring parameters the draft changes (dotted paths), with both values. */
  parametersChanged: Array<{ parameter: string; current: unknown; draft: unknown }>;
  /** In shadow rank order. */
  units: ShadowUnit[];
  /**
   * Category steps whose output differs (scheme in force, rank order, excellent quota, …), with both
   * outputs; the draft's internal version number reads `draft`.
   */
  categoryTrace: Array<{ rule: string; indicatorId?: string; current: unknown; shadow: unknown }>;
}

const side = (u: CategoryScore['units'][number]): ShadowSide => ({
  total: u.total,
  totalThousandths: u.totalThousandths,
  rank: u.rank,
  grade: u.grade,
  flagged: u.flagged,
});

function leaves(value: unknown, path: string, into: Map<string, unknown>): Map<string, unknown> {
  if (value !== null && typeof value === 'object' && !Array.isArray(value))
    for (const [k, v] of Object.entries(value)) leaves(v, path ? `${path}.${k}` : k, into);
  else into.set(path, value);
  return into;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
const stepKey = (s: TraceStep) => `${s.rule}|${s.indicatorId ?? ''}`;

/**
 * Shadow scoring (pure): the category ranked under the scheme in force and under a draft of its
 * `scoring` part, side by side, at the same `at` and `asOf`. Nothing is appended: the draft only
 * enters the engine's input (see {@link draftSchemeVersion}). Throws what the engine throws (no tree
 * in force, …); the draft is assumed valid (`schemeSchema.shape.scoring`).
 */
export function shadowRanking(input: ScoringInput, draft: Scheme['scoring']): ShadowRanking {
  const current = scoreCategory(input);
  const version = draftSchemeVersion(input, draft);
  const shadow = scoreCategory({ ...input, schemes: [...input.schemes, version] });
  const inForce = input.schemes.find((s) => s.version === current.schemeVersion)!;

  const before = leaves(inForce.scoring, '', new Map());
  const after = leaves(draft, '', new Map());
  const parametersChanged = [...new Set([...before.keys(), ...after.keys()])]
    .sort()
    .filter((p) => !same(before.get(p), after.get(p)))
    .map((parameter) => ({
      parameter,
      current: before.get(parameter) ?? null,
      draft: after.get(parameter) ?? null,
    }));

  const now = new Map(current.units.map((u) => [u.unitId, u]));
  const units = shadow.units.map((s): ShadowUnit => {
    const c = now.get(s.unitId)!;
    const scores = new Map(c.indicators.map((i) => [i.indicatorId, i.score]));
    return {
      unitId: s.unitId,
      current: side(c),
      shadow: side(s),
      totalDeltaThousandths: s.totalThousandths - c.totalThousandths,
      rankDelta: s.rank - c.rank,
      gradeChanged: s.grade !== c.grade,
      indicatorsChanged: s.indicators
        .filter((i) => scores.get(i.indicatorId) !== i.score)
        .map((i) => ({
          indicatorId: i.indicatorId,
          current: scores.get(i.indicatorId) ?? 0,
          shadow: i.score,
        })),
    };
  });

  const label = (step: TraceStep) =>
    step.rule === 'schemeInForce'
      ? { version: DRAFT_SCHEME, effectiveFrom: version.effectiveFrom }
      : step.output;
  const currentSteps = new Map(current.trace.map((s) => [stepKey(s), s]));
  const categoryTrace = shadow.trace.flatMap((s) => {
    const c = currentSteps.get(stepKey(s));
    const shadowOutput = label(s);
    if (c && same(c.output, shadowOutput)) return [];
    return [
      {
        rule: s.rule,
        ...(s.indicatorId !== undefined ? { indicatorId: s.indicatorId } : {}),
        current: c?.output ?? null,
        shadow: shadowOutput,
      },
    ];
  });

  return {
    cycleId: current.cycleId,
    category: current.category,
    at: current.at,
    asOf: current.asOf,
    treeVersion: current.treeVersion,
    scale: current.scale,
    schemeVersion: { current: current.schemeVersion, shadow: DRAFT_SCHEME },
    parametersChanged,
    units,
    categoryTrace,
  };
}
