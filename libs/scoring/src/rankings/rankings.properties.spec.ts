import fc from 'fast-check';
import { type Indicator, periodEnd } from '@dukao/targets';
import { scoreCategory } from '../domain/scoring.engine';
import { DomainError } from '@dukao/kernel';
import {
  MONTHLY_RANKINGS,
  type MonthlyRanking,
  RANKING_MONTHS,
  type RankingMonths,
  buildMonthlyRanking,
  monthlyRankingId,
  monthsEndedBy,
  rankingMonthsId,
  withYearOnYear,
} from './monthly-ranking';
import { RankingsHarness, targetDefinition } from './testing/rankings-harness';

/**
 * Issue 8: for random event histories, the ranking view after the reactor has processed the log
 * equals a from-scratch fold. Histories: units (and a rename), targets of every quantitative method
 * (issued or not, monthly or quarterly, either direction), reports, corrections, verifications,
 * rejections, rulings on the value, withdrawals, and a second scheme version. The log is appended in
 * random chunks, the reactor runs with a random batch size after each chunk, and is restarted (a new
 * instance on the same stores) at a random chunk boundary. Real SQLite adapters on temp files.
 */
// FC_RUNS=50 npx jest libs/scoring/src/rankings/rankings.properties for a longer search.
const RUNS = Number(process.env.FC_RUNS ?? 12);

const YEAR_START = '2025-12-31T16:00:00.000Z';
const NOW = '2026-12-05T04:00:00.000Z';
const UNITS = ['u0', 'u1', 'u2', 'u3'];
const TREE: Indicator[] = [
  { indicatorId: 'economy', parentId: null, name: '经济发展', level: 1, points: 60, method: null },
  { indicatorId: 'comp', parentId: 'economy', name: '完成度', level: 2, points: 30, method: 'completion' },
  {
    indicatorId: 'contrib',
    parentId: 'economy',
    name: '贡献度',
    level: 2,
    points: 30,
    method: 'contribution',
  },
  { indicatorId: 'prog', parentId: null, name: '推进度', level: 1, points: 40, method: 'progress' },
];
const QUARTERS = ['2026-Q1', '2026-Q2', '2026-Q3', '2026-Q4'];
const MONTHS = Array.from({ length: 12 }, (_, i) => `2026-${String(i + 1).padStart(2, '0')}`);
const decimal = (max: number) => fc.integer({ min: 0, max: max * 10 }).map((x) => x / 10);

/** `pause`: the reactor catches up before this step and after it, and the view is checked each time. */
const pauseArb = fc.nat(3).map((x) => x === 0);
const opArb = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('report' as const),
      period: fc.nat(11),
      value: decimal(12),
      replace: fc.boolean(),
      pause: pauseArb,
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constantFrom('verify' as const, 'reject' as const), pause: pauseArb }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('adjust' as const),
      value: decimal(12),
      month: fc.nat(11),
      pause: pauseArb,
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('withdraw' as const), pause: pauseArb }) },
);

const targetArb = fc.record({
  unit: fc.nat(UNITS.length - 1),
  indicatorId: fc.constantFrom('comp', 'contrib', 'prog'),
  lower: fc.boolean(),
  monthly: fc.boolean(),
  annual: decimal(12),
  baseline: fc.option(decimal(12), { nil: null }),
  issued: fc.nat(4).map((x) => x > 0),
  ops: fc.array(opArb, { maxLength: 6 }),
});

const historyArb = fc.record({
  units: fc.integer({ min: 2, max: UNITS.length }),
  targets: fc.array(targetArb, { minLength: 1, maxLength: 7 }),
  rename: fc.boolean(),
  v2: fc.option(fc.record({ month: fc.nat(11), cap: fc.constantFrom(1, 1.1) }), { nil: null }),
  /** Where the log is cut into chunks (fractions of its length), and after which chunk the reactor restarts. */
  cuts: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 3 }),
  restartAfter: fc.nat(12),
  batchSizes: fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 2, maxLength: 2 }),
  /** How the targets' streams interleave in the log (each stream stays in order). */
  interleaving: fc.array(fc.nat(), { maxLength: 80 }),
});
type History = typeof historyArb extends fc.Arbitrary<infer H> ? H : never;

/** One append, and whether the reactor catches up (and the view is checked) right before and after it. */
type Step = { append: () => Promise<unknown>; pause?: boolean };

