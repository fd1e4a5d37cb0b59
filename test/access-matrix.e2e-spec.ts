import { randomUUID } from 'node:crypto';
import { DUTIES, ROLES, type Role } from '@dukao/identity';
import { EmbeddedApp, type Session, bearer } from './support/embedded-app';
import { type RouteKey, fillPath, isChinese, open, registeredRoutes, splitRoute } from './support/requests';

/**
 * The role × route matrix. Every route the router serves must appear in EXPECTED with who may call
 * it, and every caller is tried on every route: anonymous callers get 401 on non-public routes,
 * roles not listed get 403 FORBIDDEN, listed ones get past the guard (any other status).
 */
type Access = 'public' | 'authenticated' | readonly Role[];

const ADMINS = ['systemAdmin', 'securityAdmin', 'auditor'] as const satisfies readonly Role[];
const UNIT_READERS = [
  'cityLeader',
  'assessmentAdmin',
  'supervisor',
  'inspector',
  'unitStaff',
] as const satisfies readonly Role[];

const TARGET_READERS = [
  'cityLeader',
  'assessmentAdmin',
  'supervisor',
  'reviewer',
  'unitStaff',
  'inspector',
] as const satisfies readonly Role[];

const EXPECTED: Record<RouteKey, Access> = {
  // Swagger registers these on the Express adapter itself (no Nest guard): the API description is public.
  'GET /docs': 'public',
  'GET /docs/': 'public',
  'GET /docs/index.html': 'public',
  'GET /docs/LICENSE': 'public',
  'GET /docs/swagger-ui-init.js': 'public',
  'GET /docs/docs/swagger-ui-init.js': 'public',
  'GET /docs-yaml': 'public',
  'GET /openapi.json': 'public',

  'GET /health': 'public',
  'GET /health/live': 'public',
  'GET /health/ready': 'public',
  'GET /metrics': ['systemAdmin'],
  'POST /auth/login': 'public',
  'POST /auth/refresh': 'public',
  'GET /auth/me': 'authenticated',
  'PUT /auth/password': 'authenticated',
  'POST /auth/logout': 'authenticated',

  'POST /users': ['systemAdmin'],
  'GET /users': ADMINS,
  'GET /users/:userId': ADMINS,
  'POST /users/:userId/disable': ['systemAdmin'],
  'POST /users/:userId/enable': ['systemAdmin'],
  'POST /users/:userId/password-reset': ['systemAdmin'],
  'POST /users/:userId/roles': ['securityAdmin'],
  'POST /users/:userId/roles/:grantId/revoke': ['securityAdmin'],
  'POST /users/:userId/memberships': ['securityAdmin'],
  'POST /users/:userId/memberships/:membershipId/end': ['securityAdmin'],

  'GET /units/:unitId/people': UNIT_READERS,

  'GET /projections': ['systemAdmin'],
  'POST /projections/:name/rebuild': ['systemAdmin'],

  'GET /audit/streams': ['inspector', 'auditor'],
  'GET /audit/events': ['inspector', 'auditor'],
  'GET /audit/events/:eventId': ['inspector', 'auditor'],
  'GET /audit/verify': ['inspector', 'auditor'],
  'GET /audit/public-key': 'public',
  'GET /audit/digests': ['inspector', 'auditor'],
  'POST /audit/digests': ['inspector'],
  'POST /audit/digests/verify': ['inspector', 'auditor'],
  'GET /audit/digests/:digestId': ['inspector', 'auditor'],

  'POST /cycles': ['assessmentAdmin'],
  'GET /cycles': TARGET_READERS,
  'GET /cycles/:cycleId': TARGET_READERS,
  'POST /cycles/:cycleId/schemes': ['assessmentAdmin'],
  'POST /cycles/:cycleId/indicator-trees': ['assessmentAdmin'],
  'POST /cycles/:cycleId/close': ['assessmentAdmin'],
  'PUT /work-calendars/:year': ['assessmentAdmin'],
  'GET /work-calendars': 'authenticated',
  'GET /work-calendars/:year': 'authenticated',
  'POST /campaigns': ['assessmentAdmin'],
  'GET /campaigns': TARGET_READERS,
  'GET /campaigns/:campaignId': TARGET_READERS,
  'GET /campaigns/:campaignId/results': TARGET_READERS,
  'GET /campaigns/:campaignId/signals': ['inspector'],
  'POST /campaigns/:campaignId/open': ['assessmentAdmin'],
  'POST /campaigns/:campaignId/close': ['assessmentAdmin'],
  'POST /campaigns/:campaignId/survey': ['assessmentAdmin'],
  'POST /campaigns/:campaignId/survey/import': ['assessmentAdmin'],
  'PUT /campaigns/:campaignId/sheets/:unitId': ['unitStaff', 'cityLeader'],
  'POST /campaigns/:campaignId/units/:unitId/rating-links': ['assessmentAdmin'],
  'GET /campaigns/:campaignId/units/:unitId/rating-qr/png': ['assessmentAdmin'],
  'GET /campaigns/:campaignId/units/:unitId/rating-qr/svg': ['assessmentAdmin'],
  'POST /public-ratings': 'public',
  'POST /units': ['assessmentAdmin'],
  'GET /units': TARGET_READERS,
  'GET /units/:unitId': TARGET_READERS,
  'GET /units/:unitId/dashboard': UNIT_READERS,

  'POST /targets': ['assessmentAdmin'],
  'GET /targets': TARGET_READERS,
  'GET /targets/:targetId': TARGET_READERS,
  'POST /targets/missed-period-checks': ['assessmentAdmin'],
  'POST /targets/import': ['assessmentAdmin'],
  'GET /targets/import/template': ['assessmentAdmin'],
  'POST /targets/:targetId/reviews': ['reviewer', 'assessmentAdmin', 'cityLeader'],
  'POST /targets/:targetId/resubmit': ['assessmentAdmin'],
  'POST /targets/:targetId/adjustments': ['assessmentAdmin'],
  'POST /targets/:targetId/withdraw': ['assessmentAdmin'],
  'PUT /targets/:targetId/warning-thresholds': ['assessmentAdmin'],
  'POST /targets/:targetId/reports': ['unitStaff'],
  'POST /targets/:targetId/nil-returns': ['unitStaff'],
  'POST /targets/:targetId/reports/:reportId/verify': ['reviewer'],
  'POST /targets/:targetId/reports/:reportId/reject': ['reviewer'],
  'GET /warnings/board': UNIT_READERS,
  'GET /warnings': UNIT_READERS,
  'GET /warnings/:targetId/history': UNIT_READERS,
  'GET /warnings/milestones': UNIT_READERS,
  'GET /warnings/:targetId/milestones': UNIT_READERS,
  'POST /warnings/evaluations': ['assessmentAdmin'],
  'GET /scores/:unitId/explain': UNIT_READERS,
  'GET /scores/:unitId/timeline': UNIT_READERS,
  'GET /rankings/:cycleId/:category': ['cityLeader', 'assessmentAdmin', 'supervisor', 'inspector'],
  'GET /rankings/:cycleId/:category/months': ['cityLeader', 'assessmentAdmin', 'supervisor', 'inspector'],
  'GET /rankings/:cycleId/:category/months/:month': [
    'cityLeader',
    'assessmentAdmin',
    'supervisor',
    'inspector',
  ],
  'POST /rankings/refresh': ['assessmentAdmin'],
  'POST /rankings/:cycleId/:category/publications': ['assessmentAdmin'],
  'GET /rankings/:cycleId/:category/publications': UNIT_READERS,
  'GET /publications/:publicationId': UNIT_READERS,
  'GET /publications/:publicationId/comparison': UNIT_READERS,
  'GET /publications/:publicationId/verify': UNIT_READERS,
  'POST /rankings/:cycleId/:category/shadow': ['assessmentAdmin', 'cityLeader'],
  'POST /score-adjustments': ['assessmentAdmin'],
  'GET /score-adjustments': UNIT_READERS,
  'POST /vetoes': ['assessmentAdmin'],
  'GET /vetoes': UNIT_READERS,
  'POST /appeals': ['unitStaff'],
  'GET /appeals': UNIT_READERS,
  'GET /appeals/:appealId': UNIT_READERS,
  'POST /appeals/:appealId/withdrawal': ['unitStaff'],
  'POST /appeals/:appealId/rulings': ['assessmentAdmin'],
  'POST /supervision-notices': ['supervisor'],
  'GET /supervision-notices': UNIT_READERS,
  'GET /supervision-notices/board': UNIT_READERS,
  'GET /supervision-notices/candidates': UNIT_READERS,
  'GET /supervision-notices/report': UNIT_READERS,
  'GET /supervision-notices/:noticeId': UNIT_READERS,
  'POST /supervision-notices/:noticeId/sign': ['unitStaff'],
  'POST /supervision-notices/:noticeId/rectifications': ['unitStaff'],
  'POST /supervision-notices/:noticeId/close': ['supervisor'],
  'POST /supervision-notices/:noticeId/return': ['supervisor'],
  'POST /supervision-notices/:noticeId/escalations': ['supervisor'],
  'POST /supervision-notices/:noticeId/extensions': ['unitStaff'],
  'POST /supervision-notices/:noticeId/extensions/:extensionId/approve': ['supervisor'],
  'POST /supervision-notices/:noticeId/extensions/:extensionId/refuse': ['supervisor'],
  'POST /accountability-actions': ['supervisor', 'assessmentAdmin'],
  'GET /accountability-actions': UNIT_READERS,
  'GET /accountability-actions/:actionId': UNIT_READERS,
  'GET /reports/performance/:cycleId/:month': ['cityLeader', 'assessmentAdmin', 'supervisor', 'inspector'],
  'GET /reports/supervision-bulletin': UNIT_READERS,
  'GET /reports/supervision-report': UNIT_READERS,
  'GET /scores/:unitId/explain/document': UNIT_READERS,
  'GET /reports/audit-export': ['inspector', 'auditor'],
  'GET /reminders': ['assessmentAdmin', 'supervisor', 'systemAdmin'],
  'GET /reminders/outbox': ['assessmentAdmin', 'supervisor', 'systemAdmin'],
  'GET /reminders/sms': ['assessmentAdmin', 'supervisor', 'systemAdmin'],
  'GET /reminders/messages': ['assessmentAdmin', 'supervisor', 'systemAdmin'],
  'POST /reminders/receipts/:gateway': 'public',

  'POST /spot-checks': ['inspector', 'assessmentAdmin'],
  'GET /spot-checks': ['inspector', 'assessmentAdmin'],
  'GET /spot-checks/:spotCheckId': ['inspector', 'assessmentAdmin'],
  'GET /spot-checks/:spotCheckId/recompute': ['inspector', 'assessmentAdmin', 'auditor'],
  'POST /spot-checks/:spotCheckId/outcomes': ['inspector'],
  'GET /anomalies': ['inspector'],
  'GET /anomalies/settings': ['inspector'],
  'PUT /anomalies/settings': ['inspector'],

  'POST /evidence': ['unitStaff', 'reviewer', 'supervisor', 'assessmentAdmin', 'inspector'],
  'GET /evidence/:fileId': [
    'unitStaff',
    'reviewer',
    'supervisor',
    'assessmentAdmin',
    'inspector',
    'cityLeader',
    'auditor',
  ],
};

