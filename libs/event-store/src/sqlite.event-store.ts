import { EventEmitter } from 'node:events';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import {
  type AppendOptions,
  type AppendResult,
  DuplicateEventIdError,
  type EventData,
  type EventMetadata,
  type EventStore,
  type EventSubscription,
  type HashAlgorithm,
  type LogFilter,
  type NewEvent,
  type ReadAllOptions,
  type ReadStreamOptions,
  type StoredEvent,
  type StreamHead,
  type SubscribeOptions,
} from './event-store.port';
import { checkExpectedRevision, validateNewEvents } from './append-rules';
import { GENESIS_HASH, assertHashAlgorithmAvailable, computeEventHash } from './hash-chain';
import { pollingSubscription } from './polling-subscription';
import { type UpcastFn, type Upcaster, composeUpcasters } from './upcasting';

export type SqliteDurability = 'full' | 'normal';

export interface SqliteEventStoreOptions {
  /** A file path, or ':memory:' for throwaway tests. */
  filename: string;
  /**
   * `full` (default): every commit is fsynced before an append is acknowledged.
   * `normal`: faster, but the last commits can be lost on power failure (WAL keeps the file consistent).
   */
  durability?: SqliteDurability;
  hashAlgorithm?: HashAlgorithm;
  upcasters?: readonly Upcaster[];
  /** Server clock for `recordedAt`; injectable for tests. */
  clock?: () => Date;
  /** How often an idle subscription looks for events appended by another process. */
  pollIntervalMs?: number;
  /** At most this many append requests share one transaction. */
  maxBatch?: number;
}

interface Row {
  position: number;
  id: string;
  stream_id: string;
  revision: number;
  type: string;
  schema_version: number;
  data: string;
  metadata: string;
}

/** The columns every read selects, in `RowValues` order; read statements return rows as arrays (raw mode). */
const EVENT_COLUMNS = 'position, id, stream_id, revision, type, schema_version, data, metadata';
type RowValues = [
  position: number,
  id: string,
  streamId: string,
  revision: number,
  type: string,
  schemaVersion: number,
  data: string,
  metadata: string,
];

