import { documentProjection } from '@dukao/projections';
import type { ReadModelDocument } from '@dukao/read-model-store';
import type { EvidenceRef } from '@dukao/evidence-store';
import {
  SPOT_CHECK_EVENT_TYPES,
  type SpotCheckDrawn,
  type SpotCheckEvent,
  type SpotCheckOutcome,
} from './spot-check.events';

export const SPOT_CHECKS = 'spotChecks';

/** A sampled item with its finding (null fields until it is recorded). */
export interface SpotCheckItemView {
  itemId: string;
  stratum: string;
  rank: number;
  targetId: string;
  reportId: string | null;
  period: string | null;
  unitId: string;
  category: string;
  indicatorId: string;
  outcome: SpotCheckOutcome | null;
  /** The report the finding names (for a sampled target, when one is named). */
  findingReportId: string | null;
  findings: string | null;
  evidence: EvidenceRef[];
  caseId: string | null;
  decidedAt: string | null;
  decidedBy: string | null;
}

/** One document per draw: how it was drawn (without the frame itself: see the event), and the sample's findings. */
export interface SpotCheckView
  extends ReadModelDocument, Omit<SpotCheckDrawn['data'], 'frame' | 'sample' | 'logEventHash'> {
  frameSize: number;
  drawnBy: string;
  items: SpotCheckItemView[];
  counts: Record<SpotCheckOutcome | 'pending', number>;
  status: 'open' | 'completed';
}

function withCounts(view: SpotCheckView, items: SpotCheckItemView[]): SpotCheckView {
  const counts = { pending: 0, confirmed: 0, falseReport: 0, concealment: 0 };
  for (const item of items) counts[item.outcome ?? 'pending'] += 1;
  return { ...view, items, counts, status: counts.pending === 0 ? 'completed' : 'open' };
}

export const spotChecksProjection = documentProjection<SpotCheckView>({
  name: 'spotChecks',
  version: 1,
  eventTypes: SPOT_CHECK_EVENT_TYPES,
  collection: {
    name: SPOT_CHECKS,
    indexes: [{ fields: { cycleId: 1, drawnAt: -1 } }, { fields: { drawnAt: -1 } }],
  },
  documentId: (event) => (event as unknown as SpotCheckEvent).data.spotCheckId,
  evolve(view, stored) {
    const event = stored as unknown as SpotCheckEvent;
    const by = stored.metadata.actor.userId;
    switch (event.type) {
      case 'SpotCheckDrawn': {
        const { frame, sample, logEventHash: _hash, ...rest } = event.data;
        const byId = new Map(frame.map((f) => [f.itemId, f]));
        const items = sample.map((s): SpotCheckItemView => {
          const f = byId.get(s.itemId)!;
          return {
            itemId: s.itemId,
            stratum: s.stratum,
            rank: s.rank,
            targetId: f.targetId,
            reportId: f.reportId,
            period: f.period,
            unitId: f.unitId,
            category: f.category,
            indicatorId: f.indicatorId,
            outcome: null,
            findingReportId: null,
            findings: null,
            evidence: [],
            caseId: null,
            decidedAt: null,
            decidedBy: null,
          };
        });
        const base = { _id: rest.spotCheckId, ...rest, frameSize: frame.length, drawnBy: by };
        return withCounts(
          { ...base, items: [], counts: {} as SpotCheckView['counts'], status: 'open' },
          items,
        );
      }
      case 'SpotCheckOutcomeRecorded': {
        if (!view) return null;
        const d = event.data;
        return withCounts(
          view,
          view.items.map((i) =>
            i.itemId === d.itemId
              ? {
                  ...i,
                  outcome: d.outcome,
                  findingReportId: d.reportId,
                  findings: d.findings,
                  evidence: d.evidence,
                  decidedAt: d.decidedAt,
                  decidedBy: by,
                }
              : i,
          ),
        );
      }
      case 'FalseReportConfirmed': {
        if (!view) return null;
        return {
          ...view,
          items: view.items.map((i) =>
            i.itemId === event.data.itemId ? { ...i, caseId: event.data.caseId } : i,
          ),
        };
      }
    }
  },
});
