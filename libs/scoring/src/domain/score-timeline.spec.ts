import { scoreTimeline } from './score-timeline';
import { scoreUnit } from './scoring.engine';
import { definition, END_Q2, input, leaf, Log, tree } from './testing/scoring.fixture';

describe('scoreTimeline', () => {
  // One completion target of 8.0 worth 100 points. Q1 2.0 → r 0.25 → 25.000; verifying a pending
  // report changes nothing (pending counts); Q2 3.2 → r 0.4 → 40.000 (+15.000); rejecting Q2 falls
  // back to Q1 (−15.000).
  const tr = tree([leaf('gdp', 100, 'completion')]);
  const log = new Log()
    .issue('t1', definition({ unitId: 'A', indicatorId: 'gdp' }))
    .report('t1', 'q1', '2026-Q1', 2.0)
    .verify('t1', 'q1', '2026-Q1')
    .at('2026-07-09T02:00:00.000Z')
    .report('t1', 'q2', '2026-Q2', 3.2)
    .reject('t1', 'q2', '2026-Q2')
    .report('t1', 'q2b', '2026-Q2', 3.3);
  const scoring = input({
    unitIds: ['A', 'B'],
    trees: [tr],
    targetEvents: log.events,
    at: END_Q2,
    provenance: log.events.map((e) => ({
      eventId: e.eventId,
      position: e.position,
      type: e.event.type,
      recordedAt: e.recordedAt,
      occurredAt: '2026-06-30T00:00:00.000Z',
      actor: { userId: 'staff-a', role: 'unitStaff', unitId: 'A' },
    })),
  });
  const timeline = scoreTimeline(scoring, 'A');
  const byType = (type: string) => timeline.entries.filter((e) => e.events.some((x) => x.type === type));

  it('lists the reports with exact deltas, in recordedAt order, omitting events that change nothing', () => {
    const reports = byType('ProgressReported');
    expect(
      reports.map((e) => [e.events[0]!.eventId, e.totalBefore, e.totalAfter, e.deltaThousandths]),
    ).toEqual([
      ['e3', 0, 25, 25_000],
      ['e5', 25, 40, 15_000],
      ['e7', 25, 41.25, 16_250], // 3.3 / 8 = 0.4125 → 41.250
    ]);
    expect(byType('ReportRejected').map((e) => e.deltaThousandths)).toEqual([-15_000]);
    expect(byType('ReportVerified')).toEqual([]); // a pending report already counts
    const at = timeline.entries.map((e) => e.recordedAt);
    expect([...at].sort()).toEqual(at);
  });

  it('names the changed rules, the scheme version, the actor and both times', () => {
    const q2 = byType('ProgressReported')[1]!;
    expect(q2.rulesChanged).toEqual(
      expect.arrayContaining([
        { rule: 'ratio', indicatorId: 'gdp', targetId: 't1', before: 0.25, after: 0.4 },
        { rule: 'indicatorScore', indicatorId: 'gdp', before: 25, after: 40 },
      ]),
    );
    expect(q2.schemeVersion).toBe(1);
    expect(q2.events[0]).toMatchObject({
      type: 'ProgressReported',
      targetId: 't1',
      occurredAt: '2026-06-30T00:00:00.000Z',
      recordedAt: '2026-07-09T02:01:00.000Z',
      actor: { userId: 'staff-a', role: 'unitStaff' },
    });
  });

  it('has deltas summing to the final total, which is the engine’s', () => {
    const sum = timeline.entries.reduce((s, e) => s + e.deltaThousandths, 0);
    expect(sum).toBe(timeline.finalThousandths - timeline.startThousandths);
    expect(timeline.finalThousandths).toBe(scoreUnit(scoring, 'A')!.totalThousandths);
    expect(timeline.finalThousandths).toBe(41_250);
  });

  it('gives a unit without targets no moving entries, and respects asOf', () => {
    expect(scoreTimeline(scoring, 'B').entries.every((e) => e.deltaThousandths === 0)).toBe(true);
    const early = scoreTimeline({ ...scoring, asOf: '2026-07-01T00:00:00.000Z' }, 'A');
    expect(early.finalThousandths).toBe(25_000);
    expect(early.entries.every((e) => e.recordedAt <= '2026-07-01T00:00:00.000Z')).toBe(true);
  });
});
