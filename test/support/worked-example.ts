import type { Role } from '@dukao/identity';
import type { Clock } from '@dukao/kernel';
import { EmbeddedApp, type Session, bearer } from './embedded-app';

/**
 * The worked example of shared/DOMAIN.md as the e2e journeys set it up through the HTTP API: cycle
 * 2026, Town A and Town B (towns) and the city statistics bureau (departments, the data-collection
 * unit), the towns' 千分制 indicator tree, and Town A's GDP growth target 8.0% (baseline 7.1%,
 * schedule 25/50/75/100 by quarter, reports due on the 10th) taken through the three 联审 stages.
 * Small steps, so a journey can assert between them or put its own steps in between.
 */

/** An instant given as Shanghai local time 'YYYY-MM-DD HH:MM' (UTC+8). */
export const sh = (local: string) => new Date(`${local.replace(' ', 'T')}:00+08:00`).toISOString();

/** Sessions that outlive the jumps of a journey through a year (renewed by refresh token). */
export const LONG_SESSIONS = {
  ACCESS_TOKEN_TTL_SECONDS: '86400',
  REFRESH_TOKEN_TTL_SECONDS: String(90 * 86_400),
};

export const CYCLE = { cycleId: '2026', name: '2026年度绩效考核' };

export const UNITS = [
  { unitId: 'town-a', name: '甲镇', category: 'towns' },
  { unitId: 'town-b', name: '乙镇', category: 'towns' },
  { unitId: 'stats-bureau', name: '市统计局', category: 'departments' },
];

export const TOWNS_TREE = {
  category: 'towns',
  scale: 1000,
  indicators: [
    { indicatorId: 'economy', parentId: null, name: '经济发展', level: 1, points: 600, method: null },
    {
      indicatorId: 'gdp-growth',
      parentId: 'economy',
      name: 'GDP增速',
      level: 2,
      points: 600,
      method: 'completion',
    },
    {
      indicatorId: 'livelihood',
      parentId: null,
      name: '社会民生',
      level: 1,
      points: 400,
      method: 'progress',
    },
  ],
};

export const GDP_PROPOSAL = {
  cycleId: '2026',
  unitId: 'town-a',
  indicatorId: 'gdp-growth',
  title: 'GDP增速',
  kind: 'quantitative',
  measure: '地区生产总值增速',
  unitOfMeasure: '%',
  direction: 'higherIsBetter',
  annualValue: 8.0,
  baseline: 7.1,
  schedule: [25, 50, 75, 100],
  cadence: 'quarterly',
  reportDueDay: 10,
  dataCollectionUnitId: 'stats-bureau',
};

/** Town A's three people that reminders go to, tier 1, 2, 3, by duty. */
export const TOWN_A_PHONES = {
  reporter: '13800000001',
  leaderInCharge: '13800000002',
  principalLeader: '13800000003',
} as const;

/** The office's users: username and role grants. */
export const USERS = {
  admin: { username: 'kaohe-ban', grants: [{ role: 'assessmentAdmin' }] },
  reviewer: { username: 'tongji-ju', grants: [{ role: 'reviewer', unitIds: ['stats-bureau'] }] },
  staffA: { username: 'town-a-zhang', grants: [{ role: 'unitStaff', unitIds: ['town-a'] }] },
  staffA2: { username: 'town-a-li', grants: [{ role: 'unitStaff', unitIds: ['town-a'] }] },
  staffB: { username: 'town-b-wang', grants: [{ role: 'unitStaff', unitIds: ['town-b'] }] },
  leader: { username: 'fenguan-shizhang', grants: [{ role: 'cityLeader' }] },
  supervisor: { username: 'ducha-shi', grants: [{ role: 'supervisor' }] },
} satisfies Record<string, { username: string; grants: Array<{ role: Role; unitIds?: string[] }> }>;

export type Admins = { system: Session; security: Session };

/** The api in embedded mode with long sessions, on the test's clock. */
export const startApp = (clock: Clock) => EmbeddedApp.start(LONG_SESSIONS, clock);

/**
 * The system and security administrators, then the given users in the order given, each made
 * through the API and logged in.
 */
export async function signIn<K extends keyof typeof USERS>(
  env: EmbeddedApp,
  names: readonly K[],
): Promise<Admins & Record<K, Session>> {
  const system = await env.administrator('systemAdmin', 'sysadmin');
  const security = await env.administrator('securityAdmin', 'secadmin');
  const users = {} as Record<K, Session>;
  for (const name of names) {
    const { username, grants } = USERS[name];
    users[name] = await env.user({ system, security }, username, grants);
  }
  return { system, security, ...users };
}

/** Opens cycle 2026 (with the default scheme). */
export const openCycle = (env: EmbeddedApp, admin: Session) =>
  env.http().post('/cycles').set(bearer(admin)).send(CYCLE).expect(201);

export async function createUnits(env: EmbeddedApp, admin: Session, units = UNITS): Promise<void> {
  for (const unit of units) {
    await env.http().post('/units').set(bearer(admin)).send(unit).expect(201);
  }
}

/** Publishes the towns' indicator tree for cycle 2026. */
export const publishTownsTree = (env: EmbeddedApp, admin: Session) =>
  env.http().post('/cycles/2026/indicator-trees').set(bearer(admin)).send(TOWNS_TREE).expect(201);

/**
 * Proposes a target and passes it through the three 联审 stages (line department, assessment
 * office, leader in charge), which issues it. `position` is that of the last review.
 */
export async function proposeAndIssue(
  env: EmbeddedApp,
  { admin, reviewer, leader }: { admin: Session; reviewer: Session; leader: Session },
  proposal: Record<string, unknown> = GDP_PROPOSAL,
): Promise<{ targetId: string; position: number }> {
  const proposed = await env.http().post('/targets').set(bearer(admin)).send(proposal).expect(201);
  const targetId: string = proposed.body.id;
  const review = (as: Session, stage: string) =>
    env
      .http()
      .post(`/targets/${targetId}/reviews`)
      .set(bearer(as))
      .send({ stage, decision: 'pass' })
      .expect(200);
  await review(reviewer, 'lineDepartment');
  await review(admin, 'assessmentOffice');
  const issued = await review(leader, 'leaderInCharge');
  return { targetId, position: issued.body.position };
}

/**
 * A unit's people, one per duty (reporter, leaderInCharge, principalLeader), with a phone: the
 * system administrator creates the user, the security administrator gives the unit membership.
 */
export async function addUnitPeople(
  env: EmbeddedApp,
  { system, security }: Admins,
  unitId: string,
  phones: Readonly<Record<string, string>>,
): Promise<void> {
  for (const [duty, phone] of Object.entries(phones)) {
    const created = await env
      .http()
      .post('/users')
      .set(bearer(system))
      .send({ username: `${unitId}-${duty}`, displayName: duty, phone })
      .expect(201);
    await env
      .http()
      .post(`/users/${created.body.id}/memberships`)
      .set(bearer(security))
      .send({ unitId, duty })
      .expect(201);
  }
}
