import type { KeyObject } from 'node:crypto';
import { type ChainBreakReason, type StoredEvent, verifyChain } from '@dukao/event-store';
import { type SignatureCheck, checkSignature } from './log-digest.document';
import type { LogDigestDocument } from './log-digest.events';
import { MerkleFrontier } from './merkle';

/**
 * - `event-changed`: an event's content no longer hashes to its stored hash (edited in place);
 * - `chain-broken`: an event's prevHash or revision does not follow the one before it in its stream;
 * - `event-missing`: positions jump or go back (an event removed from the middle, SQLite);
 * - `log-shrank`: the log holds fewer events than the digest signed;
 * - `subtree-changed`: every chain holds but the Merkle root differs (events rewritten and re-hashed,
 *   removed with their streams, or reordered): the range is the first signed subtree that differs.
 */
export type DigestDifferenceKind =
  'event-changed' | 'chain-broken' | 'event-missing' | 'log-shrank' | 'subtree-changed';

export interface DigestDifference {
  kind: DigestDifferenceKind;
  /** The event named (the first one that differs), when one can be named. */
  position: number | null;
  streamId: string | null;
  revision: number | null;
  eventId: string | null;
  /** For `subtree-changed`: the positions the differing subtree spans in the log now. */
  range: { fromPosition: number; toPosition: number } | null;
  detail: string;
}

export interface DigestVerification {
  /** True when the signature is valid and the first `eventCount` events of the log still give the signed root. */
  ok: boolean;
  digestId: string;
  signature: SignatureCheck;
  signed: { eventCount: number; lastPosition: number | null; lastEventId: string | null; root: string };
  /** What the log gives now for the same first `eventCount` events. */
  recomputed: { eventCount: number; root: string | null };
  /** True when the log holds more events than the digest signed (it grew since). */
  grew: boolean;
  firstDifference: DigestDifference | null;
}

const DIFFERENCE_OF: Record<ChainBreakReason, DigestDifferenceKind> = {
  'hash-mismatch': 'event-changed',
  unreadable: 'event-changed',
  'prev-hash-mismatch': 'chain-broken',
  'revision-gap': 'chain-broken',
  'position-gap': 'event-missing',
  'position-order': 'event-missing',
};

/**
 * Checks the log now against an earlier signed digest: the signature, then one pass over the first
 * `eventCount` events (as stored, in log order) that verifies every hash chain and recomputes the
 * Merkle root. It stops after those events (plus one, to tell whether the log grew), so checking an
 * old digest reads only the part of the log it covers.
 */
export async function verifyLogAgainstDigest(
  document: LogDigestDocument,
  events: AsyncIterable<StoredEvent> | Iterable<StoredEvent>,
  options: { gapFreePositions: boolean; trusted?: KeyObject },
): Promise<DigestVerification> {
  const signature = checkSignature(document, options.trusted);
  const signed = {
    eventCount: document.eventCount,
    lastPosition: document.lastPosition,
    lastEventId: document.lastEventId,
    root: document.root,
  };
  const frontier = new MerkleFrontier(document.hashAlgorithm);
  // Leaf indexes where the signed peaks start, and the positions found there now.
  const peakStarts: number[] = [];
  for (let i = 0, offset = 0; i < document.peaks.length; offset += document.peaks[i]!.size, i += 1)
    peakStarts.push(offset);
  const positionAt = new Map<number, number>();
  let last: StoredEvent | null = null;
  let grew = false;

  async function* signedPart(): AsyncGenerator<StoredEvent> {
    for await (const event of events) {
      if (frontier.size >= document.eventCount) {
        grew = true;
        return;
      }
      frontier.appendEvent({
        eventId: event.id,
        hash: event.metadata.hash,
        position: event.position,
        revision: event.revision,
        streamId: event.streamId,
      });
      positionAt.set(frontier.size - 1, event.position);
      last = event;
      yield event;
    }
  }
  const chain = await verifyChain(signedPart(), { gapFreePositions: options.gapFreePositions });
  const result = (firstDifference: DigestDifference | null, root: string | null): DigestVerification => ({
    ok: signature.valid && firstDifference === null,
    digestId: document.digestId,
    signature,
    signed,
    recomputed: { eventCount: frontier.size, root },
    grew,
    firstDifference,
  });

  if (chain.firstBreak) {
    const b = chain.firstBreak;
    return result(
      {
        kind: DIFFERENCE_OF[b.reason],
        position: b.position,
        streamId: b.streamId,
        revision: b.revision,
        eventId: b.eventId,
        range: null,
        detail: `${b.reason}: ${b.detail}`,
      },
      null,
    );
  }
  if (frontier.size < document.eventCount) {
    const tail = last as StoredEvent | null;
    return result(
      {
        kind: 'log-shrank',
        position: document.lastPosition,
        streamId: null,
        revision: null,
        eventId: document.lastEventId,
        range: null,
        detail:
          `摘要签署了 ${document.eventCount} 个事件（末位置 ${document.lastPosition}），日志现只有 ${frontier.size} 个` +
          `（末位置 ${tail?.position ?? '-'}）：日志变短了`,
      },
      null,
    );
  }
  const root = frontier.root();
  if (root === document.root) return result(null, root);
  const now = frontier.frontier();
  const index = document.peaks.findIndex((peak, i) => now[i]?.hash !== peak.hash);
  const start = peakStarts[Math.max(0, index)] ?? 0;
  const size = document.peaks[Math.max(0, index)]?.size ?? document.eventCount;
  const from = positionAt.get(start) ?? null;
  const to = positionAt.get(start + size - 1) ?? null;
  return result(
    {
      kind: 'subtree-changed',
      position: from,
      streamId: null,
      revision: null,
      eventId: null,
      range: from !== null && to !== null ? { fromPosition: from, toPosition: to } : null,
      detail: `各事件流哈希链完整，但默克尔根不符：第 ${start + 1}–${start + size} 个事件（位置 ${from}–${to}）所在子树已变`,
    },
    root,
  );
}
