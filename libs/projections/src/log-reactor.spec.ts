import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type EventStore, type NewEvent, SqliteEventStore, type StoredEvent } from '@dukao/event-store';
import { type ReadModelStore, SqliteReadModelStore } from '@dukao/read-model-store';
import { LogReactor, type LogReactorDeps, type LogReactorOptions } from './log-reactor';
import { ProjectionEngine } from './projection-engine';
import { tallyProjection } from './testing/tally.projection';

const quiet = { log: () => undefined, warn: () => undefined, error: () => undefined };

/** Records the positions it handled; `react` may throw or read views. */
class Recorder extends LogReactor {
  readonly handled: number[] = [];
  /** What it logged as errors (skipped events). */
  readonly errors: string[];

  constructor(
    deps: LogReactorDeps,
    options: Partial<LogReactorOptions> = {},
    private readonly onEvent: (event: StoredEvent) => Promise<void> = async () => undefined,
  ) {
    const errors: string[] = [];
    super(deps, {
      name: 'testReactor',
      filter: { eventTypes: ['ProgressReported'] },
      logger: { ...quiet, error: (message: string) => void errors.push(message) },
      // Long enough that a busy test machine does not let a lease lapse by accident.
      leaseTtlMs: 1000,
      retryDelayMs: 1,
      ...options,
    });
    this.errors = errors;
  }

