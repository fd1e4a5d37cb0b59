export * from './domain-error';
export * from './clock';
export * from './interval-schedule';
export * from './log-context';
