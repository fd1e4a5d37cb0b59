import type { StoredEvent } from '@dukao/event-store';
import type { CollectionSpec, ReadModelDocument } from '@dukao/read-model-store';

/** One document an event changes, with the pure function that computes its next state (null deletes it). */
export interface DocumentChange {
  collection: string;
  id: string;
  evolve(document: ReadModelDocument | null): ReadModelDocument | null;
}

/**
 * A projection: a named, versioned, pure mapping from events to documents. Bump `version` when
 * its logic or document shape changes: the engine then builds a fresh generation from position 0
 * while the old one keeps serving, and swaps them when the new one has caught up.
 */
export interface Projection {
  name: string;
  version: number;
  /** Types this projection reads; the others only move its checkpoint. Omit to read every event. */
  eventTypes?: readonly string[];
  collections: readonly CollectionSpec[];
  /** The documents `event` changes. Must not do I/O, read clocks or draw random numbers. */
  changes(event: StoredEvent): readonly DocumentChange[];
}

/** The common case: each event changes at most one document of one collection. */
export function documentProjection<Doc extends ReadModelDocument>(definition: {
  name: string;
  version: number;
  eventTypes?: readonly string[];
  collection: CollectionSpec;
  /** The id of the document the event changes, or null when it changes none. */
  documentId(event: StoredEvent): string | null;
  evolve(document: Doc | null, event: StoredEvent): Doc | null;
}): Projection {
  const { name, version, eventTypes, collection } = definition;
  return {
    name,
    version,
    eventTypes,
    collections: [collection],
    changes(event) {
      const id = definition.documentId(event);
      if (id === null) return [];
      return [
        {
          collection: collection.name,
          id,
          evolve: (document) => definition.evolve(document as Doc | null, event),
        },
      ];
    },
  };
}

/** Name of the field where the engine records the position of the last event applied to a document. */
export const POSITION_FIELD = '_position';

/**
 * Applies one change of `event` to the document as stored: `undefined` when the document has
 * already taken this event into account (a replay), else the next document (null deletes it),
 * stamped with its id and the event's position. The engine and the projection specs share it.
 */
export function applyChange(
  current: ReadModelDocument | null,
  change: DocumentChange,
  event: Pick<StoredEvent, 'position'>,
): ReadModelDocument | null | undefined {
  const applied = current?.[POSITION_FIELD];
  if (typeof applied === 'number' && applied >= event.position) return undefined;
  let input: ReadModelDocument | null = null;
  if (current) {
    const { [POSITION_FIELD]: _position, ...rest } = current;
    input = rest;
  }
  const next = change.evolve(input);
  return next === null ? null : { ...next, _id: change.id, [POSITION_FIELD]: event.position };
}
