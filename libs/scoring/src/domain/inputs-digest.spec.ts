import { createHash } from 'node:crypto';
import { DEFAULT_SCHEME } from '@dukao/targets';
import { canonicalJson, canonicalScoringInput, cutAtPosition, inputsDigest } from './inputs-digest';
import type { ScoringInput } from './scoring.inputs';
import { definition, END_Q2, input, leaf, Log, record, satisfaction, tree } from './testing/scoring.fixture';

const TREE = tree([leaf('gdp', 60, 'completion'), leaf('rating', 40, 'satisfaction')]);

/** Two towns, a target each with Q1 and Q2 reports, a satisfaction result, a bonus; known at 20 July. */
function example(): ScoringInput {
  const log = new Log()
    .issue('t1', definition({ unitId: 'A', indicatorId: 'gdp' }))
    .issue('t2', definition({ unitId: 'B', indicatorId: 'gdp' }))
    .report('t1', 'r1', '2026-Q1', 2)
    .report('t2', 'r2', '2026-Q1', 1.5)
    .at('2026-07-09T02:00:00.000Z')
    .report('t1', 'r3', '2026-Q2', 3.2)
    .verify('t1', 'r3', '2026-Q2');
  return input({
    unitIds: ['A', 'B'],
    trees: [TREE],
    at: END_Q2,
    asOf: '2026-07-20T00:00:00.000Z',
    targetEvents: log.events,
    satisfaction: [satisfaction('A', 'rating', 85)],
    records: [record('B', { kind: 'bonus', amount: 1 })],
  });
}

const shuffled = <T>(items: readonly T[]) => [...items].reverse();

