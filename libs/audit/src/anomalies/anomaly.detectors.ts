import { completionRatio, endOfShanghaiDay, round2 } from '@dukao/targets';
import type { AnomalyEvidenceUses, AnomalyReport, AnomalyTargetFacts } from './anomalies.projection';
import { ANOMALY_SIGNALS, type AnomalySettings, type AnomalySignal } from './anomaly.settings';

type Value = string | number | boolean | null | Value[] | { [key: string]: Value };

/** One explainable signal on a report (or a target): what fired, why, and the events and values it rests on. */
export interface AnomalyFinding {
  signal: AnomalySignal;
  cycleId: string;
  unitId: string;
  category: string;
  targetId: string;
  title: string;
  reportId: string | null;
  period: string | null;
  /** The signal's weight from the settings: what the ranking adds up. */
  weight: number;
  /** Why, in Chinese. */
  detail: string;
  evidence: { eventIds: string[]; values: Record<string, Value> };
}

export interface DetectionInput {
  /** The population the signals are computed over (distribution, reuse): targets of a cycle, or all. */
  targets: readonly AnomalyTargetFacts[];
  /** The uses of the files the population's reports attached (any cycle). */
  evidence: readonly AnomalyEvidenceUses[];
  /** Unit and cycle of the targets those uses name, where they are outside `targets`. */
  otherTargets?: ReadonlyArray<Pick<AnomalyTargetFacts, '_id' | 'unitId' | 'cycleId'>>;
  settings: AnomalySettings;
}

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
const ms = (iso: string) => new Date(iso).getTime();
const byRecording = (a: AnomalyReport, b: AnomalyReport) => a.position - b.position;
const pctOf = (t: AnomalyTargetFacts, value: number | null) =>
  round2(100 * completionRatio(t.direction, value, t.annualValue));

function finding(
  t: AnomalyTargetFacts,
  settings: AnomalySettings,
  signal: AnomalySignal,
  report: Pick<AnomalyReport, 'reportId' | 'period'> | null,
  detail: string,
  eventIds: string[],
  values: Record<string, Value>,
): AnomalyFinding {
  return {
    signal,
    cycleId: t.cycleId,
    unitId: t.unitId,
    category: t.category,
    targetId: t._id,
    title: t.title,
    reportId: report?.reportId ?? null,
    period: report?.period ?? null,
    weight: settings.weights[signal],
    detail,
    evidence: { eventIds, values },
  };
}

const valued = (t: AnomalyTargetFacts) =>
  t.reports.filter((r) => r.kind === 'report' && r.cumulativeValue !== null).sort(byRecording);

/** 10% → 100% at the deadline: a jump of ≥ jumpPoints recorded within lastMinuteHours of the due date's end, or later. */
export function detectLastMinuteJumps({ targets, settings }: DetectionInput): AnomalyFinding[] {
  const found: AnomalyFinding[] = [];
  for (const t of targets) {
    const reports = valued(t);
    reports.forEach((r, i) => {
      const previous = reports
        .slice(0, i)
        .filter((p) => p.period < r.period && p.status !== 'rejected')
        .at(-1);
      const before = previous ? pctOf(t, previous.cumulativeValue) : 0;
      const after = pctOf(t, r.cumulativeValue);
      const jump = round2(after - before);
      const due = endOfShanghaiDay(r.dueDate);
      const hoursBeforeDue = round2((ms(due) - ms(r.recordedAt)) / HOUR_MS);
      if (jump < settings.jumpPoints || hoursBeforeDue > settings.lastMinuteHours) return;
      found.push(
        finding(
          t,
          settings,
          'lastMinuteJump',
          r,
          `完成度由 ${before}% 跃升至 ${after}%（+${jump} 个百分点），${
            hoursBeforeDue >= 0 ? `于截止前 ${hoursBeforeDue} 小时内填报` : '于截止后填报'
          }`,
          [...(previous ? [previous.eventId] : []), r.eventId],
          {
            previousValue: previous?.cumulativeValue ?? null,
            value: r.cumulativeValue,
            previousPct: before,
            pct: after,
            jumpPoints: jump,
            dueDate: r.dueDate,
            recordedAt: r.recordedAt,
            hoursBeforeDue,
          },
        ),
      );
    });
  }
  return found;
}

