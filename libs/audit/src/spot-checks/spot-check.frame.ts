import type { TargetEvent } from '@dukao/targets';
import type { FrameItem } from './spot-check.sampler';

export const SPOT_CHECK_POPULATIONS = ['targets', 'reports'] as const;
/** What is drawn: targets (察访 of the work as a whole) or reports (核验 of reported figures). */
export type SpotCheckPopulation = (typeof SPOT_CHECK_POPULATIONS)[number];

/** Which candidates a draw considers (the rule that rebuilds its frame from the log). */
export interface FrameRule {
  cycleId: string;
  population: SpotCheckPopulation;
  /** Reports of this period only (e.g. 2026-Q3); null: every period. Not used for targets. */
  period: string | null;
  /** Limit to these units / categories; null: all. */
  unitIds: string[] | null;
  categories: string[] | null;
}

interface TargetFacts {
  targetId: string;
  cycleId: string;
  unitId: string;
  category: string;
  indicatorId: string;
  status: 'proposed' | 'issued' | 'withdrawn';
  reports: Map<string, { period: string; status: 'counting' | 'replaced' | 'rejected' }>;
}

/**
 * The frame of a draw (pure): folds the target events given (the log up to the draw's position) and
 * lists, ordered by itemId,
 * - `targets`: the cycle's issued, not withdrawn targets;
 * - `reports`: the reports and nil returns of those targets (of `period` when given) that count:
 *   neither replaced by a correction nor rejected;
 * limited to `unitIds` / `categories` when given. Other events are ignored, so the caller may pass
 * more of the log than the target streams.
 */
export function buildFrame(events: Iterable<{ type: string; data: unknown }>, rule: FrameRule): FrameItem[] {
  const targets = new Map<string, TargetFacts>();
  for (const stored of events) {
    const event = stored as TargetEvent;
    switch (event.type) {
      case 'TargetProposed':
      case 'TargetResubmitted': {
        const d = event.data.definition;
        const known = targets.get(event.data.targetId);
        targets.set(event.data.targetId, {
          targetId: event.data.targetId,
          cycleId: d.cycleId,
          unitId: d.unitId,
          category: d.category,
          indicatorId: d.indicatorId,
          status: known?.status ?? 'proposed',
          reports:
            known?.reports ??
            new Map<string, { period: string; status: 'counting' | 'replaced' | 'rejected' }>(),
        });
        break;
      }
      case 'TargetIssued':
      case 'TargetWithdrawn': {
        const target = targets.get(event.data.targetId);
        if (target) target.status = event.type === 'TargetIssued' ? 'issued' : 'withdrawn';
        break;
      }
      case 'ProgressReported':
      case 'NilReturnDeclared': {
        const target = targets.get(event.data.targetId);
        if (!target) break;
        target.reports.set(event.data.reportId, { period: event.data.period, status: 'counting' });
        const replaced = event.type === 'ProgressReported' ? event.data.replaces : null;
        const old = replaced ? target.reports.get(replaced) : undefined;
        if (old) old.status = 'replaced';
        break;
      }
      case 'ReportRejected': {
        const report = targets.get(event.data.targetId)?.reports.get(event.data.reportId);
        if (report) report.status = 'rejected';
        break;
      }
      default:
        break;
    }
  }
  const units = rule.unitIds ? new Set(rule.unitIds) : null;
  const categories = rule.categories ? new Set(rule.categories) : null;
  const frame: FrameItem[] = [];
  for (const t of targets.values()) {
    if (t.cycleId !== rule.cycleId || t.status !== 'issued') continue;
    if ((units && !units.has(t.unitId)) || (categories && !categories.has(t.category))) continue;
    const base = { targetId: t.targetId, unitId: t.unitId, category: t.category, indicatorId: t.indicatorId };
    if (rule.population === 'targets') {
      frame.push({ itemId: t.targetId, ...base, reportId: null, period: null });
      continue;
    }
    for (const [reportId, report] of t.reports) {
      if (report.status !== 'counting' || (rule.period !== null && report.period !== rule.period)) continue;
      frame.push({ itemId: reportId, ...base, reportId, period: report.period });
    }
  }
  return frame.sort((a, b) => (a.itemId < b.itemId ? -1 : a.itemId > b.itemId ? 1 : 0));
}
