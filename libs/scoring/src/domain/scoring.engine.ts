import { DomainError } from '@dukao/kernel';
import {
  expectedPctForPeriod,
  type Indicator,
  lastMonthOf,
  periodEnd,
  periodsOf,
  type Scheme,
  type TargetDefinition,
} from '@dukao/targets';
import { Dec, fromHundredths, fromThousandths, thousandthsToHundredths } from './decimal';
import {
  type IndicatorTreeVersion,
  RECORD_EVENT_TYPES,
  type Ruling,
  SATISFACTION_EVENT_TYPE,
  type SatisfactionResult,
  type SchemeVersion,
  type ScoringInput,
  type UnitRecord,
} from './scoring.inputs';
import { countingReports, type EventRef, foldTargets, type TargetFacts, valueAt } from './target-facts';

export type Grade = 'excellent' | 'good' | 'pass' | 'admonished';
const GRADE_ORDER: readonly Grade[] = ['admonished', 'pass', 'good', 'excellent'];

export type ScoringRule =
  | 'schemeInForce'
  | 'treeInForce'
  | 'targetExcluded'
  | 'ratio'
  | 'completion'
  | 'progress'
  | 'contributionNormalise'
  | 'contribution'
  | 'milestones'
  | 'satisfaction'
  | 'noTarget'
  | 'indicatorScore'
  | 'level1Total'
  | 'bonus'
  | 'bonusCap'
  | 'penalty'
  | 'accountability'
  | 'falseReport'
  | 'veto'
  | 'ruling'
  | 'total'
  | 'rank'
  | 'excellentQuota'
  | 'gradeBand'
  | 'gradeOverride'
  | 'bottomFlag';

/** One rule applied: what it took, what it gave, and the events it drew on. */
export interface TraceStep {
  rule: ScoringRule;
  unitId?: string;
  indicatorId?: string;
  targetId?: string;
  inputs: Record<string, unknown>;
  output: unknown;
  events: EventRef[];
  schemeVersion: number;
}

export interface IndicatorScore {
  indicatorId: string;
  level: 1 | 2;
  parentId: string | null;
  method: Indicator['method'];
  points: number;
  /** Points earned, in thousandths of a point (exact), and as a number for display. */
  scoreThousandths: number;
  score: number;
}

export interface UnitScore {
  unitId: string;
  indicators: IndicatorScore[];
  /** Sum of the level-1 totals (thousandths). */
  indicatorSumThousandths: number;
  bonusUncappedThousandths: number;
  bonusThousandths: number;
  penaltyThousandths: number;
  accountabilityThousandths: number;
  falseReportThousandths: number;
  /** Points added (+) or taken (−) by rulings on score appeals (thousandths). */
  rulingThousandths: number;
  totalThousandths: number;
  /** The published total: thousandths rounded half-up to two decimals. */
  total: number;
  rank: number;
  gradeBeforeOverrides: Grade;
  grade: Grade;
  vetoed: boolean;
  /** Among the bottom three of the category. */
  flagged: boolean;
  trace: TraceStep[];
}

export interface CategoryScore {
  cycleId: string;
  category: string;
  at: string;
  asOf: string | null;
  schemeVersion: number;
  treeVersion: number;
  scale: number;
  /** In rank order. */
  units: UnitScore[];
  /** Category-wide steps (versions in force, contribution normalisation, ranking, quota). */
  trace: TraceStep[];
}

/**
 * Which traces to build. `'all'` (the default): every unit's and the category's; `'none'`: no trace
 * at all (views that keep only the numbers); `{ units }`: those units' traces and the category's
 * steps (explain). The numbers are the same whichever is asked; a unit not traced has `trace: []`.
 */
export type TraceScope = 'all' | 'none' | { units: readonly string[] };

export interface ScoreOptions {
  trace?: TraceScope;
  /**
   * `foldTargets(input.targetEvents, input.asOf)` when the caller already has it (the rankings view
   * scores several months of the same events); it must be exactly that, or the numbers are wrong.
   */
  facts?: readonly TargetFacts[];
}

export const ScoringErrors = {
  noScheme: (at: string) =>
    new DomainError('invalid', 'NO_SCHEME_IN_FORCE', '评分时点无生效的评分方案', { at }),
  noTree: (category: string, at: string) =>
    new DomainError('invalid', 'NO_TREE_IN_FORCE', '评分时点该类别无生效的指标体系', { category, at }),
};

