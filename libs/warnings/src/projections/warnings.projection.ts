import type { StoredEvent } from '@dukao/event-store';
import { documentProjection } from '@dukao/projections';
import type { ReadModelDocument } from '@dukao/read-model-store';
import type { WarningLevel, WarningThresholds } from '../domain/warning-level';
import { WARNING_EVENT_TYPES, type WarningEvent, type WarningReasonData } from '../domain/warning.decider';

export const WARNINGS = 'warnings';

/** A target's current warning (level none once cleared) and every change of level, oldest first. */
export interface WarningView extends ReadModelDocument {
  cycleId: string;
  unitId: string;
  category: string;
  level: WarningLevel;
  reasons: WarningReasonData[];
  schemeVersion: number;
  /**
   * The thresholds applied when the target reached its current level (the scheme version's with the
   * target's own in their place), and the target's own among them (null: none). Absent for a change
   * recorded before per-target thresholds existed: the scheme version's applied.
   */
  thresholds?: WarningThresholds;
  overrides?: Partial<WarningThresholds> | null;
  /** When the target reached its current level. */
  since: string;
  history: Array<{
    level: WarningLevel;
    previousLevel: WarningLevel;
    at: string;
    reasons: WarningReasonData[];
    schemeVersion: number;
    thresholds?: WarningThresholds;
    overrides?: Partial<WarningThresholds> | null;
  }>;
}

/** The board and the lists read this; one document per target that ever had a warning. */
export const warningsProjection = documentProjection<WarningView>({
  name: 'warnings',
  version: 1,
  eventTypes: WARNING_EVENT_TYPES,
  collection: {
    name: WARNINGS,
    indexes: [
      { fields: { cycleId: 1, category: 1, level: 1 } },
      { fields: { unitId: 1, level: 1 } },
      { fields: { level: 1, since: -1 } },
    ],
  },
  documentId: (event) => (event as unknown as WarningEvent).data.targetId,
  evolve(warning, stored: StoredEvent) {
    const event = stored as unknown as WarningEvent;
    const { cycleId, unitId, category, schemeVersion, evaluatedAt, previousLevel } = event.data;
    const level: WarningLevel = event.type === 'WarningRaised' ? event.data.level : 'none';
    const reasons = event.type === 'WarningRaised' ? event.data.reasons : [];
    // What applied, as recorded (absent on events from before per-target thresholds).
    const applied =
      event.data.thresholds === undefined
        ? {}
        : { thresholds: event.data.thresholds, overrides: event.data.overrides ?? null };
    return {
      _id: event.data.targetId,
      cycleId,
      unitId,
      category,
      level,
      reasons,
      schemeVersion,
      ...applied,
      since: evaluatedAt,
      history: [
        ...(warning?.history ?? []),
        { level, previousLevel, at: evaluatedAt, reasons, schemeVersion, ...applied },
      ],
    };
  },
});
