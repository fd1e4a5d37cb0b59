import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CommandBus } from '@nestjs/cqrs';
import { SqliteEventStore } from '@dukao/event-store';
import { projectionSpec } from '@dukao/testing';
import { SqliteReadModelStore } from '@dukao/read-model-store';
import {
  CYCLES,
  DEFAULT_SCHEME,
  TARGETS,
  type TargetView,
  cyclesProjection,
  targetsProjection,
} from '@dukao/targets';
import {
  type RecordWarningEvaluation,
  RecordWarningEvaluationHandler,
} from './commands/evaluate-warning.command';
import { CYCLE_2026, gdpTarget, report, sh } from './domain/testing/worked-example.fixture';
import { WARNINGS, type WarningView, warningsProjection } from './projections/warnings.projection';
import type { EvaluationCause } from './domain/warning.decider';
import { WarningEvaluator } from './warning-evaluator';

/**
 * The evaluator with a target's own thresholds (DOMAIN.md: per-target thresholds override): they
 * reach `evaluateWarning`, and the change recorded says which thresholds applied.
 */

let now = sh('2026-07-09 10:00');
const clock = () => new Date(now);
/** The worked example: Q2 cumulative 3.2 of 8.0, 40% against 50%, a gap of 10 (a bell by default). */
const gdp = (overrides: Partial<TargetView> = {}) => gdpTarget({ _id: 'T1', cycleId: '2026', ...overrides });

let dir: string;
let events: SqliteEventStore;
let views: SqliteReadModelStore;
let evaluator: WarningEvaluator;

beforeEach(async () => {
  now = sh('2026-07-09 10:00');
  dir = mkdtempSync(join(tmpdir(), 'dukao-evaluator-'));
  events = new SqliteEventStore({ filename: join(dir, 'events.sqlite'), clock });
  views = new SqliteReadModelStore({ filename: join(dir, 'views.sqlite') });
  const handler = new RecordWarningEvaluationHandler(events);
  const bus = {
    execute: (command: RecordWarningEvaluation) => handler.execute(command),
  } as unknown as CommandBus;
  evaluator = new WarningEvaluator(bus, views, clock);
  const cycles = await views.generation(cyclesProjection.name, 1, cyclesProjection.collections);
  await cycles.commit([{ type: 'put', collection: CYCLES, document: CYCLE_2026 }], 0);
  await views.activate(cyclesProjection.name, 1, cyclesProjection.version);
});
afterEach(async () => {
  await events.close();
  await views.close();
  rmSync(dir, { recursive: true, force: true });
});

async function givenTarget(target: TargetView): Promise<void> {
  const writer = await views.generation(targetsProjection.name, 1, targetsProjection.collections);
  await writer.commit([{ type: 'put', collection: TARGETS, document: target }], 0);
  await views.activate(targetsProjection.name, 1, targetsProjection.version);
}

/** Evaluates target T1 as the warnings reactor does after an event: read from the targets view. */
const evaluateT1 = async (cause: EvaluationCause) =>
  evaluator.evaluate((await views.get<TargetView>(TARGETS, 'T1'))!, cause);

const warningView = async () =>
  projectionSpec(warningsProjection)
    .given(...(await events.readStream('warning-T1')))
    .document(WARNINGS, 'T1') as WarningView | null;

describe('WarningEvaluator with a target’s own thresholds', () => {
  it('without any, the scheme’s apply: a gap of 10 is a bell, recorded with the thresholds applied', async () => {
    const planned = await evaluator.plan(gdp(), { kind: 'tick', eventId: null });
    expect(planned).toMatchObject({ level: 'bell' });
    expect(planned!.command.command).toMatchObject({
      schemeVersion: 1,
      thresholds: DEFAULT_SCHEME.warnings,
      overrides: null,
    });
    const outcome = await evaluator.record(planned!);
    expect(outcome.events).toMatchObject([
      {
        type: 'WarningRaised',
        data: { level: 'bell', schemeVersion: 1, thresholds: DEFAULT_SCHEME.warnings, overrides: null },
      },
    ]);
  });

  it('yellowGap 8 makes the same gap of 10 a yellow card, and the event says under which thresholds', async () => {
    await givenTarget(gdp({ warningThresholds: { yellowGap: 8 } }));
    const outcome = await evaluateT1({ kind: 'event', eventId: 'e-set' });
    expect(outcome?.events).toMatchObject([
      {
        type: 'WarningRaised',
        data: {
          level: 'yellow',
          previousLevel: 'none',
          schemeVersion: 1,
          thresholds: { ...DEFAULT_SCHEME.warnings, yellowGap: 8 },
          overrides: { yellowGap: 8 },
          reasons: [
            {
              rule: 'gapAboveYellow',
              detail: '2026年第二季度累计完成 40%，基准时序进度 50%，落后 10 个百分点，超过黄牌阈值 8',
            },
          ],
        },
      },
    ]);
    expect(await warningView()).toMatchObject({
      level: 'yellow',
      thresholds: { yellowGap: 8, bellGap: 5, redGap: 20 },
      overrides: { yellowGap: 8 },
      history: [{ level: 'yellow', overrides: { yellowGap: 8 } }],
    });
  });

  it('cleared again (the view has none), the scheme’s apply: back to a bell, recorded with no overrides', async () => {
    await givenTarget(gdp({ warningThresholds: { yellowGap: 8 } }));
    await evaluateT1({ kind: 'event', eventId: 'e-set' });
    await givenTarget(gdp({ warningThresholds: null }));
    const outcome = await evaluateT1({ kind: 'event', eventId: 'e-clear' });
    expect(outcome?.events).toMatchObject([
      {
        type: 'WarningRaised',
        data: {
          level: 'bell',
          previousLevel: 'yellow',
          overrides: null,
          thresholds: DEFAULT_SCHEME.warnings,
        },
      },
    ]);
    expect((await warningView())?.history.map((h) => [h.level, h.overrides])).toEqual([
      ['yellow', { yellowGap: 8 }],
      ['bell', null],
    ]);
  });

  it('day thresholds flow through too: redOverdueDays 2 turns an unreported Q2 red on the 13th of July', async () => {
    now = sh('2026-07-13 10:00');
    // Q1 reported on schedule (2.0 of 8.0: 25% against 25%), Q2 (due 10 July) not reported.
    const missingQ2: Partial<TargetView> = {
      reports: [report({ reportId: 'R1', period: '2026-Q1', cumulativeValue: 2.0, dueDate: '2026-04-10' })],
      latest: { period: '2026-Q1', reportId: 'R1', cumulativeValue: 2.0, status: 'pending' },
    };
    expect((await evaluator.plan(gdp(missingQ2), { kind: 'tick', eventId: null }))?.level).toBe('yellow');
    expect(
      (
        await evaluator.plan(gdp({ ...missingQ2, warningThresholds: { redOverdueDays: 2 } }), {
          kind: 'tick',
          eventId: null,
        })
      )?.level,
    ).toBe('red');
  });

  it('a withdrawn target is cleared whatever its thresholds', async () => {
    await givenTarget(gdp({ warningThresholds: { yellowGap: 8 } }));
    await evaluateT1({ kind: 'event', eventId: 'e-set' });
    await givenTarget(gdp({ warningThresholds: { yellowGap: 8 }, status: 'withdrawn' }));
    const outcome = await evaluateT1({ kind: 'event', eventId: 'e-withdrawn' });
    expect(outcome?.events).toMatchObject([
      { type: 'WarningCleared', data: { previousLevel: 'yellow', overrides: { yellowGap: 8 } } },
    ]);
  });
});
