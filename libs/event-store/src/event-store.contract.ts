import { randomUUID } from 'node:crypto';
import {
  DuplicateEventIdError,
  type EventStore,
  type NewEvent,
  type StoredEvent,
  WrongExpectedRevisionError,
} from './event-store.port';
import { GENESIS_HASH, verifyChain } from './hash-chain';
import type { Upcaster } from './upcasting';

export interface EventStoreFactoryOptions {
  upcasters?: readonly Upcaster[];
}

/**
 * Opens a store on the test's backend; every store opened within one test must see the same log.
 * Backends may be shared between tests (KurrentDB): every test writes only to streams under its own
 * random prefix and filters the log by it.
 */
export type EventStoreFactory = (options?: EventStoreFactoryOptions) => Promise<EventStore>;

const actor = { userId: 'u-contract', role: 'assessmentAdmin', unitId: null };

export function newEvent(
  type: string,
  data: NewEvent['data'] = {},
  overrides: Partial<NewEvent> = {},
): NewEvent {
  return {
    id: randomUUID(),
    type,
    data,
    metadata: { actor, correlationId: randomUUID(), occurredAt: '2026-06-30T16:00:00.000Z' },
    ...overrides,
  };
}

async function collect(
  iterable: AsyncIterable<StoredEvent>,
  count: number,
  timeoutMs = 10_000,
): Promise<StoredEvent[]> {
  const seen: StoredEvent[] = [];
  const timeout = new Promise<never>((_, reject) =>
    setTimeout(
      () => reject(new Error(`subscription gave ${seen.length} of ${count} events`)),
      timeoutMs,
    ).unref(),
  );
  const reading = (async () => {
    for await (const event of iterable) {
      seen.push(event);
      if (seen.length === count) break;
    }
    return seen;
  })();
  return Promise.race([reading, timeout]);
}

