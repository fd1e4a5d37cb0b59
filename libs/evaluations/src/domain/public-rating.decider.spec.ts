import fc from 'fast-check';
import { deciderSpec } from '@dukao/testing';
import {
  BURST_LIMIT,
  type PublicRatingCommand,
  type PublicRatingState,
  publicRatingDecider,
} from './public-rating.decider';
import type { PublicRatingEvent } from './public-rating.events';
import { at, closesAt, definition, openCampaign } from './fixtures.spec-helpers';

const spec = deciderSpec(publicRatingDecider);
const satisfaction = { kind: 'satisfaction' as const, scores: { 满意: 100, 基本满意: 80, 不满意: 0 } };
const campaign = openCampaign({ questionnaire: satisfaction });
const issued = (hashes: string[]): PublicRatingEvent => ({
  type: 'RatingTokensIssued',
  data: { campaignId: 'pingyi-2026', unitId: 'bureau-a', tokenHashes: hashes, issuedAt: at },
});
type Submit = Extract<PublicRatingCommand, { type: 'SubmitPublicRating' }>;
const rate = (tokenHash: string, overrides: Partial<Submit> = {}): Submit => ({
  type: 'SubmitPublicRating',
  campaignId: 'pingyi-2026',
  unitId: 'bureau-a',
  campaign,
  tokenHash,
  networkHash: 'net-1',
  answer: { kind: 'satisfaction', level: '基本满意' },
  at,
  ...overrides,
});
const rated = (tokenHash: string, networkHash = 'net-1', submittedAt = at): PublicRatingEvent => ({
  type: 'PublicRatingSubmitted',
  data: {
    campaignId: 'pingyi-2026',
    unitId: 'bureau-a',
    tokenHash,
    answer: { kind: 'satisfaction', level: '基本满意' },
    overall: 80,
    networkHash,
    submittedAt,
  },
});

describe('when tokens were issued', () => {
  it('accepts a rating with an unused token, scored by the campaign’s mapping', () => {
    spec
      .given(issued(['h1', 'h2']))
      .when(rate('h1'))
      .then([rated('h1')]);
  });

  it('refuses a reused one-time token', () => {
    spec
      .given(issued(['h1']), rated('h1'))
      .when(rate('h1'))
      .thenRefuses('RATING_TOKEN_USED', /只能评议一次/);
  });

  it('refuses an unknown token', () => {
    spec
      .given(issued(['h1']))
      .when(rate('nope'))
      .thenRefuses('RATING_TOKEN_INVALID');
  });

  it('refuses an answer without a satisfaction level', () => {
    spec
      .given(issued(['h1']))
      .when(rate('h1', { answer: { kind: 'dimensions', scores: {} } }))
      .thenRefuses('INCOMPLETE_SHEET');
  });

  it('refuses after closesAt', () => {
    spec
      .given(issued(['h1']))
      .when(rate('h1', { at: closesAt }))
      .thenRefuses('CAMPAIGN_CLOSED');
  });

  it(`accepts but flags the rating past ${BURST_LIMIT} from one network within 5 minutes`, () => {
    const hashes = Array.from({ length: BURST_LIMIT + 1 }, (_, i) => `h${i}`);
    const earlier = hashes.slice(0, BURST_LIMIT).map((h) => rated(h));
    const [submitted, flag] = publicRatingDecider.decide(
      rate(`h${BURST_LIMIT}`),
      spec.given(issued(hashes), ...earlier).state,
    );
    expect(submitted).toEqual(rated(`h${BURST_LIMIT}`));
    expect(flag).toMatchObject({
      type: 'PublicRatingBurstFlagged',
      data: { networkHash: 'net-1', countInWindow: BURST_LIMIT + 1, windowMinutes: 5 },
    });
  });

  it('does not flag ratings from one network spread beyond the window', () => {
    const hashes = Array.from({ length: BURST_LIMIT + 1 }, (_, i) => `h${i}`);
    const longAgo = '2026-11-02T00:50:00.000Z';
    const earlier = hashes.slice(0, BURST_LIMIT).map((h) => rated(h, 'net-1', longAgo));
    spec
      .given(issued(hashes), ...earlier)
      .when(rate(`h${BURST_LIMIT}`))
      .then([rated(`h${BURST_LIMIT}`)]);
  });
});

describe('issuing tokens', () => {
  it('records only the hashes', () => {
    spec
      .given()
      .when({
        type: 'IssueRatingTokens',
        campaignId: 'pingyi-2026',
        unitId: 'bureau-a',
        campaign,
        tokenHashes: ['h1'],
        at,
      })
      .then([issued(['h1'])]);
  });

  it('refuses for a closed campaign', () => {
    spec
      .given()
      .when({
        type: 'IssueRatingTokens',
        campaignId: 'pingyi-2026',
        unitId: 'bureau-a',
        campaign: { status: 'closed', definition: definition(), survey: null },
        tokenHashes: ['h1'],
        at,
      })
      .thenRefuses('CAMPAIGN_CLOSED');
  });
});

