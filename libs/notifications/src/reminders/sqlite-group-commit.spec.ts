import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SqliteGroupCommit } from './sqlite-group-commit';

describe('SqliteGroupCommit', () => {
  let dir: string;
  let db: Database.Database;
  let group: SqliteGroupCommit;
  const rows = (file = join(dir, 'g.sqlite')) => {
    const reader = new Database(file, { readonly: true });
    try {
      return (reader.prepare('SELECT id FROM child ORDER BY id').all() as Array<{ id: number }>).map(
        (r) => r.id,
      );
    } finally {
      reader.close();
    }
  };
  const insert = (id: number, parent: number) =>
    group.write(() => db.prepare('INSERT INTO child (id, parent) VALUES (?, ?)').run(id, parent).changes);

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'dukao-group-'));
    db = new Database(join(dir, 'g.sqlite'));
    db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    // A deferred foreign key is checked at COMMIT: the way to make a commit fail on purpose.
    db.exec(`CREATE TABLE parent (id INTEGER PRIMARY KEY);
      CREATE TABLE child (id INTEGER PRIMARY KEY,
        parent INTEGER REFERENCES parent (id) DEFERRABLE INITIALLY DEFERRED);
      INSERT INTO parent (id) VALUES (1);`);
    group = new SqliteGroupCommit(db);
  });
  afterEach(() => {
    group.commitNow();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('applies each write at once, visible on its connection, and commits those of one turn together', async () => {
    const first = insert(1, 1);
    const second = insert(2, 1);
    expect(db.prepare('SELECT COUNT(*) AS n FROM child').get()).toEqual({ n: 2 });
    // Another connection sees nothing before the commit.
    expect(rows()).toEqual([]);
    expect(group.pending).toBe(true);
    await expect(Promise.all([first, second])).resolves.toEqual([1, 1]);
    expect(rows()).toEqual([1, 2]);
    expect(group.pending).toBe(false);
  });

  it('a write that fails rejects alone; the others of its turn commit', async () => {
    const first = insert(1, 1);
    const duplicate = insert(1, 1);
    const third = insert(3, 1);
    const outcomes = await Promise.allSettled([first, duplicate, third]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(String((outcomes[1] as PromiseRejectedResult).reason)).toMatch(/UNIQUE/);
    expect(rows()).toEqual([1, 3]);
  });

  it('a commit that fails rolls the whole turn back and rejects every write of it', async () => {
    const good = insert(1, 1);
    const orphan = insert(2, 99);
    const waiting = group.committed();
    const outcomes = await Promise.allSettled([good, orphan, waiting]);
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected', 'rejected']);
    for (const outcome of outcomes)
      expect(String((outcome as PromiseRejectedResult).reason)).toMatch(/FOREIGN KEY/);
    expect(db.inTransaction).toBe(false);
    expect(db.prepare('SELECT COUNT(*) AS n FROM child').get()).toEqual({ n: 0 });
    // The next turn starts clean.
    await expect(insert(3, 1)).resolves.toBe(1);
    expect(rows()).toEqual([3]);
  });

  it('commitNow commits what is pending at once, for writers that must commit before they return', async () => {
    const first = insert(1, 1);
    group.commitNow();
    expect(rows()).toEqual([1]);
    await expect(first).resolves.toBe(1);
    await expect(group.committed()).resolves.toBeUndefined();
  });
});
