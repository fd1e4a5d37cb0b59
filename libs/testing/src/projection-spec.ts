import type { StoredEvent } from '@dukao/event-store';
import { applyChange, type Projection } from '@dukao/projections';
import type { ReadModelDocument } from '@dukao/read-model-store';

/**
 * given(events).then(collection, id) on a projection's pure code, with the engine's own rules
 * (position stamps, replay guard), in memory: `projectionSpec(p).given(e1, e2).document('coll', 'id')`.
 */
export function projectionSpec(projection: Projection) {
  const documents = new Map<string, ReadModelDocument>();
  const key = (collection: string, id: string) => `${collection}\u0000${id}`;
  const api = {
    given(...events: StoredEvent[]) {
      for (const event of events) {
        if (projection.eventTypes && !projection.eventTypes.includes(event.type)) continue;
        for (const change of projection.changes(event)) {
          const next = applyChange(documents.get(key(change.collection, change.id)) ?? null, change, event);
          if (next === null) documents.delete(key(change.collection, change.id));
          else if (next !== undefined) documents.set(key(change.collection, change.id), next);
        }
      }
      return api;
    },
    document(collection: string, id: string): ReadModelDocument | null {
      return documents.get(key(collection, id)) ?? null;
    },
    all(collection: string): ReadModelDocument[] {
      return [...documents.entries()]
        .filter(([k]) => k.startsWith(`${collection}\u0000`))
        .map(([, doc]) => doc);
    },
  };
  return api;
}

let position = 0;
/** A stored event for specs: positions increase across calls unless given. */
export function storedEvent(
  type: string,
  data: StoredEvent['data'],
  overrides: Partial<Omit<StoredEvent, 'metadata'>> & { metadata?: Partial<StoredEvent['metadata']> } = {},
): StoredEvent {
  position += 1;
  const { metadata, ...rest } = overrides;
  return {
    id: `00000000-0000-4000-8000-${String(position).padStart(12, '0')}`,
    type,
    schemaVersion: 1,
    data,
    streamId: 'stream-1',
    revision: 0,
    position,
    metadata: {
      actor: { userId: 'u-1', role: 'assessmentAdmin', unitId: null },
      correlationId: 'corr-1',
      causationId: null,
      commandId: null,
      occurredAt: '2026-07-01T00:00:00.000Z',
      recordedAt: '2026-07-01T00:00:00.000Z',
      prevHash: '0'.repeat(64),
      hash: 'f'.repeat(64),
      hashAlgorithm: 'sha256',
      ...metadata,
    },
    ...rest,
  };
}
