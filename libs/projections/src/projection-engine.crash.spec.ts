import { spawn } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { SqliteEventStore } from '@dukao/event-store';
import { SqliteReadModelStore } from '@dukao/read-model-store';
import { tallyProjection } from './testing/tally.projection';

const root = resolve(__dirname, '../../..');
const EVENTS = 6000;

/** Runs the projector child until it reports `until` (or more), then SIGKILLs it. */
function runProjector(
  dir: string,
  readModels: string,
  until: (position: number) => boolean,
): Promise<number> {
  const child = spawn(
    process.execPath,
    ['-r', '@swc-node/register', join(__dirname, 'testing/projector.child.ts'), dir, readModels],
    {
      cwd: root,
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let last = 0;
  return new Promise((done, fail) => {
    child.stdout.on('data', (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n').filter(Boolean)) last = Number(line);
      if (until(last) && !child.killed) child.kill('SIGKILL');
    });
    child.on('exit', (_code, signal) =>
      signal === 'SIGKILL' ? done(last) : fail(new Error(`projector exited: ${signal}`)),
    );
  });
}

async function digest(file: string): Promise<string> {
  const views = new SqliteReadModelStore({ filename: file });
  const docs = await views.find('testTallies', {}, { sort: { _id: 1 } });
  await views.close();
  return createHash('sha256').update(JSON.stringify(docs)).digest('hex');
}

describe('projection engine killed mid-batch', () => {
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'dukao-projkill-'));
    const events = new SqliteEventStore({ filename: join(dir, 'events.sqlite'), durability: 'normal' });
    const actor = { userId: 'u', role: 'unitStaff' };
    for (let n = 0; n < EVENTS; n += 100) {
      await events.append(
        `report-${n}`,
        Array.from({ length: 100 }, (_, i) => ({
          id: randomUUID(),
          type: (n + i) % 5 === 0 ? 'TargetIssued' : 'ProgressReported',
          data: { unitId: `u${(n + i) % 23}`, value: (n + i) % 97 },
          metadata: { actor, correlationId: 'c' },
        })),
        { expectedRevision: 'no_stream' },
      );
    }
    await events.close();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('ends with the same documents as a clean rebuild from position 0', async () => {
    const killedAt = await runProjector(dir, 'killed.sqlite', (position) => position >= EVENTS / 3);
    expect(killedAt).toBeLessThan(EVENTS);
    await runProjector(dir, 'killed.sqlite', (position) => position >= EVENTS);
    await runProjector(dir, 'clean.sqlite', (position) => position >= EVENTS);

    const killed = await digest(join(dir, 'killed.sqlite'));
    expect(killed).toBe(await digest(join(dir, 'clean.sqlite')));
    // And both equal the numbers computed straight from the log.
    const views = new SqliteReadModelStore({ filename: join(dir, 'clean.sqlite') });
    const u1 = await views.get(tallyProjection.collections[0]!.name, 'u1');
    await views.close();
    const expected = Array.from({ length: EVENTS }, (_, k) => k).filter((k) => k % 5 !== 0 && k % 23 === 1);
    expect(u1).toMatchObject({
      reports: expected.length,
      total: expected.reduce((sum, k) => sum + (k % 97), 0),
    });
  }, 60_000);
});
