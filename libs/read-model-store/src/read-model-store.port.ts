/**
 * The read-model store port: document collections that projections write and queries read.
 *
 * Filters use MongoDB query syntax (equality, `$eq $ne $gt $gte $lt $lte $in $nin $exists $and $or`
 * on dotted paths), so the same projection and query code runs on SQLite and MongoDB.
 *
 * Every collection belongs to one projection and exists in numbered generations. Queries name the
 * logical collection and read the projection's *active* generation; a rebuild fills a new generation
 * while the old one keeps serving, then {@link ReadModelStore.activate} swaps them in one step.
 */

export interface ReadModelDocument {
  _id: string;
  [field: string]: unknown;
}

export type SortSpec = Record<string, 1 | -1>;
export type Filter = Record<string, unknown>;

export interface IndexSpec {
  /** Ordered fields of the index. */
  fields: SortSpec;
  unique?: boolean;
}

export interface CollectionSpec {
  name: string;
  indexes?: readonly IndexSpec[];
}

export interface FindOptions {
  sort?: SortSpec;
  limit?: number;
  skip?: number;
}

export type WriteOp =
  | { type: 'put'; collection: string; document: ReadModelDocument }
  | { type: 'delete'; collection: string; id: string };

export interface ProjectionRegistration {
  projection: string;
  generation: number;
  version: number;
  collections: string[];
  activatedAt: string;
  /** The active generation's checkpoint: the last log position its documents take into account. */
  checkpoint: number | null;
}

/** Writes to one generation of one projection's collections. */
export interface GenerationWriter {
  readonly projection: string;
  readonly generation: number;
  get<T extends ReadModelDocument>(collection: string, id: string): Promise<T | null>;
  getMany<T extends ReadModelDocument>(collection: string, ids: readonly string[]): Promise<Map<string, T>>;
  find<T extends ReadModelDocument>(collection: string, filter?: Filter, options?: FindOptions): Promise<T[]>;
  /**
   * Applies the writes and stores the checkpoint (the log position they bring the generation to).
   * SQLite does both in one transaction. Where the backend cannot (MongoDB without transactions),
   * the checkpoint is written last and documents carry the position that last changed them, so a
   * replay after a crash changes nothing.
   */
  commit(writes: readonly WriteOp[], checkpoint: number): Promise<void>;
  /** The stored checkpoint: the last log position this generation has taken into account. */
  checkpoint(): Promise<number | null>;
  /** Removes this generation's collections and checkpoint (never the active generation). */
  drop(): Promise<void>;
}

export interface ReadModelStore {
  get<T extends ReadModelDocument>(collection: string, id: string): Promise<T | null>;
  find<T extends ReadModelDocument>(collection: string, filter?: Filter, options?: FindOptions): Promise<T[]>;
  count(collection: string, filter?: Filter): Promise<number>;

  /** Creates (if needed) the generation's collections and indexes and returns a writer for it. */
  generation(
    projection: string,
    generation: number,
    collections: readonly CollectionSpec[],
  ): Promise<GenerationWriter>;
  /**
   * Makes `generation` the one queries read, in one step for readers, then drops the generations
   * it replaced.
   */
  activate(projection: string, generation: number, version: number): Promise<void>;
  registration(projection: string): Promise<ProjectionRegistration | null>;

  /**
   * A lease so that of several workers only one runs a projection. Returns true when `owner` holds
   * it (taken or renewed) for the next `ttlMs`.
   */
  acquireLease(name: string, owner: string, ttlMs: number): Promise<boolean>;
  releaseLease(name: string, owner: string): Promise<void>;

  close(): Promise<void>;
}

/** DI token for the read-model store. */
export const READ_MODEL_STORE = Symbol('READ_MODEL_STORE');

export class UnknownCollectionError extends Error {
  readonly code = 'UNKNOWN_COLLECTION';
  constructor(readonly collection: string) {
    super(`no active projection owns the collection "${collection}"`);
    this.name = 'UnknownCollectionError';
  }
}

export class InvalidQueryError extends Error {
  readonly code = 'INVALID_QUERY';
  constructor(detail: string) {
    super(detail);
    this.name = 'InvalidQueryError';
  }
}
