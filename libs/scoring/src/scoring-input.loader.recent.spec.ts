import { unitStream } from '@dukao/targets';
import { RankingsHarness, TOWNS_TREE, targetDefinition } from './rankings/testing/rankings-harness';
import { ScoringInputLoader, type ScoringRequest } from './scoring-input.loader';

const YEAR_START = '2025-12-31T16:00:00.000Z';
const END_OF_JUNE = '2026-06-30T16:00:00.000Z';

/**
 * `loadRecent` keeps a (cycle, category)'s sources between requests: what it gives is always what a
 * fresh `load` gives, before and after appends to any stream the sources are read from.
 */
describe('ScoringInputLoader.loadRecent', () => {
  let h: RankingsHarness;
  let loader: ScoringInputLoader;
  const request: ScoringRequest = { cycleId: '2026', category: 'towns', at: END_OF_JUNE };

  const caughtUp = async () => {
    const head = (await h.events.headPosition())!;
    expect(await h.engine.waitFor('units', head, 10_000)).toBe(true);
    expect(await h.engine.waitFor('targets', head, 10_000)).toBe(true);
  };
  /** How many times the log's streams are read while `run` runs (a fresh read reads the cycle's stream). */
  const streamReads = async (run: () => Promise<unknown>) => {
    const spy = jest.spyOn(h.events, 'readStream');
    try {
      await run();
      return spy.mock.calls.length;
    } finally {
      spy.mockRestore();
    }
  };
  const expectFresh = async (r: ScoringRequest = request) =>
    expect(await loader.loadRecent(r)).toEqual(await h.loader.load(r));

  beforeAll(async () => {
    h = await RankingsHarness.open();
    for (const unitId of ['town-a', 'town-b']) await h.unit(unitId, 'towns');
    await h.unit('bureau', 'departments');
    await h.cycle('2026', 2026);
    await h.scheme('2026', 1, YEAR_START);
    await h.tree('2026', 'towns', TOWNS_TREE, 1000, YEAR_START);
    await h.target('a1', targetDefinition({ unitId: 'town-a', indicatorId: 'gdp-growth' }));
    await h.target('b1', targetDefinition({ unitId: 'town-b', indicatorId: 'gdp-growth', annualValue: 5 }));
    await h.report('a1', 'a1-q1', '2026-Q1', 2);
    await caughtUp();
    loader = new ScoringInputLoader(h.events, h.views);
  });
  afterAll(() => h.close());

  it('gives what a fresh load gives, and reads nothing again while the log has not moved', async () => {
    await expectFresh();
    expect(await streamReads(() => loader.loadRecent(request))).toBe(0);
    await expectFresh();
    // Any instant and any asOf from the same sources.
    await expectFresh({ ...request, at: '2026-03-31T16:00:00.000Z', asOf: '2026-01-01T00:00:00.000Z' });
    expect(await streamReads(() => loader.loadRecent({ ...request, asOf: END_OF_JUNE }))).toBe(0);
  });

  it('reads afresh after an append to a target, a unit, the cycle or of a record', async () => {
    await loader.loadRecent(request);
    await h.report('b1', 'b1-q2', '2026-Q2', 3);
    expect(await streamReads(() => loader.loadRecent(request))).toBeGreaterThan(0);
    await expectFresh();
    expect(await loader.loadRecent(request)).toMatchObject({
      targetEvents: expect.arrayContaining([
        expect.objectContaining({ event: expect.objectContaining({ type: 'ProgressReported' }) }),
      ]),
    });

    await h.append('score-adjustments-2026', 'ScoreAdjusted', {
      adjustmentId: 'adj-1',
      cycleId: '2026',
      unitId: 'town-a',
      kind: 'bonus',
      amount: 2,
      reason: '获省级表彰',
      occurredOn: '2026-05-01',
      occurredAt: '2026-04-30T16:00:00.000Z',
    });
    await expectFresh();
    expect((await loader.loadRecent(request)).records).toHaveLength(1);

    await h.scheme('2026', 2, '2026-06-01T00:00:00.000Z');
    await expectFresh();
    expect((await loader.loadRecent(request)).schemes.map((s) => s.version)).toEqual([1, 2]);

    // A new unit and target read while the views lag behind the log (their projections stopped):
    // as a fresh load then, without them; once the views have them, so has the kept input.
    await h.engine.stop();
    await h.unit('town-c', 'towns');
    await h.target('c1', targetDefinition({ unitId: 'town-c', indicatorId: 'gdp-growth' }));
    await expectFresh();
    expect((await loader.loadRecent(request)).unitIds).not.toContain('town-c');
    await h.engine.start();
    await caughtUp();
    await expectFresh();
    const input = await loader.loadRecent(request);
    expect(input.unitIds).toContain('town-c');
    expect(input.targetEvents.some((e) => e.event.data.targetId === 'c1')).toBe(true);
  });

  it('is not moved by events of other streams and types', async () => {
    await loader.loadRecent(request);
    await h.append('notices-x', 'NoticeSent', { noticeId: 'x' });
    expect(await streamReads(() => loader.loadRecent(request))).toBe(0);
    await h.append(unitStream('bureau'), 'UnitRenamed', { unitId: 'bureau', name: '局', renamedAt: h.now });
    await caughtUp();
    expect(await streamReads(() => loader.loadRecent(request))).toBeGreaterThan(0);
    await expectFresh();
  });

  it('keeps a few categories, the least recently used going first', async () => {
    await loader.loadRecent(request);
    for (const category of ['c1', 'c2', 'c3']) await loader.loadRecent({ ...request, category });
    expect(await streamReads(() => loader.loadRecent(request))).toBe(0);
    for (const category of ['c1', 'c2', 'c3', 'c4']) await loader.loadRecent({ ...request, category });
    expect(await streamReads(() => loader.loadRecent(request))).toBeGreaterThan(0);
  });
});
