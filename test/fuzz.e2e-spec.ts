import { EmbeddedApp, type Session } from './support/embedded-app';
import {
  type RouteKey,
  errorShapeProblem,
  fillPath,
  open,
  registeredRoutes,
  splitRoute,
  validParam,
} from './support/requests';

/**
 * Malformed requests across every route the router serves. Nothing may answer 5xx, every refusal
 * has the `{ code, message }` shape, and nothing is written to the event log.
 *
 * Reproduce a run with FUZZ_SEED=<seed printed by the run>; FUZZ_COUNT changes the number of requests.
 */
const SEED = process.env.FUZZ_SEED
  ? Number(process.env.FUZZ_SEED) >>> 0
  : (Date.now() ^ (process.pid << 16)) >>> 0;
const COUNT = process.env.FUZZ_COUNT ? Number(process.env.FUZZ_COUNT) : 2000;
const CONCURRENCY = 4;
const BODY_LIMIT = 256 * 1024;

/** mulberry32: a tiny seeded PRNG, so a failing run can be replayed exactly (all values below derive from it). */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A random v4-shaped UUID drawn from the PRNG (not from crypto), so replays name the same ids. */
function uuidFrom(random: () => number): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(random() * 16).toString(16)).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20)}`;
}

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD'] as const;

/** Path parameter values that are wrong in some way. Raw strings are sent as they are; others are encoded. */
const BAD_PARAMS: Array<{ value: string; raw?: true }> = [
  { value: 'x'.repeat(3000) },
  { value: 'not-a-uuid' },
  { value: '123' },
  { value: '-1' },
  { value: '1e309' },
  { value: '00000000-0000-0000-0000-000000000000' },
  { value: '3F2504E0-4F89-41D3-9A0C-0305E82C3301' },
  { value: '{3f2504e0-4f89-41d3-9a0c-0305e82c3301}' },
  { value: '3f2504e0-4f89-41d3-9a0c-0305e82c33010' },
  { value: '城市🙂' },
  { value: '\u202e\u0000\uffff' },
  { value: '../../etc/passwd' },
  { value: '..', raw: true },
  { value: '../..', raw: true },
  { value: '..%2F..%2Fetc%2Fpasswd', raw: true },
  { value: '%', raw: true },
  { value: '%E0%A4%A', raw: true },
  { value: '%00', raw: true },
  { value: '%ZZ', raw: true },
  { value: '__proto__' },
  { value: 'constructor' },
  { value: 'prototype' },
  { value: 'town-b' },
  { value: '_town' },
  { value: 'a'.repeat(65) },
  { value: "'; DROP TABLE events; --" },
  { value: '$where' },
  { value: 'streamCatalogX' },
  { value: ' ' },
];

/** Offsets no store can page to: refused as invalid (the DTOs cap skip; the store checks safe integers). */
const HUGE_SKIPS = ['9223372036854775808', '99999999999999999999', '1e308'];

/** Query-string pieces: unknown keys, arrays, huge and negative numbers, operators, pollution attempts. */
const BAD_QUERIES = [
  'foo=bar',
  'owner=me',
  '__proto__[polluted]=1',
  '__proto__=1',
  'constructor[prototype][polluted]=1',
  'constructor=1',
  'limit=1&limit=2',
  'limit[]=1',
  'limit[$gt]=0',
  'limit=99999999999999999999',
  'limit=-5',
  'limit=0',
  'limit=1.5',
  'limit=NaN',
  'limit=Infinity',
  'limit=0x10',
  'limit=%00',
  'limit=',
  'skip=-1',
  'skip=9007199254740993',
  ...HUGE_SKIPS.map((skip) => `skip=${skip}`),
  'skip=abc',
  // minPosition is only fuzzed with invalid values: a valid one far ahead waits for the view and answers 503 by design.
  'minPosition=-1',
  'minPosition=abc',
  'minPosition=1e309',
  'minPosition=1.5',
  'minPosition[]=1',
  'status=deleted',
  'status[]=active',
  'role=public-enemy',
  'role[$ne]=x',
  `category=${'a'.repeat(3000)}`,
  'category=x;drop',
  'category=target&category=user',
  'asOf=not-a-date',
  'asOf=99999-01-01T00:00:00Z',
  'asOf=-000001-01-01T00:00:00Z',
  'duty=boss',
  'duty[$in][]=reporter',
  'a[b][c][d][e][f][g]=1',
  '%',
  '&&&=&=',
  '=value',
  `k=${'%FF'.repeat(100)}`,
];

const nested = (depth: number, open: string, close: string, leaf: string) =>
  `${open.repeat(depth)}${leaf}${close.repeat(depth)}`;

/**
 * Bodies nested deeper than class-transformer's recursion survives (about 2,500 levels: a 15 kB body):
 * the depth limit refuses them before validation.
 */
const DEEP_BODIES: Array<{ label: string; type: string; body: string }> = [
  { label: 'nested 5000', type: 'application/json', body: nested(5000, '{"a":', '}', '1') },
  { label: 'nested 40000', type: 'application/json', body: nested(40_000, '{"a":', '}', '1') },
  { label: 'nested arrays 50000', type: 'application/json', body: nested(50_000, '[', ']', '1') },
  {
    label: 'deep under a known key',
    type: 'application/json',
    body: `{"reason":${nested(20_000, '{"a":', '}', '1')}}`,
  },
  {
    label: 'deep array under a known key',
    type: 'application/json',
    body: `{"unitIds":${nested(20_000, '[', ']', '"town-a"')},"role":"unitStaff"}`,
  },
];
/** Deep, but well inside what the validation survives today. */
const SAFE_DEPTH = 800;

/** Bodies: broken JSON, wrong types, deep nesting, huge strings, pollution keys. `type` is the content-type sent. */
const BODIES: Array<{ label: string; type: string; body: string; encoding?: string }> = [
  { label: 'truncated json', type: 'application/json', body: '{"reason": ' },
  { label: 'single quotes', type: 'application/json', body: "{'reason': 'x'}" },
  { label: 'trailing garbage', type: 'application/json', body: '{"reason":"x"}}' },
  { label: 'bare word', type: 'application/json', body: 'nul' },
  { label: 'nul byte', type: 'application/json', body: '\u0000' },
  { label: 'empty json', type: 'application/json', body: '' },
  { label: 'json string', type: 'application/json', body: '"just a string"' },
  { label: 'json number', type: 'application/json', body: '42' },
  { label: 'json null', type: 'application/json', body: 'null' },
  { label: 'json true', type: 'application/json', body: 'true' },
  { label: 'empty array', type: 'application/json', body: '[]' },
  { label: 'array of numbers', type: 'application/json', body: '[1,2,3]' },
  { label: 'array of bodies', type: 'application/json', body: '[{"reason":"x"},{"role":"inspector"}]' },
  { label: 'nested 100', type: 'application/json', body: nested(100, '{"a":', '}', '1') },
  { label: `nested ${SAFE_DEPTH}`, type: 'application/json', body: nested(SAFE_DEPTH, '{"a":', '}', '1') },
  { label: `nested arrays ${SAFE_DEPTH}`, type: 'application/json', body: nested(SAFE_DEPTH, '[', ']', '1') },
  {
    label: 'nested under a known key',
    type: 'application/json',
    body: `{"reason":${nested(SAFE_DEPTH, '{"a":', '}', '1')}}`,
  },
  {
    label: 'array under a known key',
    type: 'application/json',
    body: `{"unitIds":${nested(SAFE_DEPTH, '[', ']', '"town-a"')},"role":"unitStaff"}`,
  },
  ...DEEP_BODIES,
  {
    label: 'string under the limit',
    type: 'application/json',
    body: JSON.stringify({ reason: 'x'.repeat(BODY_LIMIT - 2000) }),
  },
  {
    label: 'string over the limit',
    type: 'application/json',
    body: JSON.stringify({ reason: 'x'.repeat(BODY_LIMIT + 1000) }),
  },
  {
    label: 'many keys',
    type: 'application/json',
    body: JSON.stringify(Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`k${i}`, i]))),
  },
  {
    label: 'long unicode',
    type: 'application/json',
    body: JSON.stringify({ reason: '督'.repeat(20_000), displayName: '🙂'.repeat(5000) }),
  },
  { label: 'lone surrogate', type: 'application/json', body: '{"reason":"\\ud800"}' },
  {
    label: '__proto__',
    type: 'application/json',
    body: '{"__proto__":{"polluted":true,"role":"systemAdmin"},"reason":"x"}',
  },
  {
    label: 'constructor.prototype',
    type: 'application/json',
    body: '{"constructor":{"prototype":{"polluted":true}},"reason":"x"}',
  },
  {
    label: 'nested __proto__',
    type: 'application/json',
    body: '{"reason":{"__proto__":{"polluted":true}},"unitIds":[{"__proto__":{"polluted":true}}]}',
  },
  {
    label: 'operators',
    type: 'application/json',
    body: '{"role":{"$ne":null},"unitId":{"$gt":""},"reason":{"$where":"1"}}',
  },
  {
    label: 'wrong types',
    type: 'application/json',
    body: '{"reason":123,"role":["inspector"],"unitIds":"town-a","effectiveFrom":true,"duty":null}',
  },
  { label: 'non-grantable role', type: 'application/json', body: '{"role":"public"}' },
  {
    label: 'bad dates',
    type: 'application/json',
    body: '{"role":"inspector","effectiveFrom":"2026-02-30","effectiveUntil":"yesterday"}',
  },
  { label: 'huge number', type: 'application/json', body: '{"reason":1e999,"limit":-1e308}' },
  {
    label: 'near-miss login',
    type: 'application/json',
    body: '{"username":"nobody-here","password":"x","extra":1}',
  },
  {
    label: 'near-miss password change',
    type: 'application/json',
    body: '{"currentPassword":"","newPassword":"short"}',
  },
  {
    label: 'near-miss refresh',
    type: 'application/json',
    body: '{"refreshToken":"00000000-0000-0000-0000-000000000000.x"}',
  },
  { label: 'text/plain', type: 'text/plain', body: 'hello' },
  { label: 'xml', type: 'application/xml', body: '<reason>x</reason>' },
  { label: 'form', type: 'application/x-www-form-urlencoded', body: 'reason=x&role=inspector' },
  {
    label: 'multipart',
    type: 'multipart/form-data; boundary=zzz',
    body: '--zzz\r\nContent-Disposition: form-data; name="reason"\r\n\r\nx\r\n--zzz--',
  },
  { label: 'json with utf-16 charset', type: 'application/json; charset=utf-16', body: '{"reason":"x"}' },
  { label: 'json with unknown charset', type: 'application/json; charset=klingon', body: '{"reason":"x"}' },
  { label: 'vendor json', type: 'application/vnd.api+json', body: '{"reason":"x"}' },
  { label: 'garbage content-type', type: ';;;/', body: '{"reason":"x"}' },
  { label: 'gzip that is not', type: 'application/json', body: '{"reason":"x"}', encoding: 'gzip' },
  { label: 'unknown encoding', type: 'application/json', body: '{"reason":"x"}', encoding: 'x-unknown' },
];

const BAD_AUTHORIZATION = [
  'Bearer',
  'Bearer ',
  'Bearer x',
  'Bearer a.b',
  'Bearer a.b.c',
  'Bearer a.b.c.d',
  `Bearer ${'a'.repeat(6000)}.${'b'.repeat(1000)}.c`,
  'Basic Zm9vOmJhcg==',
  'bearer a.b.c',
  'Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.',
  'Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.AAAA',
  'Bearer \u00e9.\u00e9.\u00e9',
  'Bearer\ta.b.c',
  'Token abc',
  ',,,',
];

const BAD_IDEMPOTENCY_KEYS = [
  '',
  'short',
  'x'.repeat(300),
  'has space',
  'clé-unique-0001',
  '../../etc/passwd',
  'abcdefgh!',
  'a,b,c,d,e,f',
];

interface Planned {
  label: string;
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: { type: string; body: string; encoding?: string };
}

describe('fuzz: malformed requests', () => {
  let dukao: EmbeddedApp;
  let sessions: Session[];
  let auditor: Session;
  let routes: RouteKey[];

  beforeAll(async () => {
    dukao = await EmbeddedApp.start();
    const system = await dukao.administrator('systemAdmin', 'f-system');
    const security = await dukao.administrator('securityAdmin', 'f-security');
    auditor = await dukao.administrator('auditor', 'f-auditor');
    const admins = { system, security };
    const inspector = await dukao.user(admins, 'f-inspector', [{ role: 'inspector' }]);
    const staff = await dukao.user(admins, 'f-staff', [{ role: 'unitStaff', unitIds: ['town-a'] }]);
    sessions = [system, security, auditor, inspector, staff];
    routes = registeredRoutes(dukao.app);
  }, 60_000);

  afterAll(async () => {
    await dukao?.stop();
  });

  function plan(random: () => number, i: number): Planned {
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
    const chance = (p: number) => random() < p;

    const route = pick(routes);
    const real = splitRoute(route);
    const method = chance(0.75) ? real.method : pick(METHODS);
    const labels: string[] = [`${route}`];
    if (method !== real.method) labels.push(`as ${method}`);

    const path = fillPath(real.path, (param) => {
      if (chance(0.5)) return validParam(param, () => uuidFrom(random));
      const bad = pick(BAD_PARAMS);
      labels.push(`:${param}=${bad.value.slice(0, 20)}`);
      return bad.raw ? bad.value : encodeURIComponent(bad.value);
    });
    let url = path;
    if (chance(0.4)) {
      const parts = Array.from({ length: 1 + Math.floor(random() * 3) }, () => pick(BAD_QUERIES));
      url += `?${parts.join('&')}`;
      labels.push(`?${parts.map((p) => p.slice(0, 30)).join('&')}`);
    }

    const headers: Record<string, string> = {};
    const auth = random();
    let authenticated = false;
    if (auth < 0.3) {
      const value = pick(BAD_AUTHORIZATION);
      headers.authorization = value;
      labels.push(`auth=${value.slice(0, 20)}`);
    } else if (auth < 0.8) {
      const session = pick(sessions);
      headers.authorization = `Bearer ${session.accessToken}`;
      authenticated = true;
      labels.push(`as ${session.username}`);
    }
    if (chance(0.25)) {
      headers['idempotency-key'] = pick(BAD_IDEMPOTENCY_KEYS);
      labels.push(`key=${headers['idempotency-key'].slice(0, 12)}`);
    }
    if (chance(0.05)) headers['x-correlation-id'] = pick(['', 'a b', 'x'.repeat(500), '../x', 'é']);

    let body: Planned['body'];
    if (chance(method === 'GET' || method === 'HEAD' ? 0.2 : 0.9)) {
      const chosen = pick(BODIES);
      body = chosen;
      labels.push(`body=${chosen.label}`);
    }
    // Logging out with a good token needs no body and would end a session: only let the parser refuse it.
    if (authenticated && method === 'POST' && path === '/auth/logout') {
      body = { type: 'application/json', body: '{"broken": ' };
      labels.push('body=broken (logout)');
    }
    return { label: `#${i} ${labels.join(' ')}`, method, url, headers, body };
  }

  async function send(request: Planned) {
    let req = open(dukao.http(), request.method, request.url).timeout(15_000);
    for (const [name, value] of Object.entries(request.headers)) req = req.set(name, value);
    if (request.body) {
      req = req.set('content-type', request.body.type);
      if (request.body.encoding) req = req.set('content-encoding', request.body.encoding);
      req = req.send(request.body.body);
    }
    return req;
  }

  it(`answers ${COUNT} malformed requests without a 5xx, always with { code, message }, and appends nothing but records of audit reads`, async () => {
    process.stdout.write(`fuzz: FUZZ_SEED=${SEED} FUZZ_COUNT=${COUNT}\n`);
    const random = mulberry32(SEED);
    const planned = Array.from({ length: COUNT }, (_, i) => plan(random, i));
    const head = await dukao.headPosition();

    const failures: string[] = [];
    const statuses = new Map<number, number>();
    let next = 0;
    const worker = async () => {
      while (next < planned.length) {
        const request = planned[next++]!;
        try {
          const res = await send(request);
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
          const problem =
            res.status >= 500
              ? `status ${res.status}`
              : request.method === 'HEAD'
                ? null
                : (errorShapeProblem(res.status, res.headers['content-type'], res.body) ??
                  (res.status >= 400 && /\n\s+at /.test(res.text ?? '') ? 'stack trace in body' : null));
          if (problem)
            failures.push(`${request.label} → ${res.status} ${problem}: ${(res.text ?? '').slice(0, 200)}`);
        } catch (error) {
          failures.push(`${request.label} → no response: ${String(error)}`);
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));

    process.stdout.write(
      `fuzz: statuses ${JSON.stringify(Object.fromEntries([...statuses].sort(([a], [b]) => a - b)))}\n`,
    );
    const prototype = Object.prototype as Record<string, unknown>;
    // What a well-formed request of an inspector or auditor records by design (docs/audit.md): its
    // read of an audit view (AuditViewRead) and a digest it asked for (LogDigestSigned). Nothing else.
    const appended = (await dukao.store.readAll({ after: head ?? undefined }))
      .map((event) => event.type)
      .filter((type) => type !== 'AuditViewRead' && type !== 'LogDigestSigned');
    expect({
      seed: SEED,
      failureCount: failures.length,
      failures: failures.slice(0, 25),
      appended,
      pollutedPrototype: ['polluted', 'role', 'isAdmin'].filter((key) => key in prototype),
    }).toEqual({ seed: SEED, failureCount: 0, failures: [], appended: [], pollutedPrototype: [] });
  }, 60_000);

  it('refuses JSON bodies nested thousands of levels deep with a 400, not a 500', async () => {
    const answers: string[] = [];
    for (const { label, body } of DEEP_BODIES) {
      for (const path of ['/auth/login', '/auth/refresh']) {
        const res = await dukao.http().post(path).set('content-type', 'application/json').send(body);
        answers.push(`${path} ${label}: ${res.status} ${String(res.body?.code)}`);
      }
    }
    expect(answers.filter((answer) => / 5\d\d /.test(answer))).toEqual([]);
  });

  it('refuses a skip beyond what the store can page with a 400, not a 500', async () => {
    const answers: string[] = [];
    for (const skip of HUGE_SKIPS) {
      for (const path of ['/users', '/audit/streams']) {
        const res = await dukao
          .http()
          .get(`${path}?skip=${skip}`)
          .set('authorization', `Bearer ${auditor.accessToken}`);
        answers.push(`${path}?skip=${skip}: ${res.status} ${String(res.body?.code)}`);
      }
    }
    expect(answers.filter((answer) => / 5\d\d /.test(answer))).toEqual([]);
  });

  it('still serves afterwards: health answers and the administrators are still signed in', async () => {
    await dukao.http().get('/health').expect(200);
    for (const session of sessions)
      await dukao.http().get('/auth/me').set('authorization', `Bearer ${session.accessToken}`).expect(200);
  });
});
