import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { type CommandContext, EVENT_STORE, type EventStore, handleCommand } from '@dukao/event-store';
import { DomainError } from '@dukao/kernel';
import { type TargetCommand, type TargetState, targetDecider } from '../domain/target.decider';
import { TargetErrors } from '../domain/target.errors';
import { targetStream } from '../domain/target.events';

export interface TargetOutcome {
  id: string;
  revision: number;
  position: number | null;
  replayed: boolean;
}

/**
 * Whose target the caller may act on: unit staff only on their unit's targets (`unitId`), reviewers
 * only on targets whose data their unit collects (`dataCollectionUnitId`). null units: no limit.
 */
export interface TargetScope {
  field: 'unitId' | 'dataCollectionUnitId';
  unitIds: string[] | null;
}

/** Every change to an existing target: review, adjustment, withdrawal, reports, verification. */
export class ChangeTarget extends Command<TargetOutcome> {
  constructor(
    readonly targetId: string,
    readonly command: Exclude<TargetCommand, { type: 'ProposeTarget' }>,
    readonly context: CommandContext,
    readonly scope: TargetScope | null = null,
    readonly expectedRevision?: number,
  ) {
    super();
  }
}

export const outOfScope = () => new DomainError('forbidden', 'OUT_OF_SCOPE', '无权处理其他单位的目标');

@CommandHandler(ChangeTarget)
export class ChangeTargetHandler implements ICommandHandler<ChangeTarget> {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async execute({
    targetId,
    command,
    context,
    scope,
    expectedRevision,
  }: ChangeTarget): Promise<TargetOutcome> {
    const check = (state: TargetState) => {
      if (state.status === 'none') throw TargetErrors.targetNotFound();
      if (scope && scope.unitIds !== null && !scope.unitIds.includes(state.definition[scope.field]))
        throw outOfScope();
    };
    const result = await handleCommand(this.store, targetStream(targetId), targetDecider, command, context, {
      check,
      expectedRevision,
    });
    return {
      id: targetId,
      revision: result.nextRevision,
      position: result.position,
      replayed: result.replayed,
    };
  }
}
