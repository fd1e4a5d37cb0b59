import { EventEmitter } from 'node:events';
import {
  type AppendStreamState,
  BACKWARDS,
  END,
  type EventData as KurrentEventData,
  FORWARDS,
  type Filter,
  KurrentDBClient,
  NO_STREAM,
  type Position,
  type ReadPosition,
  type ReadRevision,
  START,
  StreamDeletedError,
  StreamNotFoundError,
  WrongExpectedVersionError,
  eventTypeFilter,
  jsonEvent,
  streamNameFilter,
} from '@kurrent/kurrentdb-client';
import {
  type AppendOptions,
  type AppendResult,
  DuplicateEventIdError,
  type EventData,
  type EventMetadata,
  type EventStore,
  type EventSubscription,
  type ExpectedRevision,
  type HashAlgorithm,
  type LogFilter,
  type NewEvent,
  type ReadAllOptions,
  type ReadStreamOptions,
  type StoredEvent,
  type SubscribeOptions,
  WrongExpectedRevisionError,
} from './event-store.port';
import { checkExpectedRevision, validateNewEvents } from './append-rules';
import { GENESIS_HASH, assertHashAlgorithmAvailable, computeEventHash } from './hash-chain';
import { pollingSubscription } from './polling-subscription';
import { type UpcastFn, type Upcaster, composeUpcasters } from './upcasting';

export interface KurrentDbEventStoreOptions {
  hashAlgorithm?: HashAlgorithm;
  upcasters?: readonly Upcaster[];
  /** Server clock for `recordedAt`; injectable for tests. */
  clock?: () => Date;
  /** How often an idle subscription polls for events appended by other processes. */
  pollIntervalMs?: number;
}

export interface KurrentDbConnectOptions extends KurrentDbEventStoreOptions {
  /** e.g. `kurrentdb://localhost:2113?tls=false` (`esdb://` and the `+discover` forms work too). */
  connectionString: string;
}

/** Attempts per append when another writer moves the stream between our read and our write. */
const MAX_APPEND_ATTEMPTS = 20;
/** Events per round trip when reading the log or scanning a stream. */
const PAGE_SIZE = 1000;
/**
 * Dukao stream ids start with a letter (`append-rules.ts`), so this excludes KurrentDB's `$` system
 * streams and our own `_` event-id reservations in one server-side filter.
 */
const LOG_STREAM_REGEX = '^[A-Za-z]';
const EVENT_ID_STREAM_PREFIX = '_dukao-event-id-';
/** Not PascalCase, so no Dukao event-type filter can ever match a reservation. */
const EVENT_ID_RESERVED = 'dukao.event-id-reserved';
/** KurrentDB reports "no position" as the largest uint64. */
const NO_POSITION = 0xffff_ffff_ffff_ffffn;

/** The shape of a recorded event this adapter reads; the client's `RecordedEvent` fits it. */
interface KurrentRecordedEvent {
  streamId: string;
  id: string;
  type: string;
  isJson: boolean;
  revision: bigint;
  data: unknown;
  metadata: unknown;
  position?: Position;
}

/** An event with its metadata and hash, ready to be written at a known revision. */
interface SealedEvent {
  id: string;
  type: string;
  schemaVersion: number;
  data: EventData;
  metadata: EventMetadata;
}

interface StreamHead {
  revision: number;
  hash: string;
}

/** Who holds an event id: the stream its reservation names, and where the reservation sits in the log. */
interface EventIdClaim {
  streamId: string;
  position: number;
}

/** State shared by every store on one client, so stores opened on one connection behave as one. */
interface SharedState {
  appended: EventEmitter;
  /** Per stream, the tail of the promise chain that serialises this process's appends. */
  tails: Map<string, Promise<void>>;
}
const sharedStates = new WeakMap<KurrentDBClient, SharedState>();

function sharedState(client: KurrentDBClient): SharedState {
  let state = sharedStates.get(client);
  if (!state) {
    state = { appended: new EventEmitter().setMaxListeners(0), tails: new Map() };
    sharedStates.set(client, state);
  }
  return state;
}

