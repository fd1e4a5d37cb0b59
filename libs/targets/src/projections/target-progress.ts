import { completionRatio, expectedPctAt, expectedPctForPeriod, round2 } from '../domain/progress';
import { lastMonthOf } from '../domain/periods';
import type { TargetView } from './targets.projection';

export interface TargetProgress {
  /** The target value in force now (after rulings effective by now). */
  valueInForce: number | null;
  /** Completion % of the latest counting report against the value in force (milestone targets: share done). */
  completionPct: number;
  /** Expected cumulative % for the latest report's period, and for today (interpolated). */
  expectedPctForLatestPeriod: number | null;
  expectedPctToday: number;
  /** expected − completion at the latest reported period (positive = behind). */
  gap: number | null;
}

/** Derived figures of a target at an instant; computed on read so that time passing needs no event. */
export function targetProgress(target: TargetView, now: Date): TargetProgress {
  const at = now.toISOString();
  const valueInForce =
    target.valueHistory.filter((v) => v.effectiveFrom === null || v.effectiveFrom <= at).at(-1)?.value ??
    target.annualValue;
  const expectedPctToday = expectedPctAt(target.schedule, target.cadence, target.year, now);
  if (target.kind === 'milestones') {
    const done = target.milestones.filter((m) => m.completedOn !== null).length;
    const completionPct = target.milestones.length ? round2((100 * done) / target.milestones.length) : 0;
    return { valueInForce, completionPct, expectedPctForLatestPeriod: null, expectedPctToday, gap: null };
  }
  const latest = target.latest;
  const completionPct = round2(
    100 * completionRatio(target.direction, latest?.cumulativeValue ?? null, valueInForce),
  );
  const expected = latest
    ? expectedPctForPeriod(target.schedule, target.cadence, lastMonthOf(latest.period))
    : null;
  return {
    valueInForce,
    completionPct,
    expectedPctForLatestPeriod: expected,
    expectedPctToday,
    gap: expected === null ? null : round2(expected - completionPct),
  };
}