/**
 * Minimal bodies. Writes by allowed callers aim at random (absent) ids, so they answer 404 and change
 * nothing; the password change names a wrong current password (422 after the guard let it through);
 * public auth routes get an empty body (400) so no session starts or rotates.
 */
const BODIES: Partial<Record<RouteKey, object>> = {
  'POST /auth/login': {},
  'POST /auth/refresh': {},
  'PUT /auth/password': { currentPassword: 'Not-The-Password-1', newPassword: 'Another-Password-2' },
  'POST /users': {},
  'POST /users/:userId/disable': { reason: '权限矩阵测试' },
  'POST /users/:userId/roles': { role: 'inspector' },
  'POST /users/:userId/roles/:grantId/revoke': { reason: '权限矩阵测试' },
  'POST /users/:userId/memberships': { unitId: 'town-a', duty: DUTIES[0] },
  'POST /users/:userId/memberships/:membershipId/end': {},
};

/** Logging out ends the caller's session, so it is tried last. */
const LAST: RouteKey = 'POST /auth/logout';
const ORDERED = (Object.keys(EXPECTED) as RouteKey[]).sort((a, b) => Number(a === LAST) - Number(b === LAST));

const GRANTABLE = ROLES.filter((role) => role !== 'public');
type GrantableRole = Exclude<Role, 'public'>;
type CallerName = 'anonymous' | 'noRole' | GrantableRole;
interface Caller {
  name: CallerName;
  session: Session | null;
  roles: readonly Role[];
}

