import { deciderSpec } from '@dukao/testing';
import {
  currentReport,
  targetDecider,
  valueInForce,
  type TargetCommand,
  type TargetState,
} from './target.decider';
import {
  DEFAULT_REVIEW_STAGES,
  type EvidenceRef,
  type NilReturnDeclared,
  type ProgressReported,
  type ReviewStage,
  type TargetDefinition,
  type TargetEvent,
} from './target.events';

type ReportProgress = Extract<TargetCommand, { type: 'ReportProgress' }>;

const spec = deciderSpec(targetDecider);
const at = '2026-01-12T02:00:00.000Z';
const stages: ReviewStage[] = [...DEFAULT_REVIEW_STAGES];

/** The worked example of DOMAIN.md: Town A, GDP growth 8.0% for 2026, baseline 7.1%, 25/50/75/100% by quarter. */
const gdp: TargetDefinition = {
  cycleId: 'cycle-2026',
  year: 2026,
  unitId: 'town-a',
  category: 'towns',
  indicatorId: 'ind-economy-gdp',
  title: 'GDP增速',
  kind: 'quantitative',
  measure: '地区生产总值同比增速',
  unitOfMeasure: '%',
  direction: 'higherIsBetter',
  annualValue: 8.0,
  baseline: 7.1,
  schedule: [25, 50, 75, 100],
  cadence: 'quarterly',
  reportDueDay: 10,
  dataCollectionUnitId: 'dept-statistics',
  milestones: [],
  dynamic: false,
};

/** A monthly quantitative target, for the monthly period format and the lateness example (2026-06, due 10 July). */
const revenue: TargetDefinition = {
  ...gdp,
  indicatorId: 'ind-economy-revenue',
  title: '一般公共预算收入',
  measure: '一般公共预算收入累计完成额',
  unitOfMeasure: '亿元',
  annualValue: 12.5,
  baseline: 11.8,
  schedule: [8, 16, 25, 33, 41, 50, 58, 66, 75, 83, 91, 100],
  cadence: 'monthly',
  dataCollectionUnitId: 'dept-finance',
};

/** A milestone (qualitative) target reported monthly (seed 004: 工作项目化、项目流程化、流程节点化). */
const renovation: TargetDefinition = {
  ...gdp,
  indicatorId: 'ind-livelihood-renovation',
  title: '老旧小区改造',
  kind: 'milestones',
  measure: '老旧小区改造项目节点完成情况',
  unitOfMeasure: '',
  annualValue: null,
  baseline: null,
  schedule: [],
  cadence: 'monthly',
  dataCollectionUnitId: 'dept-housing',
  milestones: [
    { milestoneId: 'm1', title: '完成项目立项', dueDate: '2026-03-31', evidenceRequired: false },
    { milestoneId: 'm2', title: '开工建设', dueDate: '2026-06-30', evidenceRequired: true },
  ],
};

const evidence: EvidenceRef = {
  fileId: 'a'.repeat(64),
  name: '施工许可证.pdf',
  mediaType: 'application/pdf',
  size: 204_800,
  sha256: 'a'.repeat(64),
  sm3: 'b'.repeat(64),
};

const proposed = (definition: TargetDefinition = gdp, reviewStages: ReviewStage[] = stages): TargetEvent => ({
  type: 'TargetProposed',
  data: { targetId: 't1', definition, reviewStages, proposedAt: at },
});
const passed = (stage: ReviewStage, comment: string | null = null): TargetEvent => ({
  type: 'TargetReviewPassed',
  data: { targetId: 't1', stage, comment, reviewedAt: at },
});
const returned = (stage: ReviewStage, reason = '目标值低于上年实际，请重新测算'): TargetEvent => ({
  type: 'TargetReturned',
  data: { targetId: 't1', stage, reason, returnedAt: at },
});
const resubmitted = (definition: TargetDefinition = { ...gdp, annualValue: 8.5 }): TargetEvent => ({
  type: 'TargetResubmitted',
  data: { targetId: 't1', definition, resubmittedAt: at },
});
const issued: TargetEvent = { type: 'TargetIssued', data: { targetId: 't1', issuedAt: at } };
const issuedTarget = (definition: TargetDefinition = gdp): TargetEvent[] => [
  proposed(definition),
  passed('lineDepartment'),
  passed('assessmentOffice'),
  passed('leaderInCharge'),
  issued,
];
const adjusted = (
  newValue: number,
  effectiveFrom: string,
  previousValue: number | null = 8.0,
): TargetEvent => ({
  type: 'TargetAdjusted',
  data: {
    targetId: 't1',
    previousValue,
    newValue,
    effectiveFrom,
    rulingRef: '绩委裁〔2026〕3号',
    reason: '受上级政策调整影响',
    adjustedAt: at,
  },
});
const withdrawn: TargetEvent = {
  type: 'TargetWithdrawn',
  data: { targetId: 't1', reason: '该项工作已划转至其他单位', withdrawnAt: at },
};

// Q2 (and June) reports with reportDueDay 10 are due on 2026-07-10, to the end of that Shanghai day (16:00Z).
const onTime = '2026-07-08T02:00:00.000Z';
const lastMomentOnTime = '2026-07-10T15:59:59.999Z';
const firstMomentLate = '2026-07-10T16:00:00.000Z';
const wellLate = '2026-07-12T03:00:00.000Z';

