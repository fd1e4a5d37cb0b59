import { type DynamicModule, Global, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG } from '@dukao/config';
import { READ_MODEL_STORE, type ReadModelStore } from './read-model-store.port';
import { createReadModelStore } from './create-read-model-store';

/** Provides the {@link READ_MODEL_STORE} selected by the config. */
@Global()
@Module({})
export class ReadModelStoreModule implements OnApplicationShutdown {
  static forRoot(): DynamicModule {
    return {
      module: ReadModelStoreModule,
      providers: [{ provide: READ_MODEL_STORE, inject: [APP_CONFIG], useFactory: createReadModelStore }],
      exports: [READ_MODEL_STORE],
    };
  }

  constructor(@Inject(READ_MODEL_STORE) private readonly store: ReadModelStore) {}

  async onApplicationShutdown(): Promise<void> {
    await this.store.close();
  }
}
