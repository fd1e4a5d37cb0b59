import { documentProjection } from '@dukao/projections';
import type { ReadModelDocument } from '@dukao/read-model-store';
import { CYCLE_EVENT_TYPES, type CycleEvent } from '../domain/cycle.decider';
import type { Indicator, Scheme } from '../domain/scheme';
import { type Category, UNIT_EVENT_TYPES, type UnitEvent } from '../domain/unit.decider';

export const UNITS = 'units';
export const CYCLES = 'cycles';

export interface UnitView extends ReadModelDocument {
  name: string;
  category: Category;
  subCategory: string | null;
  registeredAt: string;
}

export interface CycleView extends ReadModelDocument {
  year: number;
  name: string;
  status: 'open' | 'closed';
  openedAt: string;
  schemes: Array<{
    version: number;
    effectiveFrom: string;
    note: string;
    scheme: Scheme;
    publishedAt: string;
  }>;
  indicatorTrees: Array<{
    category: string;
    version: number;
    effectiveFrom: string;
    scale: number;
    indicators: Indicator[];
    publishedAt: string;
  }>;
}

export const unitsProjection = documentProjection<UnitView>({
  name: 'units',
  version: 1,
  eventTypes: UNIT_EVENT_TYPES,
  collection: { name: UNITS, indexes: [{ fields: { category: 1, name: 1 } }] },
  documentId: (event) => (event as unknown as UnitEvent).data.unitId,
  evolve(unit, stored) {
    const event = stored as unknown as UnitEvent;
    switch (event.type) {
      case 'UnitRegistered': {
        const { unitId, name, category, subCategory, registeredAt } = event.data;
        return { _id: unitId, name, category, subCategory, registeredAt };
      }
      case 'UnitRenamed':
        return unit && { ...unit, name: event.data.name };
    }
  },
});

/** Cycles with every published version of their scheme and indicator trees, oldest first. */
export const cyclesProjection = documentProjection<CycleView>({
  name: 'cycles',
  version: 1,
  eventTypes: CYCLE_EVENT_TYPES,
  collection: { name: CYCLES, indexes: [{ fields: { year: -1 } }] },
  documentId: (event) => (event as unknown as CycleEvent).data.cycleId,
  evolve(cycle, stored) {
    const event = stored as unknown as CycleEvent;
    if (event.type === 'CycleOpened') {
      const { cycleId, year, name, openedAt } = event.data;
      return { _id: cycleId, year, name, status: 'open', openedAt, schemes: [], indicatorTrees: [] };
    }
    if (!cycle) return null;
    switch (event.type) {
      case 'SchemePublished': {
        const { version, effectiveFrom, note, scheme, publishedAt } = event.data;
        return {
          ...cycle,
          schemes: [...cycle.schemes, { version, effectiveFrom, note, scheme, publishedAt }],
        };
      }
      case 'IndicatorTreePublished': {
        const { category, version, effectiveFrom, scale, indicators, publishedAt } = event.data;
        return {
          ...cycle,
          indicatorTrees: [
            ...cycle.indicatorTrees,
            { category, version, effectiveFrom, scale, indicators, publishedAt },
          ],
        };
      }
      case 'CycleClosed':
        return { ...cycle, status: 'closed' };
    }
  },
});
