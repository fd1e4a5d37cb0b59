import fc from 'fast-check';
import { DEFAULT_SCHEME, type TargetEvent } from '@dukao/targets';
import { type CategoryScore, scoreCategory } from './scoring.engine';
import { foldTargets } from './target-facts';
import type {
  RecordedTargetEvent,
  Ruling,
  SatisfactionResult,
  SchemeVersion,
  ScoringInput,
  UnitRecord,
} from './scoring.inputs';
import { ACCOUNTABILITY_ACTIONS } from './scoring.inputs';
import { CYCLE, definition, END_Q2, END_YEAR, leaf, SCHEME_V1, tree } from './testing/scoring.fixture';

/**
 * Property tests over random event histories: several units, targets of every method, reports,
 * corrections, verifications, rejections, rulings, withdrawals, unit records, satisfaction results
 * and a second scheme version, all recorded at random instants (in order within each stream).
 */
// FC_RUNS=1000 npx jest libs/scoring for a longer search.
fc.configureGlobal({ numRuns: Number(process.env.FC_RUNS ?? 100) });

const UNITS = ['U0', 'U1', 'U2', 'U3', 'U4'];
const TREE = tree([
  leaf('comp', 30, 'completion'),
  leaf('prog', 20, 'progress'),
  leaf('contrib', 20, 'contribution'),
  leaf('ms', 15, 'milestones'),
  leaf('sat', 15, 'satisfaction'),
]);
/** A one-indicator tree where totals spread over every grade band (the full tree rarely scores high at random). */
const SIMPLE_TREE = tree([leaf('comp', 100, 'completion')]);
const MILESTONES = ['2026-03-31', '2026-06-30', '2026-09-30'].map((dueDate, i) => ({
  milestoneId: `m${i}`,
  title: `m${i}`,
  dueDate,
  evidenceRequired: false,
}));
const PERIODS = ['2026-Q1', '2026-Q2', '2026-Q3', '2026-Q4'];
const START = Date.parse('2026-01-01T00:00:00.000Z');
const MINUTES = 420 * 1440;
const instant = (minute: number) => new Date(START + minute * 60_000).toISOString();
const decimal = (max: number) => fc.integer({ min: 0, max: max * 10 }).map((x) => x / 10);

const opArb = fc.oneof(
  fc.record({
    kind: fc.constant('report' as const),
    period: fc.integer({ min: 0, max: 3 }),
    value: decimal(15),
    replace: fc.boolean(),
    milestones: fc.subarray([0, 1, 2]),
    day: fc.integer({ min: 1, max: 28 }),
  }),
  fc.record({ kind: fc.constantFrom('verify' as const, 'reject' as const) }),
  fc.record({
    kind: fc.constant('adjust' as const),
    value: decimal(20),
    month: fc.integer({ min: 1, max: 12 }),
  }),
  fc.record({ kind: fc.constant('withdraw' as const) }),
);

const targetArb = fc.record({
  unitId: fc.constantFrom(...UNITS),
  indicatorId: fc.constantFrom('comp', 'prog', 'contrib', 'ms'),
  lower: fc.boolean(),
  annual: decimal(20),
  baseline: fc.option(decimal(20), { nil: null }),
  issued: fc.integer({ min: 0, max: 4 }).map((x) => x > 0),
  ops: fc.array(opArb, { maxLength: 8 }),
  times: fc.array(fc.integer({ min: 0, max: MINUTES }), { minLength: 12, maxLength: 12 }),
});

const recordArb = fc.record({
  unitId: fc.constantFrom(...UNITS),
  kind: fc.constantFrom('bonus', 'penalty', 'accountability', 'falseReport', 'veto'),
  amount: decimal(3),
  action: fc.constantFrom(...ACCOUNTABILITY_ACTIONS),
  occurred: fc.integer({ min: 0, max: MINUTES }),
  recorded: fc.integer({ min: 0, max: MINUTES }),
});

const satArb = fc.record({
  unitId: fc.constantFrom(...UNITS),
  score: decimal(100),
  occurred: fc.integer({ min: 0, max: MINUTES }),
  recorded: fc.integer({ min: 0, max: MINUTES }),
});

/** A ruling on a record, a rejection (picked by index among those generated) or a score. */
const rulingArb = fc.record({
  subject: fc.constantFrom('record' as const, 'rejection' as const, 'score' as const),
  index: fc.nat(),
  outcome: fc.constantFrom('upheld' as const, 'overturned' as const, 'partial' as const),
  amount: decimal(3),
  negative: fc.boolean(),
  effective: fc.integer({ min: 0, max: MINUTES }),
  recorded: fc.integer({ min: 0, max: MINUTES }),
  unitId: fc.constantFrom(...UNITS),
});

