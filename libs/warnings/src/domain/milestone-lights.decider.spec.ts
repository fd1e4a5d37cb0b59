import { deciderSpec } from '@dukao/testing';
import {
  type EvaluateMilestoneLights,
  type MilestoneLightChanged,
  type MilestoneReading,
  milestoneLightsDecider,
  readMilestones,
} from './milestone-lights.decider';
import type { EvaluationCause } from './warning.decider';

const spec = deciderSpec(milestoneLightsDecider);
const target = { targetId: 'T1', cycleId: '2026', unitId: 'town-a', category: 'towns' };
const tick: EvaluationCause = { kind: 'tick', eventId: null };
const byEvent: EvaluationCause = { kind: 'event', eventId: 'e-7' };

const kaigong = { milestoneId: 'kaigong', title: '重点项目开工', dueDate: '2026-03-31' };
const fengding = { milestoneId: 'fengding', title: '主体封顶', dueDate: '2026-09-30' };
const reading = (
  m: typeof kaigong,
  light: MilestoneReading['light'],
  done = false,
  late = false,
): MilestoneReading => ({ ...m, light, done, late });

const evaluate = (
  milestones: MilestoneReading[],
  at: string,
  cause: EvaluationCause = tick,
): EvaluateMilestoneLights => ({
  type: 'EvaluateMilestoneLights',
  ...target,
  milestones,
  schemeVersion: 1,
  milestoneYellowDays: 3,
  at,
  cause,
});
const changed = (
  m: typeof kaigong,
  light: MilestoneReading['light'],
  previousLight: MilestoneReading['light'],
  at: string,
  extra: { done?: boolean; late?: boolean; cause?: EvaluationCause } = {},
): MilestoneLightChanged => ({
  type: 'MilestoneLightChanged',
  data: {
    ...target,
    ...m,
    light,
    previousLight,
    done: extra.done ?? false,
    late: extra.late ?? false,
    schemeVersion: 1,
    milestoneYellowDays: 3,
    evaluatedAt: at,
    cause: extra.cause ?? tick,
  },
});

describe('when no milestone light was recorded (all green)', () => {
  it('records nothing while every milestone stays green', () => {
    spec
      .given()
      .when(evaluate([reading(kaigong, 'green'), reading(fengding, 'green')], '2026-03-01T01:00:00.000Z'))
      .then([]);
  });

  it('records the one milestone that turned yellow, with the window and scheme version applied', () => {
    spec
      .given()
      .when(evaluate([reading(kaigong, 'yellow'), reading(fengding, 'green')], '2026-03-28T01:00:00.000Z'))
      .then([changed(kaigong, 'yellow', 'green', '2026-03-28T01:00:00.000Z')]);
  });
});

describe('when a milestone is yellow', () => {
  const yellow = changed(kaigong, 'yellow', 'green', '2026-03-28T01:00:00.000Z');

  it('appends nothing for the same light again (the tick runs several times a day)', () => {
    spec
      .given(yellow)
      .when(evaluate([reading(kaigong, 'yellow')], '2026-03-29T01:00:00.000Z'))
      .then([]);
  });

  it('records red once its due day has passed undone', () => {
    spec
      .given(yellow)
      .when(evaluate([reading(kaigong, 'red'), reading(fengding, 'green')], '2026-04-01T01:00:00.000Z'))
      .then([changed(kaigong, 'red', 'yellow', '2026-04-01T01:00:00.000Z')]);
  });

  it('records green, done and not late, after a report completes it on time', () => {
    spec
      .given(yellow)
      .when(evaluate([reading(kaigong, 'green', true, false)], '2026-03-30T02:00:00.000Z', byEvent))
      .then([
        changed(kaigong, 'green', 'yellow', '2026-03-30T02:00:00.000Z', { done: true, cause: byEvent }),
      ]);
  });
});

describe('when a milestone is red', () => {
  const red = [
    changed(kaigong, 'yellow', 'green', '2026-03-28T01:00:00.000Z'),
    changed(kaigong, 'red', 'yellow', '2026-04-01T01:00:00.000Z'),
  ];

  it('records green, done late, when it is completed after its due date', () => {
    spec
      .given(...red)
      .when(evaluate([reading(kaigong, 'green', true, true)], '2026-04-12T02:00:00.000Z', byEvent))
      .then([
        changed(kaigong, 'green', 'red', '2026-04-12T02:00:00.000Z', {
          done: true,
          late: true,
          cause: byEvent,
        }),
      ]);
  });

  it('records each milestone that changed in one decision', () => {
    spec
      .given(...red)
      .when(evaluate([reading(kaigong, 'green'), reading(fengding, 'yellow')], '2026-09-28T01:00:00.000Z'))
      .then([
        changed(kaigong, 'green', 'red', '2026-09-28T01:00:00.000Z'),
        changed(fengding, 'yellow', 'green', '2026-09-28T01:00:00.000Z'),
      ]);
  });
});

describe('readMilestones', () => {
  const milestones = [
    { ...kaigong, completedOn: null },
    { ...fengding, completedOn: null },
  ];

  it('lights each milestone by the yellow window given, in Shanghai days', () => {
    // 2026-03-28 09:00 Shanghai: kaigong due in 3 days (yellow), fengding far off (green).
    expect(readMilestones(milestones, '2026-03-28T01:00:00.000Z', 3, true).map((m) => m.light)).toEqual([
      'yellow',
      'green',
    ]);
    expect(readMilestones(milestones, '2026-03-28T01:00:00.000Z', 2, true).map((m) => m.light)).toEqual([
      'green',
      'green',
    ]);
    // 1 April 00:30 Shanghai is still 31 March UTC: the due day has ended in Shanghai → red.
    expect(readMilestones(milestones, '2026-03-31T16:30:00.000Z', 3, true)[0]!.light).toBe('red');
  });

  it('says done and late from the completion date', () => {
    const done = readMilestones(
      [{ ...kaigong, completedOn: '2026-04-03' }],
      '2026-04-05T01:00:00.000Z',
      3,
      true,
    );
    expect(done).toEqual([{ ...kaigong, light: 'green', done: true, late: true }]);
  });

  it('turns every light green on a target no longer chased', () => {
    expect(readMilestones(milestones, '2026-04-05T01:00:00.000Z', 3, false).map((m) => m.light)).toEqual([
      'green',
      'green',
    ]);
  });
});
