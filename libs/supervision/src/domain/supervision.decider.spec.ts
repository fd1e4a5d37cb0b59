import type { EvidenceRef } from '@dukao/evidence-store';
import { deciderSpec } from '@dukao/testing';
import {
  type ActionDetails,
  type CaseCommand,
  type IssueNotice,
  supervisionDecider,
} from './supervision.decider';
import type { SupervisionEvent } from './supervision.events';

const noticeId = 'n-1';
const targetId = '11111111-1111-4111-8111-111111111111';
const issuedAt = '2026-04-02T02:00:00.000Z';
/** 2026-04-15 in Shanghai ends at 2026-04-15T16:00Z. */
const deadline = '2026-04-15';
const deadlineAt = '2026-04-15T16:00:00.000Z';
const beforeDeadline = '2026-04-10T02:00:00.000Z';
const afterDeadline = '2026-04-16T02:00:00.000Z';
const townA = { unitIds: ['town-a'] };
const townB = { unitIds: ['town-b'] };
const office = { unitIds: null };
const evidence: EvidenceRef = {
  fileId: 'a'.repeat(64),
  name: '整改报告.pdf',
  mediaType: 'application/pdf',
  size: 1024,
  sha256: 'a'.repeat(64),
  sm3: 'b'.repeat(64),
};

const issue = (overrides: Partial<IssueNotice> = {}): IssueNotice => ({
  type: 'IssueNotice',
  noticeId,
  cycleId: '2026',
  unitId: 'town-a',
  kind: 'notice',
  title: '项目开工节点逾期',
  demand: '请于期限内完成开工并反馈',
  targets: [{ targetId, milestoneId: 'm1' }],
  matter: null,
  deadline,
  facts: {
    cycle: 'open',
    unitExists: true,
    targets: { [targetId]: { unitId: 'town-a', cycleId: '2026', status: 'issued', milestoneIds: ['m1'] } },
  },
  scope: office,
  at: issuedAt,
  ...overrides,
});

const issued: SupervisionEvent = {
  type: 'SupervisionNoticeIssued',
  data: {
    noticeId,
    cycleId: '2026',
    unitId: 'town-a',
    kind: 'notice',
    title: '项目开工节点逾期',
    demand: '请于期限内完成开工并反馈',
    targets: [{ targetId, milestoneId: 'm1' }],
    matter: null,
    round: 1,
    deadline,
    deadlineAt,
    issuedAt,
  },
};
const signed = (round = 1, signedAt = '2026-04-03T02:00:00.000Z'): SupervisionEvent => ({
  type: 'SupervisionNoticeSigned',
  data: { noticeId, unitId: 'town-a', round, signedAt },
});
const reported = (
  round = 1,
  rectificationId = 'r-1',
  reportedAt = beforeDeadline,
  late = false,
): SupervisionEvent => ({
  type: 'RectificationReported',
  data: {
    noticeId,
    unitId: 'town-a',
    round,
    rectificationId,
    narrative: '已开工',
    evidence: [evidence],
    late,
    reportedAt,
  },
});
const returned = (
  round = 1,
  rectificationId = 'r-1',
  returnedAt = '2026-04-11T02:00:00.000Z',
): SupervisionEvent => ({
  type: 'RectificationReturned',
  data: { noticeId, unitId: 'town-a', round, rectificationId, reason: '佐证材料不足', returnedAt },
});
const escalated = (
  reason: 'returned' | 'overdue' = 'returned',
  at = '2026-04-12T02:00:00.000Z',
): SupervisionEvent => ({
  type: 'SupervisionEscalated',
  data: {
    noticeId,
    unitId: 'town-a',
    round: 2,
    previousRound: 1,
    reason,
    tracker: 'user-tracker',
    demand: '请于期限内完成开工并反馈',
    deadline: '2026-04-30',
    deadlineAt: '2026-04-30T16:00:00.000Z',
    escalatedAt: at,
  },
});
const closed: SupervisionEvent = {
  type: 'SupervisionClosed',
  data: {
    noticeId,
    unitId: 'town-a',
    round: 1,
    rectificationId: 'r-1',
    comment: '',
    closedAt: '2026-04-11T02:00:00.000Z',
  },
};

