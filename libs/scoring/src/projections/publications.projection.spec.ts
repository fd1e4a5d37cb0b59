import { projectionSpec, storedEvent } from '@dukao/testing';
import type { RankingPublished } from '../domain/publication.events';
import { PUBLICATIONS, publicationsProjection } from './publications.projection';

const data = (publicationId: string, supersedes: string | null): RankingPublished['data'] => ({
  publicationId,
  cycleId: '2026',
  category: 'towns',
  kind: 'monthly',
  period: '2026-06',
  at: '2026-06-30T16:00:00.000Z',
  asOf: '2026-07-20T02:00:00.000Z',
  logPosition: 120,
  schemeVersion: 1,
  treeVersion: 1,
  scale: 1000,
  inputsDigest: { algorithm: 'sha256', value: 'ab'.repeat(32), canonicalization: 'dukao-scoring-input/1' },
  rows: [
    {
      unitId: 'town-a',
      unitName: '甲镇',
      total: 480,
      totalThousandths: 480_000,
      rank: 1,
      grade: 'admonished',
      flagged: true,
    },
  ],
  publishedAt: '2026-07-20T02:00:00.000Z',
  appealDeadline: '2026-07-27T02:00:00.000Z',
  appealWindowDays: 7,
  note: null,
  supersedes,
});

const first = storedEvent('RankingPublished', data('p1', null), {
  streamId: 'publication-p1',
  metadata: { actor: { userId: 'admin-1', role: 'assessmentAdmin', unitId: null } },
});
const second = storedEvent('RankingPublished', data('p2', 'p1'), { streamId: 'publication-p2' });

describe('publications projection', () => {
  it('given a publication, then its document holds the event’s data as published, in force', () => {
    expect(projectionSpec(publicationsProjection).given(first).document(PUBLICATIONS, 'p1')).toEqual({
      _id: 'p1',
      _position: first.position,
      ...data('p1', null),
      publishedBy: 'admin-1',
      supersededBy: null,
    });
  });

  it('given a re-publication of the same period, then the earlier one names it as superseding, rows unchanged', () => {
    const spec = projectionSpec(publicationsProjection).given(first, second);
    expect(spec.document(PUBLICATIONS, 'p1')).toMatchObject({
      supersededBy: 'p2',
      rows: data('p1', null).rows,
      _position: second.position,
    });
    expect(spec.document(PUBLICATIONS, 'p2')).toMatchObject({ supersedes: 'p1', supersededBy: null });
  });

  it('applying the same events twice changes nothing', () => {
    const once = projectionSpec(publicationsProjection).given(first, second);
    const twice = projectionSpec(publicationsProjection).given(first, second, first, second);
    expect(twice.all(PUBLICATIONS)).toEqual(once.all(PUBLICATIONS));
  });

  it('reads only publication events', () => {
    const other = storedEvent('ProgressReported', { targetId: 't1' });
    expect(projectionSpec(publicationsProjection).given(other).all(PUBLICATIONS)).toEqual([]);
  });
});
