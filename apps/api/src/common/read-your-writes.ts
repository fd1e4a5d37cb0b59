import { Injectable } from '@nestjs/common';
import { ProjectionEngine } from '@dukao/projections';
import { ApiError } from '../errors/api-error';

/** How long a query waits for its view to reach a requested position (ARCHITECTURE: bounded). */
export const VIEW_WAIT_MS = 2000;

/**
 * Read-your-writes: a command's response carries the log position it produced; a query that passes
 * it as `minPosition` waits until the view behind `collection` has reached it, or gets 503.
 */
@Injectable()
export class ReadYourWrites {
  constructor(private readonly engine: ProjectionEngine) {}

  async waitFor(collection: string, minPosition: number | undefined): Promise<void> {
    if (minPosition === undefined) return;
    const projection = this.engine.ownerOf(collection);
    if (await this.engine.waitFor(projection, minPosition, VIEW_WAIT_MS)) return;
    throw new ApiError(503, 'VIEW_NOT_CAUGHT_UP', '数据正在更新，请稍后重试', { projection, minPosition });
  }
}
