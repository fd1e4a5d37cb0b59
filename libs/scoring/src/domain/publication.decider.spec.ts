import { deciderSpec } from '@dukao/testing';
import { appealDeadline, comparePublication, publicationInstant, publishedRows } from './publication';
import { type PublicationCommand, publicationDecider } from './publication.decider';
import type { RankingPublished } from './publication.events';

const END_OF_JUNE = '2026-06-30T16:00:00.000Z';
const ROWS: RankingPublished['data']['rows'] = [
  {
    unitId: 'town-a',
    unitName: '甲镇',
    total: 480,
    totalThousandths: 480_000,
    rank: 1,
    grade: 'admonished',
    flagged: true,
  },
  {
    unitId: 'town-b',
    unitName: '乙镇',
    total: 0,
    totalThousandths: 0,
    rank: 2,
    grade: 'admonished',
    flagged: true,
  },
];
const DIGEST = {
  algorithm: 'sha256' as const,
  value: 'ab'.repeat(32),
  canonicalization: 'dukao-scoring-input/1',
};

const publish = (over: Partial<PublicationCommand> = {}): PublicationCommand => ({
  type: 'PublishRanking',
  publicationId: 'p1',
  cycleId: '2026',
  cycleYear: 2026,
  category: 'towns',
  kind: 'monthly',
  period: '2026-06',
  now: '2026-07-20T02:00:00.000Z',
  logPosition: 120,
  scored: { at: END_OF_JUNE, schemeVersion: 1, treeVersion: 1, scale: 1000, rows: ROWS },
  inputsDigest: DIGEST,
  appealWindowDays: 7,
  note: ' 6月排名公示 ',
  supersedes: null,
  ...over,
});

const published: RankingPublished = {
  type: 'RankingPublished',
  data: {
    publicationId: 'p1',
    cycleId: '2026',
    category: 'towns',
    kind: 'monthly',
    period: '2026-06',
    at: END_OF_JUNE,
    asOf: '2026-07-20T02:00:00.000Z',
    logPosition: 120,
    schemeVersion: 1,
    treeVersion: 1,
    scale: 1000,
    inputsDigest: DIGEST,
    rows: ROWS,
    publishedAt: '2026-07-20T02:00:00.000Z',
    appealDeadline: '2026-07-27T02:00:00.000Z',
    appealWindowDays: 7,
    note: '6月排名公示',
    supersedes: null,
  },
};

describe('publication decider', () => {
  describe('when nothing is published yet', () => {
    it('publishes the rows and digest as scored, at the month end, open for appeals for the window', () => {
      deciderSpec(publicationDecider).given().when(publish()).then([published]);
    });

    it('publishes the final ranking at the cycle year’s end, naming the publication it supersedes', () => {
      const endOfYear = '2026-12-31T16:00:00.000Z';
      const [event] = publicationDecider.decide(
        publish({
          kind: 'final',
          period: null,
          now: '2027-01-15T02:00:00.000Z',
          scored: { at: endOfYear, schemeVersion: 2, treeVersion: 1, scale: 1000, rows: ROWS },
          appealWindowDays: 10,
          note: null,
          supersedes: 'p0',
        }),
        publicationDecider.initialState(),
      );
      expect(event!.data).toMatchObject({
        kind: 'final',
        period: null,
        at: endOfYear,
        schemeVersion: 2,
        appealDeadline: '2027-01-25T02:00:00.000Z',
        appealWindowDays: 10,
        note: null,
        supersedes: 'p0',
      });
    });

    it('refuses a month that has not ended yet', () => {
      deciderSpec(publicationDecider)
        .given()
        .when(publish({ now: '2026-06-30T15:59:59.999Z' }))
        .thenRefuses('PERIOD_NOT_ENDED', /尚未结束/);
    });

    it('refuses a month outside the cycle year', () => {
      deciderSpec(publicationDecider)
        .given()
        .when(publish({ period: '2025-12' }))
        .thenRefuses('PERIOD_OUTSIDE_CYCLE', /不在 2026 年度/);
    });

    it('refuses a monthly publication without a month and a final one with a month', () => {
      deciderSpec(publicationDecider)
        .given()
        .when(publish({ period: null }))
        .thenRefuses('PERIOD_REQUIRED');
      deciderSpec(publicationDecider)
        .given()
        .when(publish({ kind: 'final', period: '2026-12' }))
        .thenRefuses('PERIOD_REQUIRED');
    });

    it('refuses an appeal window that is not 1 to 365 whole days', () => {
      for (const days of [0, 1.5, 366])
        deciderSpec(publicationDecider)
          .given()
          .when(publish({ appealWindowDays: days }))
          .thenRefuses('INVALID_APPEAL_WINDOW');
    });

    it('refuses an empty ranking', () => {
      deciderSpec(publicationDecider)
        .given()
        .when(publish({ scored: { ...publish().scored, rows: [] } }))
        .thenRefuses('NOTHING_TO_PUBLISH');
    });
  });

  describe('when the publication exists', () => {
    it('never changes it', () => {
      deciderSpec(publicationDecider).given(published).when(publish()).thenRefuses('PUBLICATION_EXISTS');
    });
  });
});

describe('publication instants, deadlines and comparisons', () => {
  it('scores a month at its Shanghai end and the final ranking at the year’s end', () => {
    expect(publicationInstant('monthly', '2026-06', 2026)).toBe(END_OF_JUNE);
    expect(publicationInstant('monthly', '2026-02', 2026)).toBe('2026-02-28T16:00:00.000Z');
    expect(publicationInstant('final', null, 2026)).toBe('2026-12-31T16:00:00.000Z');
  });

  it('closes the appeal window whole days after publication', () => {
    expect(appealDeadline('2026-07-20T02:00:00.000Z', 7)).toBe('2026-07-27T02:00:00.000Z');
  });

  it('keeps the engine’s rank order and the units’ names in the rows', () => {
    const unit = (unitId: string, rank: number, totalThousandths: number) => ({
      unitId,
      rank,
      totalThousandths,
      total: totalThousandths / 1000,
      grade: 'pass' as const,
      flagged: false,
    });
    const rows = publishedRows(
      { units: [unit('b', 2, 10), unit('a', 1, 20)] as never },
      new Map([['a', '甲']]),
    );
    expect(rows.map((r) => [r.unitId, r.unitName, r.rank])).toEqual([
      ['a', '甲', 1],
      ['b', null, 2],
    ]);
  });

  it('compares as published with as recomputed: deltas of total and rank, grade changes, units added since', () => {
    const recomputed = [
      {
        unitId: 'town-b',
        total: 500,
        totalThousandths: 500_000,
        rank: 1,
        grade: 'admonished' as const,
        flagged: true,
      },
      {
        unitId: 'town-a',
        total: 480,
        totalThousandths: 480_000,
        rank: 2,
        grade: 'admonished' as const,
        flagged: true,
      },
      {
        unitId: 'town-c',
        total: 0,
        totalThousandths: 0,
        rank: 3,
        grade: 'admonished' as const,
        flagged: true,
      },
    ];
    const rows = comparePublication(ROWS, recomputed);
    expect(
      rows.map((r) => [r.unitId, r.totalDeltaThousandths, r.rankDelta, r.gradeChanged, r.changed]),
    ).toEqual([
      ['town-a', 0, 1, false, true],
      ['town-b', 500_000, -1, false, true],
      ['town-c', null, null, false, true],
    ]);
    expect(rows[2]!.published).toBeNull();
    expect(comparePublication(ROWS, ROWS).every((r) => !r.changed)).toBe(true);
  });
});