const report = (overrides: Partial<ReportProgress> = {}): ReportProgress => ({
  type: 'ReportProgress',
  reportId: 'r1',
  period: '2026-Q2',
  cumulativeValue: 3.2,
  milestonesCompleted: [],
  narrative: '上半年地区生产总值累计增长3.2%',
  evidence: [],
  replaces: null,
  at: onTime,
  ...overrides,
});
const reported = (overrides: Partial<ProgressReported['data']> = {}): ProgressReported => ({
  type: 'ProgressReported',
  data: {
    targetId: 't1',
    reportId: 'r1',
    period: '2026-Q2',
    cumulativeValue: 3.2,
    milestonesCompleted: [],
    narrative: '上半年地区生产总值累计增长3.2%',
    evidence: [],
    replaces: null,
    dueDate: '2026-07-10',
    late: false,
    reportedAt: onTime,
    ...overrides,
  },
});
const nilReturned = (overrides: Partial<NilReturnDeclared['data']> = {}): NilReturnDeclared => ({
  type: 'NilReturnDeclared',
  data: {
    targetId: 't1',
    reportId: 'n1',
    period: '2026-Q2',
    reason: '统计部门本季度数据尚未发布',
    dueDate: '2026-07-10',
    late: false,
    declaredAt: onTime,
    ...overrides,
  },
});
const verified = (reportId = 'r1', period = '2026-Q2'): TargetEvent => ({
  type: 'ReportVerified',
  data: { targetId: 't1', reportId, period, verifiedAt: wellLate },
});
const rejected = (reportId = 'r1', period = '2026-Q2'): TargetEvent => ({
  type: 'ReportRejected',
  data: { targetId: 't1', reportId, period, reason: '数据与统计快报不一致', rejectedAt: wellLate },
});

function live(state: TargetState) {
  if (state.status === 'none') throw new Error('expected a target');
  return state;
}