interface PendingAppend {
  streamId: string;
  events: readonly NewEvent[];
  options: AppendOptions;
  resolve: (result: AppendResult) => void;
  reject: (error: unknown) => void;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS events (
  position       INTEGER PRIMARY KEY,
  id             TEXT    NOT NULL UNIQUE,
  stream_id      TEXT    NOT NULL,
  revision       INTEGER NOT NULL,
  type           TEXT    NOT NULL,
  schema_version INTEGER NOT NULL,
  data           TEXT    NOT NULL,
  metadata       TEXT    NOT NULL,
  UNIQUE (stream_id, revision)
) STRICT;
CREATE INDEX IF NOT EXISTS events_by_type ON events (type, position);
CREATE TRIGGER IF NOT EXISTS events_append_only_update BEFORE UPDATE ON events
  BEGIN SELECT RAISE(ABORT, 'events are append-only: UPDATE is not allowed'); END;
CREATE TRIGGER IF NOT EXISTS events_append_only_delete BEFORE DELETE ON events
  BEGIN SELECT RAISE(ABORT, 'events are append-only: DELETE is not allowed'); END;
`;

/**
 * The embedded event store: one SQLite file in WAL mode.
 *
 * Group commit: `append` only queues the request; a flush scheduled with `setImmediate` writes every
 * queued request in one transaction (one fsync), and one request's conflict or error undoes only that
 * request (see `applyRequest`: a savepoint where rows could be left behind). Requests are applied in
 * arrival order, so per-stream order and revision checks are exactly those of one-at-a-time appends.
 * Promises settle after COMMIT.
 *
 * Positions are the rowid (no AUTOINCREMENT): assigned under the write lock and never deleted, so
 * they are gap-free and a reader can never see position n+1 before n.
 */
export class SqliteEventStore implements EventStore {
  readonly positionsAreGapFree = true;
  private readonly db: Database.Database;
  private readonly hashAlgorithm: HashAlgorithm;
  private readonly upcast: UpcastFn;
  private readonly clock: () => Date;
  private readonly pollIntervalMs: number;
  private readonly maxBatch: number;
  private readonly appended = new EventEmitter();
  private pending: PendingAppend[] = [];
  private flushScheduled = false;
  private closed = false;
  private readonly statements: {
    head: Database.Statement<[string], { revision: number; hash: string }>;
    maxPosition: Database.Statement<[], { position: number | null }>;
    byId: Database.Statement<[string], Pick<Row, 'position' | 'stream_id' | 'revision' | 'type'>>;
    insert: Database.Statement<[number, string, string, number, string, number, string, string]>;
    begin: Database.Statement<[]>;
    savepoint: Database.Statement<[]>;
    release: Database.Statement<[]>;
    rollbackTo: Database.Statement<[]>;
    readStreamForwards: Database.Statement<[string, number, number, number], RowValues>;
    readStreamBackwards: Database.Statement<[string, number, number, number], RowValues>;
  };
  private readonly readAllStatements = new Map<string, Database.Statement<unknown[], RowValues>>();

  constructor(options: SqliteEventStoreOptions) {
    this.hashAlgorithm = options.hashAlgorithm ?? 'sha256';
    assertHashAlgorithmAvailable(this.hashAlgorithm);
    this.upcast = composeUpcasters(options.upcasters ?? []);
    this.clock = options.clock ?? (() => new Date());
    this.pollIntervalMs = options.pollIntervalMs ?? 200;
    this.maxBatch = options.maxBatch ?? 1000;
    if (options.filename !== ':memory:') mkdirSync(dirname(options.filename), { recursive: true });
    this.db = new Database(options.filename);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma(`synchronous = ${options.durability === 'normal' ? 'NORMAL' : 'FULL'}`);
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(SCHEMA);
    this.appended.setMaxListeners(0);
    this.statements = {
      head: this.db.prepare(
        `SELECT revision, json_extract(metadata, '$.hash') AS hash FROM events
         WHERE stream_id = ? ORDER BY revision DESC LIMIT 1`,
      ),
      maxPosition: this.db.prepare('SELECT MAX(position) AS position FROM events'),
      byId: this.db.prepare('SELECT position, stream_id, revision, type FROM events WHERE id = ?'),
      insert: this.db.prepare(
        `INSERT INTO events (position, id, stream_id, revision, type, schema_version, data, metadata)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      // Prepared once rather than parsed by `exec` for every batch and request.
      begin: this.db.prepare('BEGIN IMMEDIATE'),
      savepoint: this.db.prepare('SAVEPOINT append_request'),
      release: this.db.prepare('RELEASE append_request'),
      rollbackTo: this.db.prepare('ROLLBACK TO append_request'),
      readStreamForwards: this.prepareRead(
        `WHERE stream_id = ? AND revision BETWEEN ? AND ? ORDER BY revision ASC LIMIT ?`,
      ),
      readStreamBackwards: this.prepareRead(
        `WHERE stream_id = ? AND revision BETWEEN ? AND ? ORDER BY revision DESC LIMIT ?`,
      ),
    };
  }

  append(streamId: string, events: readonly NewEvent[], options: AppendOptions): Promise<AppendResult> {
    if (this.closed) return Promise.reject(new Error('event store is closed'));
    return new Promise((resolve, reject) => {
      validateNewEvents(streamId, events); // throwing here rejects the promise; nothing is queued
      this.pending.push({ streamId, events, options, resolve, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.flushScheduled = false;
    const batch = this.pending.splice(0, this.maxBatch);
    if (this.pending.length > 0) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
    if (batch.length === 0) return;

    const outcomes: Array<{ ok: true; result: AppendResult } | { ok: false; error: unknown }> = [];
    let wrote = false;
    try {
      this.statements.begin.run();
      let position = this.statements.maxPosition.get()?.position ?? 0;
      const recordedAt = this.clock().toISOString();
      for (const request of batch) {
        const outcome = this.applyRequest(request, position, recordedAt, batch.length === 1);
        if (outcome.ok && outcome.written) {
          position = outcome.result.position;
          wrote = true;
        }
        outcomes.push(outcome);
      }
      if (this.db.inTransaction) this.db.exec('COMMIT');
    } catch (error) {
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      for (const request of batch) request.reject(error);
      return;
    }
    batch.forEach((request, index) => {
      const outcome = outcomes[index]!;
      if (outcome.ok) request.resolve(outcome.result);
      else request.reject(outcome.error);
    });
    if (wrote) this.appended.emit('appended');
  }

  /**
   * Applies one request inside the batch transaction so that, when it fails, none of its rows stay and
   * the other requests are untouched. A request that fails before writing a row (conflict, invalid
   * content, or a failed INSERT, which SQLite undoes statement by statement) needs nothing undone;
   * only a request of several events can fail after writing some of them, so only such a request runs
   * inside a savepoint (skipped too when it is alone in the transaction, which is rolled back whole).
   * An error that ended the transaction itself (e.g. SQLITE_FULL) is thrown, failing the whole batch.
   */
  private applyRequest(
    request: PendingAppend,
    lastPosition: number,
    recordedAt: string,
    alone: boolean,
  ): { ok: true; written: boolean; result: AppendResult } | { ok: false; error: unknown } {
    const savepoint = request.events.length > 1 && !alone;
    if (savepoint) this.statements.savepoint.run();
    try {
      const outcome = this.appendInTransaction(request, lastPosition, recordedAt);
      if (savepoint) this.statements.release.run();
      return { ok: true, written: outcome.written, result: outcome.result };
    } catch (error) {
      if (!this.db.inTransaction) throw error;
      if (savepoint) {
        this.statements.rollbackTo.run();
        this.statements.release.run();
      } else if (alone) {
        this.db.exec('ROLLBACK');
      }
      return { ok: false, error };
    }
  }

  private appendInTransaction(
    request: PendingAppend,
    lastPosition: number,
    recordedAt: string,
  ): { written: boolean; result: AppendResult } {
    const { streamId, events, options } = request;
    let inserted = 0;
    try {
      const head: StreamHead | undefined = this.statements.head.get(streamId);
      checkExpectedRevision(streamId, options.expectedRevision, head?.revision ?? null);
      let revision = head ? head.revision : -1;
      let prevHash = head ? head.hash : GENESIS_HASH;
      let position = lastPosition;
      for (const event of events) {
        revision += 1;
        position += 1;
        const metadata = storedMetadata(event.metadata, recordedAt, prevHash, this.hashAlgorithm);
        const schemaVersion = event.schemaVersion ?? 1;
        const hash = computeEventHash(
          { id: event.id, type: event.type, schemaVersion, streamId, revision, data: event.data, metadata },
          this.hashAlgorithm,
        );
        // The hash covers everything else, so it is added last: the stored JSON is `{ ...metadata, hash }`.
        (metadata as EventMetadata).hash = hash;
        try {
          this.statements.insert.run(
            position,
            event.id,
            streamId,
            revision,
            event.type,
            schemaVersion,
            JSON.stringify(event.data),
            JSON.stringify(metadata),
          );
        } catch (error) {
          if (
            (error as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE' &&
            /events\.id/.test(String(error))
          ) {
            throw new DuplicateEventIdError(event.id, 'appended earlier as part of another command');
          }
          throw error;
        }
        inserted += 1;
        prevHash = hash;
      }
      return { written: true, result: { nextRevision: revision, position } };
    } catch (error) {
      // A retried append takes precedence over every other outcome, as if it had been looked for first.
      // It is looked for only here, on failure: a retry always fails (on the revision check or on
      // inserting its first event, whose id is stored), so the happy path saves the id lookup. Once a
      // row of this request is written, its first id was not stored, so it cannot be a retry.
      if (inserted === 0 && this.db.inTransaction) {
        const retried = this.findRetry(streamId, events);
        if (retried) return { written: false, result: retried };
      }
      throw error;
    }
  }

  /**
   * A retried append: the first event id is already stored. It counts as the same append only when
   * every id is stored, consecutively, in the same stream with the same types; then the original
   * result is returned and nothing is written.
   */
  private findRetry(streamId: string, events: readonly NewEvent[]): AppendResult | null {
    const first = this.statements.byId.get(events[0]!.id);
    if (!first) return null;
    let previous = first;
    for (const [index, event] of events.entries()) {
      const stored = index === 0 ? first : this.statements.byId.get(event.id);
      const fits =
        stored &&
        stored.stream_id === streamId &&
        stored.type === event.type &&
        stored.revision === first.revision + index &&
        (index === 0 || stored.position > previous.position);
      if (!fits)
        throw new DuplicateEventIdError(event.id, `does not match the stored append in ${first.stream_id}`);
      previous = stored;
    }
    return { nextRevision: previous.revision, position: previous.position };
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<StoredEvent[]> {
    const backwards = options.direction === 'backwards';
    const from = options.from ?? (backwards ? Number.MAX_SAFE_INTEGER : 0);
    const to = options.to ?? (backwards ? 0 : Number.MAX_SAFE_INTEGER);
    const [low, high] = backwards ? [to, from] : [from, to];
    const statement = backwards ? this.statements.readStreamBackwards : this.statements.readStreamForwards;
    const rows = statement.all(streamId, low, high, options.limit ?? -1);
    return rows.map((row) => this.upcast(toStoredEvent(row)));
  }

  async readAll(options: ReadAllOptions = {}): Promise<StoredEvent[]> {
    const events = this.readAllUpTo(options, Number.MAX_SAFE_INTEGER);
    return options.upcast === false ? events : events.map(this.upcast);
  }

  private readAllUpTo(options: ReadAllOptions, upTo: number): StoredEvent[] {
    const { sql, params } = filterSql(options.filter);
    let statement = this.readAllStatements.get(sql);
    if (!statement) {
      statement = this.prepareRead(`WHERE position > ? AND position <= ?${sql} ORDER BY position LIMIT ?`);
      this.readAllStatements.set(sql, statement);
    }
    const rows = statement.all(options.after ?? 0, upTo, ...params, options.limit ?? -1);
    return rows.map(toStoredEvent);
  }

  /** Rows as arrays rather than objects: better-sqlite3 builds them faster, and reads are hot. */
  private prepareRead<Params extends unknown[]>(where: string): Database.Statement<Params, RowValues> {
    return this.db.prepare<Params, RowValues>(`SELECT ${EVENT_COLUMNS} FROM events ${where}`).raw(true);
  }

  subscribe(options: SubscribeOptions = {}): EventSubscription {
    return pollingSubscription({
      after: options.after,
      batchSize: options.batchSize ?? 500,
      // Bound each read by the head read first, so that a filtered read can move the cursor past
      // events it skipped without ever passing one it has not seen.
      readBatch: async (after, limit) => {
        const head = this.statements.maxPosition.get()?.position ?? 0;
        const events = this.readAllUpTo({ after, limit, filter: options.filter }, head).map(this.upcast);
        const scannedTo = events.length === limit ? events[events.length - 1]!.position : head;
        return { events, scannedTo };
      },
      waitForAppend: (signal) =>
        new Promise<void>((resolve) => {
          const done = () => {
            clearTimeout(timer);
            this.appended.off('appended', done);
            signal.removeEventListener('abort', done);
            resolve();
          };
          const timer = setTimeout(done, this.pollIntervalMs);
          this.appended.once('appended', done);
          signal.addEventListener('abort', done);
        }),
    });
  }

  async streamRevision(streamId: string): Promise<number | null> {
    return this.statements.head.get(streamId)?.revision ?? null;
  }

  async headPosition(): Promise<number | null> {
    return this.statements.maxPosition.get()?.position ?? null;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // Let queued appends finish: they were accepted and their callers are waiting.
    while (this.pending.length > 0) this.flush();
    this.appended.emit('appended');
    this.db.close();
  }
}

/**
 * The stored metadata before its hash: the caller's metadata (every own enumerable key, in its order)
 * with the defaults and the chain fields set, exactly `{ ...metadata, causationId, commandId,
 * occurredAt, recordedAt, prevHash, hashAlgorithm }`. Built with `Object.assign` and plain
 * assignments because V8 (Node 20) takes a slow path for an object spread followed by more
 * properties: about 10 µs per event, more than the insert itself. None of these keys has a setter on
 * Object.prototype, so assignment defines them just as the literal did; only an own `__proto__` key
 * would behave differently under Object.assign, and that rare shape keeps the spread.
 */
function storedMetadata(
  source: NewEvent['metadata'],
  recordedAt: string,
  prevHash: string,
  hashAlgorithm: HashAlgorithm,
): Omit<EventMetadata, 'hash'> {
  const metadata = (Object.hasOwn(source, '__proto__') ? { ...source } : Object.assign({}, source)) as Omit<
    EventMetadata,
    'hash'
  >;
  metadata.causationId = source.causationId ?? null;
  metadata.commandId = source.commandId ?? null;
  metadata.occurredAt = source.occurredAt ?? recordedAt;
  metadata.recordedAt = recordedAt;
  metadata.prevHash = prevHash;
  metadata.hashAlgorithm = hashAlgorithm;
  return metadata;
}

function toStoredEvent(row: RowValues): StoredEvent {
  return {
    id: row[1],
    type: row[4],
    schemaVersion: row[5],
    data: JSON.parse(row[6]) as EventData,
    metadata: JSON.parse(row[7]) as EventMetadata,
    streamId: row[2],
    revision: row[3],
    position: row[0],
  };
}

function filterSql(filter: LogFilter | undefined): { sql: string; params: Array<string | number> } {
  const clauses: string[] = [];
  const params: Array<string | number> = [];
  if (filter?.streamPrefixes?.length) {
    // substr comparison rather than LIKE: prefixes may contain % or _.
    clauses.push(`(${filter.streamPrefixes.map(() => 'substr(stream_id, 1, ?) = ?').join(' OR ')})`);
    for (const prefix of filter.streamPrefixes) params.push(prefix.length, prefix);
  }
  if (filter?.eventTypes?.length) {
    clauses.push(`type IN (${filter.eventTypes.map(() => '?').join(', ')})`);
    params.push(...filter.eventTypes);
  }
  return { sql: clauses.length ? ` AND ${clauses.join(' AND ')}` : '', params };
}
