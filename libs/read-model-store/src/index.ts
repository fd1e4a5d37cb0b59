export * from './read-model-store.port';
export * from './sqlite.read-model-store';
export * from './read-model-store.module';
export * from './create-read-model-store';
export * from './mongo.read-model-store';