const historyArb = fc.record({
  simple: fc.boolean(),
  units: fc.integer({ min: 2, max: 5 }),
  targets: fc.array(targetArb, { minLength: 3, maxLength: 14 }),
  records: fc.array(recordArb, { maxLength: 8 }),
  satisfaction: fc.array(satArb, { maxLength: 6 }),
  rulings: fc.array(rulingArb, { maxLength: 5 }),
  v2: fc.option(
    fc.record({
      effective: fc.integer({ min: 0, max: MINUTES }),
      recorded: fc.integer({ min: 0, max: MINUTES }),
    }),
    {
      nil: null,
    },
  ),
  at: fc.constantFrom('2026-03-31T16:00:00.000Z', END_Q2, '2026-09-30T16:00:00.000Z', END_YEAR),
});
type History = typeof historyArb extends fc.Arbitrary<infer H> ? H : never;

function targetEvents(h: History): RecordedTargetEvent[] {
  const out: RecordedTargetEvent[] = [];
  h.targets.forEach((t, n) => {
    const targetId = `t${n}`;
    const indicatorId = h.simple ? 'comp' : t.indicatorId;
    const times = [...t.times].sort((a, b) => a - b);
    const stream: TargetEvent[] = [];
    const def = definition({
      unitId: t.unitId,
      indicatorId,
      direction: t.lower ? 'lowerIsBetter' : 'higherIsBetter',
      annualValue: h.simple ? 10 : indicatorId === 'ms' ? null : t.annual,
      baseline: t.baseline,
      kind: indicatorId === 'ms' ? 'milestones' : 'quantitative',
      milestones: indicatorId === 'ms' ? MILESTONES : [],
    });
    stream.push({
      type: 'TargetProposed',
      data: { targetId, definition: def, reviewStages: [], proposedAt: 'x' },
    });
    if (t.issued) stream.push({ type: 'TargetIssued', data: { targetId, issuedAt: 'x' } });
    const reports: Array<{ reportId: string; period: string; live: boolean }> = [];
    t.ops.forEach((op, i) => {
      const last = reports.at(-1);
      switch (op.kind) {
        case 'report': {
          const period = PERIODS[op.period]!;
          const current = reports.filter((r) => r.period === period && r.live).at(-1);
          const replaces = op.replace && current ? current.reportId : null;
          if (current && replaces) current.live = false;
          const reportId = `${targetId}-r${i}`;
          reports.push({ reportId, period, live: true });
          const month = String(op.period * 3 + 1).padStart(2, '0');
          stream.push({
            type: 'ProgressReported',
            data: {
              targetId,
              reportId,
              period,
              cumulativeValue: indicatorId === 'ms' ? null : op.value,
              milestonesCompleted: op.milestones.map((m) => ({
                milestoneId: `m${m}`,
                completedOn: `2026-${month}-${String(op.day).padStart(2, '0')}`,
              })),
              narrative: '',
              evidence: [],
              replaces,
              dueDate: 'x',
              late: false,
              reportedAt: 'x',
            },
          });
          break;
        }
        case 'verify':
        case 'reject':
          if (last)
            stream.push(
              op.kind === 'verify'
                ? {
                    type: 'ReportVerified',
                    data: { targetId, reportId: last.reportId, period: last.period, verifiedAt: 'x' },
                  }
                : {
                    type: 'ReportRejected',
                    data: {
                      targetId,
                      reportId: last.reportId,
                      period: last.period,
                      reason: 'r',
                      rejectedAt: 'x',
                    },
                  },
            );
          break;
        case 'adjust':
          stream.push({
            type: 'TargetAdjusted',
            data: {
              targetId,
              previousValue: null,
              newValue: op.value,
              effectiveFrom: `2026-${String(op.month).padStart(2, '0')}-01T00:00:00.000Z`,
              rulingRef: 'x',
              reason: 'x',
              adjustedAt: 'x',
            },
          });
          break;
        case 'withdraw':
          stream.push({ type: 'TargetWithdrawn', data: { targetId, reason: 'x', withdrawnAt: 'x' } });
          break;
      }
    });
    stream.forEach((event, i) =>
      out.push({
        event,
        eventId: `${targetId}-e${i}`,
        position: i,
        recordedAt: instant(times[i] ?? MINUTES),
      }),
    );
  });
  return out;
}