const byStr = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const known = (asOf: string | undefined, recordedAt: string) => asOf === undefined || recordedAt <= asOf;
/** Recording order: recordedAt, then position, then event id (a total order on the inputs). */
const byRecording = (
  a: { recordedAt: string; position: number; eventId: string },
  b: { recordedAt: string; position: number; eventId: string },
) => byStr(a.recordedAt, b.recordedAt) || a.position - b.position || byStr(a.eventId, b.eventId);
const rulingRef = (r: Ruling): EventRef => ({
  eventId: r.eventId,
  position: r.position,
  type: 'RulingRecorded',
});

/** The version in force at `at` among those known at `asOf`: latest effectiveFrom, then highest version. */
function inForce<T extends { version: number; effectiveFrom: string; recordedAt: string }>(
  versions: readonly T[],
  at: string,
  asOf: string | undefined,
): T | undefined {
  return versions
    .filter((v) => v.effectiveFrom <= at && known(asOf, v.recordedAt))
    .sort((a, b) => byStr(a.effectiveFrom, b.effectiveFrom) || a.version - b.version)
    .at(-1);
}

/** Direction-aware completion ratio (DOMAIN.md), clamped to [0, cap]. No report: 0. */
export function ratio(
  def: Pick<TargetDefinition, 'direction'>,
  actual: number | null,
  target: number | null,
  cap: Dec,
): Dec {
  if (actual === null || target === null) return Dec.ZERO;
  const a = Dec.of(actual);
  const t = Dec.of(target);
  let r: Dec;
  if (def.direction === 'higherIsBetter') r = t.isZero() ? (a.gte(Dec.ZERO) ? cap : Dec.ZERO) : a.div(t);
  else r = a.cmp(Dec.ZERO) <= 0 ? cap : t.div(a);
  return Dec.clamp(r, Dec.ZERO, cap);
}

/** Progress factor: linear from 0 at p ≤ zeroAt to 1 at p ≥ fullAt. */
export function progressFactor(p: Dec, scoring: Scheme['scoring']): Dec {
  const full = Dec.of(scoring.progressFullAt);
  const zero = Dec.of(scoring.progressZeroAt);
  if (full.cmp(zero) <= 0) return p.gte(full) ? Dec.ONE : Dec.ZERO;
  return Dec.clamp(p.sub(zero).div(full.sub(zero)), Dec.ZERO, Dec.ONE);
}

function leavesOf(indicators: readonly Indicator[]): Indicator[] {
  const parents = new Set(indicators.map((i) => i.parentId).filter((p): p is string => p !== null));
  return indicators.filter((i) => i.level === 2 || !parents.has(i.indicatorId));
}

interface Valued {
  unitId: string;
  facts: TargetFacts;
  actual: number | null;
  target: number | null;
  events: EventRef[];
}

/** The latest counting report with a value, and the value in force, at `at`. */
function valued(unitId: string, f: TargetFacts, at: string, overturned: ReadonlySet<string>): Valued {
  // The last, in stream order, of the counting reports with a value for the latest period month.
  let latest: ReturnType<typeof countingReports>[number] | undefined;
  let latestMonth = 0;
  for (const r of countingReports(f, at, overturned)) {
    if (r.cumulativeValue === null) continue;
    const month = lastMonthOf(r.period);
    if (latest === undefined || month >= latestMonth) {
      latest = r;
      latestMonth = month;
    }
  }
  const v = valueAt(f, at);
  return {
    unitId,
    facts: f,
    actual: latest?.cumulativeValue ?? null,
    target: v.value,
    events: [v.ref, ...(latest?.refs ?? [])],
  };
}

/**
 * Scores a category at `input.at` as known at `input.asOf`: a pure fold over the target events,
 * the scheme and indicator-tree versions, satisfaction results and unit records. Deterministic:
 * arithmetic is exact (rationals), each rule's result is rounded once to thousandths of a point
 * (half-up), and the published total to hundredths (half-up). See docs/scoring.md.
 */
