import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { verifyChain } from './hash-chain';
import { SqliteEventStore } from './sqlite.event-store';

const root = resolve(__dirname, '../../..');

describe('SqliteEventStore after SIGKILL mid-append', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'dukao-crash-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps every acknowledged event, gap-free, with intact chains, and verify-log passes', async () => {
    const file = join(dir, 'events.sqlite');
    const child = spawn(
      process.execPath,
      ['-r', '@swc-node/register', join(__dirname, 'testing/crash-appender.child.ts'), file],
      {
        cwd: root,
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    const acknowledged: string[] = [];
    let partial = '';
    await new Promise<void>((done, fail) => {
      child.stdout.on('data', (chunk: Buffer) => {
        const lines = (partial + chunk.toString()).split('\n');
        partial = lines.pop()!;
        acknowledged.push(...lines);
        // Kill while the loops are busy appending, well after start-up.
        if (acknowledged.length >= 1500 && !child.killed) child.kill('SIGKILL');
      });
      child.on('exit', (_code, signal) =>
        signal === 'SIGKILL' ? done() : fail(new Error(`child exited ${signal}`)),
      );
    });

    const store = new SqliteEventStore({ filename: file });
    const log = await store.readAll({ upcast: false });
    await store.close();
    const ids = new Set(log.map((event) => event.id));
    expect(acknowledged.filter((id) => !ids.has(id))).toEqual([]);
    expect(log.length).toBeGreaterThanOrEqual(acknowledged.length);
    expect(await verifyChain(log, { gapFreePositions: true })).toMatchObject({
      ok: true,
      events: log.length,
    });

    const verify = spawnSync(
      process.execPath,
      ['-r', '@swc-node/register', 'apps/api/src/cli/verify-log.ts'],
      {
        cwd: root,
        env: { ...process.env, DATA_DIR: dir, EVENT_STORE_URL: '' },
        encoding: 'utf8',
      },
    );
    expect(verify.stdout).toContain(`OK: ${log.length} events`);
    expect(verify.status).toBe(0);
  }, 60_000);
});