const sign = (scope = townA, at = '2026-04-03T02:00:00.000Z'): CaseCommand => ({
  type: 'SignNotice',
  scope,
  at,
});
const rectify = (scope = townA, at = beforeDeadline, rectificationId = 'r-1'): CaseCommand => ({
  type: 'ReportRectification',
  rectificationId,
  narrative: ' 已开工 ',
  evidence: [evidence],
  scope,
  at,
});
const close = (at = '2026-04-11T02:00:00.000Z', rectificationId: string | null = null): CaseCommand => ({
  type: 'CloseNotice',
  rectificationId,
  comment: '',
  scope: office,
  at,
});
const giveBack = (at = '2026-04-11T02:00:00.000Z', reason = '佐证材料不足'): CaseCommand => ({
  type: 'ReturnRectification',
  rectificationId: null,
  reason,
  scope: office,
  at,
});
const escalate = (at = '2026-04-12T02:00:00.000Z', overrides: Partial<CaseCommand> = {}): CaseCommand =>
  ({
    type: 'EscalateNotice',
    tracker: 'user-tracker',
    deadline: '2026-04-30',
    demand: null,
    scope: office,
    at,
    ...overrides,
  }) as CaseCommand;
const requestExtension = (at = beforeDeadline, requestedDeadline = '2026-04-25'): CaseCommand => ({
  type: 'RequestExtension',
  extensionId: 'x-1',
  requestedDeadline,
  reason: '设备到货延迟',
  scope: townA,
  at,
});
const details: Omit<ActionDetails, 'action'> = {
  actionId: 'act-1',
  official: { name: '张三', position: '副镇长' },
  reason: '二次督办逾期未整改',
  basis: '市督查室〔2026〕5号',
  causes: [],
  deduction: 1,
  schemeVersion: 1,
  occurredOn: '2026-05-02',
};
const takeAction = (at: string, action: ActionDetails['action'] = 'publicNotice'): CaseCommand => ({
  type: 'TakeCaseAction',
  ...details,
  action,
  scope: office,
  at,
});

const spec = deciderSpec(supervisionDecider);

describe('when no case exists', () => {
  it('opens round 1 on a red milestone with the deadline day’s end as deadlineAt', () => {
    spec.given().when(issue()).then([issued]);
  });

  it('opens a free-standing matter (a leader’s instruction) with no targets', () => {
    const [event] = supervisionDecider.decide(
      issue({ targets: [], matter: { source: 'leaderInstruction', description: ' 市长批示：加快进度 ' } }),
      supervisionDecider.initialState(),
    );
    expect(event).toMatchObject({
      type: 'SupervisionNoticeIssued',
      data: { targets: [], matter: { source: 'leaderInstruction', description: '市长批示：加快进度' } },
    });
  });

  it('refuses a notice with neither targets nor a matter', () => {
    spec
      .given()
      .when(issue({ targets: [] }))
      .thenRefuses('INVALID_NOTICE', /须指明督办的目标/);
  });

  it('refuses a target of another unit, an unknown milestone and an unknown target', () => {
    const other = '22222222-2222-4222-8222-222222222222';
    spec
      .given()
      .when(
        issue({
          targets: [
            { targetId, milestoneId: 'm9' },
            { targetId: other, milestoneId: null },
          ],
          facts: {
            cycle: 'open',
            unitExists: true,
            targets: {
              [targetId]: { unitId: 'town-b', cycleId: '2026', status: 'issued', milestoneIds: ['m1'] },
              [other]: null,
            },
          },
        }),
      )
      .thenRefuses('INVALID_NOTICE', /不属于责任单位 town-a.*没有节点 m9.*不存在/);
  });

  it('refuses a deadline that has already passed', () => {
    spec
      .given()
      .when(issue({ deadline: '2026-04-01' }))
      .thenRefuses('INVALID_NOTICE', /已过/);
  });

  it('refuses a closed cycle and an unknown unit', () => {
    spec
      .given()
      .when(issue({ facts: { ...issue().facts, cycle: 'closed', unitExists: false } }))
      .thenRefuses('INVALID_NOTICE', /已结束.*单位 town-a 不存在/);
  });

  it('refuses a supervisor limited to other units', () => {
    spec
      .given()
      .when(issue({ scope: townB }))
      .thenRefuses('OUT_OF_SCOPE');
  });

  it('answers NOTICE_NOT_FOUND to any move on it', () => {
    spec.given().when(sign()).thenRefuses('NOTICE_NOT_FOUND');
  });
});

