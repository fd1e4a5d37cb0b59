import { Inject, Injectable } from '@nestjs/common';
import { type Actor, EVENT_STORE, type EventStore } from '@dukao/event-store';
import { CLOCK, type Clock } from '@dukao/kernel';
import { type Filter, READ_MODEL_STORE, type ReadModelStore } from '@dukao/read-model-store';
import { TARGETS, type TargetView } from '@dukao/targets';
import type { MilestoneLight } from './domain/milestone-light';
import type { WarningLevel } from './domain/warning-level';
import type { EvaluationCause } from './domain/warning.decider';
import { MilestoneLightsEvaluator, type PlannedLights } from './milestone-lights-evaluator';
import {
  MILESTONE_LIGHTS,
  type MilestoneLightsView,
  milestoneLightsProjection,
} from './projections/milestone-lights.projection';
import { WARNINGS, type WarningView, warningsProjection } from './projections/warnings.projection';
import {
  type CycleReads,
  type EvaluationContext,
  type PlannedEvaluation,
  WarningEvaluator,
} from './warning-evaluator';

/**
 * Targets read per page: memory stays flat however many targets there are. A page is small enough
 * to die young: its documents are alive until the page is done, and with 1,000 of them (3 KB of
 * JSON each) every scavenge copied megabytes of them into the old generation, which then had to
 * be collected too (reading and parsing 100,000 such documents took 4.1 s of CPU, 1.6 s of it
 * collecting garbage; in pages of 250, 3.3 s and 0.25 s). More pages cost little: each is one
 * keyset query, a cycle read and one query per view compared (warnings, milestone lights).
 */
const PAGE_SIZE = 250;
/** Changes recorded at once, so that the event store commits them together. */
const RECORD_CONCURRENCY = 64;

/**
 * The scheduled evaluation of every issued target: time alone moves levels (a report due soon, then
 * overdue, then overdue more than `redOverdueDays`), with no event to react to. Its command ids carry
 * the Shanghai date, so running it hourly, or on two processes, records each change once.
 *
 * It pages through the issued targets in `_id` order and evaluates each page at once: the cycles
 * are read once per page, and only a target whose level differs from its warning's current level
 * goes through its stream (`RecordWarningEvaluation`), since the decider records changes only. The
 * current levels come from the warnings view, trusted only once it has taken in every event logged
 * before the run began; until then every target goes through its stream, as a change made during
 * the run is concurrent with it either way. Recording a change is unchanged: same command, same
 * command id, same idempotence.
 */
