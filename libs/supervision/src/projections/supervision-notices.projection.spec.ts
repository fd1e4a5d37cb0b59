import { projectionSpec, storedEvent } from '@dukao/testing';
import {
  ACCOUNTABILITY_ACTIONS_VIEW,
  accountabilityActionsProjection,
} from './accountability-actions.projection';
import {
  SUPERVISION_NOTICES,
  type SupervisionNoticeView,
  supervisionNoticesProjection,
} from './supervision-notices.projection';

const noticeId = 'n-1';
const targetId = '11111111-1111-4111-8111-111111111111';
const stream = { streamId: `supervision-${noticeId}` };
const supervisor = { metadata: { actor: { userId: 'u-ducha', role: 'supervisor', unitId: null } } };
const staff = { metadata: { actor: { userId: 'u-zhang', role: 'unitStaff', unitId: 'town-a' } } };
const evidence = {
  fileId: 'a'.repeat(64),
  name: '整改报告.pdf',
  mediaType: 'application/pdf',
  size: 10,
  sha256: 'a'.repeat(64),
  sm3: 'b'.repeat(64),
};

const issued = storedEvent(
  'SupervisionNoticeIssued',
  {
    noticeId,
    cycleId: '2026',
    unitId: 'town-a',
    kind: 'notice',
    title: '项目开工节点逾期',
    demand: '完成开工',
    targets: [{ targetId, milestoneId: 'm1' }],
    matter: null,
    round: 1,
    deadline: '2026-04-15',
    deadlineAt: '2026-04-15T16:00:00.000Z',
    issuedAt: '2026-04-02T02:00:00.000Z',
  },
  { ...stream, ...supervisor },
);
const signed = storedEvent(
  'SupervisionNoticeSigned',
  { noticeId, unitId: 'town-a', round: 1, signedAt: '2026-04-03T02:00:00.000Z' },
  { ...stream, ...staff },
);
const reported = storedEvent(
  'RectificationReported',
  {
    noticeId,
    unitId: 'town-a',
    round: 1,
    rectificationId: 'r-1',
    narrative: '已开工',
    evidence: [evidence],
    late: false,
    reportedAt: '2026-04-10T02:00:00.000Z',
  },
  { ...stream, ...staff },
);
const returned = storedEvent(
  'RectificationReturned',
  {
    noticeId,
    unitId: 'town-a',
    round: 1,
    rectificationId: 'r-1',
    reason: '佐证不足',
    returnedAt: '2026-04-11T02:00:00.000Z',
  },
  { ...stream, ...supervisor },
);
const escalated = storedEvent(
  'SupervisionEscalated',
  {
    noticeId,
    unitId: 'town-a',
    round: 2,
    previousRound: 1,
    reason: 'returned',
    tracker: 'u-tracker',
    demand: '五日内完成开工',
    deadline: '2026-04-30',
    deadlineAt: '2026-04-30T16:00:00.000Z',
    escalatedAt: '2026-04-12T02:00:00.000Z',
  },
  { ...stream, ...supervisor },
);
const extensionRequested = storedEvent(
  'ExtensionRequested',
  {
    noticeId,
    unitId: 'town-a',
    round: 2,
    extensionId: 'x-1',
    currentDeadline: '2026-04-30',
    requestedDeadline: '2026-05-10',
    reason: '设备未到',
    requestedAt: '2026-04-20T02:00:00.000Z',
  },
  { ...stream, ...staff },
);
const extensionRefused = storedEvent(
  'ExtensionRefused',
  {
    noticeId,
    unitId: 'town-a',
    round: 2,
    extensionId: 'x-1',
    reason: '理由不充分',
    refusedAt: '2026-04-21T02:00:00.000Z',
  },
  { ...stream, ...supervisor },
);
const actionData = {
  actionId: 'act-1',
  cycleId: '2026',
  unitId: 'town-a',
  action: 'publicNotice',
  official: { name: '张三', position: '副镇长' },
  reason: '二次督办逾期',
  basis: '',
  noticeId,
  round: 2,
  causes: [],
  deduction: 1,
  schemeVersion: 1,
  occurredOn: '2026-05-02',
  occurredAt: '2026-05-01T16:00:00.000Z',
  takenAt: '2026-05-02T02:00:00.000Z',
};
const action = storedEvent('AccountabilityActionTaken', actionData, { ...stream, ...supervisor });
const freeStanding = storedEvent(
  'AccountabilityActionTaken',
  { ...actionData, actionId: 'act-2', noticeId: null, round: null, action: 'caution', deduction: 0 },
  { streamId: 'accountability-act-2', ...supervisor },
);
const chain = [issued, signed, reported, returned, escalated, extensionRequested, extensionRefused, action];

const view = (...events: typeof chain) =>
  projectionSpec(supervisionNoticesProjection)
    .given(...events)
    .document(SUPERVISION_NOTICES, noticeId) as SupervisionNoticeView | null;

