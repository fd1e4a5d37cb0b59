import type { SpotCheckDrawn } from './spot-check.events';
import type { FrameItem, SampledItem } from './spot-check.sampler';
import { SAMPLING_ALGORITHM, deriveSeed, drawSample, frameDigest, logDigest } from './spot-check.sampler';

/** One check of a recomputation: what was recorded, what was recomputed, and whether they agree. */
export interface RecomputeCheck {
  name: 'frameDigest' | 'frame' | 'logDigest' | 'seed' | 'sample';
  matches: boolean;
  recorded: string;
  recomputed: string;
}

export interface SpotCheckRecomputation {
  spotCheckId: string;
  algorithm: string;
  matches: boolean;
  checks: RecomputeCheck[];
  /** The sample re-derived from the recorded frame and seed. */
  sample: SampledItem[];
}

const idsOf = (items: ReadonlyArray<{ itemId: string; stratum: string }>) =>
  items.map((i) => `${i.stratum}/${i.itemId}`).join(',');

/**
 * Re-derives a draw from what it recorded (pure): the frame's digest; the frame rebuilt from the log
 * by the same rule (when given); the log digest from the event at the recorded position as the log
 * has it now (null: no event there); the seed from that digest and the draw id; and the sample from
 * the recorded frame and seed. All must agree for `matches`. An unknown algorithm never matches.
 */
export function recomputeSpotCheck(
  drawn: SpotCheckDrawn['data'],
  log: { event: { position: number; eventId: string; hash: string } | null; frame: FrameItem[] | null },
): SpotCheckRecomputation {
  const checks: RecomputeCheck[] = [];
  const check = (name: RecomputeCheck['name'], recorded: string, recomputed: string) =>
    checks.push({ name, recorded, recomputed, matches: recorded === recomputed });
  check('frameDigest', drawn.frameDigest, frameDigest(drawn.frame));
  if (log.frame) check('frame', drawn.frameDigest, frameDigest(log.frame));
  const digest = log.event ? logDigest(log.event) : '（该位置无事件）';
  check('logDigest', drawn.logDigest, digest);
  check('seed', drawn.seed, deriveSeed(drawn.logDigest, drawn.spotCheckId));
  const known = drawn.algorithm === SAMPLING_ALGORITHM;
  const sample = known ? drawSample(drawn.frame, drawn.seed, { size: drawn.size, strata: drawn.strata }) : [];
  check('sample', idsOf(drawn.sample), known ? idsOf(sample) : `（未知算法 ${drawn.algorithm}）`);
  return {
    spotCheckId: drawn.spotCheckId,
    algorithm: drawn.algorithm,
    matches: checks.every((c) => c.matches),
    checks,
    sample,
  };
}