@Injectable()
export class WarningsTick {
  constructor(
    private readonly evaluator: WarningEvaluator,
    private readonly lights: MilestoneLightsEvaluator,
    @Inject(READ_MODEL_STORE) private readonly views: ReadModelStore,
    @Inject(EVENT_STORE) private readonly events: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** `by`: who asked for this run (an administrator), else the scheduler. */
  async run(by?: {
    actor: Actor;
    correlationId: string;
  }): Promise<{ evaluated: number; changed: number; lightsChanged: number }> {
    const head = await this.events.headPosition();
    const correlationId = by?.correlationId ?? `warnings-tick:${this.clock().toISOString()}`;
    const cause: EvaluationCause = { kind: 'tick', eventId: null };
    const context: EvaluationContext = { actor: by?.actor, correlationId };
    const recorder = new Recorder(RECORD_CONCURRENCY);
    let evaluated = 0;
    let changed = 0;
    let lightsChanged = 0;
    try {
      for (let after: string | null = null; ;) {
        const filter: Filter =
          after === null ? { status: 'issued' } : { status: 'issued', _id: { $gt: after } };
        const page = await this.views.find<TargetView>(TARGETS, filter, {
          sort: { _id: 1 },
          limit: PAGE_SIZE,
        });
        if (page.length === 0) break;
        evaluated += page.length;
        after = page.at(-1)!._id;

        const cycles: CycleReads = new Map();
        const planned: PlannedEvaluation[] = [];
        for (const target of page) {
          const evaluation = await this.evaluator.plan(target, cause, context, cycles);
          if (evaluation) planned.push(evaluation);
        }
        const current = await this.currentLevels(
          planned.map((p) => p.targetId),
          head,
        );
        for (const evaluation of planned) {
          if (current && evaluation.level === (current.get(evaluation.targetId) ?? 'none')) continue;
          await recorder.add(async () => {
            if (recorded(await this.evaluator.record(evaluation))) changed += 1;
          });
        }
        // 亮灯: the same page's milestone lights, each target's through its stream only when one differs.
        const plannedLights: PlannedLights[] = [];
        for (const target of page) {
          const lights = await this.lights.plan(target, cause, context, cycles);
          if (lights) plannedLights.push(lights);
        }
        const currentLights = await this.currentLights(
          plannedLights.map((p) => p.targetId),
          head,
        );
        for (const lights of plannedLights) {
          if (currentLights && sameLights(lights.lights, currentLights.get(lights.targetId))) continue;
          await recorder.add(async () => {
            if (recorded(await this.lights.record(lights))) lightsChanged += 1;
          });
        }
        if (page.length < PAGE_SIZE) break;
      }
    } finally {
      await recorder.idle();
    }
    recorder.check();
    return { evaluated, changed, lightsChanged };
  }

  /** The recorded lights of each target's lit milestones, as `currentLevels` (null: the view cannot say). */
  private async currentLights(
    targetIds: readonly string[],
    head: number | null,
  ): Promise<Map<string, ReadonlyMap<string, MilestoneLight>> | null> {
    if (head === null) return null;
    const registration = await this.views.registration(milestoneLightsProjection.name);
    if (registration?.checkpoint == null || registration.checkpoint < head) return null;
    const lights = new Map<string, ReadonlyMap<string, MilestoneLight>>();
    if (targetIds.length === 0) return lights;
    const docs = await this.views.find<MilestoneLightsView>(
      MILESTONE_LIGHTS,
      { _id: { $in: targetIds } },
      { limit: targetIds.length },
    );
    for (const doc of docs) lights.set(doc._id, new Map(doc.milestones.map((m) => [m.milestoneId, m.light])));
    return lights;
  }

  /**
   * The current warning level of each target (absent: none), from the warnings view, or null when
   * the view cannot say: it has not yet taken in every event up to `head`, the log head when the run
   * began. The view's checkpoint is stored with (SQLite) or after (MongoDB) its documents, so once
   * it has reached `head`, the documents hold at least every warning event logged before the run.
   */
  private async currentLevels(
    targetIds: readonly string[],
    head: number | null,
  ): Promise<Map<string, WarningLevel> | null> {
    if (head === null) return null;
    const registration = await this.views.registration(warningsProjection.name);
    if (registration?.checkpoint == null || registration.checkpoint < head) return null;
    const levels = new Map<string, WarningLevel>();
    if (targetIds.length === 0) return levels;
    const warnings = await this.views.find<WarningView>(
      WARNINGS,
      { _id: { $in: targetIds } },
      { limit: targetIds.length },
    );
    for (const warning of warnings) levels.set(warning._id, warning.level);
    return levels;
  }
}

/** True when a recording appended a change (not a replay of one recorded before). */
const recorded = (outcome: { replayed: boolean; events: readonly unknown[] }) =>
  !outcome.replayed && outcome.events.length > 0;

/** True when every milestone's light is what was recorded (a milestone never recorded is green). */
function sameLights(
  now: ReadonlyMap<string, MilestoneLight>,
  recordedLights: ReadonlyMap<string, MilestoneLight> | undefined,
): boolean {
  for (const [milestoneId, light] of now) {
    if (light !== (recordedLights?.get(milestoneId) ?? 'green')) return false;
  }
  return true;
}

/**
 * Runs recordings with up to `limit` under way, across pages, so that the event store commits
 * them together (one group commit, one fsync, for many changes). Once one has failed, no further one
 * starts, and the run rejects with that first error after those under way have ended.
 */
class Recorder {
  private readonly running = new Set<Promise<void>>();
  private failure: { error: unknown } | null = null;

  constructor(private readonly limit: number) {}

  /** Starts `record` once fewer than `limit` are under way. */
  async add(record: () => Promise<void>): Promise<void> {
    while (this.running.size >= this.limit && !this.failure) await Promise.race(this.running);
    this.check();
    const recording: Promise<void> = record()
      .catch((error: unknown) => {
        this.failure ??= { error };
      })
      .finally(() => this.running.delete(recording));
    this.running.add(recording);
  }

  /** Resolves once nothing is under way (never rejects). */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.all(this.running);
  }

  /** Throws the first failure, if there was one. */
  check(): void {
    if (this.failure) throw this.failure.error;
  }
}
