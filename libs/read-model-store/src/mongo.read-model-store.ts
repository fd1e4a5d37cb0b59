import {
  type AnyBulkWriteOperation,
  type ClientSession,
  type Collection,
  type Db,
  type Filter as MongoFilter,
  MongoClient,
  MongoServerError,
} from 'mongodb';
import {
  type CollectionSpec,
  type Filter,
  type FindOptions,
  type GenerationWriter,
  InvalidQueryError,
  type ProjectionRegistration,
  type ReadModelDocument,
  type ReadModelStore,
  type SortSpec,
  UnknownCollectionError,
  type WriteOp,
} from './read-model-store.port';

export interface MongoReadModelStoreOptions {
  /** A MongoDB connection string; its path names the database unless `dbName` is given. */
  url: string;
  dbName?: string;
  clock?: () => Date;
}

interface RegistryDoc {
  _id: string;
  generation: number;
  version: number;
  collections: string[];
  activatedAt: string;
}

interface AliasDoc {
  _id: string;
  projection: string;
  physical: string;
}

interface GenerationDoc {
  _id: string;
  projection: string;
  generation: number;
  collections: string[];
  position: number | null;
  updatedAt: string | null;
  /** Set before a drop starts, so a drop cut short is finished rather than its leftovers reused. */
  dropping?: boolean;
}

interface LeaseDoc {
  _id: string;
  owner: string;
  expiresAt: Date;
}

const NAME = /^[A-Za-z][A-Za-z0-9_]{0,62}$/;
const PATH = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z0-9_]+)*$/;
const DEFAULT_DB = 'dukao';
/** Operators that run JavaScript on the server: never from a read-model query. */
const SERVER_SCRIPT = new Set(['$where', '$function', '$accumulator']);
const DUPLICATE_KEY = 11000;
const NAMESPACE_EXISTS = 48;
/** BadValue and FailedToParse: the server rejected the query itself, not the request. */
const QUERY_ERRORS = new Set([2, 9]);

function checkName(kind: string, name: string): string {
  if (!NAME.test(name)) throw new InvalidQueryError(`invalid ${kind} name "${name}"`);
  return name;
}

function checkGeneration(generation: number): number {
  if (!Number.isSafeInteger(generation) || generation < 0) {
    throw new InvalidQueryError(`invalid generation ${generation}`);
  }
  return generation;
}

function physicalName(collection: string, generation: number): string {
  return `${checkName('collection', collection)}__g${checkGeneration(generation)}`;
}

function generationId(projection: string, generation: number): string {
  return `${projection}:${generation}`;
}

function checkPath(path: string): string {
  if (!PATH.test(path)) throw new InvalidQueryError(`invalid field path "${path}"`);
  return path;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Refuses server-side JavaScript anywhere in the filter; everything else the server validates. */
function rejectScripts(value: unknown): void {
  if (Array.isArray(value)) {
    value.forEach(rejectScripts);
  } else if (isPlainObject(value)) {
    for (const [key, inner] of Object.entries(value)) {
      if (SERVER_SCRIPT.has(key)) throw new InvalidQueryError(`operator ${key} is not allowed`);
      rejectScripts(inner);
    }
  }
}

function toMongoFilter(filter: Filter | undefined): MongoFilter<ReadModelDocument> {
  if (filter === undefined) return {};
  if (!isPlainObject(filter)) throw new InvalidQueryError('a filter must be a plain object');
  rejectScripts(filter);
  return filter;
}

/** The caller's keys, then `_id` ascending unless already named, so ties page stably (as on SQLite). */
function toMongoSort(sort: SortSpec | undefined): Record<string, 1 | -1> {
  const keys = Object.entries(sort ?? {});
  for (const [path, direction] of keys) {
    checkPath(path);
    if (direction !== 1 && direction !== -1)
      throw new InvalidQueryError(`sort direction of "${path}" must be 1 or -1`);
  }
  const result: Record<string, 1 | -1> = Object.fromEntries(keys);
  if (!keys.some(([path]) => path === '_id')) result._id = 1;
  return result;
}

function checkPaging(options: FindOptions): { limit: number | undefined; skip: number } {
  const { limit, skip = 0 } = options;
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 0))
    throw new InvalidQueryError('limit must be a whole number');
  if (!Number.isInteger(skip) || skip < 0) throw new InvalidQueryError('skip must be a whole number');
  return { limit, skip };
}

/** The database named in the URL path (`mongodb://host/name?…`); hosts never contain a raw `/`. */
function databaseFromUrl(url: string): string | undefined {
  const match = /^mongodb(?:\+srv)?:\/\/[^/?]*\/([^?]*)/.exec(url);
  const name = match?.[1] ? decodeURIComponent(match[1]) : '';
  return name || undefined;
}