describe('target decider', () => {
  describe('when the target does not exist', () => {
    const propose = (definition: TargetDefinition = gdp, reviewStages: ReviewStage[] = stages) =>
      ({ type: 'ProposeTarget', targetId: 't1', definition, reviewStages, at }) as const;

    it('proposes a target for review', () => {
      spec.given().when(propose()).then([proposed()]);
    });

    it('proposes a milestone target without a value or schedule', () => {
      spec
        .given()
        .when(propose(renovation))
        .then([proposed(renovation)]);
    });

    it('refuses any other command', () => {
      spec.given().when({ type: 'WithdrawTarget', reason: '撤销', at }).thenRefuses('TARGET_NOT_FOUND');
      spec.given().when(report()).thenRefuses('TARGET_NOT_FOUND');
    });

    it('refuses a quantitative target without a value', () => {
      spec
        .given()
        .when(propose({ ...gdp, annualValue: null }))
        .thenRefuses('INVALID_TARGET', /量化目标须有年度目标值/);
    });

    it('refuses a negative value for a lower-is-better target', () => {
      spec
        .given()
        .when(propose({ ...gdp, title: '安全生产事故起数', direction: 'lowerIsBetter', annualValue: -1 }))
        .thenRefuses('INVALID_TARGET', /越低越好的目标值不能为负/);
    });

    it('refuses a schedule with the wrong number of values for the cadence', () => {
      spec
        .given()
        .when(propose({ ...gdp, schedule: [50, 100] }))
        .thenRefuses('INVALID_TARGET', /须有 4 个值/);
      spec
        .given()
        .when(propose({ ...revenue, schedule: [25, 50, 75, 100] }))
        .thenRefuses('INVALID_TARGET', /须有 12 个值/);
    });

    it('refuses a decreasing schedule', () => {
      spec
        .given()
        .when(propose({ ...gdp, schedule: [25, 60, 50, 100] }))
        .thenRefuses('INVALID_TARGET', /逐期不减/);
    });

    it('refuses a schedule that does not end at 100', () => {
      spec
        .given()
        .when(propose({ ...gdp, schedule: [25, 50, 75, 90] }))
        .thenRefuses('INVALID_TARGET', /最后一期须为 100/);
    });

    it('refuses a milestone target without milestones', () => {
      spec
        .given()
        .when(propose({ ...renovation, milestones: [] }))
        .thenRefuses('INVALID_TARGET', /节点目标须至少有一个节点/);
    });

    it('refuses duplicate milestone ids', () => {
      const [m1] = renovation.milestones;
      spec
        .given()
        .when(propose({ ...renovation, milestones: [m1!, { ...m1!, title: '完成设计招标' }] }))
        .thenRefuses('INVALID_TARGET', /节点编号重复/);
    });

    it('refuses a milestone due outside the cycle year', () => {
      const [m1] = renovation.milestones;
      spec
        .given()
        .when(propose({ ...renovation, milestones: [{ ...m1!, dueDate: '2027-01-15' }] }))
        .thenRefuses('INVALID_TARGET', /节点截止日期须在考核年度内/);
    });

    it.each([0, 29, 2.5])('refuses a report due day of %s', (reportDueDay) => {
      spec
        .given()
        .when(propose({ ...gdp, reportDueDay }))
        .thenRefuses('INVALID_TARGET', /报送截止日须为 1–28 日/);
    });

    it('refuses no review stages, and repeated stages', () => {
      spec.given().when(propose(gdp, [])).thenRefuses('INVALID_REVIEW_STAGES');
      spec
        .given()
        .when(propose(gdp, ['lineDepartment', 'lineDepartment']))
        .thenRefuses('INVALID_REVIEW_STAGES');
    });
  });

  describe('when the target is proposed', () => {
    const review = (stage: ReviewStage, decision: 'pass' | 'return' = 'pass', reason: string | null = null) =>
      ({ type: 'ReviewTarget', stage, decision, reason, at }) as const;

    it('refuses proposing it again', () => {
      spec
        .given(proposed())
        .when({ type: 'ProposeTarget', targetId: 't1', definition: gdp, reviewStages: stages, at })
        .thenRefuses('TARGET_EXISTS');
    });

    it('passes the line department review', () => {
      spec
        .given(proposed())
        .when(review('lineDepartment', 'pass', '与部门年度计划一致'))
        .then([passed('lineDepartment', '与部门年度计划一致')]);
    });

    it('passes the assessment office review after the line department', () => {
      spec
        .given(proposed(), passed('lineDepartment'))
        .when(review('assessmentOffice'))
        .then([passed('assessmentOffice')]);
    });

    it('issues the target when the leader in charge passes it, the last stage', () => {
      spec
        .given(proposed(), passed('lineDepartment'), passed('assessmentOffice'))
        .when(review('leaderInCharge'))
        .then([passed('leaderInCharge'), issued]);
    });

    it('issues after a single configured stage', () => {
      spec
        .given(proposed(gdp, ['assessmentOffice']))
        .when(review('assessmentOffice'))
        .then([passed('assessmentOffice'), issued]);
    });

    it('refuses a review at the wrong stage', () => {
      spec.given(proposed()).when(review('assessmentOffice')).thenRefuses('WRONG_REVIEW_STAGE');
      spec
        .given(proposed(), passed('lineDepartment'))
        .when(review('lineDepartment'))
        .thenRefuses('WRONG_REVIEW_STAGE');
    });

    it('returns the target at any stage with a reason', () => {
      spec
        .given(proposed(), passed('lineDepartment'))
        .when(review('assessmentOffice', 'return', '目标值低于上年实际，请重新测算'))
        .then([returned('assessmentOffice')]);
    });

    it('refuses a return without a reason', () => {
      spec
        .given(proposed())
        .when(review('lineDepartment', 'return', null))
        .thenRefuses('REASON_REQUIRED');
      spec
        .given(proposed())
        .when(review('lineDepartment', 'return', '  '))
        .thenRefuses('REASON_REQUIRED');
    });

    it('refuses a resubmission, since it has not been returned', () => {
      spec
        .given(proposed())
        .when({ type: 'ResubmitTarget', definition: gdp, at })
        .thenRefuses('TARGET_NOT_RETURNED', /审核中/);
    });

    it('refuses an adjustment, since it has not been issued', () => {
      spec
        .given(proposed())
        .when({
          type: 'AdjustTarget',
          newValue: 7.5,
          effectiveFrom: '2026-07-01T00:00:00.000Z',
          rulingRef: '绩委裁〔2026〕3号',
          reason: '调整',
          at,
        })
        .thenRefuses('TARGET_NOT_ISSUED');
    });

    it('refuses a report, since it has not been issued', () => {
      spec
        .given(proposed())
        .when(report())
        .thenRefuses('TARGET_NOT_ISSUED', /审核中/);
      spec
        .given(proposed())
        .when({ type: 'DeclareNilReturn', reportId: 'n1', period: '2026-Q2', reason: '无', at })
        .thenRefuses('TARGET_NOT_ISSUED');
    });

    it('records no missed period, since it has not been issued', () => {
      spec.given(proposed()).when({ type: 'RecordMissedPeriod', period: '2026-Q1', at: wellLate }).then([]);
    });

    it('can be withdrawn during review', () => {
      spec
        .given(proposed())
        .when({ type: 'WithdrawTarget', reason: '该项工作已划转至其他单位', at })
        .then([withdrawn]);
    });
  });

  describe('when the target is returned', () => {
    const given = () => spec.given(proposed(), passed('lineDepartment'), returned('assessmentOffice'));

    it('is back in "returned" with review reset to the first stage', () => {
      const state = live(given().state);
      expect(state.status).toBe('returned');
      expect(state.nextStage).toBe(0);
    });

    it('refuses a review until it is resubmitted', () => {
      given()
        .when({ type: 'ReviewTarget', stage: 'lineDepartment', decision: 'pass', reason: null, at })
        .thenRefuses('TARGET_NOT_UNDER_REVIEW', /已退回/);
    });

    it('resubmits a revised definition', () => {
      given()
        .when({ type: 'ResubmitTarget', definition: { ...gdp, annualValue: 8.5 }, at })
        .then([resubmitted({ ...gdp, annualValue: 8.5 })]);
    });

    it('restarts the review at the first stage after resubmission', () => {
      const again = spec.given(
        proposed(),
        passed('lineDepartment'),
        returned('assessmentOffice'),
        resubmitted(),
      );
      expect(live(again.state)).toMatchObject({
        status: 'proposed',
        nextStage: 0,
        definition: { annualValue: 8.5 },
      });
      again
        .when({ type: 'ReviewTarget', stage: 'assessmentOffice', decision: 'pass', reason: null, at })
        .thenRefuses('WRONG_REVIEW_STAGE');
      again
        .when({ type: 'ReviewTarget', stage: 'lineDepartment', decision: 'pass', reason: null, at })
        .then([passed('lineDepartment')]);
    });

    it('refuses a resubmission that moves the target to another unit or cycle', () => {
      given()
        .when({ type: 'ResubmitTarget', definition: { ...gdp, unitId: 'town-b' }, at })
        .thenRefuses('TARGET_UNIT_FIXED');
      given()
        .when({ type: 'ResubmitTarget', definition: { ...gdp, cycleId: 'cycle-2027' }, at })
        .thenRefuses('TARGET_UNIT_FIXED');
    });

    it('refuses an invalid resubmitted definition', () => {
      given()
        .when({ type: 'ResubmitTarget', definition: { ...gdp, schedule: [25, 50, 75] }, at })
        .thenRefuses('INVALID_TARGET');
    });
  });

  describe('when the target is issued', () => {
    it('refuses a further review, including a return', () => {
      spec
        .given(...issuedTarget())
        .when({ type: 'ReviewTarget', stage: 'leaderInCharge', decision: 'return', reason: '重新研究', at })
        .thenRefuses('TARGET_NOT_UNDER_REVIEW', /已下达/);
    });

    it('refuses a resubmission', () => {
      spec
        .given(...issuedTarget())
        .when({ type: 'ResubmitTarget', definition: gdp, at })
        .thenRefuses('TARGET_NOT_RETURNED');
    });

    describe('adjusting the value', () => {
      const adjust = (newValue: number, effectiveFrom: string, rulingRef = '绩委裁〔2026〕3号') =>
        ({
          type: 'AdjustTarget',
          newValue,
          effectiveFrom,
          rulingRef,
          reason: '受上级政策调整影响',
          at,
        }) as const;

      it('adjusts on a ruling, recording the value it replaces', () => {
        spec
          .given(...issuedTarget())
          .when(adjust(7.5, '2026-07-01T00:00:00.000Z'))
          .then([adjusted(7.5, '2026-07-01T00:00:00.000Z', 8.0)]);
      });

      it('records the previous adjustment as the value replaced by the next', () => {
        spec
          .given(...issuedTarget(), adjusted(7.5, '2026-07-01T00:00:00.000Z'))
          .when(adjust(7.0, '2026-10-01T00:00:00.000Z'))
          .then([adjusted(7.0, '2026-10-01T00:00:00.000Z', 7.5)]);
      });

      it('keeps the old value in force until the adjustment takes effect', () => {
        const state = live(spec.given(...issuedTarget(), adjusted(7.5, '2026-07-01T00:00:00.000Z')).state);
        expect(valueInForce(state, '2026-06-30T23:59:59.999Z')).toBe(8.0);
        expect(valueInForce(state, '2026-07-01T00:00:00.000Z')).toBe(7.5);
        expect(valueInForce(state, '2026-12-31T00:00:00.000Z')).toBe(7.5);
      });

      it('refuses an adjustment without a ruling reference', () => {
        spec
          .given(...issuedTarget())
          .when(adjust(7.5, '2026-07-01T00:00:00.000Z', ' '))
          .thenRefuses('RULING_REQUIRED', /裁决文号/);
      });

      it('refuses an adjustment effective no later than the previous one', () => {
        const given = spec.given(...issuedTarget(), adjusted(7.5, '2026-07-01T00:00:00.000Z'));
        given.when(adjust(7.0, '2026-07-01T00:00:00.000Z')).thenRefuses('ADJUSTMENT_OUT_OF_ORDER');
        given.when(adjust(7.0, '2026-04-01T00:00:00.000Z')).thenRefuses('ADJUSTMENT_OUT_OF_ORDER');
      });

      it('refuses adjusting a milestone target, which has no value', () => {
        spec
          .given(...issuedTarget(renovation))
          .when(adjust(1, '2026-07-01T00:00:00.000Z'))
          .thenRefuses('TARGET_NOT_QUANTITATIVE');
      });

      it('refuses a negative value for a lower-is-better target, as at proposal', () => {
        const accidents: TargetDefinition = {
          ...gdp,
          title: '安全生产事故起数',
          direction: 'lowerIsBetter',
          annualValue: 3,
          unitOfMeasure: '起',
        };
        spec
          .given(...issuedTarget(accidents))
          .when(adjust(-1, '2026-07-01T00:00:00.000Z'))
          .thenRefuses('INVALID_TARGET');
      });
    });

    describe('withdrawing it', () => {
      it('withdraws with a reason', () => {
        spec
          .given(...issuedTarget())
          .when({ type: 'WithdrawTarget', reason: '该项工作已划转至其他单位', at })
          .then([withdrawn]);
      });

      it('refuses a withdrawal without a reason', () => {
        spec
          .given(...issuedTarget())
          .when({ type: 'WithdrawTarget', reason: ' ', at })
          .thenRefuses('REASON_REQUIRED');
      });
    });

    describe('reporting progress', () => {
      it('records a quarterly report with its due date', () => {
        spec
          .given(...issuedTarget())
          .when(report())
          .then([reported()]);
      });

      it('records a monthly report for a monthly target', () => {
        spec
          .given(...issuedTarget(revenue))
          .when(report({ period: '2026-06', cumulativeValue: 6.3, narrative: '1-6月累计完成6.3亿元' }))
          .then([reported({ period: '2026-06', cumulativeValue: 6.3, narrative: '1-6月累计完成6.3亿元' })]);
      });

      it('refuses a monthly period for a quarterly target', () => {
        spec
          .given(...issuedTarget())
          .when(report({ period: '2026-06' }))
          .thenRefuses('INVALID_PERIOD', /按季，如 2026-Q2/);
      });

      it('refuses a quarterly period for a monthly target', () => {
        spec
          .given(...issuedTarget(revenue))
          .when(report({ period: '2026-Q2' }))
          .thenRefuses('INVALID_PERIOD', /按月，如 2026-06/);
      });

      it('refuses a period outside the cycle year', () => {
        spec
          .given(...issuedTarget())
          .when(report({ period: '2025-Q4' }))
          .thenRefuses('INVALID_PERIOD');
        spec
          .given(...issuedTarget(revenue))
          .when(report({ period: '2027-01' }))
          .thenRefuses('INVALID_PERIOD');
      });

      it('refuses a malformed period', () => {
        spec
          .given(...issuedTarget(revenue))
          .when(report({ period: '2026-6' }))
          .thenRefuses('INVALID_PERIOD');
        spec
          .given(...issuedTarget())
          .when(report({ period: '2026-Q5' }))
          .thenRefuses('INVALID_PERIOD');
      });

      it('refuses a report id already used, even for another period', () => {
        spec
          .given(...issuedTarget(), reported({ period: '2026-Q1' }))
          .when(report())
          .thenRefuses('REPORT_EXISTS');
      });

      it('refuses a second report for a period already reported', () => {
        spec
          .given(...issuedTarget(), reported())
          .when(report({ reportId: 'r2', cumulativeValue: 3.4 }))
          .thenRefuses('PERIOD_ALREADY_REPORTED', /已有他人先行填报/);
      });

      it('refuses a second report for a period whose report was verified', () => {
        spec
          .given(...issuedTarget(), reported(), verified())
          .when(report({ reportId: 'r2' }))
          .thenRefuses('PERIOD_ALREADY_REPORTED');
      });

      it('allows a new report after the previous one was rejected', () => {
        spec
          .given(...issuedTarget(), reported(), rejected())
          .when(report({ reportId: 'r2', cumulativeValue: 3.0 }))
          .then([reported({ reportId: 'r2', cumulativeValue: 3.0 })]);
      });

      it('refuses a quantitative report without a value', () => {
        spec
          .given(...issuedTarget())
          .when(report({ cumulativeValue: null }))
          .thenRefuses('VALUE_REQUIRED');
        spec
          .given(...issuedTarget())
          .when(report({ cumulativeValue: Number.NaN }))
          .thenRefuses('VALUE_REQUIRED');
      });

      describe('lateness (due 2026-07-10, to the end of that Shanghai day)', () => {
        it('is on time at the last millisecond of the due day in Shanghai', () => {
          spec
            .given(...issuedTarget())
            .when(report({ at: lastMomentOnTime }))
            .then([reported({ reportedAt: lastMomentOnTime, late: false })]);
        });

        it('is late at midnight Shanghai time, 2026-07-10T16:00:00.000Z', () => {
          spec
            .given(...issuedTarget())
            .when(report({ at: firstMomentLate }))
            .then([reported({ reportedAt: firstMomentLate, late: true })]);
        });

        it('is late after the due day', () => {
          spec
            .given(...issuedTarget())
            .when(report({ at: wellLate }))
            .then([reported({ reportedAt: wellLate, late: true })]);
        });

        it('applies the same due date to the monthly period 2026-06', () => {
          spec
            .given(...issuedTarget(revenue))
            .when(report({ period: '2026-06', at: lastMomentOnTime }))
            .then([reported({ period: '2026-06', reportedAt: lastMomentOnTime, late: false })]);
          spec
            .given(...issuedTarget(revenue))
            .when(report({ period: '2026-06', at: wellLate }))
            .then([reported({ period: '2026-06', reportedAt: wellLate, late: true })]);
        });

        it('dates a December report to 10 January of the next year', () => {
          spec
            .given(...issuedTarget(revenue))
            .when(report({ period: '2026-12', at: '2027-01-05T02:00:00.000Z' }))
            .then([
              reported({ period: '2026-12', dueDate: '2027-01-10', reportedAt: '2027-01-05T02:00:00.000Z' }),
            ]);
        });
      });

      describe('corrections', () => {
        it('records a correction that names the report it replaces', () => {
          spec
            .given(...issuedTarget(), reported())
            .when(report({ reportId: 'r2', cumulativeValue: 3.4, replaces: 'r1', at: wellLate }))
            .then([
              reported({
                reportId: 'r2',
                cumulativeValue: 3.4,
                replaces: 'r1',
                reportedAt: wellLate,
                late: true,
              }),
            ]);
        });

        it('marks the replaced report as replaced and keeps it in the state', () => {
          const state = live(
            spec.given(...issuedTarget(), reported(), reported({ reportId: 'r2', replaces: 'r1' })).state,
          );
          expect(state.reports).toEqual([
            { reportId: 'r1', period: '2026-Q2', kind: 'report', status: 'replaced' },
            { reportId: 'r2', period: '2026-Q2', kind: 'report', status: 'pending' },
          ]);
          expect(currentReport(state, '2026-Q2')?.reportId).toBe('r2');
        });

        it('corrects a verified report', () => {
          spec
            .given(...issuedTarget(), reported(), verified())
            .when(report({ reportId: 'r2', replaces: 'r1' }))
            .then([reported({ reportId: 'r2', replaces: 'r1' })]);
        });

        it('corrects a nil return with a real report', () => {
          spec
            .given(...issuedTarget(), nilReturned())
            .when(report({ reportId: 'r2', replaces: 'n1' }))
            .then([reported({ reportId: 'r2', replaces: 'n1' })]);
        });

        it('refuses replacing an unknown report', () => {
          spec
            .given(...issuedTarget(), reported())
            .when(report({ reportId: 'r2', replaces: 'r9' }))
            .thenRefuses('REPORT_NOT_FOUND');
        });

        it('refuses replacing a report of another period', () => {
          spec
            .given(...issuedTarget(), reported({ period: '2026-Q1', dueDate: '2026-04-10' }))
            .when(report({ reportId: 'r2', replaces: 'r1' }))
            .thenRefuses('REPORT_NOT_FOUND');
        });

        it('refuses replacing a report already replaced', () => {
          spec
            .given(...issuedTarget(), reported(), reported({ reportId: 'r2', replaces: 'r1' }))
            .when(report({ reportId: 'r3', replaces: 'r1' }))
            .thenRefuses('REPORT_REPLACED', /已被更正/);
        });

        it('refuses correcting a rejected report that a newer report has superseded', () => {
          const { state } = spec.given(
            ...issuedTarget(),
            reported(),
            rejected(),
            reported({ reportId: 'r2', cumulativeValue: 3.0 }),
          );
          expect(() =>
            targetDecider.decide(report({ reportId: 'r3', cumulativeValue: 3.1, replaces: 'r1' }), state),
          ).toThrow();
        });
      });

      describe('milestones', () => {
        const done = (milestoneId: string) => ({ milestoneId, completedOn: '2026-06-20' });

        it('records milestone completion without a value on a milestone target', () => {
          const march = {
            period: '2026-03',
            cumulativeValue: null,
            milestonesCompleted: [{ milestoneId: 'm1', completedOn: '2026-03-28' }],
            narrative: '项目已完成立项',
          };
          spec
            .given(...issuedTarget(renovation))
            .when(report({ ...march, at: '2026-04-02T02:00:00.000Z' }))
            .then([reported({ ...march, dueDate: '2026-04-10', reportedAt: '2026-04-02T02:00:00.000Z' })]);
        });

        it('records a milestone that requires evidence, with evidence', () => {
          spec
            .given(...issuedTarget(renovation))
            .when(
              report({
                period: '2026-06',
                cumulativeValue: null,
                milestonesCompleted: [done('m2')],
                evidence: [evidence],
              }),
            )
            .then([
              reported({
                period: '2026-06',
                cumulativeValue: null,
                milestonesCompleted: [done('m2')],
                evidence: [evidence],
              }),
            ]);
        });

        it('refuses an unknown milestone', () => {
          spec
            .given(...issuedTarget(renovation))
            .when(report({ period: '2026-06', cumulativeValue: null, milestonesCompleted: [done('m9')] }))
            .thenRefuses('UNKNOWN_MILESTONE');
        });

        it('refuses a milestone that requires evidence without evidence', () => {
          spec
            .given(...issuedTarget(renovation))
            .when(report({ period: '2026-06', cumulativeValue: null, milestonesCompleted: [done('m2')] }))
            .thenRefuses('EVIDENCE_REQUIRED', /佐证材料/);
        });
      });
    });

    describe('declaring a nil return', () => {
      const nil = (overrides: Partial<Extract<TargetCommand, { type: 'DeclareNilReturn' }>> = {}) =>
        ({
          type: 'DeclareNilReturn',
          reportId: 'n1',
          period: '2026-Q2',
          reason: '统计部门本季度数据尚未发布',
          at: onTime,
          ...overrides,
        }) as const;

      it('records a nil return with its due date', () => {
        spec
          .given(...issuedTarget())
          .when(nil())
          .then([nilReturned()]);
      });

      it('records a late nil return as late', () => {
        spec
          .given(...issuedTarget())
          .when(nil({ at: wellLate }))
          .then([nilReturned({ declaredAt: wellLate, late: true })]);
      });

      it('refuses a nil return without a reason', () => {
        spec
          .given(...issuedTarget())
          .when(nil({ reason: ' ' }))
          .thenRefuses('REASON_REQUIRED');
      });

      it("counts as the period's report", () => {
        spec
          .given(...issuedTarget(), nilReturned())
          .when(report())
          .thenRefuses('PERIOD_ALREADY_REPORTED', /已有他人先行填报/);
      });

      it('refuses a nil return for a period already reported', () => {
        spec
          .given(...issuedTarget(), reported())
          .when(nil())
          .thenRefuses('PERIOD_ALREADY_REPORTED');
      });

      it('refuses a nil return for a bad period', () => {
        spec
          .given(...issuedTarget())
          .when(nil({ period: '2026-06' }))
          .thenRefuses('INVALID_PERIOD');
      });
    });

    describe('reviewing reports', () => {
      const verify = (reportId = 'r1') => ({ type: 'VerifyReport', reportId, at: wellLate }) as const;
      const reject = (reportId = 'r1', reason = '数据与统计快报不一致') =>
        ({ type: 'RejectReport', reportId, reason, at: wellLate }) as const;

      it('verifies a pending report', () => {
        spec
          .given(...issuedTarget(), reported())
          .when(verify())
          .then([verified()]);
      });

      it('rejects a pending report with a reason', () => {
        spec
          .given(...issuedTarget(), reported())
          .when(reject())
          .then([rejected()]);
      });

      it('verifies a nil return', () => {
        spec
          .given(...issuedTarget(), nilReturned())
          .when(verify('n1'))
          .then([verified('n1')]);
      });

      it('refuses a rejection without a reason', () => {
        spec
          .given(...issuedTarget(), reported())
          .when(reject('r1', ' '))
          .thenRefuses('REASON_REQUIRED');
      });

      it('refuses reviewing a verified report again', () => {
        spec
          .given(...issuedTarget(), reported(), verified())
          .when(verify())
          .thenRefuses('REPORT_ALREADY_REVIEWED', /已审核通过/);
        spec
          .given(...issuedTarget(), reported(), verified())
          .when(reject())
          .thenRefuses('REPORT_ALREADY_REVIEWED', /已审核通过/);
      });

      it('refuses reviewing a rejected report again', () => {
        spec
          .given(...issuedTarget(), reported(), rejected())
          .when(reject())
          .thenRefuses('REPORT_ALREADY_REVIEWED', /已退回/);
        spec
          .given(...issuedTarget(), reported(), rejected())
          .when(verify())
          .thenRefuses('REPORT_ALREADY_REVIEWED', /已退回/);
      });

      it('refuses verifying a replaced report', () => {
        spec
          .given(...issuedTarget(), reported(), reported({ reportId: 'r2', replaces: 'r1' }))
          .when(verify('r1'))
          .thenRefuses('REPORT_REPLACED');
      });

      it('refuses an unknown report', () => {
        spec
          .given(...issuedTarget(), reported())
          .when(verify('r9'))
          .thenRefuses('REPORT_NOT_FOUND');
        spec
          .given(...issuedTarget())
          .when(reject('r9'))
          .thenRefuses('REPORT_NOT_FOUND');
      });
    });

    describe('recording a missed period', () => {
      const check = (at: string, period = '2026-Q2') => ({ type: 'RecordMissedPeriod', period, at }) as const;
      const missed: TargetEvent = {
        type: 'PeriodMissed',
        data: { targetId: 't1', period: '2026-Q2', dueDate: '2026-07-10', recordedAt: wellLate },
      };

      it('records nothing before the deadline', () => {
        spec
          .given(...issuedTarget())
          .when(check(onTime))
          .then([]);
        spec
          .given(...issuedTarget())
          .when(check(lastMomentOnTime))
          .then([]);
      });

      it('records the period as missed after the deadline', () => {
        spec
          .given(...issuedTarget())
          .when(check(wellLate))
          .then([missed]);
      });

      it('records the period as missed from midnight Shanghai time, 2026-07-10T16:00:00.000Z', () => {
        spec
          .given(...issuedTarget())
          .when(check(firstMomentLate))
          .then([{ ...missed, data: { ...missed.data, recordedAt: firstMomentLate } }]);
      });

      it('records nothing when the period was reported', () => {
        spec
          .given(...issuedTarget(), reported())
          .when(check(wellLate))
          .then([]);
      });

      it('records nothing when the period was nil-returned', () => {
        spec
          .given(...issuedTarget(), nilReturned())
          .when(check(wellLate))
          .then([]);
      });

      it('is idempotent: records nothing the second time', () => {
        spec
          .given(...issuedTarget(), missed)
          .when(check('2026-07-13T01:00:00.000Z'))
          .then([]);
      });

      it('refuses a bad period', () => {
        spec
          .given(...issuedTarget())
          .when(check(wellLate, '2026-06'))
          .thenRefuses('INVALID_PERIOD');
      });

      it('records nothing for periods due before a dynamic target was issued', () => {
        const river: TargetDefinition = {
          ...gdp,
          indicatorId: 'ind-ecology-river',
          title: '河湖长制巡河任务完成率',
          annualValue: 100,
          baseline: null,
          dynamic: true,
        };
        const issuedInSeptember: TargetEvent[] = [
          {
            type: 'TargetProposed',
            data: {
              targetId: 't1',
              definition: river,
              reviewStages: ['assessmentOffice'],
              proposedAt: '2026-08-25T02:00:00.000Z',
            },
          },
          {
            type: 'TargetReviewPassed',
            data: {
              targetId: 't1',
              stage: 'assessmentOffice',
              comment: null,
              reviewedAt: '2026-09-01T02:00:00.000Z',
            },
          },
          { type: 'TargetIssued', data: { targetId: 't1', issuedAt: '2026-09-01T02:00:00.000Z' } },
        ];
        spec
          .given(...issuedInSeptember)
          .when(check('2026-09-15T01:00:00.000Z', '2026-Q1'))
          .then([]);
      });
    });
  });

  describe('when the target is withdrawn', () => {
    const given = () => spec.given(...issuedTarget(), reported(), withdrawn);

    it('refuses withdrawing again', () => {
      given().when({ type: 'WithdrawTarget', reason: '重复撤销', at }).thenRefuses('TARGET_WITHDRAWN');
    });

    it('refuses reports and nil returns', () => {
      given()
        .when(report({ reportId: 'r2', period: '2026-Q3' }))
        .thenRefuses('TARGET_WITHDRAWN');
      given()
        .when({ type: 'DeclareNilReturn', reportId: 'n1', period: '2026-Q3', reason: '无', at })
        .thenRefuses('TARGET_WITHDRAWN');
    });

    it('refuses reviews and adjustments', () => {
      given()
        .when({ type: 'ReviewTarget', stage: 'lineDepartment', decision: 'pass', reason: null, at })
        .thenRefuses('TARGET_NOT_UNDER_REVIEW');
      given()
        .when({
          type: 'AdjustTarget',
          newValue: 7.5,
          effectiveFrom: '2026-10-01T00:00:00.000Z',
          rulingRef: '绩委裁〔2026〕3号',
          reason: '调整',
          at,
        })
        .thenRefuses('TARGET_NOT_ISSUED', /已撤销/);
    });

    it('records no missed periods', () => {
      given()
        .when({ type: 'RecordMissedPeriod', period: '2026-Q3', at: '2026-10-20T01:00:00.000Z' })
        .then([]);
    });
  });

  describe('setting the target’s own warning thresholds', () => {
    const set = (thresholds: Record<string, unknown>, reason = '该指标受季节因素影响，适当放宽预警') =>
      ({ type: 'SetWarningThresholds', thresholds, reason, at }) as const;
    const thresholdsSet = (
      thresholds: Record<string, number>,
      previous: Record<string, number> = {},
      reason = '该指标受季节因素影响，适当放宽预警',
    ): TargetEvent => ({
      type: 'WarningThresholdsSet',
      data: { targetId: 't1', thresholds, previous, reason, setAt: at },
    });

    it('sets them on an issued target, with the reason', () => {
      spec
        .given(...issuedTarget())
        .when(set({ redOverdueDays: 3, yellowGap: 8 }))
        .then([thresholdsSet({ yellowGap: 8, redOverdueDays: 3 })]);
    });

    it('sets them while the target is under review or returned', () => {
      spec
        .given(proposed())
        .when(set({ bellGap: 3 }))
        .then([thresholdsSet({ bellGap: 3 })]);
      spec
        .given(proposed(), returned('lineDepartment'))
        .when(set({ bellGap: 3 }))
        .then([thresholdsSet({ bellGap: 3 })]);
    });

    it('replaces the whole set, naming the previous one', () => {
      spec
        .given(...issuedTarget(), thresholdsSet({ yellowGap: 8, redOverdueDays: 3 }))
        .when(set({ yellowGap: 9 }))
        .then([thresholdsSet({ yellowGap: 9 }, { yellowGap: 8, redOverdueDays: 3 })]);
    });

    it('clears them with an empty set', () => {
      const given = spec.given(...issuedTarget(), thresholdsSet({ yellowGap: 8 }));
      given.when(set({}, '恢复按方案预警')).then([thresholdsSet({}, { yellowGap: 8 }, '恢复按方案预警')]);
      expect(
        live(
          spec.given(...issuedTarget(), thresholdsSet({ yellowGap: 8 }), thresholdsSet({}, { yellowGap: 8 }))
            .state,
        ).warningThresholds,
      ).toEqual({});
    });

    it('keeps them in the state, and adjustments or reports leave them alone', () => {
      const state = live(
        spec.given(
          ...issuedTarget(),
          thresholdsSet({ yellowGap: 8 }),
          adjusted(7.5, '2026-10-01T00:00:00.000Z'),
          reported(),
        ).state,
      );
      expect(state.warningThresholds).toEqual({ yellowGap: 8 });
      expect(live(spec.given(...issuedTarget()).state).warningThresholds).toEqual({});
    });

    it('appends nothing when the set is already in force (a repeated PUT), however its keys are ordered', () => {
      spec
        .given(...issuedTarget(), thresholdsSet({ yellowGap: 8, redOverdueDays: 3 }))
        .when(set({ redOverdueDays: 3, yellowGap: 8 }))
        .then([]);
      spec
        .given(...issuedTarget())
        .when(set({}))
        .then([]);
    });

    it('accepts zero and the upper bounds', () => {
      spec
        .given(...issuedTarget())
        .when(set({ bellGap: 0, redGap: 100, dueSoonDays: 0, milestoneYellowDays: 366 }))
        .then([thresholdsSet({ bellGap: 0, redGap: 100, dueSoonDays: 0, milestoneYellowDays: 366 })]);
    });

    it('refuses negative, too large, non-numeric and fractional-day values, naming each', () => {
      const given = spec.given(...issuedTarget());
      given
        .when(set({ yellowGap: -1 }))
        .thenRefuses('INVALID_WARNING_THRESHOLDS', /黄牌进度差阈值（百分点）须在 0–100 之间/);
      given.when(set({ redGap: 100.5 })).thenRefuses('INVALID_WARNING_THRESHOLDS', /红牌进度差阈值/);
      given
        .when(set({ bellGap: '5' }))
        .thenRefuses('INVALID_WARNING_THRESHOLDS', /警铃进度差阈值（百分点）须为数值/);
      given.when(set({ bellGap: null })).thenRefuses('INVALID_WARNING_THRESHOLDS', /须为数值/);
      given
        .when(set({ redOverdueDays: 2.5 }))
        .thenRefuses('INVALID_WARNING_THRESHOLDS', /逾期转红牌天数须为整数天/);
      given.when(set({ dueSoonDays: 400 })).thenRefuses('INVALID_WARNING_THRESHOLDS', /0–366/);
    });

    it('refuses keys the scheme does not have', () => {
      spec
        .given(...issuedTarget())
        .when(set({ yellowGapPoints: 8 }))
        .thenRefuses('INVALID_WARNING_THRESHOLDS', /未知的预警阈值：“yellowGapPoints”/);
    });

    it('refuses without a reason', () => {
      spec
        .given(...issuedTarget())
        .when(set({ yellowGap: 8 }, '  '))
        .thenRefuses('REASON_REQUIRED');
    });

    it('refuses on a withdrawn target, and on none', () => {
      spec
        .given(...issuedTarget(), withdrawn)
        .when(set({ yellowGap: 8 }))
        .thenRefuses('TARGET_WITHDRAWN');
      spec
        .given()
        .when(set({ yellowGap: 8 }))
        .thenRefuses('TARGET_NOT_FOUND');
    });
  });
});
