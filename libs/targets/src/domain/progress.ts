import type { Cadence } from './periods';
import type { Direction } from './target.events';

/**
 * Direction-aware completion ratio (shared/DOMAIN.md): actual/target when higher is better,
 * target/actual when lower is better (an actual of 0 there earns the cap). No report: 0.
 * The cap applies only where a caller passes one (scoring caps; views show the raw ratio).
 */
export function completionRatio(
  direction: Direction,
  actual: number | null,
  target: number | null,
  cap = Infinity,
): number {
  if (actual === null || target === null) return 0;
  if (direction === 'higherIsBetter')
    return target === 0 ? (actual >= 0 ? cap : 0) : Math.min(actual / target, cap);
  if (actual <= 0) return cap === Infinity ? 1 : cap;
  return Math.min(target / actual, cap);
}

/** Rounds for display (two decimals); scoring keeps its own rounding rule. */
export const round2 = (n: number) => Math.round(n * 100) / 100;

/**
 * The expected cumulative % (基准时序进度) at an instant: the schedule value at the end of each
 * elapsed period, interpolated linearly inside the current one (0 before the year starts, 100 after).
 */
export function expectedPctAt(
  schedule: readonly number[],
  cadence: Cadence,
  year: number,
  at: string | Date,
): number {
  const t = new Date(at).getTime();
  const periodMonths = cadence === 'monthly' ? 1 : 3;
  // Period boundaries in Shanghai time (UTC+8): the end of period i is the start of the next one.
  const boundary = (i: number) => Date.UTC(year, i * periodMonths, 1) - 8 * 3_600_000;
  if (t <= boundary(0)) return 0;
  for (let i = 0; i < schedule.length; i += 1) {
    const start = boundary(i);
    const end = boundary(i + 1);
    if (t < end) {
      const before = i === 0 ? 0 : schedule[i - 1]!;
      return round2(before + ((schedule[i]! - before) * (t - start)) / (end - start));
    }
  }
  return schedule.at(-1) ?? 100;
}

/** The schedule value at the end of a period (what a report for that period is compared with). */
export function expectedPctForPeriod(
  schedule: readonly number[],
  cadence: Cadence,
  lastMonth: number,
): number {
  const index = cadence === 'monthly' ? lastMonth - 1 : lastMonth / 3 - 1;
  return schedule[index] ?? 0;
}
