import type { WarningReasonData } from '@dukao/warnings';
import type { SupervisionNoticeView } from '../projections/supervision-notices.projection';

type CaseFacts = Pick<SupervisionNoticeView, 'status' | 'stage' | 'deadlineAt'>;

/** Overdue at `now`: open, nothing awaiting the office's review, and the deadline day has ended. */
export function noticeOverdue(notice: CaseFacts, now: string): boolean {
  return notice.status === 'open' && notice.stage !== 'reported' && now >= notice.deadlineAt;
}

export interface BoardCounts {
  open: number;
  overdue: number;
  round2: number;
  closed: number;
  total: number;
}

const zero = (): BoardCounts => ({ open: 0, overdue: 0, round2: 0, closed: 0, total: 0 });

function count(into: BoardCounts, notice: SupervisionNoticeView, now: string): void {
  into.total += 1;
  if (notice.status === 'closed') into.closed += 1;
  else into.open += 1;
  if (noticeOverdue(notice, now)) into.overdue += 1;
  if (notice.round >= 2 && notice.status === 'open') into.round2 += 1;
}

/**
 * The supervision board at `now`: totals, then one row per unit and one per tracker (专人跟踪, round-2
 * cases only). `open` counts every open case, `overdue` and `round2` the open ones that are so.
 */
export function supervisionBoard(notices: readonly SupervisionNoticeView[], now: string) {
  const totals = zero();
  const units = new Map<string, BoardCounts & { unitId: string }>();
  const trackers = new Map<string, BoardCounts & { tracker: string }>();
  for (const notice of notices) {
    count(totals, notice, now);
    let unit = units.get(notice.unitId);
    if (!unit) units.set(notice.unitId, (unit = { unitId: notice.unitId, ...zero() }));
    count(unit, notice, now);
    if (notice.tracker !== null) {
      let row = trackers.get(notice.tracker);
      if (!row) trackers.set(notice.tracker, (row = { tracker: notice.tracker, ...zero() }));
      count(row, notice, now);
    }
  }
  const order = (a: BoardCounts, b: BoardCounts) => b.overdue - a.overdue || b.open - a.open;
  return {
    totals,
    byUnit: [...units.values()].sort((a, b) => order(a, b) || a.unitId.localeCompare(b.unitId)),
    byTracker: [...trackers.values()].sort((a, b) => order(a, b) || a.tracker.localeCompare(b.tracker)),
  };
}

export interface RedWarning {
  targetId: string;
  cycleId: string;
  unitId: string;
  category: string;
  since: string;
  reasons: WarningReasonData[];
}

export interface NoticeCandidate {
  targetId: string;
  /** The red milestone (节点), or null when the target itself is red (gap, overdue report). */
  milestoneId: string | null;
  cycleId: string;
  unitId: string;
  category: string;
  since: string;
  /** The red reasons behind this candidate, in Chinese. */
  reasons: WarningReasonData[];
}

/**
 * What the office might open a case on (a person decides): each red target, split into its red
 * milestones (one candidate each) and the target itself when other red rules fired, leaving out
 * those an open case already covers (the same milestone, or the whole target).
 */
export function noticeCandidates(
  reds: readonly RedWarning[],
  openNotices: ReadonlyArray<Pick<SupervisionNoticeView, 'targets'>>,
): NoticeCandidate[] {
  const covered = new Set(
    openNotices.flatMap((n) => n.targets.map((t) => `${t.targetId}/${t.milestoneId ?? ''}`)),
  );
  const candidates: NoticeCandidate[] = [];
  for (const warning of reds) {
    if (covered.has(`${warning.targetId}/`)) continue;
    const red = warning.reasons.filter((r) => r.level === 'red');
    const base = {
      targetId: warning.targetId,
      cycleId: warning.cycleId,
      unitId: warning.unitId,
      category: warning.category,
      since: warning.since,
    };
    const milestones = [...new Set(red.flatMap((r) => (r.milestoneId === null ? [] : [r.milestoneId])))];
    for (const milestoneId of milestones) {
      if (covered.has(`${warning.targetId}/${milestoneId}`)) continue;
      candidates.push({ ...base, milestoneId, reasons: red.filter((r) => r.milestoneId === milestoneId) });
    }
    const whole = red.filter((r) => r.milestoneId === null);
    if (whole.length > 0) candidates.push({ ...base, milestoneId: null, reasons: whole });
  }
  return candidates;
}
