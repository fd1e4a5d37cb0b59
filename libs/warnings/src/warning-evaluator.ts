import { Inject, Injectable } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { Actor, CommandContext } from '@dukao/event-store';
import { CLOCK, type Clock, SYSTEM_ACTOR } from '@dukao/kernel';
import { READ_MODEL_STORE, type ReadModelStore } from '@dukao/read-model-store';
import {
  CYCLES,
  type CycleView,
  shanghaiDate,
  type TargetView,
  versionAt,
  warningThresholdsInForce,
} from '@dukao/targets';
import { RecordWarningEvaluation, type WarningOutcome } from './commands/evaluate-warning.command';
import { evaluateWarning, type WarningLevel, warningInputOf } from './domain/warning-level';
import type { EvaluationCause } from './domain/warning.decider';

/** Who evaluated, for the events' metadata: the reactor after an event, the scheduler (or an administrator) on a tick. */
export interface EvaluationContext {
  actor?: Actor;
  correlationId?: string;
  causationId?: string | null;
}

/** An evaluation made but not recorded yet: the level found now and the command that records it. */
export interface PlannedEvaluation {
  targetId: string;
  level: WarningLevel;
  command: RecordWarningEvaluation;
}

/** Cycle reads shared by the evaluations of one batch (a page of the tick): each cycle is read once. */
export type CycleReads = Map<string, Promise<CycleView | null>>;

export const WARNING_REACTOR_ACTOR: Actor = { ...SYSTEM_ACTOR, role: 'warningReactor' };
export const WARNING_SCHEDULER_ACTOR: Actor = { ...SYSTEM_ACTOR, role: 'scheduler' };

/**
 * Evaluates a target's warning level now, from the views (target and scheme version in force), and
 * records a change on its warning stream. Command ids derive from the cause — `warn-<target>-<event id>`
 * after an event, `warn-<target>-tick-<Shanghai date>` on a tick — so a replayed event or a second
 * tick the same day appends nothing twice (levels move by Shanghai day, so one tick a day suffices;
 * anything in between is an event).
 */
@Injectable()
export class WarningEvaluator {
  constructor(
    private readonly commands: CommandBus,
    @Inject(READ_MODEL_STORE) private readonly views: ReadModelStore,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async evaluate(
    target: TargetView,
    cause: EvaluationCause,
    context: EvaluationContext = {},
  ): Promise<WarningOutcome | null> {
    const planned = await this.plan(target, cause, context);
    return planned ? this.record(planned) : null;
  }

  /**
   * Evaluates `target` now without recording anything: the level, and the command `record` runs.
   * null when no scheme is in force for its cycle yet. `cycles`, when given, shares the cycle reads
   * of a batch of targets (the cycle document holds every scheme and indicator tree: reading and
   * parsing it once per target costs more than the evaluation).
   */
  async plan(
    target: TargetView,
    cause: EvaluationCause,
    context: EvaluationContext = {},
    cycles?: CycleReads,
  ): Promise<PlannedEvaluation | null> {
    const now = this.clock();
    const at = now.toISOString();
    const cycle = await this.cycle(target.cycleId, cycles);
    const version = cycle ? versionAt(cycle.schemes, at) : undefined;
    if (!version) return null;
    // The target's own thresholds replace the scheme version's (DOMAIN.md: per-target thresholds
    // override); the event records both what applied and which were the target's own.
    const overrides = target.warningThresholds ?? null;
    const thresholds = warningThresholdsInForce(version.scheme.warnings, overrides);
    // Only an issued target is chased; a withdrawn (or returned) one has its warning cleared.
    const evaluation =
      target.status === 'issued'
        ? evaluateWarning(warningInputOf(target, now, overrides), version.scheme.warnings, now)
        : { level: 'none' as const, reasons: [] };
    return {
      targetId: target._id,
      level: evaluation.level,
      command: new RecordWarningEvaluation(
        {
          type: 'EvaluateWarning',
          targetId: target._id,
          cycleId: target.cycleId,
          unitId: target.unitId,
          category: target.category,
          evaluation: { level: evaluation.level, reasons: evaluation.reasons },
          schemeVersion: version.version,
          thresholds,
          overrides,
          at,
          cause,
        },
        evaluationCommandContext('warn', target._id, cause, now, context),
      ),
    };
  }

  /** Records a planned evaluation on the target's warning stream: a change of level, if it is one. */
  async record(planned: PlannedEvaluation): Promise<WarningOutcome> {
    return this.commands.execute(planned.command);
  }

  private cycle(cycleId: string, reads?: CycleReads): Promise<CycleView | null> {
    return readCycle(this.views, cycleId, reads);
  }
}

/**
 * The metadata of an evaluation's command. Its id derives from the cause — `<prefix>-<target>-<event
 * id>` after an event, `<prefix>-<target>-tick-<Shanghai date>` on a tick — so a replayed event or a
 * second tick the same day appends nothing twice.
 */
export function evaluationCommandContext(
  prefix: string,
  targetId: string,
  cause: EvaluationCause,
  now: Date,
  context: EvaluationContext,
): CommandContext {
  const commandId =
    cause.kind === 'event'
      ? `${prefix}-${targetId}-${cause.eventId}`
      : `${prefix}-${targetId}-tick-${shanghaiDate(now)}`;
  const defaultActor = cause.kind === 'event' ? WARNING_REACTOR_ACTOR : WARNING_SCHEDULER_ACTOR;
  return {
    commandId,
    actor: context.actor ?? defaultActor,
    correlationId: context.correlationId ?? commandId,
    causationId: context.causationId ?? (cause.kind === 'event' ? cause.eventId : null),
  };
}

/** A cycle's view, read once per batch when `reads` is given. */
export function readCycle(
  views: ReadModelStore,
  cycleId: string,
  reads?: CycleReads,
): Promise<CycleView | null> {
  if (!reads) return views.get<CycleView>(CYCLES, cycleId);
  let read = reads.get(cycleId);
  if (!read) reads.set(cycleId, (read = views.get<CycleView>(CYCLES, cycleId)));
  return read;
}
