import type { CaseReminderInput } from '@dukao/warnings';
import type { SupervisionNoticeView } from '../projections/supervision-notices.projection';

/** The stages of a round in which the unit owes the answer (as the decider counts a round overdue). */
const OWED_STAGES: ReadonlySet<SupervisionNoticeView['stage']> = new Set(['issued', 'signed', 'returned']);

/**
 * What the reminder planner needs of a case (`planCaseReminders` in @dukao/warnings): its current
 * round and deadline (after approved extensions), whether the unit still owes the round's answer
 * (the case is open and no answer awaits the office: issued, signed or returned), and for 二次督办 when
 * it was opened, whether the unit has answered in it, and the tracker. `tracker` is the tracker's user
 * id when they can get an SMS (the caller looked them up: an active user with a phone), else null.
 */
export function caseReminderInputOf(
  notice: SupervisionNoticeView,
  unitName: string,
  tracker: string | null,
): CaseReminderInput {
  const round = notice.rounds.find((r) => r.round === notice.round) ?? null;
  return {
    noticeId: notice.noticeId,
    document: notice.kind,
    title: notice.title,
    unitId: notice.unitId,
    unitName,
    round: notice.round,
    deadline: notice.deadline,
    owed: notice.status === 'open' && OWED_STAGES.has(notice.stage),
    escalatedAt: notice.round >= 2 ? (round?.openedAt ?? null) : null,
    answeredInRound: (round?.rectifications.length ?? 0) > 0,
    tracker: notice.round >= 2 ? tracker : null,
  };
}
