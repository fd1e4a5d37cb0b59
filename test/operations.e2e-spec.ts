import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { SqliteEventStore, readAllPages, verifyChain } from '@dukao/event-store';
import { createAdministrator } from '@dukao/identity';
import { READ_MODEL_STORE, type ReadModelStore, SqliteReadModelStore } from '@dukao/read-model-store';
import { describeWithRedis, startRedis, type TestRedis } from '@dukao/testing';
import { EmbeddedApp, PASSWORD, bearer } from './support/embedded-app';

const root = resolve(__dirname, '..');

const freePort = () =>
  new Promise<number>((done) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });

describe('operations: metrics and health', () => {
  let dukao: EmbeddedApp;
  const TOKEN = 'scrape-token-for-the-e2e-suite-0123456789';

  beforeAll(async () => {
    dukao = await EmbeddedApp.start({ METRICS_TOKEN: TOKEN });
  }, 60_000);
  afterAll(() => dukao?.stop());

  it('serves Prometheus metrics to a 系统管理员 and to the scrape token, with latency, appends, lag and queue depth', async () => {
    const admin = await dukao.administrator('systemAdmin');
    await dukao.http().get('/auth/me').set(bearer(admin)).expect(200);
    const res = await dukao.http().get('/metrics').set(bearer(admin)).expect(200);
    expect(res.headers['content-type']).toContain('text/plain');
    const text = res.text;
    expect(text).toMatch(
      /dukao_http_request_duration_seconds_count\{method="GET",route="\/auth\/me",status="200"\} 2/,
    );
    expect(text).toMatch(/dukao_event_append_duration_seconds_count\{category="[a-z]+",outcome="ok"\} [1-9]/);
    expect(text).toMatch(/dukao_projection_lag_events\{name="streamCatalog",kind="projection"\} \d+/);
    expect(text).toMatch(/dukao_queue_jobs\{state="pending"\} \d+/);
    expect(text).toContain('dukao_sms_sent_total 0');
    expect(text).toContain('dukao_process_cpu_user_seconds_total');

    const scraped = await dukao.http().get('/metrics').set('authorization', `Bearer ${TOKEN}`).expect(200);
    expect(scraped.text).toContain('dukao_events_appended_total');
    await dukao.http().get('/metrics').set('authorization', `Bearer ${TOKEN}x`).expect(401);
    await dukao.http().get('/metrics').expect(401);
  });

  it('reports readiness with every dependency and each projection and reactor state; liveness touches nothing', async () => {
    const res = await dukao.http().get('/health/ready').expect(200);
    expect(res.body).toMatchObject({
      status: 'ok',
      eventStore: { status: 'up', adapter: 'sqlite' },
      readStore: { status: 'up', adapter: 'sqlite' },
      queue: { status: 'up', adapter: 'sqlite', jobs: { pending: expect.any(Number) } },
    });
    const kinds = new Set((res.body.projections as Array<{ kind: string }>).map((p) => p.kind));
    expect(kinds).toEqual(new Set(['projection', 'reactor']));
    for (const p of res.body.projections as Array<{ status: string }>) {
      expect(['caught-up', 'lagging']).toContain(p.status);
    }
    await dukao
      .http()
      .get('/health/live')
      .expect(200, /"status":"ok"/);
  });

  it('is not ready (503) once a dependency is gone, while liveness still answers', async () => {
    await dukao.app.get<ReadModelStore>(READ_MODEL_STORE).close();
    const res = await dukao.http().get('/health/ready').expect(503);
    expect(res.body).toMatchObject({
      status: 'down',
      eventStore: { status: 'up' },
      readStore: { status: 'down', error: expect.any(String) },
    });
    await dukao.http().get('/health').expect(503);
    await dukao.http().get('/health/live').expect(200);
  });
});

