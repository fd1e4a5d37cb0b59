/**
 * HTTP benchmark: anonymous public ratings (满意度评议) accepted through the api in embedded mode.
 *
 * Same shape as http.bench.ts (the machinery is in http-load.ts): the api runs in this process on a
 * fresh DATA_DIR and a loopback port; autocannon runs in a worker thread. Setup goes through the API:
 * administrators, an assessment office user, a campaign over `BENCH_RATINGS_UNITS` units (default
 * 300) with a public group, opened, and `BENCH_RATINGS_TOKENS` one-time tokens (default 100) issued
 * per unit. Every request of the run is a new valid rating with an unused token; request n uses token
 * ⌊n / units⌋ of unit n mod units, so requests in flight write to different streams. All load comes
 * from 127.0.0.1, so the per-network hard limit is lifted for the run (it would refuse it with 429),
 * and the domain flags the bursts (one extra `PublicRatingBurstFlagged` event per rating past 20 in 5
 * minutes on a unit): counted, as in production from one network.
 */
import type { EventStore } from '@dukao/event-store';
import { PublicRatingLimiter } from '../apps/api/src/evaluations/public-rating-limiter';
import { type BenchContext, type Benchmark } from './harness';
import { Api, CONNECTIONS, type LoadSetup, measureHttpLoad, serveLoad } from './http-load';

const CAMPAIGN = 'bench-2026';
const DIMENSIONS = ['能力素质', '依法行政', '廉政勤政', '服务意识', '工作成效'];

function whole(name: string, fallback: number, max: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 1 || n > max)
    throw new Error(`${name} must be a whole number from 1 to ${max} (got "${raw}")`);
  return n;
}
const unitCount = () => whole('BENCH_RATINGS_UNITS', 300, 500);
/** Tokens issued per unit (links per unit): fewer units with more tokens make longer unit streams. */
const tokensPerUnit = () => whole('BENCH_RATINGS_TOKENS', 100, 20_000);

// ---------------------------------------------------------------------------------------------
// The requests (worker thread)

const ROLE = 'dukao-ratings-bench-load';

interface Ratings {
  /** Unit ids, and per unit its unused tokens. */
  units: string[];
  tokens: string[][];
}

serveLoad<Ratings>(ROLE, ({ units, tokens }: LoadSetup<Ratings>) => {
  const limit = units.length * tokens[0]!.length;
  return {
    limit,
    usedUp: `all ${limit} tokens are used up; raise BENCH_RATINGS_UNITS`,
    request: (n) => {
      const u = n % units.length;
      const score = 60 + (n % 41);
      return {
        path: '/public-ratings',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          campaignId: CAMPAIGN,
          unitId: units[u],
          token: tokens[u]![Math.floor(n / units.length)],
          scores: Object.fromEntries(DIMENSIONS.map((d) => [d, score])),
        }),
      };
    },
  };
});

// ---------------------------------------------------------------------------------------------
// Setup through the API

async function setUp(store: EventStore, url: string, log: (message: string) => void): Promise<Ratings> {
  const start = performance.now();
  const api = new Api(url);
  const admins = await api.administrators(store);
  const office = await api.user(admins, 'kaohe-ban', { role: 'assessmentAdmin' }, '考核办');

  const units = Array.from({ length: unitCount() }, (_, n) => `bureau-${String(n).padStart(3, '0')}`);
  const now = Date.now();
  await api.call(
    'POST',
    '/campaigns',
    office,
    {
      campaignId: CAMPAIGN,
      cycleId: '2026',
      name: '基准测试满意度评议',
      unitIds: units,
      groups: [
        { kind: 'public', weight: 0.7 },
        { kind: 'survey', weight: 0.3 },
      ],
      questionnaire: { kind: 'dimensions', dimensions: DIMENSIONS },
      opensAt: new Date(now - 60_000).toISOString(),
      closesAt: new Date(now + 24 * 3600_000).toISOString(),
    },
    201,
  );
  await api.call('POST', `/campaigns/${CAMPAIGN}/open`, office, undefined, 200);
  const tokens: string[][] = [];
  const perUnit = tokensPerUnit();
  for (const unit of units) {
    const unitTokens: string[] = [];
    // At most 1,000 links per request (the route's limit): one RatingTokensIssued event each.
    for (let issued = 0; issued < perUnit; issued += 1000) {
      const batch = await api.call<{ tokens: string[] }>(
        'POST',
        `/campaigns/${CAMPAIGN}/units/${unit}/rating-links`,
        office,
        { count: Math.min(1000, perUnit - issued) },
        201,
      );
      unitTokens.push(...batch.tokens);
    }
    tokens.push(unitTokens);
  }
  log(
    `set up a campaign over ${units.length} units with ${(units.length * perUnit).toLocaleString('en-US')} rating tokens in ${((performance.now() - start) / 1000).toFixed(1)} s`,
  );
  return { units, tokens };
}

function measureRatings(context: BenchContext): Promise<{ value: number; baseline: number }> {
  return measureHttpLoad<Ratings>(context, {
    workerFile: __filename,
    role: ROLE,
    subject: 'rating',
    sent: 'ratings',
    prepare({ app, url, store }) {
      // All load comes from one address: lift the per-network hard limit (bursts are still flagged).
      app.get(PublicRatingLimiter).limits.perNetworkAttempts = Number.POSITIVE_INFINITY;
      return setUp(store, url, context.log);
    },
  });
}

export const benchmarks: Benchmark[] = [
  {
    name: 'ratings.ingest.http',
    description: `anonymous public ratings accepted (POST /public-ratings, each with a new one-time token) per second through HTTP, embedded mode, ${CONNECTIONS} connections (autocannon), 2xx only; baseline: GET /health on the same server`,
    async run(context) {
      return { ...(await measureRatings(context)), unit: 'ratings/s' };
    },
  },
];
