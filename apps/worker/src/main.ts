import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { loadConfigOrExit } from '@dukao/config';
import { PinoLoggerService, createLogger } from '@dukao/observability';
import { WorkerModule } from './worker.module';

/**
 * On SIGTERM/SIGINT the shutdown hooks run in order: the reactors stop after the event in hand, the
 * queue stops taking jobs and waits for the running ones, the projections commit their checkpoints,
 * and the stores close last.
 */
async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const logger = new PinoLoggerService(createLogger({ service: 'worker', level: config.logLevel }));
  const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(config), { logger });
  app.enableShutdownHooks();
  new Logger('Dukao').log(`worker started (${config.mode} mode)`);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `Dukao worker failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
