import { createHash } from 'node:crypto';
import { type EventStore, type JsonValue, readAllPages } from '@dukao/event-store';

/** JSON with object keys sorted, so the digest does not depend on the order keys were written in. */
export function canonicalJson(value: JsonValue | undefined): string {
  if (value === undefined || value === null || typeof value !== 'object')
    return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v)).join(',')}]`;
  const keys = Object.keys(value).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`).join(',')}}`;
}

/**
 * The demo's log digest: SHA-256 over every event of the log in position order, one line each,
 * `position, id, type, streamId, revision, recordedAt, hash, data` as canonical JSON (keys sorted)
 * followed by a newline. `hash` is the event's link in its stream's hash chain, which covers the
 * metadata as well (actor, correlation, command and causation ids, occurredAt). Two logs with the
 * same digest hold the same events, in the same order, recorded at the same simulated times.
 */
export async function logDigest(
  store: EventStore,
): Promise<{ sha256: string; events: number; headPosition: number }> {
  const hash = createHash('sha256');
  let events = 0;
  let headPosition = 0;
  for await (const event of readAllPages(store, { upcast: false })) {
    hash.update(
      `${canonicalJson([
        event.position,
        event.id,
        event.type,
        event.streamId,
        event.revision,
        event.metadata.recordedAt,
        event.metadata.hash,
        event.data,
      ])}\n`,
    );
    events += 1;
    headPosition = event.position;
  }
  return { sha256: hash.digest('hex'), events, headPosition };
}
