import 'reflect-metadata';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { generateDemoCity } from './demo/demo-city';

/**
 * `npm run demo:generate -- --seed N --units 42 --months 10 [--data-dir D]`: generates the demo city
 * (docs/demo.md) into a new or empty directory (default `./data-demo`) by driving the real HTTP
 * commands on a simulated clock. The same seed gives the same log (its digest is printed).
 */
async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      seed: { type: 'string', default: '0' },
      units: { type: 'string', default: '42' },
      months: { type: 'string', default: '10' },
      'data-dir': { type: 'string', default: './data-demo' },
      'targets-per-unit': { type: 'string' },
      quiet: { type: 'boolean', default: false },
    },
  });
  const dataDir = resolve(values['data-dir']);
  const started = Date.now();
  const summary = await generateDemoCity({
    seed: Number(values.seed),
    units: Number(values.units),
    months: Number(values.months),
    dataDir,
    ...(values['targets-per-unit'] ? { targetsPerUnit: Number(values['targets-per-unit']) } : {}),
    progress: values.quiet ? undefined : (line) => process.stderr.write(`demo: ${line}\n`),
  });
  process.stdout.write(
    `demo city (seed ${summary.seed}) in ${dataDir}: ${summary.towns} towns, ${summary.departments} departments, ` +
      `${summary.targets.towns + summary.targets.departments} targets, ${summary.reports} reports, ` +
      `${summary.events} events in ${((Date.now() - started) / 1000).toFixed(0)} s\n` +
      `log digest (sha256): ${summary.logDigest}\n`,
  );
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`demo:generate failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