describeWithRedis('operations: the BullMQ dashboard', () => {
  let redis: TestRedis;
  let dukao: EmbeddedApp;

  beforeAll(async () => {
    redis = await startRedis();
    dukao = await EmbeddedApp.start({ REDIS_URL: redis.url });
  }, 60_000);
  afterAll(async () => {
    await dukao?.stop();
    await redis?.stop();
  });

  it('serves bull-board at /admin/queues to a 系统管理员 only, then to the cookie it set', async () => {
    const admin = await dukao.administrator('systemAdmin');
    const auditor = await dukao.administrator('auditor');
    const anonymous = await dukao.http().get('/admin/queues').expect(401);
    expect(anonymous.body).toMatchObject({ code: 'UNAUTHENTICATED' });
    const other = await dukao.http().get('/admin/queues').set(bearer(auditor)).expect(403);
    expect(other.body).toMatchObject({ code: 'FORBIDDEN' });

    const page = await dukao.http().get('/admin/queues').set(bearer(admin)).expect(200);
    expect(page.headers['content-type']).toContain('text/html');
    const cookie = String(page.headers['set-cookie']).split(';')[0]!;
    expect(cookie).toMatch(/^dukao_queues=/);
    expect(String(page.headers['set-cookie'])).toMatch(/HttpOnly/i);

    const queues = await dukao.http().get('/admin/queues/api/queues').set('cookie', cookie).expect(200);
    expect(JSON.stringify(queues.body)).toContain('dukao-jobs');
    await dukao.http().get('/admin/queues/api/queues').set('cookie', 'dukao_queues=not.a.token').expect(401);
  });

  it('reports the Redis queue in readiness and its depth in the metrics', async () => {
    const res = await dukao.http().get('/health/ready').expect(200);
    expect(res.body.queue).toMatchObject({
      status: 'up',
      adapter: 'bullmq',
      jobs: { pending: expect.any(Number) },
    });
    const admin = await dukao.login('systemAdmin');
    const metrics = await dukao.http().get('/metrics').set(bearer(admin)).expect(200);
    expect(metrics.text).toMatch(/dukao_queue_jobs\{state="done"\} \d+/);
  });
});

