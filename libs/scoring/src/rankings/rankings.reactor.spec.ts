import { periodEnd } from '@dukao/targets';
import { scoreCategory } from '../domain/scoring.engine';
import type { ScoringRequest } from '../scoring-input.loader';
import {
  MONTHLY_RANKINGS,
  type MonthlyRanking,
  RANKING_MONTHS,
  type RankingMonths,
  monthlyRankingId,
  rankingMonthsId,
} from './monthly-ranking';
import type { RankingsReactor } from './rankings.reactor';
import { RankingsHarness, TOWNS_TREE, targetDefinition } from './testing/rankings-harness';

const YEAR_2026 = '2025-12-31T16:00:00.000Z';
const YEAR_2025 = '2024-12-31T16:00:00.000Z';

async function ranking(h: RankingsHarness, cycleId: string, month: string, category = 'towns') {
  return h.views.get<MonthlyRanking>(MONTHLY_RANKINGS, monthlyRankingId(cycleId, category, month));
}

async function months(h: RankingsHarness, cycleId: string, category = 'towns') {
  return (await h.views.get<RankingMonths>(RANKING_MONTHS, rankingMonthsId(cycleId, category)))?.months;
}

/** What the engine says from scratch at a month's end: the rows' ranking part. */
async function fold(h: RankingsHarness, cycleId: string, month: string, category = 'towns') {
  const scored = scoreCategory(await h.loader.load({ cycleId, category, at: periodEnd(month) }));
  return scored.units.map((u) => ({
    unitId: u.unitId,
    total: u.total,
    totalThousandths: u.totalThousandths,
    rank: u.rank,
    grade: u.grade,
    flagged: u.flagged,
  }));
}

const rankingPart = (doc: MonthlyRanking | null) =>
  doc?.rows.map(({ unitId, total, totalThousandths, rank, grade, flagged }) => ({
    unitId,
    total,
    totalThousandths,
    rank,
    grade,
    flagged,
  }));

/** Cycle 2026: three towns, the towns tree, the default scheme, Town A's GDP target reporting 3.2 for Q2. */
async function workedExample(h: RankingsHarness) {
  for (const [unitId, name] of [
    ['town-a', '甲镇'],
    ['town-b', '乙镇'],
    ['town-c', '丙镇'],
  ] as const)
    await h.unit(unitId, 'towns', name);
  await h.unit('stats-bureau', 'departments', '市统计局');
  await h.cycle('2026', 2026);
  await h.scheme('2026', 1, YEAR_2026);
  await h.tree('2026', 'towns', TOWNS_TREE, 1000, YEAR_2026);
  await h.target('gdp-a', targetDefinition({ unitId: 'town-a', indicatorId: 'gdp-growth' }));
  await h.target('gdp-b', targetDefinition({ unitId: 'town-b', indicatorId: 'gdp-growth', annualValue: 6 }));
  await h.target(
    'prog-b',
    targetDefinition({ unitId: 'town-b', indicatorId: 'livelihood', annualValue: 100 }),
  );
  await h.report('gdp-a', 'a-q1', '2026-Q1', 1.5);
  await h.report('gdp-b', 'b-q1', '2026-Q1', 1.8);
  await h.report('gdp-a', 'a-q2', '2026-Q2', 3.2);
  await h.report('prog-b', 'p-q2', '2026-Q2', 40);
}