/** The same file (SHA-256) in reports of another unit or of another period. */
export function detectEvidenceReuse({
  targets,
  evidence,
  otherTargets = [],
  settings,
}: DetectionInput): AnomalyFinding[] {
  const owners = new Map<string, { unitId: string; cycleId: string }>();
  for (const t of [...otherTargets, ...targets]) owners.set(t._id, { unitId: t.unitId, cycleId: t.cycleId });
  const usesOf = new Map(evidence.map((e) => [e._id, e.uses]));
  const found: AnomalyFinding[] = [];
  for (const t of targets) {
    for (const r of [...t.reports].sort(byRecording)) {
      for (const file of r.evidence) {
        const others = (usesOf.get(file.sha256) ?? []).filter((u) => {
          if (u.reportId === r.reportId) return false;
          const owner = owners.get(u.targetId);
          return (owner !== undefined && owner.unitId !== t.unitId) || u.period !== r.period;
        });
        if (others.length === 0) continue;
        const uses = others.map((u) => ({
          unitId: owners.get(u.targetId)?.unitId ?? null,
          cycleId: owners.get(u.targetId)?.cycleId ?? null,
          targetId: u.targetId,
          reportId: u.reportId,
          period: u.period,
        }));
        const units = [...new Set(uses.map((u) => u.unitId).filter((u) => u !== null))];
        found.push(
          finding(
            t,
            settings,
            'evidenceReuse',
            r,
            `佐证材料“${file.name}”与另外 ${others.length} 份填报相同（${
              units.some((u) => u !== t.unitId) ? '跨单位' : '跨期次'
            }）`,
            [r.eventId, ...others.map((u) => u.eventId)],
            { sha256: file.sha256, name: file.name, otherUses: uses },
          ),
        );
      }
    }
  }
  return found;
}

/** A correction that makes the value worse, recorded after a spot check drew the target or report, or after a verification of the report. */
export function detectCorrectionsAfterCheck({ targets, settings }: DetectionInput): AnomalyFinding[] {
  const found: AnomalyFinding[] = [];
  for (const t of targets) {
    for (const c of t.reports) {
      const replaced = c.replaces ? t.reports.find((r) => r.reportId === c.replaces) : undefined;
      if (!replaced || c.cumulativeValue === null || replaced.cumulativeValue === null) continue;
      const worse =
        t.direction === 'higherIsBetter'
          ? c.cumulativeValue < replaced.cumulativeValue
          : c.cumulativeValue > replaced.cumulativeValue;
      if (!worse) continue;
      const check = t.checks.find(
        (k) =>
          k.position < c.position &&
          (k.kind === 'spotCheck'
            ? k.reportId === null || k.reportId === replaced.reportId
            : k.reportId === replaced.reportId),
      );
      if (!check) continue;
      found.push(
        finding(
          t,
          settings,
          'correctionAfterCheck',
          c,
          `${check.kind === 'spotCheck' ? '被抽查' : '数据审核通过'}后更正，数值由 ${replaced.cumulativeValue} 改为 ${c.cumulativeValue}`,
          [replaced.eventId, check.eventId, c.eventId],
          {
            before: replaced.cumulativeValue,
            after: c.cumulativeValue,
            check: check.kind,
            checkedAt: check.at,
            correctedAt: c.recordedAt,
          },
        ),
      );
    }
  }
  return found;
}

/** Business time (occurredAt, or a milestone's completion date) more than backdateDays before the recording. */
export function detectBackdating({ targets, settings }: DetectionInput): AnomalyFinding[] {
  const found: AnomalyFinding[] = [];
  const limit = settings.backdateDays * DAY_MS;
  for (const t of targets) {
    for (const r of [...t.reports].sort(byRecording)) {
      const days = (iso: string) => round2((ms(r.recordedAt) - ms(iso)) / DAY_MS);
      const milestones = r.milestonesCompleted.filter(
        (m) => ms(r.recordedAt) - ms(endOfShanghaiDay(m.completedOn)) > limit,
      );
      const reportLate = ms(r.recordedAt) - ms(r.occurredAt) > limit;
      if (!reportLate && milestones.length === 0) continue;
      const parts = [
        ...(reportLate
          ? [`业务时间 ${r.occurredAt.slice(0, 10)} 比记录时间早 ${days(r.occurredAt)} 天`]
          : []),
        ...milestones.map(
          (m) =>
            `节点 ${m.milestoneId} 完成日期 ${m.completedOn} 比记录时间早 ${days(endOfShanghaiDay(m.completedOn))} 天`,
        ),
      ];
      found.push(
        finding(t, settings, 'backdated', r, parts.join('；'), [r.eventId], {
          occurredAt: r.occurredAt,
          recordedAt: r.recordedAt,
          days: days(r.occurredAt),
          milestones: milestones.map((m) => ({ ...m, days: days(endOfShanghaiDay(m.completedOn)) })),
          backdateDays: settings.backdateDays,
        }),
      );
    }
  }
  return found;
}