/**
 * The server-backed read-model store: a MongoDB collection per logical collection and generation
 * (`<collection>__g<generation>`), documents stored as given, declared indexes as MongoDB indexes,
 * and the registry, aliases, generations (with checkpoints) and leases in small `rm_*` collections.
 *
 * On a replica set or sharded cluster, a commit is one multi-document transaction with its
 * checkpoint, and `activate` swaps aliases and registry in one transaction. On a standalone server
 * (no transactions) the same steps run in order without one: a commit's documents are written first
 * and its checkpoint last, so a crash between them only leaves writes the projection replays. The
 * engine stores each document's `_position` and skips changes it has already applied, which makes
 * that replay harmless. A failing commit may then leave part of its writes behind (until replayed).
 */
export class MongoReadModelStore implements ReadModelStore {
  private readonly registry: Collection<RegistryDoc>;
  private readonly aliases: Collection<AliasDoc>;
  private readonly generations: Collection<GenerationDoc>;
  private readonly leases: Collection<LeaseDoc>;

  private constructor(
    private readonly client: MongoClient,
    private readonly db: Db,
    private readonly clock: () => Date,
    private readonly transactions: boolean,
  ) {
    this.registry = db.collection<RegistryDoc>('rm_registry');
    this.aliases = db.collection<AliasDoc>('rm_aliases');
    this.generations = db.collection<GenerationDoc>('rm_generations');
    this.leases = db.collection<LeaseDoc>('rm_leases');
  }

  static async connect(options: MongoReadModelStoreOptions): Promise<MongoReadModelStore> {
    const client = new MongoClient(options.url);
    try {
      await client.connect();
      const db = client.db(options.dbName ?? databaseFromUrl(options.url) ?? DEFAULT_DB);
      // Transactions need a replica set member (setName) or a mongos (isdbgrid); a standalone has neither.
      const hello = await db.admin().command({ hello: 1 });
      const transactions = typeof hello.setName === 'string' || hello.msg === 'isdbgrid';
      const store = new MongoReadModelStore(client, db, options.clock ?? (() => new Date()), transactions);
      await store.generations.createIndex({ projection: 1, generation: 1 });
      await store.aliases.createIndex({ projection: 1 });
      return store;
    } catch (error) {
      await client.close();
      throw error;
    }
  }

  /**
   * Runs `work` in one transaction where the server has them; otherwise runs it as is (see the class
   * comment). `work` may run more than once (transient transaction errors are retried), so it only
   * issues database operations.
   */
  private async inTransaction<T>(work: (session: ClientSession | undefined) => Promise<T>): Promise<T> {
    if (!this.transactions) return work(undefined);
    return this.client.withSession((session) => session.withTransaction(() => work(session)));
  }

  /** @internal the physical collection of one generation, for the writer. */
  physicalCollection(collection: string, generation: number): Collection<ReadModelDocument> {
    return this.db.collection<ReadModelDocument>(physicalName(collection, generation));
  }

  /** Resolved on every query: always right, even when another process just swapped generations. */
  private async resolve(collection: string): Promise<Collection<ReadModelDocument>> {
    const alias = await this.aliases.findOne({ _id: collection });
    if (!alias) throw new UnknownCollectionError(collection);
    return this.db.collection<ReadModelDocument>(alias.physical);
  }

  async get<T extends ReadModelDocument>(collection: string, id: string): Promise<T | null> {
    return getFrom<T>(await this.resolve(collection), id);
  }

  async find<T extends ReadModelDocument>(
    collection: string,
    filter?: Filter,
    options?: FindOptions,
  ): Promise<T[]> {
    return findIn<T>(await this.resolve(collection), filter, options);
  }

  async count(collection: string, filter?: Filter): Promise<number> {
    const mongoFilter = toMongoFilter(filter);
    const target = await this.resolve(collection);
    return asQueryError(() => target.countDocuments(mongoFilter));
  }

