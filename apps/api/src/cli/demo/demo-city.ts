import { createHash, createPrivateKey, scryptSync } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { allProjections } from '@dukao/composition';
import { loadConfig } from '@dukao/config';
import { SignLogDigestWhenRankingPublished, type SpotCheckDrawn, spotCheckStream } from '@dukao/audit';
import { EVENT_STORE, type EventStore, handleCommand } from '@dukao/event-store';
import {
  type Duty,
  type Role,
  TokenService,
  sessionDecider,
  sessionStream,
  userDecider,
  userStream,
  usernameDecider,
  usernameStream,
} from '@dukao/identity';
import { JOB_QUEUE, ReminderPlanner, SqliteJobQueue } from '@dukao/notifications';
import { type Projection, ProjectionEngine } from '@dukao/projections';
import { RankingsReactor } from '@dukao/scoring';
import { MissedPeriodsCheck } from '@dukao/targets';
import { EvaluateWarningWhenTargetChanged, WarningsTick } from '@dukao/warnings';
import { createApiApp } from '../../bootstrap';
import {
  DEPARTMENTS,
  type DepartmentDef,
  FLAT_MONTHLY,
  FLAT_QUARTERLY,
  LEVEL_UNITS,
  MONTHLY_SCHEDULE,
  QUARTERLY_SCHEDULE,
  TOWNS,
  TOWN_SATISFACTION,
  TOWN_TREE,
  type TownDef,
  type TownIndicatorDef,
} from './city';
import { DEMO_MARKER, DEMO_PASSWORD, DEMO_SUMMARY, type DemoLogin, type DemoSummary } from './files';
import { logDigest } from './log-digest';
import { Prng, round } from './prng';

const CYCLE_ID = '2026';

export interface DemoOptions {
  seed: number;
  /** Assessed units: 12 of 42 are towns (at least 2), the rest departments (at most 30). */
  units: number;
  /** Months of reporting, January onwards (1–12). */
  months: number;
  dataDir: string;
  /** At most this many targets per unit (a smaller city, for tests); default: all of them. */
  targetsPerUnit?: number;
  progress?: (line: string) => void;
}

interface Actor {
  username: string;
  userId: string;
  sessionId: string;
  token: string;
  tokenAt: number;
}

interface TargetPlan {
  targetId: string;
  unitId: string;
  staff: string;
  reviewer: string;
  kind: 'quantitative' | 'milestones';
  cadence: 'monthly' | 'quarterly';
  annual: number;
  digits: number;
  level: boolean;
  lower: boolean;
  schedule: number[];
  milestones: Array<{ milestoneId: string; dueDate: string; done?: boolean }>;
  /** How well this unit does on this target (1: on plan). */
  pace: number;
  lastReportId: string | null;
}

/** The last day of the quarter before the one that ends in `month` ('' before the first). */
const lastQuarterEnd = (month: number): string =>
  month <= 3 ? '' : `2026-${pad(month - 3)}-${pad(new Date(Date.UTC(2026, month - 3, 0)).getUTCDate())}`;

/** An instant given as Shanghai local time. */
const sh = (date: string, time = '09:00') => Date.parse(`${date}T${time}:00+08:00`);
const pad = (n: number) => String(n).padStart(2, '0');
const MINUTE = 60_000;

/** Refuses to write into a directory that holds anything but a demo marker. */
function prepareDirectory(dir: string, options: DemoOptions): void {
  if (existsSync(dir)) {
    const entries = readdirSync(dir);
    if (entries.length > 0) {
      throw new Error(`${dir} is not empty; the demo city is generated into a new or empty directory`);
    }
  }
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, DEMO_MARKER),
    `${JSON.stringify({ madeBy: 'npm run demo:generate', seed: options.seed, units: options.units, months: options.months })}\n`,
  );
}

/** A seed-derived Ed25519 key for the signed log digests, so that two runs sign alike. */
function writeSigningKey(dir: string, seed: number): void {
  const raw = createHash('sha256').update(`dukao-demo-signing-key:${seed}`).digest();
  const der = Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), raw]);
  const pem = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }).export({
    type: 'pkcs8',
    format: 'pem',
  });
  writeFileSync(join(dir, 'audit-signing-key.pem'), pem, { mode: 0o600 });
}

/** The stored password form of `libs/identity` (scrypt N=2^15, r=8, p=1), with a salt derived from the seed. */
function demoPasswordHash(seed: number, username: string): string {
  const salt = createHash('sha256').update(`dukao-demo-salt:${seed}:${username}`).digest();
  const N = 2 ** 15;
  const key = scryptSync(DEMO_PASSWORD.normalize('NFKC'), salt, 64, {
    N,
    r: 8,
    p: 1,
    maxmem: 128 * N * 8 * 2,
  });
  return ['scrypt', N, 8, 1, salt.toString('base64url'), key.toString('base64url')].join('$');
}

/** Derives a UUID-shaped id from text (for sessions and grants, which the API would draw at random). */
function uuidFrom(text: string): string {
  const h = createHash('sha256').update(text).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

class HttpError extends Error {}

/**
 * `fetch`, tried again when the connection fails before an answer (a kept-alive socket closed under
 * it). Safe for writes: each carries its Idempotency-Key, so a repeat returns the first result.
 */
async function send(url: string, init: RequestInit): Promise<Response> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fetch(url, init);
    } catch (error) {
      if (attempt >= 3) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
    }
  }
}

/**
 * Generates the demo city into `options.dataDir` by driving the api's HTTP routes in-process, on a
 * clock it moves itself, one write at a time, and waiting after each write until every projection,
 * reactor and due reminder job has caught up: so the same seed gives the same log, event for event.
 */
