import { randomUUID } from 'node:crypto';
import { MongoReadModelStore } from './mongo.read-model-store';
import { describeReadModelStoreContract } from './read-model-store.contract';

// Runs against a real server only (a replica set: the contract checks that a failing commit applies
// nothing): MONGO_URL=mongodb://localhost:27017/?replicaSet=rs0&directConnection=true npx jest mongo
const url = process.env.MONGO_URL ?? '';

if (url) {
  jest.setTimeout(60_000);

  // One throwaway database per run; the contract keeps tests apart inside it by random names.
  const dbName = `dukao_contract_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  afterAll(async () => {
    const store = await MongoReadModelStore.connect({ url, dbName });
    try {
      await store.dropDatabase();
    } finally {
      await store.close();
    }
  });

  describeReadModelStoreContract('mongodb', () => MongoReadModelStore.connect({ url, dbName }));
} else {
  console.log(
    'skipped: no server — set MONGO_URL=mongodb://localhost:27017/?replicaSet=rs0&directConnection=true to run the MongoDB contract suite',
  );
  describe('ReadModelStore contract: mongodb', () => {
    it.skip('skipped: no server (MONGO_URL unset)', () => {});
  });
}
