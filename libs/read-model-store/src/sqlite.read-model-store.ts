import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { Query } from 'mingo';
import {
  type CollectionSpec,
  type Filter,
  type FindOptions,
  type GenerationWriter,
  InvalidQueryError,
  type ProjectionRegistration,
  type ReadModelDocument,
  type ReadModelStore,
  UnknownCollectionError,
  type WriteOp,
} from './read-model-store.port';
import { fieldExpression, orderBy, translateFilter } from './sqlite-filter';

export interface SqliteReadModelStoreOptions {
  /** A file path (its own file, beside the event store's), or ':memory:'. */
  filename: string;
  clock?: () => Date;
}

const NAME = /^[A-Za-z][A-Za-z0-9_]{0,62}$/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS rm_registry (
  projection   TEXT PRIMARY KEY,
  generation   INTEGER NOT NULL,
  version      INTEGER NOT NULL,
  collections  TEXT NOT NULL,
  activated_at TEXT NOT NULL
) STRICT;
CREATE TABLE IF NOT EXISTS rm_aliases (
  collection TEXT PRIMARY KEY,
  projection TEXT NOT NULL,
  physical   TEXT NOT NULL
) STRICT;
CREATE TABLE IF NOT EXISTS rm_generations (
  projection  TEXT NOT NULL,
  generation  INTEGER NOT NULL,
  collections TEXT NOT NULL,
  position    INTEGER,
  updated_at  TEXT,
  PRIMARY KEY (projection, generation)
) STRICT;
CREATE TABLE IF NOT EXISTS rm_leases (
  name       TEXT PRIMARY KEY,
  owner      TEXT NOT NULL,
  expires_at INTEGER NOT NULL
) STRICT;
`;

function checkName(kind: string, name: string): string {
  if (!NAME.test(name)) throw new InvalidQueryError(`invalid ${kind} name "${name}"`);
  return name;
}

function physicalName(collection: string, generation: number): string {
  return `${checkName('collection', collection)}__g${generation}`;
}

/**
 * The embedded read-model store: one SQLite file, a table per collection and generation holding
 * JSON documents, expression indexes on declared fields, and the projection registry, checkpoints
 * and leases beside them. Every commit is one transaction with its checkpoint.
 *
 * WAL with synchronous=NORMAL: a power cut may lose the last commits, but then their checkpoint is
 * lost with them, and the projection replays from the log.
 */
export class SqliteReadModelStore implements ReadModelStore {
  private readonly db: Database.Database;
  private readonly clock: () => Date;
  private readonly statementCache = new Map<string, Database.Statement>();
  /** The hot statements of each physical table, prepared once (cleared with the cache when tables are dropped). */
  private readonly tableStatements = new Map<string, TableStatements>();

  constructor(options: SqliteReadModelStoreOptions) {
    if (options.filename !== ':memory:') mkdirSync(dirname(options.filename), { recursive: true });
    this.db = new Database(options.filename);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(SCHEMA);
    this.clock = options.clock ?? (() => new Date());
  }

  private statement(sql: string): Database.Statement {
    let statement = this.statementCache.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.statementCache.set(sql, statement);
    }
    return statement;
  }

  private tableStatement(table: string): TableStatements {
    let statements = this.tableStatements.get(table);
    if (!statements) {
      statements = {
        get: this.db.prepare(`SELECT id, doc FROM "${table}" WHERE id = ?`),
        getMany: this.db.prepare(
          `SELECT id, doc FROM "${table}" WHERE id IN (SELECT value FROM json_each(?))`,
        ),
        put: this.db.prepare(
          `INSERT INTO "${table}" (id, doc) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET doc = excluded.doc`,
        ),
        delete: this.db.prepare(`DELETE FROM "${table}" WHERE id = ?`),
      };
      this.tableStatements.set(table, statements);
    }
    return statements;
  }

  /** Resolved on every query (cheap, and always right even when another process swapped generations). */
  private physical(collection: string): string {
    const row = this.statement('SELECT physical FROM rm_aliases WHERE collection = ?').get(collection) as
      { physical: string } | undefined;
    if (!row) throw new UnknownCollectionError(collection);
    return row.physical;
  }

  async get<T extends ReadModelDocument>(collection: string, id: string): Promise<T | null> {
    return this.getFrom<T>(this.physical(collection), id);
  }

  async find<T extends ReadModelDocument>(
    collection: string,
    filter?: Filter,
    options?: FindOptions,
  ): Promise<T[]> {
    return this.findIn<T>(this.physical(collection), filter, options);
  }

  async count(collection: string, filter?: Filter): Promise<number> {
    const table = this.physical(collection);
    const translated = translateFilter(filter);
    if (!translated.exact) return this.findIn(table, filter).length;
    const row = this.statement(`SELECT COUNT(*) AS n FROM "${table}" WHERE ${translated.where}`).get(
      ...translated.params,
    ) as { n: number };
    return row.n;
  }

  private getFrom<T extends ReadModelDocument>(table: string, id: string): T | null {
    const row = this.tableStatement(table).get.get(id) as { id: string; doc: string } | undefined;
    return row ? toDocument<T>(row) : null;
  }

  /**
   * The documents of `ids` found in `table`, in the order of `ids` (each once), read with one
   * statement: one read transaction (and one WAL read lock) instead of one per id.
   */
  private getManyFrom<T extends ReadModelDocument>(table: string, ids: readonly string[]): Map<string, T> {
    const found = new Map<string, T>();
    if (ids.length === 0) return found;
    const unique = [...new Set(ids)];
    // One id, or an id JSON cannot carry as it is (a lone surrogate): look them up one by one, bound as `get` binds them.
    if (unique.length === 1 || unique.some((id) => LONE_SURROGATE.test(id))) {
      for (const id of unique) {
        const document = this.getFrom<T>(table, id);
        if (document) found.set(id, document);
      }
      return found;
    }
    const rows = new Map<string, { id: string; doc: string }>();
    for (const row of this.tableStatement(table).getMany.all(JSON.stringify(unique)) as Array<{
      id: string;
      doc: string;
    }>) {
      rows.set(row.id, row);
    }
    for (const id of unique) {
      const row = rows.get(id);
      if (row) found.set(id, toDocument<T>(row));
    }
    return found;
  }

  private findIn<T extends ReadModelDocument>(
    table: string,
    filter?: Filter,
    options: FindOptions = {},
  ): T[] {
    const translated = translateFilter(filter);
    const order = orderBy(options.sort);
    const limit = options.limit ?? -1;
    const skip = options.skip ?? 0;
    if (limit !== -1 && (!Number.isSafeInteger(limit) || limit < 0))
      throw new InvalidQueryError('limit must be a whole number');
    if (!Number.isSafeInteger(skip) || skip < 0) throw new InvalidQueryError('skip must be a whole number');
    if (translated.exact) {
      const rows = this.statement(
        `SELECT id, doc FROM "${table}" WHERE ${translated.where} ORDER BY ${order} LIMIT ? OFFSET ?`,
      ).all(...translated.params, limit, skip) as Array<{ id: string; doc: string }>;
      return rows.map((row) => toDocument<T>(row));
    }
    // Part of the filter has no SQL form: narrow in SQL, then check the whole filter with mingo.
    const query = new Query(filter ?? {});
    const rows = this.statement(
      `SELECT id, doc FROM "${table}" WHERE ${translated.where} ORDER BY ${order}`,
    ).all(...translated.params) as Array<{ id: string; doc: string }>;
    const matching = rows.map((row) => toDocument<T>(row)).filter((doc) => query.test(doc));
    return matching.slice(skip, limit === -1 ? undefined : skip + limit);
  }

  async generation(
    projection: string,
    generation: number,
    collections: readonly CollectionSpec[],
  ): Promise<GenerationWriter> {
    checkName('projection', projection);
    const names = collections.map((spec) => spec.name);
    this.db.transaction(() => {
      for (const spec of collections) {
        const table = physicalName(spec.name, generation);
        this.db.exec(`CREATE TABLE IF NOT EXISTS "${table}" (id TEXT PRIMARY KEY, doc TEXT NOT NULL) STRICT`);
        spec.indexes?.forEach((index, n) => {
          const columns = Object.entries(index.fields)
            .map(([path, dir]) => `${fieldExpression(path)} ${dir === -1 ? 'DESC' : 'ASC'}`)
            .join(', ');
          this.db.exec(
            `CREATE ${index.unique ? 'UNIQUE ' : ''}INDEX IF NOT EXISTS "${table}__ix${n}" ON "${table}" (${columns})`,
          );
        });
      }
      this.statement(
        `INSERT INTO rm_generations (projection, generation, collections) VALUES (?, ?, ?)
         ON CONFLICT (projection, generation) DO UPDATE SET collections = excluded.collections`,
      ).run(projection, generation, JSON.stringify(names));
    })();
    return new SqliteGenerationWriter(this, projection, generation, names);
  }

  /** @internal used by the writer */
  writeGeneration(
    projection: string,
    generation: number,
    collections: string[],
    writes: readonly WriteOp[],
    checkpoint: number,
  ): void {
    this.db.transaction(() => {
      // Each collection's table statements, looked up once per commit rather than once per write.
      const tables = new Map<string, TableStatements>();
      for (const write of writes) {
        let statements = tables.get(write.collection);
        if (!statements) {
          if (!collections.includes(write.collection)) throw new UnknownCollectionError(write.collection);
          statements = this.tableStatement(physicalName(write.collection, generation));
          tables.set(write.collection, statements);
        }
        if (write.type === 'put') {
          const { _id, ...doc } = write.document;
          statements.put.run(_id, JSON.stringify(doc));
        } else {
          statements.delete.run(write.id);
        }
      }
      this.statement(
        'UPDATE rm_generations SET position = ?, updated_at = ? WHERE projection = ? AND generation = ?',
      ).run(checkpoint, this.clock().toISOString(), projection, generation);
    })();
  }

  /** @internal */
  readGeneration<T extends ReadModelDocument>(generation: number, collection: string): GenerationReader<T> {
    const table = physicalName(collection, generation);
    return {
      get: (id) => this.getFrom<T>(table, id),
      getMany: (ids) => this.getManyFrom<T>(table, ids),
      find: (filter, options) => this.findIn<T>(table, filter, options),
    };
  }

  /** @internal */
  generationCheckpoint(projection: string, generation: number): number | null {
    const row = this.statement(
      'SELECT position FROM rm_generations WHERE projection = ? AND generation = ?',
    ).get(projection, generation) as { position: number | null } | undefined;
    return row?.position ?? null;
  }

  /** @internal */
  dropGeneration(projection: string, generation: number): void {
    const active = this.statement('SELECT generation FROM rm_registry WHERE projection = ?').get(
      projection,
    ) as { generation: number } | undefined;
    if (active?.generation === generation)
      throw new Error(`generation ${generation} of ${projection} is active`);
    this.dropGenerationInTransaction(projection, generation);
  }

  private dropGenerationInTransaction(projection: string, generation: number): void {
    this.db.transaction(() => {
      const row = this.statement(
        'SELECT collections FROM rm_generations WHERE projection = ? AND generation = ?',
      ).get(projection, generation) as { collections: string } | undefined;
      if (!row) return;
      for (const collection of JSON.parse(row.collections) as string[]) {
        this.db.exec(`DROP TABLE IF EXISTS "${physicalName(collection, generation)}"`);
      }
      this.statement('DELETE FROM rm_generations WHERE projection = ? AND generation = ?').run(
        projection,
        generation,
      );
    })();
    this.statementCache.clear();
    this.tableStatements.clear();
  }

  async activate(projection: string, generation: number, version: number): Promise<void> {
    const replaced = this.db.transaction(() => {
      const row = this.statement(
        'SELECT collections FROM rm_generations WHERE projection = ? AND generation = ?',
      ).get(projection, generation) as { collections: string } | undefined;
      if (!row) throw new Error(`generation ${generation} of ${projection} does not exist`);
      const collections = JSON.parse(row.collections) as string[];
      for (const collection of collections) {
        const owner = this.statement('SELECT projection FROM rm_aliases WHERE collection = ?').get(
          collection,
        ) as { projection: string } | undefined;
        if (owner && owner.projection !== projection) {
          throw new Error(`collection ${collection} already belongs to projection ${owner.projection}`);
        }
      }
      this.statement('DELETE FROM rm_aliases WHERE projection = ?').run(projection);
      for (const collection of collections) {
        this.statement('INSERT INTO rm_aliases (collection, projection, physical) VALUES (?, ?, ?)').run(
          collection,
          projection,
          physicalName(collection, generation),
        );
      }
      this.statement(
        `INSERT INTO rm_registry (projection, generation, version, collections, activated_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (projection) DO UPDATE SET generation = excluded.generation, version = excluded.version,
           collections = excluded.collections, activated_at = excluded.activated_at`,
      ).run(projection, generation, version, row.collections, this.clock().toISOString());
      return (
        this.statement('SELECT generation FROM rm_generations WHERE projection = ? AND generation < ?').all(
          projection,
          generation,
        ) as Array<{ generation: number }>
      ).map((r) => r.generation);
    })();
    for (const old of replaced) this.dropGenerationInTransaction(projection, old);
  }

  async registration(projection: string): Promise<ProjectionRegistration | null> {
    const row = this.statement(
      `SELECT r.*, g.position FROM rm_registry r
       LEFT JOIN rm_generations g ON g.projection = r.projection AND g.generation = r.generation
       WHERE r.projection = ?`,
    ).get(projection) as
      | {
          projection: string;
          generation: number;
          version: number;
          collections: string;
          activated_at: string;
          position: number | null;
        }
      | undefined;
    if (!row) return null;
    return {
      projection: row.projection,
      generation: row.generation,
      version: row.version,
      collections: JSON.parse(row.collections) as string[],
      activatedAt: row.activated_at,
      checkpoint: row.position,
    };
  }

  async acquireLease(name: string, owner: string, ttlMs: number): Promise<boolean> {
    const now = this.clock().getTime();
    const result = this.statement(
      `INSERT INTO rm_leases (name, owner, expires_at) VALUES (?, ?, ?)
       ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at
       WHERE rm_leases.owner = excluded.owner OR rm_leases.expires_at <= ?`,
    ).run(name, owner, now + ttlMs, now);
    return result.changes === 1;
  }

  async releaseLease(name: string, owner: string): Promise<void> {
    this.statement('DELETE FROM rm_leases WHERE name = ? AND owner = ?').run(name, owner);
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}

class SqliteGenerationWriter implements GenerationWriter {
  /** One reader per collection, made on first use (the projection runner reads on every event). */
  private readonly readers = new Map<string, GenerationReader<ReadModelDocument>>();

  constructor(
    private readonly store: SqliteReadModelStore,
    readonly projection: string,
    readonly generation: number,
    private readonly collections: string[],
  ) {}

  private reader<T extends ReadModelDocument>(collection: string) {
    let reader = this.readers.get(collection);
    if (!reader) {
      if (!this.collections.includes(collection)) throw new UnknownCollectionError(collection);
      reader = this.store.readGeneration(this.generation, collection);
      this.readers.set(collection, reader);
    }
    return reader as GenerationReader<T>;
  }

  async get<T extends ReadModelDocument>(collection: string, id: string): Promise<T | null> {
    return this.reader<T>(collection).get(id);
  }

  async getMany<T extends ReadModelDocument>(
    collection: string,
    ids: readonly string[],
  ): Promise<Map<string, T>> {
    return this.reader<T>(collection).getMany(ids);
  }

  async find<T extends ReadModelDocument>(
    collection: string,
    filter?: Filter,
    options?: FindOptions,
  ): Promise<T[]> {
    return this.reader<T>(collection).find(filter, options);
  }

  async commit(writes: readonly WriteOp[], checkpoint: number): Promise<void> {
    this.store.writeGeneration(this.projection, this.generation, this.collections, writes, checkpoint);
  }

  async checkpoint(): Promise<number | null> {
    return this.store.generationCheckpoint(this.projection, this.generation);
  }

  async drop(): Promise<void> {
    this.store.dropGeneration(this.projection, this.generation);
  }
}

interface GenerationReader<T extends ReadModelDocument> {
  get: (id: string) => T | null;
  getMany: (ids: readonly string[]) => Map<string, T>;
  find: (filter?: Filter, options?: FindOptions) => T[];
}

interface TableStatements {
  get: Database.Statement;
  getMany: Database.Statement;
  put: Database.Statement;
  delete: Database.Statement;
}

/**
 * A stored row as a document: `_id` first, then the stored fields (the writer strips `_id` from
 * them). The id is spliced into the JSON text rather than the parsed object copied into a new one:
 * same document, same key order, one object made instead of two (this is every read's hot path).
 */
export function toDocument<T extends ReadModelDocument>(row: { id: string; doc: string }): T {
  const { id, doc } = row;
  if (doc.charCodeAt(0) !== 0x7b /* { */) return { _id: id, ...(JSON.parse(doc) as object) } as T;
  const head = `{"_id":${JSON.stringify(id)}`;
  return JSON.parse(doc === '{}' ? `${head}}` : `${head},${doc.slice(1)}`) as T;
}
