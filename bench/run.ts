/**
 * `npm run bench [-- name-prefix ...]`: runs every benchmark exported by a `*.bench.ts` module next
 * to this file, or only those whose name equals or starts with one of the given prefixes
 * (`npm run bench -- eventstore.append`). `--list` prints the names and descriptions.
 *
 * stdout: one JSON object per benchmark, `{"name","value","unit","baseline","ratio"}`.
 * stderr: progress. Each benchmark gets a fresh directory under os.tmpdir(), removed afterwards.
 * The exit code is 1 when a benchmark failed or a prefix matched nothing.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BenchResult, type Benchmark, format, roundSignificant } from './harness';

function loadBenchmarks(): Benchmark[] {
  // Compiled to dist/bench/*.bench.js; also works when run from source through a TS loader.
  const files = readdirSync(__dirname)
    .filter((file) => /\.bench\.(js|ts)$/.test(file) && !file.endsWith('.d.ts'))
    .sort();
  const benchmarks: Benchmark[] = [];
  const seen = new Set<string>();
  for (const file of files) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const loaded = require(join(__dirname, file)) as { benchmarks?: readonly Benchmark[] };
    if (!loaded.benchmarks) throw new Error(`${file} does not export \`benchmarks\``);
    for (const benchmark of loaded.benchmarks) {
      if (seen.has(benchmark.name)) throw new Error(`two benchmarks named ${benchmark.name}`);
      seen.add(benchmark.name);
      benchmarks.push(benchmark);
    }
  }
  return benchmarks;
}

function log(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

async function main(argv: readonly string[]): Promise<number> {
  const all = loadBenchmarks();
  if (argv.includes('--list')) {
    for (const benchmark of all) process.stderr.write(`${benchmark.name}\t${benchmark.description}\n`);
    return 0;
  }
  const prefixes = argv.filter((arg) => !arg.startsWith('--'));
  const unmatched = prefixes.filter((prefix) => !all.some((b) => b.name.startsWith(prefix)));
  if (unmatched.length > 0) {
    log(`no benchmark matches ${unmatched.join(', ')}; known: ${all.map((b) => b.name).join(', ')}`);
    return 1;
  }
  const selected = prefixes.length
    ? all.filter((b) => prefixes.some((prefix) => b.name.startsWith(prefix)))
    : all;

  let failed = 0;
  const started = performance.now();
  for (const benchmark of selected) {
    const dir = mkdtempSync(join(tmpdir(), 'dukao-bench-'));
    const t0 = performance.now();
    log(`${benchmark.name}: ${benchmark.description}`);
    try {
      const measured = await benchmark.run({ dir, log: (message) => log(`  ${benchmark.name}: ${message}`) });
      const result: BenchResult = {
        name: benchmark.name,
        value: roundSignificant(measured.value, 4),
        unit: measured.unit,
        baseline: roundSignificant(measured.baseline, 4),
        ratio: roundSignificant(measured.value / measured.baseline, 3),
      };
      process.stdout.write(`${JSON.stringify(result)}\n`);
      log(
        `${benchmark.name}: ${format(measured.value)} ${measured.unit} (baseline ${format(measured.baseline)}, ` +
          `ratio ${result.ratio}) in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
      );
    } catch (error) {
      failed += 1;
      log(
        `${benchmark.name} FAILED: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  log(
    `${selected.length - failed}/${selected.length} benchmarks in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
  return failed ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    log(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exitCode = 1;
  },
);
