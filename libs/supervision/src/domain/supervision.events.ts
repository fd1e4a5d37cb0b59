import type { EvidenceRef } from '@dukao/evidence-store';

/** 督查通知 (notice) or 绩效督查建议书 (suggestion): the two documents the office sends. */
export type NoticeKind = 'notice' | 'suggestion';
export const NOTICE_KINDS: readonly NoticeKind[] = ['notice', 'suggestion'];

/** Where a free-standing matter came from: a leader's instruction (领导批示), an on-site finding (实地督查发现), other. */
export type MatterSource = 'leaderInstruction' | 'inspectionFinding' | 'other';
export const MATTER_SOURCES: readonly MatterSource[] = ['leaderInstruction', 'inspectionFinding', 'other'];

/** A target the case is about, or one milestone (节点) of it. */
export type NoticeTarget = { targetId: string; milestoneId: string | null };

/** 提醒 · 约谈 · 通报 · 诫勉 · 追责; the names of `ACCOUNTABILITY_ACTIONS` in @dukao/scoring. */
export type AccountabilityActionKind =
  'caution' | 'interview' | 'publicNotice' | 'admonition' | 'accountability';
export const ACCOUNTABILITY_ACTION_KINDS: readonly AccountabilityActionKind[] = [
  'caution',
  'interview',
  'publicNotice',
  'admonition',
  'accountability',
];

/** A log event an accountability action rests on, as found in its stream. */
export type ActionCause = { streamId: string; eventId: string; type: string };

/** Why round 2 (二次督办) was opened: the first round's rectification was returned, or it ran past its deadline. */
export type EscalationReason = 'returned' | 'overdue';

/**
 * A case opened (round 1). `deadline` is the reply date (Shanghai calendar day); `deadlineAt` the
 * instant it ends, from which the round is overdue.
 */
export type SupervisionNoticeIssued = {
  type: 'SupervisionNoticeIssued';
  data: {
    noticeId: string;
    cycleId: string;
    /** The responsible unit (责任单位). */
    unitId: string;
    kind: NoticeKind;
    title: string;
    /** What the unit must do (督办要求). */
    demand: string;
    /** The targets / milestones the case is about; empty for a free-standing matter. */
    targets: NoticeTarget[];
    /** A free-standing matter (leader's instruction, on-site finding); null when the case is about targets. */
    matter: { source: MatterSource; description: string } | null;
    round: 1;
    deadline: string;
    deadlineAt: string;
    issuedAt: string;
  };
};

/** 签收: the unit acknowledged the notice of the current round. */
export type SupervisionNoticeSigned = {
  type: 'SupervisionNoticeSigned';
  data: { noticeId: string; unitId: string; round: number; signedAt: string };
};

/** 整改反馈: the unit's answer, with evidence; `late` when given after the round's deadline. */
export type RectificationReported = {
  type: 'RectificationReported';
  data: {
    noticeId: string;
    unitId: string;
    round: number;
    rectificationId: string;
    narrative: string;
    evidence: EvidenceRef[];
    late: boolean;
    reportedAt: string;
  };
};

/** The office returned the pending rectification for redo (退回重办). */
export type RectificationReturned = {
  type: 'RectificationReturned';
  data: {
    noticeId: string;
    unitId: string;
    round: number;
    rectificationId: string;
    reason: string;
    returnedAt: string;
  };
};

/** 办结: the office accepted the pending rectification; the case is closed for good. */
export type SupervisionClosed = {
  type: 'SupervisionClosed';
  data: {
    noticeId: string;
    unitId: string;
    round: number;
    rectificationId: string;
    comment: string;
    closedAt: string;
  };
};

/** 二次督办: round 2 of the same case, with a named tracker (专人跟踪) and a new deadline. */
export type SupervisionEscalated = {
  type: 'SupervisionEscalated';
  data: {
    noticeId: string;
    unitId: string;
    round: 2;
    previousRound: 1;
    reason: EscalationReason;
    /** The user id of the person who follows the case (专人跟踪). */
    tracker: string;
    demand: string;
    deadline: string;
    deadlineAt: string;
    escalatedAt: string;
  };
};

/** 延期申请, made before the round's deadline. */
export type ExtensionRequested = {
  type: 'ExtensionRequested';
  data: {
    noticeId: string;
    unitId: string;
    round: number;
    extensionId: string;
    currentDeadline: string;
    requestedDeadline: string;
    reason: string;
    requestedAt: string;
  };
};

export type ExtensionApproved = {
  type: 'ExtensionApproved';
  data: {
    noticeId: string;
    unitId: string;
    round: number;
    extensionId: string;
    previousDeadline: string;
    deadline: string;
    deadlineAt: string;
    approvedAt: string;
  };
};

export type ExtensionRefused = {
  type: 'ExtensionRefused';
  data: {
    noticeId: string;
    unitId: string;
    round: number;
    extensionId: string;
    reason: string;
    refusedAt: string;
  };
};

/**
 * An accountability action (问责) against a unit, optionally naming an official. It is on the case's
 * stream when it follows a case (`noticeId`), else on its own (`accountability-<actionId>`) with the
 * events that caused it. `deduction` is what the scheme in force on `occurredOn` (version
 * `schemeVersion`) deducts for `action`, as recorded then; scoring applies the scheme in force at the
 * instant it scores. Business time: `occurredOn` (Shanghai date), instant `occurredAt` (its start).
 */
export type AccountabilityActionTaken = {
  type: 'AccountabilityActionTaken';
  data: {
    actionId: string;
    cycleId: string;
    unitId: string;
    action: AccountabilityActionKind;
    official: { name: string; position: string } | null;
    reason: string;
    /** 依据: the decision or document, e.g. 市督查室〔2026〕5号. */
    basis: string;
    noticeId: string | null;
    /** The case round it followed (2 for a failed 二次督办), null when free-standing. */
    round: number | null;
    /** The log events that caused it (e.g. a confirmed false report); may be empty for a case. */
    causes: ActionCause[];
    deduction: number;
    schemeVersion: number;
    occurredOn: string;
    occurredAt: string;
    takenAt: string;
  };
};

export type SupervisionEvent =
  | SupervisionNoticeIssued
  | SupervisionNoticeSigned
  | RectificationReported
  | RectificationReturned
  | SupervisionClosed
  | SupervisionEscalated
  | ExtensionRequested
  | ExtensionApproved
  | ExtensionRefused
  | AccountabilityActionTaken;

export const SUPERVISION_EVENT_TYPES: readonly SupervisionEvent['type'][] = [
  'SupervisionNoticeIssued',
  'SupervisionNoticeSigned',
  'RectificationReported',
  'RectificationReturned',
  'SupervisionClosed',
  'SupervisionEscalated',
  'ExtensionRequested',
  'ExtensionApproved',
  'ExtensionRefused',
  'AccountabilityActionTaken',
];

/** The one event type of this context that changes a score (the scoring loader reads it by type). */
export const ACCOUNTABILITY_ACTION_EVENT: AccountabilityActionTaken['type'] = 'AccountabilityActionTaken';

/** One stream per case, every round in it: `supervision-<noticeId>`. */
export const SUPERVISION_STREAM_PREFIX = 'supervision-';
export const supervisionStream = (noticeId: string) => `${SUPERVISION_STREAM_PREFIX}${noticeId}`;
/** A free-standing accountability action: `accountability-<actionId>`. */
export const ACCOUNTABILITY_STREAM_PREFIX = 'accountability-';
export const accountabilityStream = (actionId: string) => `${ACCOUNTABILITY_STREAM_PREFIX}${actionId}`;
