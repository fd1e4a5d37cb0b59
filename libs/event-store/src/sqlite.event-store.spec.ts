import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describeEventStoreContract, newEvent } from './event-store.contract';
import { verifyChain } from './hash-chain';
import { SqliteEventStore } from './sqlite.event-store';

const dirs: string[] = [];
function tempFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'dukao-es-'));
  dirs.push(dir);
  return join(dir, 'events.sqlite');
}
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

// One file per test; every store the contract opens within a test shares it.
let contractFile: string;
beforeEach(() => {
  contractFile = tempFile();
});
describeEventStoreContract(
  'sqlite',
  async (options) => new SqliteEventStore({ filename: contractFile, ...options }),
);

describe('SqliteEventStore', () => {
  it('is durable per commit by default (synchronous=FULL) and NORMAL only when asked', async () => {
    const full = new SqliteEventStore({ filename: tempFile() });
    const normal = new SqliteEventStore({ filename: tempFile(), durability: 'normal' });
    const sync = (store: SqliteEventStore) =>
      (store as unknown as { db: Database.Database }).db.pragma('synchronous', { simple: true });
    expect(sync(full)).toBe(2);
    expect(sync(normal)).toBe(1);
    await full.close();
    await normal.close();
  });

  it('keeps what it acknowledged across reopening', async () => {
    const file = tempFile();
    const store = new SqliteEventStore({ filename: file });
    const result = await store.append('target-1', [newEvent('TargetIssued', { value: 8 })], {
      expectedRevision: 'no_stream',
    });
    await store.close();
    const reopened = new SqliteEventStore({ filename: file });
    expect(await reopened.readStream('target-1')).toMatchObject([
      { position: result.position, data: { value: 8 } },
    ]);
    await reopened.close();
  });

  it('rejects UPDATE and DELETE on the events table in the database itself', async () => {
    const file = tempFile();
    const store = new SqliteEventStore({ filename: file });
    await store.append('target-1', [newEvent('TargetIssued')], { expectedRevision: 'any' });
    const raw = new Database(file);
    expect(() => raw.prepare("UPDATE events SET data = '{}'").run()).toThrow(/append-only/);
    expect(() => raw.prepare('DELETE FROM events').run()).toThrow(/append-only/);
    raw.close();
    await store.close();
  });

  it('verifies an untouched log and finds a row altered behind its back', async () => {
    const file = tempFile();
    const store = new SqliteEventStore({ filename: file });
    for (let n = 0; n < 5; n += 1) {
      await store.append(`report-${n % 2}`, [newEvent('ProgressReported', { cumulative: n })], {
        expectedRevision: 'any',
      });
    }
    expect(
      await verifyChain(await store.readAll({ upcast: false }), { gapFreePositions: true }),
    ).toMatchObject({
      ok: true,
      events: 5,
      streams: 2,
    });

    const raw = new Database(file);
    raw.exec('DROP TRIGGER events_append_only_update');
    raw.prepare(`UPDATE events SET data = '{"cumulative":40}' WHERE position = 3`).run();
    raw.close();

    const result = await verifyChain(await store.readAll({ upcast: false }), { gapFreePositions: true });
    expect(result).toMatchObject({
      ok: false,
      events: 2,
      firstBreak: { streamId: 'report-0', revision: 1, position: 3, reason: 'hash-mismatch' },
    });
    await store.close();
  });

  it('finds a deleted row as a gap', async () => {
    const file = tempFile();
    const store = new SqliteEventStore({ filename: file });
    for (let n = 0; n < 3; n += 1)
      await store.append('report-1', [newEvent('ProgressReported')], { expectedRevision: 'any' });
    const raw = new Database(file);
    raw.exec('DROP TRIGGER events_append_only_delete');
    raw.prepare('DELETE FROM events WHERE position = 2').run();
    raw.close();
    const result = await verifyChain(await store.readAll({ upcast: false }), { gapFreePositions: true });
    expect(result.firstBreak).toMatchObject({ position: 3, reason: 'position-gap' });
    await store.close();
  });

  it('chains with SM3 when configured', async () => {
    const store = new SqliteEventStore({ filename: tempFile(), hashAlgorithm: 'sm3' });
    await store.append('target-1', [newEvent('A'), newEvent('B')], { expectedRevision: 'any' });
    const events = await store.readAll({ upcast: false });
    expect(events.map((e) => e.metadata.hashAlgorithm)).toEqual(['sm3', 'sm3']);
    expect(await verifyChain(events, { gapFreePositions: true })).toMatchObject({ ok: true, events: 2 });
    await store.close();
  });

  it('batches concurrent appends into few transactions (group commit)', async () => {
    const store = new SqliteEventStore({ filename: tempFile() });
    const db = (store as unknown as { db: Database.Database }).db;
    const exec = jest.spyOn(db, 'exec');
    await Promise.all(
      Array.from({ length: 64 }, (_, n) =>
        store.append(`target-${n}`, [newEvent('A')], { expectedRevision: 'no_stream' }),
      ),
    );
    expect(exec.mock.calls.filter(([sql]) => sql === 'COMMIT')).toHaveLength(1);
    await store.close();
  });

  it('upcasts a stored version-1 event written by an earlier release', async () => {
    const file = tempFile();
    await new SqliteEventStore({ filename: file }).close();
    // A row exactly as an earlier release stored it (its hash chain is not under test here).
    const raw = new Database(file);
    raw
      .prepare('INSERT INTO events VALUES (1, ?, ?, 0, ?, 1, ?, ?)')
      .run(
        '6f1c1a0e-3f5c-4d3a-9a57-0d5b1d9e7a01',
        'report-legacy',
        'ProgressReported',
        '{"targetId":"t-1","value":"3.2"}',
        '{"actor":{"userId":"u-1","role":"unitStaff"},"correlationId":"c-1","causationId":null,"commandId":null,"occurredAt":"2026-06-30T00:00:00.000Z","recordedAt":"2026-07-01T00:00:00.000Z","prevHash":"0","hash":"x","hashAlgorithm":"sha256"}',
      );
    raw.close();
    const store = new SqliteEventStore({
      filename: file,
      upcasters: [
        {
          type: 'ProgressReported',
          fromVersion: 1,
          upcast: (e) => ({
            ...e,
            schemaVersion: 2,
            data: { targetId: e.data.targetId!, cumulative: Number(e.data.value) },
          }),
        },
      ],
    });
    expect(await store.readStream('report-legacy')).toMatchObject([
      { schemaVersion: 2, data: { targetId: 't-1', cumulative: 3.2 } },
    ]);
    await store.close();
  });
});