export async function generateDemoCity(options: DemoOptions): Promise<DemoSummary> {
  const say = options.progress ?? (() => {});
  if (!Number.isInteger(options.seed) || options.seed < 0)
    throw new Error('--seed must be a whole number ≥ 0');
  if (!Number.isInteger(options.units) || options.units < 4 || options.units > 42)
    throw new Error('--units must be a whole number from 4 to 42');
  // The last steps (round 2 overdue, publication, appeal, ruling) take two more months of 2026.
  if (!Number.isInteger(options.months) || options.months < 1 || options.months > 10)
    throw new Error('--months must be a whole number from 1 to 10');
  prepareDirectory(options.dataDir, options);
  writeSigningKey(options.dataDir, options.seed);

  const rng = new Prng(options.seed);
  let now = sh('2026-01-05', '08:30');
  const clock = () => new Date(now);
  const config = loadConfig({
    DATA_DIR: options.dataDir,
    // The generator runs the timed checks itself, at the simulated times.
    MISSED_PERIOD_CHECK_MINUTES: '0',
    AUDIT_DIGEST_INTERVAL_MINUTES: '0',
    RATE_LIMIT_PER_MINUTE: '1000000',
    ACCESS_TOKEN_TTL_SECONDS: '86400',
    LOG_LEVEL: 'error',
    // Speed over power-loss safety while generating: a half-made demo city is simply made again.
    EVENT_STORE_DURABILITY: 'normal',
  });
  const app = await createApiApp(config, { logger: false, clock });
  await app.listen(0, '127.0.0.1');
  const server = app.getHttpServer() as Server;
  // The generator pauses between writes (daily checks, settling): keep its connection open meanwhile.
  server.keepAliveTimeout = 10 * 60_000;
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    const city = new CityWriter(
      app,
      base,
      options,
      rng,
      clock,
      (t) => (now = t),
      () => now,
      say,
    );
    return await city.run();
  } finally {
    await app.close();
  }
}

class CityWriter {
  private readonly store: EventStore;
  private readonly engine: ProjectionEngine;
  private readonly queue: SqliteJobQueue;
  private readonly tokens: TokenService;
  private readonly actors = new Map<string, Actor>();
  private readonly logins: DemoLogin[] = [];
  private commandNo = 0;
  private readonly towns: TownDef[];
  private readonly departments: DepartmentDef[];
  private readonly targets: TargetPlan[] = [];
  /** The period of the last figure a town reported: what the spot check samples. */
  private lastTownPeriod: string | null = null;
  private readonly counts = {
    reports: 0,
    corrections: 0,
    rejections: 0,
    late: 0,
    notices: 0,
    escalations: 0,
  };

  constructor(
    private readonly app: INestApplication,
    private readonly base: string,
    private readonly options: DemoOptions,
    private readonly rng: Prng,
    private readonly clock: () => Date,
    private readonly setNow: (t: number) => void,
    private readonly getNow: () => number,
    private readonly say: (line: string) => void,
  ) {
    this.store = app.get(EVENT_STORE);
    this.engine = app.get(ProjectionEngine);
    const queue = app.get<unknown>(JOB_QUEUE);
    if (!(queue instanceof SqliteJobQueue))
      throw new Error('the demo city is generated in embedded mode only');
    this.queue = queue;
    // Due jobs run only on the generator's ticks: the queue's own poller would claim jobs due together
    // beside a tick and let them append in either order.
    queue.stopPolling();
    this.tokens = app.get(TokenService);
    const towns = Math.min(TOWNS.length, Math.max(2, Math.round((options.units * TOWNS.length) / 42)));
    this.towns = TOWNS.slice(0, towns);
    this.departments = DEPARTMENTS.slice(0, Math.min(DEPARTMENTS.length, options.units - towns));
  }

  async run(): Promise<DemoSummary> {
    await this.settle();
    await this.people();
    const indicators = await this.plan();
    await this.issueTargets();
    for (let month = 1; month <= this.options.months; month++) await this.month(month);
    const { publicationId, appealId } = await this.scoring();
    await this.at(this.getNow() + 60 * MINUTE);
    await this.settle();
    // The monthly rankings view is what `npm run demo` shows first: let it catch up too.
    await this.app.get(RankingsReactor).settle(10 * 60_000);
    const digest = await logDigest(this.store);
    const summary: DemoSummary = {
      seed: this.options.seed,
      units: this.towns.length + this.departments.length,
      months: this.options.months,
      towns: this.towns.length,
      departments: this.departments.length,
      indicators,
      targets: {
        towns: this.targets.filter((t) => t.unitId.startsWith('town-')).length,
        departments: this.targets.filter((t) => t.unitId.startsWith('dept-')).length,
      },
      reports: this.counts.reports,
      corrections: this.counts.corrections,
      rejections: this.counts.rejections,
      lateReports: this.counts.late,
      supervisionNotices: this.counts.notices,
      escalations: this.counts.escalations,
      publicationId,
      appealId,
      events: digest.events,
      headPosition: digest.headPosition,
      logDigest: digest.sha256,
      logins: this.logins,
    };
    writeFileSync(join(this.options.dataDir, DEMO_SUMMARY), `${JSON.stringify(summary, null, 2)}\n`);
    return summary;
  }

  // ---- time, settling, writing -------------------------------------------------------------

  /** Moves the clock forward to `t` (never back), then runs whatever became due. */
  private async at(t: number): Promise<void> {
    if (t > this.getNow()) this.setNow(t);
    await this.settle();
  }

  /** Each write takes a minute of simulated time, so every event has its own moment. */
  private async step(): Promise<void> {
    this.setNow(this.getNow() + MINUTE);
    await this.settle();
  }

  /**
   * Waits until the log is quiet: every projection has applied the head, the reactors have handled
   * it (and what they appended), and every reminder job due now has run. Repeats until the head
   * stops moving.
   */
  private async settle(): Promise<void> {
    const reactors = [
      this.app.get(EvaluateWarningWhenTargetChanged),
      this.app.get(ReminderPlanner),
      this.app.get(SignLogDigestWhenRankingPublished),
    ];
    for (let round = 0; round < 100; round++) {
      const head = await this.store.headPosition();
      if (head !== null) {
        await Promise.all(allProjections.map((p) => this.projectionReached(p, head)));
      }
      for (const reactor of reactors) {
        if (!(await reactor.settle(60_000))) throw new Error('a reactor did not settle');
      }
      await this.drainQueue();
      if ((await this.store.headPosition()) === head) return;
    }
    throw new Error('the log did not settle');
  }

  /**
   * Waits until a projection has applied `head`. One that has applied nothing yet has nothing to
   * catch up on when the log holds no event of its types (its checkpoint only moves on those).
   */
  private async projectionReached(p: Projection, head: number): Promise<void> {
    if (await this.engine.waitFor(p.name, head, 0)) return;
    if (p.eventTypes) {
      const [status] = (await this.engine.statuses()).filter((s) => s.name === p.name);
      if (status?.position === null) {
        const first = await this.store.readAll({ filter: { eventTypes: p.eventTypes }, limit: 1 });
        if (first.length === 0 || first[0]!.position > head) return;
      }
    }
    if (!(await this.engine.waitFor(p.name, head, 60_000)))
      throw new Error(`projection ${p.name} did not reach position ${head}`);
  }

