import { documentProjection, type Projection } from '../projection';

/**
 * A projection for the engine's own tests: counts and sums progress reports per unit, so that an
 * event applied twice, or lost, shows up in the numbers.
 */
export const tallyProjection: Projection = documentProjection({
  name: 'testTally',
  version: 1,
  eventTypes: ['ProgressReported'],
  collection: { name: 'testTallies', indexes: [{ fields: { total: -1 } }] },
  documentId: (event) => event.data.unitId as string,
  evolve: (doc, event) => ({
    _id: event.data.unitId as string,
    reports: Number(doc?.reports ?? 0) + 1,
    total: Number(doc?.total ?? 0) + Number(event.data.value),
    lastPosition: event.position,
  }),
});
