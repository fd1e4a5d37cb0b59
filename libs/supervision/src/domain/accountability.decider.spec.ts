import { deciderSpec } from '@dukao/testing';
import { type FreeStandingActionCommand, accountabilityDecider } from './accountability.decider';
import type { AccountabilityActionTaken } from './supervision.events';

const at = '2026-06-03T02:00:00.000Z';
const cause = { streamId: 'target-t1', eventId: 'e-1', type: 'ProgressReported' };
const take = (overrides: Partial<FreeStandingActionCommand> = {}): FreeStandingActionCommand => ({
  type: 'TakeAccountabilityAction',
  actionId: 'act-9',
  cycleId: '2026',
  unitId: 'town-a',
  action: 'admonition',
  official: null,
  reason: ' 虚报进度数据 ',
  basis: '',
  causes: [cause],
  deduction: 2,
  schemeVersion: 1,
  occurredOn: '2026-06-01',
  facts: { cycle: 'open', unitExists: true },
  scope: { unitIds: null },
  at,
  ...overrides,
});
const taken: AccountabilityActionTaken = {
  type: 'AccountabilityActionTaken',
  data: {
    actionId: 'act-9',
    cycleId: '2026',
    unitId: 'town-a',
    action: 'admonition',
    official: null,
    reason: '虚报进度数据',
    basis: '',
    noticeId: null,
    round: null,
    causes: [cause],
    deduction: 2,
    schemeVersion: 1,
    occurredOn: '2026-06-01',
    occurredAt: '2026-05-31T16:00:00.000Z',
    takenAt: at,
  },
};
const spec = deciderSpec(accountabilityDecider);

describe('a free-standing accountability action', () => {
  it('is recorded with its causes, deduction and business date', () => {
    spec.given().when(take()).then([taken]);
  });

  it('is recorded once: the same action id again is refused', () => {
    spec.given(taken).when(take()).thenRefuses('ACTION_EXISTS');
  });

  it('must name the events that caused it, each found in its stream', () => {
    spec
      .given()
      .when(take({ causes: [] }))
      .thenRefuses('INVALID_ACCOUNTABILITY_ACTION', /所依据的事件/);
    spec
      .given()
      .when(take({ causes: [{ ...cause, type: null }] }))
      .thenRefuses('INVALID_ACCOUNTABILITY_ACTION', /e-1 不在流 target-t1 中/);
  });

  it('refuses an unknown cycle or unit, an invalid date and an unnamed official', () => {
    spec
      .given()
      .when(
        take({
          facts: { cycle: 'none', unitExists: false },
          occurredOn: '2026-02-30',
          official: { name: ' ', position: '镇长' },
        }),
      )
      .thenRefuses(
        'INVALID_ACCOUNTABILITY_ACTION',
        /2026-02-30.*姓名与职务.*周期 2026 不存在.*单位 town-a 不存在/,
      );
  });

  it('refuses a caller limited to other units', () => {
    spec
      .given()
      .when(take({ scope: { unitIds: ['town-b'] } }))
      .thenRefuses('OUT_OF_SCOPE');
  });
});
