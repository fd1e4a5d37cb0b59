import type { Actor, StoredEvent } from '@dukao/event-store';
import type { EvidenceRef } from '@dukao/evidence-store';
import { documentProjection } from '@dukao/projections';
import type { ReadModelDocument } from '@dukao/read-model-store';
import type { RoundStage } from '../domain/supervision.decider';
import {
  type AccountabilityActionKind,
  type ActionCause,
  type EscalationReason,
  type MatterSource,
  type NoticeKind,
  type NoticeTarget,
  SUPERVISION_EVENT_TYPES,
  type SupervisionEvent,
} from '../domain/supervision.events';

export const SUPERVISION_NOTICES = 'supervisionNotices';

/** Who did a step: the actor the log recorded. */
export type StepActor = Pick<Actor, 'userId' | 'role'> & { unitId: string | null };

export interface RectificationView {
  rectificationId: string;
  narrative: string;
  evidence: EvidenceRef[];
  late: boolean;
  reportedAt: string;
  reportedBy: StepActor;
  status: 'pending' | 'returned' | 'accepted';
  /** The office's reason for returning it, or its closing comment. */
  decisionNote: string | null;
  decidedAt: string | null;
  decidedBy: StepActor | null;
}

export interface ExtensionView {
  extensionId: string;
  currentDeadline: string;
  requestedDeadline: string;
  reason: string;
  requestedAt: string;
  requestedBy: StepActor;
  status: 'pending' | 'approved' | 'refused';
  refusalReason: string | null;
  decidedAt: string | null;
  decidedBy: StepActor | null;
}

export interface RoundView {
  round: number;
  /** Why this round was opened: null for round 1; `returned` / `overdue` for 二次督办. */
  reason: EscalationReason | null;
  demand: string;
  /** The round's deadline now (after approved extensions) and as first set. */
  deadline: string;
  deadlineAt: string;
  originalDeadline: string;
  tracker: string | null;
  openedAt: string;
  openedBy: StepActor;
  signedAt: string | null;
  signedBy: StepActor | null;
  rectifications: RectificationView[];
  extensions: ExtensionView[];
}

export interface CaseActionView {
  actionId: string;
  action: AccountabilityActionKind;
  round: number | null;
  official: { name: string; position: string } | null;
  reason: string;
  basis: string;
  causes: ActionCause[];
  deduction: number;
  schemeVersion: number;
  occurredOn: string;
  takenAt: string;
  takenBy: StepActor;
}

/** One step of the lineage: every event of the case, in order, with who and when (business and recorded time). */
export interface CaseStep {
  type: SupervisionEvent['type'];
  round: number | null;
  at: string;
  recordedAt: string;
  actor: StepActor;
  eventId: string;
  position: number;
}

/**
 * A case with its whole chain (the list, the board and the lineage read it). `status` is open or
 * closed; `stage` where the current round stands. Whether it is overdue depends on the clock: the
 * queries compare `deadlineAt` with now (`overdueFrom` is the same instant, kept for filters).
 */
export interface SupervisionNoticeView extends ReadModelDocument {
  noticeId: string;
  cycleId: string;
  unitId: string;
  kind: NoticeKind;
  title: string;
  targets: NoticeTarget[];
  /** The ids of `targets`, for the candidate list. */
  targetIds: string[];
  matter: { source: MatterSource; description: string } | null;
  status: 'open' | 'closed';
  stage: RoundStage | 'closed';
  round: number;
  deadline: string;
  deadlineAt: string;
  tracker: string | null;
  pendingExtension: string | null;
  issuedAt: string;
  issuedBy: StepActor;
  closedAt: string | null;
  rounds: RoundView[];
  actions: CaseActionView[];
  /** Sum of the actions' deductions (as recorded with each). */
  deductionTotal: number;
  steps: CaseStep[];
}

const actorOf = (stored: StoredEvent): StepActor => ({
  userId: stored.metadata.actor.userId,
  role: stored.metadata.actor.role,
  unitId: stored.metadata.actor.unitId ?? null,
});

