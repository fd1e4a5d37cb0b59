import {
  type ExpectedRevision,
  InvalidEventError,
  type NewEvent,
  WrongExpectedRevisionError,
} from './event-store.port';
import { isUuid } from './event-id';

const STREAM_ID = /^[A-Za-z][A-Za-z0-9_.:-]{0,199}$/;
const EVENT_TYPE = /^[A-Z][A-Za-z0-9]{0,99}$/;

/** Checks shared by every adapter before anything is written. */
export function validateNewEvents(streamId: string, events: readonly NewEvent[]): void {
  if (!STREAM_ID.test(streamId)) throw new InvalidEventError(`invalid stream id "${streamId}"`);
  if (events.length === 0) throw new InvalidEventError('an append needs at least one event');
  const ids = new Set<string>();
  for (const event of events) {
    if (!isUuid(event.id)) throw new InvalidEventError(`event id "${event.id}" is not a UUID`);
    if (ids.has(event.id)) throw new InvalidEventError(`event id ${event.id} appears twice in one append`);
    ids.add(event.id);
    if (!EVENT_TYPE.test(event.type))
      throw new InvalidEventError(`event type "${event.type}" is not PascalCase`);
    if (
      event.schemaVersion !== undefined &&
      !(Number.isInteger(event.schemaVersion) && event.schemaVersion >= 1)
    ) {
      throw new InvalidEventError(`schemaVersion of ${event.type} must be a positive integer`);
    }
    if (typeof event.data !== 'object' || event.data === null || Array.isArray(event.data)) {
      throw new InvalidEventError(`data of ${event.type} must be an object`);
    }
    const { actor, correlationId } = event.metadata ?? {};
    if (!actor?.userId || !actor.role) throw new InvalidEventError(`${event.type} has no actor`);
    if (!correlationId) throw new InvalidEventError(`${event.type} has no correlation id`);
  }
}

/** Throws when the stream's current revision (null: no stream) does not satisfy the expectation. */
export function checkExpectedRevision(
  streamId: string,
  expected: ExpectedRevision,
  actual: number | null,
): void {
  const ok =
    expected === 'any' ||
    (expected === 'no_stream' && actual === null) ||
    (expected === 'stream_exists' && actual !== null) ||
    (typeof expected === 'number' && expected === actual);
  if (!ok) throw new WrongExpectedRevisionError(streamId, expected, actual);
}
