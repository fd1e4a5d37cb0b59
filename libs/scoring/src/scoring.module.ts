import { Module } from '@nestjs/common';
import { ScoringInputLoader } from './scoring-input.loader';

/** Scoring: the loader that feeds the pure engine from the log (the engine itself needs no module). */
@Module({ providers: [ScoringInputLoader], exports: [ScoringInputLoader] })
export class ScoringModule {}
