import { randomUUID } from 'node:crypto';
import type { CollectionSpec, ReadModelDocument, ReadModelStore } from './read-model-store.port';

/**
 * Opens a store on the test's backend; stores opened within one test share it. Backends may be
 * shared between tests (MongoDB): each test uses its own random projection and collection names.
 */
export type ReadModelStoreFactory = () => Promise<ReadModelStore>;

interface TargetRow extends ReadModelDocument {
  unitId: string;
  category: string;
  completion: number;
  level: string | null;
  dueAt?: string;
  tags?: string[];
  owner?: { name: string };
}

const rows: TargetRow[] = [
  {
    _id: 't1',
    unitId: 'town-a',
    category: 'towns',
    completion: 40,
    level: 'bell',
    dueAt: '2026-07-10',
    tags: ['gdp'],
  },
  {
    _id: 't2',
    unitId: 'town-a',
    category: 'towns',
    completion: 75.5,
    level: null,
    dueAt: '2026-07-01',
    tags: ['tax', 'gdp'],
  },
  { _id: 't3', unitId: 'town-b', category: 'towns', completion: 12, level: 'red', owner: { name: '张三' } },
  {
    _id: 't4',
    unitId: 'dept-x',
    category: 'departments',
    completion: 100,
    level: 'none',
    dueAt: '2026-12-31',
  },
  {
    _id: 't5',
    unitId: 'dept-y',
    category: 'departments',
    completion: 55,
    level: 'yellow',
    dueAt: '2026-08-15',
  },
];

