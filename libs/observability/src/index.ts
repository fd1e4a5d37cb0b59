export * from './logger';
export * from './metrics';
export * from './observed-event-store';
export * from './operations-status';
export * from './observability.module';
export * from './data-dir-lock';
export * from './sqlite.backup';