describe('inputs digest', () => {
  it('writes canonical JSON: members sorted by key, no whitespace, undefined members left out', () => {
    expect(canonicalJson({ b: [3, { y: 1, x: 'é' }], a: null, c: undefined, d: 0.1 })).toBe(
      '{"a":null,"b":[3,{"x":"é","y":1}],"d":0.1}',
    );
  });

  it('is the SHA-256 of the canonical JSON of the canonical input, so an inspector can re-derive it', () => {
    const given = example();
    const expected = createHash('sha256')
      .update(canonicalJson(canonicalScoringInput(given)), 'utf8')
      .digest('hex');
    expect(inputsDigest(given)).toEqual({
      algorithm: 'sha256',
      value: expected,
      canonicalization: 'dukao-scoring-input/1',
    });
    expect(expected).toMatch(/^[0-9a-f]{64}$/);
  });

  it('spells out the canonical input: target events reduced to ref, type and data; empty collections left out', () => {
    const tiny = input({
      unitIds: ['B', 'A', 'A'],
      trees: [],
      schemes: [],
      at: END_Q2,
      asOf: '2026-07-01T00:00:00.000Z',
      targetEvents: [],
    });
    expect(canonicalJson(canonicalScoringInput(tiny))).toBe(
      '{"asOf":"2026-07-01T00:00:00.000Z","at":"2026-06-30T16:00:00.000Z","canonicalization":"dukao-scoring-input/1",' +
        '"category":"towns","cycleId":"c2026","unitIds":["A","B"]}',
    );
    const log = new Log();
    const issued = log.add({ type: 'TargetIssued', data: { targetId: 't1', issuedAt: 'x' } });
    const withEvent = canonicalScoringInput({ ...tiny, targetEvents: [issued] });
    expect(canonicalScoringInput(Object.assign({}, tiny, { rulings: [] }))).toEqual(
      canonicalScoringInput(tiny),
    );
    expect(canonicalJson(withEvent.targetEvents)).toBe(
      `[{"data":{"issuedAt":"x","targetId":"t1"},"eventId":"e1","position":1,"recordedAt":"${issued.recordedAt}","type":"TargetIssued"}]`,
    );
  });

  it('does not depend on the order of any collection (streams read in any interleaving)', () => {
    const given = example();
    const reordered: ScoringInput = {
      ...given,
      unitIds: shuffled(given.unitIds),
      targetEvents: shuffled(given.targetEvents),
      schemes: shuffled(given.schemes),
      trees: shuffled(given.trees),
      satisfaction: shuffled(given.satisfaction),
      records: shuffled(given.records),
      // The stored envelope and provenance are not inputs to the numbers.
      provenance: [
        {
          eventId: 'e1',
          position: 1,
          type: 'TargetProposed',
          recordedAt: '2026-01-05T00:01:00.000Z',
          occurredAt: null,
          actor: null,
        },
      ],
    };
    expect(inputsDigest(reordered)).toEqual(inputsDigest(given));
  });

  it('does not change with records recorded after asOf (what happened after a publication)', () => {
    const given = example();
    const later = new Log()
      .at('2026-08-01T00:00:00.000Z')
      .report('t2', 'r9', '2026-Q2', 4)
      .events.map((e) => ({ ...e, eventId: 'late', position: 99 }));
    const after: ScoringInput = {
      ...given,
      targetEvents: [...given.targetEvents, ...later],
      satisfaction: [...given.satisfaction, satisfaction('B', 'rating', 10, '2026-08-01T00:00:00.000Z')],
      records: [
        ...given.records,
        record('A', { kind: 'penalty', amount: 2, recordedAt: '2026-08-02T00:00:00.000Z' }),
      ],
      schemes: [
        ...given.schemes,
        {
          version: 2,
          effectiveFrom: END_Q2,
          recordedAt: '2026-08-03T00:00:00.000Z',
          scoring: { ...DEFAULT_SCHEME.scoring, progressZeroAt: 0.4 },
        },
      ],
    };
    expect(inputsDigest(after)).toEqual(inputsDigest(given));
    // Known now (no cut-off), the same input digests differently.
    expect(inputsDigest({ ...after, asOf: undefined })).not.toEqual(inputsDigest(given));
  });

  it('cut at a log position: an event appended later in the same millisecond as asOf changes nothing', () => {
    const given = example();
    const head = Math.max(
      ...given.targetEvents.map((e) => e.position),
      ...given.records.map((r) => r.position),
    );
    const sameMillisecond = {
      ...given.targetEvents.find((e) => e.event.type === 'ProgressReported')!,
      eventId: 'after-publication',
      position: head + 1,
      recordedAt: given.asOf!,
    };
    const later: ScoringInput = { ...given, targetEvents: [...given.targetEvents, sameMillisecond] };
    expect(inputsDigest(later)).not.toEqual(inputsDigest(given));
    expect(inputsDigest(cutAtPosition(later, head))).toEqual(inputsDigest(cutAtPosition(given, head)));
    expect(cutAtPosition(later, head).targetEvents).toHaveLength(given.targetEvents.length);
    expect(cutAtPosition(later, head).unitIds).toEqual(given.unitIds);
  });

  it('changes when any input changes', () => {
    const given = example();
    const base = inputsDigest(given).value;
    const [first, ...rest] = given.targetEvents;
    const report = given.targetEvents.find((e) => e.event.type === 'ProgressReported')!;
    const variants: Array<[string, ScoringInput]> = [
      ['cycle', { ...given, cycleId: 'c2027' }],
      ['category', { ...given, category: 'departments' }],
      ['at', { ...given, at: '2026-07-31T16:00:00.000Z' }],
      ['asOf', { ...given, asOf: '2026-07-21T00:00:00.000Z' }],
      ['a unit more', { ...given, unitIds: [...given.unitIds, 'C'] }],
      ['a unit less', { ...given, unitIds: ['A'] }],
      [
        'a scheme parameter',
        {
          ...given,
          schemes: [{ ...given.schemes[0]!, scoring: { ...given.schemes[0]!.scoring, completionCap: 1.1 } }],
        },
      ],
      ['a scheme version', { ...given, schemes: [{ ...given.schemes[0]!, version: 2 }] }],
      [
        'a tree indicator',
        {
          ...given,
          trees: [
            { ...TREE, indicators: [leaf('gdp', 50, 'completion'), leaf('rating', 50, 'satisfaction')] },
          ],
        },
      ],
      [
        'a reported value',
        {
          ...given,
          targetEvents: given.targetEvents.map((e) =>
            e === report && e.event.type === 'ProgressReported'
              ? { ...e, event: { ...e.event, data: { ...e.event.data, cumulativeValue: 2.1 } } }
              : e,
          ),
        },
      ],
      ['an event position', { ...given, targetEvents: [{ ...first!, position: 42 }, ...rest] }],
      ['an event id', { ...given, targetEvents: [{ ...first!, eventId: 'other' }, ...rest] }],
      ['an event dropped', { ...given, targetEvents: rest }],
      ['a satisfaction score', { ...given, satisfaction: [{ ...given.satisfaction[0]!, score: 86 }] }],
      ['a record amount', { ...given, records: [{ ...given.records[0]!, amount: 2 } as never] }],
      ['a record dropped', { ...given, records: [] }],
      [
        'a collection the input gains (rulings)',
        {
          ...given,
          rulings: [{ eventId: 'x', position: 1, recordedAt: '2026-07-01T00:00:00.000Z' }],
        } as unknown as ScoringInput,
      ],
    ];
    const digests = variants.map(([name, variant]) => [name, inputsDigest(variant).value]);
    for (const [name, value] of digests) expect([name, value === base]).toEqual([name, false]);
    expect(new Set(digests.map(([, v]) => v)).size).toBe(variants.length);
  });
});