describe('supervisionNotices projection', () => {
  it('given a notice, then an open round-1 case with its targets and first step', () => {
    expect(view(issued)).toMatchObject({
      _id: noticeId,
      status: 'open',
      stage: 'issued',
      round: 1,
      deadlineAt: '2026-04-15T16:00:00.000Z',
      targetIds: [targetId],
      tracker: null,
      issuedBy: { userId: 'u-ducha', role: 'supervisor' },
      rounds: [{ round: 1, reason: null, demand: '完成开工', signedAt: null, rectifications: [] }],
      steps: [
        { type: 'SupervisionNoticeIssued', round: 1, actor: { userId: 'u-ducha' }, eventId: issued.id },
      ],
    });
  });

  it('given the whole chain, then both rounds linked in one document with every step, actor and evidence', () => {
    const doc = view(...chain)!;
    expect(doc).toMatchObject({
      status: 'open',
      stage: 'issued',
      round: 2,
      tracker: 'u-tracker',
      deadline: '2026-04-30',
      pendingExtension: null,
      deductionTotal: 1,
      actions: [
        { actionId: 'act-1', action: 'publicNotice', deduction: 1, round: 2, takenBy: { userId: 'u-ducha' } },
      ],
    });
    expect(doc.rounds).toEqual([
      expect.objectContaining({
        round: 1,
        signedBy: { userId: 'u-zhang', role: 'unitStaff', unitId: 'town-a' },
        rectifications: [
          expect.objectContaining({
            rectificationId: 'r-1',
            evidence: [evidence],
            status: 'returned',
            decisionNote: '佐证不足',
            decidedBy: expect.objectContaining({ userId: 'u-ducha' }),
          }),
        ],
      }),
      expect.objectContaining({
        round: 2,
        reason: 'returned',
        tracker: 'u-tracker',
        demand: '五日内完成开工',
        extensions: [
          expect.objectContaining({ extensionId: 'x-1', status: 'refused', refusalReason: '理由不充分' }),
        ],
      }),
    ]);
    expect(doc.steps.map((s) => [s.type, s.round, s.actor.userId])).toEqual([
      ['SupervisionNoticeIssued', 1, 'u-ducha'],
      ['SupervisionNoticeSigned', 1, 'u-zhang'],
      ['RectificationReported', 1, 'u-zhang'],
      ['RectificationReturned', 1, 'u-ducha'],
      ['SupervisionEscalated', 2, 'u-ducha'],
      ['ExtensionRequested', 2, 'u-zhang'],
      ['ExtensionRefused', 2, 'u-ducha'],
      ['AccountabilityActionTaken', 2, 'u-ducha'],
    ]);
  });

  it('given an approved extension, then the round’s and the case’s deadline move; the original stays', () => {
    const approved = storedEvent(
      'ExtensionApproved',
      {
        noticeId,
        unitId: 'town-a',
        round: 2,
        extensionId: 'x-1',
        previousDeadline: '2026-04-30',
        deadline: '2026-05-10',
        deadlineAt: '2026-05-10T16:00:00.000Z',
        approvedAt: '2026-04-21T02:00:00.000Z',
      },
      { ...stream, ...supervisor },
    );
    const doc = view(issued, signed, reported, returned, escalated, extensionRequested, approved)!;
    expect(doc).toMatchObject({ deadline: '2026-05-10', deadlineAt: '2026-05-10T16:00:00.000Z' });
    expect(doc.rounds[1]).toMatchObject({
      deadline: '2026-05-10',
      originalDeadline: '2026-04-30',
      extensions: [{ status: 'approved' }],
    });
  });

  it('given a closing, then the case is closed with the accepted rectification', () => {
    const closed = storedEvent(
      'SupervisionClosed',
      {
        noticeId,
        unitId: 'town-a',
        round: 1,
        rectificationId: 'r-1',
        comment: '整改到位',
        closedAt: '2026-04-11T02:00:00.000Z',
      },
      { ...stream, ...supervisor },
    );
    expect(view(issued, signed, reported, closed)).toMatchObject({
      status: 'closed',
      stage: 'closed',
      closedAt: '2026-04-11T02:00:00.000Z',
      rounds: [{ rectifications: [{ status: 'accepted', decisionNote: '整改到位' }] }],
    });
  });

  it('applying the same events twice changes nothing', () => {
    const once = view(...chain);
    const twice = projectionSpec(supervisionNoticesProjection)
      .given(...chain, ...chain)
      .document(SUPERVISION_NOTICES, noticeId);
    expect(twice).toEqual(once);
  });

  it('leaves a free-standing action out of the cases', () => {
    expect(projectionSpec(supervisionNoticesProjection).given(freeStanding).all(SUPERVISION_NOTICES)).toEqual(
      [],
    );
  });
});

describe('accountabilityActions projection', () => {
  it('lists both case-bound and free-standing actions, with who took them and where they are recorded', () => {
    const spec = projectionSpec(accountabilityActionsProjection).given(...chain, freeStanding);
    expect(spec.document(ACCOUNTABILITY_ACTIONS_VIEW, 'act-1')).toMatchObject({
      action: 'publicNotice',
      noticeId,
      deduction: 1,
      streamId: `supervision-${noticeId}`,
      eventId: action.id,
      takenBy: { userId: 'u-ducha', role: 'supervisor', unitId: null },
    });
    expect(spec.document(ACCOUNTABILITY_ACTIONS_VIEW, 'act-2')).toMatchObject({
      action: 'caution',
      noticeId: null,
      streamId: 'accountability-act-2',
    });
    expect(spec.all(ACCOUNTABILITY_ACTIONS_VIEW)).toHaveLength(2);
  });
});
