import { setTimeout as sleep } from 'node:timers/promises';
import { Inject, Injectable } from '@nestjs/common';
import { READ_MODEL_STORE, type ReadModelStore, UnknownCollectionError } from '@dukao/read-model-store';
import {
  MONTHLY_RANKINGS,
  type MonthlyRanking,
  RANKING_MONTHS,
  type RankingMonths,
  monthlyRankingId,
  rankingMonthsId,
} from './monthly-ranking';
import { RANKINGS_VIEW } from './rankings.reactor';

/**
 * Reads the monthly rankings view (never the log), wherever it is kept: the checkpoint is stored
 * with the documents, so waiting on it works in the api whether the reactor runs here or in a worker.
 */
@Injectable()
export class RankingsView {
  constructor(@Inject(READ_MODEL_STORE) private readonly views: ReadModelStore) {}

  /** The months of a (cycle, category) with a ranking, oldest first (none: an empty list). */
  async months(cycleId: string, category: string): Promise<RankingMonths | null> {
    return this.read(() => this.views.get<RankingMonths>(RANKING_MONTHS, rankingMonthsId(cycleId, category)));
  }

  /** One month's ranking, or null when the view has none. */
  async month(cycleId: string, category: string, month: string): Promise<MonthlyRanking | null> {
    return this.read(() =>
      this.views.get<MonthlyRanking>(MONTHLY_RANKINGS, monthlyRankingId(cycleId, category, month)),
    );
  }

  /** The last log position the serving generation has taken into account (null: none yet). */
  async position(): Promise<number | null> {
    return (await this.views.registration(RANKINGS_VIEW))?.checkpoint ?? null;
  }

  /** Resolves true once the view has taken `position` into account, false after `timeoutMs`. */
  async waitFor(position: number, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const reached = await this.position();
      if (reached !== null && reached >= position) return true;
      if (Date.now() >= deadline) return false;
      await sleep(Math.min(20, Math.max(1, deadline - Date.now())));
    }
  }

  /** Before the reactor first ran, the view's collections do not exist yet: nothing to read. */
  private async read<T>(query: () => Promise<T | null>): Promise<T | null> {
    try {
      return await query();
    } catch (error) {
      if (error instanceof UnknownCollectionError) return null;
      throw error;
    }
  }
}
