import { targetStream } from '@dukao/targets';
import { scoreCategory } from './domain/scoring.engine';
import { RankingsHarness, TOWNS_TREE, targetDefinition } from './rankings/testing/rankings-harness';
import { ScoringInputLoader } from './scoring-input.loader';

const YEAR_START = '2025-12-31T16:00:00.000Z';
const END_OF_JUNE = '2026-06-30T16:00:00.000Z';

/**
 * The loader reads a large category's target events in one pass over the log's target streams, a
 * small one stream by stream from the targets view: both give the same input.
 */
describe('ScoringInputLoader: one pass over the target streams', () => {
  let h: RankingsHarness;
  beforeAll(async () => {
    h = await RankingsHarness.open();
    for (const unitId of ['town-a', 'town-b']) await h.unit(unitId, 'towns');
    await h.unit('bureau', 'departments');
    for (const [cycleId, year] of [
      ['2026', 2026],
      ['2025', 2025],
    ] as const) {
      await h.cycle(cycleId, year);
      await h.scheme(cycleId, 1, YEAR_START);
      await h.tree(cycleId, 'towns', TOWNS_TREE, 1000, YEAR_START);
    }
    await h.target('a1', targetDefinition({ unitId: 'town-a', indicatorId: 'gdp-growth' }));
    await h.target('b1', targetDefinition({ unitId: 'town-b', indicatorId: 'gdp-growth', annualValue: 5 }));
    // Other categories and cycles, interleaved with the category's own streams.
    await h.target('d1', targetDefinition({ unitId: 'bureau', category: 'departments', indicatorId: 'x' }));
    await h.report('a1', 'a1-q1', '2026-Q1', 2);
    await h.target(
      'old',
      targetDefinition({ cycleId: '2025', year: 2025, unitId: 'town-a', indicatorId: 'gdp-growth' }),
    );
    await h.report('old', 'old-q1', '2025-Q1', 7);
    await h.report('d1', 'd1-q1', '2026-Q1', 1);
    // Proposed for the departments, returned, resubmitted for Town B: it moves into the towns.
    await h.target(
      'moved',
      targetDefinition({ unitId: 'bureau', category: 'departments', indicatorId: 'gdp-growth' }),
      false,
    );
    await h.report('b1', 'b1-q2', '2026-Q2', 3);
    await h.append(targetStream('moved'), 'TargetResubmitted', {
      targetId: 'moved',
      definition: targetDefinition({ unitId: 'town-b', indicatorId: 'livelihood', annualValue: 10 }),
      resubmittedAt: '2026-02-01T00:00:00.000Z',
    });
    await h.issue('moved');
    await h.report('moved', 'm-q2', '2026-Q2', 6);
    // Proposed for the towns, resubmitted for the departments: it moves out.
    await h.target('out', targetDefinition({ unitId: 'town-a', indicatorId: 'gdp-growth' }), false);
    await h.append(targetStream('out'), 'TargetResubmitted', {
      targetId: 'out',
      definition: targetDefinition({ unitId: 'bureau', category: 'departments', indicatorId: 'x' }),
      resubmittedAt: '2026-02-01T00:00:00.000Z',
    });
    await h.report('a1', 'a1-q2', '2026-Q2', 3.2);
    const head = (await h.events.headPosition())!;
    expect(await h.engine.waitFor('targets', head, 10_000)).toBe(true);
  });
  afterAll(() => h.close());

  it('gives the same input as reading stream by stream', async () => {
    const request = { cycleId: '2026', category: 'towns', at: END_OF_JUNE };
    const byStream = await h.loader.load(request);
    const onePass = await new ScoringInputLoader(h.events, h.views, { onePassMinTargets: 1 }).load(request);
    const ids = (input: typeof byStream) => input.targetEvents.map((e) => e.eventId).sort();
    expect(ids(onePass)).toEqual(ids(byStream));
    expect(new Set(onePass.targetEvents.map((e) => e.event.data.targetId))).toEqual(
      new Set(['a1', 'b1', 'moved']),
    );
    const { trace: _t1, ...a } = scoreCategory(onePass);
    const { trace: _t2, ...b } = scoreCategory(byStream);
    expect(a).toEqual(b);
    expect(a.units.find((u) => u.unitId === 'town-b')!.total).toBeGreaterThan(0);
  });
});
