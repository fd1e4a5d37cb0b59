import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { SqliteEventStore } from '@dukao/event-store';
import {
  RankingsHarness,
  TOWNS_TREE,
  targetDefinition,
} from '../libs/scoring/src/rankings/testing/rankings-harness';

const root = resolve(__dirname, '..');
const run = (script: string, env: Record<string, string>, args: string[] = []) =>
  spawnSync(process.execPath, ['-r', '@swc-node/register', script, ...args], {
    cwd: root,
    env: { ...process.env, EVENT_STORE_URL: '', ...env },
    encoding: 'utf8',
    timeout: 30_000,
  });

describe('command line', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'dukao-cli-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it.each(['apps/api/src/main.ts', 'apps/worker/src/main.ts', 'apps/api/src/cli/verify-log.ts'])(
    '%s fails fast on an unknown EVENT_STORE_URL with a clear message and no stack trace',
    (script) => {
      const result = run(script, { DATA_DIR: dir, EVENT_STORE_URL: 'postgres://db/dukao' });
      expect(result.status).toBe(78);
      expect(result.stderr).toContain('EVENT_STORE_URL must be sqlite:<file> or kurrentdb://');
      expect(result.stderr).not.toMatch(/\n\s+at /);
    },
  );

  it('verify-log reads DATA_DIR, says OK for an intact log and names the first broken event', async () => {
    const file = join(dir, 'events.sqlite');
    const store = new SqliteEventStore({ filename: file });
    const actor = { userId: 'u-1', role: 'unitStaff' };
    for (let n = 0; n < 4; n += 1) {
      await store.append(
        'report-a',
        [
          {
            id: randomUUID(),
            type: 'ProgressReported',
            data: { n },
            metadata: { actor, correlationId: 'c' },
          },
        ],
        { expectedRevision: 'any' },
      );
    }
    await store.close();

    const ok = run('apps/api/src/cli/verify-log.ts', { DATA_DIR: dir });
    expect(ok.stdout).toContain('OK: 4 events in 1 streams');
    expect(ok.status).toBe(0);

    const raw = new Database(file);
    raw.exec('DROP TRIGGER events_append_only_update');
    raw
      .prepare(
        `UPDATE events SET metadata = json_set(metadata, '$.actor.userId', 'someone-else') WHERE position = 3`,
      )
      .run();
    raw.close();
    const broken = run('apps/api/src/cli/verify-log.ts', { DATA_DIR: dir });
    expect(broken.stdout).toMatch(/BROKEN: stream report-a revision 2 position 3 .*hash-mismatch/);
    expect(broken.status).toBe(1);
  });

  it('projections:rebuild rankings rebuilds the monthly rankings view into a new generation, same documents', async () => {
    const h = await RankingsHarness.open(dir);
    h.now = new Date().toISOString();
    const yearStart = '2025-12-31T16:00:00.000Z';
    await h.unit('town-a', 'towns');
    await h.unit('town-b', 'towns');
    await h.cycle('2026', 2026);
    await h.scheme('2026', 1, yearStart);
    await h.tree('2026', 'towns', TOWNS_TREE, 1000, yearStart);
    await h.target('gdp-a', targetDefinition({ unitId: 'town-a', indicatorId: 'gdp-growth' }));
    await h.report('gdp-a', 'a-q1', '2026-Q1', 2);
    const reactor = h.reactor();
    await reactor.start();
    expect(await reactor.settle()).toBe(true);
    const before = await h.documents();
    expect(before.monthlyRankings!.length).toBeGreaterThan(0);
    await h.close();

    const rebuilt = run(
      'apps/api/src/cli/rebuild-projection.ts',
      { DATA_DIR: dir, MISSED_PERIOD_CHECK_MINUTES: '0' },
      ['rankings'],
    );
    expect(rebuilt.stderr).toContain('rankings: generation 2 caught up and now serves');
    expect(rebuilt.stdout).toMatch(/^rebuilt rankings into generation 2 up to position \d+ in [\d.]+ s\n$/);
    expect(rebuilt.status).toBe(0);
    const after = await RankingsHarness.open(dir);
    try {
      expect(await after.documents()).toEqual(before);
    } finally {
      await after.close();
    }
  });
});