/**
 * The KurrentDB adapter (any server with the v1 gRPC streams API that reports `$all` positions on
 * stream reads, i.e. EventStoreDB 22.6 or later and every KurrentDB).
 *
 * Appends: per stream, read the last event (revision and hash), check the caller's expectation,
 * reserve the event ids, then append with `streamState` = exactly that revision, so the hash chain
 * can never fork. A server-side conflict means another process wrote in between: re-read and try
 * again (bounded); an explicit expectation then fails with {@link WrongExpectedRevisionError}.
 * Appends to one stream from this process are serialised, so they apply in call order and do not
 * race each other; different streams append concurrently.
 *
 * Event ids: KurrentDB has no index by event id and its own idempotency check is per stream and
 * cache-based, so every id is reserved in a stream of its own, `_dukao-event-id-<uuid>`, written with
 * NO_STREAM before the events themselves. The server guarantees exactly one writer creates it; it
 * names the stream the id belongs to. A conflict on it means the id is known: for another stream the
 * append is refused with {@link DuplicateEventIdError}; for this stream the stream is scanned back to
 * the reservation's position (the events always follow their reservation in the log) to tell a
 * retry (return the original result) from a partial match (refuse) from a reservation whose append
 * never happened (a crash between the two writes: the id is free for this stream and is used).
 * Reservations cost one small event per event, and are skipped by every read of this adapter. An
 * append refused for one id may leave its other ids reserved for its stream: that only stops those
 * ids from being used in another stream, which ids derived per command never are.
 * Ids are stored lower-case (KurrentDB returns them so), and hashed in that form.
 *
 * Positions: the event's commit position in `$all`, a byte offset in the log, as a JS number. That
 * is exact up to 2^53 bytes (8 PiB) of log; beyond it reads fail loudly rather than round.
 * Positions are increasing but not gap-free.
 *
 * Subscriptions poll `readAll` (see {@link KurrentDbEventStore.subscribe}).
 */
export class KurrentDbEventStore implements EventStore {
  readonly positionsAreGapFree = false;
  private readonly hashAlgorithm: HashAlgorithm;
  private readonly upcast: UpcastFn;
  private readonly clock: () => Date;
  private readonly pollIntervalMs: number;
  private readonly shared: SharedState;
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly subscriptions = new Set<EventSubscription>();
  private ownsClient = false;
  private closed = false;

  /** A store on a client the caller owns: `close()` leaves the client open. */
  constructor(
    private readonly client: KurrentDBClient,
    private readonly options: KurrentDbEventStoreOptions = {},
  ) {
    this.hashAlgorithm = options.hashAlgorithm ?? 'sha256';
    assertHashAlgorithmAvailable(this.hashAlgorithm);
    this.upcast = composeUpcasters(options.upcasters ?? []);
    this.clock = options.clock ?? (() => new Date());
    this.pollIntervalMs = options.pollIntervalMs ?? 250;
    this.shared = sharedState(client);
  }

  /** A store with its own client (the client connects lazily, on the first call); `close()` disposes it. */
  static connect(options: KurrentDbConnectOptions): KurrentDbEventStore {
    const { connectionString, ...rest } = options;
    const store = new KurrentDbEventStore(KurrentDBClient.connectionString(connectionString), rest);
    store.ownsClient = true;
    return store;
  }

  /**
   * Another store on this store's connection (e.g. with other upcasters). Closing it leaves the
   * connection open; the connection lives as long as the store that owns it.
   */
  share(options: KurrentDbEventStoreOptions = {}): KurrentDbEventStore {
    return new KurrentDbEventStore(this.client, { ...this.options, ...options });
  }

  // No await before `serialize`: the append joins its stream's queue in call order.
  async append(streamId: string, events: readonly NewEvent[], options: AppendOptions): Promise<AppendResult> {
    if (this.closed) throw new Error('event store is closed');
    const normalized = events.map((event) => ({ ...event, id: event.id.toLowerCase() }));
    validateNewEvents(streamId, normalized);
    const result = this.serialize(streamId, () =>
      this.appendNow(streamId, normalized, options.expectedRevision),
    );
    this.inFlight.add(result);
    const forget = () => this.inFlight.delete(result);
    void result.then(forget, forget);
    return result;
  }