/** The history as a list of appends, in log order. */
function steps(h: RankingsHarness, history: History): Step[] {
  const out: Step[] = [];
  for (const unitId of UNITS.slice(0, history.units)) out.push({ append: () => h.unit(unitId, 'towns') });
  out.push({ append: () => h.unit('stats-bureau', 'departments') });
  out.push({ append: () => h.cycle('2026', 2026) });
  out.push({ append: () => h.scheme('2026', 1, YEAR_START) });
  out.push({ append: () => h.tree('2026', 'towns', TREE, 100, YEAR_START) });
  const streams: Step[][] = [];
  history.targets.forEach((t, n) => {
    const out: Step[] = [];
    streams.push(out);
    const targetId = `t${n}`;
    const unitId = UNITS[t.unit % history.units]!;
    const definition = targetDefinition({
      unitId,
      indicatorId: t.indicatorId,
      direction: t.lower ? 'lowerIsBetter' : 'higherIsBetter',
      annualValue: t.annual,
      baseline: t.baseline,
      cadence: t.monthly ? 'monthly' : 'quarterly',
      schedule: t.monthly ? [8, 16, 25, 33, 41, 50, 58, 66, 75, 83, 91, 100] : [25, 50, 75, 100],
    });
    out.push({ append: () => h.target(targetId, definition, t.issued) });
    const reports: Array<{ reportId: string; period: string; live: boolean }> = [];
    t.ops.forEach((op, i) => {
      const last = reports.at(-1);
      switch (op.kind) {
        case 'report': {
          const period = t.monthly ? MONTHS[op.period]! : QUARTERS[Math.floor(op.period / 3)]!;
          const current = reports.filter((r) => r.period === period && r.live).at(-1);
          const replaces = op.replace && current ? current.reportId : null;
          if (current && replaces) current.live = false;
          const reportId = `${targetId}-r${i}`;
          reports.push({ reportId, period, live: true });
          out.push({
            append: () => h.report(targetId, reportId, period, op.value, replaces),
            pause: op.pause,
          });
          break;
        }
        case 'verify':
          if (last)
            out.push({ append: () => h.verify(targetId, last.reportId, last.period), pause: op.pause });
          break;
        case 'reject':
          if (last)
            out.push({ append: () => h.reject(targetId, last.reportId, last.period), pause: op.pause });
          break;
        case 'adjust':
          out.push({
            append: () => h.adjust(targetId, op.value, periodEnd(MONTHS[op.month]!)),
            pause: op.pause,
          });
          break;
        case 'withdraw':
          out.push({ append: () => h.withdraw(targetId), pause: op.pause });
          break;
      }
    });
  });
  // Interleave the target streams as the picks say, then whatever is left in stream order.
  for (const pick of history.interleaving) {
    const open = streams.filter((stream) => stream.length > 0);
    if (open.length === 0) break;
    out.push(open[pick % open.length]!.shift()!);
  }
  for (const stream of streams) out.push(...stream);
  if (history.rename) out.push({ append: () => h.rename('u0', '更名镇'), pause: true });
  const v2 = history.v2;
  if (v2)
    out.push({
      append: () => h.scheme('2026', 2, periodEnd(MONTHS[v2.month]!), { completionCap: v2.cap }),
      pause: true,
    });
  return out;
}

/** The view's documents as a from-scratch fold gives them: every month ended, scored over the whole log. */
async function fromScratch(h: RankingsHarness) {
  const rankings: MonthlyRanking[] = [];
  const names = new Map(
    (await h.views.find<{ _id: string; name: string }>('units', {})).map((u) => [u._id, u.name]),
  );
  for (const month of monthsEndedBy(2026, NOW)) {
    const input = await h.loader.load({ cycleId: '2026', category: 'towns', at: periodEnd(month) });
    try {
      const scored = scoreCategory(input);
      rankings.push(
        withYearOnYear(buildMonthlyRanking({ year: 2026, month, scored, input, unitNames: names }), null),
      );
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
    }
  }
  return rankings;
}

/** The months index and every month's document equal what the fold gives from scratch. */
async function expectViewEqualsFold(h: RankingsHarness): Promise<void> {
  const expected = await fromScratch(h);
  const index = await h.views.get<RankingMonths>(RANKING_MONTHS, rankingMonthsId('2026', 'towns'));
  expect(index?.months ?? []).toEqual(expected.map((r) => r.month));
  for (const ranking of expected) {
    const stored = await h.views.get<MonthlyRanking>(
      MONTHLY_RANKINGS,
      monthlyRankingId('2026', 'towns', ranking.month),
    );
    expect(stored).toEqual(ranking);
  }
}

describe('monthly rankings view (property)', () => {
  it('whenever the reactor has caught up (any batches, across a restart), equals a from-scratch fold of the log', async () => {
    await fc.assert(
      fc.asyncProperty(historyArb, async (history) => {
        const h = await RankingsHarness.open();
        h.now = NOW;
        try {
          const appends = steps(h, history);
          const cuts = new Set(history.cuts.map((c) => Math.floor(c * appends.length)));
          appends.forEach((step, i) => {
            if (step.pause) cuts.add(i).add(i + 1);
          });
          const chunks: Step[][] = [];
          let from = 0;
          for (const cut of [...[...cuts].sort((a, b) => a - b), appends.length]) {
            if (cut > from) chunks.push(appends.slice(from, cut));
            from = Math.max(from, cut);
          }
          let reactor = h.reactor({ batchSize: history.batchSizes[0] });
          await reactor.start();
          for (const [i, chunk] of chunks.entries()) {
            for (const step of chunk) await step.append();
            expect(await reactor.settle()).toBe(true);
            await expectViewEqualsFold(h);
            if (i === history.restartAfter % chunks.length) {
              await reactor.stop();
              reactor = h.reactor({ batchSize: history.batchSizes[1] });
              await reactor.start();
            }
          }
          expect(await reactor.settle()).toBe(true);
          await expectViewEqualsFold(h);
          expect(h.logger.errors).toEqual([]);
        } finally {
          await h.close();
        }
      }),
      { numRuns: RUNS },
    );
  }, 300_000);
});
