import { deciderSpec } from '@dukao/testing';
import {
  type AppealCommand,
  appealDecider,
  type PublicationFacts,
  type SubjectFacts,
} from './appeal.decider';
import type { AppealFiled, AppealSubject, AppealWithdrawn, RulingRecorded } from './appeal.events';

/** Published on 6 July 10:00 (Shanghai) for the end of June; appeals until 13 July 10:00. */
const publication: PublicationFacts = {
  publicationId: 'pub-june',
  cycleId: '2026',
  category: 'towns',
  at: '2026-06-30T16:00:00.000Z',
  asOf: '2026-07-06T02:00:00.000Z',
  appealDeadline: '2026-07-13T02:00:00.000Z',
  unitIds: ['town-a', 'town-b'],
};
const JUNE_15 = '2026-06-14T16:00:00.000Z';
const penalty: AppealSubject = {
  kind: 'adjustment',
  adjustmentId: 'adj-1',
  recordKind: 'penalty',
  amount: 2,
  eventId: 'event-adj-1',
  occurredAt: JUNE_15,
};
const penaltyFacts: SubjectFacts = { subject: penalty, recordedAt: '2026-06-20T02:00:00.000Z' };
const filedAt = '2026-07-08T02:00:00.000Z';
const evidence = [
  {
    fileId: 'a'.repeat(64),
    name: '整改情况说明.pdf',
    mediaType: 'application/pdf',
    size: 1024,
    sha256: 'a'.repeat(64),
    sm3: 'b'.repeat(64),
  },
];

const file = (over: Partial<Extract<AppealCommand, { type: 'FileAppeal' }>> = {}): AppealCommand => ({
  type: 'FileAppeal',
  appealId: 'ap-1',
  unitId: 'town-a',
  unitCategory: 'towns',
  publicationId: 'pub-june',
  publication,
  subjectRequest: { kind: 'adjustment', adjustmentId: 'adj-1' },
  subject: penaltyFacts,
  reasons: '已按期整改，扣分依据不成立',
  evidence,
  at: filedAt,
  ...over,
});
const filed = (subject: AppealSubject = penalty): AppealFiled => ({
  type: 'AppealFiled',
  data: {
    appealId: 'ap-1',
    cycleId: '2026',
    unitId: 'town-a',
    category: 'towns',
    publicationId: 'pub-june',
    subject,
    reasons: '已按期整改，扣分依据不成立',
    evidence,
    filedAt,
  },
});
const ruledAt = '2026-08-01T02:00:00.000Z';
const rule = (over: Partial<Extract<AppealCommand, { type: 'RecordRuling' }>> = {}): AppealCommand => ({
  type: 'RecordRuling',
  outcome: 'overturned',
  amount: null,
  reasoning: '经委员会审议，扣分依据不足',
  effectiveFrom: null,
  at: ruledAt,
  ...over,
});
const ruled = (over: Partial<RulingRecorded['data']> = {}): RulingRecorded => ({
  type: 'RulingRecorded',
  data: {
    appealId: 'ap-1',
    cycleId: '2026',
    unitId: 'town-a',
    publicationId: 'pub-june',
    subject: penalty,
    outcome: 'overturned',
    amount: null,
    reasoning: '经委员会审议，扣分依据不足',
    effectiveFrom: JUNE_15,
    ruledAt,
    ...over,
  },
});
const withdrawn: AppealWithdrawn = {
  type: 'AppealWithdrawn',
  data: { appealId: 'ap-1', cycleId: '2026', unitId: 'town-a', reason: null, withdrawnAt: ruledAt },
};
const spec = deciderSpec(appealDecider);