  /** Chains `task` after this process's earlier appends to the stream, whatever their outcome. */
  private serialize<T>(streamId: string, task: () => Promise<T>): Promise<T> {
    const { tails } = this.shared;
    const result = (tails.get(streamId) ?? Promise.resolve()).then(task);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    tails.set(streamId, tail);
    void tail.then(() => {
      if (tails.get(streamId) === tail) tails.delete(streamId);
    });
    return result;
  }

  private async appendNow(
    streamId: string,
    events: readonly NewEvent[],
    expected: ExpectedRevision,
  ): Promise<AppendResult> {
    let actual: number | null = null;
    for (let attempt = 0; attempt < MAX_APPEND_ATTEMPTS; attempt += 1) {
      const head = await this.readHead(streamId);
      actual = head?.revision ?? null;
      try {
        checkExpectedRevision(streamId, expected, actual);
      } catch (error) {
        // A retry of an append that did happen returns its result whatever it expected.
        const retried = await this.findRetryOfFirstId(streamId, events, head);
        if (retried) return retried;
        throw error;
      }

      const known = await this.reserveIds(streamId, events);
      if (known.length > 0) {
        const retried = await this.resolveKnownIds(streamId, events, head, known);
        if (retried) return retried;
      }

      const chainHead = head && { revision: head.revision, hash: head.metadata.hash };
      const sealed = sealEvents(streamId, events, chainHead, this.clock().toISOString(), this.hashAlgorithm);
      const written = await this.appendExact(streamId, sealed.map(encodeEvent), toStreamState(actual));
      if (written === 'conflict') continue;
      this.shared.appended.emit('appended');
      const nextRevision = (actual ?? -1) + events.length;
      // For one event the reply's commit and prepare positions are both that event's position. For
      // several, which event the reply points at is not documented: read the last one back.
      if (events.length === 1 && written && written.commit === written.prepare) {
        return {
          nextRevision,
          position: toSafeNumber(written.commit, `position of the append to ${streamId}`),
        };
      }
      const [last] = await this.readStreamRaw(streamId, { from: nextRevision, limit: 1 });
      if (!last) throw new Error(`stream ${streamId}: appended revision ${nextRevision} cannot be read back`);
      return { nextRevision, position: last.position };
    }
    throw new WrongExpectedRevisionError(streamId, expected, actual);
  }

  /** Appends at an exact stream state: the position the server replied with, or 'conflict' when the stream moved. */
  private async appendExact(
    streamId: string,
    events: KurrentEventData[],
    streamState: AppendStreamState,
  ): Promise<Position | undefined | 'conflict'> {
    try {
      const result = await this.client.appendToStream(streamId, events, { streamState });
      // `throwOnAppendFailure=false` in the connection string reports conflicts this way instead.
      if (!result.success) return 'conflict';
      return result.position;
    } catch (error) {
      if (error instanceof WrongExpectedVersionError) return 'conflict';
      throw error;
    }
  }

  /** Reserves every id for this stream; returns the ids that were already reserved, with their claims. */
  private async reserveIds(
    streamId: string,
    events: readonly NewEvent[],
  ): Promise<Array<{ index: number; claim: EventIdClaim }>> {
    const claims = await Promise.all(
      events.map(async (event) => {
        const reservation = jsonEvent({ type: EVENT_ID_RESERVED, data: { streamId, eventType: event.type } });
        const written = await this.appendExact(eventIdStream(event.id), [reservation], NO_STREAM);
        if (written !== 'conflict') return null;
        const claim = await this.readClaim(event.id);
        if (!claim) throw new Error(`event id ${event.id}: its reservation stream exists but cannot be read`);
        return claim;
      }),
    );
    const known: Array<{ index: number; claim: EventIdClaim }> = [];
    claims.forEach((claim, index) => {
      if (!claim) return;
      if (claim.streamId !== streamId) {
        throw new DuplicateEventIdError(events[index]!.id, `already used in stream ${claim.streamId}`);
      }
      known.push({ index, claim });
    });
    return known;
  }

