import { projectionSpec, storedEvent } from '@dukao/testing';
import type { TargetDefinition } from '../domain/target.events';
import { TARGETS, type TargetView, targetsProjection } from './targets.projection';

const at = '2026-01-12T02:00:00.000Z';
const gdp: TargetDefinition = {
  cycleId: '2026',
  year: 2026,
  unitId: 'town-a',
  category: 'towns',
  indicatorId: 'gdp-growth',
  title: 'GDP增速',
  kind: 'quantitative',
  measure: '地区生产总值增速',
  unitOfMeasure: '%',
  direction: 'higherIsBetter',
  annualValue: 8.0,
  baseline: 7.1,
  schedule: [25, 50, 75, 100],
  cadence: 'quarterly',
  reportDueDay: 10,
  dataCollectionUnitId: 'stats-bureau',
  milestones: [],
  dynamic: false,
};

const stream = { streamId: 'target-t1' };
const proposed = storedEvent(
  'TargetProposed',
  { targetId: 't1', definition: gdp, reviewStages: ['assessmentOffice'], proposedAt: at },
  { ...stream, revision: 0 },
);
const issued = storedEvent('TargetIssued', { targetId: 't1', issuedAt: at }, { ...stream, revision: 1 });
const thresholdsSet = (
  revision: number,
  thresholds: Record<string, number>,
  previous: Record<string, number>,
  reason: string,
  setAt: string,
) =>
  storedEvent(
    'WarningThresholdsSet',
    { targetId: 't1', thresholds, previous, reason, setAt },
    {
      ...stream,
      revision,
      metadata: { actor: { userId: 'kaohe-ban', role: 'assessmentAdmin', unitId: null } },
    },
  );
const set = thresholdsSet(2, { yellowGap: 8 }, {}, '季节性指标，黄牌阈值从严', '2026-07-09T02:00:00.000Z');
const cleared = thresholdsSet(3, {}, { yellowGap: 8 }, '恢复按方案预警', '2026-07-20T02:00:00.000Z');

const view = (...events: ReturnType<typeof storedEvent>[]) =>
  projectionSpec(targetsProjection)
    .given(...events)
    .document(TARGETS, 't1') as TargetView;

describe('targets projection: the target’s own warning thresholds', () => {
  it('a new target has none', () => {
    expect(view(proposed, issued)).toMatchObject({ warningThresholds: null, warningThresholdHistory: [] });
  });

  it('carries the thresholds set, and who set them, when and why', () => {
    expect(view(proposed, issued, set)).toMatchObject({
      status: 'issued',
      warningThresholds: { yellowGap: 8 },
      warningThresholdHistory: [
        {
          thresholds: { yellowGap: 8 },
          reason: '季节性指标，黄牌阈值从严',
          at: '2026-07-09T02:00:00.000Z',
          by: 'kaohe-ban',
        },
      ],
    });
  });

  it('an empty set clears them (null), and the history keeps both steps', () => {
    const doc = view(proposed, issued, set, cleared);
    expect(doc.warningThresholds).toBeNull();
    expect(doc.warningThresholdHistory?.map((h) => [h.thresholds, h.reason])).toEqual([
      [{ yellowGap: 8 }, '季节性指标，黄牌阈值从严'],
      [null, '恢复按方案预警'],
    ]);
  });

  it('applying the same event twice changes nothing', () => {
    expect(view(proposed, issued, set, set)).toEqual(view(proposed, issued, set));
  });

  it('takes thresholds set on a document built before they existed (no history field yet)', () => {
    const old = view(proposed, issued);
    delete old.warningThresholds;
    delete old.warningThresholdHistory;
    const changes = targetsProjection.changes(set);
    expect(changes).toHaveLength(1);
    expect(changes[0]!.evolve(old)).toMatchObject({
      warningThresholds: { yellowGap: 8 },
      warningThresholdHistory: [{ thresholds: { yellowGap: 8 } }],
    });
  });
});
