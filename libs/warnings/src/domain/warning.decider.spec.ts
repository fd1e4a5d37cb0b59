import { deciderSpec } from '@dukao/testing';
import type { WarningReason } from './warning-level';
import {
  type EvaluateWarning,
  type EvaluationCause,
  type WarningRaised,
  warningDecider,
} from './warning.decider';

const spec = deciderSpec(warningDecider);
const target = { targetId: 'T1', cycleId: 'C2026', unitId: 'town-a', category: 'towns' };
const byEvent: EvaluationCause = { kind: 'event', eventId: 'e-1' };
const tick: EvaluationCause = { kind: 'tick', eventId: null };

const gapBell: WarningReason = {
  rule: 'gapAboveBell',
  level: 'bell',
  period: '2026-Q2',
  detail: '2026年第二季度累计完成 40%，基准时序进度 50%，落后 10 个百分点，超过警铃阈值 5',
};
const overdue: WarningReason = {
  rule: 'reportOverdue',
  level: 'yellow',
  period: '2026-Q3',
  dueDate: '2026-10-10',
  detail: '2026年第三季度进度应于10月10日前报送，已逾期 1 天',
};
const overdueLong: WarningReason = {
  ...overdue,
  rule: 'reportOverdueLong',
  level: 'red',
  detail: '…已逾期 8 天，超过 7 天',
};

const evaluate = (
  level: EvaluateWarning['evaluation']['level'],
  reasons: WarningReason[],
  at: string,
  cause: EvaluationCause = byEvent,
  schemeVersion = 1,
): EvaluateWarning => ({
  type: 'EvaluateWarning',
  ...target,
  evaluation: { level, reasons },
  schemeVersion,
  at,
  cause,
});

const raised = (
  level: WarningRaised['data']['level'],
  previousLevel: WarningRaised['data']['previousLevel'],
  at: string,
  reasons: WarningReason[],
  cause: EvaluationCause = byEvent,
): WarningRaised => ({
  type: 'WarningRaised',
  data: {
    ...target,
    level,
    previousLevel,
    reasons: reasons.map((r) => ({ period: null, milestoneId: null, dueDate: null, ...r })),
    schemeVersion: 1,
    evaluatedAt: at,
    cause,
  },
});

describe('when the target has no warning', () => {
  it('raises a bell with its reasons, scheme version and cause', () => {
    spec
      .given()
      .when(evaluate('bell', [gapBell], '2026-07-09T02:00:00.000Z'))
      .then([
        {
          type: 'WarningRaised',
          data: {
            ...target,
            level: 'bell',
            previousLevel: 'none',
            reasons: [{ ...gapBell, period: '2026-Q2', milestoneId: null, dueDate: null }],
            schemeVersion: 1,
            evaluatedAt: '2026-07-09T02:00:00.000Z',
            cause: byEvent,
          },
        },
      ]);
  });

  it('records nothing when the evaluation is none', () => {
    spec
      .given()
      .when(evaluate('none', [], '2026-07-09T02:00:00.000Z'))
      .then([]);
  });
});

describe('when the target has a bell', () => {
  const bell = raised('bell', 'none', '2026-07-09T02:00:00.000Z', [gapBell]);

  it('records nothing for the same level, even with other reasons or another scheme version', () => {
    spec
      .given(bell)
      .when(evaluate('bell', [], '2026-07-20T02:00:00.000Z', tick, 2))
      .then([]);
  });

  it('raises it to yellow, naming the previous level', () => {
    spec
      .given(bell)
      .when(evaluate('yellow', [overdue, gapBell], '2026-10-11T01:00:00.000Z', tick))
      .then([raised('yellow', 'bell', '2026-10-11T01:00:00.000Z', [overdue, gapBell], tick)]);
  });

  it('clears it when the evaluation is none', () => {
    spec
      .given(bell)
      .when(evaluate('none', [], '2026-10-09T02:00:00.000Z'))
      .then([
        {
          type: 'WarningCleared',
          data: {
            ...target,
            previousLevel: 'bell',
            schemeVersion: 1,
            evaluatedAt: '2026-10-09T02:00:00.000Z',
            cause: byEvent,
          },
        },
      ]);
  });
});

describe('when the target is red', () => {
  const red = [
    raised('bell', 'none', '2026-07-09T02:00:00.000Z', [gapBell]),
    raised('red', 'bell', '2026-10-18T01:00:00.000Z', [overdueLong], tick),
  ];

  it('lowers it to a bell with a WarningRaised naming red as the previous level', () => {
    spec
      .given(...red)
      .when(evaluate('bell', [gapBell], '2026-10-20T02:00:00.000Z'))
      .then([raised('bell', 'red', '2026-10-20T02:00:00.000Z', [gapBell])]);
  });

  it('records nothing on a repeated red', () => {
    spec
      .given(...red)
      .when(evaluate('red', [overdueLong], '2026-10-19T01:00:00.000Z', tick))
      .then([]);
  });

  it('is back to none after a clear, and a new warning starts from none', () => {
    const cleared = {
      type: 'WarningCleared' as const,
      data: {
        ...target,
        previousLevel: 'red' as const,
        schemeVersion: 1,
        evaluatedAt: '2026-10-20T02:00:00.000Z',
        cause: byEvent,
      },
    };
    expect(spec.given(...red, cleared).state).toEqual({ status: 'none' });
    spec
      .given(...red, cleared)
      .when(evaluate('yellow', [overdue], '2027-01-11T01:00:00.000Z', tick))
      .then([raised('yellow', 'none', '2027-01-11T01:00:00.000Z', [overdue], tick)]);
  });
});
