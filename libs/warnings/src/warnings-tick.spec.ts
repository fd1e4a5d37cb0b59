import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CommandBus } from '@nestjs/cqrs';
import { SqliteEventStore } from '@dukao/event-store';
import { SqliteReadModelStore } from '@dukao/read-model-store';
import { CYCLES, TARGETS, type TargetView, cyclesProjection, targetsProjection } from '@dukao/targets';
import {
  type RecordWarningEvaluation,
  RecordWarningEvaluationHandler,
} from './commands/evaluate-warning.command';
import {
  RecordMilestoneLights,
  RecordMilestoneLightsHandler,
} from './commands/record-milestone-lights.command';
import { MilestoneLightsEvaluator } from './milestone-lights-evaluator';
import {
  MILESTONE_LIGHTS,
  milestoneLightsProjection,
  type MilestoneLightsView,
} from './projections/milestone-lights.projection';
import { CYCLE_2026, gdpTarget, sh } from './domain/testing/worked-example.fixture';
import type { WarningLevel } from './domain/warning-level';
import { WARNINGS, type WarningView, warningsProjection } from './projections/warnings.projection';
import { WarningEvaluator } from './warning-evaluator';
import { WarningsTick } from './warnings-tick';

/**
 * The tick on SQLite stores, with the views written directly: which targets go through their
 * warning stream (the command bus counts them), and what ends up recorded.
 */

const NOW = sh('2026-08-01 09:00');
const clock = () => new Date(NOW);

/** Q2 cumulative 3.2 of 8.0: 40 % against 50 %, a bell (the worked example). */
const behind = (id: string, overrides: Partial<TargetView> = {}) =>
  gdpTarget({ _id: id, cycleId: '2026', ...overrides });
/** Q2 cumulative 4.0 of 8.0: on schedule, no warning. */
const onTrack = (id: string, overrides: Partial<TargetView> = {}) =>
  behind(id, {
    latest: { period: '2026-Q2', reportId: 'R2', cumulativeValue: 4.0, status: 'verified' },
    ...overrides,
  });

const dirs: string[] = [];
let events: SqliteEventStore;
let views: SqliteReadModelStore;
let evaluator: WarningEvaluator;
let tick: WarningsTick;
/** Target ids of the evaluations sent through the command bus, in order. */
let recorded: string[];
/** Target ids of the milestone-light evaluations sent through the command bus, in order. */
let recordedLights: string[];
/** Makes the command bus fail for this target. */
let failFor: string | null;

beforeEach(() => {
  const dir = mkdtempSync(join(tmpdir(), 'dukao-tick-'));
  dirs.push(dir);
  events = new SqliteEventStore({ filename: join(dir, 'events.sqlite'), clock });
  views = new SqliteReadModelStore({ filename: join(dir, 'views.sqlite') });
  const handler = new RecordWarningEvaluationHandler(events);
  const lightsHandler = new RecordMilestoneLightsHandler(events);
  recorded = [];
  recordedLights = [];
  failFor = null;
  const bus = {
    execute: async (command: RecordWarningEvaluation | RecordMilestoneLights) => {
      if (command instanceof RecordMilestoneLights) {
        recordedLights.push(command.command.targetId);
        return lightsHandler.execute(command);
      }
      recorded.push(command.command.targetId);
      if (command.command.targetId === failFor) throw new Error(`no luck with ${failFor}`);
      return handler.execute(command);
    },
  } as unknown as CommandBus;
  evaluator = new WarningEvaluator(bus, views, clock);
  tick = new WarningsTick(evaluator, new MilestoneLightsEvaluator(bus, views, clock), views, events, clock);
});
afterEach(async () => {
  await events.close();
  await views.close();
});
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

async function givenTargets(targets: TargetView[]): Promise<void> {
  const writer = await views.generation(targetsProjection.name, 1, targetsProjection.collections);
  await writer.commit(
    targets.map((document) => ({ type: 'put', collection: TARGETS, document })),
    0,
  );
  await views.activate(targetsProjection.name, 1, targetsProjection.version);
  const cycles = await views.generation(cyclesProjection.name, 1, cyclesProjection.collections);
  await cycles.commit([{ type: 'put', collection: CYCLES, document: CYCLE_2026 }], 0);
  await views.activate(cyclesProjection.name, 1, cyclesProjection.version);
}

