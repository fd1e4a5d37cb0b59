import { Global, Module } from '@nestjs/common';
import { join } from 'node:path';
import { APP_CONFIG, type AppConfig } from '@dukao/config';
import { DiskEvidenceStore } from './disk.evidence-store';
import { EVIDENCE_STORE, type EvidenceStore } from './evidence-store.port';

/** The evidence store of a configuration: files under `<DATA_DIR>/evidence`, with what a crash left behind cleared. */
export async function createEvidenceStore(config: AppConfig): Promise<EvidenceStore> {
  const store = new DiskEvidenceStore({ root: join(config.dataDir, 'evidence') });
  await store.removeStaleTemporaryFiles();
  return store;
}

/** Provides the {@link EVIDENCE_STORE} (needs `APP_CONFIG`, from `AppConfigModule`). */
@Global()
@Module({
  providers: [{ provide: EVIDENCE_STORE, inject: [APP_CONFIG], useFactory: createEvidenceStore }],
  exports: [EVIDENCE_STORE],
})
export class EvidenceStoreModule {}
