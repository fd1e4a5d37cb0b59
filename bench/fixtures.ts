/**
 * Realistic events for benchmarks: a unit's progress report on a target (Chinese narrative included),
 * about 500 bytes of JSON as supplied by a command handler (id, type, data, metadata); stored, the
 * `data` column is about 230 bytes and `metadata` about 455 (the store adds times, prevHash, hash).
 */
import { randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import { type EventMetadata, type NewEvent, SqliteEventStore, type StoredEvent } from '@dukao/event-store';

const NARRATIVES = [
  '本季度新开工保障房三个，完成年度计划的六成。',
  '重点项目按期推进，累计完成投资四点二亿元。',
  '专项整治已完成自查，整改问题十二项待验收。',
  '群众满意度调查已回收问卷，满意率达百分之九十。',
];

const ROLES = ['unitStaff', 'unitLeader', 'assessmentAdmin'];

/** 256 distinct payloads, built once, so that generating an event costs the same on both sides of a comparison. */
const DATA = Array.from({ length: 256 }, (_, n) => ({
  targetId: `target-2026-${String(n % 97).padStart(4, '0')}`,
  period: `2026-Q${(n % 4) + 1}`,
  cumulative: Math.round(((n * 37) % 1000) * 10) / 100,
  narrative: NARRATIVES[n % NARRATIVES.length]!,
  evidenceHash: `${n.toString(16).padStart(4, '0')}${'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'.slice(4)}`,
}));

let counter = 0;

/** A new `ProgressReported` event with fresh ids, as a command handler would append it. */
export function progressReported(): NewEvent {
  const n = counter++;
  return {
    id: randomUUID(),
    type: 'ProgressReported',
    data: DATA[n % DATA.length]!,
    metadata: {
      actor: {
        userId: `u-${String(n % 5000).padStart(6, '0')}`,
        role: ROLES[n % ROLES.length]!,
        unitId: `unit-${String(n % 120).padStart(4, '0')}`,
      },
      correlationId: randomUUID(),
      commandId: randomUUID(),
    },
  };
}

/** Size in bytes of one event as supplied to `append` (for the record in docs/benchmarks.md). */
export function suppliedEventBytes(): number {
  return Buffer.byteLength(JSON.stringify(progressReported()));
}

const FAKE_HASH = 'a'.repeat(64);

/**
 * The `metadata` column as the store writes it (same keys, same order), with placeholder hashes of
 * the real length. Built with Object.assign, not `{ ...spread, more }`: on Node 20 that literal takes
 * a V8 slow path costing ~10 µs, which would make the baseline look slower than a raw insert is.
 */
export function storedMetadata(event: NewEvent, recordedAt: string): EventMetadata {
  const metadata = Object.assign({}, event.metadata) as EventMetadata;
  metadata.causationId = event.metadata.causationId ?? null;
  metadata.commandId = event.metadata.commandId ?? null;
  metadata.occurredAt = event.metadata.occurredAt ?? recordedAt;
  metadata.recordedAt = recordedAt;
  metadata.prevHash = FAKE_HASH;
  metadata.hashAlgorithm = 'sha256';
  metadata.hash = FAKE_HASH;
  return metadata;
}

/**
 * Opens a raw better-sqlite3 connection on a file whose `events` table (columns, indexes, triggers)
 * was created by the SQLite adapter itself, with the same WAL mode and the given durability.
 */
export async function openRawEventsDb(
  filename: string,
  durability: 'full' | 'normal' = 'full',
): Promise<Database.Database> {
  await new SqliteEventStore({ filename }).close();
  const db = new Database(filename);
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${durability === 'full' ? 'FULL' : 'NORMAL'}`);
  return db;
}

/**
 * The raw write path: one transaction inserting the given events (one row each) with a prepared
 * INSERT, serialising data and metadata as the store does, and nothing else (no hashing, no head or
 * retry lookups, no group commit).
 */
export function rawInserter(
  db: Database.Database,
): (streamId: string, firstRevision: number, events: readonly NewEvent[]) => void {
  const insert = db.prepare(
    `INSERT INTO events (id, stream_id, revision, type, schema_version, data, metadata) VALUES (?, ?, ?, ?, ?, ?, ?)`,
  );
  return db.transaction((streamId: string, firstRevision: number, events: readonly NewEvent[]) => {
    const recordedAt = new Date().toISOString();
    events.forEach((event, index) => {
      insert.run(
        event.id,
        streamId,
        firstRevision + index,
        event.type,
        event.schemaVersion ?? 1,
        JSON.stringify(event.data),
        JSON.stringify(storedMetadata(event, recordedAt)),
      );
    });
  });
}

/**
 * Writes a benchmark population's log as raw rows: whole streams, positions 1, 2, … in the order
 * given, one transaction per call. Returns the stored events (each stream's, in order) so that
 * projections can be fed the very rows written; `position` is the last position written.
 */
export function rawLogWriter(
  db: Database.Database,
  recordedAtOf: (event: NewEvent) => string,
): {
  write(streams: ReadonlyArray<{ streamId: string; events: readonly NewEvent[] }>): StoredEvent[][];
  readonly position: number;
} {
  let position = 0;
  const insert = db.prepare(
    'INSERT INTO events (position, id, stream_id, revision, type, schema_version, data, metadata) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
  );
  const write = db.transaction((streams: ReadonlyArray<{ streamId: string; events: readonly NewEvent[] }>) =>
    streams.map(({ streamId, events }) =>
      events.map((event, revision): StoredEvent => {
        const metadata = storedMetadata(event, recordedAtOf(event));
        position += 1;
        insert.run(
          position,
          event.id,
          streamId,
          revision,
          event.type,
          1,
          JSON.stringify(event.data),
          JSON.stringify(metadata),
        );
        return { ...event, schemaVersion: 1, metadata, streamId, revision, position };
      }),
    ),
  );
  return {
    write,
    get position() {
      return position;
    },
  };
}
