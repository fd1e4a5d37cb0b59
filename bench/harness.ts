/**
 * The benchmark harness: what a benchmark module exports, and small timing helpers.
 *
 * A benchmark module is any `bench/*.bench.ts` file that exports `benchmarks: Benchmark[]`;
 * `bench/run.ts` finds it by its file name, so adding `projection.bench.ts` needs no registration.
 */

export interface BenchContext {
  /** A fresh temporary directory for this benchmark only; the runner removes it afterwards. */
  dir: string;
  /** Progress for humans: goes to stderr, never to the JSON lines on stdout. */
  log: (message: string) => void;
}

export interface Measurement {
  value: number;
  unit: string;
  /** The raw operation measured in the same run, in the same unit, so that `value / baseline` travels. */
  baseline: number;
}

export interface Benchmark {
  /** Dotted name, `area.operation[.variant]`, e.g. `eventstore.append.single`. */
  name: string;
  /** One line: what is measured and what the baseline is. */
  description: string;
  run: (context: BenchContext) => Promise<Measurement>;
}

/** One line of output. */
export interface BenchResult extends Measurement {
  name: string;
  ratio: number;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error('median of nothing');
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Rounds to `digits` significant digits (whole numbers stay whole when they are large). */
export function roundSignificant(value: number, digits = 3): number {
  if (value === 0 || !Number.isFinite(value)) return value;
  if (Math.abs(value) >= 10 ** digits) return Math.round(value);
  const scale = 10 ** (digits - 1 - Math.floor(Math.log10(Math.abs(value))));
  return Math.round(value * scale) / scale;
}

/**
 * Calls `operation` until `durationMs` has passed and returns the rate in units per second.
 * `operation` returns how many units (events) it handled; it may be synchronous or asynchronous.
 */
export async function ratePerSecond(
  durationMs: number,
  operation: () => number | Promise<number>,
): Promise<number> {
  let units = 0;
  const start = performance.now();
  let now = start;
  while (now - start < durationMs) {
    units += await operation();
    now = performance.now();
  }
  return (units * 1000) / (now - start);
}

export interface RoundsOptions {
  rounds: number;
  /** Runs once, untimed, before the first round of each side (JIT, page cache, statement cache). */
  warmup?: { subject: () => Promise<unknown>; baseline: () => Promise<unknown> };
  subject: () => Promise<number>;
  baseline: () => Promise<number>;
  log: (message: string) => void;
  unit: string;
}

/**
 * Runs subject and baseline rounds interleaved (B S B S ...) so that a slow spell of a noisy machine
 * hits both sides alike, and returns the median of each side.
 */
export async function interleavedRounds(
  options: RoundsOptions,
): Promise<{ value: number; baseline: number }> {
  if (options.warmup) {
    await options.warmup.baseline();
    await options.warmup.subject();
  }
  const subject: number[] = [];
  const baseline: number[] = [];
  for (let round = 1; round <= options.rounds; round += 1) {
    baseline.push(await options.baseline());
    subject.push(await options.subject());
    options.log(
      `round ${round}/${options.rounds}: ${format(subject.at(-1)!)} ${options.unit}, baseline ${format(baseline.at(-1)!)} ${options.unit}`,
    );
  }
  return { value: median(subject), baseline: median(baseline) };
}

export function format(value: number): string {
  return roundSignificant(value).toLocaleString('en-US');
}

/**
 * A duration scaled by `BENCH_TIME_SCALE` (default 1), e.g. `BENCH_TIME_SCALE=0.2` for a smoke run
 * while writing a benchmark. Figures for the record are taken at the default scale.
 */
export function benchMs(ms: number): number {
  const scale = Number(process.env.BENCH_TIME_SCALE ?? '1');
  return Number.isFinite(scale) && scale > 0 ? Math.max(1, Math.round(ms * scale)) : ms;
}
