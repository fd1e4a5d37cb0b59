import {
  type FrameItem,
  deriveSeed,
  drawSample,
  frameDigest,
  logDigest,
  sampleSizeProblem,
} from './spot-check.sampler';

const item = (
  n: number,
  unitId = `unit-${n % 3}`,
  category = n % 2 ? 'towns' : 'departments',
): FrameItem => ({
  itemId: `t-${String(n).padStart(3, '0')}`,
  targetId: `t-${String(n).padStart(3, '0')}`,
  reportId: null,
  period: null,
  unitId,
  category,
  indicatorId: 'gdp-growth',
});
const frame = Array.from({ length: 30 }, (_, i) => item(i));
const at = { position: 41, eventId: 'e-41', hash: 'a'.repeat(64) };
const seed = deriveSeed(logDigest(at), 'draw-1');
const ids = (sample: Array<{ itemId: string }>) => sample.map((s) => s.itemId);

describe('drawSample', () => {
  it('gives the same sample for the same inputs, whatever the frame’s order', () => {
    const rule = { size: { kind: 'count', value: 5 }, strata: 'none' } as const;
    const first = drawSample(frame, seed, rule);
    expect(drawSample(frame, seed, rule)).toEqual(first);
    expect(drawSample([...frame].reverse(), seed, rule)).toEqual(first);
    expect(first).toHaveLength(5);
    expect(first.map((s) => s.rank)).toEqual([1, 2, 3, 4, 5]);
  });

  it('gives another sample for another log digest, and for another draw id', () => {
    const rule = { size: { kind: 'count', value: 5 }, strata: 'none' } as const;
    const base = ids(drawSample(frame, seed, rule));
    const otherLog = deriveSeed(logDigest({ ...at, hash: 'b'.repeat(64) }), 'draw-1');
    const otherPosition = deriveSeed(logDigest({ ...at, position: 42 }), 'draw-1');
    const otherDraw = deriveSeed(logDigest(at), 'draw-2');
    expect(ids(drawSample(frame, otherLog, rule))).not.toEqual(base);
    expect(ids(drawSample(frame, otherPosition, rule))).not.toEqual(base);
    expect(ids(drawSample(frame, otherDraw, rule))).not.toEqual(base);
  });

  it('orders by SHA-256(seed:itemId) ascending', () => {
    const sample = drawSample(frame, seed, { size: { kind: 'count', value: 30 }, strata: 'none' });
    const keys = sample.map((s) => s.key);
    expect(keys).toEqual([...keys].sort());
    expect(new Set(ids(sample))).toEqual(new Set(ids(frame)));
  });

  it('draws per stratum: a count from each unit, strata in ascending order', () => {
    const sample = drawSample(frame, seed, { size: { kind: 'count', value: 2 }, strata: 'unit' });
    expect(sample.map((s) => s.stratum)).toEqual([
      'unit-0',
      'unit-0',
      'unit-1',
      'unit-1',
      'unit-2',
      'unit-2',
    ]);
    for (const s of sample) expect(frame.find((f) => f.itemId === s.itemId)!.unitId).toBe(s.stratum);
  });

  it('takes a share of each stratum rounded up, at least one, never more than the stratum', () => {
    const byCategory = drawSample(frame, seed, { size: { kind: 'share', value: 0.1 }, strata: 'category' });
    expect(byCategory.filter((s) => s.stratum === 'towns')).toHaveLength(2); // ⌈0.1 × 15⌉
    expect(byCategory.filter((s) => s.stratum === 'departments')).toHaveLength(2);
    expect(
      drawSample(frame.slice(0, 3), seed, { size: { kind: 'share', value: 0.01 }, strata: 'none' }),
    ).toHaveLength(1);
    expect(
      drawSample(frame.slice(0, 3), seed, { size: { kind: 'count', value: 10 }, strata: 'none' }),
    ).toHaveLength(3);
    expect(drawSample(frame, seed, { size: { kind: 'share', value: 0.3 }, strata: 'none' })).toHaveLength(9);
  });
});

describe('digests and sizes', () => {
  it('frameDigest depends on the exact ordered content', () => {
    expect(frameDigest(frame)).toBe(frameDigest(frame.map((f) => ({ ...f }))));
    expect(frameDigest(frame)).not.toBe(frameDigest([...frame].reverse()));
    expect(frameDigest(frame)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('refuses shares outside (0, 1] and counts that are not whole numbers from 1', () => {
    expect(sampleSizeProblem({ kind: 'share', value: 0.2 })).toBeNull();
    expect(sampleSizeProblem({ kind: 'share', value: 0 })).toMatch(/比例/);
    expect(sampleSizeProblem({ kind: 'share', value: 1.5 })).toMatch(/比例/);
    expect(sampleSizeProblem({ kind: 'count', value: 3 })).toBeNull();
    expect(sampleSizeProblem({ kind: 'count', value: 2.5 })).toMatch(/数量/);
    expect(sampleSizeProblem({ kind: 'count', value: 0 })).toMatch(/数量/);
  });
});
