import { type EventStore, type StoredEvent, readAllPages } from '@dukao/event-store';

/** What a draw takes from the log at a position: that event (the seed's source) and the target events up to it. */
export interface LogAtPosition {
  /** Null when there is no event at `position` (an empty log, or a log that lost it). */
  event: { position: number; eventId: string; hash: string } | null;
  targetEvents: StoredEvent[];
}

/** The event at `position` (exact) and every event of a `target-` stream up to and including it. */
export async function readLogAt(store: EventStore, position: number): Promise<LogAtPosition> {
  const [found] = await store.readAll({ after: position - 1, limit: 1, upcast: false });
  const event =
    found && found.position === position ? { position, eventId: found.id, hash: found.metadata.hash } : null;
  const targetEvents: StoredEvent[] = [];
  for await (const stored of readAllPages(store, { filter: { streamPrefixes: ['target-'] } })) {
    if (stored.position > position) break;
    targetEvents.push(stored);
  }
  return { event, targetEvents };
}