/** The warnings view with these levels, having taken in the log up to `checkpoint`. */
async function givenWarningsView(levels: Record<string, WarningLevel>, checkpoint: number): Promise<void> {
  const writer = await views.generation(warningsProjection.name, 1, warningsProjection.collections);
  const documents = Object.entries(levels).map(([targetId, level]): WarningView => ({
    _id: targetId,
    cycleId: '2026',
    unitId: 'U-A',
    category: 'towns',
    level,
    reasons: [],
    schemeVersion: 1,
    since: sh('2026-07-09 10:00'),
    history: [],
  }));
  await writer.commit(
    documents.map((document) => ({ type: 'put', collection: WARNINGS, document })),
    checkpoint,
  );
  await views.activate(warningsProjection.name, 1, warningsProjection.version);
}

/** A bell on the target's warning stream, as the reactor records it after a report. */
async function givenRaisedAfterReport(target: TargetView): Promise<void> {
  const outcome = await evaluator.evaluate(target, { kind: 'event', eventId: `report-of-${target._id}` });
  expect(outcome?.events).toMatchObject([{ type: 'WarningRaised', data: { level: 'bell' } }]);
}

const streamOf = async (targetId: string) =>
  (await events.readStream(`warning-${targetId}`)).map((e) => [
    e.type,
    (e.data as { level?: string }).level ?? null,
    e.metadata.commandId,
  ]);

describe('when the warnings view has taken in the whole log', () => {
  beforeEach(async () => {
    await givenTargets([behind('A'), onTrack('B'), behind('C')]);
    await givenRaisedAfterReport(behind('A'));
    recorded = [];
    await givenWarningsView({ A: 'bell' }, (await events.headPosition())!);
  });

  it('sends only the targets whose level changed through their stream', async () => {
    expect(await tick.run()).toEqual({ evaluated: 3, changed: 1, lightsChanged: 0 });
    expect(recorded).toEqual(['C']);
    expect(await streamOf('C')).toEqual([['WarningRaised', 'bell', 'warn-C-tick-2026-08-01']]);
    expect(await streamOf('A')).toEqual([['WarningRaised', 'bell', 'warn-A-report-of-A']]);
  });

  it('records nothing twice on a second run the same day, before the view has the first run in', async () => {
    await tick.run();
    recorded = [];
    // The view is now behind the log (C's change): every target goes through its stream.
    expect(await tick.run()).toEqual({ evaluated: 3, changed: 0, lightsChanged: 0 });
    expect(recorded).toEqual(['A', 'B', 'C']);
    expect(await streamOf('C')).toEqual([['WarningRaised', 'bell', 'warn-C-tick-2026-08-01']]);
  });
});

describe('when the warnings view lags behind the log', () => {
  it('goes through every stream, so a change the view has not taken in yet is not missed', async () => {
    await givenTargets([onTrack('A'), onTrack('B')]);
    await givenWarningsView({}, (await events.headPosition()) ?? 0);
    // A bell recorded after the view's checkpoint; A has since caught up (a corrected report).
    await givenRaisedAfterReport(behind('A'));
    recorded = [];
    expect(await tick.run()).toEqual({ evaluated: 2, changed: 1, lightsChanged: 0 });
    expect(recorded).toEqual(['A', 'B']);
    expect(await streamOf('A')).toEqual([
      ['WarningRaised', 'bell', 'warn-A-report-of-A'],
      ['WarningCleared', null, 'warn-A-tick-2026-08-01'],
    ]);
  });

  it('treats a store without a warnings view as one that lags', async () => {
    await givenTargets([onTrack('A'), behind('B')]);
    await givenRaisedAfterReport(behind('B'));
    recorded = [];
    expect(await tick.run()).toEqual({ evaluated: 2, changed: 0, lightsChanged: 0 });
    expect(recorded).toEqual(['A', 'B']);
  });
});

