export * from './domain/decimal';
export * from './domain/scoring.inputs';
export * from './domain/target-facts';
export * from './domain/scoring.engine';
export * from './scoring-input.loader';
export * from './scoring.module';
export * from './domain/score-timeline';
