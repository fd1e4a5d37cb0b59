import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type EventStore, type NewEvent, SqliteEventStore } from '@dukao/event-store';
import { type ReadModelDocument, SqliteReadModelStore } from '@dukao/read-model-store';
import { documentProjection, type Projection } from './projection';
import { ProjectionEngine } from './projection-engine';

const quiet = { log: () => undefined, warn: () => undefined, error: () => undefined };

interface UnitTally extends ReadModelDocument {
  reports: number;
  lastValue: number;
}

function tallyProjection(version = 1, overrides: Partial<Projection> = {}): Projection {
  return {
    ...documentProjection<UnitTally>({
      name: 'unitTally',
      version,
      eventTypes: ['ProgressReported'],
      collection: { name: 'unitTallies', indexes: [{ fields: { reports: -1 } }] },
      documentId: (event) => event.data.unitId as string,
      evolve: (doc, event) => ({
        _id: event.data.unitId as string,
        reports: (doc?.reports ?? 0) + 1,
        lastValue: Number(event.data.value) * version,
      }),
    }),
    ...overrides,
  };
}

const report = (unitId: string, value: number): NewEvent => ({
  id: randomUUID(),
  type: 'ProgressReported',
  data: { unitId, value },
  metadata: { actor: { userId: 'u', role: 'unitStaff' }, correlationId: randomUUID() },
});
const other = (): NewEvent => ({
  id: randomUUID(),
  type: 'TargetIssued',
  data: {},
  metadata: { actor: { userId: 'u', role: 'assessmentAdmin' }, correlationId: randomUUID() },
});

