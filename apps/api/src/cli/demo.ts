import 'reflect-metadata';
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfigOrExit } from '@dukao/config';
import { createApiApp } from '../bootstrap';
import { generateDemoCity } from './demo/demo-city';
import { DEMO_MARKER, DEMO_SUMMARY, type DemoSummary } from './demo/files';

/**
 * `npm run demo [-- --fresh] [--seed N] [--units 42] [--months 10] [--data-dir ./data-demo]`
 *
 * Starts the api in embedded mode on the demo city (docs/demo.md): generates it into `./data-demo`
 * when that directory holds no complete city (or with `--fresh`), then serves it and prints the URLs
 * and the demo logins. A directory is only ever wiped when it carries the generator's marker file;
 * `./data` and any other directory without it are refused. Never prompts.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      fresh: { type: 'boolean', default: false },
      seed: { type: 'string', default: '0' },
      units: { type: 'string', default: '42' },
      months: { type: 'string', default: '10' },
      'data-dir': { type: 'string', default: './data-demo' },
    },
  });
  const dataDir = resolve(values['data-dir']);
  const summaryFile = resolve(dataDir, DEMO_SUMMARY);
  const isDemoDir = existsSync(resolve(dataDir, DEMO_MARKER));
  if (existsSync(dataDir) && readdirSync(dataDir).length > 0 && !isDemoDir) {
    throw new Error(`${dataDir} holds data not made by the demo generator; choose another --data-dir`);
  }
  if (isDemoDir && (values.fresh || !existsSync(summaryFile))) {
    process.stderr.write(`demo: wiping the demo directory ${dataDir}\n`);
    rmSync(dataDir, { recursive: true, force: true });
  }
  if (!existsSync(summaryFile)) {
    process.stderr.write(
      `demo: generating the demo city into ${dataDir} (seed ${values.seed}, ${values.units} units, ${values.months} months); this takes a while\n`,
    );
    await generateDemoCity({
      seed: Number(values.seed),
      units: Number(values.units),
      months: Number(values.months),
      dataDir,
      progress: (line) => process.stderr.write(`demo: ${line}\n`),
    });
  }
  const summary = JSON.parse(readFileSync(summaryFile, 'utf8')) as DemoSummary;

  // Embedded mode on the demo directory, whatever the shell points the production settings at.
  const config = loadConfigOrExit({
    ...process.env,
    DATA_DIR: dataDir,
    EVENT_STORE_URL: undefined,
    READ_STORE_URL: undefined,
    REDIS_URL: undefined,
  });
  const app = await createApiApp(config);
  await app.listen(config.port);
  const url = `http://localhost:${config.port}`;
  const width = Math.max(...summary.logins.map((l) => l.username.length));
  process.stdout.write(
    [
      '',
      `Dukao demo city (seed ${summary.seed}): ${summary.towns} towns, ${summary.departments} departments, ` +
        `${summary.targets.towns + summary.targets.departments} targets, ${summary.reports} reports, ${summary.events} events`,
      `data: ${dataDir} (a demo directory; never use it for real work)`,
      '',
      `API docs  ${url}/docs`,
      `OpenAPI   ${url}/openapi.json`,
      `health    ${url}/health`,
      `rankings  ${url}/rankings/2026/towns/months (as kaohe-ban or shizhang)`,
      '',
      `logins (POST ${url}/auth/login), password ${summary.logins[0]?.password ?? ''} for all:`,
      ...summary.logins.map((l) => `  ${l.username.padEnd(width)}  ${l.what}`),
      '',
      `log digest (sha256, docs/demo.md): ${summary.logDigest}`,
      'Ctrl+C stops the server.',
      '',
    ].join('\n'),
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`demo failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