  /**
   * Some ids were reserved for this stream before. Finds those that are in the stream: all of them as
   * the same append is a retry; some of them is a conflict; none is an abandoned reservation.
   */
  private async resolveKnownIds(
    streamId: string,
    events: readonly NewEvent[],
    head: StoredEvent | null,
    known: ReadonlyArray<{ index: number; claim: EventIdClaim }>,
  ): Promise<AppendResult | null> {
    if (!head) return null;
    const ids = new Set(known.map(({ index }) => events[index]!.id));
    const since = Math.min(...known.map(({ claim }) => claim.position));
    const found = await this.scanForIds(streamId, ids, head, since);
    return matchRetry(streamId, events, found);
  }

  /** Before refusing a wrong expectation: is this a retry of an append that happened? */
  private async findRetryOfFirstId(
    streamId: string,
    events: readonly NewEvent[],
    head: StoredEvent | null,
  ): Promise<AppendResult | null> {
    const first = events[0]!;
    const claim = await this.readClaim(first.id);
    if (!claim) return null;
    if (claim.streamId !== streamId)
      throw new DuplicateEventIdError(first.id, `already used in stream ${claim.streamId}`);
    if (!head) return null;
    const found = await this.scanForIds(
      streamId,
      new Set(events.map((event) => event.id)),
      head,
      claim.position,
    );
    return found.has(first.id) ? matchRetry(streamId, events, found) : null;
  }

  /** Reads the stream backwards from its head until every id is found or the log position `since` is passed. */
  private async scanForIds(
    streamId: string,
    ids: ReadonlySet<string>,
    head: StoredEvent,
    since: number,
  ): Promise<Map<string, StoredEvent>> {
    const found = new Map<string, StoredEvent>();
    let from = head.revision;
    while (from >= 0 && found.size < ids.size) {
      const page = await this.readStreamRaw(streamId, { from, direction: 'backwards', limit: PAGE_SIZE });
      for (const event of page) {
        if (event.position <= since) return found;
        if (ids.has(event.id)) found.set(event.id, event);
      }
      if (page.length < PAGE_SIZE) break;
      from = page[page.length - 1]!.revision - 1;
    }
    return found;
  }

  private async readClaim(eventId: string): Promise<EventIdClaim | null> {
    const reservations = this.client.readStream(eventIdStream(eventId), {
      direction: FORWARDS,
      fromRevision: START,
      maxCount: 1,
    });
    try {
      for await (const { event, commitPosition } of reservations) {
        if (!event) continue;
        const data = event.data as { streamId?: unknown };
        if (typeof data?.streamId !== 'string') throw new Error(`event id ${eventId}: malformed reservation`);
        return { streamId: data.streamId, position: positionOf(event, commitPosition) };
      }
    } catch (error) {
      if (isAbsentStream(error)) return null;
      throw error;
    }
    return null;
  }