describe('the incremental state', () => {
  /** The state as first written: every token and every rating time, copied per event. */
  const reference = {
    fold(events: PublicRatingEvent[]) {
      const tokens = new Map<string, boolean>();
      const times = new Map<string, number[]>();
      for (const e of events) {
        if (e.type === 'RatingTokensIssued') for (const h of e.data.tokenHashes) tokens.set(h, false);
        if (e.type === 'PublicRatingSubmitted') {
          tokens.set(e.data.tokenHash, true);
          times.set(e.data.networkHash, [
            ...(times.get(e.data.networkHash) ?? []),
            Date.parse(e.data.submittedAt),
          ]);
        }
      }
      return { tokens, times };
    },
    decide(command: Submit, events: PublicRatingEvent[]): string | number {
      const { tokens, times } = reference.fold(events);
      const consumed = tokens.get(command.tokenHash);
      if (consumed === undefined) return 'RATING_TOKEN_INVALID';
      if (consumed) return 'RATING_TOKEN_USED';
      const windowStart = Date.parse(command.at) - 5 * 60_000;
      return (times.get(command.networkHash) ?? []).filter((t) => t > windowStart).length + 1;
    },
  };
  const outcome = (command: Submit, state: PublicRatingState): string | number => {
    try {
      const events = publicRatingDecider.decide(command, state);
      const flag = events[1];
      return flag?.type === 'PublicRatingBurstFlagged' ? flag.data.countInWindow : 'accepted';
    } catch (error) {
      return (error as { code: string }).code;
    }
  };
  const expected = (command: Submit, events: PublicRatingEvent[]) => {
    const r = reference.decide(command, events);
    return typeof r === 'number' ? (r > BURST_LIMIT ? r : 'accepted') : r;
  };
  const fold = (events: PublicRatingEvent[], from = publicRatingDecider.initialState()) =>
    events.reduce((s, e) => publicRatingDecider.evolve(s, e), from);

  const base = Date.parse(at);
  const hash = fc.constantFrom('h0', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'h7');
  const network = fc.constantFrom('net-1', 'net-2', 'net-3');
  // Up to 8 minutes before and 1 after `at`: bursts, windows and out-of-order times.
  const time = fc.integer({ min: -8 * 60, max: 60 }).map((s) => new Date(base + s * 1000).toISOString());
  const event: fc.Arbitrary<PublicRatingEvent> = fc.oneof(
    { weight: 1, arbitrary: fc.array(hash, { minLength: 1, maxLength: 3 }).map(issued) },
    { weight: 6, arbitrary: fc.tuple(hash, network, time).map(([h, n, t]) => rated(h, n, t)) },
  );
  /** Streams as the decider writes them: a token is issued once, and rated only once issued. */
  const realistic = (events: PublicRatingEvent[], issuedBefore: readonly string[] = []) => {
    const seen = new Set(issuedBefore);
    return events.flatMap((e): PublicRatingEvent[] => {
      if (e.type === 'RatingTokensIssued') {
        const fresh = e.data.tokenHashes.filter((h) => !seen.has(h));
        for (const h of fresh) seen.add(h);
        return fresh.length ? [issued(fresh)] : [];
      }
      return e.type === 'PublicRatingSubmitted' && !seen.has(e.data.tokenHash) ? [] : [e];
    });
  };
  const issuedIn = (events: PublicRatingEvent[]) =>
    events.flatMap((e) => (e.type === 'RatingTokensIssued' ? e.data.tokenHashes : []));
  const stream = fc.array(event, { maxLength: 80 }).map((events) => realistic(events));
  const command = fc
    .tuple(hash, network, fc.integer({ min: -60, max: 60 }))
    .map(([h, n, s]) => rate(h, { networkHash: n, at: new Date(base + s * 1000).toISOString() }));

  it('decides as a fold that keeps every token and time', () => {
    fc.assert(
      fc.property(stream, command, (events, cmd) => {
        expect(outcome(cmd, fold(events))).toEqual(expected(cmd, events));
      }),
      { numRuns: 300 },
    );
  });

  it('leaves an earlier state unchanged when folding on from it, and can fold on from it again', () => {
    fc.assert(
      fc.property(stream, fc.nat(), fc.array(event, { maxLength: 20 }), command, (events, cut, more, cmd) => {
        const k = cut % (events.length + 1);
        const branch = realistic(more, issuedIn(events.slice(0, k)));
        const earlier = fold(events.slice(0, k));
        fold(events.slice(k), earlier); // moves the shared ledger on
        expect(outcome(cmd, earlier)).toEqual(expected(cmd, events.slice(0, k)));
        const other = [...events.slice(0, k), ...branch];
        expect(outcome(cmd, fold(branch, earlier))).toEqual(expected(cmd, other));
      }),
      { numRuns: 300 },
    );
  });

  it('counts a burst as the full fold does after forgetting ratings over an hour old', () => {
    const hashes = Array.from({ length: 1500 }, (_, i) => `s${i}`);
    // One rating every 10 s for over four hours, then a rating at the last instant.
    const events = [
      issued([...hashes, 'last']),
      ...hashes.map((h, i) => rated(h, 'net-1', new Date(base + i * 10_000).toISOString())),
    ];
    const cmd = rate('last', { at: new Date(base + 1499 * 10_000).toISOString() });
    expect(outcome(cmd, fold(events))).toBe(31);
    expect(expected(cmd, events)).toBe(31);
  });

  it('folds a stream of 20,000 ratings', () => {
    const hashes = Array.from({ length: 20_000 }, (_, i) => `t${i}`);
    const events = [issued(hashes), ...hashes.map((h, i) => rated(h, `net-${i % 50}`))];
    const state = fold(events);
    expect(outcome(rate('t1'), state)).toBe('RATING_TOKEN_USED');
    expect(state.length).toBe(events.length);
  });
});
