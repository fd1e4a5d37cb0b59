import { Module } from '@nestjs/common';
import { PublishRankingHandler } from './commands/publish-ranking.command';
import { RankingsView } from './rankings/rankings.view';
import { ScoringInputLoader } from './scoring-input.loader';

const commandHandlers = [PublishRankingHandler];

/**
 * Scoring: the loader that feeds the pure engine from the log (the engine itself needs no module),
 * and the commands. The projections (`publicationsProjection`) are registered with every other in
 * @dukao/composition.
 */
@Module({
  providers: [ScoringInputLoader, RankingsView, ...commandHandlers],
  exports: [ScoringInputLoader, RankingsView],
})
export class ScoringModule {}
