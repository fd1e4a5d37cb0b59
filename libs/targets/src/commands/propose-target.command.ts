import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { type CommandContext, EVENT_STORE, type EventStore, type StoredEvent, handleCommand } from '@dukao/event-store';
import { DomainError } from '@dukao/kernel';
import { type CycleEvent, type CycleState, cycleDecider, cycleStream, versionAt } from '../domain/cycle.decider';
import { targetDecider } from '../domain/target.decider';
import { type ReviewStage, type TargetDefinition, targetStream } from '../domain/target.events';
import { type UnitEvent, type UnitState, unitDecider, unitStream } from '../domain/unit.decider';
import type { TargetOutcome } from './change-target.command';

/** A proposal as the office enters it; the category comes from the unit, the year from the cycle. */
export type TargetProposal = Omit<TargetDefinition, 'category' | 'year'>;

export class ProposeTarget extends Command<TargetOutcome> {
  constructor(
    readonly targetId: string,
    readonly proposal: TargetProposal,
    readonly reviewStages: ReviewStage[],
    readonly context: CommandContext,
    readonly at: string,
  ) {
    super();
  }
}

const PlanningErrors = {
  cycle: (cycleId: string) => new DomainError('invalid', 'CYCLE_NOT_OPEN', '考核周期不存在或已结束', { cycleId }),
  unit: (unitId: string) => new DomainError('invalid', 'UNIT_NOT_FOUND', '考核单位不存在', { unitId }),
  collector: (unitId: string) => new DomainError('invalid', 'COLLECTOR_NOT_FOUND', '数据采集单位不存在', { unitId }),
  indicator: (indicatorId: string) =>
    new DomainError('invalid', 'INDICATOR_NOT_FOUND', '该单位类别的现行指标体系中没有此指标', { indicatorId }),
};

/**
 * Checks the proposal against the cycle, the unit, the data-collection unit and the indicator tree in
 * force for the unit's category, then writes it. Those are read from their own streams (the same
 * bounded context), so a proposal never rests on a view that lags.
 */
@CommandHandler(ProposeTarget)
export class ProposeTargetHandler implements ICommandHandler<ProposeTarget> {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  private async fold<S, E>(streamId: string, decider: { initialState(): S; evolve(s: S, e: E): S }): Promise<S> {
    const events: StoredEvent[] = await this.store.readStream(streamId);
    return events.reduce((s, e) => decider.evolve(s, e as unknown as E), decider.initialState());
  }

  async execute({ targetId, proposal, reviewStages, context, at }: ProposeTarget): Promise<TargetOutcome> {
    const [cycle, unit, collector] = await Promise.all([
      this.fold<CycleState, CycleEvent>(cycleStream(proposal.cycleId), cycleDecider),
      this.fold<UnitState, UnitEvent>(unitStream(proposal.unitId), unitDecider),
      this.fold<UnitState, UnitEvent>(unitStream(proposal.dataCollectionUnitId), unitDecider),
    ]);
    if (cycle.status !== 'open') throw PlanningErrors.cycle(proposal.cycleId);
    if (unit.status === 'none') throw PlanningErrors.unit(proposal.unitId);
    if (collector.status === 'none') throw PlanningErrors.collector(proposal.dataCollectionUnitId);
    const tree = versionAt(cycle.trees[unit.category] ?? [], at);
    const indicator = tree?.indicators.find((i) => i.indicatorId === proposal.indicatorId);
    const hasChildren = tree?.indicators.some((i) => i.parentId === proposal.indicatorId);
    if (!indicator || hasChildren) throw PlanningErrors.indicator(proposal.indicatorId);

    const definition: TargetDefinition = { ...proposal, category: unit.category, year: cycle.year };
    const result = await handleCommand(
      this.store,
      targetStream(targetId),
      targetDecider,
      { type: 'ProposeTarget', targetId, definition, reviewStages, at },
      context,
    );
    return { id: targetId, revision: result.nextRevision, position: result.position, replayed: result.replayed };
  }
}