/** staleReports consecutive periods with the same value, each saying "on track", the target not complete. */
export function detectStaleOnTrack({ targets, settings }: DetectionInput): AnomalyFinding[] {
  const found: AnomalyFinding[] = [];
  const n = settings.staleReports;
  const phraseOf = (narrative: string) => settings.onTrackPhrases.find((p) => narrative.includes(p)) ?? null;
  for (const t of targets) {
    const latestByPeriod = new Map<string, AnomalyReport>();
    for (const r of valued(t)) if (r.status !== 'rejected') latestByPeriod.set(r.period, r);
    const series = [...latestByPeriod.values()].sort((a, b) => (a.period < b.period ? -1 : 1));
    for (let end = n - 1; end < series.length; end += 1) {
      const window = series.slice(end - n + 1, end + 1);
      const value = window[0]!.cumulativeValue;
      if (!window.every((r) => r.cumulativeValue === value && phraseOf(r.narrative) !== null)) continue;
      if (pctOf(t, value) >= 100) continue;
      const last = window.at(-1)!;
      found.push(
        finding(
          t,
          settings,
          'staleOnTrack',
          last,
          `连续 ${n} 期数值均为 ${value}，却称“${phraseOf(last.narrative)}”`,
          window.map((r) => r.eventId),
          { value, periods: window.map((r) => r.period), phrases: window.map((r) => phraseOf(r.narrative)) },
        ),
      );
    }
  }
  return found;
}

function median(sorted: readonly number[]): number {
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * Completion % far from the peers' (same cycle, category, indicator and period, latest counting
 * report each): robust z = 0.6745 (x − median) / MAD above outlierZ, with at least outlierMinPeers
 * targets. When more than half the peers agree exactly (MAD 0), the mean absolute deviation × 1.2533
 * stands in for it; when every peer agrees, nothing is an outlier.
 */
export function detectOutliers({ targets, settings }: DetectionInput): AnomalyFinding[] {
  const groups = new Map<string, Array<{ t: AnomalyTargetFacts; r: AnomalyReport; pct: number }>>();
  for (const t of targets) {
    if (!t.issued || t.withdrawn) continue;
    const counting = valued(t).filter((r) => r.status === 'counting');
    const latest = counting
      .sort((a, b) => (a.period === b.period ? a.position - b.position : a.period < b.period ? -1 : 1))
      .at(-1);
    if (!latest) continue;
    const key = [t.cycleId, t.category, t.indicatorId, latest.period].join('\u0000');
    groups.set(key, [...(groups.get(key) ?? []), { t, r: latest, pct: pctOf(t, latest.cumulativeValue) }]);
  }
  const found: AnomalyFinding[] = [];
  for (const peers of groups.values()) {
    if (peers.length < settings.outlierMinPeers) continue;
    const values = peers.map((p) => p.pct).sort((a, b) => a - b);
    const med = median(values);
    const mad = median(values.map((v) => Math.abs(v - med)).sort((a, b) => a - b));
    const scale =
      mad > 0 ? mad / 0.6745 : (1.2533 * values.reduce((s, v) => s + Math.abs(v - med), 0)) / values.length;
    if (scale === 0) continue;
    for (const { t, r, pct } of peers) {
      const z = round2((pct - med) / scale);
      if (Math.abs(z) <= settings.outlierZ) continue;
      found.push(
        finding(
          t,
          settings,
          'outlier',
          r,
          `完成度 ${pct}% 远离同类 ${peers.length} 个单位的中位数 ${round2(med)}%（稳健 z = ${z}）`,
          [r.eventId],
          { pct, median: round2(med), mad: round2(mad), z, peers: peers.length, period: r.period },
        ),
      );
    }
  }
  return found;
}

/** A report marking milestones done without any evidence attached. */
export function detectMilestonesWithoutEvidence({ targets, settings }: DetectionInput): AnomalyFinding[] {
  const found: AnomalyFinding[] = [];
  for (const t of targets)
    for (const r of [...t.reports].sort(byRecording)) {
      if (r.milestonesCompleted.length === 0 || r.evidence.length > 0) continue;
      const ids = r.milestonesCompleted.map((m) => m.milestoneId);
      found.push(
        finding(
          t,
          settings,
          'milestoneWithoutEvidence',
          r,
          `标记节点 ${ids.join('、')} 完成，未附佐证材料`,
          [r.eventId],
          {
            milestones: ids,
          },
        ),
      );
    }
  return found;
}

/**
 * Confirmed 虚报瞒报 cases of spot checks: findings, not suspicions, listed with the signals; a case the
 * committee overturned on appeal is no longer one.
 */
