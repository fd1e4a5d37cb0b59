import { createHash } from 'node:crypto';
import { MerkleFrontier, merkleLeaf, merkleNode, merkleRootOf } from './merkle';

const leaf = (n: number) =>
  merkleLeaf(
    {
      eventId: `e-${n}`,
      hash: n.toString(16).padStart(64, '0'),
      position: n + 1,
      revision: 0,
      streamId: `s-${n % 3}`,
    },
    'sha256',
  );
const sha = (...parts: Buffer[]) => parts.reduce((h, p) => h.update(p), createHash('sha256')).digest();

describe('Merkle tree over the log (RFC 6962 shape)', () => {
  it('hashes a leaf as H(0x00 ‖ canonical JSON of position, ids and the stored hash)', () => {
    const json =
      '{"eventId":"e-1","hash":"' + '1'.padStart(64, '0') + '","position":2,"revision":0,"streamId":"s-1"}';
    expect(leaf(1)).toEqual(sha(Buffer.from([0]), Buffer.from(json, 'utf8')));
  });

  it('roots: empty is H(""), one leaf is the leaf, three leaves are node(node(a, b), c)', () => {
    expect(new MerkleFrontier('sha256').root()).toBe(createHash('sha256').digest('hex'));
    const [a, b, c] = [leaf(0), leaf(1), leaf(2)];
    const one = new MerkleFrontier('sha256');
    one.append(a);
    expect(one.root()).toBe(a.toString('hex'));
    const three = new MerkleFrontier('sha256');
    [a, b, c].forEach((l) => three.append(l));
    expect(three.root()).toBe(sha(Buffer.from([1]), sha(Buffer.from([1]), a, b), c).toString('hex'));
  });

  it('the incremental frontier gives the recursive root for every size up to 70', () => {
    const leaves = Array.from({ length: 70 }, (_, n) => leaf(n));
    const frontier = new MerkleFrontier('sha256');
    for (let n = 1; n <= leaves.length; n += 1) {
      frontier.append(leaves[n - 1]!);
      expect(frontier.root()).toBe(merkleRootOf(leaves.slice(0, n), 'sha256'));
      expect(frontier.frontier().map((p) => p.size)).toEqual(
        [...n.toString(2)]
          .map((bit, i, bits) => (bit === '1' ? 2 ** (bits.length - 1 - i) : 0))
          .filter(Boolean),
      );
    }
  });

  it('resumes from stored peaks exactly where it left off', () => {
    const leaves = Array.from({ length: 23 }, (_, n) => leaf(n));
    const first = new MerkleFrontier('sha256');
    leaves.slice(0, 13).forEach((l) => first.append(l));
    const resumed = new MerkleFrontier('sha256', first.frontier());
    expect(resumed.size).toBe(13);
    leaves.slice(13).forEach((l) => resumed.append(l));
    expect(resumed.root()).toBe(merkleRootOf(leaves, 'sha256'));
  });

  it('refuses peaks that are not decreasing powers of two', () => {
    expect(() => new MerkleFrontier('sha256', [{ size: 3, hash: 'a'.repeat(64) }])).toThrow(/powers of two/);
    expect(
      () =>
        new MerkleFrontier('sha256', [
          { size: 2, hash: 'a'.repeat(64) },
          { size: 4, hash: 'b'.repeat(64) },
        ]),
    ).toThrow(/powers of two/);
  });

  it('uses SM3 throughout when configured', () => {
    const a = merkleLeaf(
      { eventId: 'e', hash: '0'.repeat(64), position: 1, revision: 0, streamId: 's' },
      'sm3',
    );
    const frontier = new MerkleFrontier('sm3');
    frontier.append(a);
    frontier.append(a);
    expect(frontier.root()).toBe(merkleNode(a, a, 'sm3').toString('hex'));
    expect(frontier.root()).not.toBe(merkleNode(a, a, 'sha256').toString('hex'));
  });
});
