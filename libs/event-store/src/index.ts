export * from './event-store.port';
export * from './event-id';
export * from './hash-chain';
export * from './upcasting';
export * from './sqlite.event-store';
export * from './handle-command';