it('pages through more issued targets than fit on one page, in id order, and skips the others', async () => {
  const ids = Array.from({ length: 2100 }, (_, n) => `T${String(n).padStart(5, '0')}`);
  await givenTargets([
    ...ids.map((id, n) => (n % 700 === 5 ? behind(id) : onTrack(id))),
    behind('W', { status: 'withdrawn', withdrawnAt: sh('2026-06-01 10:00') }),
  ]);
  await givenRaisedAfterReport(behind('T00005'));
  await givenWarningsView({ T00005: 'bell' }, (await events.headPosition())!);
  recorded = [];
  expect(await tick.run()).toEqual({ evaluated: 2100, changed: 2, lightsChanged: 0 });
  expect(recorded).toEqual(['T00705', 'T01405']);
});

it('rejects with the first failure once the recordings under way have ended, starting no more', async () => {
  const ids = Array.from({ length: 300 }, (_, n) => `T${String(n).padStart(3, '0')}`);
  await givenTargets(ids.map((id) => behind(id)));
  failFor = 'T010';
  await expect(tick.run()).rejects.toThrow('no luck with T010');
  // At most one batch of recordings (64) was under way when T010 failed.
  expect(recorded.length).toBeLessThanOrEqual(11 + 64);
  for (const id of recorded.filter((id) => id !== 'T010'))
    expect(await streamOf(id)).toEqual([['WarningRaised', 'bell', `warn-${id}-tick-2026-08-01`]]);
});

describe('milestone lights (亮灯) on the tick', () => {
  /** On track, with a milestone overdue since 31 July (red) and one due 3 August (yellow). */
  const withMilestones = (id: string) =>
    onTrack(id, {
      milestones: [
        {
          milestoneId: 'm1',
          title: '开工',
          dueDate: '2026-07-31',
          evidenceRequired: false,
          completedOn: null,
        },
        {
          milestoneId: 'm2',
          title: '竣工',
          dueDate: '2026-08-03',
          evidenceRequired: false,
          completedOn: null,
        },
      ],
    });
  const lightsOf = async (targetId: string) =>
    (await events.readStream(`milestonelights-${targetId}`)).map((e) => [
      (e.data as { milestoneId: string }).milestoneId,
      (e.data as { light: string }).light,
      e.metadata.commandId,
    ]);

  async function givenLightsView(docs: MilestoneLightsView[], checkpoint: number): Promise<void> {
    const writer = await views.generation(
      milestoneLightsProjection.name,
      1,
      milestoneLightsProjection.collections,
    );
    await writer.commit(
      docs.map((document) => ({ type: 'put', collection: MILESTONE_LIGHTS, document })),
      checkpoint,
    );
    await views.activate(milestoneLightsProjection.name, 1, milestoneLightsProjection.version);
  }

  it('records the lights that changed, once per day, and passes over targets without milestones', async () => {
    await givenTargets([withMilestones('A'), onTrack('B')]);
    const first = await tick.run();
    expect(first.lightsChanged).toBe(1);
    expect(recordedLights).toEqual(['A']);
    expect(await lightsOf('A')).toEqual([
      ['m1', 'red', 'lights-A-tick-2026-08-01'],
      ['m2', 'yellow', 'lights-A-tick-2026-08-01'],
    ]);
    expect((await tick.run()).lightsChanged).toBe(0);
    expect((await lightsOf('A')).length).toBe(2);
  });

  it('goes through no stream when the lights view, caught up with the log, already says so', async () => {
    await givenTargets([withMilestones('A'), withMilestones('C')]);
    const lit = (id: string): MilestoneLightsView => ({
      _id: id,
      cycleId: '2026',
      unitId: 'U-A',
      category: 'towns',
      red: 1,
      yellow: 1,
      milestones: (['m1', 'm2'] as const).map((milestoneId, i) => ({
        milestoneId,
        title: milestoneId,
        dueDate: i === 0 ? '2026-07-31' : '2026-08-03',
        light: i === 0 ? 'red' : 'yellow',
        done: false,
        late: false,
        since: NOW,
        schemeVersion: 1,
        milestoneYellowDays: 3,
        history: [],
      })),
    });
    // Something in the log, so the view's checkpoint can be said to have reached its head.
    await givenRaisedAfterReport(behind('Z'));
    await givenLightsView([lit('A')], (await events.headPosition())!);
    expect((await tick.run()).lightsChanged).toBe(1);
    expect(recordedLights).toEqual(['C']);
  });
});