export function detectConfirmedFalseReports({ targets, settings }: DetectionInput): AnomalyFinding[] {
  return targets.flatMap((t) =>
    t.falseReports
      .filter((c) => c.ruling?.outcome !== 'overturned')
      .map((c) =>
        finding(
          t,
          settings,
          'falseReportConfirmed',
          c.reportId
            ? { reportId: c.reportId, period: t.reports.find((r) => r.reportId === c.reportId)?.period ?? '' }
            : null,
          `察访核验认定${c.kind === 'falseReport' ? '虚报' : '瞒报'}：${c.findings}`,
          [c.eventId, ...(c.ruling ? [c.ruling.eventId] : [])],
          {
            caseId: c.caseId,
            kind: c.kind,
            spotCheckId: c.spotCheckId,
            confirmedAt: c.confirmedAt,
            ruling: c.ruling?.outcome ?? null,
          },
        ),
      ),
  );
}

export const ANOMALY_DETECTORS: Record<AnomalySignal, (input: DetectionInput) => AnomalyFinding[]> = {
  lastMinuteJump: detectLastMinuteJumps,
  evidenceReuse: detectEvidenceReuse,
  correctionAfterCheck: detectCorrectionsAfterCheck,
  backdated: detectBackdating,
  staleOnTrack: detectStaleOnTrack,
  outlier: detectOutliers,
  milestoneWithoutEvidence: detectMilestonesWithoutEvidence,
  falseReportConfirmed: detectConfirmedFalseReports,
};

/** Every signal's findings (of `signals`, default all), in signal order. Pure. */
export function detectAnomalies(
  input: DetectionInput,
  signals: readonly AnomalySignal[] = ANOMALY_SIGNALS,
): AnomalyFinding[] {
  return ANOMALY_SIGNALS.filter((s) => signals.includes(s)).flatMap((s) => ANOMALY_DETECTORS[s](input));
}

export interface RankedReport {
  /** The report, or the target for a finding about a target as a whole. */
  subject: { kind: 'report' | 'target'; targetId: string; reportId: string | null };
  cycleId: string;
  unitId: string;
  category: string;
  title: string;
  period: string | null;
  score: number;
  signals: AnomalySignal[];
  findings: AnomalyFinding[];
}

export interface RankedUnit {
  unitId: string;
  cycleId: string;
  category: string;
  score: number;
  /** How many findings of each signal. */
  signals: Partial<Record<AnomalySignal, number>>;
  reports: number;
}

/** Reports and units ranked by the sum of their findings' weights (highest first; ties by id). Pure. */
export function rankAnomalies(findings: readonly AnomalyFinding[]): {
  reports: RankedReport[];
  units: RankedUnit[];
} {
  const reports = new Map<string, RankedReport>();
  for (const f of findings) {
    const key = f.reportId ? `r:${f.targetId}:${f.reportId}` : `t:${f.targetId}`;
    const entry = reports.get(key) ?? {
      subject: { kind: f.reportId ? 'report' : 'target', targetId: f.targetId, reportId: f.reportId },
      cycleId: f.cycleId,
      unitId: f.unitId,
      category: f.category,
      title: f.title,
      period: f.period,
      score: 0,
      signals: [],
      findings: [],
    };
    entry.score = round2(entry.score + f.weight);
    if (!entry.signals.includes(f.signal)) entry.signals.push(f.signal);
    entry.findings.push(f);
    reports.set(key, entry);
  }
  const units = new Map<string, RankedUnit>();
  for (const r of reports.values()) {
    const key = `${r.cycleId}\u0000${r.unitId}`;
    const unit = units.get(key) ?? {
      unitId: r.unitId,
      cycleId: r.cycleId,
      category: r.category,
      score: 0,
      signals: {},
      reports: 0,
    };
    unit.score = round2(unit.score + r.score);
    unit.reports += 1;
    for (const f of r.findings) unit.signals[f.signal] = (unit.signals[f.signal] ?? 0) + 1;
    units.set(key, unit);
  }
  const keyOf = (r: RankedReport) => `${r.subject.targetId}:${r.subject.reportId ?? ''}`;
  return {
    reports: [...reports.values()].sort((a, b) => b.score - a.score || (keyOf(a) < keyOf(b) ? -1 : 1)),
    units: [...units.values()].sort(
      (a, b) =>
        b.score - a.score ||
        (a.unitId < b.unitId ? -1 : a.unitId > b.unitId ? 1 : a.cycleId < b.cycleId ? -1 : 1),
    ),
  };
}
