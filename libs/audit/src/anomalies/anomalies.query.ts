import type { ReadModelStore } from '@dukao/read-model-store';
import {
  ANOMALY_EVIDENCE,
  ANOMALY_SETTINGS,
  ANOMALY_TARGETS,
  type AnomalyEvidenceUses,
  type AnomalySettingsView,
  type AnomalyTargetFacts,
  CURRENT_ANOMALY_SETTINGS,
} from './anomalies.projection';
import { type RankedReport, type RankedUnit, detectAnomalies, rankAnomalies } from './anomaly.detectors';
import {
  ANOMALY_SIGNALS,
  type AnomalySettings,
  type AnomalySignal,
  DEFAULT_ANOMALY_SETTINGS,
} from './anomaly.settings';

export interface AnomalyQuery {
  cycleId?: string;
  unitId?: string;
  category?: string;
  signal?: AnomalySignal;
  limit: number;
  skip: number;
}

export interface AnomalyResult {
  /** The settings the signals were computed with: version 0 is the defaults. */
  settings: { version: number; values: AnomalySettings };
  reports: { items: RankedReport[]; total: number; limit: number; skip: number };
  units: RankedUnit[];
}

/** Most targets the detectors read in one query. */
const TARGET_LIMIT = 100_000;

/** The settings in force: the latest published version, else the defaults (version 0). */
export async function anomalySettingsInForce(
  views: ReadModelStore,
): Promise<{ version: number; values: AnomalySettings }> {
  const doc = await views.get<AnomalySettingsView>(ANOMALY_SETTINGS, CURRENT_ANOMALY_SETTINGS);
  return doc
    ? { version: doc.version, values: doc.settings }
    : { version: 0, values: DEFAULT_ANOMALY_SETTINGS };
}

/**
 * The 虚报瞒报 signals from the `anomalies` views (never the log): the detectors run over the cycle's
 * targets (all cycles when none is given), so distributions and reuse are judged against the whole
 * population; the unit and category filters then choose which findings are shown.
 */
export async function queryAnomalies(views: ReadModelStore, query: AnomalyQuery): Promise<AnomalyResult> {
  const settings = await anomalySettingsInForce(views);
  const targets = await views.find<AnomalyTargetFacts>(
    ANOMALY_TARGETS,
    query.cycleId ? { cycleId: query.cycleId } : {},
    { sort: { _id: 1 }, limit: TARGET_LIMIT },
  );
  const hashes = [
    ...new Set(targets.flatMap((t) => t.reports.flatMap((r) => r.evidence.map((e) => e.sha256)))),
  ];
  const evidence = hashes.length
    ? await views.find<AnomalyEvidenceUses>(
        ANOMALY_EVIDENCE,
        { _id: { $in: hashes } },
        { limit: hashes.length },
      )
    : [];
  const known = new Set(targets.map((t) => t._id));
  const others = [...new Set(evidence.flatMap((e) => e.uses.map((u) => u.targetId)))].filter(
    (id) => !known.has(id),
  );
  const otherTargets = others.length
    ? await views.find<AnomalyTargetFacts>(
        ANOMALY_TARGETS,
        { _id: { $in: others } },
        { limit: others.length },
      )
    : [];
  const findings = detectAnomalies(
    { targets, evidence, otherTargets, settings: settings.values },
    query.signal ? [query.signal] : ANOMALY_SIGNALS,
  ).filter(
    (f) => (!query.unitId || f.unitId === query.unitId) && (!query.category || f.category === query.category),
  );
  const ranked = rankAnomalies(findings);
  return {
    settings,
    reports: {
      items: ranked.reports.slice(query.skip, query.skip + query.limit),
      total: ranked.reports.length,
      limit: query.limit,
      skip: query.skip,
    },
    units: ranked.units,
  };
}
