import type { StoredEvent } from '@dukao/event-store';
import { documentProjection } from '@dukao/projections';
import type { ReadModelDocument } from '@dukao/read-model-store';
import type { MilestoneLight } from '../domain/milestone-light';
import { MILESTONE_LIGHT_EVENT_TYPES, type MilestoneLightChanged } from '../domain/milestone-lights.decider';

export const MILESTONE_LIGHTS = 'milestoneLights';

/** A milestone's light as last recorded, and each change, oldest first. */
export interface MilestoneLightView {
  milestoneId: string;
  title: string;
  dueDate: string;
  light: MilestoneLight;
  done: boolean;
  late: boolean;
  since: string;
  schemeVersion: number;
  milestoneYellowDays: number;
  history: Array<{
    light: MilestoneLight;
    previousLight: MilestoneLight;
    at: string;
    schemeVersion: number;
    milestoneYellowDays: number;
  }>;
}

/**
 * 亮灯 per target: one document per target of which a milestone light ever changed, with its lit
 * counts so that the list of red and yellow milestones is an indexed query. Milestones absent here
 * were never anything but green.
 */
export interface MilestoneLightsView extends ReadModelDocument {
  cycleId: string;
  unitId: string;
  category: string;
  milestones: MilestoneLightView[];
  red: number;
  yellow: number;
}

export const milestoneLightsProjection = documentProjection<MilestoneLightsView>({
  name: 'milestoneLights',
  version: 1,
  eventTypes: MILESTONE_LIGHT_EVENT_TYPES,
  collection: {
    name: MILESTONE_LIGHTS,
    indexes: [
      { fields: { cycleId: 1, category: 1, red: 1 } },
      { fields: { unitId: 1, red: 1 } },
      { fields: { red: 1, yellow: 1 } },
    ],
  },
  documentId: (event) => (event as unknown as MilestoneLightChanged).data.targetId,
  evolve(doc, stored: StoredEvent) {
    const { data } = stored as unknown as MilestoneLightChanged;
    const before = doc?.milestones.find((m) => m.milestoneId === data.milestoneId);
    const milestone: MilestoneLightView = {
      milestoneId: data.milestoneId,
      title: data.title,
      dueDate: data.dueDate,
      light: data.light,
      done: data.done,
      late: data.late,
      since: data.evaluatedAt,
      schemeVersion: data.schemeVersion,
      milestoneYellowDays: data.milestoneYellowDays,
      history: [
        ...(before?.history ?? []),
        {
          light: data.light,
          previousLight: data.previousLight,
          at: data.evaluatedAt,
          schemeVersion: data.schemeVersion,
          milestoneYellowDays: data.milestoneYellowDays,
        },
      ],
    };
    const milestones = before
      ? doc!.milestones.map((m) => (m.milestoneId === data.milestoneId ? milestone : m))
      : [...(doc?.milestones ?? []), milestone];
    return {
      _id: data.targetId,
      cycleId: data.cycleId,
      unitId: data.unitId,
      category: data.category,
      milestones,
      red: milestones.filter((m) => m.light === 'red').length,
      yellow: milestones.filter((m) => m.light === 'yellow').length,
    };
  },
});