/** The business time of each event (its `…At`). */
function timeOf(event: SupervisionEvent): string {
  switch (event.type) {
    case 'SupervisionNoticeIssued':
      return event.data.issuedAt;
    case 'SupervisionNoticeSigned':
      return event.data.signedAt;
    case 'RectificationReported':
      return event.data.reportedAt;
    case 'RectificationReturned':
      return event.data.returnedAt;
    case 'SupervisionClosed':
      return event.data.closedAt;
    case 'SupervisionEscalated':
      return event.data.escalatedAt;
    case 'ExtensionRequested':
      return event.data.requestedAt;
    case 'ExtensionApproved':
      return event.data.approvedAt;
    case 'ExtensionRefused':
      return event.data.refusedAt;
    case 'AccountabilityActionTaken':
      return event.data.takenAt;
  }
}

const add = (a: number, b: number) => Math.round((a + b) * 1000) / 1000;

function withRound(
  doc: SupervisionNoticeView,
  round: number,
  change: (r: RoundView) => RoundView,
): SupervisionNoticeView {
  return { ...doc, rounds: doc.rounds.map((r) => (r.round === round ? change(r) : r)) };
}

function evolveCase(
  doc: SupervisionNoticeView,
  event: SupervisionEvent,
  stored: StoredEvent,
): SupervisionNoticeView {
  const by = actorOf(stored);
  switch (event.type) {
    case 'SupervisionNoticeIssued':
      return doc;
    case 'SupervisionNoticeSigned':
      return withRound({ ...doc, stage: 'signed' }, event.data.round, (r) => ({
        ...r,
        signedAt: event.data.signedAt,
        signedBy: by,
      }));
    case 'RectificationReported': {
      const { rectificationId, narrative, evidence, late, reportedAt } = event.data;
      return withRound({ ...doc, stage: 'reported' }, event.data.round, (r) => ({
        ...r,
        rectifications: [
          ...r.rectifications,
          {
            rectificationId,
            narrative,
            evidence,
            late,
            reportedAt,
            reportedBy: by,
            status: 'pending',
            decisionNote: null,
            decidedAt: null,
            decidedBy: null,
          },
        ],
      }));
    }
    case 'RectificationReturned':
    case 'SupervisionClosed': {
      const closing = event.type === 'SupervisionClosed';
      const note = closing ? event.data.comment : event.data.reason;
      const at = closing ? event.data.closedAt : event.data.returnedAt;
      const next: SupervisionNoticeView = closing
        ? { ...doc, status: 'closed', stage: 'closed', closedAt: at, pendingExtension: null }
        : { ...doc, stage: 'returned' };
      return withRound(next, event.data.round, (r) => ({
        ...r,
        rectifications: r.rectifications.map((x) =>
          x.rectificationId === event.data.rectificationId
            ? {
                ...x,
                status: closing ? 'accepted' : 'returned',
                decisionNote: note || null,
                decidedAt: at,
                decidedBy: by,
              }
            : x,
        ),
      }));
    }
    case 'SupervisionEscalated': {
      const { round, reason, tracker, demand, deadline, deadlineAt, escalatedAt } = event.data;
      return {
        ...doc,
        round,
        stage: 'issued',
        tracker,
        deadline,
        deadlineAt,
        rounds: [
          ...doc.rounds,
          {
            round,
            reason,
            demand,
            deadline,
            deadlineAt,
            originalDeadline: deadline,
            tracker,
            openedAt: escalatedAt,
            openedBy: by,
            signedAt: null,
            signedBy: null,
            rectifications: [],
            extensions: [],
          },
        ],
      };
    }
    case 'ExtensionRequested': {
      const { extensionId, currentDeadline, requestedDeadline, reason, requestedAt } = event.data;
      return withRound({ ...doc, pendingExtension: extensionId }, event.data.round, (r) => ({
        ...r,
        extensions: [
          ...r.extensions,
          {
            extensionId,
            currentDeadline,
            requestedDeadline,
            reason,
            requestedAt,
            requestedBy: by,
            status: 'pending',
            refusalReason: null,
            decidedAt: null,
            decidedBy: null,
          },
        ],
      }));
    }
    case 'ExtensionApproved':
    case 'ExtensionRefused': {
      const approved = event.type === 'ExtensionApproved';
      const at = approved ? event.data.approvedAt : event.data.refusedAt;
      let next: SupervisionNoticeView = { ...doc, pendingExtension: null };
      if (approved) next = { ...next, deadline: event.data.deadline, deadlineAt: event.data.deadlineAt };
      return withRound(next, event.data.round, (r) => ({
        ...r,
        ...(approved ? { deadline: event.data.deadline, deadlineAt: event.data.deadlineAt } : {}),
        extensions: r.extensions.map((x) =>
          x.extensionId === event.data.extensionId
            ? {
                ...x,
                status: approved ? 'approved' : 'refused',
                refusalReason: approved ? null : event.data.reason,
                decidedAt: at,
                decidedBy: by,
              }
            : x,
        ),
      }));
    }
    case 'AccountabilityActionTaken': {
      const { actionId, action, round, official, reason, basis, causes, deduction, schemeVersion } =
        event.data;
      return {
        ...doc,
        deductionTotal: add(doc.deductionTotal, deduction),
        actions: [
          ...doc.actions,
          {
            actionId,
            action,
            round,
            official,
            reason,
            basis,
            causes,
            deduction,
            schemeVersion,
            occurredOn: event.data.occurredOn,
            takenAt: event.data.takenAt,
            takenBy: by,
          },
        ],
      };
    }
  }
}

