import type { StoredEvent } from '@dukao/event-store';
import type { DocumentChange, Projection } from '@dukao/projections';
import type { ReadModelDocument } from '@dukao/read-model-store';
import { type Cadence, type Direction, TARGET_EVENT_TYPES, type TargetEvent } from '@dukao/targets';
import type { SpotCheckEvent } from '../spot-checks/spot-check.events';
import { ANOMALY_SETTINGS_EVENT_TYPES, type AnomalySettingsPublished } from './anomaly-settings.decider';
import type { AnomalySettings } from './anomaly.settings';

export const ANOMALY_TARGETS = 'anomalyTargets';
export const ANOMALY_EVIDENCE = 'anomalyEvidence';
export const ANOMALY_SETTINGS = 'anomalySettings';
/** The id of the one settings document. */
export const CURRENT_ANOMALY_SETTINGS = 'current';

/** A report as the detectors read it: its value, evidence hashes, times and the event that recorded it. */
export interface AnomalyReport {
  reportId: string;
  eventId: string;
  position: number;
  period: string;
  kind: 'report' | 'nil';
  cumulativeValue: number | null;
  milestonesCompleted: Array<{ milestoneId: string; completedOn: string }>;
  narrative: string;
  evidence: Array<{ sha256: string; name: string }>;
  replaces: string | null;
  dueDate: string;
  occurredAt: string;
  recordedAt: string;
  status: 'counting' | 'replaced' | 'rejected';
}

/** A check of the target: a verification of one of its reports, or a spot check that drew it or one of its reports. */
export interface AnomalyCheck {
  kind: 'verified' | 'spotCheck';
  reportId: string | null;
  eventId: string;
  position: number;
  at: string;
}

/** What the detectors know of one target (`_id` its id): one document per target. */
export interface AnomalyTargetFacts extends ReadModelDocument {
  cycleId: string;
  year: number;
  unitId: string;
  category: string;
  indicatorId: string;
  title: string;
  direction: Direction;
  annualValue: number | null;
  cadence: Cadence;
  issued: boolean;
  withdrawn: boolean;
  reports: AnomalyReport[];
  checks: AnomalyCheck[];
  falseReports: Array<{
    caseId: string;
    kind: 'falseReport' | 'concealment';
    reportId: string | null;
    spotCheckId: string;
    findings: string;
    eventId: string;
    confirmedAt: string;
    /** The committee's ruling on an appeal against the finding, once recorded. */
    ruling?: {
      appealId: string;
      outcome: 'upheld' | 'overturned' | 'partial';
      eventId: string;
      ruledAt: string;
    };
  }>;
}

/** Every report that attached a file (`_id` its SHA-256). */
export interface AnomalyEvidenceUses extends ReadModelDocument {
  uses: Array<{
    reportId: string;
    /** The unit and cycle are the target's (read with the target's document). */
    targetId: string;
    period: string;
    eventId: string;
    recordedAt: string;
  }>;
}

export interface AnomalySettingsView extends ReadModelDocument {
  version: number;
  settings: AnomalySettings;
  note: string | null;
  publishedAt: string;
  publishedBy: string;
}

/**
 * A ruling (@dukao/scoring's RulingRecorded) as far as this view reads it: on an appeal against a
 * false-report finding. Named by its type string, since @dukao/scoring builds on this library.
 */
interface RulingOnFinding {
  appealId: string;
  subject: { kind: string; caseId: string; targetId: string };
  outcome: 'upheld' | 'overturned' | 'partial';
  ruledAt: string;
}

const change = (
  collection: string,
  id: string,
  evolve: (doc: ReadModelDocument | null) => ReadModelDocument | null,
): DocumentChange => ({ collection, id, evolve });

function targetChange(target: AnomalyTargetFacts | null, stored: StoredEvent): AnomalyTargetFacts | null {
  const event = stored as unknown as TargetEvent;
  if (event.type === 'TargetProposed' || event.type === 'TargetResubmitted') {
    const d = event.data.definition;
    return {
      _id: event.data.targetId,
      cycleId: d.cycleId,
      year: d.year,
      unitId: d.unitId,
      category: d.category,
      indicatorId: d.indicatorId,
      title: d.title,
      direction: d.direction,
      annualValue: d.annualValue,
      cadence: d.cadence,
      issued: target?.issued ?? false,
      withdrawn: target?.withdrawn ?? false,
      reports: target?.reports ?? [],
      checks: target?.checks ?? [],
      falseReports: target?.falseReports ?? [],
    };
  }
  if (!target) return null;
  switch (event.type) {
    case 'TargetIssued':
      return { ...target, issued: true };
    case 'TargetWithdrawn':
      return { ...target, withdrawn: true };
    case 'TargetAdjusted':
      return { ...target, annualValue: event.data.newValue };
    case 'ProgressReported':
    case 'NilReturnDeclared': {
      const reported = event.type === 'ProgressReported' ? event.data : null;
      const report: AnomalyReport = {
        reportId: event.data.reportId,
        eventId: stored.id,
        position: stored.position,
        period: event.data.period,
        kind: reported ? 'report' : 'nil',
        cumulativeValue: reported ? reported.cumulativeValue : null,
        milestonesCompleted: reported ? reported.milestonesCompleted : [],
        narrative: reported
          ? reported.narrative
          : event.type === 'NilReturnDeclared'
            ? event.data.reason
            : '',
        evidence: reported ? reported.evidence.map((e) => ({ sha256: e.sha256, name: e.name })) : [],
        replaces: reported ? reported.replaces : null,
        dueDate: event.data.dueDate,
        occurredAt: stored.metadata.occurredAt,
        recordedAt: stored.metadata.recordedAt,
        status: 'counting',
      };
      const reports = target.reports.map((r) =>
        r.reportId === report.replaces ? { ...r, status: 'replaced' as const } : r,
      );
      return { ...target, reports: [...reports, report] };
    }
    case 'ReportRejected':
      return {
        ...target,
        reports: target.reports.map((r) =>
          r.reportId === event.data.reportId ? { ...r, status: 'rejected' as const } : r,
        ),
      };
    case 'ReportVerified':
      return {
        ...target,
        checks: [
          ...target.checks,
          {
            kind: 'verified',
            reportId: event.data.reportId,
            eventId: stored.id,
            position: stored.position,
            at: stored.metadata.recordedAt,
          },
        ],
      };
    default:
      return target;
  }
}