describe('ProjectionEngine', () => {
  let dir: string;
  let events: EventStore;
  let views: SqliteReadModelStore;
  const engines: ProjectionEngine[] = [];
  const engine = (
    projections: Projection[],
    options: ConstructorParameters<typeof ProjectionEngine>[3] = {},
  ) => {
    const created = new ProjectionEngine(events, views, projections, {
      logger: quiet,
      batchSize: 7,
      ...options,
    });
    engines.push(created);
    return created;
  };
  const append = async (...batch: NewEvent[]) => {
    let position = 0;
    for (const event of batch)
      position = (await events.append(`report-${randomUUID()}`, [event], { expectedRevision: 'no_stream' }))
        .position;
    return position;
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'dukao-proj-'));
    events = new SqliteEventStore({ filename: join(dir, 'events.sqlite'), pollIntervalMs: 20 });
    views = new SqliteReadModelStore({ filename: join(dir, 'read-models.sqlite') });
  });
  afterEach(async () => {
    for (const e of engines.splice(0)) await e.stop();
    await events.close();
    await views.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('catches up from the start in batches, then follows live appends', async () => {
    for (let n = 0; n < 30; n += 1) await append(report(`u${n % 3}`, n));
    const running = engine([tallyProjection()]);
    await running.start();
    const head = await append(report('u0', 100));
    expect(await running.waitFor('unitTally', head, 5000)).toBe(true);
    expect(await views.get('unitTallies', 'u0')).toMatchObject({
      reports: 11,
      lastValue: 100,
      _position: head,
    });
    expect(await views.find('unitTallies', {}, { sort: { reports: -1 } })).toHaveLength(3);
    const [status] = await running.statuses();
    expect(status).toMatchObject({
      name: 'unitTally',
      state: 'live',
      position: head,
      lag: 0,
      activeGeneration: 1,
    });
  });

  it('moves its checkpoint past events it does not read, so waits on any position end', async () => {
    const running = engine([tallyProjection()]);
    await running.start();
    const position = await append(other(), other());
    expect(await running.waitFor('unitTally', position, 5000)).toBe(true);
    expect((await views.registration('unitTally'))?.checkpoint).toBe(position);
  });

  it('resumes from its checkpoint after a restart without applying anything twice', async () => {
    for (let n = 0; n < 10; n += 1) await append(report('u1', n));
    const first = engine([tallyProjection()]);
    await first.start();
    expect(await first.waitFor('unitTally', 10, 5000)).toBe(true);
    await first.stop();
    const position = await append(report('u1', 10));
    const second = engine([tallyProjection()]);
    await second.start();
    expect(await second.waitFor('unitTally', position, 5000)).toBe(true);
    expect(await views.get('unitTallies', 'u1')).toMatchObject({ reports: 11 });
  });

  it('gives up waiting after the bound', async () => {
    const idle = engine([tallyProjection()]);
    const started = Date.now();
    expect(await idle.waitFor('unitTally', 1, 120)).toBe(false);
    expect(Date.now() - started).toBeGreaterThanOrEqual(100);
  });

  it('rebuilds a bumped version into a new generation while the old one serves, then swaps', async () => {
    for (let n = 0; n < 20; n += 1) await append(report('u1', 1));
    const v1 = engine([tallyProjection(1)]);
    await v1.start();
    await v1.waitFor('unitTally', 20, 5000);
    await v1.stop();
    expect(await views.get('unitTallies', 'u1')).toMatchObject({ lastValue: 1 });

    const v2 = engine([tallyProjection(2)]);
    await v2.start();
    // The new generation is swapped in only once it has reached the head; until then the old one serves.
    expect(await views.get('unitTallies', 'u1')).toMatchObject({ lastValue: 1 });
    expect(await views.registration('unitTally')).toMatchObject({ version: 1, generation: 1 });
    for (let i = 0; i < 100 && (await views.registration('unitTally'))?.version !== 2; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(await views.registration('unitTally')).toMatchObject({
      version: 2,
      generation: 2,
      checkpoint: 20,
    });
    expect(await views.get('unitTallies', 'u1')).toMatchObject({ reports: 20, lastValue: 2 });
  });

  it('rebuilds on request into an identical copy and keeps serving meanwhile', async () => {
    for (let n = 0; n < 25; n += 1) await append(report(`u${n % 4}`, n));
    const running = engine([tallyProjection()]);
    await running.start();
    await running.waitFor('unitTally', 25, 5000);
    const before = await views.find('unitTallies', {}, { sort: { _id: 1 } });
    await running.rebuild('unitTally');
    await expect(running.rebuild('unitTally')).rejects.toMatchObject({ code: 'PROJECTION_BUSY' });
    for (let i = 0; i < 100 && (await views.registration('unitTally'))?.generation !== 2; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(await views.registration('unitTally')).toMatchObject({ generation: 2 });
    expect(await views.find('unitTallies', {}, { sort: { _id: 1 } })).toEqual(before);
    const position = await append(report('u0', 99));
    expect(await running.waitFor('unitTally', position, 5000)).toBe(true);
    expect(await views.get('unitTallies', 'u0')).toMatchObject({ lastValue: 99 });
  });

  it('stops a failing projection at the failing event, keeps what came before, and runs the others', async () => {
    const breaking = tallyProjection(1, { name: 'breaking', collections: [{ name: 'breakingTallies' }] });
    breaking.changes = (event) => {
      if (event.data.value === 13) throw new Error('指标值异常');
      return [
        {
          collection: 'breakingTallies',
          id: event.data.unitId as string,
          evolve: (doc) => ({ _id: event.data.unitId as string, reports: Number(doc?.reports ?? 0) + 1 }),
        },
      ];
    };
    const positions: number[] = [];
    for (let n = 10; n < 16; n += 1) positions.push(await append(report('u1', n)));
    const running = engine([breaking, tallyProjection()]);
    await running.start();
    expect(await running.waitFor('unitTally', positions[5]!, 5000)).toBe(true);
    for (let i = 0; i < 100 && (await running.statuses())[0]?.state !== 'failed'; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const [failed, healthy] = await running.statuses();
    expect(failed).toMatchObject({
      name: 'breaking',
      state: 'failed',
      position: positions[2],
      failure: { position: positions[3], eventType: 'ProgressReported', message: '指标值异常' },
    });
    expect(healthy).toMatchObject({ name: 'unitTally', state: 'live', position: positions[5] });
    expect(await views.get('breakingTallies', 'u1')).toMatchObject({ reports: 3 });
  });

  it('runs each projection in one process only; another takes over when the lease is released', async () => {
    for (let n = 0; n < 5; n += 1) await append(report('u1', n));
    const a = engine([tallyProjection()], { owner: 'worker-a', leaseTtlMs: 300 });
    const b = engine([tallyProjection()], { owner: 'worker-b', leaseTtlMs: 300 });
    await a.start();
    await b.start();
    await a.waitFor('unitTally', 5, 5000);
    expect((await b.statuses())[0]).toMatchObject({ state: 'standby' });
    await a.stop();
    const position = await append(report('u1', 5));
    expect(await b.waitFor('unitTally', position, 5000)).toBe(true);
    expect((await b.statuses())[0]?.state).toBe('live');
    expect(await views.get('unitTallies', 'u1')).toMatchObject({ reports: 6 });
  });
});