describe('when the case is issued (round 1)', () => {
  it('refuses to open it again', () => {
    spec.given(issued).when(issue()).thenRefuses('NOTICE_EXISTS');
  });

  it('lets the unit sign for it', () => {
    spec.given(issued).when(sign()).then([signed()]);
  });

  it('refuses signing by another unit’s staff', () => {
    spec.given(issued).when(sign(townB)).thenRefuses('OUT_OF_SCOPE');
  });

  it('refuses a rectification before signing', () => {
    spec.given(issued).when(rectify()).thenRefuses('NOTICE_NOT_SIGNED');
  });

  it('refuses closing with no rectification to accept', () => {
    spec.given(issued).when(close()).thenRefuses('NO_PENDING_RECTIFICATION');
  });

  it('refuses 二次督办 while round 1 is neither returned nor overdue', () => {
    spec.given(issued).when(escalate(beforeDeadline)).thenRefuses('ROUND_NOT_FAILED');
  });

  it('escalates to round 2 once overdue, without any answer (reason overdue)', () => {
    spec
      .given(issued)
      .when(escalate(afterDeadline))
      .then([escalated('overdue', afterDeadline)]);
  });

  it('refuses an accountability action in round 1', () => {
    spec.given(issued).when(takeAction(afterDeadline)).thenRefuses('ACTION_NOT_WARRANTED');
  });
});

describe('when the case is signed', () => {
  it('takes the rectification with its evidence (trimmed narrative, on time)', () => {
    spec.given(issued, signed()).when(rectify()).then([reported()]);
  });

  it('marks a rectification after the deadline late', () => {
    spec
      .given(issued, signed())
      .when(rectify(townA, afterDeadline))
      .then([reported(1, 'r-1', afterDeadline, true)]);
  });

  it('refuses rectifying someone else’s case', () => {
    spec.given(issued, signed()).when(rectify(townB)).thenRefuses('OUT_OF_SCOPE');
  });

  it('refuses signing twice', () => {
    spec.given(issued, signed()).when(sign()).thenRefuses('NOTICE_ALREADY_SIGNED');
  });

  it('refuses an empty narrative', () => {
    spec
      .given(issued, signed())
      .when({ ...(rectify() as Extract<CaseCommand, { type: 'ReportRectification' }>), narrative: ' ' })
      .thenRefuses('INVALID_NOTICE', /整改情况/);
  });
});

describe('when a rectification awaits the office', () => {
  const given = [issued, signed(), reported()];

  it('closes the case on it (办结)', () => {
    spec
      .given(...given)
      .when(close())
      .then([closed]);
  });

  it('returns it for redo with a reason', () => {
    spec
      .given(...given)
      .when(giveBack())
      .then([returned()]);
  });

  it('refuses a return without a reason', () => {
    spec
      .given(...given)
      .when(giveBack(undefined, ' '))
      .thenRefuses('INVALID_NOTICE', /理由/);
  });

  it('refuses closing on another rectification id', () => {
    spec
      .given(...given)
      .when(close(undefined, 'r-9'))
      .thenRefuses('RECTIFICATION_NOT_PENDING');
  });

  it('refuses a second rectification while one is pending', () => {
    spec
      .given(...given)
      .when(rectify(townA, beforeDeadline, 'r-2'))
      .thenRefuses('RECTIFICATION_PENDING');
  });

  it('is not overdue after the deadline: escalation waits for the office’s decision', () => {
    spec
      .given(...given)
      .when(escalate(afterDeadline))
      .thenRefuses('ROUND_NOT_FAILED');
  });
});