  async generation(
    projection: string,
    generation: number,
    collections: readonly CollectionSpec[],
  ): Promise<GenerationWriter> {
    checkName('projection', projection);
    checkGeneration(generation);
    const names = collections.map((spec) => spec.name);
    const _id = generationId(projection, generation);
    const existing = await this.generations.findOne({ _id });
    if (existing?.dropping) await this.finishDrop(existing);

    for (const spec of collections) {
      const name = physicalName(spec.name, generation);
      // Explicit creation, so commits never create collections inside a transaction.
      await this.db.createCollection(name).catch((error: unknown) => {
        if (!(error instanceof MongoServerError && error.code === NAMESPACE_EXISTS)) throw error;
      });
      for (const index of spec.indexes ?? []) {
        const paths = Object.keys(index.fields).map(checkPath);
        // `_id` is always indexed and unique; MongoDB refuses a second index on it alone.
        if (paths.length === 1 && paths[0] === '_id') continue;
        await this.db.collection(name).createIndex(index.fields, { unique: index.unique ?? false });
      }
    }
    // The checkpoint survives re-declaration: it is only ever set by commit.
    await this.generations.updateOne(
      { _id },
      {
        $set: { projection, generation, collections: names },
        $setOnInsert: { position: null, updatedAt: null },
      },
      { upsert: true },
    );
    return new MongoGenerationWriter(this, projection, generation, names);
  }

  /** @internal used by the writer */
  async writeGeneration(
    projection: string,
    generation: number,
    collections: readonly string[],
    writes: readonly WriteOp[],
    checkpoint: number,
  ): Promise<void> {
    // Grouped per collection, in order within each; across collections order does not matter.
    const batches = new Map<string, AnyBulkWriteOperation<ReadModelDocument>[]>();
    for (const write of writes) {
      if (!collections.includes(write.collection)) throw new UnknownCollectionError(write.collection);
      let batch = batches.get(write.collection);
      if (!batch) batches.set(write.collection, (batch = []));
      if (write.type === 'put') {
        const { _id, ...replacement } = write.document;
        batch.push({ replaceOne: { filter: { _id }, replacement, upsert: true } });
      } else {
        batch.push({ deleteOne: { filter: { _id: write.id } } });
      }
    }
    const updatedAt = this.clock().toISOString();
    await this.inTransaction(async (session) => {
      for (const [collection, batch] of batches) {
        // ignoreUndefined: absent-by-undefined fields stay absent, as JSON drops them on SQLite.
        await this.physicalCollection(collection, generation).bulkWrite(batch, {
          ordered: true,
          session,
          ignoreUndefined: true,
        });
      }
      const result = await this.generations.updateOne(
        { _id: generationId(projection, generation), dropping: { $ne: true } },
        { $set: { position: checkpoint, updatedAt } },
        { session },
      );
      if (result.matchedCount === 0)
        throw new Error(`generation ${generation} of ${projection} does not exist`);
    });
  }

  /** @internal */
  async generationCheckpoint(projection: string, generation: number): Promise<number | null> {
    const row = await this.generations.findOne({ _id: generationId(projection, generation) });
    return row?.dropping ? null : (row?.position ?? null);
  }

  /** @internal */
  async dropGeneration(projection: string, generation: number): Promise<void> {
    const active = await this.registry.findOne({ _id: projection });
    if (active?.generation === generation)
      throw new Error(`generation ${generation} of ${projection} is active`);
    await this.dropInactive(projection, generation);
  }

  /**
   * Marks the generation as dropping, drops its collections, then forgets it. Collection drops cannot
   * run in a transaction; the mark makes a crash in between resumable by `generation()`.
   */
  private async dropInactive(projection: string, generation: number): Promise<void> {
    const row = await this.generations.findOneAndUpdate(
      { _id: generationId(projection, generation) },
      { $set: { dropping: true } },
      { returnDocument: 'after' },
    );
    if (row) await this.finishDrop(row);
  }

  private async finishDrop(row: GenerationDoc): Promise<void> {
    for (const collection of row.collections) {
      // Resolves to false (not an error) when the collection is already gone.
      await this.physicalCollection(collection, row.generation).drop();
    }
    await this.generations.deleteOne({ _id: row._id, dropping: true });
  }

  async activate(projection: string, generation: number, version: number): Promise<void> {
    checkName('projection', projection);
    const activatedAt = this.clock().toISOString();
    const replaced = await this.inTransaction(async (session) => {
      const row = await this.generations.findOne(
        { _id: generationId(projection, generation), dropping: { $ne: true } },
        { session },
      );
      if (!row) throw new Error(`generation ${generation} of ${projection} does not exist`);
      const taken = await this.aliases.findOne(
        { _id: { $in: row.collections }, projection: { $ne: projection } },
        { session },
      );
      if (taken) throw new Error(`collection ${taken._id} already belongs to projection ${taken.projection}`);
      // Each alias switches in place (never deleted and re-added), so without a transaction a reader
      // still sees the old or the new generation of every collection, never none.
      for (const collection of row.collections) {
        await this.aliases.replaceOne(
          { _id: collection },
          { projection, physical: physicalName(collection, generation) },
          { upsert: true, session },
        );
      }
      await this.aliases.deleteMany({ projection, _id: { $nin: row.collections } }, { session });
      await this.registry.replaceOne(
        { _id: projection },
        { generation, version, collections: row.collections, activatedAt },
        { upsert: true, session },
      );
      const older = await this.generations
        .find({ projection, generation: { $lt: generation } }, { session, projection: { generation: 1 } })
        .toArray();
      return older.map((g) => g.generation);
    });
    // After the swap: a query that resolved the old alias just before it may still read (now empty)
    // old collections; the next query resolves the new generation.
    for (const old of replaced) await this.dropInactive(projection, old);
  }

