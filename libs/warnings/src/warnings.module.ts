import { Module } from '@nestjs/common';
import { RecordWarningEvaluationHandler } from './commands/evaluate-warning.command';
import { WarningEvaluator } from './warning-evaluator';
import { WarningsTick } from './warnings-tick';

const commandHandlers = [RecordWarningEvaluationHandler];
const services = [WarningEvaluator, WarningsTick];

/**
 * Warnings: a target's level (bell / yellow / red) recorded on `warning-<targetId>` when it changes.
 * Its projection is `warningsProjection`; where projections run, the app also provides the reactor
 * `EvaluateWarningWhenTargetChanged` and the timed `WarningsSchedule`.
 */
@Module({ providers: [...commandHandlers, ...services], exports: [...services] })
export class WarningsModule {}