  private async readHead(streamId: string): Promise<StoredEvent | null> {
    const [last] = await this.readStreamRaw(streamId, { direction: 'backwards', limit: 1 });
    return last ?? null;
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<StoredEvent[]> {
    if (!isLogStream(streamId)) return [];
    return (await this.readStreamRaw(streamId, options)).map(this.upcast);
  }

  private async readStreamRaw(streamId: string, options: ReadStreamOptions): Promise<StoredEvent[]> {
    const plan = streamReadPlan(options);
    if (!plan) return [];
    const backwards = options.direction === 'backwards';
    const events: StoredEvent[] = [];
    try {
      const read = this.client.readStream(streamId, {
        direction: backwards ? BACKWARDS : FORWARDS,
        fromRevision: plan.fromRevision,
        maxCount: plan.maxCount,
      });
      for await (const { event, commitPosition } of read) {
        if (!event || event.type.startsWith('$')) continue;
        const stored = toStoredEvent(event, commitPosition);
        if (plan.to !== undefined && (backwards ? stored.revision < plan.to : stored.revision > plan.to))
          break;
        events.push(stored);
      }
    } catch (error) {
      if (isAbsentStream(error)) return [];
      throw error;
    }
    return events;
  }

  async readAll(options: ReadAllOptions = {}): Promise<StoredEvent[]> {
    const events = await this.readLog(
      options.after,
      options.filter,
      options.limit ?? Number.POSITIVE_INFINITY,
    );
    return options.upcast === false ? events : events.map(this.upcast);
  }

  /**
   * Reads up to `limit` events after `after` in log order. The server filters by one criterion (see
   * {@link serverFilter}); every event is checked again here against the whole filter.
   */
  private async readLog(
    after: number | undefined,
    filter: LogFilter | undefined,
    limit: number,
  ): Promise<StoredEvent[]> {
    const events: StoredEvent[] = [];
    const filterOnServer = serverFilter(filter);
    let cursor = after;
    while (events.length < limit) {
      // +1: a read from a position includes the event at that position, which is skipped below.
      const pageSize = Math.min(limit - events.length + 1, PAGE_SIZE);
      let read = 0;
      let last: number | undefined;
      const page = this.client.readAll({
        direction: FORWARDS,
        fromPosition: toReadPosition(cursor),
        maxCount: pageSize,
        filter: filterOnServer,
      });
      for await (const { event, commitPosition } of page) {
        read += 1;
        if (!event) continue;
        const position = positionOf(event, commitPosition);
        last = position;
        if (cursor !== undefined && position <= cursor) continue;
        if (!matchesFilter(event, filter)) continue;
        events.push(toStoredEvent(event, commitPosition));
        if (events.length >= limit) break;
      }
      if (read < pageSize || last === undefined) break;
      cursor = last;
    }
    return events;
  }

  /**
   * Polls `readAll` rather than using the server's `subscribeToAll`: the poll reuses the ordered,
   * filtered reads above and `pollingSubscription`'s cursor logic (shared with the SQLite adapter),
   * skips our id reservations like every other read, and has no server-side subscription that drops
   * a slow consumer and must be re-established from a checkpoint. Appends through this process wake
   * it at once; other processes' appends are seen within `pollIntervalMs`. A read error ends the
   * iteration with that error, as in the SQLite adapter; the consumer resumes from its last position.
   */
  subscribe(options: SubscribeOptions = {}): EventSubscription {
    if (this.closed) throw new Error('event store is closed');
    const subscription = pollingSubscription({
      after: options.after,
      batchSize: options.batchSize ?? 500,
      // The log's last position is read first: a filtered read that returns a short batch has seen
      // everything up to it, so the cursor may move there without passing an unseen event ($all is
      // readable only up to the last indexed record, which only grows).
      readBatch: async (after, limit) => {
        const head = await this.lastRecordPosition();
        const events = await this.readLog(after, options.filter, limit);
        const scannedTo = events.length === limit ? events[events.length - 1]!.position : (head ?? undefined);
        return { events: events.map(this.upcast), scannedTo };
      },
      waitForAppend: (signal) =>
        new Promise<void>((resolve) => {
          const done = () => {
            clearTimeout(timer);
            this.shared.appended.off('appended', done);
            signal.removeEventListener('abort', done);
            resolve();
          };
          const timer = setTimeout(done, this.pollIntervalMs);
          this.shared.appended.once('appended', done);
          signal.addEventListener('abort', done);
        }),
    });
    const tracked: EventSubscription = {
      [Symbol.asyncIterator]: () => subscription[Symbol.asyncIterator](),
      close: async () => {
        this.subscriptions.delete(tracked);
        await subscription.close();
      },
    };
    this.subscriptions.add(tracked);
    return tracked;
  }

  async streamRevision(streamId: string): Promise<number | null> {
    if (!isLogStream(streamId)) return null;
    return (await this.readHead(streamId))?.revision ?? null;
  }

  /** The last event readAll can return: system events and id reservations are skipped. */
  async headPosition(): Promise<number | null> {
    const pageSize = 16;
    let from: ReadPosition = END;
    for (;;) {
      let read = 0;
      let oldest: Position | undefined;
      const page = this.client.readAll({
        direction: BACKWARDS,
        fromPosition: from,
        maxCount: pageSize,
        filter: streamNameFilter({ regex: LOG_STREAM_REGEX }),
      });
      for await (const { event, commitPosition } of page) {
        read += 1;
        if (!event) continue;
        if (!event.type.startsWith('$')) return positionOf(event, commitPosition);
        oldest = event.position;
      }
      if (read < pageSize || !oldest) return null;
      from = oldest;
    }
  }

  /** Position of the last record in `$all`, whatever it is. */
  private async lastRecordPosition(): Promise<number | null> {
    for await (const { event, commitPosition } of this.client.readAll({
      direction: BACKWARDS,
      fromPosition: END,
      maxCount: 1,
    })) {
      if (event) return positionOf(event, commitPosition);
    }
    return null;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // Accepted appends finish: their callers are waiting.
    await Promise.allSettled([...this.inFlight]);
    await Promise.all([...this.subscriptions].map((subscription) => subscription.close()));
    if (this.ownsClient) await this.client.dispose();
  }
}

/** The exact state to append at: after the current last revision, or to a new stream. */
function toStreamState(revision: number | null): AppendStreamState {
  return revision === null ? NO_STREAM : BigInt(revision);
}

/** `after` is exclusive; a `$all` read from a position includes it, so callers skip that event. */
function toReadPosition(after: number | undefined): ReadPosition {
  // Our events are written without explicit transactions, so commit and prepare positions coincide.
  return after === undefined ? START : { commit: BigInt(after), prepare: BigInt(after) };
}

function toSafeNumber(value: bigint, what: string): number {
  if (value < 0n || value > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new Error(
      value === NO_POSITION
        ? `${what}: KurrentDB did not report it (stream reads report positions from EventStoreDB 22.6 on)`
        : `${what}: ${value} is not exact as a JS number (the log is limited to 2^53 bytes)`,
    );
  }
  return Number(value);
}

function positionOf(event: KurrentRecordedEvent, commitPosition: bigint | undefined): number {
  return toSafeNumber(
    event.position?.commit ?? commitPosition ?? NO_POSITION,
    `position of event ${event.id} in ${event.streamId}`,
  );
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return (
    typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array)
  );
}