describe('operations: graceful shutdown on SIGTERM', () => {
  jest.setTimeout(90_000);
  let dir: string;
  let child: ChildProcess | undefined;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'dukao-shutdown-'));
  });
  afterAll(() => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('finishes the requests in flight, saves the checkpoints, and leaves a whole log', async () => {
    const store = new SqliteEventStore({ filename: join(dir, 'events.sqlite') });
    await createAdministrator(store, {
      role: 'systemAdmin',
      username: 'admin',
      displayName: 'admin',
      password: PASSWORD,
      mustChangePassword: false,
      at: new Date().toISOString(),
      commandId: `test:${randomUUID()}`,
    });
    await store.close();

    const port = await freePort();
    const output: string[] = [];
    child = spawn(process.execPath, ['-r', '@swc-node/register', 'apps/api/src/main.ts'], {
      cwd: root,
      env: {
        ...process.env,
        EVENT_STORE_URL: '',
        DATA_DIR: dir,
        PORT: String(port),
        RATE_LIMIT_PER_MINUTE: '100000',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<void>((done) => child!.once('exit', () => done()));
    child.stderr!.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    await new Promise<void>((done, fail) => {
      child!.once('exit', (code) => fail(new Error(`api exited with ${code}: ${output.join('')}`)));
      child!.stdout!.on('data', (chunk: Buffer) => {
        output.push(chunk.toString());
        if (output.join('').includes('api listening')) done();
      });
    });
    const base = `http://127.0.0.1:${port}`;
    const login = await fetch(`${base}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: PASSWORD }),
    });
    const { accessToken } = (await login.json()) as { accessToken: string };
    const auth = { authorization: `Bearer ${accessToken}` };

    // In flight when SIGTERM arrives: a query waiting (2 s, bounded) for a position the log never reaches.
    const slow = fetch(`${base}/users?minPosition=999999`, { headers: auth });
    const writes = Array.from({ length: 20 }, (_, n) =>
      fetch(`${base}/users`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify({
          username: `u${n}`,
          displayName: `用户${n}`,
          initialPassword: 'Initial-Pass-1',
        }),
      }).then(
        async (res) => ({ status: res.status, body: (await res.json()) as { position?: number } }),
        (error: unknown) => ({ status: 0, body: { error: String(error) } as { position?: number } }),
      ),
    );
    await new Promise((r) => setTimeout(r, 300));
    child.kill('SIGTERM');

    const answered = await slow;
    expect(answered.status).toBe(503);
    expect(await answered.json()).toMatchObject({ code: 'VIEW_NOT_CAUGHT_UP' });
    const results = await Promise.all(writes);
    await exited;
    const log = output.join('');
    expect(log).toContain('"msg":"HTTP server closed"');

    const events = new SqliteEventStore({ filename: join(dir, 'events.sqlite') });
    const views = new SqliteReadModelStore({ filename: join(dir, 'read-models.sqlite') });
    try {
      const verified = await verifyChain(readAllPages(events, { upcast: false }), { gapFreePositions: true });
      expect(verified.ok).toBe(true);
      const head = await events.headPosition();
      // Every write answered 201 is in the log; none half-written.
      const created = results.filter((r) => r.status === 201);
      expect(created.length).toBeGreaterThan(0);
      for (const r of created) expect(r.body.position).toBeLessThanOrEqual(head!);
      expect(results.every((r) => r.status === 201 || r.status === 0)).toBe(true);
      // The projections committed their checkpoint at the head before the stores closed.
      expect((await views.registration('streamCatalog'))?.checkpoint).toBe(head);
    } finally {
      await views.close();
      await events.close();
    }
  });
});

describe('operations: the worker on SIGTERM', () => {
  jest.setTimeout(90_000);
  let dir: string;
  let child: ChildProcess | undefined;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'dukao-worker-stop-'));
  });
  afterAll(() => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves health and metrics on its port, then stops with its checkpoints saved and its leases released', async () => {
    const store = new SqliteEventStore({ filename: join(dir, 'events.sqlite') });
    await createAdministrator(store, {
      role: 'systemAdmin',
      username: 'admin',
      displayName: 'admin',
      password: PASSWORD,
      mustChangePassword: false,
      at: new Date().toISOString(),
      commandId: `test:${randomUUID()}`,
    });
    const head = await store.headPosition();
    await store.close();

    const port = await freePort();
    const output: string[] = [];
    child = spawn(process.execPath, ['-r', '@swc-node/register', 'apps/worker/src/main.ts'], {
      cwd: root,
      env: {
        ...process.env,
        EVENT_STORE_URL: '',
        REDIS_URL: '',
        DATA_DIR: dir,
        WORKER_HEALTH_PORT: String(port),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<void>((done) => child!.once('exit', () => done()));
    child.stderr!.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    await new Promise<void>((done, fail) => {
      child!.once('exit', (code) => fail(new Error(`worker exited with ${code}: ${output.join('')}`)));
      child!.stdout!.on('data', (chunk: Buffer) => {
        output.push(chunk.toString());
        if (output.join('').includes('worker started')) done();
      });
    });
    const base = `http://127.0.0.1:${port}`;
    let report: { status: string; projections: Array<{ status: string }> } | undefined;
    for (let i = 0; i < 200; i += 1) {
      report = (await (await fetch(`${base}/health/ready`)).json()) as typeof report;
      if (report!.projections.length > 0 && report!.projections.every((p) => p.status === 'caught-up')) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(report).toMatchObject({ status: 'ok' });
    expect(report!.projections.every((p) => p.status === 'caught-up')).toBe(true);
    const metrics = await fetch(`${base}/metrics`);
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toMatch(/dukao_projection_lag_events\{name="users",kind="projection"\} 0/);

    child.kill('SIGTERM');
    await exited;
    const views = new SqliteReadModelStore({ filename: join(dir, 'read-models.sqlite') });
    try {
      expect((await views.registration('users'))?.checkpoint).toBe(head);
      // Released on the way out: another process takes over at once instead of after the lease's TTL.
      expect(await views.acquireLease('projection:users', 'the-next-worker', 30_000)).toBe(true);
    } finally {
      await views.close();
    }
  });
});