export function scoreCategory(input: ScoringInput, options: ScoreOptions = {}): CategoryScore {
  const { at, asOf } = input;
  const scope = options.trace ?? 'all';
  const scheme: SchemeVersion | undefined = inForce(input.schemes, at, asOf);
  if (!scheme) throw ScoringErrors.noScheme(at);
  const tree: IndicatorTreeVersion | undefined = inForce(input.trees, at, asOf);
  if (!tree) throw ScoringErrors.noTree(input.category, at);
  const sv = scheme.version;
  const s = scheme.scoring;
  const cap = Dec.of(s.completionCap);
  const categoryTraced = scope !== 'none';
  const categoryTrace: TraceStep[] = [];
  if (categoryTraced)
    categoryTrace.push(
      {
        rule: 'schemeInForce',
        inputs: {
          at,
          asOf: asOf ?? null,
          candidates: input.schemes
            .filter((v) => known(asOf, v.recordedAt))
            .map((v) => v.version)
            .sort((a, b) => a - b),
        },
        output: { version: sv, effectiveFrom: scheme.effectiveFrom },
        events: [],
        schemeVersion: sv,
      },
      {
        rule: 'treeInForce',
        inputs: { at, asOf: asOf ?? null, category: input.category },
        output: { version: tree.version, effectiveFrom: tree.effectiveFrom, scale: tree.scale },
        events: [],
        schemeVersion: sv,
      },
    );
  const unitIds = [...new Set(input.unitIds)].sort(byStr);
  const unitSet = new Set(unitIds);
  const traced =
    scope === 'all' ? unitIds : scope === 'none' ? [] : unitIds.filter((u) => scope.units.includes(u));
  const traces = new Map(traced.map((u) => [u, [] as TraceStep[]]));
  // A step is built only for a unit whose trace is asked (the thunk is not called otherwise).
  const push = (unitId: string, step: () => Step) => {
    const trace = traces.get(unitId);
    if (trace) trace.push({ unitId, ...step(), schemeVersion: sv });
  };

  // ---- rulings in force: known at asOf, effective by `at`, on a unit of the population ----
  const rulings = (input.rulings ?? [])
    .filter((r) => unitSet.has(r.unitId) && known(asOf, r.recordedAt) && r.effectiveFrom <= at)
    .sort(byRecording);
  const recordRulings = new Map<string, Ruling>(); // unitId|contested record's eventId → the latest ruling
  const rejectionRulings = new Map<string, Ruling>(); // contested ReportRejected's eventId → the latest ruling
  const scoreRulings: Ruling[] = [];
  for (const r of rulings) {
    if (r.subject.kind === 'record') recordRulings.set(`${r.unitId}|${r.subject.eventId}`, r);
    else if (r.subject.kind === 'rejection') rejectionRulings.set(r.subject.eventId, r);
    else scoreRulings.push(r);
  }

  const facts = options.facts ?? foldTargets(input.targetEvents, asOf);
  // A rejection a ruling overturned no longer stops its report counting (the unit's own target only).
  const rejections = new Map<string, { ref: EventRef; unitId: string; targetId: string }>();
  for (const f of facts)
    for (const rep of f.reports)
      if (rep.rejection)
        rejections.set(rep.rejection.eventId, {
          ref: rep.rejection,
          unitId: f.definition.unitId,
          targetId: f.targetId,
        });
  const overturned = new Set<string>();
  for (const [eventId, r] of rejectionRulings) {
    const contested = rejections.get(eventId);
    const subject = r.subject;
    if (!contested || contested.unitId !== r.unitId || subject.kind !== 'rejection') continue;
    const after = r.outcome === 'overturned' ? 'rejectionVoid' : 'rejectionStands';
    if (r.outcome === 'overturned') overturned.add(eventId);
    push(r.unitId, () => ({
      rule: 'ruling',
      targetId: contested.targetId,
      inputs: {
        appealId: r.appealId,
        subject: 'rejection',
        reportId: subject.reportId,
        outcome: r.outcome,
        effectiveFrom: r.effectiveFrom,
        before: 'rejectionStands',
        after,
      },
      output: after,
      events: [rulingRef(r), contested.ref],
    }));
  }

  // ---- targets in scope: issued, not withdrawn, of this cycle and these units ----
  const targets = new Map<string, TargetFacts[]>(); // key unitId|indicatorId
  for (const f of facts) {
    const d = f.definition;
    if (d.cycleId !== input.cycleId || !unitSet.has(d.unitId)) continue;
    if (!f.issued || f.withdrawn) {
      push(d.unitId, () => ({
        rule: 'targetExcluded',
        indicatorId: d.indicatorId,
        targetId: f.targetId,
        inputs: { issued: f.issued !== null, withdrawn: f.withdrawn !== null },
        output: 'excluded',
        events: [f.definitionRef, ...(f.issued ? [f.issued] : []), ...(f.withdrawn ? [f.withdrawn] : [])],
      }));
      continue;
    }
    const key = `${d.unitId}|${d.indicatorId}`;
    const list = targets.get(key);
    if (list) list.push(f);
    else targets.set(key, [f]);
  }

  // ---- leaf factors ----
  const leafScore = new Map<string, number>(); // unitId|indicatorId → thousandths
  const leaves = leavesOf(tree.indicators);
  for (const leaf of leaves) {
    const points = Dec.of(leaf.points);
    const factors = new Map<string, Dec[]>(unitIds.map((u) => [u, []]));

    if (leaf.method === 'contribution') {
      const participants = unitIds.flatMap((u) =>
        (targets.get(`${u}|${leaf.indicatorId}`) ?? []).map((f) => valued(u, f, at, overturned)),
      );
      const measures = participants.map((p) => {
        if (p.actual === null) return { total: null, increment: null, growth: null };
        const a = Dec.of(p.actual);
        const b = p.facts.definition.baseline;
        const inc = b === null ? null : a.sub(Dec.of(b));
        return {
          total: a,
          increment: inc,
          growth: inc && b !== 0 && b !== null ? inc.div(Dec.of(b).abs()) : null,
        };
      });
      const names = ['total', 'increment', 'growth'] as const;
      const norm = names.map((m) => {
        const vals = measures.map((x) => x[m]).filter((v): v is Dec => v !== null);
        const min = vals.reduce<Dec | null>((acc, v) => (acc === null ? v : Dec.min(acc, v)), null);
        const max = vals.reduce<Dec | null>((acc, v) => (acc === null ? v : Dec.max(acc, v)), null);
        return { m, min, max };
      });
      if (categoryTraced)
        categoryTrace.push({
          rule: 'contributionNormalise',
          indicatorId: leaf.indicatorId,
          inputs: {
            participants: participants.map((p, i) => ({
              unitId: p.unitId,
              targetId: p.facts.targetId,
              total: measures[i]!.total?.toJSON() ?? null,
              increment: measures[i]!.increment?.toJSON() ?? null,
              growth: measures[i]!.growth?.toJSON() ?? null,
            })),
          },
          output: Object.fromEntries(
            norm.map(({ m, min, max }) => [m, { min: min?.toJSON() ?? null, max: max?.toJSON() ?? null }]),
          ),
          events: participants.flatMap((p) => p.events),
          schemeVersion: sv,
        });
      participants.forEach((p, i) => {
        const lower = p.facts.definition.direction === 'lowerIsBetter';
        const normalised = norm.map(({ m, min, max }) => {
          const x = measures[i]![m];
          if (x === null || min === null || max === null) return Dec.ZERO;
          if (min.cmp(max) === 0) return Dec.ONE;
          return (lower ? max.sub(x) : x.sub(min)).div(max.sub(min));
        });
        const w = s.contributionWeights;
        const factor = Dec.of(w.total)
          .mul(normalised[0]!)
          .add(Dec.of(w.increment).mul(normalised[1]!))
          .add(Dec.of(w.growth).mul(normalised[2]!));
        factors.get(p.unitId)!.push(factor);
        push(p.unitId, () => ({
          rule: 'contribution',
          indicatorId: leaf.indicatorId,
          targetId: p.facts.targetId,
          inputs: {
            actual: p.actual,
            baseline: p.facts.definition.baseline,
            direction: p.facts.definition.direction,
            normalised: {
              total: normalised[0]!.toJSON(),
              increment: normalised[1]!.toJSON(),
              growth: normalised[2]!.toJSON(),
            },
            weights: w,
          },
          output: factor.toJSON(),
          events: p.events,
        }));
      });
    } else if (leaf.method === 'satisfaction') {
      for (const u of unitIds) {
        const result = latestSatisfaction(input.satisfaction, u, leaf.indicatorId, at, asOf);
        const factor = result
          ? Dec.clamp(Dec.of(result.score).div(Dec.int(100)), Dec.ZERO, Dec.ONE)
          : Dec.ZERO;
        factors.get(u)!.push(factor);
        push(u, () => ({
          rule: 'satisfaction',
          indicatorId: leaf.indicatorId,
          inputs: { score: result?.score ?? null, sourceEventId: result?.sourceEventId ?? null },
          output: factor.toJSON(),
          events: result
            ? [{ eventId: result.eventId, position: result.position, type: SATISFACTION_EVENT_TYPE }]
            : [],
        }));
      }
    } else {
      for (const u of unitIds) {
        for (const f of targets.get(`${u}|${leaf.indicatorId}`) ?? []) {
          const factor =
            leaf.method === 'milestones'
              ? milestoneFactor(f, at, overturned, s, (step) => push(u, step))
              : quantitativeFactor(leaf.method ?? 'completion', u, f, at, overturned, s, cap, (step) =>
                  push(u, step),
                );
          factors.get(u)!.push(factor);
        }
      }
    }

    for (const u of unitIds) {
      const fs = factors.get(u)!;
      if (fs.length === 0) {
        push(u, () => ({
          rule: 'noTarget',
          indicatorId: leaf.indicatorId,
          inputs: { method: leaf.method },
          output: 0,
          events: [],
        }));
      }
      const mean = fs.length ? fs.reduce((a, b) => a.add(b), Dec.ZERO).div(Dec.int(fs.length)) : Dec.ZERO;
      const t = points.mul(mean).toThousandths();
      leafScore.set(`${u}|${leaf.indicatorId}`, t);
      push(u, () => ({
        rule: 'indicatorScore',
        indicatorId: leaf.indicatorId,
        inputs: {
          points: leaf.points,
          method: leaf.method,
          factors: fs.map((f) => f.toJSON()),
          mean: mean.toJSON(),
        },
        output: fromThousandths(t),
        events: [],
      }));
    }
  }

  // ---- per unit: level-1 totals, records, total ----
  const roots = tree.indicators
    .filter((i) => i.level === 1)
    .map((root) => ({ root, children: tree.indicators.filter((i) => i.parentId === root.indicatorId) }));
  // Each unit's records known at asOf and occurred by `at`, in recording order.
  const recordsOf = new Map<string, UnitRecord[]>();
  for (const r of input.records) {
    if (!unitSet.has(r.unitId) || !known(asOf, r.recordedAt) || r.occurredAt > at) continue;
    const list = recordsOf.get(r.unitId);
    if (list) list.push(r);
    else recordsOf.set(r.unitId, [r]);
  }
  const capT = Dec.of(s.bonusCap).toThousandths();
  const partial = unitIds.map((u) => {
    const indicators: IndicatorScore[] = [];
    let indicatorSum = 0;
    for (const { root, children } of roots) {
      for (const c of children) {
        const t = leafScore.get(`${u}|${c.indicatorId}`) ?? 0;
        indicators.push(indicatorScore(c, t));
      }
      const t = children.length
        ? children.reduce((sum, c) => sum + (leafScore.get(`${u}|${c.indicatorId}`) ?? 0), 0)
        : (leafScore.get(`${u}|${root.indicatorId}`) ?? 0);
      indicators.push(indicatorScore(root, t));
      indicatorSum += t;
      push(u, () => ({
        rule: 'level1Total',
        indicatorId: root.indicatorId,
        inputs: { children: children.map((c) => c.indicatorId) },
        output: fromThousandths(t),
        events: [],
      }));
    }

    const records = (recordsOf.get(u) ?? []).sort(byRecording);
    let bonus = 0;
    let penalty = 0;
    let accountability = 0;
    let falseReport = 0;
    let vetoed = false;
    const actions = new Set<string>();
    const bonusRefs: EventRef[] = [];
    for (const r of records) {
      const ref: EventRef = { eventId: r.eventId, position: r.position, type: RECORD_EVENT_TYPES[r.kind] };
      // The amount the record carries (points, or the scheme's deduction); a veto has none.
      const original =
        r.kind === 'bonus' || r.kind === 'penalty'
          ? r.amount
          : r.kind === 'accountability'
            ? s.accountabilityDeductions[r.action]
            : r.kind === 'falseReport'
              ? s.falseReportDeduction
              : null;
      let stands = original;
      const ruling = recordRulings.get(`${u}|${r.eventId}`);
      if (ruling) {
        const voided = ruling.outcome === 'overturned';
        if (voided) stands = original === null ? null : 0;
        else if (ruling.outcome === 'partial' && original !== null && ruling.amount !== null)
          stands = ruling.amount;
        const before = original ?? 'admonished';
        const after = original === null ? (voided ? null : 'admonished') : stands;
        push(u, () => ({
          rule: 'ruling',
          inputs: {
            appealId: ruling.appealId,
            subject: 'record',
            recordKind: r.kind,
            outcome: ruling.outcome,
            effectiveFrom: ruling.effectiveFrom,
            before,
            after,
          },
          output: after,
          events: [rulingRef(ruling), ref],
        }));
        if (voided) continue;
      }
      const amended = stands !== original ? { original, appealId: ruling!.appealId } : {};
      const step = (rule: ScoringRule, inputs: Record<string, unknown>, output: unknown) =>
        push(u, () => ({
          rule,
          inputs: { ...inputs, ...amended, occurredAt: r.occurredAt, reason: r.reason ?? null },
          output,
          events: [ref],
        }));
      switch (r.kind) {
        case 'bonus': {
          const t = Dec.of(stands!).abs().toThousandths();
          bonus += t;
          bonusRefs.push(ref);
          step('bonus', { amount: stands }, fromThousandths(t));
          break;
        }
        case 'penalty': {
          const t = Dec.of(stands!).abs().toThousandths();
          penalty += t;
          step('penalty', { amount: stands }, -fromThousandths(t));
          break;
        }
        case 'accountability': {
          const t = Dec.of(stands!).toThousandths();
          accountability += t;
          actions.add(r.action);
          step('accountability', { action: r.action, deduction: stands }, -fromThousandths(t));
          break;
        }
        case 'falseReport': {
          const t = Dec.of(stands!).toThousandths();
          falseReport += t;
          step('falseReport', { deduction: stands }, -fromThousandths(t));
          break;
        }
        case 'veto':
          vetoed = true;
          step('veto', {}, 'admonished');
          break;
      }
    }
    const bonusCapped = Math.min(bonus, capT);
    push(u, () => ({
      rule: 'bonusCap',
      inputs: { bonus: fromThousandths(bonus), cap: s.bonusCap },
      output: fromThousandths(bonusCapped),
      events: bonusRefs,
    }));
    // Rulings on score appeals: points added or taken, after the cap (a ruling is not a bonus).
    let ruled = 0;
    for (const r of scoreRulings.filter((x) => x.unitId === u)) {
      const t = r.outcome === 'partial' && r.amount !== null ? Dec.of(r.amount).toThousandths() : 0;
      const before = indicatorSum + bonusCapped - penalty - accountability - falseReport + ruled;
      ruled += t;
      push(u, () => ({
        rule: 'ruling',
        inputs: {
          appealId: r.appealId,
          subject: 'score',
          outcome: r.outcome,
          effectiveFrom: r.effectiveFrom,
          amount: r.amount,
          before: fromThousandths(before),
          after: fromThousandths(before + t),
        },
        output: fromThousandths(t),
        events: [rulingRef(r)],
      }));
    }
    const totalT = indicatorSum + bonusCapped - penalty - accountability - falseReport + ruled;
    const totalH = thousandthsToHundredths(totalT);
    push(u, () => ({
      rule: 'total',
      inputs: {
        indicatorSum: fromThousandths(indicatorSum),
        bonus: fromThousandths(bonusCapped),
        penalty: fromThousandths(penalty),
        accountability: fromThousandths(accountability),
        falseReport: fromThousandths(falseReport),
        ruling: fromThousandths(ruled),
        exact: fromThousandths(totalT),
      },
      output: fromHundredths(totalH),
      events: [],
    }));
    return {
      unitId: u,
      indicators,
      indicatorSumThousandths: indicatorSum,
      bonusUncappedThousandths: bonus,
      bonusThousandths: bonusCapped,
      penaltyThousandths: penalty,
      accountabilityThousandths: accountability,
      falseReportThousandths: falseReport,
      rulingThousandths: ruled,
      totalThousandths: totalT,
      totalHundredths: totalH,
      total: fromHundredths(totalH),
      vetoed,
      admonition: actions.has('admonition'),
      accountabilityAction: actions.has('accountability'),
    };
  });

  // ---- rank: total (published, two decimals) desc, then indicator sum desc, then unitId asc ----
  const ranked = [...partial].sort(compareForRank);
  const n = ranked.length;
  if (categoryTraced)
    categoryTrace.push({
      rule: 'rank',
      inputs: { tieBreak: ['total desc', 'indicatorSum desc', 'unitId asc'] },
      output: ranked.map((p) => p.unitId),
      events: [],
      schemeVersion: sv,
    });

  // ---- grades ----
  const g = s.grades;
  const scale = Dec.of(tree.scale);
  const quota = Math.max(1, Number(Dec.int(n).mul(Dec.of(g.excellentShare)).floor()));
  const threshold = (share: number) => scale.mul(Dec.of(share));
  const excellentAt = threshold(g.excellentMinShareOfMax);
  const goodAt = threshold(g.goodMinShareOfMax);
  const passAt = threshold(g.passMinShareOfMax);
  let quotaLeft = quota;
  const awarded: string[] = [];
  const units: UnitScore[] = ranked.map((p, i) => {
    const rank = i + 1;
    const total = Dec.ratio(BigInt(p.totalHundredths), 100n);
    const barred = p.admonition || p.accountabilityAction || p.vetoed;
    let band: Grade;
    if (total.gte(excellentAt) && !barred && quotaLeft > 0) {
      band = 'excellent';
      quotaLeft -= 1;
      awarded.push(p.unitId);
    } else band = total.gte(goodAt) ? 'good' : total.gte(passAt) ? 'pass' : 'admonished';
    push(p.unitId, () => ({
      rule: 'rank',
      inputs: { total: p.total, indicatorSum: fromThousandths(p.indicatorSumThousandths), of: n },
      output: rank,
      events: [],
    }));
    push(p.unitId, () => ({
      rule: 'gradeBand',
      inputs: {
        total: p.total,
        scale: tree.scale,
        excellentAt: excellentAt.toJSON(),
        goodAt: goodAt.toJSON(),
        passAt: passAt.toJSON(),
        excellentQuota: quota,
        barredFromExcellent: barred,
      },
      output: band,
      events: [],
    }));
    let grade = band;
    const override = (cause: string, to: Grade) => {
      push(p.unitId, () => ({
        rule: 'gradeOverride',
        inputs: { cause, from: grade },
        output: to,
        events: [],
      }));
      grade = to;
    };
    if (p.admonition && grade === 'excellent') override('admonition', 'good');
    if (p.accountabilityAction && GRADE_ORDER.indexOf(grade) > GRADE_ORDER.indexOf('pass'))
      override('accountability', 'pass');
    if (p.vetoed && grade !== 'admonished') override('veto', 'admonished');
    const flagged = rank > n - 3;
    if (flagged)
      push(p.unitId, () => ({ rule: 'bottomFlag', inputs: { rank, of: n }, output: true, events: [] }));
    const { totalHundredths: _h, admonition: _a, accountabilityAction: _c, ...rest } = p;
    return { ...rest, rank, gradeBeforeOverrides: band, grade, flagged, trace: traces.get(p.unitId) ?? [] };
  });
  if (categoryTraced)
    categoryTrace.push({
      rule: 'excellentQuota',
      inputs: { units: n, share: g.excellentShare, minTotal: excellentAt.toJSON() },
      output: { quota, awarded },
      events: [],
      schemeVersion: sv,
    });

  return {
    cycleId: input.cycleId,
    category: input.category,
    at,
    asOf: asOf ?? null,
    schemeVersion: sv,
    treeVersion: tree.version,
    scale: tree.scale,
    units,
    trace: categoryTrace,
  };
}