  protected async handle(event: StoredEvent): Promise<void> {
    await this.onEvent(event);
    this.handled.push(event.position);
  }
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
const until = async (condition: () => boolean | Promise<boolean>, timeoutMs = 5000) => {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};

describe('LogReactor', () => {
  let dir: string;
  let events: EventStore;
  let views: ReadModelStore;
  let deps: LogReactorDeps;
  const started: Array<{ stop(): Promise<void> }> = [];
  const reactor = (
    options: Partial<LogReactorOptions> = {},
    onEvent?: (event: StoredEvent) => Promise<void>,
  ) => {
    const created = new Recorder(deps, options, onEvent);
    started.push(created);
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
    dir = mkdtempSync(join(tmpdir(), 'dukao-reactor-'));
    events = new SqliteEventStore({ filename: join(dir, 'events.sqlite'), pollIntervalMs: 20 });
    views = new SqliteReadModelStore({ filename: join(dir, 'read-models.sqlite') });
    deps = { events, views, engine: new ProjectionEngine(events, views, [], { logger: quiet }) };
  });
  afterEach(async () => {
    for (const s of started.splice(0)) await s.stop();
    await events.close();
    await views.close();
    rmSync(dir, { recursive: true, force: true });
  });

  describe('when it holds the lease', () => {
    it('handles each event of its filter once, in log order, and checkpoints after each', async () => {
      const first = await append(report('u1', 1), other(), report('u2', 2));
      const running = reactor();
      await running.start();
      const last = await append(other(), report('u1', 3));
      expect(await running.waitFor(last, 5000)).toBe(true);
      expect(running.handled).toEqual([1, first, last]);
      expect(running.active).toBe(true);
      expect(await (await views.generation('testReactor', 1, [])).checkpoint()).toBe(last);
    });

    it('resumes from its checkpoint after a restart without handling anything twice', async () => {
      await append(report('u1', 1), report('u1', 2));
      const before = reactor();
      await before.start();
      expect(await before.waitFor(2, 5000)).toBe(true);
      await before.stop();
      const position = await append(report('u1', 3));
      const after = reactor();
      await after.start();
      expect(await after.waitFor(position, 5000)).toBe(true);
      expect(before.handled).toEqual([1, 2]);
      expect(after.handled).toEqual([position]);
    });

    it('retries a failing event, then logs and skips it after the last attempt, and goes on', async () => {
      const attempts = new Map<number, number>();
      const running = reactor({ maxAttempts: 3 }, async (event) => {
        attempts.set(event.position, (attempts.get(event.position) ?? 0) + 1);
        if (event.data.value === 13) throw new Error('指标值异常');
        // A transient failure: the second attempt succeeds.
        if (event.data.value === 7 && attempts.get(event.position) === 1) throw new Error('busy');
      });
      const position = await append(report('u1', 7), report('u1', 13), report('u1', 14));
      await running.start();
      expect(await running.waitFor(position, 5000)).toBe(true);
      expect(running.handled).toEqual([1, 3]);
      expect([...attempts]).toEqual([
        [1, 2],
        [2, 3],
        [3, 1],
      ]);
      expect(running.errors).toEqual([
        expect.stringMatching(/at 2 \(ProgressReported\) skipped after 3 attempts: .*指标值异常/),
      ]);
    });

    it('leaves an event it was retrying when stopped, so the next run handles it', async () => {
      let failing = true;
      const flaky = async () => {
        if (failing) throw new Error('busy');
      };
      await append(report('u1', 1));
      const first = reactor({ retryDelayMs: 50, maxAttempts: 100 }, flaky);
      await first.start();
      await new Promise((resolve) => setTimeout(resolve, 150));
      await first.stop();
      expect(first.handled).toEqual([]);
      failing = false;
      const second = reactor({}, flaky);
      await second.start();
      expect(await second.waitFor(1, 5000)).toBe(true);
      expect(second.handled).toEqual([1]);
    });

    it('handles an event only once the views it reads have applied it', async () => {
      const engine = new ProjectionEngine(events, views, [tallyProjection], { logger: quiet });
      started.push(engine);
      deps = { ...deps, engine };
      const seen: boolean[] = [];
      const running = reactor({ waitForViews: ['testTallies'] }, async (event) => {
        seen.push(
          Number((await views.get('testTallies', event.data.unitId as string))?.lastPosition) >=
            event.position,
        );
      });
      await running.start();
      const position = await append(report('u1', 1), report('u1', 2));
      // The projection starts late: the reactor waits rather than read a view that lags.
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(running.handled).toEqual([]);
      await engine.start();
      expect(await running.waitFor(position, 5000)).toBe(true);
      expect(seen).toEqual([true, true]);
    });
  });

  describe('when several processes run it', () => {
    it('reacts in the lease holder only; another takes over from the checkpoint when it stops', async () => {
      const a = reactor({ owner: 'worker-a' });
      const b = reactor({ owner: 'worker-b' });
      await a.start();
      await b.start();
      const position = await append(report('u1', 1), report('u1', 2));
      expect(await a.waitFor(position, 5000)).toBe(true);
      // The one standing by sees the holder's progress through the stored checkpoint.
      expect(await b.waitFor(position, 5000)).toBe(true);
      expect(b.active).toBe(false);
      expect(b.handled).toEqual([]);

      await a.stop();
      const next = await append(report('u1', 3));
      expect(await b.waitFor(next, 5000)).toBe(true);
      expect(b.active).toBe(true);
      expect(a.handled).toEqual([1, 2]);
      expect(b.handled).toEqual([next]);
    });

    it('takes over when the holder stops renewing, and the old holder stands by once it sees that', async () => {
      let cut = false;
      const unreachable = new Proxy(views, {
        get: (target, key, receiver) =>
          key === 'acquireLease' && cut
            ? () => Promise.reject(new Error('store unreachable'))
            : (Reflect.get(target, key, receiver) as unknown),
      });
      const a = new Recorder({ ...deps, views: unreachable }, { owner: 'worker-a', leaseTtlMs: 300 });
      started.push(a);
      const b = reactor({ owner: 'worker-b', leaseTtlMs: 300 });
      await a.start();
      await b.start();
      expect(a.active).toBe(true);
      cut = true;
      await until(() => b.active);
      cut = false;
      await until(() => !a.active);
      const position = await append(report('u1', 1));
      expect(await b.waitFor(position, 5000)).toBe(true);
      expect(b.handled).toEqual([position]);
      expect(a.handled).toEqual([]);
    });
  });

  describe('waitFor and settle', () => {
    it('waitFor gives up after the bound', async () => {
      const running = reactor();
      await running.start();
      const started = Date.now();
      expect(await running.waitFor(1, 120)).toBe(false);
      expect(Date.now() - started).toBeGreaterThanOrEqual(100);
    });

    it('settle resolves at once on an empty log or when nothing of its filter is pending', async () => {
      const running = reactor();
      await running.start();
      expect(await running.settle(100)).toBe(true);
      await append(other(), other());
      expect(await running.settle(100)).toBe(true);
    });

    it('settle waits for every event of its filter in the log now, and only those', async () => {
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      const running = reactor({}, async (event) => {
        if (event.data.value === 2) await gate;
      });
      await running.start();
      await append(report('u1', 1), report('u1', 2), other());
      expect(await running.settle(150)).toBe(false);
      release();
      expect(await running.settle(5000)).toBe(true);
      expect(running.handled).toEqual([1, 2]);
    });
  });
});
