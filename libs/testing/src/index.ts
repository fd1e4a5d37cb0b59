export * from './projection-spec';
export * from './decider-spec';
