import { projectionSpec, storedEvent } from '@dukao/testing';
import { CAMPAIGNS, campaignsProjection } from './campaigns.projection';
import {
  PUBLIC_RATING_BURSTS,
  PUBLIC_RATING_LINKS,
  publicRatingLinksProjection,
} from './public-rating-links.projection';
import { at, definition } from '../domain/fixtures.spec-helpers';

const stream = { streamId: 'campaign-pingyi-2026' };
const created = storedEvent(
  'CampaignCreated',
  { ...definition(), createdAt: at },
  { ...stream, revision: 0 },
);
const opened = storedEvent(
  'CampaignOpened',
  { campaignId: 'pingyi-2026', openedAt: at },
  { ...stream, revision: 1 },
);
const closed = storedEvent(
  'CampaignClosed',
  { campaignId: 'pingyi-2026', closedAt: at },
  { ...stream, revision: 2 },
);
const published = storedEvent(
  'EvaluationResultsPublished',
  { campaignId: 'pingyi-2026', cycleId: '2026', units: [], reciprocalSignals: [], publishedAt: at },
  { ...stream, revision: 3 },
);

describe('campaignsProjection', () => {
  it('follows a campaign from creation to its results', () => {
    const doc = projectionSpec(campaignsProjection)
      .given(created, opened, closed, published)
      .document(CAMPAIGNS, 'pingyi-2026');
    expect(doc).toMatchObject({
      _id: 'pingyi-2026',
      cycleId: '2026',
      status: 'closed',
      openedAt: at,
      closedAt: at,
      results: { units: [], reciprocalSignals: [], publishedAt: at },
    });
  });

  it('changes nothing when the same event is applied twice', () => {
    const once = projectionSpec(campaignsProjection)
      .given(created, opened)
      .document(CAMPAIGNS, 'pingyi-2026');
    const twice = projectionSpec(campaignsProjection)
      .given(created, opened, opened)
      .document(CAMPAIGNS, 'pingyi-2026');
    expect(twice).toEqual(once);
  });
});

describe('publicRatingLinksProjection', () => {
  const s = { streamId: 'publicrating-pingyi-2026:bureau-a' };
  const issued = storedEvent(
    'RatingTokensIssued',
    { campaignId: 'pingyi-2026', unitId: 'bureau-a', tokenHashes: ['h1', 'h2'], issuedAt: at },
    { ...s, revision: 0 },
  );
  const rated = storedEvent(
    'PublicRatingSubmitted',
    {
      campaignId: 'pingyi-2026',
      unitId: 'bureau-a',
      tokenHash: 'h1',
      answer: { kind: 'satisfaction', level: '满意' },
      overall: 100,
      networkHash: 'n',
      submittedAt: at,
    },
    { ...s, revision: 1 },
  );

  it('counts issued and used links and keeps no token hash', () => {
    const doc = projectionSpec(publicRatingLinksProjection)
      .given(issued, rated, rated)
      .document(PUBLIC_RATING_LINKS, 'pingyi-2026:bureau-a');
    expect(doc).toMatchObject({ issued: 2, used: 1 });
    expect(JSON.stringify(doc)).not.toContain('h1');
  });

  it('keeps each burst flag in a document of its own, without the token hash, once', () => {
    const flag = (revision: number, flaggedAt: string) =>
      storedEvent(
        'PublicRatingBurstFlagged',
        {
          campaignId: 'pingyi-2026',
          unitId: 'bureau-a',
          tokenHash: 'h1',
          networkHash: 'n',
          countInWindow: 20 + revision,
          windowMinutes: 5,
          flaggedAt,
        },
        { ...s, revision },
      );
    const first = flag(2, at);
    const second = flag(3, '2026-11-02T01:00:01.000Z');
    const spec = projectionSpec(publicRatingLinksProjection).given(issued, rated, first, second, first);
    expect(spec.all(PUBLIC_RATING_BURSTS).map(({ _id, _position, ...b }) => b)).toEqual([
      {
        campaignId: 'pingyi-2026',
        unitId: 'bureau-a',
        networkHash: 'n',
        countInWindow: 22,
        windowMinutes: 5,
        flaggedAt: at,
      },
      {
        campaignId: 'pingyi-2026',
        unitId: 'bureau-a',
        networkHash: 'n',
        countInWindow: 23,
        windowMinutes: 5,
        flaggedAt: '2026-11-02T01:00:01.000Z',
      },
    ]);
    expect(JSON.stringify(spec.all(PUBLIC_RATING_BURSTS))).not.toContain('h1');
    expect(spec.document(PUBLIC_RATING_LINKS, 'pingyi-2026:bureau-a')).toMatchObject({ issued: 2, used: 1 });
  });
});
