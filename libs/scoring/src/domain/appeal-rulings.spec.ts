import { scoreCategory, scoreUnit, type UnitScore } from './scoring.engine';
import type { ScoringInput } from './scoring.inputs';
import { scoreTimeline } from './score-timeline';
import {
  definition,
  END_Q2,
  END_YEAR,
  input,
  leaf,
  Log,
  record,
  ruling,
  tree,
} from './testing/scoring.fixture';

/**
 * Rulings (裁决) on appeals, hand-computed on one indicator of 100 points (completion, target 10):
 * Town A reports 3 for Q1 and 8 for Q2, so at the end of June r = 0.8 and it earns 80.
 * Records occur on 1 June; rulings are recorded on 20 July, effective from 1 June.
 */
const TREE = tree([leaf('work', 100, 'completion')]);
const log = () =>
  new Log()
    .issue('t', definition({ unitId: 'A', indicatorId: 'work', annualValue: 10 }))
    .report('t', 'q1', '2026-Q1', 3)
    .report('t', 'q2', '2026-Q2', 8);
const base = (over: Partial<ScoringInput> = {}): ScoringInput =>
  input({ unitIds: ['A', 'B'], trees: [TREE], targetEvents: log().events, at: END_Q2, ...over });
const a = (over: Partial<ScoringInput> = {}) => scoreUnit(base(over), 'A')!;
const steps = (u: UnitScore, rule: string) => u.trace.filter((s) => s.rule === rule);

describe('rulings on a deduction (a penalty of 2 points)', () => {
  const penalty = record('A', { kind: 'penalty', amount: 2 });

  it('without a ruling the penalty counts: 80 − 2 = 78', () => {
    expect(a({ records: [penalty] }).total).toBe(78);
  });

  it('overturned: the penalty no longer counts and the points are restored (80); the trace names both events', () => {
    const r = ruling('A', { subject: { kind: 'record', eventId: penalty.eventId }, outcome: 'overturned' });
    const u = a({ records: [penalty], rulings: [r] });
    expect(u.total).toBe(80);
    expect(u.penaltyThousandths).toBe(0);
    expect(steps(u, 'penalty')).toEqual([]);
    expect(steps(u, 'ruling')).toEqual([
      expect.objectContaining({
        inputs: expect.objectContaining({
          appealId: r.appealId,
          subject: 'record',
          recordKind: 'penalty',
          outcome: 'overturned',
          before: 2,
          after: 0,
        }),
        output: 0,
        events: [
          { eventId: r.eventId, position: r.position, type: 'RulingRecorded' },
          { eventId: penalty.eventId, position: penalty.position, type: 'ScoreAdjusted' },
        ],
      }),
    ]);
  });

  it('partial: the penalty is reduced to what stands, 0.5 (80 − 0.5 = 79.5)', () => {
    const r = ruling('A', {
      subject: { kind: 'record', eventId: penalty.eventId },
      outcome: 'partial',
      amount: 0.5,
    });
    const u = a({ records: [penalty], rulings: [r] });
    expect(u.total).toBe(79.5);
    expect(u.penaltyThousandths).toBe(500);
    expect(steps(u, 'ruling')[0]).toMatchObject({ inputs: { before: 2, after: 0.5 }, output: 0.5 });
    expect(steps(u, 'penalty')[0]).toMatchObject({
      inputs: { amount: 0.5, original: 2, appealId: r.appealId },
      output: -0.5,
    });
  });

  it('upheld: nothing changes but the trace says it was ruled on', () => {
    const r = ruling('A', { subject: { kind: 'record', eventId: penalty.eventId }, outcome: 'upheld' });
    const u = a({ records: [penalty], rulings: [r] });
    expect(u.total).toBe(78);
    expect(steps(u, 'ruling')[0]).toMatchObject({ inputs: { outcome: 'upheld', before: 2, after: 2 } });
    const { trace: _t, ...withRuling } = u;
    const { trace: _t2, ...without } = a({ records: [penalty] });
    expect(withRuling).toEqual(without);
  });

  it('an effectiveFrom after `at` does not apply at `at`, only from then on', () => {
    const r = ruling('A', {
      subject: { kind: 'record', eventId: penalty.eventId },
      outcome: 'overturned',
      effectiveFrom: '2026-07-15T00:00:00.000Z',
    });
    expect(a({ records: [penalty], rulings: [r] }).total).toBe(78);
    expect(steps(a({ records: [penalty], rulings: [r] }), 'ruling')).toEqual([]);
    // At the year end (Q2's 8 is still the latest report): 80, the penalty void.
    expect(a({ records: [penalty], rulings: [r], at: END_YEAR }).total).toBe(80);
  });

  it('replayed asOf before the ruling was recorded, the old score stands', () => {
    const r = ruling('A', { subject: { kind: 'record', eventId: penalty.eventId }, outcome: 'overturned' });
    expect(a({ records: [penalty], rulings: [r], asOf: '2026-07-19T23:59:59.000Z' }).total).toBe(78);
    expect(a({ records: [penalty], rulings: [r], asOf: r.recordedAt }).total).toBe(80);
  });

  it('of two rulings on the same record the latest recorded counts', () => {
    const first = ruling('A', {
      subject: { kind: 'record', eventId: penalty.eventId },
      outcome: 'overturned',
      recordedAt: '2026-07-20T00:00:00.000Z',
    });
    const second = ruling('A', {
      subject: { kind: 'record', eventId: penalty.eventId },
      outcome: 'partial',
      amount: 1,
      recordedAt: '2026-08-01T00:00:00.000Z',
    });
    expect(a({ records: [penalty], rulings: [second, first] }).total).toBe(79);
    expect(a({ records: [penalty], rulings: [second, first], asOf: '2026-07-25T00:00:00.000Z' }).total).toBe(
      80,
    );
  });

  it('leaves other units alone: a ruling of A naming B’s record changes nothing', () => {
    const other = record('B', { kind: 'penalty', amount: 2 });
    const r = ruling('A', { subject: { kind: 'record', eventId: other.eventId }, outcome: 'overturned' });
    const units = scoreCategory(base({ records: [penalty, other], rulings: [r] })).units;
    expect(units.find((u) => u.unitId === 'B')!.total).toBe(-2);
    expect(units.find((u) => u.unitId === 'A')!.total).toBe(78);
  });
});

