export * from './projection';
export * from './projection-runner';
export * from './projection-engine';
export * from './projections.module';
export * from './log-reactor';
