import { deciderSpec } from '@dukao/testing';
import { BURST_LIMIT, type PublicRatingCommand, publicRatingDecider } from './public-rating.decider';
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