describe('rulings on bonuses, accountability, false reports and vetoes', () => {
  it('partial on a bonus reduces it before the cap: bonuses 3 + 2 with the 3 cut to 0.5 → 2.5 (under the cap of 3)', () => {
    const b1 = record('A', { kind: 'bonus', amount: 3 });
    const b2 = record('A', { kind: 'bonus', amount: 2 });
    const r = ruling('A', {
      subject: { kind: 'record', eventId: b1.eventId },
      outcome: 'partial',
      amount: 0.5,
    });
    const u = a({ records: [b1, b2], rulings: [r] });
    expect(u.bonusUncappedThousandths).toBe(2500);
    expect(u.total).toBe(82.5);
  });

  it('an overturned accountability action no longer deducts nor caps the grade; a partial one keeps the action', () => {
    const act = record('A', { kind: 'accountability', action: 'accountability' }); // 3 points, grade ≤ pass
    const overturned = ruling('A', {
      subject: { kind: 'record', eventId: act.eventId },
      outcome: 'overturned',
    });
    const t = tree([leaf('work', 100, 'completion')]);
    const high = new Log()
      .issue('t', definition({ unitId: 'A', indicatorId: 'work', annualValue: 10 }))
      .report('t', 'q4', '2026-Q4', 9.5).events; // 95
    const run = (rulings = [overturned]) =>
      scoreUnit(input({ unitIds: ['A'], trees: [t], targetEvents: high, records: [act], rulings }), 'A')!;
    expect(run([])).toMatchObject({ total: 92, grade: 'pass' });
    expect(run()).toMatchObject({ total: 95, grade: 'excellent', accountabilityThousandths: 0 });
    const partial = ruling('A', {
      subject: { kind: 'record', eventId: act.eventId },
      outcome: 'partial',
      amount: 1,
    });
    expect(run([partial])).toMatchObject({ total: 94, grade: 'pass' });
  });

  it('partial on a confirmed false report reduces the deduction of 5 to what stands', () => {
    const fr = record('A', { kind: 'falseReport' });
    const r = ruling('A', {
      subject: { kind: 'record', eventId: fr.eventId },
      outcome: 'partial',
      amount: 2,
    });
    expect(a({ records: [fr] }).total).toBe(75);
    expect(a({ records: [fr], rulings: [r] }).total).toBe(78);
  });

  it('an overturned veto gives the grade back', () => {
    const veto = record('A', { kind: 'veto' });
    const r = ruling('A', { subject: { kind: 'record', eventId: veto.eventId }, outcome: 'overturned' });
    expect(a({ records: [veto] })).toMatchObject({ vetoed: true, grade: 'admonished' });
    const u = a({ records: [veto], rulings: [r] });
    expect(u).toMatchObject({ vetoed: false, grade: 'good' }); // 80 of 100, not among the excellent
    expect(steps(u, 'ruling')[0]).toMatchObject({ inputs: { before: 'admonished', after: null } });
  });
});

