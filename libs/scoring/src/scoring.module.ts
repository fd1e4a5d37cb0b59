import { Module } from '@nestjs/common';
import { ChangeAppealHandler, FileAppealHandler } from './commands/appeal.commands';
import { PublishRankingHandler } from './commands/publish-ranking.command';
import { RecordScoreRecordHandler } from './commands/score-adjustment.command';
import { RankingsView } from './rankings/rankings.view';
import { ScoringInputLoader } from './scoring-input.loader';

const commandHandlers = [
  PublishRankingHandler,
  RecordScoreRecordHandler,
  FileAppealHandler,
  ChangeAppealHandler,
];

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
