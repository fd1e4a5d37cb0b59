import { Module } from '@nestjs/common';
import { RecordWarningEvaluationHandler } from './commands/evaluate-warning.command';
import { RecordMilestoneLightsHandler } from './commands/record-milestone-lights.command';
import { MilestoneLightsEvaluator } from './milestone-lights-evaluator';
import { WarningEvaluator } from './warning-evaluator';
import { WarningsTick } from './warnings-tick';

const commandHandlers = [RecordWarningEvaluationHandler, RecordMilestoneLightsHandler];
const services = [WarningEvaluator, MilestoneLightsEvaluator, WarningsTick];

/**
 * Warnings: a target's level (bell / yellow / red) recorded on `warning-<targetId>` when it changes,
 * and its milestones' lights (亮灯) on `milestonelights-<targetId>`. Their projections are
 * `warningsProjection` and `milestoneLightsProjection`; where projections run, the app also provides the reactor
 * `EvaluateWarningWhenTargetChanged` and the timed `WarningsSchedule`.
 */
@Module({ providers: [...commandHandlers, ...services], exports: [...services] })
export class WarningsModule {}