describe('when no appeal is filed', () => {
  it('files an appeal against a penalty of the publication, with its evidence', () => {
    spec.given().when(file()).then([filed()]);
  });

  it('accepts it up to the deadline itself', () => {
    spec
      .given()
      .when(file({ at: publication.appealDeadline }))
      .then([{ ...filed(), data: { ...filed().data, filedAt: publication.appealDeadline } }]);
  });

  it('refuses it after the deadline, saying when the window closed (Shanghai time)', () => {
    spec
      .given()
      .when(file({ at: '2026-07-13T02:00:00.001Z' }))
      .thenRefuses('APPEAL_WINDOW_CLOSED', /申诉期已过（截止 2026-07-13 10:00）/);
  });

  it('refuses an unknown publication (404)', () => {
    spec
      .given()
      .when(file({ publication: null, publicationId: 'nope' }))
      .thenRefuses('PUBLICATION_NOT_FOUND');
  });

  it('refuses a publication of another category, or one the unit is not in', () => {
    spec
      .given()
      .when(file({ unitCategory: 'departments' }))
      .thenRefuses('PUBLICATION_NOT_OF_UNIT');
    spec
      .given()
      .when(file({ unitId: 'town-c' }))
      .thenRefuses('PUBLICATION_NOT_OF_UNIT');
  });

  it('refuses an unknown unit', () => {
    spec
      .given()
      .when(file({ unitCategory: null }))
      .thenRefuses('UNIT_NOT_FOUND');
  });

  it('refuses a subject that is not the unit’s own (not found among its records)', () => {
    spec
      .given()
      .when(file({ subject: null }))
      .thenRefuses('APPEAL_SUBJECT_NOT_FOUND', /不属于本单位/);
  });

  it('refuses a subject that was not part of the publication (occurred after its `at`, or recorded after it)', () => {
    spec
      .given()
      .when(
        file({
          subject: { subject: { ...penalty, occurredAt: '2026-07-01T16:00:00.000Z' }, recordedAt: filedAt },
        }),
      )
      .thenRefuses('APPEAL_SUBJECT_NOT_IN_PUBLICATION');
    spec
      .given()
      .when(file({ subject: { ...penaltyFacts, recordedAt: '2026-07-07T00:00:00.000Z' } }))
      .thenRefuses('APPEAL_SUBJECT_NOT_IN_PUBLICATION');
  });

  it('refuses blank reasons', () => {
    spec
      .given()
      .when(file({ reasons: '  ' }))
      .thenRefuses('INVALID_APPEAL', /申诉理由/);
  });

  it('has nothing to withdraw or rule on', () => {
    spec.given().when({ type: 'WithdrawAppeal', reason: null, at: ruledAt }).thenRefuses('APPEAL_NOT_FOUND');
    spec.given().when(rule()).thenRefuses('APPEAL_NOT_FOUND');
  });
});

describe('when an appeal is filed', () => {
  it('refuses filing it again', () => {
    spec.given(filed()).when(file()).thenRefuses('APPEAL_EXISTS');
  });

  it('lets the unit withdraw it, with an optional reason', () => {
    spec
      .given(filed())
      .when({ type: 'WithdrawAppeal', reason: ' 已与考核办沟通 ', at: ruledAt })
      .then([{ ...withdrawn, data: { ...withdrawn.data, reason: '已与考核办沟通' } }]);
  });

  it('records an overturning ruling, effective from the penalty’s date by default', () => {
    spec.given(filed()).when(rule()).then([ruled()]);
  });

  it('records a partial ruling with the amount that stands and an explicit effective date', () => {
    spec
      .given(filed())
      .when(rule({ outcome: 'partial', amount: 0.5, effectiveFrom: '2026-07-01T00:00:00.000Z' }))
      .then([ruled({ outcome: 'partial', amount: 0.5, effectiveFrom: '2026-07-01T00:00:00.000Z' })]);
  });

  it('records an upheld ruling', () => {
    spec
      .given(filed())
      .when(rule({ outcome: 'upheld' }))
      .then([ruled({ outcome: 'upheld' })]);
  });

  it.each([
    ['an amount on an overturning ruling', { outcome: 'overturned' as const, amount: 1 }, /仅“部分支持”/],
    ['a partial ruling without an amount', { outcome: 'partial' as const, amount: null }, /须写明分值/],
    ['a partial amount not below the penalty', { outcome: 'partial' as const, amount: 2 }, /小于原分值 2/],
    ['a negative partial amount', { outcome: 'partial' as const, amount: -1 }, /不小于 0/],
  ])('refuses %s', (_label, over, message) => {
    spec.given(filed()).when(rule(over)).thenRefuses('INVALID_RULING', message);
  });

  it('refuses blank reasoning', () => {
    spec
      .given(filed())
      .when(rule({ reasoning: '' }))
      .thenRefuses('INVALID_APPEAL', /裁决理由/);
  });
});

