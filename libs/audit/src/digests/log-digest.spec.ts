import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { loadConfig } from '@dukao/config';
import { GENESIS_HASH, SqliteEventStore, computeEventHash, readAllPages } from '@dukao/event-store';
import { SYSTEM_ACTOR } from '@dukao/kernel';
import { LogDigester } from './log-digester';
import type { LogDigestDocument } from './log-digest.events';
import { MerkleFrontier, merkleLeaf, merkleRootOf } from './merkle';
import { verifyLogAgainstDigest } from './verify-digest';

const actor = { userId: 'u-1', role: 'unitStaff', unitId: 'town-a' };
const context = () => ({ commandId: randomUUID(), actor: SYSTEM_ACTOR, correlationId: randomUUID() });

describe('log digests', () => {
  let dir: string;
  let file: string;
  let store: SqliteEventStore;
  let digester: LogDigester;
  const open = (env: Record<string, string> = {}) => {
    store = new SqliteEventStore({ filename: file });
    digester = new LogDigester(
      store,
      loadConfig({ DATA_DIR: dir, ...env }),
      () => new Date('2026-07-01T00:00:00Z'),
    );
  };
  const report = (stream: string, n: number) =>
    store.append(
      stream,
      [{ id: randomUUID(), type: 'ProgressReported', data: { n }, metadata: { actor, correlationId: 'c' } }],
      { expectedRevision: 'any' },
    );
  const verify = (document: LogDigestDocument) =>
    verifyLogAgainstDigest(document, readAllPages(store, { upcast: false, pageSize: 3 }), {
      gapFreePositions: true,
    });
  const raw = (sql: string) => {
    const db = new Database(file);
    db.exec(
      'DROP TRIGGER IF EXISTS events_append_only_update; DROP TRIGGER IF EXISTS events_append_only_delete;',
    );
    db.exec(sql);
    db.close();
  };

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'dukao-digest-'));
    file = join(dir, 'events.sqlite');
    open();
    for (let n = 0; n < 7; n += 1) await report(`report-${n % 3}`, n);
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('embedded mode makes its Ed25519 key in DATA_DIR on first use, readable only by its owner', () => {
    const key = digester.publicKey()!;
    expect(key.algorithm).toBe('ed25519');
    expect(key.publicKey).toMatch(/BEGIN PUBLIC KEY/);
    expect(statSync(join(dir, 'audit-signing-key.pem')).mode & 0o777).toBe(0o600);
    const again = new LogDigester(store, loadConfig({ DATA_DIR: dir }), () => new Date());
    expect(again.publicKey()!.keyId).toBe(key.keyId);
  });

  it('signs the Merkle root over every event by position, as an independent recomputation finds it', async () => {
    const document = await digester.compute({ kind: 'schedule' });
    const events = await store.readAll({ upcast: false });
    const leaves = events.map((e) =>
      merkleLeaf(
        {
          eventId: e.id,
          hash: e.metadata.hash,
          position: e.position,
          revision: e.revision,
          streamId: e.streamId,
        },
        'sha256',
      ),
    );
    expect(document).toMatchObject({
      eventCount: 7,
      firstPosition: 1,
      lastPosition: 7,
      lastEventId: events[6]!.id,
    });
    expect(document.root).toBe(merkleRootOf(leaves, 'sha256'));
    expect(await verify(document)).toMatchObject({
      ok: true,
      grew: false,
      firstDifference: null,
      signature: { valid: true },
    });
  });

  it('records the digest as LogDigestSigned; later digests extend the tree incrementally and agree with a fresh one', async () => {
    const first = await digester.record({ kind: 'schedule' }, context());
    expect(first.position).toBe(8);
    const [stored] = await store.readStream(`logdigest-${first.document.digestId}`);
    expect(stored).toMatchObject({
      type: 'LogDigestSigned',
      data: { eventCount: 7, root: first.document.root },
    });
    await report('report-9', 9);
    const second = await digester.compute({ kind: 'schedule' });
    expect(second.eventCount).toBe(9);
    // A new process resumes from the recorded digest's peaks and reaches the same root.
    const fresh = new LogDigester(
      store,
      loadConfig({ DATA_DIR: dir }),
      () => new Date('2026-07-01T00:00:00Z'),
    );
    expect((await fresh.compute({ kind: 'schedule' })).root).toBe(second.root);
    // The earlier digest still verifies: the log only grew.
    expect(await verify(first.document)).toMatchObject({ ok: true, grew: true });
  });

  it('recording the same digest id twice appends once', async () => {
    const id = randomUUID();
    const a = await digester.record({ kind: 'schedule' }, context(), id);
    const b = await digester.record({ kind: 'schedule' }, context(), id);
    expect(b).toMatchObject({ replayed: true, position: a.position, document: { root: a.document.root } });
    expect(await store.headPosition()).toBe(8);
  });

  it('one byte of a stored event altered in the file: the verifier names that event', async () => {
    const document = await digester.compute({ kind: 'schedule' });
    raw(`UPDATE events SET data = '{"n":9}' WHERE position = 5`);
    const result = await verify(document);
    expect(result.ok).toBe(false);
    expect(result.firstDifference).toMatchObject({
      kind: 'event-changed',
      position: 5,
      streamId: 'report-1',
      revision: 1,
    });
    // …and the digester refuses to sign such a log.
    await expect(
      new LogDigester(store, loadConfig({ DATA_DIR: dir }), () => new Date()).compute({ kind: 'schedule' }),
    ).rejects.toMatchObject({ code: 'LOG_NOT_INTACT', details: { position: 5 } });
  });

  it('the last event deleted: the verifier reports that the log shrank', async () => {
    const document = await digester.compute({ kind: 'schedule' });
    raw('DELETE FROM events WHERE position = 7');
    const result = await verify(document);
    expect(result).toMatchObject({ ok: false, grew: false, recomputed: { eventCount: 6 } });
    expect(result.firstDifference).toMatchObject({
      kind: 'log-shrank',
      position: 7,
      eventId: document.lastEventId,
    });
    expect(result.firstDifference!.detail).toMatch(/变短/);
  });

  it('an event rewritten with its stream re-hashed: every chain holds, the root does not, the subtree is named', async () => {
    const document = await digester.compute({ kind: 'schedule' });
    // Rewrite report-2's only event (position 3) and recompute its hash as a forger would.
    const [event] = await store.readStream('report-2');
    const forged = { ...event!, data: { n: 200 } };
    const { hash: _old, ...metadata } = forged.metadata;
    const hash = computeEventHash({ ...forged, metadata }, 'sha256');
    expect(metadata.prevHash).toBe(GENESIS_HASH);
    raw(
      `UPDATE events SET data = '{"n":200}', metadata = json_set(metadata, '$.hash', '${hash}') WHERE position = 3;` +
        `UPDATE events SET metadata = json_set(metadata, '$.prevHash', '${hash}') WHERE position = 6;`,
    );
    // position 6 is report-2's second event: its own hash no longer matches now its prevHash changed,
    // so the forger must re-hash it too.
    const [, second] = await store.readStream('report-2');
    const { hash: _h2, ...m2 } = second!.metadata;
    raw(
      `UPDATE events SET metadata = json_set(metadata, '$.hash', '${computeEventHash({ ...second!, metadata: m2 }, 'sha256')}') WHERE position = 6`,
    );
    const result = await verify(document);
    expect(result.ok).toBe(false);
    expect(result.firstDifference).toMatchObject({
      kind: 'subtree-changed',
      range: { fromPosition: 1, toPosition: 4 },
    });
  });

  it('a digest whose signature does not match its content is not valid', async () => {
    const document = await digester.compute({ kind: 'schedule' });
    const result = await verify({ ...document, eventCount: 6, peaks: document.peaks });
    expect(result.signature).toMatchObject({ valid: false, problem: '签名无效' });
    expect(result.ok).toBe(false);
  });

  it('production mode without AUDIT_SIGNING_KEY_FILE signs nothing', async () => {
    const production = new LogDigester(
      store,
      { ...loadConfig({ DATA_DIR: dir }), mode: 'production' },
      () => new Date(),
    );
    expect(production.publicKey()).toBeNull();
    await expect(production.compute({ kind: 'schedule' })).rejects.toMatchObject({
      code: 'SIGNING_KEY_NOT_CONFIGURED',
    });
  });

  it('a configured key file is used as it is; a missing one is an error', async () => {
    const keyFile = join(dir, 'audit-signing-key.pem');
    const key = digester.publicKey()!;
    const configured = new LogDigester(
      store,
      loadConfig({ DATA_DIR: join(dir, 'other'), AUDIT_SIGNING_KEY_FILE: keyFile }),
      () => new Date(),
    );
    expect(configured.publicKey()!.keyId).toBe(key.keyId);
    const missing = new LogDigester(
      store,
      loadConfig({ DATA_DIR: dir, AUDIT_SIGNING_KEY_FILE: join(dir, 'nope.pem') }),
      () => new Date(),
    );
    expect(() => missing.publicKey()).toThrow(/does not exist/);
  });

  it('hashes with SM3 when the log is configured so', async () => {
    const sm3 = new LogDigester(
      store,
      loadConfig({ DATA_DIR: dir, EVENT_HASH_ALGORITHM: 'sm3' }),
      () => new Date(),
    );
    const document = await sm3.compute({ kind: 'schedule' });
    expect(document.hashAlgorithm).toBe('sm3');
    expect(document.root).not.toBe((await digester.compute({ kind: 'schedule' })).root);
    expect(await verify(document)).toMatchObject({ ok: true });
    expect(new MerkleFrontier('sm3', document.peaks).root()).toBe(document.root);
  });
});
