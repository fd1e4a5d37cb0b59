export * from './projection-spec';
export * from './decider-spec';
export * from './reminder-item';
export * from './redis-server';
export * from './redis-suite';