/** One unit's score: the category fold (contribution, rank and grade need the whole category), narrowed. */
export function scoreUnit(input: ScoringInput, unitId: string): UnitScore | undefined {
  return scoreCategory(input).units.find((u) => u.unitId === unitId);
}

/** Rank order: published total desc, then the indicator sum (exact) desc, then unitId asc. A total order. */
export function compareForRank(
  a: { totalHundredths: number; indicatorSumThousandths: number; unitId: string },
  b: { totalHundredths: number; indicatorSumThousandths: number; unitId: string },
): number {
  return (
    b.totalHundredths - a.totalHundredths ||
    b.indicatorSumThousandths - a.indicatorSumThousandths ||
    byStr(a.unitId, b.unitId)
  );
}

function indicatorScore(i: Indicator, t: number): IndicatorScore {
  return {
    indicatorId: i.indicatorId,
    level: i.level,
    parentId: i.parentId,
    method: i.method,
    points: i.points,
    scoreThousandths: t,
    score: fromThousandths(t),
  };
}

function latestSatisfaction(
  results: readonly SatisfactionResult[],
  unitId: string,
  indicatorId: string,
  at: string,
  asOf: string | undefined,
): SatisfactionResult | undefined {
  return results
    .filter(
      (r) =>
        r.unitId === unitId &&
        r.indicatorId === indicatorId &&
        r.occurredAt <= at &&
        known(asOf, r.recordedAt),
    )
    .sort(
      (a, b) => byStr(a.recordedAt, b.recordedAt) || a.position - b.position || byStr(a.eventId, b.eventId),
    )
    .at(-1);
}

