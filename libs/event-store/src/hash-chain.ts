import { createHash, getHashes } from 'node:crypto';
import type { EventData, EventMetadata, HashAlgorithm, StoredEvent } from './event-store.port';

/**
 * Each stream is a hash chain: `hash = H(prevHash ‖ canonicalJson(envelope without hash))`.
 *
 * The hashed envelope is `{ id, type, schemaVersion, streamId, revision, data, metadata }` where
 * metadata holds everything but `hash` itself (so it covers actor, times, prevHash and the algorithm).
 * The global position is not hashed: KurrentDB assigns it only after the append.
 * The first event of a stream has `prevHash = GENESIS_HASH`.
 *
 * Canonical JSON (the RFC 8785 JCS rules for the JSON our events hold): object keys sorted by UTF-16
 * code units, no whitespace, strings and numbers as `JSON.stringify` writes them; `undefined`,
 * functions, NaN and Infinity are refused rather than silently dropped.
 */
export const GENESIS_HASH = '0'.repeat(64);

export function canonicalJson(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`canonicalJson: non-finite number ${value}`);
      return JSON.stringify(value);
    case 'object': {
      // Loops and string concatenation rather than map/join: this runs for every event appended and
      // verified, and allocates far less this way (same output, see hash-chain.spec.ts).
      if (Array.isArray(value)) {
        let out = '[';
        for (let i = 0; i < value.length; i += 1) {
          if (i > 0) out += ',';
          out += canonicalJson(value[i]);
        }
        return `${out}]`;
      }
      const keys = Object.keys(value);
      if (keys.length > 1) keys.sort();
      let out = '{';
      for (let i = 0; i < keys.length; i += 1) {
        const key = keys[i]!;
        const item = (value as Record<string, unknown>)[key];
        if (item === undefined) throw new TypeError(`canonicalJson: undefined value at key "${key}"`);
        if (i > 0) out += ',';
        out += `${JSON.stringify(key)}:${canonicalJson(item)}`;
      }
      return `${out}}`;
    }
    default:
      throw new TypeError(`canonicalJson: cannot encode a ${typeof value}`);
  }
}

export function assertHashAlgorithmAvailable(algorithm: HashAlgorithm): void {
  if (!getHashes().includes(algorithm)) {
    throw new Error(`hash algorithm ${algorithm} is not available in this Node.js/OpenSSL build`);
  }
}

export interface HashableEvent {
  id: string;
  type: string;
  schemaVersion: number;
  streamId: string;
  revision: number;
  data: EventData;
  metadata: Omit<EventMetadata, 'hash'>;
}

export function computeEventHash(event: HashableEvent, algorithm: HashAlgorithm): string {
  const { id, type, schemaVersion, streamId, revision, data, metadata } = event;
  const body = canonicalJson({ id, type, schemaVersion, streamId, revision, data, metadata });
  return createHash(algorithm).update(metadata.prevHash).update(body).digest('hex');
}

export type ChainBreakReason =
  'revision-gap' | 'prev-hash-mismatch' | 'hash-mismatch' | 'position-gap' | 'position-order' | 'unreadable';

export interface ChainBreak {
  streamId: string;
  revision: number;
  position: number;
  eventId: string;
  reason: ChainBreakReason;
  detail: string;
}

export interface VerifyResult {
  ok: boolean;
  events: number;
  streams: number;
  lastPosition: number | null;
  firstBreak: ChainBreak | null;
}

/**
 * Walks the log in position order (as stored, not upcast) and returns at the first broken link.
 * Holds one head per stream in memory, which is small next to the log itself.
 */
export async function verifyChain(
  events: AsyncIterable<StoredEvent> | Iterable<StoredEvent>,
  options: { gapFreePositions: boolean },
): Promise<VerifyResult> {
  const heads = new Map<string, { revision: number; hash: string }>();
  let count = 0;
  let lastPosition: number | null = null;
  const broken = (event: StoredEvent, reason: ChainBreakReason, detail: string): VerifyResult => ({
    ok: false,
    events: count,
    streams: heads.size,
    lastPosition,
    firstBreak: {
      streamId: event.streamId,
      revision: event.revision,
      position: event.position,
      eventId: event.id,
      reason,
      detail,
    },
  });

  for await (const event of events) {
    if (lastPosition !== null) {
      if (event.position <= lastPosition) {
        return broken(event, 'position-order', `position ${event.position} after ${lastPosition}`);
      }
      if (options.gapFreePositions && event.position !== lastPosition + 1) {
        return broken(event, 'position-gap', `position ${event.position} follows ${lastPosition}`);
      }
    } else if (options.gapFreePositions && event.position !== 1) {
      return broken(event, 'position-gap', `log starts at position ${event.position}`);
    }
    const head = heads.get(event.streamId);
    const expectedRevision = head ? head.revision + 1 : 0;
    if (event.revision !== expectedRevision) {
      return broken(event, 'revision-gap', `revision ${event.revision}, expected ${expectedRevision}`);
    }
    const expectedPrev = head ? head.hash : GENESIS_HASH;
    const { hash, ...rest } = event.metadata;
    if (rest.prevHash !== expectedPrev) {
      return broken(
        event,
        'prev-hash-mismatch',
        `prevHash ${rest.prevHash}, previous event's hash ${expectedPrev}`,
      );
    }
    let recomputed: string;
    try {
      // Fields named one by one: an object spread followed by more properties is a slow path in V8.
      const hashable: HashableEvent = {
        id: event.id,
        type: event.type,
        schemaVersion: event.schemaVersion,
        streamId: event.streamId,
        revision: event.revision,
        data: event.data,
        metadata: rest,
      };
      recomputed = computeEventHash(hashable, rest.hashAlgorithm ?? 'sha256');
    } catch (error) {
      return broken(event, 'unreadable', (error as Error).message);
    }
    if (recomputed !== hash) {
      return broken(event, 'hash-mismatch', `stored hash ${hash}, recomputed ${recomputed}`);
    }
    heads.set(event.streamId, { revision: event.revision, hash });
    count += 1;
    lastPosition = event.position;
  }
  return { ok: true, events: count, streams: heads.size, lastPosition, firstBreak: null };
}
