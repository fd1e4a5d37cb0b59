import type { SpotCheckDrawn } from './spot-check.events';
import { recomputeSpotCheck } from './spot-check.recompute';
import { type FrameItem, deriveSeed, drawSample, frameDigest, logDigest } from './spot-check.sampler';

const item = (n: number): FrameItem => ({
  itemId: `t-${n}`,
  targetId: `t-${n}`,
  reportId: null,
  period: null,
  unitId: `unit-${n}`,
  category: 'towns',
  indicatorId: 'gdp-growth',
});
const frame = [1, 2, 3, 4, 5, 6].map(item);
const event = { position: 9, eventId: 'e-9', hash: 'd'.repeat(64) };
const digest = logDigest(event);
const seed = deriveSeed(digest, 'sc-1');
const drawn: SpotCheckDrawn['data'] = {
  spotCheckId: 'sc-1',
  title: '抽查',
  cycleId: '2026',
  population: 'targets',
  period: null,
  unitIds: null,
  categories: null,
  size: { kind: 'count', value: 2 },
  strata: 'none',
  frame,
  frameDigest: frameDigest(frame),
  logPosition: 9,
  logEventId: 'e-9',
  logEventHash: 'd'.repeat(64),
  logDigest: digest,
  seed,
  algorithm: 'sha256-rank-v1',
  sample: drawSample(frame, seed, { size: { kind: 'count', value: 2 }, strata: 'none' }),
  drawnAt: '2026-10-12T01:00:00.000Z',
};
const failed = (r: ReturnType<typeof recomputeSpotCheck>) =>
  r.checks.filter((c) => !c.matches).map((c) => c.name);

describe('recomputeSpotCheck', () => {
  it('matches a draw recorded as drawn, against the same log', () => {
    const result = recomputeSpotCheck(drawn, { event, frame });
    expect(result.matches).toBe(true);
    expect(result.sample).toEqual(drawn.sample);
  });

  it('names what no longer matches: a changed event at the position, a different frame, an edited sample or seed', () => {
    expect(failed(recomputeSpotCheck(drawn, { event: { ...event, hash: 'e'.repeat(64) }, frame }))).toEqual([
      'logDigest',
    ]);
    expect(failed(recomputeSpotCheck(drawn, { event: null, frame }))).toEqual(['logDigest']);
    expect(failed(recomputeSpotCheck(drawn, { event, frame: frame.slice(1) }))).toEqual(['frame']);
    const picked = {
      ...drawn,
      sample: drawSample(frame, 'f'.repeat(64), { size: drawn.size, strata: 'none' }),
    };
    expect(failed(recomputeSpotCheck(picked, { event, frame }))).toEqual(['sample']);
    expect(failed(recomputeSpotCheck({ ...drawn, seed: 'f'.repeat(64) }, { event, frame }))).toEqual([
      'seed',
      'sample',
    ]);
    expect(failed(recomputeSpotCheck({ ...drawn, frame: frame.slice(0, 5) }, { event, frame }))).toEqual([
      'frameDigest',
      'sample',
    ]);
  });

  it('never matches an algorithm it does not know', () => {
    expect(failed(recomputeSpotCheck({ ...drawn, algorithm: 'sha256-rank-v9' }, { event, frame }))).toEqual([
      'sample',
    ]);
  });
});
