import type { Decider } from '@dukao/event-store';
import type { EvidenceRef } from '@dukao/evidence-store';
import { PublicationErrors } from './publication.errors';
import { AppealErrors } from './appeal.errors';
import type { AppealEvent, AppealSubject, RulingOutcome } from './appeal.events';
import { isValidAdjustmentAmount, MAX_ADJUSTMENT_POINTS } from './score-adjustment.decider';

/** The publication appealed, as its RankingPublished says (read by the handler from its stream). */
export interface PublicationFacts {
  publicationId: string;
  cycleId: string;
  category: string;
  /** The business instant it scored and what the log knew then. */
  at: string;
  asOf: string;
  appealDeadline: string;
  /** The units in its rows. */
  unitIds: string[];
}

/** The contested item as found among the unit's own records or targets, and when the log learnt of it. */
export interface SubjectFacts {
  subject: AppealSubject;
  recordedAt: string;
}

export type AppealState =
  | { status: 'none' }
  | {
      status: 'filed' | 'withdrawn' | 'ruled';
      appealId: string;
      cycleId: string;
      unitId: string;
      publicationId: string;
      subject: AppealSubject;
    };

export type AppealCommand =
  | {
      type: 'FileAppeal';
      appealId: string;
      unitId: string;
      /** The unit's category, null when the unit is not registered. */
      unitCategory: string | null;
      publicationId: string;
      /** Null: no such publication. */
      publication: PublicationFacts | null;
      /** What the unit named (for the refusal's details). */
      subjectRequest: Record<string, unknown>;
      /** Null: nothing of that kind and id among the unit's own records or targets. */
      subject: SubjectFacts | null;
      reasons: string;
      evidence: EvidenceRef[];
      at: string;
    }
  | { type: 'WithdrawAppeal'; reason: string | null; at: string }
  | {
      type: 'RecordRuling';
      outcome: RulingOutcome;
      amount: number | null;
      reasoning: string;
      /** Null: from the contested item's business time. */
      effectiveFrom: string | null;
      at: string;
    };

/** Why a ruling does not fit its subject, in Chinese; null when it does. */
export function rulingProblem(
  subject: AppealSubject,
  outcome: RulingOutcome,
  amount: number | null,
): string | null {
  if (outcome !== 'partial')
    return amount === null
      ? subject.kind === 'score' && outcome === 'overturned'
        ? '对得分的申诉不能整体撤销，支持时请选“部分支持”并写明加减的分值'
        : null
      : '仅“部分支持”时填写分值';
  if (amount === null) return '“部分支持”须写明分值';
  switch (subject.kind) {
    case 'adjustment':
      return isValidAdjustmentAmount(amount, { allowZero: true }) && amount < subject.amount
        ? null
        : `“部分支持”须写明维持的分值：不小于 0、小于原分值 ${subject.amount}，最多三位小数`;
    case 'accountability':
      return isValidAdjustmentAmount(amount, { allowZero: true }) && amount < subject.deduction
        ? null
        : `“部分支持”须写明维持的扣分：不小于 0、小于原扣分 ${subject.deduction}，最多三位小数`;
    case 'score':
      return isValidAdjustmentAmount(amount, { allowNegative: true })
        ? null
        : `对得分的“部分支持”须写明加（正数）或减（负数）的分值，绝对值不超过 ${MAX_ADJUSTMENT_POINTS}，最多三位小数`;
    case 'veto':
      return '一票否决只能维持或撤销';
    case 'verification':
      return '数据审核退回只能维持或撤销';
    case 'falseReport':
      // The deduction is the scheme's per case, not recorded with the finding: the finding stands or falls.
      return '虚报瞒报认定只能维持或撤销';
  }
}

/**
 * An appeal (申诉) against an item of a publication, one stream per appeal (`appeal-<appealId>`).
 * Filing: the publication exists (404), ranks the unit's category and includes the unit (422), its
 * window is open by the command's clock (422 APPEAL_WINDOW_CLOSED), and the subject is the unit's
 * own and was part of what was published (422). The unit may withdraw it until it is ruled on.
 * The committee's ruling is recorded once (409 for a second); it must fit the subject (a veto or a
 * rejection is upheld or overturned; a record's partial ruling says what stands; a score's, the points
 * added or taken) and takes effect, unless told, from the contested item's business time.
 */
export const appealDecider: Decider<AppealCommand, AppealState, AppealEvent> = {
  initialState: () => ({ status: 'none' }),
  evolve(state, event) {
    switch (event.type) {
      case 'AppealFiled': {
        const { appealId, cycleId, unitId, publicationId, subject } = event.data;
        return { status: 'filed', appealId, cycleId, unitId, publicationId, subject };
      }
      case 'AppealWithdrawn':
        return state.status === 'none' ? state : { ...state, status: 'withdrawn' };
      case 'RulingRecorded':
        return state.status === 'none' ? state : { ...state, status: 'ruled' };
    }
  },
  decide(command, state) {
    if (command.type === 'FileAppeal') {
      if (state.status !== 'none') throw AppealErrors.exists(command.appealId);
      const { appealId, unitId, publication, subject, at } = command;
      if (!publication) throw PublicationErrors.notFound(command.publicationId);
      if (command.unitCategory === null) throw AppealErrors.unitNotFound(unitId);
      if (publication.category !== command.unitCategory || !publication.unitIds.includes(unitId))
        throw AppealErrors.publicationNotOfUnit(publication.publicationId, unitId);
      if (at > publication.appealDeadline) throw AppealErrors.windowClosed(publication.appealDeadline);
      if (!subject) throw AppealErrors.subjectNotFound(command.subjectRequest);
      if (subject.subject.occurredAt > publication.at || subject.recordedAt > publication.asOf)
        throw AppealErrors.subjectNotInPublication(command.subjectRequest);
      const reasons = command.reasons.trim();
      if (!reasons) throw AppealErrors.blank('reasons');
      return [
        {
          type: 'AppealFiled',
          data: {
            appealId,
            cycleId: publication.cycleId,
            unitId,
            category: publication.category,
            publicationId: publication.publicationId,
            subject: subject.subject,
            reasons,
            evidence: command.evidence,
            filedAt: at,
          },
        },
      ];
    }
    if (state.status === 'none') throw AppealErrors.notFound('');
    if (state.status === 'withdrawn') throw AppealErrors.withdrawn(state.appealId);
    if (state.status === 'ruled') throw AppealErrors.alreadyRuled(state.appealId);
    const { appealId, cycleId, unitId } = state;
    switch (command.type) {
      case 'WithdrawAppeal':
        return [
          {
            type: 'AppealWithdrawn',
            data: {
              appealId,
              cycleId,
              unitId,
              reason: command.reason?.trim() || null,
              withdrawnAt: command.at,
            },
          },
        ];
      case 'RecordRuling': {
        const problem = rulingProblem(state.subject, command.outcome, command.amount);
        if (problem) throw AppealErrors.invalidRuling(problem);
        const reasoning = command.reasoning.trim();
        if (!reasoning) throw AppealErrors.blank('reasoning');
        return [
          {
            type: 'RulingRecorded',
            data: {
              appealId,
              cycleId,
              unitId,
              publicationId: state.publicationId,
              subject: state.subject,
              outcome: command.outcome,
              amount: command.amount,
              reasoning,
              effectiveFrom: command.effectiveFrom ?? state.subject.occurredAt,
              ruledAt: command.at,
            },
          },
        ];
      }
      default: {
        const _exhaustive: never = command;
        return _exhaustive;
      }
    }
  },
};
