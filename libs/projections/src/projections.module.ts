import {
  type DynamicModule,
  Global,
  Inject,
  Injectable,
  Module,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { EVENT_STORE, type EventStore } from '@dukao/event-store';
import { READ_MODEL_STORE, type ReadModelStore } from '@dukao/read-model-store';
import type { Projection } from './projection';
import { ProjectionEngine } from './projection-engine';

/** Every projection of the app, gathered from the context modules that declare them. */
export const PROJECTIONS = Symbol('PROJECTIONS');
const RUN_PROJECTIONS = Symbol('RUN_PROJECTIONS');

/** Starts the engine after every module is ready, and stops it (checkpoints saved) before the stores close. */
@Injectable()
class ProjectionLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(
    private readonly engine: ProjectionEngine,
    @Inject(RUN_PROJECTIONS) private readonly runHere: boolean,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.runHere) await this.engine.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.engine.stop();
  }
}

/**
 * Provides the {@link ProjectionEngine}. `run: true` where projections execute (the api in embedded
 * mode, the worker in production); elsewhere the engine only reports status and waits on positions.
 */
@Global()
@Module({})
export class ProjectionsModule {
  static forRoot(options: {
    projections: readonly Projection[];
    run: boolean;
    batchSize?: number;
  }): DynamicModule {
    return {
      module: ProjectionsModule,
      providers: [
        { provide: PROJECTIONS, useValue: options.projections },
        { provide: RUN_PROJECTIONS, useValue: options.run },
        {
          provide: ProjectionEngine,
          inject: [EVENT_STORE, READ_MODEL_STORE, PROJECTIONS],
          useFactory: (eventStore: EventStore, readStore: ReadModelStore, projections: Projection[]) =>
            new ProjectionEngine(eventStore, readStore, projections, { batchSize: options.batchSize }),
        },
        ProjectionLifecycle,
      ],
      exports: [ProjectionEngine, PROJECTIONS],
    };
  }
}
