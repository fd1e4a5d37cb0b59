import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { allProjections } from '@dukao/composition';
import { loadConfig } from '@dukao/config';
import { type EventStore, createEventStore, readAllPages } from '@dukao/event-store';
import { ProjectionEngine } from '@dukao/projections';
import { type ReadModelStore, createReadModelStore } from '@dukao/read-model-store';
import { MONTHLY_RANKINGS, RankingsReactor, ScoringInputLoader } from '@dukao/scoring';
import { DEMO_MARKER, DEMO_SUMMARY, type DemoSummary } from '../apps/api/src/cli/demo/files';
import { logDigest } from '../apps/api/src/cli/demo/log-digest';

/**
 * The demo city generator (docs/demo.md) on a small city (4 units, 3 targets each, 3 months): two
 * runs with the same seed, each in its own process and directory, write the same log; the log passes
 * `verify-log`; rebuilding every projection and the rankings view from position 0 gives the same
 * monthly rankings documents.
 */

const root = resolve(__dirname, '..');
const SEED = '11';

type Run = { code: number | null; stdout: string; stderr: string };

/** Runs a command-line script without a terminal (no stdin, CI=true), as `npm run` would. */
function cli(script: string, args: string[]): Promise<Run> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ['-r', '@swc-node/register', script, ...args], {
      cwd: root,
      env: { ...process.env, CI: 'true', EVENT_STORE_URL: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

const generate = (dir: string) =>
  cli('apps/api/src/cli/demo-generate.ts', [
    ...['--seed', SEED, '--units', '4', '--months', '3', '--targets-per-unit', '3'],
    ...['--data-dir', dir, '--quiet'],
  ]);

const printedDigest = (stdout: string) => /log digest \(sha256\): ([0-9a-f]{64})/.exec(stdout)?.[1];

describe('demo city: deterministic, intact, rebuildable', () => {
  let tmp: string;
  let a: string;
  let b: string;
  let notDemo: string;
  let runs: Run[];
  let refused: Run;

  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'dukao-demo-'));
    a = join(tmp, 'a');
    b = join(tmp, 'b');
    notDemo = join(tmp, 'data');
    mkdirSync(notDemo);
    writeFileSync(join(notDemo, 'events.sqlite'), 'somebody else’s log');
    [runs, refused] = await Promise.all([
      Promise.all([generate(a), generate(b)]),
      cli('apps/api/src/cli/demo.ts', ['--data-dir', notDemo, '--fresh']),
    ]);
  }, 240_000);
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('the same seed gives the same log: the digests printed, stored and recomputed agree', async () => {
    for (const run of runs) expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
    const [first, second] = runs.map((r) => printedDigest(r.stdout));
    expect(first).toMatch(/^[0-9a-f]{64}$/);
    expect(second).toBe(first);
    for (const dir of [a, b]) {
      const summary = JSON.parse(readFileSync(join(dir, DEMO_SUMMARY), 'utf8')) as DemoSummary;
      expect(summary.logDigest).toBe(first);
      expect(readFileSync(join(dir, DEMO_MARKER), 'utf8')).toContain('"seed":11');
      const store = await createEventStore(loadConfig({ DATA_DIR: dir }));
      try {
        expect(await logDigest(store)).toEqual({
          sha256: first,
          events: summary.events,
          headPosition: summary.headPosition,
        });
      } finally {
        await store.close();
      }
    }
  });

  it('holds the city: targets through 联审, reports, verifications, warnings, SMS, supervision with round 2, accountability, adjustment, publication, appeal and ruling, a false report found by a spot check, evaluation results', async () => {
    const summary = JSON.parse(readFileSync(join(a, DEMO_SUMMARY), 'utf8')) as DemoSummary;
    expect(summary).toMatchObject({ towns: 2, departments: 2, targets: { towns: 6, departments: 6 } });
    expect(summary.logins.map((l) => l.role)).toEqual(
      expect.arrayContaining(['assessmentAdmin', 'supervisor', 'unitStaff', 'inspector', 'cityLeader']),
    );
    const store = await createEventStore(loadConfig({ DATA_DIR: a }));
    const types = new Map<string, number>();
    try {
      for await (const event of readAllPages(store)) types.set(event.type, (types.get(event.type) ?? 0) + 1);
    } finally {
      await store.close();
    }
    for (const type of [
      'TargetIssued',
      'ProgressReported',
      'ReportVerified',
      'WarningRaised',
      'SmsSent',
      'SupervisionNoticeIssued',
      'RectificationReported',
      'RectificationReturned',
      'SupervisionEscalated',
      'AccountabilityActionTaken',
      'ScoreAdjusted',
      'RankingPublished',
      'AppealFiled',
      'RulingRecorded',
      'SpotCheckDrawn',
      'SpotCheckOutcomeRecorded',
      'FalseReportConfirmed',
      'EvaluationResultsPublished',
    ]) {
      expect([type, types.get(type) ?? 0]).toEqual([type, expect.any(Number)]);
      expect(types.get(type)).toBeGreaterThan(0);
    }
    expect(types.get('ProgressReported')).toBe(summary.reports + summary.corrections);
  });

  it('npm run demo never wipes a directory the generator did not make, even with --fresh', () => {
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('holds data not made by the demo generator');
    expect(readdirSync(notDemo)).toEqual(['events.sqlite']);
    expect(readFileSync(join(notDemo, 'events.sqlite'), 'utf8')).toBe('somebody else’s log');
  });

  it('passes verify-log', () => {
    const result = spawnSync(
      process.execPath,
      ['-r', '@swc-node/register', 'apps/api/src/cli/verify-log.ts', '--json'],
      {
        cwd: root,
        env: { ...process.env, DATA_DIR: a, EVENT_STORE_URL: '' },
        encoding: 'utf8',
        timeout: 60_000,
      },
    );
    expect(result.status).toBe(0);
    const verdict = JSON.parse(result.stdout) as { ok: boolean; events: number };
    const summary = JSON.parse(readFileSync(join(a, DEMO_SUMMARY), 'utf8')) as DemoSummary;
    expect(verdict).toMatchObject({ ok: true, events: summary.events });
  });

  it('rebuilding every projection and the rankings view from position 0 gives the same monthly rankings', async () => {
    const config = loadConfig({ DATA_DIR: b });
    const events: EventStore = await createEventStore(config);
    const views: ReadModelStore = await createReadModelStore(config);
    const byId = (docs: Array<{ _id: string }>) => [...docs].sort((x, y) => x._id.localeCompare(y._id));
    const owner = `demo-test:${process.pid}`;
    const logger = { log: () => {}, warn: () => {}, error: () => {} };
    const engine = new ProjectionEngine(events, views, allProjections, { owner, logger });
    // The rankings read "now" to know which months have ended: the generator's last moment.
    let last = '';
    for await (const e of readAllPages(events)) last = e.metadata.recordedAt;
    const reactor = new RankingsReactor(
      new ScoringInputLoader(events, views),
      engine,
      events,
      views,
      () => new Date(last),
      { owner, logger },
    );
    try {
      const before = byId(await views.find<{ _id: string }>(MONTHLY_RANKINGS, {}));
      expect(before.length).toBeGreaterThan(0);

      await engine.start();
      for (const projection of allProjections) {
        const from = (await views.registration(projection.name))?.generation ?? 0;
        await engine.rebuild(projection.name);
        for (;;) {
          const [status] = (await engine.statuses()).filter((s) => s.name === projection.name);
          if (status?.failure) throw new Error(`${projection.name}: ${status.failure.message}`);
          if (status && status.activeGeneration !== null && status.activeGeneration > from && !status.rebuild)
            break;
          await new Promise((resolve) => setTimeout(resolve, 25));
        }
      }
      await reactor.start();
      expect(reactor.active).toBe(true);
      const generation = (await views.registration('rankings'))?.generation ?? 0;
      await reactor.rebuild();
      expect(await reactor.settle(120_000)).toBe(true);
      expect((await views.registration('rankings'))?.generation).toBeGreaterThan(generation);

      const after = byId(await views.find<{ _id: string }>(MONTHLY_RANKINGS, {}));
      expect(after).toEqual(before);
    } finally {
      await reactor.stop();
      await engine.stop();
      await views.close();
      await events.close();
    }
  }, 120_000);
});