function toInput(h: History): ScoringInput {
  const records = h.records.map((r, i): UnitRecord => {
    const base = {
      unitId: r.unitId,
      eventId: `rec${i}`,
      position: i,
      occurredAt: instant(r.occurred),
      recordedAt: instant(r.recorded),
    };
    switch (r.kind) {
      case 'bonus':
      case 'penalty':
        return { ...base, kind: r.kind, amount: r.amount };
      case 'accountability':
        return { ...base, kind: 'accountability', action: r.action };
      default:
        return { ...base, kind: r.kind };
    }
  });
  const satisfaction = h.satisfaction.map((s, i): SatisfactionResult => ({
    unitId: s.unitId,
    indicatorId: 'sat',
    score: s.score,
    sourceEventId: `rating${i}`,
    eventId: `sat${i}`,
    position: i,
    occurredAt: instant(s.occurred),
    recordedAt: instant(s.recorded),
  }));
  const events = targetEvents(h);
  const rejections = events.filter((e) => e.event.type === 'ReportRejected');
  const rulings = h.rulings.flatMap((r, i): Ruling[] => {
    const ref = {
      eventId: `ruling${i}`,
      position: i,
      recordedAt: instant(r.recorded),
      appealId: `appeal${i}`,
      effectiveFrom: instant(r.effective),
      outcome: r.outcome,
    };
    if (r.subject === 'score')
      return [
        { ...ref, unitId: r.unitId, subject: { kind: 'score' }, amount: r.negative ? -r.amount : r.amount },
      ];
    if (r.subject === 'record') {
      const contested = records[r.index % Math.max(1, records.length)];
      if (!contested) return [];
      return [
        {
          ...ref,
          unitId: contested.unitId,
          subject: { kind: 'record', eventId: contested.eventId },
          amount: r.amount,
        },
      ];
    }
    const contested = rejections[r.index % Math.max(1, rejections.length)];
    if (!contested || contested.event.type !== 'ReportRejected') return [];
    const { targetId, reportId } = contested.event.data;
    const unitId = h.targets[Number(targetId.slice(1))]!.unitId;
    return [
      {
        ...ref,
        unitId,
        subject: { kind: 'rejection', targetId, reportId, eventId: contested.eventId },
        amount: null,
      },
    ];
  });
  const schemes: SchemeVersion[] = [SCHEME_V1];
  if (h.v2)
    schemes.push({
      version: 2,
      effectiveFrom: instant(h.v2.effective),
      recordedAt: instant(h.v2.recorded),
      scoring: { ...DEFAULT_SCHEME.scoring, completionCap: 1.1, bonusCap: 2, progressZeroAt: 0.6 },
    });
  return {
    cycleId: CYCLE,
    category: 'towns',
    at: h.at,
    unitIds: UNITS.slice(0, h.units),
    schemes,
    trees: [h.simple ? SIMPLE_TREE : TREE],
    targetEvents: events,
    satisfaction,
    records,
    rulings,
  };
}

