import { projectionSpec, storedEvent } from '@dukao/testing';
import { WARNINGS, warningsProjection } from './warnings.projection';

const target = { targetId: 'T1', cycleId: 'C2026', unitId: 'town-a', category: 'towns' };
const gapBell = {
  rule: 'gapAboveBell',
  level: 'bell',
  detail: '2026年第二季度累计完成 40%，基准时序进度 50%，落后 10 个百分点，超过警铃阈值 5',
  period: '2026-Q2',
  milestoneId: null,
  dueDate: null,
};
const overdueLong = {
  rule: 'reportOverdueLong',
  level: 'red',
  detail: '2026年第三季度进度应于10月10日前报送，已逾期 8 天，超过 7 天',
  period: '2026-Q3',
  milestoneId: null,
  dueDate: '2026-10-10',
};

const bell = storedEvent(
  'WarningRaised',
  {
    ...target,
    level: 'bell',
    previousLevel: 'none',
    reasons: [gapBell],
    schemeVersion: 1,
    evaluatedAt: '2026-07-09T02:00:00.000Z',
    cause: { kind: 'event', eventId: 'e-1' },
  },
  { streamId: 'warning-T1', revision: 0 },
);
const red = storedEvent(
  'WarningRaised',
  {
    ...target,
    level: 'red',
    previousLevel: 'bell',
    reasons: [overdueLong, gapBell],
    schemeVersion: 2,
    evaluatedAt: '2026-10-18T01:00:00.000Z',
    cause: { kind: 'tick', eventId: null },
  },
  { streamId: 'warning-T1', revision: 1 },
);
const cleared = storedEvent(
  'WarningCleared',
  {
    ...target,
    previousLevel: 'red',
    schemeVersion: 2,
    evaluatedAt: '2026-10-20T02:00:00.000Z',
    cause: { kind: 'event', eventId: 'e-9' },
  },
  { streamId: 'warning-T1', revision: 2 },
);

describe('warnings projection', () => {
  it('records a raised warning with its reasons, scheme version and since', () => {
    expect(projectionSpec(warningsProjection).given(bell).document(WARNINGS, 'T1')).toEqual({
      _id: 'T1',
      _position: bell.position,
      ...{ cycleId: 'C2026', unitId: 'town-a', category: 'towns' },
      level: 'bell',
      reasons: [gapBell],
      schemeVersion: 1,
      since: '2026-07-09T02:00:00.000Z',
      history: [
        {
          level: 'bell',
          previousLevel: 'none',
          at: '2026-07-09T02:00:00.000Z',
          reasons: [gapBell],
          schemeVersion: 1,
        },
      ],
    });
  });

  it('moves to the new level and keeps each change in the history', () => {
    const doc = projectionSpec(warningsProjection).given(bell, red).document(WARNINGS, 'T1');
    expect(doc).toMatchObject({
      level: 'red',
      reasons: [overdueLong, gapBell],
      schemeVersion: 2,
      since: '2026-10-18T01:00:00.000Z',
    });
    expect(doc!.history).toEqual([
      expect.objectContaining({ level: 'bell', previousLevel: 'none', schemeVersion: 1 }),
      expect.objectContaining({
        level: 'red',
        previousLevel: 'bell',
        at: '2026-10-18T01:00:00.000Z',
        schemeVersion: 2,
      }),
    ]);
  });

  it('keeps a cleared warning as level none with no reasons, and its history', () => {
    const doc = projectionSpec(warningsProjection).given(bell, red, cleared).document(WARNINGS, 'T1');
    expect(doc).toMatchObject({ level: 'none', reasons: [], since: '2026-10-20T02:00:00.000Z' });
    expect((doc!.history as Array<{ level: string }>).map((h) => h.level)).toEqual(['bell', 'red', 'none']);
  });

  it('applying the same event twice changes nothing', () => {
    const once = projectionSpec(warningsProjection).given(bell, red).document(WARNINGS, 'T1');
    const twice = projectionSpec(warningsProjection).given(bell, red, red, bell).document(WARNINGS, 'T1');
    expect(twice).toEqual(once);
  });

  describe('the thresholds applied', () => {
    const applied = {
      bellGap: 5,
      yellowGap: 8,
      redGap: 20,
      dueSoonDays: 3,
      redOverdueDays: 7,
      milestoneYellowDays: 3,
    };
    const yellowUnderOwn = storedEvent(
      'WarningRaised',
      {
        ...target,
        level: 'yellow',
        previousLevel: 'bell',
        reasons: [{ ...gapBell, rule: 'gapAboveYellow', level: 'yellow' }],
        schemeVersion: 1,
        thresholds: applied,
        overrides: { yellowGap: 8 },
        evaluatedAt: '2026-07-09T03:00:00.000Z',
        cause: { kind: 'event', eventId: 'e-2' },
      },
      { streamId: 'warning-T1', revision: 1 },
    );
    const clearedUnderScheme = storedEvent(
      'WarningCleared',
      {
        ...target,
        previousLevel: 'yellow',
        schemeVersion: 1,
        thresholds: { ...applied, yellowGap: 10 },
        overrides: null,
        evaluatedAt: '2026-07-20T02:00:00.000Z',
        cause: { kind: 'event', eventId: 'e-3' },
      },
      { streamId: 'warning-T1', revision: 2 },
    );

    it('records the thresholds and the target’s own, at the top and in the history', () => {
      const doc = projectionSpec(warningsProjection).given(bell, yellowUnderOwn).document(WARNINGS, 'T1');
      expect(doc).toMatchObject({ level: 'yellow', thresholds: applied, overrides: { yellowGap: 8 } });
      expect(doc!.history).toEqual([
        expect.not.objectContaining({ thresholds: expect.anything() }),
        expect.objectContaining({ level: 'yellow', thresholds: applied, overrides: { yellowGap: 8 } }),
      ]);
    });

    it('a change without overrides says so (null), and one recorded before thresholds existed has none', () => {
      const doc = projectionSpec(warningsProjection)
        .given(bell, yellowUnderOwn, clearedUnderScheme)
        .document(WARNINGS, 'T1');
      expect(doc).toMatchObject({ level: 'none', thresholds: { yellowGap: 10 }, overrides: null });
      expect((doc!.history as Array<{ overrides?: unknown }>).map((h) => h.overrides)).toEqual([
        undefined,
        { yellowGap: 8 },
        null,
      ]);
      const old = projectionSpec(warningsProjection).given(bell).document(WARNINGS, 'T1');
      expect(old).not.toHaveProperty('thresholds');
      expect(old).not.toHaveProperty('overrides');
    });
  });

  it('ignores other events', () => {
    const other = storedEvent('TargetIssued', { targetId: 'T1', issuedAt: '2026-01-20T02:00:00.000Z' });
    expect(projectionSpec(warningsProjection).given(other).all(WARNINGS)).toEqual([]);
  });
});
