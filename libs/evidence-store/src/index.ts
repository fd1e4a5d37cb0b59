export * from './evidence-store.port';
export * from './disk.evidence-store';
export * from './evidence-store.module';
