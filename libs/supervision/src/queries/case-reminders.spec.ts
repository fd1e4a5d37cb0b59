import type { StoredEvent } from '@dukao/event-store';
import { projectionSpec, storedEvent } from '@dukao/testing';
import {
  SUPERVISION_NOTICES,
  type SupervisionNoticeView,
  supervisionNoticesProjection,
} from '../projections/supervision-notices.projection';
import { caseReminderInputOf } from './case-reminders';

const noticeId = 'n-1';
const on = { streamId: `supervision-${noticeId}` };
const base = { noticeId, unitId: 'town-a' };

const issued = storedEvent(
  'SupervisionNoticeIssued',
  {
    ...base,
    cycleId: '2026',
    kind: 'suggestion',
    title: '项目开工节点逾期',
    demand: '完成开工',
    targets: [],
    matter: { source: 'leaderInstruction', description: '领导批示' },
    round: 1,
    deadline: '2026-04-15',
    deadlineAt: '2026-04-15T16:00:00.000Z',
    issuedAt: '2026-04-02T02:00:00.000Z',
  },
  on,
);
const signed = storedEvent(
  'SupervisionNoticeSigned',
  { ...base, round: 1, signedAt: '2026-04-03T02:00:00.000Z' },
  on,
);
const reported = (round: number, id: string) =>
  storedEvent(
    'RectificationReported',
    {
      ...base,
      round,
      rectificationId: id,
      narrative: '已开工',
      evidence: [],
      late: false,
      reportedAt: '2026-04-10T02:00:00.000Z',
    },
    on,
  );
const returned = (round: number, id: string) =>
  storedEvent(
    'RectificationReturned',
    { ...base, round, rectificationId: id, reason: '佐证不足', returnedAt: '2026-04-11T02:00:00.000Z' },
    on,
  );
const reported1 = reported(1, 'r-1');
const returned1 = returned(1, 'r-1');
const escalated = storedEvent(
  'SupervisionEscalated',
  {
    ...base,
    round: 2,
    previousRound: 1,
    reason: 'returned',
    tracker: 'u-tracker',
    demand: '五日内完成开工',
    deadline: '2026-04-30',
    deadlineAt: '2026-04-30T16:00:00.000Z',
    escalatedAt: '2026-04-12T02:00:00.000Z',
  },
  on,
);
const extensionApproved = storedEvent(
  'ExtensionApproved',
  {
    ...base,
    round: 2,
    extensionId: 'x-1',
    previousDeadline: '2026-04-30',
    deadline: '2026-05-08',
    deadlineAt: '2026-05-08T16:00:00.000Z',
    approvedAt: '2026-04-21T02:00:00.000Z',
  },
  on,
);
const reported2 = reported(2, 'r-2');
const closed = storedEvent(
  'SupervisionClosed',
  { ...base, round: 2, rectificationId: 'r-2', comment: '同意办结', closedAt: '2026-04-25T02:00:00.000Z' },
  on,
);

// Positions grow with creation, and the projection skips an event older than its document: the
// events above are made in the order of the case.
const inputOf = (events: StoredEvent[], tracker: string | null = 'u-tracker') =>
  caseReminderInputOf(
    projectionSpec(supervisionNoticesProjection)
      .given(...events)
      .document(SUPERVISION_NOTICES, noticeId) as SupervisionNoticeView,
    '甲镇',
    tracker,
  );

describe('caseReminderInputOf: what the reminder planner needs of a case', () => {
  it('given a notice issued, then round 1 owed by its deadline, with the case’s document and title', () => {
    expect(inputOf([issued])).toEqual({
      noticeId,
      document: 'suggestion',
      title: '项目开工节点逾期',
      unitId: 'town-a',
      unitName: '甲镇',
      round: 1,
      deadline: '2026-04-15',
      owed: true,
      escalatedAt: null,
      answeredInRound: false,
      tracker: null,
    });
  });

  it('given it signed for, then still owed: signing is not an answer', () => {
    expect(inputOf([issued, signed])).toMatchObject({ owed: true, answeredInRound: false });
  });

  it('given a rectification reported, then not owed while it awaits the office', () => {
    expect(inputOf([issued, signed, reported1])).toMatchObject({
      owed: false,
      answeredInRound: true,
    });
  });

  it('given the answer returned, then owed again (and answered in the round)', () => {
    expect(inputOf([issued, signed, reported1, returned1])).toMatchObject({
      round: 1,
      owed: true,
      answeredInRound: true,
    });
  });

  it('given 二次督办, then round 2 owed by its new deadline, opened at the escalation, with the tracker', () => {
    const chain = [issued, signed, reported1, returned1, escalated];
    expect(inputOf(chain)).toMatchObject({
      round: 2,
      deadline: '2026-04-30',
      owed: true,
      escalatedAt: '2026-04-12T02:00:00.000Z',
      answeredInRound: false,
      tracker: 'u-tracker',
    });
    expect(inputOf(chain, null)).toMatchObject({ tracker: null });
  });

  it('given an extension approved, then the round is owed by the new deadline', () => {
    expect(inputOf([issued, escalated, extensionApproved])).toMatchObject({
      round: 2,
      deadline: '2026-05-08',
    });
  });

  it('given the case closed, then nothing is owed', () => {
    expect(inputOf([issued, signed, reported1, returned1, escalated, reported2, closed])).toMatchObject({
      round: 2,
      owed: false,
      answeredInRound: true,
    });
  });
});