  private async drainQueue(): Promise<void> {
    let last = '';
    for (let round = 0; round < 1000; round++) {
      await this.queue.tick();
      const counts = await this.queue.counts();
      const key = JSON.stringify(counts);
      if (counts.running === 0 && key === last) return;
      last = key;
    }
  }

  private token(actor: Actor): string {
    if (this.getNow() - actor.tokenAt > 12 * 3_600_000) {
      actor.token = this.tokens.sign(actor.userId, actor.sessionId, this.clock());
      actor.tokenAt = this.getNow();
    }
    return actor.token;
  }

  /** One write through the HTTP API, as `username`, with a command id derived from the seed. */
  private async write<T = { id: string; position: number }>(
    username: string,
    method: 'POST' | 'PUT',
    path: string,
    body: unknown = {},
  ): Promise<T> {
    const actor = this.actors.get(username);
    if (!actor) throw new Error(`no demo user ${username}`);
    this.commandNo += 1;
    const key = `demo.${this.options.seed}.${this.commandNo}`;
    const res = await send(`${this.base}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${this.token(actor)}`,
        'content-type': 'application/json',
        'idempotency-key': key,
        'x-correlation-id': key,
      },
      body: JSON.stringify(body),
    });
    const text = await res.text();
    if (res.status >= 300) throw new HttpError(`${method} ${path} as ${username}: ${res.status} ${text}`);
    await this.step();
    return JSON.parse(text) as T;
  }

  /** Uploads a piece of evidence (佐证材料) and returns its content hash. */
  private async upload(username: string, name: string, content: string): Promise<string> {
    const actor = this.actors.get(username)!;
    this.commandNo += 1;
    const key = `demo.${this.options.seed}.${this.commandNo}`;
    const form = new FormData();
    form.append('file', new Blob([`%PDF-1.4\n% ${content}\n%%EOF\n`], { type: 'application/pdf' }), name);
    const res = await send(`${this.base}/evidence`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${this.token(actor)}`,
        'idempotency-key': key,
        'x-correlation-id': key,
      },
      body: form,
    });
    const text = await res.text();
    if (res.status >= 300) throw new HttpError(`POST /evidence as ${username}: ${res.status} ${text}`);
    await this.step();
    return (JSON.parse(text) as { fileId: string }).fileId;
  }

  // ---- people ------------------------------------------------------------------------------

  /**
   * Accounts, written through the identity deciders as the API's handlers write them, except that
   * password salts and session ids derive from the seed (the API draws them at random, which would
   * make two runs differ). Demo logins get the demo password; unit people (reminder recipients) get
   * an account without one.
   */
  private async people(): Promise<void> {
    this.say('people and accounts');
    const admin = async (username: string, displayName: string, role: Role, what: string) => {
      await this.account(username, displayName, null, [{ role, unitIds: null }], [], true);
      this.logins.push({ role, username, password: DEMO_PASSWORD, what });
    };
    await admin('sysadmin', '系统管理员', 'systemAdmin', '系统管理员: accounts');
    await admin('secadmin', '安全管理员', 'securityAdmin', '安全管理员: roles and grants');
    await admin('kaohe-ban', '市绩效办（考核办）', 'assessmentAdmin', '考核管理: the performance office');
    await admin('ducha-shi', '市督查室', 'supervisor', '督查督办: the supervision office');
    await admin('shizhang', '分管副市长', 'cityLeader', '市级领导: reads everything, 联审 leader stage');
    await admin('jiwei-jiancha', '市纪委监委电子监察', 'inspector', '电子监察: inspectors');
    // Reviewers (审核评分) for the departments that collect figures (数据采集单位) only.
    const collectors = new Set([
      'tongji',
      'fagai',
      ...TOWN_TREE.flatMap((l1) => l1.children.map((c) => c.collector)),
    ]);
    for (const [i, dept] of this.departments.entries()) {
      if (i >= 2 && !collectors.has(dept.short)) continue;
      await this.account(
        `${dept.short}-shenhe`,
        `${dept.name}审核员`,
        null,
        [{ role: 'reviewer', unitIds: [dept.unitId] }],
        [],
        true,
      );
      if (dept.short === 'tongji')
        this.logins.push({
          role: 'reviewer',
          username: 'tongji-shenhe',
          password: DEMO_PASSWORD,
          what: '审核评分: 市统计局 verifies figures',
        });
    }
    for (const [i, unit] of [...this.towns, ...this.departments].entries()) {
      const short = unit.unitId.replace(/^(town|dept)-/, '');
      await this.account(
        `${short}-tianbao`,
        `${unit.name}填报员`,
        null,
        [{ role: 'unitStaff', unitIds: [unit.unitId] }],
        [],
        true,
      );
      if (i === 0)
        this.logins.push({
          role: 'unitStaff',
          username: `${short}-tianbao`,
          password: DEMO_PASSWORD,
          what: `承办单位: ${unit.name} reports its own work`,
        });
      const duties: Array<[Duty, string]> = [
        ['reporter', '填报责任人'],
        ['leaderInCharge', '分管领导'],
        ['principalLeader', '主要领导'],
      ];
      for (const [d, [duty, title]] of duties.entries()) {
        const phone = `139${pad(this.options.seed % 100)}${String(i * 3 + d).padStart(6, '0')}`;
        await this.account(
          `${short}-${duty}`,
          `${unit.name}${title}`,
          phone,
          [],
          [{ unitId: unit.unitId, duty }],
          false,
        );
      }
    }
    await this.settle();
  }

  private async account(
    username: string,
    displayName: string,
    phone: string | null,
    grants: Array<{ role: Role; unitIds: string[] | null }>,
    memberships: Array<{ unitId: string; duty: Duty }>,
    login: boolean,
  ): Promise<void> {
    const commandId = `demo.${this.options.seed}.user.${username}`;
    const userId = uuidFrom(`user:${commandId}`);
    const at = this.clock().toISOString();
    const context = (suffix: string) => ({
      commandId: `${commandId}.${suffix}`,
      actor: { userId: 'system', role: 'bootstrap', unitId: null },
      correlationId: commandId,
    });
    await handleCommand(
      this.store,
      usernameStream(username),
      usernameDecider,
      { type: 'ReserveUsername', username, userId },
      context('reserve'),
    );
    await handleCommand(
      this.store,
      userStream(userId),
      userDecider,
      {
        type: 'RegisterUser',
        userId,
        username,
        displayName,
        phone,
        // Unit people only receive SMS; the system administrator resets a password when one is needed.
        passwordHash: login ? demoPasswordHash(this.options.seed, username) : 'none',
        mustChangePassword: false,
        at,
      },
      context('register'),
    );
    for (const [i, grant] of grants.entries()) {
      await handleCommand(
        this.store,
        userStream(userId),
        userDecider,
        {
          type: 'GrantRole',
          grantId: uuidFrom(`grant:${commandId}:${i}`),
          role: grant.role,
          unitIds: grant.unitIds,
          effectiveFrom: at,
          effectiveUntil: null,
          at,
        },
        context(`grant.${i}`),
      );
    }
    for (const [i, m] of memberships.entries()) {
      await handleCommand(
        this.store,
        userStream(userId),
        userDecider,
        {
          type: 'AssignMembership',
          membershipId: uuidFrom(`membership:${commandId}:${i}`),
          unitId: m.unitId,
          duty: m.duty,
          effectiveFrom: at,
          at,
        },
        context(`membership.${i}`),
      );
    }
    if (login) {
      const sessionId = uuidFrom(`session:${commandId}`);
      await handleCommand(
        this.store,
        sessionStream(sessionId),
        sessionDecider,
        {
          type: 'StartSession',
          sessionId,
          userId,
          refreshHash: createHash('sha256').update(`refresh:${commandId}`).digest('base64url'),
          expiresAt: '2027-12-31T16:00:00.000Z',
          client: 'demo-generator',
          at,
        },
        { ...context('session'), actor: { userId, role: 'user', unitId: null } },
      );
      this.actors.set(username, { username, userId, sessionId, token: '', tokenAt: -Infinity });
    }
    // Accounts concern no reactor: the views catch up once, after the last one (see `people`).
    this.setNow(this.getNow() + 1000);
  }

  // ---- plan: cycle, units, trees -----------------------------------------------------------

  private collector(short: string): string {
    const dept = this.departments.find((d) => d.short === short) ?? this.departments[0]!;
    return dept.unitId;
  }

  private async plan(): Promise<number> {
    this.say('cycle, units and indicator trees');
    await this.at(sh('2026-01-05'));
    await this.write('kaohe-ban', 'POST', '/cycles', { cycleId: CYCLE_ID, name: '2026年度绩效考核' });
    for (const town of this.towns)
      await this.write('kaohe-ban', 'POST', '/units', {
        unitId: town.unitId,
        name: town.name,
        category: 'towns',
      });
    for (const dept of this.departments)
      await this.write('kaohe-ban', 'POST', '/units', {
        unitId: dept.unitId,
        name: dept.name,
        category: 'departments',
      });
    const towns = [
      ...TOWN_TREE.flatMap((l1) => [
        {
          indicatorId: l1.indicatorId,
          parentId: null,
          name: l1.name,
          level: 1,
          points: l1.points,
          method: null,
        },
        ...l1.children.map((c) => ({
          indicatorId: c.indicatorId,
          parentId: l1.indicatorId,
          name: c.name,
          level: 2,
          points: c.points,
          method: c.method,
        })),
      ]),
      { ...TOWN_SATISFACTION, parentId: null, level: 1, method: 'satisfaction' },
    ];
    await this.write('kaohe-ban', 'POST', `/cycles/${CYCLE_ID}/indicator-trees`, {
      category: 'towns',
      scale: 1000,
      indicators: towns,
    });
    const departments = [
      { indicatorId: 'functions', parentId: null, name: '职能工作目标', level: 1, points: 55, method: null },
      {
        indicatorId: 'function-targets',
        parentId: 'functions',
        name: '职能指标完成度',
        level: 2,
        points: 35,
        method: 'completion',
      },
      {
        indicatorId: 'key-projects',
        parentId: 'functions',
        name: '重点项目推进',
        level: 2,
        points: 20,
        method: 'milestones',
      },
      { indicatorId: 'management', parentId: null, name: '管理工作目标', level: 1, points: 15, method: null },
      {
        indicatorId: 'party-building',
        parentId: 'management',
        name: '党建与作风建设',
        level: 2,
        points: 8,
        method: 'milestones',
      },
      {
        indicatorId: 'rule-of-law',
        parentId: 'management',
        name: '依法行政',
        level: 2,
        points: 7,
        method: 'milestones',
      },
      {
        indicatorId: 'satisfaction',
        parentId: null,
        name: '满意度目标',
        level: 1,
        points: 20,
        method: 'satisfaction',
      },
      {
        indicatorId: 'innovation-awards',
        parentId: null,
        name: '创新创优目标',
        level: 1,
        points: 10,
        method: 'milestones',
      },
    ];
    await this.write('kaohe-ban', 'POST', `/cycles/${CYCLE_ID}/indicator-trees`, {
      category: 'departments',
      scale: 100,
      indicators: departments,
    });
    return towns.length + departments.length;
  }

  // ---- targets and 联审 ----------------------------------------------------------------------

  private staffOf(unitId: string): string {
    return `${unitId.replace(/^(town|dept)-/, '')}-tianbao`;
  }

  private reviewerOf(unitId: string): string {
    return `${this.departments.find((d) => d.unitId === unitId)!.short}-shenhe`;
  }

  private async issueTargets(): Promise<void> {
    this.say('targets through 联审');
    await this.at(sh('2026-01-12'));
    const proposals: Array<{
      body: Record<string, unknown>;
      plan: Omit<TargetPlan, 'targetId' | 'reviewer'>;
    }> = [];
    // Towns: every key indicator, the annual value drawn around the town's size.
    // About one unit in five lags; the last town and the last department always do.
    for (const [i, town] of this.towns.entries()) {
      const size = this.rng.between(0, 1);
      const lags = this.rng.chance(0.2) || i === this.towns.length - 1;
      const strength = lags ? this.rng.between(0.72, 0.86) : this.rng.between(0.92, 1.08);
      for (const l1 of TOWN_TREE) {
        for (const ind of l1.children) proposals.push(this.townProposal(town, ind, size, strength));
      }
    }
    // Departments: three functional figures, a key project, party building, rule of law, an innovation.
    for (const [i, dept] of this.departments.entries()) {
      const lags = this.rng.chance(0.2) || i === this.departments.length - 1;
      const strength = lags ? this.rng.between(0.72, 0.84) : this.rng.between(0.93, 1.06);
      for (const [title, unit, min, max, digits] of dept.functions) {
        const annual = round(this.rng.between(min, max), digits);
        const level = LEVEL_UNITS.has(unit) || title.includes('率') || title.includes('每千');
        const lower = title.includes('平均时间');
        proposals.push({
          body: {
            cycleId: CYCLE_ID,
            unitId: dept.unitId,
            indicatorId: 'function-targets',
            title,
            kind: 'quantitative',
            measure: title,
            unitOfMeasure: unit,
            direction: lower ? 'lowerIsBetter' : 'higherIsBetter',
            annualValue: annual,
            baseline: round(annual * (lower ? 1.1 : 0.94), digits),
            schedule: level ? FLAT_QUARTERLY : QUARTERLY_SCHEDULE,
            cadence: 'quarterly',
            reportDueDay: 10,
            dataCollectionUnitId: this.verifierFor(dept.unitId, 'tongji'),
          },
          plan: this.planOf(
            dept.unitId,
            'quantitative',
            'quarterly',
            annual,
            digits,
            level,
            lower,
            level ? FLAT_QUARTERLY : QUARTERLY_SCHEDULE,
            [],
            strength,
          ),
        });
      }
      const milestoneTarget = (indicatorId: string, title: string, steps: Array<[string, string]>) => {
        const milestones = steps.map(([t, due], i) => ({
          milestoneId: `m${i + 1}`,
          title: t,
          dueDate: due,
          evidenceRequired: i === steps.length - 1,
        }));
        proposals.push({
          body: {
            cycleId: CYCLE_ID,
            unitId: dept.unitId,
            indicatorId,
            title,
            kind: 'milestones',
            measure: '节点完成情况',
            unitOfMeasure: '个',
            direction: 'higherIsBetter',
            schedule: [],
            cadence: 'quarterly',
            reportDueDay: 10,
            dataCollectionUnitId: this.verifierFor(dept.unitId, 'fagai'),
            milestones,
          },
          plan: this.planOf(
            dept.unitId,
            'milestones',
            'quarterly',
            0,
            0,
            false,
            false,
            [],
            milestones,
            strength,
          ),
        });
      };
      milestoneTarget('key-projects', dept.project, [
        ['完成项目方案编制', '2026-03-31'],
        ['项目开工建设', '2026-06-30'],
        ['主体工程完工', '2026-09-30'],
        ['竣工验收', '2026-12-20'],
      ]);
      milestoneTarget('party-building', `${dept.name}党建与作风建设`, [
        ['制定年度党建工作计划', '2026-02-28'],
        ['开展作风建设专项整治', '2026-06-30'],
        ['完成党组织书记述职评议', '2026-12-15'],
      ]);
      milestoneTarget('rule-of-law', `${dept.name}法治政府建设`, [
        ['公布权责清单', '2026-03-31'],
        ['完成行政执法案卷评查', '2026-08-31'],
      ]);
      milestoneTarget('innovation-awards', `${dept.name}创新创优项目`, [
        ['确定创新项目并报备', '2026-04-30'],
        ['形成可复制经验做法', '2026-10-31'],
      ]);
    }
    const cap = this.options.targetsPerUnit;
    if (cap !== undefined) {
      // A smaller city for tests: each unit keeps `cap` of its targets, spread over its tree.
      const byUnit = new Map<string, typeof proposals>();
      for (const p of proposals) byUnit.set(p.plan.unitId, [...(byUnit.get(p.plan.unitId) ?? []), p]);
      proposals.length = 0;
      for (const list of byUnit.values()) {
        const n = list.length;
        const keep = Math.min(cap, n);
        for (let j = 0; j < keep; j++) proposals.push(list[Math.floor((j * n) / keep)]!);
      }
    }
    for (const [i, { body, plan }] of proposals.entries()) {
      if (i % 50 === 0) this.say(`  targets ${i}/${proposals.length}`);
      const proposed = await this.write('kaohe-ban', 'POST', '/targets', body);
      const targetId = proposed.id;
      const reviewer = this.reviewerOf(body.dataCollectionUnitId as string);
      const review = (as: string, stage: string, decision = 'pass', reason?: string) =>
        this.write(as, 'POST', `/targets/${targetId}/reviews`, {
          stage,
          decision,
          ...(reason ? { reason } : {}),
        });
      await review(reviewer, 'lineDepartment');
      await review('kaohe-ban', 'assessmentOffice');
      await review('shizhang', 'leaderInCharge');
      this.targets.push({ ...plan, targetId, reviewer });
    }
  }

  /** The department that verifies a unit's figures: `short`, unless that is the unit itself. */
  private verifierFor(unitId: string, short: string): string {
    const preferred = this.collector(short);
    if (preferred !== unitId) return preferred;
    return this.departments.find((d) => d.unitId !== unitId)!.unitId;
  }

  private planOf(
    unitId: string,
    kind: TargetPlan['kind'],
    cadence: TargetPlan['cadence'],
    annual: number,
    digits: number,
    level: boolean,
    lower: boolean,
    schedule: number[],
    milestones: Array<{ milestoneId: string; dueDate: string }>,
    strength: number,
  ): Omit<TargetPlan, 'targetId' | 'reviewer'> {
    return {
      unitId,
      staff: this.staffOf(unitId),
      kind,
      cadence,
      annual,
      digits,
      level,
      lower,
      schedule,
      milestones,
      pace: Math.max(0.5, strength + this.rng.normal() * 0.05),
      lastReportId: null,
    };
  }

  private townProposal(
    town: TownDef,
    ind: TownIndicatorDef,
    size: number,
    strength: number,
  ): { body: Record<string, unknown>; plan: Omit<TargetPlan, 'targetId' | 'reviewer'> } {
    const [min, max] = ind.annual;
    const annual = round(
      min + (max - min) * Math.min(1, Math.max(0, size + this.rng.normal() * 0.1)),
      ind.digits,
    );
    const level = LEVEL_UNITS.has(ind.unitOfMeasure);
    const lower = ind.direction === 'lowerIsBetter';
    const schedule =
      ind.cadence === 'monthly'
        ? level
          ? FLAT_MONTHLY
          : MONTHLY_SCHEDULE
        : level
          ? FLAT_QUARTERLY
          : QUARTERLY_SCHEDULE;
    // Growth rates are reported as the running rate so far; the worked example's GDP target reads so.
    const growth = ind.unitOfMeasure === '%' && ind.name.includes('增速');
    const body = {
      cycleId: CYCLE_ID,
      unitId: town.unitId,
      indicatorId: ind.indicatorId,
      title: ind.name,
      kind: 'quantitative',
      measure: ind.name,
      unitOfMeasure: ind.unitOfMeasure,
      direction: ind.direction,
      annualValue: annual,
      baseline: round(annual * ind.baselineShare, ind.digits),
      schedule: growth ? QUARTERLY_SCHEDULE : schedule,
      cadence: ind.cadence,
      reportDueDay: 10,
      dataCollectionUnitId: this.verifierFor(town.unitId, ind.collector),
    };
    return {
      body,
      plan: this.planOf(
        town.unitId,
        'quantitative',
        ind.cadence,
        annual,
        ind.digits,
        level && !growth,
        lower,
        body.schedule,
        [],
        strength,
      ),
    };
  }

  // ---- a month of reporting ----------------------------------------------------------------

  /** Reports for the periods that ended in `month`, filed in the first days of the next month. */
  private async month(month: number): Promise<void> {
    this.say(`month ${month}`);
    const next = month + 1;
    const nextDate = (day: number) => `${next > 12 ? 2027 : 2026}-${pad(next > 12 ? 1 : next)}-${pad(day)}`;
    const quarterEnd = month % 3 === 0;
    const due = this.targets.filter(
      (t) => (t.cadence === 'monthly' || quarterEnd) && t.kind === 'quantitative',
    );
    const milestoneDue = quarterEnd ? this.targets.filter((t) => t.kind === 'milestones') : [];
    const period = (t: TargetPlan) => (t.cadence === 'monthly' ? `2026-${pad(month)}` : `2026-Q${month / 3}`);

    // Who files when: most on days 3–9, laggards on the due day, a few late (11–16).
    type Filing = { day: number; target: TargetPlan };
    const filings: Filing[] = [...due, ...milestoneDue].map((target) => {
      const r = this.rng.next();
      const day = r < 0.04 ? this.rng.int(11, 17) : r < 0.15 ? 10 : this.rng.int(3, 9);
      return { day, target };
    });
    const days = [...new Set(filings.map((f) => f.day))].sort((a, b) => a - b);
    const verifyQueue: Array<{ target: TargetPlan; reportId: string; day: number }> = [];
    for (const day of [1, ...days, 18]) {
      await this.at(sh(nextDate(day), '08:00'));
      await this.dailyChecks();
      for (const f of filings.filter((x) => x.day === day)) {
        if (day > 10) this.counts.late += 1;
        const reportId = await this.fileReport(f.target, month, period(f.target));
        if (reportId) verifyQueue.push({ target: f.target, reportId, day });
      }
      // Verifications of what was filed two or more days ago.
      for (const v of verifyQueue.filter((x) => x.day <= day - 2 || day === 18)) {
        verifyQueue.splice(verifyQueue.indexOf(v), 1);
        await this.verify(v.target, v.reportId, month, period(v.target));
      }
    }
    if (quarterEnd || month === this.options.months) await this.supervise(month);
  }

  /** The checks the api schedules hourly in production: missed periods, then warnings. */
  private async dailyChecks(): Promise<void> {
    await this.app.get(MissedPeriodsCheck).run();
    await this.settle();
    await this.app.get(WarningsTick).run();
    await this.settle();
  }

  private figure(target: TargetPlan, month: number): number {
    const idx = target.cadence === 'monthly' ? month - 1 : month / 3 - 1;
    const share = (target.schedule[idx] ?? 100) / 100;
    const noise = 1 + this.rng.normal() * 0.04;
    if (target.lower) return round(target.annual * (2 - target.pace) * noise, target.digits);
    if (target.level) return round(target.annual * Math.min(1.05, target.pace * noise), target.digits);
    return round(target.annual * share * target.pace * noise, target.digits);
  }

  private async fileReport(target: TargetPlan, month: number, period: string): Promise<string | null> {
    if (target.kind === 'milestones') {
      const ended = `2026-${pad(month)}-${pad(new Date(Date.UTC(2026, month, 0)).getUTCDate())}`;
      const done = target.milestones.filter((m) => m.dueDate <= ended && !m.done);
      // A lagging unit finishes each milestone a quarter late; the others mostly on time.
      const completed = done.filter((m) =>
        target.pace < 0.86 ? m.dueDate <= lastQuarterEnd(month) : this.rng.chance(0.92),
      );
      if (completed.length === 0) {
        // Nothing finished this quarter: a 零报告 says so, rather than letting the period go missed.
        await this.write(target.staff, 'POST', `/targets/${target.targetId}/nil-returns`, {
          period,
          reason: done.length > 0 ? '节点推进滞后，正在加快推进' : '本季度无到期节点，按计划推进',
        });
        return null;
      }
      const evidence = [];
      for (const m of completed) {
        m.done = true;
        const fileId = await this.upload(
          target.staff,
          `${m.milestoneId}-完成佐证.pdf`,
          `${target.targetId} ${m.milestoneId}`,
        );
        evidence.push({ fileId, name: `${m.milestoneId}-完成佐证.pdf` });
      }
      const res = await this.write<{ reportId: string }>(
        target.staff,
        'POST',
        `/targets/${target.targetId}/reports`,
        {
          period,
          milestonesCompleted: completed.map((m) => ({
            milestoneId: m.milestoneId,
            completedOn: m.dueDate > ended ? ended : this.rng.chance(0.8) ? m.dueDate : ended,
          })),
          narrative: '节点任务已完成，佐证材料见附件',
          evidence,
        },
      );
      this.counts.reports += 1;
      return res.reportId;
    }
    const value = this.figure(target, month);
    const res = await this.write<{ reportId: string }>(
      target.staff,
      'POST',
      `/targets/${target.targetId}/reports`,
      {
        period,
        cumulativeValue: value,
        narrative: target.pace < 0.9 ? '受项目推进滞后影响，进度低于序时' : '按序时进度推进',
      },
    );
    this.counts.reports += 1;
    target.lastReportId = res.reportId;
    if (target.unitId.startsWith('town-')) this.lastTownPeriod = period;
    return res.reportId;
  }

  /** Most reports are verified; about 3% are returned and then corrected and verified. */
  private async verify(target: TargetPlan, reportId: string, month: number, period: string): Promise<void> {
    const reviewer = target.reviewer;
    if (target.kind === 'quantitative' && this.rng.chance(0.03)) {
      await this.write(reviewer, 'POST', `/targets/${target.targetId}/reports/${reportId}/reject`, {
        reason: this.rng.pick([
          '数据与统计联网直报系统不一致，请核实',
          '缺少佐证材料，请补充',
          '口径与指标认定标准不符',
        ]),
      });
      this.counts.rejections += 1;
      const corrected = await this.write<{ reportId: string }>(
        target.staff,
        'POST',
        `/targets/${target.targetId}/reports`,
        {
          period,
          cumulativeValue: this.figure(target, month),
          narrative: '已按审核意见核实更正',
          replaces: reportId,
        },
      );
      this.counts.corrections += 1;
      target.lastReportId = corrected.reportId;
      await this.write(
        reviewer,
        'POST',
        `/targets/${target.targetId}/reports/${corrected.reportId}/verify`,
        {},
      );
      return;
    }
    await this.write(reviewer, 'POST', `/targets/${target.targetId}/reports/${reportId}/verify`, {});
  }

  // ---- supervision ---------------------------------------------------------------------------

  private readonly openNotices: Array<{
    noticeId: string;
    unitId: string;
    staff: string;
    state: 'open' | 'answered' | 'round2' | 'closed';
  }> = [];

  /**
   * At each quarter's end: notices (绩效督查建议书) for two of the red candidates; the units answer;
   * one answer is accepted, one is returned and escalated to 二次督办, and the older case closes.
   */
  private async supervise(month: number): Promise<void> {
    await this.at(sh(`2026-${pad(Math.min(12, month + 1))}-19`, '10:00'));
    const candidates = await this.read<{
      items: Array<{ targetId: string; unitId: string; title: string; milestoneId?: string | null }>;
    }>('ducha-shi', `/supervision-notices/candidates?cycleId=${CYCLE_ID}`);
    const seen = new Set(this.openNotices.map((n) => n.unitId));
    const picked = candidates.items.filter((c) => !seen.has(c.unitId)).slice(0, 2);
    const deadline = `2026-${pad(Math.min(12, month + 2))}-05`;
    for (const c of picked) {
      const notice = await this.write('ducha-shi', 'POST', '/supervision-notices', {
        cycleId: CYCLE_ID,
        unitId: c.unitId,
        kind: 'notice',
        title: `${c.title}推进滞后`,
        demand: `请针对“${c.title}”进度滞后问题制定整改措施，于 ${deadline} 前反馈整改情况`,
        deadline,
        targets: [{ targetId: c.targetId, ...(c.milestoneId ? { milestoneId: c.milestoneId } : {}) }],
      });
      this.counts.notices += 1;
      this.openNotices.push({
        noticeId: notice.id,
        unitId: c.unitId,
        staff: this.staffOf(c.unitId),
        state: 'open',
      });
    }
    await this.at(sh(`2026-${pad(Math.min(12, month + 1))}-25`, '10:00'));
    for (const n of this.openNotices.filter((x) => x.state === 'open')) {
      await this.write(n.staff, 'POST', `/supervision-notices/${n.noticeId}/sign`, {});
      const fileId = await this.upload(n.staff, '整改情况报告.pdf', `rectification ${n.noticeId}`);
      await this.write(n.staff, 'POST', `/supervision-notices/${n.noticeId}/rectifications`, {
        narrative: '已成立专班，倒排工期，落实整改措施',
        evidence: [{ fileId, name: '整改情况报告.pdf' }],
      });
      n.state = 'answered';
    }
    await this.at(sh(`2026-${pad(Math.min(12, month + 1))}-27`, '10:00'));
    const answered = this.openNotices.filter((x) => x.state === 'answered');
    for (const [i, n] of answered.entries()) {
      if (i === 0 && this.counts.escalations === 0) {
        await this.write('ducha-shi', 'POST', `/supervision-notices/${n.noticeId}/return`, {
          reason: '整改措施不具体，未见阶段性成效',
        });
        await this.write('ducha-shi', 'POST', `/supervision-notices/${n.noticeId}/escalations`, {
          tracker: this.actors.get('ducha-shi')!.userId,
          deadline: `2026-${pad(Math.min(12, month + 2))}-15`,
          demand: '二次督办：请主要领导牵头，每周报送整改进展',
        });
        this.counts.escalations += 1;
        n.state = 'round2';
      } else {
        await this.write('ducha-shi', 'POST', `/supervision-notices/${n.noticeId}/close`, {});
        n.state = 'closed';
      }
    }
  }

  /**
   * 满意度评议: one campaign per category, scored from a third-party household survey (群众幸福感调查,
   * as seed 000's towns are) and the city leader's sheets; closing it publishes the results that the
   * satisfaction indicators read. No public ratings: their one-time tokens are drawn at random.
   */
  private async evaluations(month: number): Promise<void> {
    this.say('evaluation campaigns');
    const dimensions = ['能力素质', '依法行政', '廉政勤政', '服务意识', '工作成效'];
    const leader = this.actors.get('shizhang')!.userId;
    const categories = [
      { id: 'towns', name: '区镇群众幸福感评议', units: this.towns },
      { id: 'departments', name: '市级机关满意度评议', units: this.departments },
    ];
    await this.at(sh(`2026-${pad(month)}-01`, '09:00'));
    for (const c of categories) {
      await this.write('kaohe-ban', 'POST', '/campaigns', {
        campaignId: `pingyi-2026-${c.id}`,
        cycleId: CYCLE_ID,
        name: `2026年度${c.name}`,
        period: '2026',
        unitIds: c.units.map((u) => u.unitId),
        groups: [
          { kind: 'survey', weight: 0.7 },
          { kind: 'leaders', weight: 0.3, userIds: [leader] },
        ],
        questionnaire: { kind: 'dimensions', dimensions },
        opensAt: new Date(sh(`2026-${pad(month)}-02`, '00:00')).toISOString(),
        closesAt: new Date(sh(`2026-${pad(month)}-09`, '00:00')).toISOString(),
      });
    }
    await this.at(sh(`2026-${pad(month)}-02`, '09:00'));
    for (const c of categories) {
      const campaignId = `pingyi-2026-${c.id}`;
      await this.write('kaohe-ban', 'POST', `/campaigns/${campaignId}/open`, {});
      const mean = () => Object.fromEntries(dimensions.map((d) => [d, round(this.rng.between(78, 95), 1)]));
      for (const unit of c.units) {
        await this.write('shizhang', 'PUT', `/campaigns/${campaignId}/sheets/${unit.unitId}`, {
          group: 'leaders',
          scores: Object.fromEntries(dimensions.map((d) => [d, this.rng.int(80, 98)])),
        });
      }
      await this.write('kaohe-ban', 'POST', `/campaigns/${campaignId}/survey`, {
        rows: c.units.map((u) => ({
          unitId: u.unitId,
          respondents: this.rng.int(150, 400),
          dimensionMeans: mean(),
        })),
        source: '第三方调查机构入户问卷',
      });
    }
    await this.at(sh(`2026-${pad(month)}-09`, '10:00'));
    for (const c of categories)
      await this.write('kaohe-ban', 'POST', `/campaigns/pingyi-2026-${c.id}/close`, {});
  }

  /**
   * 察访核验: the inspectors draw one report per town for the last quarter (or month) reported, check
   * them on site, and find the first one drawn inflated (虚报); the others are confirmed. The draw's
   * seed comes from the log digest, so it is as reproducible as the rest of the city.
   */
  private async spotCheck(at: number): Promise<void> {
    this.say('spot check');
    await this.at(at);
    const period = this.lastTownPeriod;
    if (period === null) return;
    const drawn = await this.write('jiwei-jiancha', 'POST', '/spot-checks', {
      title: `${period.replace('2026-', '2026年')}察访核验`,
      cycleId: CYCLE_ID,
      population: 'reports',
      period,
      categories: ['towns'],
      count: 1,
      strata: 'unit',
    });
    // The sample as drawn, from the log (the GET routes record each read with an id of their own).
    const [draw] = await this.store.readStream(spotCheckStream(drawn.id));
    const sample = (draw?.data as SpotCheckDrawn['data'] | undefined)?.sample ?? [];
    for (const [i, item] of sample.entries()) {
      if (i === 0) {
        const fileId = await this.upload('jiwei-jiancha', '现场核查记录.pdf', `site check ${item.itemId}`);
        await this.write('jiwei-jiancha', 'POST', `/spot-checks/${drawn.id}/outcomes`, {
          itemId: item.itemId,
          outcome: 'falseReport',
          findings: '现场核查：统计台账数据低于填报数，填报数据不实',
          evidence: [{ fileId, name: '现场核查记录.pdf' }],
        });
      } else {
        await this.write('jiwei-jiancha', 'POST', `/spot-checks/${drawn.id}/outcomes`, {
          itemId: item.itemId,
          outcome: 'confirmed',
        });
      }
    }
  }

  private async read<T>(username: string, path: string): Promise<T> {
    const actor = this.actors.get(username)!;
    const res = await send(`${this.base}${path}`, {
      headers: { authorization: `Bearer ${this.token(actor)}` },
    });
    const text = await res.text();
    if (res.status >= 300) throw new HttpError(`GET ${path} as ${username}: ${res.status} ${text}`);
    return JSON.parse(text) as T;
  }

  // ---- scoring: accountability, adjustment, publication, appeal ----------------------------------

  private async scoring(): Promise<{ publicationId: string; appealId: string }> {
    this.say('accountability, adjustment, publication, appeal');
    const lastMonth = this.options.months;
    const after = (day: number) => sh(`2026-${pad(lastMonth + 2)}-${pad(day)}`, '10:00');
    // Round 2's deadline (the 15th) has passed without an accepted answer: accountability follows.
    await this.evaluations(lastMonth + 2);
    await this.spotCheck(after(12));
    await this.at(after(16));
    const round2 = this.openNotices.find((n) => n.state === 'round2');
    if (round2) {
      await this.write('ducha-shi', 'POST', '/accountability-actions', {
        noticeId: round2.noticeId,
        action: 'interview',
        official: { name: '王建国', position: '分管副职' },
        reason: '二次督办期限内整改仍未到位',
        basis: '市督查室〔2026〕8号',
        occurredOn: `2026-${pad(lastMonth + 2)}-16`,
      });
    }
    const town = this.towns[1] ?? this.towns[0]!;
    const adjustment = await this.write('kaohe-ban', 'POST', '/score-adjustments', {
      cycleId: CYCLE_ID,
      unitId: town.unitId,
      kind: 'penalty',
      amount: 10,
      reason: '发生一起较大生产安全事故',
      basis: '市考核办〔2026〕12号',
      occurredOn: `2026-${pad(lastMonth)}-15`,
    });
    await this.write('kaohe-ban', 'POST', '/score-adjustments', {
      cycleId: CYCLE_ID,
      unitId: this.towns[0]!.unitId,
      kind: 'bonus',
      amount: 2,
      reason: '获评省级营商环境创新试点',
      basis: '市考核办〔2026〕15号',
      occurredOn: `2026-${pad(lastMonth)}-10`,
    });
    await this.at(after(18));
    const publication = await this.write('kaohe-ban', 'POST', `/rankings/${CYCLE_ID}/towns/publications`, {
      kind: 'monthly',
      period: `2026-${pad(lastMonth)}`,
      appealWindowDays: 7,
    });
    await this.at(after(19));
    const staff = this.staffOf(town.unitId);
    const fileId = await this.upload(staff, '事故调查结论.pdf', `appeal ${town.unitId}`);
    const appeal = await this.write(staff, 'POST', '/appeals', {
      unitId: town.unitId,
      publicationId: publication.id,
      subject: { kind: 'adjustment', adjustmentId: adjustment.id },
      reasons: '事故系外单位施工所致，应急部门调查结论认定本镇无责任，扣分依据不成立',
      evidence: [{ fileId, name: '事故调查结论.pdf' }],
    });
    await this.at(after(26));
    await this.write('kaohe-ban', 'POST', `/appeals/${appeal.id}/rulings`, {
      outcome: 'overturned',
      reasoning: '经专家评审委员会审议，事故责任不在该镇，撤销扣分',
    });
    return { publicationId: publication.id, appealId: appeal.id };
  }
}
