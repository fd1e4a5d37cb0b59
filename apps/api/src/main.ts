import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { loadConfigOrExit } from '@dukao/config';
import { createApiApp } from './bootstrap';

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const app = await createApiApp(config);
  await app.listen(config.port);
  const where = config.mode === 'embedded' ? `embedded mode, data in ${config.dataDir}` : 'production mode';
  new Logger('Dukao').log(
    `api listening on http://localhost:${config.port} (${where}); docs at /docs, /openapi.json`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(
    `Dukao api failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
