import { describeEventStoreContract } from './event-store.contract';
import { KurrentDbEventStore } from './kurrentdb.event-store';

// Runs against a real server only: EVENT_STORE_URL=kurrentdb://localhost:2113?tls=false npx jest kurrentdb
const url = process.env.EVENT_STORE_URL ?? '';

if (/^(kurrentdb|esdb|kdb)(\+discover)?:\/\//.test(url)) {
  // 1,000 appends over the network take longer than jest's default 5 s.
  jest.setTimeout(120_000);

  // One connection for the suite; every store the contract opens shares it. The contract keeps tests
  // apart on the shared server by writing under a random stream prefix per test.
  let connection: KurrentDbEventStore;
  beforeAll(() => {
    connection = KurrentDbEventStore.connect({ connectionString: url });
  });
  afterAll(() => connection.close());

  describeEventStoreContract('kurrentdb', async (options) => connection.share(options));
} else {
  console.log(
    'skipped: no server — set EVENT_STORE_URL=kurrentdb://localhost:2113?tls=false to run the KurrentDB contract suite',
  );
  describe('EventStore contract: kurrentdb', () => {
    it.skip('skipped: no server (EVENT_STORE_URL unset)', () => {});
  });
}
