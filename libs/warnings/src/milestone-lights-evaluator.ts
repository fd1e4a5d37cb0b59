import { Inject, Injectable } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { CLOCK, type Clock } from '@dukao/kernel';
import { READ_MODEL_STORE, type ReadModelStore } from '@dukao/read-model-store';
import { type CycleView, type TargetView, versionAt, warningThresholdsInForce } from '@dukao/targets';
import {
  type MilestoneLightsOutcome,
  RecordMilestoneLights,
} from './commands/record-milestone-lights.command';
import type { MilestoneLight } from './domain/milestone-light';
import { readMilestones } from './domain/milestone-lights.decider';
import type { EvaluationCause } from './domain/warning.decider';
import {
  type CycleReads,
  evaluationCommandContext,
  type EvaluationContext,
  readCycle,
} from './warning-evaluator';

/** A lights evaluation made but not recorded yet: each milestone's light now, and the command. */
export interface PlannedLights {
  targetId: string;
  lights: ReadonlyMap<string, MilestoneLight>;
  command: RecordMilestoneLights;
}

/**
 * 亮灯: evaluates the lights of a target's milestones now, with the yellow window in force (the
 * scheme version's `milestoneYellowDays`, or the target's own), and records the changes on
 * `milestonelights-<targetId>`. It runs where the warning level is evaluated: after each target event
 * (the warnings reactor) and on the tick, with command ids of the same form (`lights-<target>-<event
 * id>`, `lights-<target>-tick-<Shanghai date>`), so a replay or a second tick the same day appends
 * nothing twice. Targets without milestones are passed over.
 */
@Injectable()
export class MilestoneLightsEvaluator {
  constructor(
    private readonly commands: CommandBus,
    @Inject(READ_MODEL_STORE) private readonly views: ReadModelStore,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async evaluate(
    target: TargetView,
    cause: EvaluationCause,
    context: EvaluationContext = {},
  ): Promise<MilestoneLightsOutcome | null> {
    const planned = await this.plan(target, cause, context);
    return planned ? this.record(planned) : null;
  }

  /** null when the target has no milestones or its cycle no scheme in force yet. */
  async plan(
    target: TargetView,
    cause: EvaluationCause,
    context: EvaluationContext = {},
    cycles?: CycleReads,
  ): Promise<PlannedLights | null> {
    if (target.milestones.length === 0) return null;
    const now = this.clock();
    const at = now.toISOString();
    const cycle = await this.cycle(target.cycleId, cycles);
    const version = cycle ? versionAt(cycle.schemes, at) : undefined;
    if (!version) return null;
    const { milestoneYellowDays } = warningThresholdsInForce(
      version.scheme.warnings,
      target.warningThresholds ?? null,
    );
    const milestones = readMilestones(
      target.milestones,
      now,
      milestoneYellowDays,
      target.status === 'issued',
    );
    return {
      targetId: target._id,
      lights: new Map(milestones.map((m) => [m.milestoneId, m.light])),
      command: new RecordMilestoneLights(
        {
          type: 'EvaluateMilestoneLights',
          targetId: target._id,
          cycleId: target.cycleId,
          unitId: target.unitId,
          category: target.category,
          milestones,
          schemeVersion: version.version,
          milestoneYellowDays,
          at,
          cause,
        },
        evaluationCommandContext('lights', target._id, cause, now, context),
      ),
    };
  }

  /** Records a planned evaluation: the lights that changed, if any. */
  record(planned: PlannedLights): Promise<MilestoneLightsOutcome> {
    return this.commands.execute(planned.command);
  }

  private cycle(cycleId: string, reads?: CycleReads): Promise<CycleView | null> {
    return readCycle(this.views, cycleId, reads);
  }
}
