import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { SqliteEventStore } from '@dukao/event-store';

/**
 * Retention (docs/audit.md): nothing in the audit path may be deleted or expire. These tests fail when
 * the code or configuration sets a retention, truncation or deletion on the log, and check that the
 * SQLite event store itself refuses deletes and updates.
 */
const ROOT = resolve(__dirname, '../../../..');
const SCANNED_DIRS = ['apps', 'libs', 'bench'];
const SCANNED_FILES = ['docker-compose.yml', 'Dockerfile', 'package.json'];
/** Tamper tests alter the file on purpose; they are tests, not configuration. */
const isTest = (path: string) => /\.(spec|e2e-spec|int-spec)\.ts$/.test(path) || /\/testing\//.test(path);

interface Rule {
  name: string;
  pattern: RegExp;
  /** Only in these paths (prefixes); everywhere when absent. */
  within?: string[];
}

/** KurrentDB stream metadata and client calls that expire, truncate or delete events; SQLite statements that do. */
const RETENTION_RULES: readonly Rule[] = [
  { name: 'KurrentDB $maxAge', pattern: /\$maxAge/ },
  { name: 'KurrentDB $maxCount', pattern: /\$maxCount/ },
  { name: 'KurrentDB $tb (truncate before)', pattern: /\$tb\b/ },
  { name: 'KurrentDB truncateBefore', pattern: /\btruncateBefore\b/ },
  { name: 'KurrentDB stream metadata', pattern: /\bsetStreamMetadata\s*\(/ },
  { name: 'KurrentDB deleteStream', pattern: /\bdeleteStream\s*\(/ },
  { name: 'KurrentDB tombstoneStream', pattern: /\btombstoneStream\s*\(/ },
  // `maxCount` is also the client's read option, so only `maxAge` is flagged on its own.
  { name: 'KurrentDB maxAge', pattern: /\bmaxAge\s*:/, within: ['libs/event-store/'] },
  {
    name: 'SQLite DELETE/UPDATE/DROP/TRUNCATE on events',
    pattern: /\b(DELETE\s+FROM|UPDATE|DROP\s+TABLE(\s+IF\s+EXISTS)?|TRUNCATE(\s+TABLE)?)\s+["'`]?events\b/i,
  },
  { name: 'SQLite trigger removal', pattern: /DROP\s+TRIGGER[^;]*events_append_only/i },
];

function retentionViolations(path: string, text: string): string[] {
  return RETENTION_RULES.filter(
    (rule) => (!rule.within || rule.within.some((p) => path.startsWith(p))) && rule.pattern.test(text),
  ).map((rule) => `${path}: ${rule.name}`);
}

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (name === 'node_modules' || name === 'dist') return [];
    if (statSync(path).isDirectory()) return sources(path);
    return /\.(ts|js|mjs|json|ya?ml)$/.test(name) ? [path] : [];
  });
}

describe('retention of the log', () => {
  it('no code or configuration sets a retention, truncation or deletion on the event log', () => {
    const files = [
      ...SCANNED_DIRS.flatMap((dir) => sources(join(ROOT, dir))),
      ...SCANNED_FILES.map((file) => join(ROOT, file)),
    ]
      .map((path) => relative(ROOT, path))
      .filter((path) => !isTest(path) && path !== 'libs/audit/src/retention/retention.spec.ts');
    expect(files.length).toBeGreaterThan(100);
    const violations = files.flatMap((path) =>
      retentionViolations(path, readFileSync(join(ROOT, path), 'utf8')),
    );
    expect(violations).toEqual([]);
  });

  it('the scan finds each kind of setting (so the test above can fail)', () => {
    const samples: Array<[string, string]> = [
      ['libs/x.ts', `client.setStreamMetadata('target-1', { maxAge: 86400 })`],
      ['docker-compose.yml', `metadata: '{"$maxAge": 3600}'`],
      ['libs/x.ts', `{ "$maxCount": 100 }`],
      ['libs/x.ts', `{ "$tb": 42 }`],
      ['libs/x.ts', `await client.deleteStream(id)`],
      ['libs/x.ts', `await client.tombstoneStream(id)`],
      ['libs/event-store/src/x.ts', `const metadata = { maxAge: 5 }`],
      ['libs/x.ts', `db.exec('DELETE FROM events WHERE position < 10')`],
      ['libs/x.ts', `db.exec("UPDATE events SET data = '{}'")`],
      ['libs/x.ts', 'db.exec(`DROP TABLE IF EXISTS events`)'],
      ['libs/x.ts', `db.exec('TRUNCATE TABLE "events";')`],
      ['libs/x.ts', `db.exec('DROP TRIGGER events_append_only_delete')`],
    ];
    for (const [path, text] of samples) expect(retentionViolations(path, text)).not.toEqual([]);
    expect(retentionViolations('libs/x.ts', `db.prepare('DELETE FROM jobs WHERE id = ?')`)).toEqual([]);
    expect(retentionViolations('libs/notifications/x.ts', `cookie: { maxAge: 1000 }`)).toEqual([]);
  });

  it('the SQLite event store refuses DELETE and UPDATE, and restores its guards when a file lost them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dukao-retention-'));
    try {
      const file = join(dir, 'events.sqlite');
      const store = new SqliteEventStore({ filename: file });
      await store.append(
        'target-1',
        [
          {
            id: '6f1c1a0e-3f5c-4d3a-9a57-0d5b1d9e7a01',
            type: 'TargetIssued',
            data: {},
            metadata: { actor: { userId: 'u', role: 'r' }, correlationId: 'c' },
          },
        ],
        { expectedRevision: 'no_stream' },
      );
      await store.close();
      const tampered = new Database(file);
      tampered.exec('DROP TRIGGER events_append_only_update; DROP TRIGGER events_append_only_delete;');
      tampered.close();
      // Opening the store puts the guards back.
      await new SqliteEventStore({ filename: file }).close();
      const db = new Database(file);
      expect(() => db.prepare('DELETE FROM events').run()).toThrow(/append-only/);
      expect(() => db.prepare(`UPDATE events SET type = 'X'`).run()).toThrow(/append-only/);
      expect(db.prepare('SELECT COUNT(*) AS n FROM events').get()).toEqual({ n: 1 });
      db.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
