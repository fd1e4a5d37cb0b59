import type { Scheme } from './scheme';

/** The warning thresholds of a scheme version (`Scheme['warnings']`). */
export type WarningThresholdSet = Scheme['warnings'];
export type WarningThresholdKey = keyof WarningThresholdSet;

/**
 * A target's own warning thresholds (DOMAIN.md: "Per-target thresholds override"): any of the
 * scheme's keys, each replacing the scheme's value for that target; the keys not given keep the
 * scheme's. An empty object is no override at all.
 */
export type WarningThresholdOverrides = Partial<WarningThresholdSet>;

/**
 * Each key of `Scheme['warnings']` in the scheme's order, with its unit, its bounds and its Chinese
 * name. Gaps are percentage points of the 基准时序进度 (a gap never exceeds 100, so 100 turns a gap
 * rule off); day counts are whole days (366 turns a day rule off for a year).
 */
export const WARNING_THRESHOLD_FIELDS: ReadonlyArray<{
  key: WarningThresholdKey;
  name: string;
  integer: boolean;
  max: number;
}> = [
  { key: 'bellGap', name: '警铃进度差阈值（百分点）', integer: false, max: 100 },
  { key: 'yellowGap', name: '黄牌进度差阈值（百分点）', integer: false, max: 100 },
  { key: 'redGap', name: '红牌进度差阈值（百分点）', integer: false, max: 100 },
  { key: 'dueSoonDays', name: '临近报送截止天数', integer: true, max: 366 },
  { key: 'redOverdueDays', name: '逾期转红牌天数', integer: true, max: 366 },
  { key: 'milestoneYellowDays', name: '节点亮黄灯天数', integer: true, max: 366 },
];

/**
 * Checks a target's proposed thresholds and returns them in the scheme's key order (so two equal
 * sets compare equal), or the problems in Chinese: unknown keys, values that are not numbers, are
 * negative, too large, or not whole days where days are counted.
 */
export function parseWarningThresholds(
  value: Readonly<Record<string, unknown>>,
): { thresholds: WarningThresholdOverrides; problems: [] } | { thresholds: null; problems: string[] } {
  const problems: string[] = [];
  const known = new Set<string>(WARNING_THRESHOLD_FIELDS.map((f) => f.key));
  const unknown = Object.keys(value).filter((key) => !known.has(key));
  if (unknown.length > 0) {
    const named = unknown.slice(0, 5).map((key) => `“${key.slice(0, 64)}”`);
    problems.push(`未知的预警阈值：${named.join('、')}${unknown.length > 5 ? ' 等' : ''}`);
  }
  const thresholds: WarningThresholdOverrides = {};
  for (const { key, name, integer, max } of WARNING_THRESHOLD_FIELDS) {
    if (!Object.prototype.hasOwnProperty.call(value, key)) continue;
    const v = value[key];
    if (typeof v !== 'number' || !Number.isFinite(v)) problems.push(`${name}须为数值`);
    else if (v < 0 || v > max) problems.push(`${name}须在 0–${max} 之间`);
    else if (integer && !Number.isInteger(v)) problems.push(`${name}须为整数天`);
    else thresholds[key] = v;
  }
  return problems.length ? { thresholds: null, problems } : { thresholds, problems: [] };
}

/** True when two override sets (as `parseWarningThresholds` returns them) say the same. */
export function sameWarningThresholds(a: WarningThresholdOverrides, b: WarningThresholdOverrides): boolean {
  return WARNING_THRESHOLD_FIELDS.every(({ key }) => a[key] === b[key]);
}

/** The thresholds that apply to a target: the scheme version's, with the target's own in their place. */
export function warningThresholdsInForce(
  scheme: WarningThresholdSet,
  overrides: WarningThresholdOverrides | null | undefined,
): WarningThresholdSet {
  const applied = { ...scheme };
  for (const { key } of WARNING_THRESHOLD_FIELDS) {
    const v = overrides?.[key];
    if (typeof v === 'number') applied[key] = v;
  }
  return applied;
}