function spotCheckChanges(stored: StoredEvent): DocumentChange[] {
  const event = stored as unknown as SpotCheckEvent;
  if (event.type === 'SpotCheckDrawn') {
    const frame = new Map(event.data.frame.map((f) => [f.itemId, f]));
    const byTarget = new Map<string, Array<string | null>>();
    for (const s of event.data.sample) {
      const item = frame.get(s.itemId);
      if (item) byTarget.set(item.targetId, [...(byTarget.get(item.targetId) ?? []), item.reportId]);
    }
    return [...byTarget].map(([targetId, reportIds]) =>
      change(ANOMALY_TARGETS, targetId, (doc) => {
        if (!doc) return null;
        const target = doc as AnomalyTargetFacts;
        const checks = reportIds.map((reportId): AnomalyCheck => ({
          kind: 'spotCheck',
          reportId,
          eventId: stored.id,
          position: stored.position,
          at: stored.metadata.recordedAt,
        }));
        return { ...target, checks: [...target.checks, ...checks] };
      }),
    );
  }
  if (stored.type === 'RulingRecorded') {
    const d = stored.data as unknown as RulingOnFinding;
    if (d.subject.kind !== 'falseReport') return [];
    const { caseId, targetId } = d.subject;
    const ruling = { appealId: d.appealId, outcome: d.outcome, eventId: stored.id, ruledAt: d.ruledAt };
    return [
      change(ANOMALY_TARGETS, targetId, (doc) => {
        if (!doc) return null;
        const target = doc as AnomalyTargetFacts;
        return {
          ...target,
          falseReports: target.falseReports.map((c) => (c.caseId === caseId ? { ...c, ruling } : c)),
        };
      }),
    ];
  }
  if (event.type === 'FalseReportConfirmed') {
    const d = event.data;
    return [
      change(ANOMALY_TARGETS, d.targetId, (doc) => {
        if (!doc) return null;
        const target = doc as AnomalyTargetFacts;
        const found = {
          caseId: d.caseId,
          kind: d.kind,
          reportId: d.reportId,
          spotCheckId: d.spotCheckId,
          findings: d.findings,
          eventId: stored.id,
          confirmedAt: d.confirmedAt,
        };
        return { ...target, falseReports: [...target.falseReports, found] };
      }),
    ];
  }
  return [];
}

function evidenceChanges(stored: StoredEvent): DocumentChange[] {
  const event = stored as unknown as TargetEvent;
  if (event.type !== 'ProgressReported') return [];
  const hashes = [...new Set(event.data.evidence.map((e) => e.sha256))];
  const { targetId, reportId, period } = event.data;
  return hashes.map((sha256) =>
    change(ANOMALY_EVIDENCE, sha256, (doc) => {
      const uses = (doc as AnomalyEvidenceUses | null)?.uses ?? [];
      const use = { reportId, targetId, period, eventId: stored.id, recordedAt: stored.metadata.recordedAt };
      return { _id: sha256, uses: [...uses, use] };
    }),
  );
}

const TARGET_TYPES = new Set<string>(TARGET_EVENT_TYPES);

/**
 * What the 虚报瞒报 detectors read (GET /anomalies), kept by event so a query never reads the log:
 * per target its reports (values, evidence hashes, times, status), its checks (verifications, spot
 * checks that drew it) and confirmed false reports; per evidence file every report that attached it;
 * and the signal settings in force. The detectors themselves run on read (`detectAnomalies`), so a
 * change of thresholds needs no rebuild.
 */
export const anomaliesProjection: Projection = {
  name: 'anomalies',
  // 2: rulings on appeals against a finding.
  version: 2,
  eventTypes: [
    ...TARGET_EVENT_TYPES,
    'SpotCheckDrawn',
    'FalseReportConfirmed',
    'RulingRecorded',
    ...ANOMALY_SETTINGS_EVENT_TYPES,
  ],
  collections: [
    {
      name: ANOMALY_TARGETS,
      indexes: [{ fields: { cycleId: 1, category: 1 } }, { fields: { unitId: 1 } }],
    },
    { name: ANOMALY_EVIDENCE },
    { name: ANOMALY_SETTINGS },
  ],
  changes(stored) {
    if (stored.type === 'AnomalySettingsPublished') {
      const d = (stored as unknown as AnomalySettingsPublished).data;
      return [
        change(ANOMALY_SETTINGS, CURRENT_ANOMALY_SETTINGS, () => ({
          _id: CURRENT_ANOMALY_SETTINGS,
          version: d.version,
          settings: d.settings,
          note: d.note,
          publishedAt: d.publishedAt,
          publishedBy: stored.metadata.actor.userId,
        })),
      ];
    }
    if (!TARGET_TYPES.has(stored.type)) return spotCheckChanges(stored);
    const targetId = (stored.data as { targetId: string }).targetId;
    return [
      change(ANOMALY_TARGETS, targetId, (doc) => targetChange(doc as AnomalyTargetFacts | null, stored)),
      ...evidenceChanges(stored),
    ];
  },
};