/** A deterministic Fisher–Yates shuffle from a seed. */
function shuffle<T>(xs: readonly T[], seed: number): T[] {
  const out = [...xs];
  let s = seed >>> 0 || 1;
  for (let i = out.length - 1; i > 0; i -= 1) {
    s = (Math.imul(s, 1_103_515_245) + 12_345) >>> 0;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

const recordedTimes = (input: ScoringInput) => [
  ...input.targetEvents.map((e) => e.recordedAt),
  ...input.records.map((r) => r.recordedAt),
  ...input.satisfaction.map((s) => s.recordedAt),
  ...(input.rulings ?? []).map((r) => r.recordedAt),
  ...input.schemes.map((s) => s.recordedAt),
  ...input.trees.map((t) => t.recordedAt),
];

describe('scoring properties', () => {
  it('gives the same numbers and trace for the same inputs in any order (independent streams interleaved any way)', () => {
    fc.assert(
      fc.property(historyArb, fc.integer(), (h, seed) => {
        const input = toInput(h);
        const shuffled: ScoringInput = {
          ...input,
          unitIds: shuffle(input.unitIds, seed),
          schemes: shuffle(input.schemes, seed + 1),
          targetEvents: shuffle(input.targetEvents, seed + 2),
          records: shuffle(input.records, seed + 3),
          satisfaction: shuffle(input.satisfaction, seed + 4),
          rulings: shuffle(input.rulings ?? [], seed + 5),
        };
        expect(scoreCategory(shuffled)).toEqual(scoreCategory(input));
      }),
    );
  });

  it('gives the same numbers whatever traces are built (none, some units, all), and the same trace where built', () => {
    const numbers = (c: CategoryScore) => ({
      ...c,
      trace: [],
      units: c.units.map((u) => ({ ...u, trace: [] })),
    });
    fc.assert(
      fc.property(
        historyArb,
        fc.subarray(UNITS),
        fc.option(fc.integer({ min: 0, max: MINUTES }), { nil: undefined }),
        (h, traced, minute) => {
          const input: ScoringInput = {
            ...toInput(h),
            ...(minute === undefined ? {} : { asOf: instant(minute) }),
          };
          const all = scoreCategory(input);
          expect(all.trace.length).toBeGreaterThan(0);
          for (const u of all.units) expect(u.trace.length).toBeGreaterThan(0);

          const none = scoreCategory(input, { trace: 'none' });
          expect(none.trace).toEqual([]);
          for (const u of none.units) expect(u.trace).toEqual([]);
          expect(numbers(none)).toEqual(numbers(all));

          const some = scoreCategory(input, { trace: { units: traced } });
          expect(numbers(some)).toEqual(numbers(all));
          expect(some.trace).toEqual(all.trace);
          for (const u of some.units)
            expect(u.trace).toEqual(
              traced.includes(u.unitId) ? all.units.find((x) => x.unitId === u.unitId)!.trace : [],
            );

          // The targets folded beforehand (as the rankings view does for every month): the same result.
          const facts = foldTargets(input.targetEvents, input.asOf);
          expect(scoreCategory(input, { trace: 'all', facts })).toEqual(all);
        },
      ),
    );
  });

  it('explain(asOf = now) equals the current score (the full fold)', () => {
    fc.assert(
      fc.property(historyArb, (h) => {
        const input = toInput(h);
        const now = recordedTimes(input).sort().at(-1)!;
        expect(scoreCategory({ ...input, asOf: now }).units).toEqual(scoreCategory(input).units);
      }),
    );
  });

  it('explain(asOf = T) is unchanged by events recorded after T', () => {
    fc.assert(
      fc.property(historyArb, fc.integer({ min: 0, max: MINUTES }), (h, minute) => {
        const input = toInput(h);
        const T = instant(minute);
        const knownAtT: ScoringInput = {
          ...input,
          schemes: input.schemes.filter((s) => s.recordedAt <= T),
          targetEvents: input.targetEvents.filter((e) => e.recordedAt <= T),
          records: input.records.filter((r) => r.recordedAt <= T),
          satisfaction: input.satisfaction.filter((s) => s.recordedAt <= T),
          rulings: (input.rulings ?? []).filter((r) => r.recordedAt <= T),
        };
        expect(scoreCategory({ ...input, asOf: T })).toEqual(scoreCategory({ ...knownAtT, asOf: T }));
      }),
    );
  });

  it('ranks by a total order: total desc, then indicator sum desc, then unit id asc', () => {
    fc.assert(
      fc.property(historyArb, (h) => {
        const { units } = scoreCategory(toInput(h));
        expect(units.map((u) => u.rank)).toEqual(units.map((_, i) => i + 1));
        for (let i = 1; i < units.length; i += 1) {
          const a = units[i - 1]!;
          const b = units[i]!;
          const before =
            a.total > b.total ||
            (a.total === b.total &&
              (a.indicatorSumThousandths > b.indicatorSumThousandths ||
                (a.indicatorSumThousandths === b.indicatorSumThousandths && a.unitId < b.unitId)));
          expect(before).toBe(true);
        }
      }),
    );
  });

  it('keeps every total equal to its parts and grades within the overrides', () => {
    fc.assert(
      fc.property(historyArb, (h) => {
        const { units } = scoreCategory(toInput(h));
        const excellent = units.filter((u) => u.grade === 'excellent').length;
        expect(excellent).toBeLessThanOrEqual(Math.max(1, Math.floor(units.length * 0.3)));
        for (const u of units) {
          expect(u.totalThousandths).toBe(
            u.indicatorSumThousandths +
              u.bonusThousandths -
              u.penaltyThousandths -
              u.accountabilityThousandths -
              u.falseReportThousandths +
              u.rulingThousandths,
          );
          expect(u.bonusThousandths).toBeLessThanOrEqual(3000);
          if (u.vetoed) expect(u.grade).toBe('admonished');
          if (u.trace.some((s) => s.rule === 'accountability' && s.inputs.action === 'accountability'))
            expect(['pass', 'admonished']).toContain(u.grade);
          if (u.trace.some((s) => s.rule === 'accountability' && s.inputs.action === 'admonition'))
            expect(u.grade).not.toBe('excellent');
        }
      }),
    );
  });
});
