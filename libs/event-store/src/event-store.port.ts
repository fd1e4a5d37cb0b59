/**
 * The event store port: the one log every context appends to and every view is built from.
 *
 * Guarantees every adapter keeps (checked by `describeEventStoreContract`):
 * - appends are durable once the returned promise resolves;
 * - optimistic concurrency on the stream revision; a conflict rejects with
 *   {@link WrongExpectedRevisionError} and writes nothing;
 * - appending event ids that are already in the log returns the original result and writes nothing;
 * - reads of one stream and of the whole log are ordered; the subscription never skips or reorders;
 * - every stream is a hash chain (see `hash-chain.ts`) that `verifyLog` can walk.
 */

/** Who did it. Set by the server from the authenticated request, never taken from a client body. */
export interface Actor {
  userId: string;
  role: string;
  unitId?: string | null;
}

/** What a caller supplies with each event. The store adds `recordedAt`, `prevHash`, `hash`, `hashAlgorithm`. */
export interface NewEventMetadata {
  actor: Actor;
  correlationId: string;
  causationId?: string | null;
  commandId?: string | null;
  /** Business time (ISO 8601); may be earlier than recordedAt, e.g. a report for June filed in July. */
  occurredAt?: string;
}

export type HashAlgorithm = 'sha256' | 'sm3';

export interface EventMetadata extends NewEventMetadata {
  causationId: string | null;
  commandId: string | null;
  occurredAt: string;
  /** Server time of the append (ISO 8601). */
  recordedAt: string;
  prevHash: string;
  hash: string;
  hashAlgorithm: HashAlgorithm;
}

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type EventData = { [key: string]: JsonValue };

export interface NewEvent<Type extends string = string, Data extends EventData = EventData> {
  /** A UUID. Derive it from the command id (`deriveEventId`) so that a retried command appends nothing. */
  id: string;
  type: Type;
  /** Defaults to 1. Bump on a breaking change of `data` and register an upcaster for the old version. */
  schemaVersion?: number;
  data: Data;
  metadata: NewEventMetadata;
}

export interface StoredEvent<Type extends string = string, Data extends EventData = EventData> {
  id: string;
  type: Type;
  schemaVersion: number;
  data: Data;
  metadata: EventMetadata;
  streamId: string;
  /** 0-based revision within the stream. */
  revision: number;
  /** Position in the whole log; strictly increasing in log order (gap-free in the SQLite adapter). */
  position: number;
}

/**
 * - a number: the stream's current revision must be exactly this (0 after one event);
 * - `no_stream`: the stream must not exist yet;
 * - `stream_exists`: the stream must exist, at any revision;
 * - `any`: no check. The adapter still resolves the current revision and appends exactly after it,
 *   retrying on a race, so the hash chain never forks.
 */
export type ExpectedRevision = number | 'no_stream' | 'stream_exists' | 'any';

export interface AppendOptions {
  expectedRevision: ExpectedRevision;
}

export interface AppendResult {
  /** Revision of the last event now in the stream (of the last appended event). */
  nextRevision: number;
  /** Log position of the last appended event. */
  position: number;
}

export type Direction = 'forwards' | 'backwards';

export interface ReadStreamOptions {
  /** Inclusive start revision (forwards default 0; backwards default the last revision). */
  from?: number;
  /** Inclusive end revision. */
  to?: number;
  direction?: Direction;
  limit?: number;
}

export interface LogFilter {
  /** Keep events whose stream id starts with one of these (e.g. `target-`). */
  streamPrefixes?: readonly string[];
  /** Keep events of these exact types. */
  eventTypes?: readonly string[];
}

export interface ReadAllOptions {
  /** Exclusive: read events after this position. Omit to read from the start of the log. */
  after?: number;
  limit?: number;
  filter?: LogFilter;
  /**
   * `false` returns events exactly as stored, without upcasting. Only the verifier and exports
   * want that: hashes are computed over the stored form.
   */
  upcast?: boolean;
}

export interface SubscribeOptions {
  /** Exclusive; omit to start from the beginning of the log. */
  after?: number;
  filter?: LogFilter;
  /** How many events to read per round trip while catching up. */
  batchSize?: number;
}

/**
 * A catch-up subscription to the whole log: it yields every stored event after `after` in log order,
 * then keeps yielding new events as they are appended. It never skips or reorders.
 */
export interface EventSubscription extends AsyncIterable<StoredEvent> {
  close(): Promise<void>;
}

export interface StreamHead {
  revision: number;
  hash: string;
}

export interface EventStore {
  append(streamId: string, events: readonly NewEvent[], options: AppendOptions): Promise<AppendResult>;
  /** Resolves to [] for a stream that does not exist. */
  readStream(streamId: string, options?: ReadStreamOptions): Promise<StoredEvent[]>;
  readAll(options?: ReadAllOptions): Promise<StoredEvent[]>;
  subscribe(options?: SubscribeOptions): EventSubscription;
  /** The current revision of a stream, or null when it does not exist. */
  streamRevision(streamId: string): Promise<number | null>;
  /** Position of the last event in the log, or null when the log is empty. */
  headPosition(): Promise<number | null>;
  /** Whether positions are consecutive integers (SQLite) or only increasing (KurrentDB). */
  readonly positionsAreGapFree: boolean;
  close(): Promise<void>;
}

/** DI token for the event store. */
export const EVENT_STORE = Symbol('EVENT_STORE');

export class WrongExpectedRevisionError extends Error {
  readonly code = 'WRONG_EXPECTED_REVISION';
  constructor(
    readonly streamId: string,
    readonly expected: ExpectedRevision,
    readonly actual: number | null,
  ) {
    super(`stream ${streamId}: expected revision ${String(expected)}, actual ${actual ?? 'no stream'}`);
    this.name = 'WrongExpectedRevisionError';
  }
}

/** The same event id was appended again with other content or to another place: never silently accepted. */
export class DuplicateEventIdError extends Error {
  readonly code = 'DUPLICATE_EVENT_ID';
  constructor(
    readonly eventId: string,
    readonly detail: string,
  ) {
    super(`event ${eventId} is already in the log: ${detail}`);
    this.name = 'DuplicateEventIdError';
  }
}

export class InvalidEventError extends Error {
  readonly code = 'INVALID_EVENT';
  constructor(detail: string) {
    super(detail);
    this.name = 'InvalidEventError';
  }
}