type Step = Omit<TraceStep, 'unitId' | 'schemeVersion'>;

const lastEnded = new Map<string, string | undefined>();
/** The last period of a year and cadence that ended by `at` (memoised: every target asks it). */
function lastPeriodEnded(year: number, cadence: TargetDefinition['cadence'], at: string): string | undefined {
  const key = `${year}|${cadence}|${at}`;
  if (lastEnded.has(key)) return lastEnded.get(key);
  if (lastEnded.size >= 10_000) lastEnded.clear();
  const period = periodsOf(year, cadence)
    .filter((p) => periodEnd(p) <= at)
    .at(-1);
  lastEnded.set(key, period);
  return period;
}

function quantitativeFactor(
  method: 'completion' | 'progress',
  unitId: string,
  f: TargetFacts,
  at: string,
  overturned: ReadonlySet<string>,
  s: Scheme['scoring'],
  cap: Dec,
  push: (step: () => Step) => void,
): Dec {
  const d = f.definition;
  const v = valued(unitId, f, at, overturned);
  const r = ratio(d, v.actual, v.target, cap);
  const ids = { indicatorId: d.indicatorId, targetId: f.targetId };
  push(() => ({
    rule: 'ratio',
    ...ids,
    inputs: { direction: d.direction, actual: v.actual, target: v.target, cap: s.completionCap },
    output: r.toJSON(),
    events: v.events,
  }));
  if (method === 'completion') {
    push(() => ({
      rule: 'completion',
      ...ids,
      inputs: { ratio: r.toJSON() },
      output: r.toJSON(),
      events: [],
    }));
    return r;
  }
  const period = lastPeriodEnded(d.year, d.cadence, at);
  if (period === undefined) {
    push(() => ({ rule: 'progress', ...ids, inputs: { period: null }, output: 0, events: [] }));
    return Dec.ZERO;
  }
  const expected = expectedPctForPeriod(d.schedule, d.cadence, lastMonthOf(period));
  const completionPct = r.mul(Dec.int(100));
  if (expected <= 0) {
    push(() => ({
      rule: 'progress',
      ...ids,
      inputs: { period, expectedPct: expected, completionPct: completionPct.toJSON() },
      output: 1,
      events: [],
    }));
    return Dec.ONE;
  }
  const p = completionPct.div(Dec.of(expected));
  const factor = progressFactor(p, s);
  push(() => ({
    rule: 'progress',
    ...ids,
    inputs: {
      period,
      expectedPct: expected,
      completionPct: completionPct.toJSON(),
      p: p.toJSON(),
      fullAt: s.progressFullAt,
      zeroAt: s.progressZeroAt,
    },
    output: factor.toJSON(),
    events: [],
  }));
  return factor;
}