/** Maps a recorded event back to our envelope: metadata carries `schemaVersion`, which is lifted out. */
function toStoredEvent(event: KurrentRecordedEvent, commitPosition?: bigint): StoredEvent {
  const where = `event ${event.id} in ${event.streamId}`;
  if (!event.isJson || !isPlainObject(event.data)) {
    throw new Error(`${where} has no JSON object data: not written by Dukao`);
  }
  const metadata = event.metadata;
  if (
    !isPlainObject(metadata) ||
    typeof metadata.schemaVersion !== 'number' ||
    typeof metadata.hash !== 'string'
  ) {
    throw new Error(`${where} has no Dukao metadata (schemaVersion, hash)`);
  }
  const { schemaVersion, ...rest } = metadata;
  return {
    id: event.id,
    type: event.type,
    schemaVersion,
    data: event.data as EventData,
    metadata: rest as unknown as EventMetadata,
    streamId: event.streamId,
    revision: toSafeNumber(event.revision, `revision of ${where}`),
    position: positionOf(event, commitPosition),
  };
}

/** The event as written: data is ours; metadata is ours plus `schemaVersion`. */
function encodeEvent(event: SealedEvent): KurrentEventData {
  return jsonEvent({
    id: event.id,
    type: event.type,
    data: event.data,
    metadata: { ...event.metadata, schemaVersion: event.schemaVersion },
  });
}

/** Adds the store's metadata and the hash chain, exactly as the SQLite adapter does. */
function sealEvents(
  streamId: string,
  events: readonly NewEvent[],
  head: StreamHead | null,
  recordedAt: string,
  algorithm: HashAlgorithm,
): SealedEvent[] {
  let revision = head ? head.revision : -1;
  let prevHash = head ? head.hash : GENESIS_HASH;
  return events.map((event) => {
    revision += 1;
    const metadata: Omit<EventMetadata, 'hash'> = {
      ...event.metadata,
      causationId: event.metadata.causationId ?? null,
      commandId: event.metadata.commandId ?? null,
      occurredAt: event.metadata.occurredAt ?? recordedAt,
      recordedAt,
      prevHash,
      hashAlgorithm: algorithm,
    };
    const schemaVersion = event.schemaVersion ?? 1;
    const hash = computeEventHash(
      { id: event.id, type: event.type, schemaVersion, streamId, revision, data: event.data, metadata },
      algorithm,
    );
    prevHash = hash;
    return {
      id: event.id,
      type: event.type,
      schemaVersion,
      data: event.data,
      metadata: { ...metadata, hash },
    };
  });
}

