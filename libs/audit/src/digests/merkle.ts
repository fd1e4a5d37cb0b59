import { createHash } from 'node:crypto';
import { type HashAlgorithm, canonicalJson } from '@dukao/event-store';

/**
 * The Merkle tree over the log, by position (docs/audit.md, "Log digests"): the tree of RFC 6962
 * §2.1 (Certificate Transparency) with its domain separation, over one leaf per event in log order.
 *
 * - leaf  = H(0x00 ‖ UTF-8(canonicalJson({ eventId, hash, position, revision, streamId })))
 *   where `hash` is the event's stored chain hash (which covers its content, see hash-chain.ts);
 * - node  = H(0x01 ‖ left ‖ right) over the raw digests;
 * - root of n leaves: for n = 0, H(""); for n = 1, the leaf; else, with k the largest power of two
 *   below n, node(root(first k), root(rest)).
 *
 * {@link MerkleFrontier} keeps only the roots of the perfect subtrees ("peaks") the leaves so far
 * decompose into, one per bit of n, so appending is O(1) amortised and memory O(log n); the root is
 * folded from the peaks right to left, which gives exactly the RFC 6962 root.
 */
export interface MerkleLeafInput {
  eventId: string;
  hash: string;
  position: number;
  revision: number;
  streamId: string;
}

const LEAF = Buffer.from([0]);
const NODE = Buffer.from([1]);

export function merkleLeaf(event: MerkleLeafInput, algorithm: HashAlgorithm): Buffer {
  const { eventId, hash, position, revision, streamId } = event;
  return createHash(algorithm)
    .update(LEAF)
    .update(canonicalJson({ eventId, hash, position, revision, streamId }), 'utf8')
    .digest();
}

export function merkleNode(left: Buffer, right: Buffer, algorithm: HashAlgorithm): Buffer {
  return createHash(algorithm).update(NODE).update(left).update(right).digest();
}

/** A perfect subtree of `size` leaves (a power of two) and its root, hex. */
export type MerklePeak = {
  size: number;
  hash: string;
};

export class MerkleFrontier {
  private readonly peaks: Array<{ size: number; hash: Buffer }>;
  private count: number;

  constructor(
    readonly algorithm: HashAlgorithm,
    peaks: readonly MerklePeak[] = [],
  ) {
    this.peaks = peaks.map((peak) => ({ size: peak.size, hash: Buffer.from(peak.hash, 'hex') }));
    this.count = peaks.reduce((sum, peak) => sum + peak.size, 0);
    const sizes = peaks.map((p) => p.size);
    const valid = sizes.every(
      (size, i) =>
        Number.isSafeInteger(size) &&
        size > 0 &&
        (size & (size - 1)) === 0 &&
        (i === 0 || size < sizes[i - 1]!),
    );
    if (!valid) throw new Error('Merkle peaks must be strictly decreasing powers of two');
  }

  /** How many leaves the frontier holds. */
  get size(): number {
    return this.count;
  }

  append(leaf: Buffer): void {
    let size = 1;
    let hash = leaf;
    while (this.peaks.length > 0 && this.peaks[this.peaks.length - 1]!.size === size) {
      const left = this.peaks.pop()!;
      hash = merkleNode(left.hash, hash, this.algorithm);
      size *= 2;
    }
    this.peaks.push({ size, hash });
    this.count += 1;
  }

  appendEvent(event: MerkleLeafInput): void {
    this.append(merkleLeaf(event, this.algorithm));
  }

  root(): string {
    if (this.peaks.length === 0) return createHash(this.algorithm).digest('hex');
    let acc = this.peaks[this.peaks.length - 1]!.hash;
    for (let i = this.peaks.length - 2; i >= 0; i -= 1)
      acc = merkleNode(this.peaks[i]!.hash, acc, this.algorithm);
    return acc.toString('hex');
  }

  /** The peaks, largest (leftmost) first. */
  frontier(): MerklePeak[] {
    return this.peaks.map((peak) => ({ size: peak.size, hash: peak.hash.toString('hex') }));
  }

  clone(): MerkleFrontier {
    return new MerkleFrontier(this.algorithm, this.frontier());
  }
}

/** The root of a list of leaves by the RFC 6962 recursion itself (the reference the frontier is tested against). */
export function merkleRootOf(leaves: readonly Buffer[], algorithm: HashAlgorithm): string {
  const mth = (from: number, to: number): Buffer => {
    const n = to - from;
    if (n === 1) return leaves[from]!;
    let k = 1;
    while (k * 2 < n) k *= 2;
    return merkleNode(mth(from, from + k), mth(from + k, to), algorithm);
  };
  if (leaves.length === 0) return createHash(algorithm).digest('hex');
  return mth(0, leaves.length).toString('hex');
}