describe('when the subject is a veto, a verification or the score', () => {
  const veto: AppealSubject = { kind: 'veto', vetoId: 'v-1', eventId: 'event-v-1', occurredAt: JUNE_15 };
  const verification: AppealSubject = {
    kind: 'verification',
    targetId: 't-1',
    reportId: 'r-2',
    period: '2026-Q2',
    eventId: 'event-rejected',
    occurredAt: publication.at,
  };
  const score: AppealSubject = { kind: 'score', eventId: null, occurredAt: publication.at };

  it('refuses a partial ruling on a veto or a rejection, and overturns them', () => {
    spec
      .given(filed(veto))
      .when(rule({ outcome: 'partial', amount: 1 }))
      .thenRefuses('INVALID_RULING', /一票否决只能维持或撤销/);
    spec
      .given(filed(verification))
      .when(rule({ outcome: 'partial', amount: 1 }))
      .thenRefuses('INVALID_RULING', /数据审核退回只能维持或撤销/);
    spec
      .given(filed(verification))
      .when(rule())
      .then([ruled({ subject: verification, effectiveFrom: publication.at })]);
  });

  it('adds or takes points on a score appeal, but cannot void a score', () => {
    spec
      .given(filed(score))
      .when(rule({ outcome: 'partial', amount: -1.5 }))
      .then([ruled({ subject: score, outcome: 'partial', amount: -1.5, effectiveFrom: publication.at })]);
    spec
      .given(filed(score))
      .when(rule({ outcome: 'partial', amount: 0 }))
      .thenRefuses('INVALID_RULING', /加（正数）或减（负数）/);
    spec
      .given(filed(score))
      .when(rule())
      .thenRefuses('INVALID_RULING', /不能整体撤销/);
  });
});

describe('when the subject is an accountability action (问责, 约谈 0.5)', () => {
  const interview: AppealSubject = {
    kind: 'accountability',
    actionId: 'act-1',
    action: 'interview',
    deduction: 0.5,
    eventId: 'event-act-1',
    occurredAt: JUNE_15,
  };

  it('reduces the deduction to what stands, below the original', () => {
    spec
      .given(filed(interview))
      .when(rule({ outcome: 'partial', amount: 0.2 }))
      .then([ruled({ subject: interview, outcome: 'partial', amount: 0.2 })]);
    spec
      .given(filed(interview))
      .when(rule({ outcome: 'partial', amount: 0.5 }))
      .thenRefuses('INVALID_RULING', /小于原扣分 0.5/);
  });
});

describe('when the subject is a confirmed false report (察访核验认定虚报)', () => {
  const finding: AppealSubject = {
    kind: 'falseReport',
    caseId: 'case-1',
    finding: 'falseReport',
    targetId: 't-1',
    eventId: 'event-case-1',
    occurredAt: JUNE_15,
  };

  it('refuses a partial ruling (the deduction is the scheme’s per case), and overturns it from its date', () => {
    spec
      .given(filed(finding))
      .when(rule({ outcome: 'partial', amount: 2 }))
      .thenRefuses('INVALID_RULING', /虚报瞒报认定只能维持或撤销/);
    spec
      .given(filed(finding))
      .when(rule())
      .then([ruled({ subject: finding, effectiveFrom: JUNE_15 })]);
  });
});

describe('when an appeal is ruled on or withdrawn', () => {
  it('refuses a second ruling (409) and a withdrawal after the ruling', () => {
    spec
      .given(filed(), ruled())
      .when(rule({ outcome: 'upheld' }))
      .thenRefuses('APPEAL_ALREADY_RULED');
    spec
      .given(filed(), ruled())
      .when({ type: 'WithdrawAppeal', reason: null, at: ruledAt })
      .thenRefuses('APPEAL_ALREADY_RULED');
  });

  it('refuses a ruling or another withdrawal once withdrawn', () => {
    spec.given(filed(), withdrawn).when(rule()).thenRefuses('APPEAL_WITHDRAWN');
    spec
      .given(filed(), withdrawn)
      .when({ type: 'WithdrawAppeal', reason: null, at: ruledAt })
      .thenRefuses('APPEAL_WITHDRAWN');
  });
});