/** One document per case (`_id` is the notice id), with every round and step. */
export const supervisionNoticesProjection = documentProjection<SupervisionNoticeView>({
  name: 'supervisionNotices',
  version: 1,
  eventTypes: SUPERVISION_EVENT_TYPES,
  collection: {
    name: SUPERVISION_NOTICES,
    indexes: [
      { fields: { cycleId: 1, unitId: 1, status: 1 } },
      { fields: { status: 1, deadlineAt: 1 } },
      { fields: { tracker: 1, status: 1 } },
      { fields: { issuedAt: -1 } },
    ],
  },
  // A free-standing action (no notice) is not part of any case.
  documentId: (stored) => (stored as unknown as SupervisionEvent).data.noticeId ?? null,
  evolve(doc, stored) {
    const event = stored as unknown as SupervisionEvent;
    const step: CaseStep = {
      type: event.type,
      round: event.type === 'SupervisionNoticeIssued' ? 1 : event.data.round,
      at: timeOf(event),
      recordedAt: stored.metadata.recordedAt,
      actor: actorOf(stored),
      eventId: stored.id,
      position: stored.position,
    };
    if (event.type === 'SupervisionNoticeIssued') {
      const d = event.data;
      const by = actorOf(stored);
      return {
        _id: d.noticeId,
        noticeId: d.noticeId,
        cycleId: d.cycleId,
        unitId: d.unitId,
        kind: d.kind,
        title: d.title,
        targets: d.targets,
        targetIds: [...new Set(d.targets.map((t) => t.targetId))],
        matter: d.matter,
        status: 'open',
        stage: 'issued',
        round: 1,
        deadline: d.deadline,
        deadlineAt: d.deadlineAt,
        tracker: null,
        pendingExtension: null,
        issuedAt: d.issuedAt,
        issuedBy: by,
        closedAt: null,
        rounds: [
          {
            round: 1,
            reason: null,
            demand: d.demand,
            deadline: d.deadline,
            deadlineAt: d.deadlineAt,
            originalDeadline: d.deadline,
            tracker: null,
            openedAt: d.issuedAt,
            openedBy: by,
            signedAt: null,
            signedBy: null,
            rectifications: [],
            extensions: [],
          },
        ],
        actions: [],
        deductionTotal: 0,
        steps: [step],
      };
    }
    // An event of a case whose opening this view never saw cannot be placed: leave it out.
    if (!doc) return null;
    return { ...evolveCase(doc, event, stored), steps: [...doc.steps, step] };
  },
});
