import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@dukao/config';
import { markDataDirInUse } from '@dukao/observability';

/** In embedded mode, marks DATA_DIR as in use while the server runs, so `npm run restore` refuses it. */
@Injectable()
export class DataDirMark implements OnApplicationBootstrap, OnApplicationShutdown {
  private unmark: (() => void) | null = null;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  onApplicationBootstrap(): void {
    if (this.config.mode === 'embedded') this.unmark = markDataDirInUse(this.config.dataDir);
  }

  onApplicationShutdown(): void {
    this.unmark?.();
    this.unmark = null;
  }
}