const allows = (access: Access, caller: Caller) =>
  access === 'public' ||
  (caller.session !== null &&
    (access === 'authenticated' || access.some((role) => caller.roles.includes(role))));

describe('access: role × route matrix', () => {
  let dukao: EmbeddedApp;
  const callers: Caller[] = [];
  let admins: { system: Session; security: Session };
  let leaderOfTownA: Session;
  let mustChange: Session;

  const get = (path: string, session: Session) => dukao.http().get(path).set(bearer(session));
  const caller = (name: CallerName) => callers.find((c) => c.name === name)!.session!;

  beforeAll(async () => {
    dukao = await EmbeddedApp.start();
    const system = await dukao.administrator('systemAdmin');
    const security = await dukao.administrator('securityAdmin');
    const auditor = await dukao.administrator('auditor');
    admins = { system, security };

    const scoped: Partial<Record<GrantableRole, string[]>> = { reviewer: ['town-a'], unitStaff: ['town-a'] };
    const made: Partial<Record<GrantableRole, Session>> = {
      systemAdmin: system,
      securityAdmin: security,
      auditor,
    };
    for (const role of GRANTABLE) {
      made[role] ??= await dukao.user(admins, `m-${role}`, [
        { role, ...(scoped[role] ? { unitIds: scoped[role] } : {}) },
      ]);
    }
    callers.push({ name: 'anonymous', session: null, roles: [] });
    callers.push({ name: 'noRole', session: await dukao.user(admins, 'm-no-role', []), roles: [] });
    for (const role of GRANTABLE) callers.push({ name: role, session: made[role]!, roles: [role] });

    leaderOfTownA = await dukao.user(admins, 'm-leader-town-a', [
      { role: 'cityLeader', unitIds: ['town-a'] },
    ]);

    // A user whose password someone else set, and who has not replaced it yet.
    const created = await dukao
      .http()
      .post('/users')
      .set(bearer(system))
      .send({ username: 'm-must-change', displayName: '待改密用户', initialPassword: 'Initial-Pass-1' })
      .expect(201);
    await dukao
      .http()
      .post(`/users/${created.body.id}/roles`)
      .set(bearer(security))
      .send({ role: 'inspector' })
      .expect(201);
    mustChange = await dukao.login('m-must-change', 'Initial-Pass-1');
  }, 60_000);

  afterAll(async () => {
    await dukao?.stop();
  });

  it('lists exactly the routes the router serves: a route without a row here fails, and so does a stale row', () => {
    const served = registeredRoutes(dukao.app);
    const listed = Object.keys(EXPECTED).sort();
    expect({
      missingFromTable: served.filter((r) => !(r in EXPECTED)),
      notServed: listed.filter((r) => !served.includes(r as RouteKey)),
    }).toEqual({
      missingFromTable: [],
      notServed: [],
    });
  });

  it('has one caller per grantable role, plus anonymous and a user without roles', () => {
    expect(callers.map((c) => c.name).sort()).toEqual(['anonymous', 'noRole', ...GRANTABLE].sort());
  });

  describe('data scope', () => {
    it('keeps unit staff of town-a to town-a', async () => {
      const staff = caller('unitStaff');
      await get('/units/town-a/people', staff).expect(200);
      const other = await get('/units/town-b/people', staff).expect(403);
      expect(other.body).toMatchObject({ code: 'OUT_OF_SCOPE', details: { unitId: 'town-b' } });
      expect(isChinese(other.body.message)).toBe(true);
    });

    it('keeps a city leader in charge of town-a (分管) to town-a', async () => {
      await get('/units/town-a/people', leaderOfTownA).expect(200);
      const other = await get('/units/town-b/people', leaderOfTownA).expect(403);
      expect(other.body).toMatchObject({ code: 'OUT_OF_SCOPE' });
    });

    it.each(['cityLeader', 'inspector', 'assessmentAdmin', 'supervisor'] as const)(
      'lets an unscoped %s read every unit',
      async (role) => {
        for (const unit of ['town-a', 'town-b']) {
          const res = await get(`/units/${unit}/people`, caller(role)).expect(200);
          expect(res.body).toMatchObject({ unitId: unit, items: expect.any(Array) });
        }
      },
    );

    it('shows a town-a appointment to town-a readers only', async () => {
      const staff = callers.find((c) => c.name === 'unitStaff')!.session!;
      const assigned = await dukao
        .http()
        .post(`/users/${staff.userId}/memberships`)
        .set(bearer(admins.security))
        .send({ unitId: 'town-a', duty: 'reporter' })
        .expect(201);
      const query = `?minPosition=${assigned.body.position}`;
      const mine = await get(`/units/town-a/people${query}`, staff).expect(200);
      expect(mine.body.items).toEqual([expect.objectContaining({ userId: staff.userId, duty: 'reporter' })]);
      const b = await get(`/units/town-b/people${query}`, caller('inspector')).expect(200);
      expect(b.body.items).toEqual([]);
    });
  });

  describe('a user who must still replace an initial password', () => {
    it('is refused role routes with PASSWORD_CHANGE_REQUIRED', async () => {
      const res = await get('/audit/streams', mustChange).expect(403);
      expect(res.body).toMatchObject({ code: 'PASSWORD_CHANGE_REQUIRED' });
      expect(isChinese(res.body.message)).toBe(true);
    });

    it('may still ask who they are', async () => {
      const res = await get('/auth/me', mustChange).expect(200);
      expect(res.body).toMatchObject({ username: 'm-must-change', mustChangePassword: true });
    });
  });

  it('answers a write aimed at an absent user with 404 (the throwaway targets of the matrix)', async () => {
    const res = await dukao
      .http()
      .post(`/users/${randomUUID()}/disable`)
      .set(bearer(admins.system))
      .send({ reason: '不存在的用户' })
      .expect(404);
    expect(res.body.code).toBe('USER_NOT_FOUND');
  });

  // Last: the matrix ends with every caller logging out.
  it.each(ORDERED)('%s', async (route) => {
    const access = EXPECTED[route]!;
    const { method, path } = splitRoute(route);
    const problems: string[] = [];
    for (const who of callers) {
      const url = fillPath(path);
      let req = open(dukao.http(), method, url);
      if (who.session) req = req.set(bearer(who.session));
      const body = BODIES[route];
      if (body !== undefined) req = req.send(body);
      const res = await req;
      const got = `${res.status} ${String(res.body?.code ?? '')}`.trim();
      if (res.status >= 500) {
        problems.push(`${who.name}: ${method} ${url} answered ${got}`);
      } else if (allows(access, who)) {
        if (res.status === 401 || res.status === 403)
          problems.push(`${who.name}: allowed but refused with ${got}`);
      } else if (who.session === null) {
        if (res.status !== 401 || res.body.code !== 'UNAUTHENTICATED' || !isChinese(res.body.message)) {
          problems.push(`${who.name}: expected 401 UNAUTHENTICATED, got ${got}`);
        }
      } else if (res.status !== 403 || res.body.code !== 'FORBIDDEN' || !isChinese(res.body.message)) {
        problems.push(`${who.name}: expected 403 FORBIDDEN, got ${got}`);
      }
    }
    expect(problems).toEqual([]);
  });
});
