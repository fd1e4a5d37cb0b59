import { createHash } from 'node:crypto';
import { canonicalJson } from '@dukao/event-store';

/**
 * One candidate of a spot check's frame (抽查范围): a target, or a report of a target. `itemId` is the
 * target id (population `targets`) or the report id (population `reports`).
 */
export type FrameItem = {
  itemId: string;
  targetId: string;
  reportId: string | null;
  /** The report's period (reports only). */
  period: string | null;
  unitId: string;
  category: string;
  indicatorId: string;
};

/** How many to draw: a share of each stratum (rounded up, at least one) or a count per stratum. */
export type SampleSize = { kind: 'share'; value: number } | { kind: 'count'; value: number };
/** Strata: the whole frame as one, or one stratum per unit or per category, each drawn on its own. */
export type Strata = 'none' | 'unit' | 'category';

export type SampledItem = {
  itemId: string;
  /** '' (no strata), the unit id or the category. */
  stratum: string;
  /** 1 for the first drawn in its stratum. */
  rank: number;
  /** SHA-256(seed ‖ ':' ‖ itemId), hex: the item's place in the draw order. */
  key: string;
};

/** The sampling algorithm's name, recorded with every draw so a later change cannot silently reinterpret one. */
export const SAMPLING_ALGORITHM = 'sha256-rank-v1';

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

/**
 * The digest of the log at a position, the input to a draw's seed. Defined here, in one function: the
 * SHA-256 of the position, the id and the stored hash of the event at that position. That hash chains
 * its stream back to its first event (hash-chain.ts), and the position pins where in the log it is, so
 * a different log (or the same log at another position) gives another digest.
 */
export function logDigest(at: { position: number; eventId: string; hash: string }): string {
  return sha256(`dukao-log-digest-v1\n${at.position}\n${at.eventId}\n${at.hash}`);
}

/** A draw's seed: SHA-256 of the log digest and the draw's own id, so nobody chose it. */
export function deriveSeed(digest: string, spotCheckId: string): string {
  return sha256(`dukao-spot-check-seed-v1\n${digest}\n${spotCheckId}`);
}

/** SHA-256 of the frame's canonical JSON (RFC 8785 rules, as the log's hashes): pins its exact ordered content. */
export function frameDigest(frame: readonly FrameItem[]): string {
  return sha256(canonicalJson(frame));
}

/** Why a sample size is not usable, in Chinese; null when it is. */
export function sampleSizeProblem(size: SampleSize): string | null {
  if (size.kind === 'share')
    return Number.isFinite(size.value) && size.value > 0 && size.value <= 1
      ? null
      : '抽查比例须大于 0、不超过 1';
  return Number.isInteger(size.value) && size.value >= 1 && size.value <= 10_000
    ? null
    : '抽查数量须为 1 至 10000 的整数';
}

const stratumOf = (item: FrameItem, strata: Strata) =>
  strata === 'unit' ? item.unitId : strata === 'category' ? item.category : '';

/**
 * Draws the sample (pure; algorithm `sha256-rank-v1`): within each stratum, the items ordered by
 * SHA-256(seed ‖ ':' ‖ itemId) ascending (ties, which do not happen in practice, by itemId), and the
 * first n taken, where n is the count (at most the stratum's size) or ⌈share × size⌉ (at least one).
 * Strata are returned in ascending order, each in draw order. The same frame, seed and rule always
 * give the same sample; the frame's order does not matter, the seed does.
 */
export function drawSample(
  frame: readonly FrameItem[],
  seed: string,
  rule: { size: SampleSize; strata: Strata },
): SampledItem[] {
  const strata = new Map<string, Array<{ itemId: string; key: string }>>();
  for (const item of frame) {
    const stratum = stratumOf(item, rule.strata);
    const list = strata.get(stratum) ?? [];
    list.push({ itemId: item.itemId, key: sha256(`${seed}:${item.itemId}`) });
    strata.set(stratum, list);
  }
  const sample: SampledItem[] = [];
  for (const stratum of [...strata.keys()].sort()) {
    const items = strata
      .get(stratum)!
      .sort((a, b) => (a.key === b.key ? (a.itemId < b.itemId ? -1 : 1) : a.key < b.key ? -1 : 1));
    const n =
      rule.size.kind === 'count'
        ? Math.min(rule.size.value, items.length)
        : Math.min(items.length, Math.max(1, Math.ceil(rule.size.value * items.length - 1e-9)));
    items.slice(0, n).forEach((item, index) => sample.push({ ...item, stratum, rank: index + 1 }));
  }
  return sample;
}
