import { projectionSpec, storedEvent } from '@dukao/testing';
import {
  MILESTONE_LIGHTS,
  type MilestoneLightView,
  milestoneLightsProjection,
} from './milestone-lights.projection';

const target = { targetId: 'T1', cycleId: '2026', unitId: 'town-a', category: 'towns' };
const kaigong = { milestoneId: 'kaigong', title: '重点项目开工', dueDate: '2026-03-31' };
const fengding = { milestoneId: 'fengding', title: '主体封顶', dueDate: '2026-09-30' };
let revision = 0;
const changed = (
  m: typeof kaigong,
  light: string,
  previousLight: string,
  at: string,
  extra: { done?: boolean; late?: boolean } = {},
) =>
  storedEvent(
    'MilestoneLightChanged',
    {
      ...target,
      ...m,
      light,
      previousLight,
      done: extra.done ?? false,
      late: extra.late ?? false,
      schemeVersion: 1,
      milestoneYellowDays: 3,
      evaluatedAt: at,
      cause: { kind: 'tick', eventId: null },
    },
    { streamId: 'milestonelights-T1', revision: revision++ },
  );

const yellow = changed(kaigong, 'yellow', 'green', '2026-03-28T01:00:00.000Z');
const red = changed(kaigong, 'red', 'yellow', '2026-04-01T01:00:00.000Z');
const otherYellow = changed(fengding, 'yellow', 'green', '2026-09-27T01:00:00.000Z');
const doneLate = changed(kaigong, 'green', 'red', '2026-10-02T02:00:00.000Z', { done: true, late: true });

describe('milestone lights projection', () => {
  it('keeps each milestone’s light, since when, under which window, with its history and the lit counts', () => {
    const doc = projectionSpec(milestoneLightsProjection).given(yellow, red).document(MILESTONE_LIGHTS, 'T1');
    expect(doc).toMatchObject({ _id: 'T1', cycleId: '2026', unitId: 'town-a', red: 1, yellow: 0 });
    expect(doc!.milestones).toEqual([
      {
        ...kaigong,
        light: 'red',
        done: false,
        late: false,
        since: '2026-04-01T01:00:00.000Z',
        schemeVersion: 1,
        milestoneYellowDays: 3,
        history: [
          {
            light: 'yellow',
            previousLight: 'green',
            at: '2026-03-28T01:00:00.000Z',
            schemeVersion: 1,
            milestoneYellowDays: 3,
          },
          {
            light: 'red',
            previousLight: 'yellow',
            at: '2026-04-01T01:00:00.000Z',
            schemeVersion: 1,
            milestoneYellowDays: 3,
          },
        ],
      },
    ]);
  });

  it('counts several milestones of a target, and a late completion turns one green again', () => {
    const doc = projectionSpec(milestoneLightsProjection)
      .given(yellow, red, otherYellow, doneLate)
      .document(MILESTONE_LIGHTS, 'T1');
    expect(doc).toMatchObject({ red: 0, yellow: 1 });
    expect(
      (doc!.milestones as MilestoneLightView[]).map((m) => [m.milestoneId, m.light, m.done, m.late]),
    ).toEqual([
      ['kaigong', 'green', true, true],
      ['fengding', 'yellow', false, false],
    ]);
  });

  it('applying the same event twice changes nothing', () => {
    const once = projectionSpec(milestoneLightsProjection)
      .given(yellow, red)
      .document(MILESTONE_LIGHTS, 'T1');
    const twice = projectionSpec(milestoneLightsProjection)
      .given(yellow, red, red, yellow)
      .document(MILESTONE_LIGHTS, 'T1');
    expect(twice).toEqual(once);
  });

  it('ignores other events', () => {
    const other = storedEvent('WarningCleared', { targetId: 'T1' });
    expect(projectionSpec(milestoneLightsProjection).given(other).all(MILESTONE_LIGHTS)).toEqual([]);
  });
});
