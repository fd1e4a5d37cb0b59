import { Module } from '@nestjs/common';
import { ChangePlanningHandler } from './commands/change-planning.command';
import { ChangeTargetHandler } from './commands/change-target.command';
import { ProposeTargetHandler, ResubmitTargetHandler } from './commands/propose-target.command';
import { ImportTargetsHandler } from './import/import-targets.command';
import { MissedPeriodsCheck } from './missed-periods';

const commandHandlers = [
  ChangePlanningHandler,
  ProposeTargetHandler,
  ResubmitTargetHandler,
  ChangeTargetHandler,
  ImportTargetsHandler,
];

/** Targets: cycles and their versioned schemes and indicator trees, units, targets, reports. */
@Module({ providers: [...commandHandlers, MissedPeriodsCheck], exports: [MissedPeriodsCheck] })
export class TargetsModule {}