describe('RankingsReactor (monthly rankings view)', () => {
  let h: RankingsHarness;
  let reactor: RankingsReactor;

  beforeEach(async () => {
    h = await RankingsHarness.open();
  });
  afterEach(async () => {
    await h.close();
    expect(h.logger.errors).toEqual([]);
  });

  async function started(options = {}) {
    reactor = h.reactor(options);
    await reactor.start();
    expect(await reactor.settle()).toBe(true);
    return reactor;
  }

  describe('given the worked example in mid-July', () => {
    beforeEach(async () => {
      await workedExample(h);
      await started();
    });

    it('has a ranking for each month whose end has passed, equal to the engine’s from scratch', async () => {
      expect(await months(h, '2026')).toEqual([
        '2026-01',
        '2026-02',
        '2026-03',
        '2026-04',
        '2026-05',
        '2026-06',
      ]);
      for (const month of ['2026-01', '2026-03', '2026-06'])
        expect(rankingPart(await ranking(h, '2026', month))).toEqual(await fold(h, '2026', month));
      expect(await ranking(h, '2026', '2026-07')).toBeNull();
    });

    it('shows names, level-1 scores, completion against the schedule and the category average', async () => {
      const june = (await ranking(h, '2026', '2026-06'))!;
      expect(june).toMatchObject({
        at: periodEnd('2026-06'),
        final: false,
        scale: 1000,
        lastYearCycleId: null,
      });
      expect(june.indicators).toEqual([
        { indicatorId: 'economy', name: '经济发展', points: 600 },
        { indicatorId: 'livelihood', name: '社会民生', points: 400 },
      ]);
      const a = june.rows.find((r) => r.unitId === 'town-a')!;
      // 3.2 of 8.0 at the end of Q2: completion 40 %, schedule 50 %; Town B: 1.8 of 6 (30 %) and 40 of 100 (40 %).
      expect(a).toMatchObject({ unitName: '甲镇', completionPct: 40, expectedPct: 50, vsExpected: -10 });
      expect(a.scores).toEqual([240, 0]);
      const b = june.rows.find((r) => r.unitId === 'town-b')!;
      expect(b).toMatchObject({ completionPct: 35, expectedPct: 50, vsExpected: -15 });
      expect(june.averageCompletionPct).toBe(37.5);
      expect(a.vsAverage).toBe(2.5);
      expect(b.vsAverage).toBe(-2.5);
      const c = june.rows.find((r) => r.unitId === 'town-c')!;
      expect(c).toMatchObject({ completionPct: null, expectedPct: null, vsAverage: null, flagged: true });
      // In May, the latest quarter ended is Q1 (schedule 25 %): 1.5 of 8.
      const may = (await ranking(h, '2026', '2026-05'))!;
      expect(may.rows.find((r) => r.unitId === 'town-a')).toMatchObject({
        completionPct: 18.75,
        expectedPct: 25,
      });
    });

    it('a category with no tree in force has no month', async () => {
      expect(await months(h, '2026', 'departments')).toEqual([]);
      expect(await ranking(h, '2026', '2026-06', 'departments')).toBeNull();
    });

    it('a new report moves the months from its period’s end on, and a rename every month', async () => {
      const march = await ranking(h, '2026', '2026-03');
      const { position } = await h.report('gdp-b', 'b-q2', '2026-Q2', 5.4);
      expect(await reactor.settle()).toBe(true);
      expect(reactor.position).toBeGreaterThanOrEqual(position);
      expect(await ranking(h, '2026', '2026-03')).toEqual(march);
      const june = (await ranking(h, '2026', '2026-06'))!;
      expect(june.rows[0]).toMatchObject({ unitId: 'town-b', rank: 1, completionPct: 65 });
      expect(rankingPart(june)).toEqual(await fold(h, '2026', '2026-06'));

      await h.rename('town-b', '乙镇（新）');
      expect(await reactor.settle()).toBe(true);
      expect((await ranking(h, '2026', '2026-01'))!.rows.find((r) => r.unitId === 'town-b')!.unitName).toBe(
        '乙镇（新）',
      );
    });

    it('adds a month once its end has passed, with no event (the month tick)', async () => {
      h.now = '2026-08-01T01:00:00.000Z';
      expect(await reactor.refreshMonths()).toEqual({ months: 1 });
      expect(await months(h, '2026')).toContain('2026-07');
      expect(rankingPart(await ranking(h, '2026', '2026-07'))).toEqual(await fold(h, '2026', '2026-07'));
      expect(await reactor.refreshMonths()).toEqual({ months: 0 });
    });

    it('an event after months have ended also adds those months, whatever it touches', async () => {
      h.now = '2026-09-02T01:00:00.000Z';
      // A Q2 correction: June on, and July and August, which ended since.
      await h.report('gdp-a', 'a-q2-fix', '2026-Q2', 3.6, 'a-q2');
      expect(await reactor.settle()).toBe(true);
      expect((await months(h, '2026'))!.slice(-3)).toEqual(['2026-06', '2026-07', '2026-08']);
      expect(rankingPart(await ranking(h, '2026', '2026-08'))).toEqual(await fold(h, '2026', '2026-08'));
      expect(await reactor.refreshMonths()).toEqual({ months: 0 });
    });

    it('marks December as the year-end ranking', async () => {
      h.now = '2027-01-05T01:00:00.000Z';
      await reactor.refreshMonths();
      expect((await months(h, '2026'))!.at(-1)).toBe('2026-12');
      expect(await ranking(h, '2026', '2026-12')).toMatchObject({ final: true });
      expect(rankingPart(await ranking(h, '2026', '2026-12'))).toEqual(await fold(h, '2026', '2026-12'));
    });

    it('resumes after a restart from its checkpoint and rebuilds into the same documents', async () => {
      await reactor.stop();
      await h.report('gdp-b', 'b-q2', '2026-Q2', 5.4);
      await h.reject('gdp-a', 'a-q2', '2026-Q2');
      await started();
      expect(rankingPart(await ranking(h, '2026', '2026-06'))).toEqual(await fold(h, '2026', '2026-06'));
      const before = await h.documents();
      const generation = (await h.views.registration('rankings'))!.generation;

      await reactor.rebuild();
      expect(await reactor.settle()).toBe(true);
      expect((await h.views.registration('rankings'))!.generation).toBe(generation + 1);
      expect(await h.documents()).toEqual(before);
    });
  });

  it('recomputes each dirty category once per batch, only the months an event can change', async () => {
    await workedExample(h);
    await started();
    // Each read of the log (`prepare`), and each month's input built from it.
    const reads: string[] = [];
    const loads: ScoringRequest[] = [];
    const prepare = h.loader.prepare.bind(h.loader);
    jest.spyOn(h.loader, 'prepare').mockImplementation(async (request) => {
      reads.push(request.category);
      const inputAt = await prepare(request);
      return (at) => {
        loads.push({ ...request, at });
        return inputAt(at);
      };
    });
    await reactor.stop();
    // Ten events of the towns in one batch: Q2 reports (June on), a verification, a rejection.
    for (let n = 0; n < 4; n += 1) {
      await h.report('gdp-b', `b-q2-${n}`, '2026-Q2', 4 + n, n === 0 ? null : `b-q2-${n - 1}`);
    }
    await h.verify('gdp-b', 'b-q2-3', '2026-Q2');
    await h.reject('gdp-a', 'a-q2', '2026-Q2');
    await started({ batchSize: 1000 });
    expect(reads).toEqual(['towns']);
    expect(loads.map((r) => [r.category, r.at])).toEqual([['towns', periodEnd('2026-06')]]);

    reads.length = 0;
    loads.length = 0;
    // Effective from 08:00 on 1 May (Shanghai): May and June, not April.
    await h.adjust('gdp-a', 7, '2026-05-01T00:00:00.000Z');
    expect(await reactor.settle()).toBe(true);
    expect(reads).toEqual(['towns']);
    expect(loads.map((r) => r.at)).toEqual([periodEnd('2026-05'), periodEnd('2026-06')]);
  });

  it('compares each month with the same month of last year’s cycle, and follows last year’s changes', async () => {
    await workedExample(h);
    await h.cycle('2025', 2025);
    await h.scheme('2025', 1, YEAR_2025);
    await h.tree('2025', 'towns', TOWNS_TREE, 1000, YEAR_2025);
    await h.target(
      'gdp-a-2025',
      targetDefinition({ cycleId: '2025', year: 2025, unitId: 'town-a', indicatorId: 'gdp-growth' }),
    );
    await h.report('gdp-a-2025', 'a25-q2', '2025-Q2', 4);
    await started();

    const june = (await ranking(h, '2026', '2026-06'))!;
    const lastJune = (await ranking(h, '2025', '2025-06'))!;
    expect(june.lastYearCycleId).toBe('2025');
    const a = june.rows.find((r) => r.unitId === 'town-a')!;
    const a25 = lastJune.rows.find((r) => r.unitId === 'town-a')!;
    expect(a25).toMatchObject({ total: 300, rank: 1 });
    expect(a.lastYear).toEqual({
      cycleId: '2025',
      total: 300,
      totalThousandths: 300_000,
      rank: 1,
      deltaThousandths: a.totalThousandths - 300_000,
      delta: (a.totalThousandths - 300_000) / 1000,
      rankChange: 1 - a.rank,
    });
    expect(lastJune.lastYearCycleId).toBeNull();

    // A late correction of last year's June moves this year's comparison, not this year's scores.
    await h.report('gdp-a-2025', 'a25-q2-fix', '2025-Q2', 2, 'a25-q2');
    expect(await reactor.settle()).toBe(true);
    const after = (await ranking(h, '2026', '2026-06'))!;
    expect(after.rows.find((r) => r.unitId === 'town-a')!.lastYear).toMatchObject({ total: 150 });
    expect(rankingPart(after)).toEqual(rankingPart(june));
  });

  it('a month the scheme does not reach yet has no ranking', async () => {
    await workedExample(h);
    await h.scheme('2026', 2, '2026-03-01T00:00:00.000Z', { completionCap: 1 });
    await started();
    // Version 1 was effective from the start of the year: every month is scored.
    expect(await months(h, '2026')).toHaveLength(6);
    const fresh = await RankingsHarness.open();
    try {
      await fresh.unit('town-a', 'towns');
      await fresh.cycle('2026', 2026);
      await fresh.tree('2026', 'towns', TOWNS_TREE, 1000, YEAR_2026);
      await fresh.scheme('2026', 1, '2026-03-15T00:00:00.000Z');
      const r = fresh.reactor();
      await r.start();
      expect(await r.settle()).toBe(true);
      expect(await months(fresh, '2026')).toEqual(['2026-03', '2026-04', '2026-05', '2026-06']);
    } finally {
      await fresh.close();
    }
  });
});
