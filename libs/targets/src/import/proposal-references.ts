import type { EventStore, StoredEvent } from '@dukao/event-store';
import { DomainError } from '@dukao/kernel';
import type { TargetProposal } from '../commands/propose-target.command';
import {
  type CycleEvent,
  type CycleState,
  cycleDecider,
  cycleStream,
  versionAt,
} from '../domain/cycle.decider';
import type { TargetDefinition } from '../domain/target.events';
import { type UnitEvent, type UnitState, unitDecider, unitStream } from '../domain/unit.decider';

/** The refusals of a proposal whose references do not hold (the codes and messages `POST /targets` has always returned). */
export const PlanningErrors = {
  cycle: (cycleId: string) =>
    new DomainError('invalid', 'CYCLE_NOT_OPEN', '考核周期不存在或已结束', { cycleId }),
  unit: (unitId: string) => new DomainError('invalid', 'UNIT_NOT_FOUND', '考核单位不存在', { unitId }),
  collector: (unitId: string) =>
    new DomainError('invalid', 'COLLECTOR_NOT_FOUND', '数据采集单位不存在', { unitId }),
  indicator: (indicatorId: string) =>
    new DomainError('invalid', 'INDICATOR_NOT_FOUND', '该单位类别的现行指标体系中没有此指标', {
      indicatorId,
    }),
};

/** Which proposal field each reference refusal is about (the import reports it against that column). */
export const REFERENCE_FIELDS: Record<string, keyof TargetProposal> = {
  CYCLE_NOT_OPEN: 'cycleId',
  UNIT_NOT_FOUND: 'unitId',
  COLLECTOR_NOT_FOUND: 'dataCollectionUnitId',
  INDICATOR_NOT_FOUND: 'indicatorId',
};

export interface ProposalReferenceCheck {
  /** Every refusal, in the order a single proposal is refused (cycle, unit, collector, indicator); empty when it may be written. */
  problems: DomainError[];
  /** The whole definition (category from the unit, year from the cycle); null when there are problems. */
  definition: TargetDefinition | null;
}

async function fold<S, E>(
  store: Pick<EventStore, 'readStream'>,
  streamId: string,
  decider: { initialState(): S; evolve(s: S, e: E): S },
): Promise<S> {
  const events: StoredEvent[] = await store.readStream(streamId);
  return events.reduce((s, e) => decider.evolve(s, e as unknown as E), decider.initialState());
}

/**
 * Checks a proposal against the planning streams of its own bounded context: the cycle is open, the
 * unit and the data-collection unit exist, and the indicator is a leaf of the tree in force at `at`
 * for the unit's category. It reads the streams themselves, never a view that may lag, and writes
 * nothing, so a bulk import can check every row before proposing any. `store` only needs
 * `readStream`: an import passes a memoised reader so a hundred rows of one cycle read it once.
 */
export async function checkProposalReferences(
  store: Pick<EventStore, 'readStream'>,
  proposal: TargetProposal,
  at: string,
): Promise<ProposalReferenceCheck> {
  const [cycle, unit, collector] = await Promise.all([
    fold<CycleState, CycleEvent>(store, cycleStream(proposal.cycleId), cycleDecider),
    fold<UnitState, UnitEvent>(store, unitStream(proposal.unitId), unitDecider),
    fold<UnitState, UnitEvent>(store, unitStream(proposal.dataCollectionUnitId), unitDecider),
  ]);
  const problems: DomainError[] = [];
  if (cycle.status !== 'open') problems.push(PlanningErrors.cycle(proposal.cycleId));
  if (unit.status === 'none') problems.push(PlanningErrors.unit(proposal.unitId));
  if (collector.status === 'none') problems.push(PlanningErrors.collector(proposal.dataCollectionUnitId));
  // The indicator can only be looked up in a cycle that exists, for a unit whose category is known.
  if (cycle.status !== 'none' && unit.status !== 'none') {
    const tree = versionAt(cycle.trees[unit.category] ?? [], at);
    const indicator = tree?.indicators.find((i) => i.indicatorId === proposal.indicatorId);
    const hasChildren = tree?.indicators.some((i) => i.parentId === proposal.indicatorId);
    if (!indicator || hasChildren) problems.push(PlanningErrors.indicator(proposal.indicatorId));
  }
  if (problems.length > 0 || cycle.status === 'none' || unit.status === 'none')
    return { problems, definition: null };
  return { problems, definition: { ...proposal, category: unit.category, year: cycle.year } };
}