function milestoneFactor(
  f: TargetFacts,
  at: string,
  overturned: ReadonlySet<string>,
  s: Scheme['scoring'],
  push: (step: () => Step) => void,
): Dec {
  const d = f.definition;
  const reports = countingReports(f, at, overturned);
  const done = new Map<string, { completedOn: string; refs: EventRef[] }>();
  for (const rep of reports)
    for (const m of rep.milestonesCompleted) {
      const prev = done.get(m.milestoneId);
      if (!prev || m.completedOn < prev.completedOn)
        done.set(m.milestoneId, { completedOn: m.completedOn, refs: rep.refs });
    }
  const late = Dec.of(s.lateMilestoneCredit);
  const credits = d.milestones.map((m) => {
    const c = done.get(m.milestoneId);
    const credit = !c ? Dec.ZERO : c.completedOn <= m.dueDate ? Dec.ONE : late;
    return { milestoneId: m.milestoneId, dueDate: m.dueDate, completedOn: c?.completedOn ?? null, credit };
  });
  const factor = credits.length
    ? credits.reduce((a, c) => a.add(c.credit), Dec.ZERO).div(Dec.int(credits.length))
    : Dec.ZERO;
  push(() => ({
    rule: 'milestones',
    indicatorId: d.indicatorId,
    targetId: f.targetId,
    inputs: {
      milestones: credits.map((c) => ({ ...c, credit: c.credit.toJSON() })),
      lateCredit: s.lateMilestoneCredit,
    },
    output: factor.toJSON(),
    events: [f.definitionRef, ...[...done.values()].flatMap((c) => c.refs)],
  }));
  return factor;
}