describe('when round 1 was returned', () => {
  const given = [issued, signed(), reported(), returned()];

  it('lets the unit redo it in the same round', () => {
    spec
      .given(...given)
      .when(rectify(townA, '2026-04-12T02:00:00.000Z', 'r-2'))
      .then([reported(1, 'r-2', '2026-04-12T02:00:00.000Z')]);
  });

  it('escalates to round 2 with the tracker and a new deadline (reason returned)', () => {
    spec
      .given(...given)
      .when(escalate())
      .then([escalated('returned')]);
  });

  it('takes a new demand for round 2 when given', () => {
    const [event] = supervisionDecider.decide(
      escalate(undefined, { demand: '五日内完成开工' }),
      spec.given(...given).state,
    );
    expect(event).toMatchObject({ data: { demand: '五日内完成开工', round: 2 } });
  });

  it('refuses 二次督办 without a tracker or with a past deadline', () => {
    spec
      .given(...given)
      .when(escalate(undefined, { tracker: ' ', deadline: '2026-04-01' }))
      .thenRefuses('INVALID_NOTICE', /已过.*专人跟踪/);
  });
});

describe('when the case is closed', () => {
  const given = [issued, signed(), reported(), closed];

  it('refuses closing it twice', () => {
    spec
      .given(...given)
      .when(close())
      .thenRefuses('NOTICE_CLOSED');
  });

  it('refuses escalating it', () => {
    spec
      .given(...given)
      .when(escalate(afterDeadline))
      .thenRefuses('NOTICE_CLOSED');
  });

  it('refuses a rectification', () => {
    spec
      .given(...given)
      .when(rectify())
      .thenRefuses('NOTICE_CLOSED');
  });

  it('still refuses another unit first (scope before state)', () => {
    spec
      .given(...given)
      .when(rectify(townB))
      .thenRefuses('OUT_OF_SCOPE');
  });
});

describe('extensions (延期)', () => {
  const requested: SupervisionEvent = {
    type: 'ExtensionRequested',
    data: {
      noticeId,
      unitId: 'town-a',
      round: 1,
      extensionId: 'x-1',
      currentDeadline: deadline,
      requestedDeadline: '2026-04-25',
      reason: '设备到货延迟',
      requestedAt: beforeDeadline,
    },
  };

  it('takes a request before the deadline', () => {
    spec.given(issued, signed()).when(requestExtension()).then([requested]);
  });

  it('refuses a request after the deadline', () => {
    spec.given(issued, signed()).when(requestExtension(afterDeadline)).thenRefuses('DEADLINE_PASSED');
  });

  it('refuses a requested date not after the current deadline', () => {
    spec
      .given(issued)
      .when(requestExtension(beforeDeadline, '2026-04-14'))
      .thenRefuses('INVALID_NOTICE', /须晚于现期限/);
  });

  it('refuses a second request while one is pending', () => {
    spec.given(issued, requested).when(requestExtension()).thenRefuses('EXTENSION_PENDING');
  });

  it('approves it: the round’s deadline moves, so it is no longer overdue on the old one', () => {
    spec
      .given(issued, requested)
      .when({ type: 'ApproveExtension', extensionId: 'x-1', scope: office, at: '2026-04-11T02:00:00.000Z' })
      .then([
        {
          type: 'ExtensionApproved',
          data: {
            noticeId,
            unitId: 'town-a',
            round: 1,
            extensionId: 'x-1',
            previousDeadline: deadline,
            deadline: '2026-04-25',
            deadlineAt: '2026-04-25T16:00:00.000Z',
            approvedAt: '2026-04-11T02:00:00.000Z',
          },
        },
      ]);
    const approved = spec.given(
      issued,
      requested,
      ...supervisionDecider.decide(
        { type: 'ApproveExtension', extensionId: 'x-1', scope: office, at: '2026-04-11T02:00:00.000Z' },
        spec.given(issued, requested).state,
      ),
    );
    approved.when(escalate(afterDeadline)).thenRefuses('ROUND_NOT_FAILED');
  });

  it('refuses it with a reason', () => {
    spec
      .given(issued, requested)
      .when({
        type: 'RefuseExtension',
        extensionId: 'x-1',
        reason: '理由不充分',
        scope: office,
        at: beforeDeadline,
      })
      .then([
        {
          type: 'ExtensionRefused',
          data: {
            noticeId,
            unitId: 'town-a',
            round: 1,
            extensionId: 'x-1',
            reason: '理由不充分',
            refusedAt: beforeDeadline,
          },
        },
      ]);
  });

  it('refuses deciding an unknown request', () => {
    spec
      .given(issued, requested)
      .when({ type: 'ApproveExtension', extensionId: 'x-9', scope: office, at: beforeDeadline })
      .thenRefuses('EXTENSION_NOT_PENDING');
  });

  it('refuses 二次督办 while a request is pending', () => {
    spec
      .given(issued, signed(), reported(), returned(), requested)
      .when(escalate())
      .thenRefuses('EXTENSION_PENDING');
  });
});