  async registration(projection: string): Promise<ProjectionRegistration | null> {
    const row = await this.registry.findOne({ _id: projection });
    if (!row) return null;
    // Two reads, no join: a commit landing between them only makes the checkpoint newer.
    const active = await this.generations.findOne({ _id: generationId(projection, row.generation) });
    return {
      projection: row._id,
      generation: row.generation,
      version: row.version,
      collections: row.collections,
      activatedAt: row.activatedAt,
      checkpoint: active?.position ?? null,
    };
  }

  async acquireLease(name: string, owner: string, ttlMs: number): Promise<boolean> {
    const now = this.clock();
    try {
      // Matches when free to take (ours, or expired); otherwise the upsert collides on _id.
      await this.leases.updateOne(
        { _id: name, $or: [{ owner }, { expiresAt: { $lte: now } }] },
        { $set: { owner, expiresAt: new Date(now.getTime() + ttlMs) } },
        { upsert: true },
      );
      return true;
    } catch (error) {
      if (error instanceof MongoServerError && error.code === DUPLICATE_KEY) return false;
      throw error;
    }
  }

  async releaseLease(name: string, owner: string): Promise<void> {
    await this.leases.deleteOne({ _id: name, owner });
  }

  /** Drops the whole database this store uses: for tests' throwaway databases only. */
  async dropDatabase(): Promise<void> {
    await this.db.dropDatabase();
  }

  async close(): Promise<void> {
    await this.client.close();
  }
}

class MongoGenerationWriter implements GenerationWriter {
  constructor(
    private readonly store: MongoReadModelStore,
    readonly projection: string,
    readonly generation: number,
    private readonly collections: string[],
  ) {}

  private target(collection: string): Collection<ReadModelDocument> {
    if (!this.collections.includes(collection)) throw new UnknownCollectionError(collection);
    return this.store.physicalCollection(collection, this.generation);
  }

  async get<T extends ReadModelDocument>(collection: string, id: string): Promise<T | null> {
    return getFrom<T>(this.target(collection), id);
  }

  async getMany<T extends ReadModelDocument>(
    collection: string,
    ids: readonly string[],
  ): Promise<Map<string, T>> {
    const target = this.target(collection);
    const unique = [...new Set(ids)];
    const found = new Map<string, T>();
    if (unique.length === 0) return found;
    for (const doc of await target.find({ _id: { $in: unique } }).toArray()) found.set(doc._id, doc as T);
    return found;
  }

  async find<T extends ReadModelDocument>(
    collection: string,
    filter?: Filter,
    options?: FindOptions,
  ): Promise<T[]> {
    return findIn<T>(this.target(collection), filter, options);
  }

  async commit(writes: readonly WriteOp[], checkpoint: number): Promise<void> {
    await this.store.writeGeneration(this.projection, this.generation, this.collections, writes, checkpoint);
  }

  async checkpoint(): Promise<number | null> {
    return this.store.generationCheckpoint(this.projection, this.generation);
  }

  async drop(): Promise<void> {
    await this.store.dropGeneration(this.projection, this.generation);
  }
}

async function getFrom<T extends ReadModelDocument>(
  target: Collection<ReadModelDocument>,
  id: string,
): Promise<T | null> {
  return (await target.findOne({ _id: id })) as T | null;
}

async function findIn<T extends ReadModelDocument>(
  target: Collection<ReadModelDocument>,
  filter: Filter | undefined,
  options: FindOptions = {},
): Promise<T[]> {
  const mongoFilter = toMongoFilter(filter);
  const sort = toMongoSort(options.sort);
  const { limit, skip } = checkPaging(options);
  // MongoDB reads limit 0 as "no limit"; the port (like SQL) means none.
  if (limit === 0) return [];
  const docs = await asQueryError(() => target.find(mongoFilter, { sort, skip, limit }).toArray());
  return docs as T[];
}

/** Maps the server's rejection of a malformed query to the port's error, like the SQLite adapter. */
async function asQueryError<R>(run: () => Promise<R>): Promise<R> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof MongoServerError && typeof error.code === 'number' && QUERY_ERRORS.has(error.code)) {
      throw new InvalidQueryError(error.message);
    }
    throw error;
  }
}
