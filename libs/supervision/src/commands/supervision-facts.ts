import type { EventStore } from '@dukao/event-store';
import {
  type CycleState,
  type Scheme,
  cycleDecider,
  cycleStream,
  type CycleEvent,
  type TargetEvent,
  type TargetState,
  targetDecider,
  targetStream,
  unitStream,
  versionAt,
} from '@dukao/targets';
import type { AccountabilityActionKind } from '../domain/supervision.events';
import type { ActionDetails, TargetFacts } from '../domain/supervision.decider';

/**
 * The facts the supervision deciders need from other contexts' streams, read from the log (never
 * from a view that may lag): a cycle's status and schemes, whether a unit exists, a target's unit,
 * cycle, status and milestones, and the type of an event named as a cause.
 */
export async function loadCycle(store: EventStore, cycleId: string): Promise<CycleState> {
  const events = await store.readStream(cycleStream(cycleId));
  return events.reduce(
    (s, e) => cycleDecider.evolve(s, e as unknown as CycleEvent),
    cycleDecider.initialState(),
  );
}

export const cycleStatus = (cycle: CycleState): 'none' | 'open' | 'closed' => cycle.status;

export async function unitExists(store: EventStore, unitId: string): Promise<boolean> {
  return (await store.streamRevision(unitStream(unitId))) !== null;
}

export async function loadTargetFacts(
  store: EventStore,
  targetIds: readonly string[],
): Promise<Record<string, TargetFacts>> {
  const facts: Record<string, TargetFacts> = {};
  for (const targetId of new Set(targetIds)) {
    const events = await store.readStream(targetStream(targetId));
    const state = events.reduce<TargetState>(
      (s, e) => targetDecider.evolve(s, e as unknown as TargetEvent),
      targetDecider.initialState(),
    );
    facts[targetId] =
      state.status === 'none'
        ? null
        : {
            unitId: state.definition.unitId,
            cycleId: state.definition.cycleId,
            status: state.status,
            milestoneIds: state.definition.milestones.map((m) => m.milestoneId),
          };
  }
  return facts;
}

/**
 * The deduction for `action` in the scheme in force at `at` (the first version when `at` precedes
 * them all: an action dated on the day the cycle opened), with that version's number.
 */
export function deductionInForce(
  cycle: CycleState,
  action: AccountabilityActionKind,
  at: string,
): { deduction: number; schemeVersion: number } {
  if (cycle.status === 'none' || cycle.schemes.length === 0) return { deduction: 0, schemeVersion: 0 };
  const version = versionAt(cycle.schemes, at) ?? cycle.schemes[0]!;
  const deductions: Scheme['scoring']['accountabilityDeductions'] =
    version.scheme.scoring.accountabilityDeductions;
  return { deduction: deductions[action], schemeVersion: version.version };
}

/** Each cause with the type of the event found under that id in that stream, or null. */
export async function resolveCauses(
  store: EventStore,
  causes: ReadonlyArray<{ streamId: string; eventId: string }>,
): Promise<ActionDetails['causes']> {
  const streams = new Map<string, Map<string, string>>();
  const resolved: ActionDetails['causes'] = [];
  for (const { streamId, eventId } of causes) {
    let types = streams.get(streamId);
    if (!types) {
      types = new Map((await store.readStream(streamId)).map((e) => [e.id, e.type]));
      streams.set(streamId, types);
    }
    resolved.push({ streamId, eventId, type: types.get(eventId) ?? null });
  }
  return resolved;
}
