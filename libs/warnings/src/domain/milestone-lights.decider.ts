import type { Decider } from '@dukao/event-store';
import type { EvaluationCause } from './warning.decider';
import { type MilestoneLight, milestoneStatus } from './milestone-light';

/**
 * 亮灯: each milestone's light as its own history, on `milestonelights-<targetId>`: one event per
 * milestone whose light changed, so the log says when a milestone turned yellow or red, under which
 * scheme version and yellow window. A milestone never recorded is green (nothing to chase yet).
 * The light itself is `milestoneStatus` (pure policy); this decider only records changes, as the
 * warning decider does for levels.
 */
export const milestoneLightsStream = (targetId: string) => `milestonelights-${targetId}`;

/** One milestone as an evaluation found it. */
export interface MilestoneReading {
  milestoneId: string;
  title: string;
  dueDate: string;
  light: MilestoneLight;
  done: boolean;
  /** Done after its due date (green again, but late). */
  late: boolean;
}

export type MilestoneLightChanged = {
  type: 'MilestoneLightChanged';
  data: {
    targetId: string;
    cycleId: string;
    unitId: string;
    category: string;
    milestoneId: string;
    title: string;
    dueDate: string;
    light: MilestoneLight;
    previousLight: MilestoneLight;
    done: boolean;
    late: boolean;
    schemeVersion: number;
    /** The yellow window applied (days before due), the scheme's or the target's own. */
    milestoneYellowDays: number;
    evaluatedAt: string;
    cause: EvaluationCause;
  };
};
export type MilestoneLightEvent = MilestoneLightChanged;
export const MILESTONE_LIGHT_EVENT_TYPES: readonly MilestoneLightEvent['type'][] = ['MilestoneLightChanged'];

export type EvaluateMilestoneLights = {
  type: 'EvaluateMilestoneLights';
  targetId: string;
  cycleId: string;
  unitId: string;
  category: string;
  milestones: readonly MilestoneReading[];
  schemeVersion: number;
  milestoneYellowDays: number;
  at: string;
  cause: EvaluationCause;
};

/** The last recorded light of each milestone (absent: green). */
export type MilestoneLightsState = ReadonlyMap<string, MilestoneLight>;

export const milestoneLightsDecider: Decider<
  EvaluateMilestoneLights,
  MilestoneLightsState,
  MilestoneLightEvent
> = {
  initialState: () => new Map(),

  evolve(state, event) {
    const next = new Map(state);
    next.set(event.data.milestoneId, event.data.light);
    return next;
  },

  /** One event per milestone whose light differs from its last recorded one; none when all stay. */
  decide(command, state) {
    const { targetId, cycleId, unitId, category, schemeVersion, milestoneYellowDays, at, cause } = command;
    return command.milestones
      .filter((m) => m.light !== (state.get(m.milestoneId) ?? 'green'))
      .map((m) => ({
        type: 'MilestoneLightChanged' as const,
        data: {
          targetId,
          cycleId,
          unitId,
          category,
          milestoneId: m.milestoneId,
          title: m.title,
          dueDate: m.dueDate,
          light: m.light,
          previousLight: state.get(m.milestoneId) ?? 'green',
          done: m.done,
          late: m.late,
          schemeVersion,
          milestoneYellowDays,
          evaluatedAt: at,
          cause,
        },
      }));
  },
};

/**
 * The readings of a target's milestones at `now`. A target no longer chased (withdrawn, returned)
 * has every light green: nothing is left to act on, as its warning is cleared.
 */
export function readMilestones(
  milestones: ReadonlyArray<{
    milestoneId: string;
    title: string;
    dueDate: string;
    completedOn: string | null;
  }>,
  now: string | Date,
  milestoneYellowDays: number,
  chased: boolean,
): MilestoneReading[] {
  return milestones.map((m) => {
    const status = milestoneStatus(m, now, { milestoneYellowDays });
    return {
      milestoneId: m.milestoneId,
      title: m.title,
      dueDate: m.dueDate,
      light: chased ? status.light : 'green',
      done: status.done,
      late: status.late,
    };
  });
}
