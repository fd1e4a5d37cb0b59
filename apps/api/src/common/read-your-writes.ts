import { Inject, Injectable } from '@nestjs/common';
import { ProjectionEngine } from '@dukao/projections';
import {
  type Filter,
  READ_MODEL_STORE,
  type ReadModelDocument,
  type ReadModelStore,
  type SortSpec,
} from '@dukao/read-model-store';
import { ApiError } from '../errors/api-error';

/** How long a query waits for its view to reach a requested position (ARCHITECTURE: bounded). */
export const VIEW_WAIT_MS = 2000;

/**
 * Read-your-writes: a command's response carries the log position it produced; a query that passes
 * it as `minPosition` waits until the view behind `collection` has reached it, or gets 503.
 */
@Injectable()
export class ReadYourWrites {
  constructor(
    private readonly engine: ProjectionEngine,
    @Inject(READ_MODEL_STORE) private readonly views: ReadModelStore,
  ) {}

  /** One page of a view after it has reached `minPosition`: the listing every list route answers. */
  async page<T extends ReadModelDocument>(
    collection: string,
    filter: Filter,
    sort: SortSpec,
    query: { limit: number; skip: number; minPosition?: number },
  ): Promise<{ items: T[]; total: number; limit: number; skip: number }> {
    await this.waitFor(collection, query.minPosition);
    const { limit, skip } = query;
    const [items, total] = await Promise.all([
      this.views.find<T>(collection, filter, { sort, limit, skip }),
      this.views.count(collection, filter),
    ]);
    return { items, total, limit, skip };
  }

  async waitFor(collection: string, minPosition: number | undefined): Promise<void> {
    if (minPosition === undefined) return;
    const projection = this.engine.ownerOf(collection);
    if (await this.engine.waitFor(projection, minPosition, VIEW_WAIT_MS)) return;
    throw new ApiError(503, 'VIEW_NOT_CAUGHT_UP', '数据正在更新，请稍后重试', { projection, minPosition });
  }
}