/** The behaviour every EventStore adapter must show. Called by each adapter's spec. */
export function describeEventStoreContract(name: string, factory: EventStoreFactory): void {
  describe(`EventStore contract: ${name}`, () => {
    let store: EventStore;
    let ns: string;
    const stores: EventStore[] = [];
    const open = async (options?: EventStoreFactoryOptions) => {
      const created = await factory(options);
      stores.push(created);
      return created;
    };
    const stream = (category = 'target') => `${ns}${category}-${randomUUID()}`;
    const mine = () => ({ streamPrefixes: [ns] });

    beforeEach(async () => {
      ns = `c${randomUUID().replace(/-/g, '').slice(0, 12)}`;
      store = await open();
    });
    afterEach(async () => {
      await Promise.all(stores.splice(0).map((s) => s.close()));
    });

    describe('append and read back', () => {
      it('stores the envelope with server-set recordedAt and a hash chain from genesis', async () => {
        const id = stream();
        const before = Date.now();
        const first = newEvent('TargetIssued', { value: 8, unit: '%' });
        const second = newEvent('ProgressReported', { cumulative: 3.2 }, { schemaVersion: 2 });
        const result = await store.append(id, [first, second], { expectedRevision: 'no_stream' });
        expect(result.nextRevision).toBe(1);

        const events = await store.readStream(id);
        expect(events.map((e) => [e.id, e.type, e.revision, e.schemaVersion])).toEqual([
          [first.id, 'TargetIssued', 0, 1],
          [second.id, 'ProgressReported', 1, 2],
        ]);
        expect(events[1]!.position).toBe(result.position);
        expect(events[0]!.position).toBeLessThan(events[1]!.position);
        expect(events[0]!.data).toEqual({ value: 8, unit: '%' });
        const meta = events[0]!.metadata;
        expect(meta.actor).toEqual(actor);
        expect(meta.correlationId).toBe(first.metadata.correlationId);
        expect(meta.occurredAt).toBe('2026-06-30T16:00:00.000Z');
        expect(Date.parse(meta.recordedAt)).toBeGreaterThanOrEqual(before - 1000);
        expect(meta.prevHash).toBe(GENESIS_HASH);
        expect(meta.hash).toMatch(/^[0-9a-f]{64}$/);
        expect(events[1]!.metadata.prevHash).toBe(meta.hash);
      });

      it('reads a stream forwards, backwards, by range and with a limit', async () => {
        const id = stream();
        await store.append(
          id,
          [0, 1, 2, 3, 4].map((n) => newEvent('Counted', { n })),
          { expectedRevision: 'any' },
        );
        const ns = (events: StoredEvent[]) => events.map((e) => e.data.n);
        expect(ns(await store.readStream(id))).toEqual([0, 1, 2, 3, 4]);
        expect(ns(await store.readStream(id, { direction: 'backwards' }))).toEqual([4, 3, 2, 1, 0]);
        expect(ns(await store.readStream(id, { from: 1, to: 3 }))).toEqual([1, 2, 3]);
        expect(ns(await store.readStream(id, { from: 3, direction: 'backwards', limit: 2 }))).toEqual([3, 2]);
        expect(ns(await store.readStream(id, { from: 2, limit: 2 }))).toEqual([2, 3]);
      });

      it('reads an absent stream as empty and reports no revision for it', async () => {
        const id = stream();
        expect(await store.readStream(id)).toEqual([]);
        expect(await store.streamRevision(id)).toBeNull();
        await store.append(id, [newEvent('A'), newEvent('B')], { expectedRevision: 'no_stream' });
        expect(await store.streamRevision(id)).toBe(1);
      });

      it('refuses malformed appends and writes nothing', async () => {
        const id = stream();
        await expect(store.append(id, [], { expectedRevision: 'any' })).rejects.toThrow(/at least one event/);
        await expect(
          store.append(id, [newEvent('A', {}, { id: 'not-a-uuid' })], { expectedRevision: 'any' }),
        ).rejects.toThrow(/UUID/);
        await expect(
          store.append('bad stream id!', [newEvent('A')], { expectedRevision: 'any' }),
        ).rejects.toThrow(/stream id/);
        const twice = newEvent('A');
        await expect(store.append(id, [twice, twice], { expectedRevision: 'any' })).rejects.toThrow(/twice/);
        expect(await store.readStream(id)).toEqual([]);
      });
    });

    describe('optimistic concurrency', () => {
      it('rejects a wrong expected revision and writes nothing', async () => {
        const id = stream();
        await store.append(id, [newEvent('A')], { expectedRevision: 'no_stream' });
        await expect(store.append(id, [newEvent('B')], { expectedRevision: 5 })).rejects.toBeInstanceOf(
          WrongExpectedRevisionError,
        );
        await expect(
          store.append(id, [newEvent('B')], { expectedRevision: 'no_stream' }),
        ).rejects.toMatchObject({
          code: 'WRONG_EXPECTED_REVISION',
          actual: 0,
        });
        await expect(
          store.append(stream(), [newEvent('B')], { expectedRevision: 'stream_exists' }),
        ).rejects.toMatchObject({
          actual: null,
        });
        expect((await store.readStream(id)).map((e) => e.type)).toEqual(['A']);
      });

      it('appends at the exact revision, with stream_exists and with any', async () => {
        const id = stream();
        await store.append(id, [newEvent('A')], { expectedRevision: 'no_stream' });
        expect((await store.append(id, [newEvent('B')], { expectedRevision: 0 })).nextRevision).toBe(1);
        expect(
          (await store.append(id, [newEvent('C')], { expectedRevision: 'stream_exists' })).nextRevision,
        ).toBe(2);
        expect((await store.append(id, [newEvent('D')], { expectedRevision: 'any' })).nextRevision).toBe(3);
        const fresh = stream();
        expect((await store.append(fresh, [newEvent('A')], { expectedRevision: 'any' })).nextRevision).toBe(
          0,
        );
      });

      it('lets exactly one of several racing appends at the same revision win', async () => {
        const id = stream();
        await store.append(id, [newEvent('A')], { expectedRevision: 'no_stream' });
        const results = await Promise.allSettled(
          Array.from({ length: 8 }, (_, n) =>
            store.append(id, [newEvent('B', { n })], { expectedRevision: 0 }),
          ),
        );
        expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
        for (const r of results) {
          if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(WrongExpectedRevisionError);
        }
        expect(await store.readStream(id)).toHaveLength(2);
      });
    });

    describe('idempotency', () => {
      it('returns the original result for the same event ids and writes nothing', async () => {
        const id = stream();
        const events = [newEvent('A'), newEvent('B')];
        const first = await store.append(id, events, { expectedRevision: 'no_stream' });
        await store.append(id, [newEvent('C')], { expectedRevision: 1 });
        const again = await store.append(id, events, { expectedRevision: 'no_stream' });
        expect(again).toEqual(first);
        const concurrent = await Promise.all(
          [1, 2, 3].map(() => store.append(id, events, { expectedRevision: 'any' })),
        );
        expect(concurrent).toEqual([first, first, first]);
        expect((await store.readStream(id)).map((e) => e.type)).toEqual(['A', 'B', 'C']);
      });

      it('refuses a known event id used for another stream', async () => {
        const event = newEvent('A');
        await store.append(stream(), [event], { expectedRevision: 'any' });
        const other = stream();
        await expect(store.append(other, [event], { expectedRevision: 'any' })).rejects.toBeInstanceOf(
          DuplicateEventIdError,
        );
        expect(await store.readStream(other)).toEqual([]);
      });
    });

    describe('the whole log', () => {
      it('keeps 1,000 concurrent appends to 50 streams: nothing lost or doubled, ordered, chained', async () => {
        const streams = Array.from({ length: 50 }, () => stream('report'));
        const appends = Array.from({ length: 1000 }, (_, n) =>
          store.append(streams[n % 50]!, [newEvent('ProgressReported', { n })], { expectedRevision: 'any' }),
        );
        const results = await Promise.all(appends);
        expect(new Set(results.map((r) => r.position)).size).toBe(1000);

        const log = await store.readAll({ filter: mine(), upcast: false });
        expect(log).toHaveLength(1000);
        expect(new Set(log.map((e) => e.data.n)).size).toBe(1000);
        for (let i = 1; i < log.length; i += 1) {
          expect(log[i]!.position).toBeGreaterThan(log[i - 1]!.position);
          if (store.positionsAreGapFree) expect(log[i]!.position).toBe(log[i - 1]!.position + 1);
        }
        for (const id of streams) {
          const events = await store.readStream(id);
          expect(events.map((e) => e.revision)).toEqual(Array.from({ length: 20 }, (_, i) => i));
          // Per stream, the log order is the order in which the appends were made.
          const ns = events.map((e) => e.data.n as number);
          expect([...ns].sort((a, b) => a - b)).toEqual(ns);
        }
        const verified = await verifyChain(log, { gapFreePositions: false });
        expect(verified).toMatchObject({ ok: true, events: 1000, streams: 50 });
      });

      it('reads after a position, with a limit and with stream-prefix and event-type filters', async () => {
        const target = stream('target');
        const report = stream('report');
        await store.append(target, [newEvent('TargetIssued'), newEvent('TargetAdjusted')], {
          expectedRevision: 'any',
        });
        await store.append(report, [newEvent('ProgressReported')], { expectedRevision: 'any' });
        await store.append(target, [newEvent('TargetWithdrawn')], { expectedRevision: 'any' });

        const all = await store.readAll({ filter: mine() });
        expect(all.map((e) => e.type)).toEqual([
          'TargetIssued',
          'TargetAdjusted',
          'ProgressReported',
          'TargetWithdrawn',
        ]);
        const rest = await store.readAll({ filter: mine(), after: all[1]!.position });
        expect(rest.map((e) => e.type)).toEqual(['ProgressReported', 'TargetWithdrawn']);
        expect((await store.readAll({ filter: mine(), limit: 2 })).map((e) => e.type)).toEqual([
          'TargetIssued',
          'TargetAdjusted',
        ]);
        const reports = await store.readAll({ filter: { streamPrefixes: [`${ns}report-`] } });
        expect(reports.map((e) => e.streamId)).toEqual([report]);
        const byType = await store.readAll({
          filter: { streamPrefixes: [ns], eventTypes: ['TargetIssued', 'TargetWithdrawn'] },
        });
        expect(byType.map((e) => e.type)).toEqual(['TargetIssued', 'TargetWithdrawn']);
        expect(await store.headPosition()).toBeGreaterThanOrEqual(all[3]!.position);
      });
    });

    describe('catch-up subscription', () => {
      it('delivers from the start, then live events, in order', async () => {
        const id = stream();
        await store.append(
          id,
          [0, 1, 2].map((n) => newEvent('Counted', { n })),
          { expectedRevision: 'any' },
        );
        const subscription = store.subscribe({ filter: mine(), batchSize: 2 });
        const reading = collect(subscription, 6);
        await new Promise((resolve) => setTimeout(resolve, 50));
        for (const n of [3, 4, 5])
          await store.append(id, [newEvent('Counted', { n })], { expectedRevision: 'any' });
        const seen = await reading;
        await subscription.close();
        expect(seen.map((e) => e.data.n)).toEqual([0, 1, 2, 3, 4, 5]);
      });

      it('starts after a mid position and includes events appended while catching up', async () => {
        const id = stream();
        const first = await store.append(
          id,
          [0, 1, 2, 3, 4].map((n) => newEvent('Counted', { n })),
          {
            expectedRevision: 'any',
          },
        );
        const middle = (await store.readStream(id))[2]!.position;
        const subscription = store.subscribe({ after: middle, filter: mine(), batchSize: 1 });
        // Appended before the subscription has read anything: it must still see them, in order.
        const late = Promise.all(
          [5, 6, 7, 8, 9].map((n) =>
            store.append(id, [newEvent('Counted', { n })], { expectedRevision: 'any' }),
          ),
        );
        const seen = await collect(subscription, 7);
        await late;
        await subscription.close();
        expect(first.nextRevision).toBe(4);
        expect(seen.map((e) => e.data.n)).toEqual([3, 4, 5, 6, 7, 8, 9]);
        for (let i = 1; i < seen.length; i += 1)
          expect(seen[i]!.position).toBeGreaterThan(seen[i - 1]!.position);
      });

      it('filters by event type without losing its place', async () => {
        const id = stream();
        const subscription = store.subscribe({
          filter: { streamPrefixes: [ns], eventTypes: ['Wanted'] },
          batchSize: 3,
        });
        const reading = collect(subscription, 3);
        for (let n = 0; n < 12; n += 1) {
          await store.append(id, [newEvent(n % 4 === 0 ? 'Wanted' : 'Other', { n })], {
            expectedRevision: 'any',
          });
        }
        const seen = await reading;
        await subscription.close();
        expect(seen.map((e) => e.data.n)).toEqual([0, 4, 8]);
      });
    });

    describe('upcasting on the read path', () => {
      it('shows readers the current shape and keeps the stored form for the verifier', async () => {
        const id = stream();
        await store.append(id, [newEvent('ReportFiled', { value: '3.2' }, { schemaVersion: 1 })], {
          expectedRevision: 'no_stream',
        });
        const upcasting = await open({
          upcasters: [
            {
              type: 'ReportFiled',
              fromVersion: 1,
              upcast: (event) => ({
                ...event,
                schemaVersion: 2,
                data: { cumulative: Number(event.data.value), unitOfMeasure: null },
              }),
            },
          ],
        });
        const [read] = await upcasting.readStream(id);
        expect(read).toMatchObject({ schemaVersion: 2, data: { cumulative: 3.2, unitOfMeasure: null } });
        const [viaLog] = await upcasting.readAll({ filter: mine() });
        expect(viaLog).toMatchObject({ schemaVersion: 2 });
        const [raw] = await upcasting.readAll({ filter: mine(), upcast: false });
        expect(raw).toMatchObject({ schemaVersion: 1, data: { value: '3.2' } });
        expect(await verifyChain([raw!], { gapFreePositions: false })).toMatchObject({ ok: true });
      });
    });
  });
}