describe('when the case is in round 2 (二次督办)', () => {
  const round2 = [issued, signed(), reported(), returned(), escalated('returned')];
  const inRound2 = '2026-04-20T02:00:00.000Z';
  const afterRound2 = '2026-05-02T02:00:00.000Z';

  it('refuses escalating again: there is no round 3', () => {
    spec
      .given(...round2)
      .when(escalate(afterRound2))
      .thenRefuses('ALREADY_ESCALATED');
  });

  it('needs the unit to sign again for the new round', () => {
    spec
      .given(...round2)
      .when(rectify(townA, inRound2, 'r-2'))
      .thenRefuses('NOTICE_NOT_SIGNED');
    spec
      .given(...round2)
      .when(sign(townA, inRound2))
      .then([signed(2, inRound2)]);
  });

  it('refuses an accountability action while round 2 is on time', () => {
    spec
      .given(...round2, signed(2, inRound2))
      .when(takeAction(inRound2))
      .thenRefuses('ACTION_NOT_WARRANTED');
  });

  it('takes an accountability action once round 2 is overdue, on the case', () => {
    spec
      .given(...round2, signed(2, inRound2))
      .when(takeAction(afterRound2))
      .then([
        {
          type: 'AccountabilityActionTaken',
          data: {
            actionId: 'act-1',
            cycleId: '2026',
            unitId: 'town-a',
            action: 'publicNotice',
            official: { name: '张三', position: '副镇长' },
            reason: '二次督办逾期未整改',
            basis: '市督查室〔2026〕5号',
            noticeId,
            round: 2,
            causes: [],
            deduction: 1,
            schemeVersion: 1,
            occurredOn: '2026-05-02',
            occurredAt: '2026-05-01T16:00:00.000Z',
            takenAt: afterRound2,
          },
        },
      ]);
  });

  it('takes an action once round 2 was returned, but not the same kind twice', () => {
    const failed = [
      ...round2,
      signed(2, inRound2),
      reported(2, 'r-2', inRound2),
      returned(2, 'r-2', inRound2),
    ];
    const [first] = supervisionDecider.decide(takeAction(inRound2), spec.given(...failed).state);
    spec
      .given(...failed, first!)
      .when({ ...(takeAction(inRound2) as object), actionId: 'act-2' } as CaseCommand)
      .thenRefuses('ACTION_ALREADY_TAKEN');
    const [second] = supervisionDecider.decide(
      { ...(takeAction(inRound2, 'interview') as object), actionId: 'act-2' } as CaseCommand,
      spec.given(...failed, first!).state,
    );
    expect(second).toMatchObject({ data: { action: 'interview', actionId: 'act-2' } });
  });

  it('refuses an action with an unknown cause event', () => {
    spec
      .given(...round2, signed(2, inRound2))
      .when({
        ...(takeAction(afterRound2) as object),
        causes: [{ streamId: 'target-x', eventId: 'e-x', type: null }],
      } as CaseCommand)
      .thenRefuses('INVALID_ACCOUNTABILITY_ACTION', /e-x/);
  });

  it('still closes the case on an accepted rectification, after the action', () => {
    const [action] = supervisionDecider.decide(
      takeAction(afterRound2),
      spec.given(...round2, signed(2, inRound2)).state,
    );
    spec
      .given(...round2, signed(2, inRound2), action!, reported(2, 'r-2', afterRound2, true))
      .when(close(afterRound2))
      .then([
        {
          type: 'SupervisionClosed',
          data: {
            noticeId,
            unitId: 'town-a',
            round: 2,
            rectificationId: 'r-2',
            comment: '',
            closedAt: afterRound2,
          },
        },
      ]);
  });
});
