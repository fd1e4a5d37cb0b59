import { periodEnd, type TargetDefinition } from '@dukao/targets';
import type { RecordedTargetEvent } from './scoring.inputs';

/** A reference to the event a rule drew on. */
export interface EventRef {
  eventId: string;
  position: number;
  type: string;
}

interface ReportFact {
  reportId: string;
  period: string;
  cumulativeValue: number | null;
  milestonesCompleted: Array<{ milestoneId: string; completedOn: string }>;
  status: 'pending' | 'verified' | 'rejected' | 'replaced';
  /** The ReportRejected that made it `rejected` (a ruling may overturn it); null otherwise. */
  rejection: EventRef | null;
  refs: EventRef[];
}

/** What the log says about one target, folded in stream order up to `asOf`. */
export interface TargetFacts {
  targetId: string;
  definition: TargetDefinition;
  definitionRef: EventRef;
  issued: EventRef | null;
  withdrawn: EventRef | null;
  adjustments: Array<{ newValue: number; effectiveFrom: string; ref: EventRef }>;
  reports: ReportFact[];
}

const refOf = (r: RecordedTargetEvent): EventRef => ({
  eventId: r.eventId,
  position: r.position,
  type: r.event.type,
});

/**
 * Folds target events into per-target facts. Events are grouped by target and ordered by position
 * within each target's stream, so the interleaving of streams in the input does not matter.
 */
export function foldTargets(events: readonly RecordedTargetEvent[], asOf: string | undefined): TargetFacts[] {
  const byTarget = new Map<string, RecordedTargetEvent[]>();
  for (const r of events) {
    if (asOf !== undefined && r.recordedAt > asOf) continue;
    const list = byTarget.get(r.event.data.targetId) ?? [];
    list.push(r);
    byTarget.set(r.event.data.targetId, list);
  }
  const out: TargetFacts[] = [];
  for (const [targetId, list] of [...byTarget].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    list.sort((a, b) => a.position - b.position || (a.eventId < b.eventId ? -1 : 1));
    let facts = null as TargetFacts | null;
    // The target's reports by reportId (a correction or a review names its report).
    const byReport = new Map<string, ReportFact[]>();
    for (const r of list) {
      const e = r.event;
      if (e.type === 'TargetProposed' || e.type === 'TargetResubmitted') {
        facts = facts
          ? { ...facts, definition: e.data.definition, definitionRef: refOf(r) }
          : {
              targetId,
              definition: e.data.definition,
              definitionRef: refOf(r),
              issued: null,
              withdrawn: null,
              adjustments: [],
              reports: [],
            };
        continue;
      }
      if (!facts) continue;
      switch (e.type) {
        case 'TargetIssued':
          facts.issued = refOf(r);
          break;
        case 'TargetWithdrawn':
          facts.withdrawn = refOf(r);
          break;
        case 'TargetAdjusted':
          facts.adjustments.push({
            newValue: e.data.newValue,
            effectiveFrom: e.data.effectiveFrom,
            ref: refOf(r),
          });
          break;
        case 'ProgressReported':
        case 'NilReturnDeclared': {
          const replaces = e.type === 'ProgressReported' ? e.data.replaces : null;
          for (const rep of replaces === null ? [] : (byReport.get(replaces) ?? [])) {
            rep.status = 'replaced';
            rep.refs.push(refOf(r));
          }
          const report: ReportFact = {
            reportId: e.data.reportId,
            period: e.data.period,
            cumulativeValue: e.type === 'ProgressReported' ? e.data.cumulativeValue : null,
            milestonesCompleted: e.type === 'ProgressReported' ? e.data.milestonesCompleted : [],
            status: 'pending',
            rejection: null,
            refs: [refOf(r)],
          };
          facts.reports.push(report);
          const same = byReport.get(report.reportId);
          if (same) same.push(report);
          else byReport.set(report.reportId, [report]);
          break;
        }
        case 'ReportVerified':
        case 'ReportRejected':
          for (const rep of byReport.get(e.data.reportId) ?? [])
            if (rep.status !== 'replaced') {
              rep.status = e.type === 'ReportVerified' ? 'verified' : 'rejected';
              rep.rejection = e.type === 'ReportRejected' ? refOf(r) : null;
              rep.refs.push(refOf(r));
            }
          break;
        default:
          break;
      }
    }
    if (facts) out.push(facts);
  }
  return out;
}

/** The target value in force at `at` (last adjustment effective by then, else the annual value). */
export function valueAt(f: TargetFacts, at: string): { value: number | null; ref: EventRef } {
  const adj = f.adjustments.filter((a) => a.effectiveFrom <= at).at(-1);
  return adj
    ? { value: adj.newValue, ref: adj.ref }
    : { value: f.definition.annualValue, ref: f.definitionRef };
}

/**
 * The reports that count at `at`: not rejected, not replaced, and for a period that ended by `at`
 * (a report's occurredAt is its period's end). Pending reports count until rejected; a rejected one
 * counts again when a ruling in force overturned its rejection (`overturned`: ReportRejected event ids).
 */
export function countingReports(
  f: TargetFacts,
  at: string,
  overturned: ReadonlySet<string> = new Set(),
): ReportFact[] {
  return f.reports.filter(
    (r) =>
      r.status !== 'replaced' &&
      (r.status !== 'rejected' || (r.rejection !== null && overturned.has(r.rejection.eventId))) &&
      endOf(r.period) <= at,
  );
}

const ends = new Map<string, string>();
/** `periodEnd`, memoised: every report of every target asks it, of a few dozen periods. */
function endOf(period: string): string {
  let end = ends.get(period);
  if (end === undefined) {
    if (ends.size >= 10_000) ends.clear();
    end = periodEnd(period);
    ends.set(period, end);
  }
  return end;
}