export function describeReadModelStoreContract(name: string, factory: ReadModelStoreFactory): void {
  describe(`ReadModelStore contract: ${name}`, () => {
    let store: ReadModelStore;
    let projection: string;
    let coll: string;
    const opened: ReadModelStore[] = [];
    const open = async () => {
      const created = await factory();
      opened.push(created);
      return created;
    };
    const specs = (): CollectionSpec[] => [
      {
        name: coll,
        indexes: [{ fields: { category: 1, completion: -1 } }, { fields: { unitId: 1 } }],
      },
    ];
    const seed = async () => {
      const writer = await store.generation(projection, 1, specs());
      await writer.commit(
        rows.map((document) => ({ type: 'put', collection: coll, document })),
        10,
      );
      await store.activate(projection, 1, 1);
      return writer;
    };
    const ids = (docs: ReadModelDocument[]) => docs.map((d) => d._id);

    beforeEach(async () => {
      const suffix = randomUUID().replace(/-/g, '').slice(0, 10);
      projection = `p${suffix}`;
      coll = `targets${suffix}`;
      store = await open();
    });
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((s) => s.close()));
    });

    describe('documents', () => {
      it('gets by id, null when absent', async () => {
        await seed();
        expect(await store.get(coll, 't3')).toEqual(rows[2]);
        expect(await store.get(coll, 'nope')).toBeNull();
      });

      it('replaces on put and removes on delete', async () => {
        const writer = await seed();
        await writer.commit(
          [
            {
              type: 'put',
              collection: coll,
              document: { _id: 't1', unitId: 'town-a', category: 'towns', completion: 50, level: null },
            },
            { type: 'delete', collection: coll, id: 't2' },
          ],
          11,
        );
        expect(await store.get(coll, 't1')).toEqual({
          _id: 't1',
          unitId: 'town-a',
          category: 'towns',
          completion: 50,
          level: null,
        });
        expect(await store.get(coll, 't2')).toBeNull();
        expect(await writer.checkpoint()).toBe(11);
      });

      it('refuses queries on a collection no projection owns', async () => {
        await expect(store.find(`unknown${coll}`)).rejects.toMatchObject({ code: 'UNKNOWN_COLLECTION' });
      });
    });

    describe('find', () => {
      beforeEach(seed);

      it('filters by equality, range, $in, $nin, $ne, $exists and nested paths', async () => {
        expect(ids(await store.find(coll, { unitId: 'town-a' }, { sort: { _id: 1 } }))).toEqual(['t1', 't2']);
        expect(
          ids(await store.find(coll, { completion: { $gte: 55, $lt: 100 } }, { sort: { _id: 1 } })),
        ).toEqual(['t2', 't5']);
        expect(
          ids(await store.find(coll, { level: { $in: ['red', 'yellow'] } }, { sort: { _id: 1 } })),
        ).toEqual(['t3', 't5']);
        expect(
          ids(await store.find(coll, { level: { $nin: ['red', 'yellow', null] } }, { sort: { _id: 1 } })),
        ).toEqual(['t1', 't4']);
        expect(ids(await store.find(coll, { level: { $ne: 'bell' } }, { sort: { _id: 1 } }))).toEqual([
          't2',
          't3',
          't4',
          't5',
        ]);
        expect(ids(await store.find(coll, { level: null }))).toEqual(['t2']);
        expect(ids(await store.find(coll, { dueAt: { $exists: false } }))).toEqual(['t3']);
        expect(ids(await store.find(coll, { 'owner.name': '张三' }))).toEqual(['t3']);
        expect(ids(await store.find(coll, { dueAt: { $lt: '2026-07-05' } }))).toEqual(['t2']);
        expect(ids(await store.find(coll, { _id: { $in: ['t4', 't1'] } }, { sort: { _id: 1 } }))).toEqual([
          't1',
          't4',
        ]);
      });

      it('combines $and and $or, and evaluates operators SQL lacks the same way', async () => {
        const either = { $or: [{ category: 'departments', completion: { $gt: 60 } }, { level: 'red' }] };
        expect(ids(await store.find(coll, either, { sort: { _id: 1 } }))).toEqual(['t3', 't4']);
        const both = { $and: [{ category: 'towns' }, { completion: { $lt: 50 } }] };
        expect(ids(await store.find(coll, both, { sort: { _id: 1 } }))).toEqual(['t1', 't3']);
        expect(
          ids(await store.find(coll, { tags: { $elemMatch: { $eq: 'gdp' } } }, { sort: { _id: 1 } })),
        ).toEqual(['t1', 't2']);
        expect(ids(await store.find(coll, { tags: { $all: ['tax', 'gdp'] } }))).toEqual(['t2']);
        const mixed = { $or: [{ tags: { $elemMatch: { $eq: 'tax' } } }, { unitId: 'dept-y' }] };
        expect(ids(await store.find(coll, mixed, { sort: { completion: -1 }, limit: 1 }))).toEqual(['t2']);
        expect(await store.count(coll, mixed)).toBe(2);
      });

      it('sorts (ties broken by _id), skips, limits and counts', async () => {
        expect(ids(await store.find(coll, {}, { sort: { category: 1, completion: -1 } }))).toEqual([
          't4',
          't5',
          't2',
          't1',
          't3',
        ]);
        expect(ids(await store.find(coll, {}, { sort: { completion: -1 }, skip: 1, limit: 2 }))).toEqual([
          't2',
          't5',
        ]);
        expect(ids(await store.find(coll, { category: 'towns' }, { sort: { unitId: 1 } }))).toEqual([
          't1',
          't2',
          't3',
        ]);
        expect(await store.count(coll)).toBe(5);
        expect(await store.count(coll, { category: 'towns' })).toBe(3);
        expect(await store.count(coll, { completion: { $gt: 1000 } })).toBe(0);
      });
    });

    describe('commits and checkpoints', () => {
      it('keeps the checkpoint with the writes and finds it again after reopening', async () => {
        const writer = await seed();
        expect(await writer.checkpoint()).toBe(10);
        const reopened = await open();
        const again = await reopened.generation(projection, 1, specs());
        expect(await again.checkpoint()).toBe(10);
        expect(await again.get(coll, 't4')).toMatchObject({ completion: 100 });
      });

      it('applies nothing of a commit that fails, checkpoint included', async () => {
        const writer = await store.generation(projection, 1, [
          { name: coll, indexes: [{ fields: { unitId: 1 }, unique: true }] },
        ]);
        await writer.commit([{ type: 'put', collection: coll, document: { _id: 'a', unitId: 'u1' } }], 5);
        await expect(
          writer.commit(
            [
              { type: 'put', collection: coll, document: { _id: 'b', unitId: 'u2' } },
              { type: 'put', collection: coll, document: { _id: 'c', unitId: 'u1' } },
            ],
            6,
          ),
          // Not toThrow(): the SQLite driver's error class may come from another jest realm.
        ).rejects.toHaveProperty('message', expect.stringMatching(/UNIQUE|duplicate key|E11000/i));
        expect(await writer.get(coll, 'b')).toBeNull();
        expect(await writer.checkpoint()).toBe(5);
      });

      it('reads a generation by id in bulk', async () => {
        const writer = await seed();
        const found = await writer.getMany<TargetRow>(coll, ['t1', 't4', 'zz', 't1']);
        expect([...found.keys()].sort()).toEqual(['t1', 't4']);
      });
    });

    describe('generations', () => {
      it('serves the active generation while another is built, then swaps and drops the old one', async () => {
        await seed();
        const next = await store.generation(projection, 2, specs());
        await next.commit(
          [
            {
              type: 'put',
              collection: coll,
              document: { _id: 'n1', unitId: 'town-z', category: 'towns', completion: 1, level: null },
            },
          ],
          3,
        );
        expect(await store.count(coll)).toBe(5);
        expect(await store.registration(projection)).toMatchObject({
          generation: 1,
          version: 1,
          collections: [coll],
          checkpoint: 10,
        });

        await store.activate(projection, 2, 2);
        expect(ids(await store.find(coll))).toEqual(['n1']);
        expect(await store.registration(projection)).toMatchObject({
          generation: 2,
          version: 2,
          checkpoint: 3,
        });
        const old = await store.generation(projection, 1, specs());
        expect(await old.checkpoint()).toBeNull();
        expect(await old.get(coll, 't1')).toBeNull();
      });

      it('refuses to drop the active generation', async () => {
        const writer = await seed();
        await expect(writer.drop()).rejects.toThrow(/active/);
        expect(await store.count(coll)).toBe(5);
      });
    });

    describe('leases', () => {
      it('gives a lease to one owner at a time and to another once it expires or is released', async () => {
        const lease = `lease-${projection}`;
        expect(await store.acquireLease(lease, 'worker-1', 60_000)).toBe(true);
        expect(await store.acquireLease(lease, 'worker-2', 60_000)).toBe(false);
        expect(await store.acquireLease(lease, 'worker-1', 60_000)).toBe(true);
        await store.releaseLease(lease, 'worker-1');
        expect(await store.acquireLease(lease, 'worker-2', 1)).toBe(true);
        await new Promise((resolve) => setTimeout(resolve, 20));
        expect(await store.acquireLease(lease, 'worker-1', 60_000)).toBe(true);
      });
    });
  });
}