function eventIdStream(eventId: string): string {
  return `${EVENT_ID_STREAM_PREFIX}${eventId.toLowerCase()}`;
}

/** Streams readAll can return: Dukao stream ids, never `$` system streams or `_` id reservations. */
function isLogStream(streamId: string): boolean {
  return /^[A-Za-z]/.test(streamId);
}

function escapeRegex(text: string): string {
  return text.replace(/[\\^$.|?*+()[\]{}]/g, '\\$&');
}

/**
 * KurrentDB filters a read by stream name or by event type, not both: prefixes go to the server when
 * given (the usual, narrower case), else the event types; with neither, system streams and id
 * reservations are filtered out on the server.
 */
function serverFilter(filter: LogFilter | undefined): Filter {
  if (filter?.streamPrefixes?.length) return streamNameFilter({ prefixes: [...filter.streamPrefixes] });
  if (filter?.eventTypes?.length) {
    return eventTypeFilter({ regex: `^(?:${filter.eventTypes.map(escapeRegex).join('|')})$` });
  }
  return streamNameFilter({ regex: LOG_STREAM_REGEX });
}

/** The whole filter, plus the exclusion of system events and id reservations. */
function matchesFilter(event: { streamId: string; type: string }, filter: LogFilter | undefined): boolean {
  if (!isLogStream(event.streamId) || event.type.startsWith('$')) return false;
  if (
    filter?.streamPrefixes?.length &&
    !filter.streamPrefixes.some((prefix) => event.streamId.startsWith(prefix))
  ) {
    return false;
  }
  if (filter?.eventTypes?.length && !filter.eventTypes.includes(event.type)) return false;
  return true;
}

/**
 * How to read a stream for `options`: the start revision, how many events at most, and the inclusive
 * end revision to stop at; null when the range is empty.
 */
function streamReadPlan(
  options: ReadStreamOptions,
): { fromRevision: ReadRevision; maxCount: number; to: number | undefined } | null {
  const backwards = options.direction === 'backwards';
  const { from, to } = options;
  if (backwards && from !== undefined && from < 0) return null;
  const start = from === undefined ? undefined : backwards ? from : Math.max(0, from);
  let maxCount = options.limit ?? Number.MAX_SAFE_INTEGER;
  if (to !== undefined) {
    if (start !== undefined) maxCount = Math.min(maxCount, backwards ? start - to + 1 : to - start + 1);
    else if (!backwards) maxCount = Math.min(maxCount, to + 1);
  }
  if (maxCount <= 0) return null;
  const fromRevision: ReadRevision = start !== undefined ? BigInt(start) : backwards ? END : START;
  return { fromRevision, maxCount, to };
}

/**
 * Decides what the stored events with some of these ids mean, as the SQLite adapter does: every id
 * stored consecutively from the first one, with the same types, is a retry (its original result);
 * any other overlap is a {@link DuplicateEventIdError}; no overlap is null.
 */
function matchRetry(
  streamId: string,
  events: readonly NewEvent[],
  found: ReadonlyMap<string, StoredEvent>,
): AppendResult | null {
  const first = found.get(events[0]!.id);
  if (!first) {
    const stored = events.find((event) => found.has(event.id));
    if (stored) throw new DuplicateEventIdError(stored.id, `already stored in ${streamId} by another append`);
    return null;
  }
  let last = first;
  for (const [index, event] of events.entries()) {
    const stored = found.get(event.id);
    if (!stored || stored.type !== event.type || stored.revision !== first.revision + index) {
      throw new DuplicateEventIdError(event.id, `does not match the stored append in ${streamId}`);
    }
    last = stored;
  }
  return { nextRevision: last.revision, position: last.position };
}

function isAbsentStream(error: unknown): boolean {
  return error instanceof StreamNotFoundError || error instanceof StreamDeletedError;
}

/** @internal The pure mapping helpers, exported for `kurrentdb.mapping.spec.ts` only. */
export const kurrentDbMapping = {
  toStreamState,
  toReadPosition,
  toSafeNumber,
  toStoredEvent,
  encodeEvent,
  sealEvents,
  eventIdStream,
  isLogStream,
  escapeRegex,
  serverFilter,
  matchesFilter,
  streamReadPlan,
  matchRetry,
} as const;