describe('rulings on a verification (a rejected report)', () => {
  const rejected = () => {
    const l = log().reject('t', 'q2', '2026-Q2');
    return { events: l.events, rejection: l.events.at(-1)! };
  };

  it('the rejection stops the Q2 report counting: only Q1’s 3 counts (30)', () => {
    expect(a({ targetEvents: rejected().events }).total).toBe(30);
  });

  it('overturned: the report counts again (80); the trace names the ruling and the ReportRejected', () => {
    const { events, rejection } = rejected();
    const r = ruling('A', {
      subject: { kind: 'rejection', targetId: 't', reportId: 'q2', eventId: rejection.eventId },
      outcome: 'overturned',
    });
    const u = a({ targetEvents: events, rulings: [r] });
    expect(u.total).toBe(80);
    expect(steps(u, 'ruling')).toEqual([
      expect.objectContaining({
        targetId: 't',
        inputs: expect.objectContaining({ reportId: 'q2', outcome: 'overturned', after: 'rejectionVoid' }),
        events: [
          { eventId: r.eventId, position: r.position, type: 'RulingRecorded' },
          { eventId: rejection.eventId, position: rejection.position, type: 'ReportRejected' },
        ],
      }),
    ]);
    expect(steps(u, 'ratio')[0]!.events.map((e) => e.type)).toEqual([
      'TargetProposed',
      'ProgressReported',
      'ReportRejected',
    ]);
  });

  it('upheld: the rejection stands (30)', () => {
    const { events, rejection } = rejected();
    const r = ruling('A', {
      subject: { kind: 'rejection', targetId: 't', reportId: 'q2', eventId: rejection.eventId },
      outcome: 'upheld',
    });
    expect(a({ targetEvents: events, rulings: [r] }).total).toBe(30);
  });

  it('a ruling for another unit than the target’s changes nothing', () => {
    const { events, rejection } = rejected();
    const r = ruling('B', {
      subject: { kind: 'rejection', targetId: 't', reportId: 'q2', eventId: rejection.eventId },
      outcome: 'overturned',
    });
    expect(a({ targetEvents: events, rulings: [r] }).total).toBe(30);
  });
});

describe('rulings on a score', () => {
  it('partial adds (or takes) points outside the bonus cap: 80 + 1.5 − 0.25 = 81.25', () => {
    const plus = ruling('A', { subject: { kind: 'score' }, outcome: 'partial', amount: 1.5 });
    const minus = ruling('A', {
      subject: { kind: 'score' },
      outcome: 'partial',
      amount: -0.25,
      recordedAt: '2026-07-21T00:00:00.000Z',
    });
    const bonus = record('A', { kind: 'bonus', amount: 3 });
    const u = a({ rulings: [minus, plus], records: [bonus] });
    expect(u.rulingThousandths).toBe(1250);
    expect(u.total).toBe(80 + 3 + 1.25);
    expect(steps(u, 'ruling').map((s) => [s.inputs.before, s.inputs.after, s.output])).toEqual([
      [83, 84.5, 1.5],
      [84.5, 84.25, -0.25],
    ]);
    expect(steps(u, 'total')[0]!.inputs).toMatchObject({ ruling: 1.25 });
  });

  it('upheld adds nothing', () => {
    const r = ruling('A', { subject: { kind: 'score' }, outcome: 'upheld' });
    expect(a({ rulings: [r] })).toMatchObject({ total: 80, rulingThousandths: 0 });
  });
});

describe('the timeline shows the deduction and the ruling', () => {
  it('has an entry for the penalty (−2) and one for the ruling that overturns it (+2)', () => {
    const penalty = record('A', {
      kind: 'penalty',
      amount: 2,
      recordedAt: '2026-07-10T00:00:00.000Z',
    });
    const r = ruling('A', { subject: { kind: 'record', eventId: penalty.eventId }, outcome: 'overturned' });
    const t = scoreTimeline(base({ records: [penalty], rulings: [r] }), 'A');
    const last = t.entries.slice(-2);
    expect(last.map((e) => [e.recordedAt, e.deltaThousandths, e.events.map((x) => x.eventId)])).toEqual([
      ['2026-07-10T00:00:00.000Z', -2000, [penalty.eventId]],
      [r.recordedAt, 2000, [r.eventId]],
    ]);
    expect(last[1]!.events[0]!.type).toBe('RulingRecorded');
    expect(last[1]!.rulesChanged.map((c) => c.rule)).toEqual(
      expect.arrayContaining(['ruling', 'penalty', 'total']),
    );
    expect(t.finalThousandths).toBe(80_000);
  });
});
