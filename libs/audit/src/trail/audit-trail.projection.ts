import type { EventData, JsonValue, StoredEvent } from '@dukao/event-store';
import { documentProjection } from '@dukao/projections';
import type { ReadModelDocument } from '@dukao/read-model-store';

/**
 * What an event supersedes, names or revisits:
 * - `replaces`: a correction (更正) replaces an earlier report (`data.replaces`, a report id);
 * - `supersedes`: a republication replaces an earlier publication (`data.supersedes`);
 * - `contests`: an appeal or a ruling names the contested event (`data.subject.eventId`);
 * - `resubmits`: a returned target proposal resubmitted, or a rating sheet's later version;
 * - `adjusts`: a target value changed on a ruling (`data.rulingRef`).
 */
export type SupersededKind = 'replaces' | 'supersedes' | 'contests' | 'resubmits' | 'adjusts';
export interface SupersededRef {
  kind: SupersededKind;
  /** The id it names (a report id, a publication id, an event id, a target id, a ruling reference). */
  ref: string;
}

/** One document per event of the log: the audit trail's index, with the fields its filters use. */
export interface AuditTrailEntry extends ReadModelDocument {
  position: number;
  eventId: string;
  type: string;
  schemaVersion: number;
  streamId: string;
  category: string;
  revision: number;
  actorId: string;
  actorRole: string;
  actorUnitId: string | null;
  recordedAt: string;
  occurredAt: string;
  correlationId: string;
  causationId: string | null;
  commandId: string | null;
  /** The target the event is about, when it names one. */
  targetId: string | null;
  /** The assessed unit the event is about (`data.unitId`), when it names one. */
  unitId: string | null;
  supersedes: SupersededRef[];
  hash: string;
  /** The event's data, with credential hashes ({@link REDACTED_KEYS}) hidden. */
  data: EventData;
}

export const AUDIT_TRAIL = 'auditTrail';

/** Credential hashes some identity events carry: kept in the log (and its hashes), never shown in the trail. */
export const REDACTED_KEYS: ReadonlySet<string> = new Set([
  'passwordHash',
  'refreshHash',
  'previousHash',
  'presentedHash',
]);
export const REDACTED = '[已隐去]';

function redact(value: JsonValue): JsonValue {
  if (Array.isArray(value)) return value.map(redact);
  if (value === null || typeof value !== 'object') return value;
  const out: { [key: string]: JsonValue } = {};
  for (const [key, item] of Object.entries(value))
    out[key] = REDACTED_KEYS.has(key) ? REDACTED : redact(item);
  return out;
}

const text = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null);

function targetOf(event: StoredEvent): string | null {
  const data = event.data as Record<string, unknown>;
  const subject = data.subject as Record<string, unknown> | undefined;
  return text(data.targetId) ?? text(subject?.targetId) ?? null;
}

function unitOf(event: StoredEvent): string | null {
  const data = event.data as Record<string, unknown>;
  const definition = data.definition as Record<string, unknown> | undefined;
  return text(data.unitId) ?? text(definition?.unitId) ?? null;
}

/** The links an event carries to what it supersedes (see {@link SupersededKind}). */
export function supersededBy(event: StoredEvent): SupersededRef[] {
  const data = event.data as Record<string, unknown>;
  const refs: SupersededRef[] = [];
  const replaces = text(data.replaces);
  if (replaces) refs.push({ kind: 'replaces', ref: replaces });
  const supersedes = text(data.supersedes);
  if (supersedes) refs.push({ kind: 'supersedes', ref: supersedes });
  const contested = text((data.subject as Record<string, unknown> | undefined)?.eventId);
  if (contested) refs.push({ kind: 'contests', ref: contested });
  if (event.type === 'TargetResubmitted' && text(data.targetId))
    refs.push({ kind: 'resubmits', ref: String(data.targetId) });
  if (event.type === 'RatingSheetSubmitted' && typeof data.version === 'number' && data.version > 1)
    refs.push({ kind: 'resubmits', ref: `${event.streamId}@${data.version - 1}` });
  const ruling = text(data.rulingRef);
  if (event.type === 'TargetAdjusted' && ruling) refs.push({ kind: 'adjusts', ref: ruling });
  return refs;
}

/**
 * The audit trail (审计轨迹): every event with who, in which role, when recorded and when it
 * happened, its correlation and causation, and what it supersedes. Queries filter it by target,
 * unit, actor, type and time and page through it by position; they never read the log.
 */
export const auditTrailProjection = documentProjection<AuditTrailEntry>({
  name: 'auditTrail',
  version: 1,
  collection: {
    name: AUDIT_TRAIL,
    indexes: [
      { fields: { position: 1 }, unique: true },
      { fields: { targetId: 1, position: 1 } },
      { fields: { unitId: 1, position: 1 } },
      { fields: { actorId: 1, position: 1 } },
      { fields: { type: 1, position: 1 } },
      { fields: { recordedAt: 1 } },
      { fields: { streamId: 1, revision: 1 } },
      { fields: { correlationId: 1 } },
    ],
  },
  documentId: (event) => event.id,
  evolve: (existing, event) => {
    if (existing) return existing;
    const m = event.metadata;
    return {
      _id: event.id,
      position: event.position,
      eventId: event.id,
      type: event.type,
      schemaVersion: event.schemaVersion,
      streamId: event.streamId,
      category: event.streamId.split('-')[0]!,
      revision: event.revision,
      actorId: m.actor.userId,
      actorRole: m.actor.role,
      actorUnitId: m.actor.unitId ?? null,
      recordedAt: m.recordedAt,
      occurredAt: m.occurredAt,
      correlationId: m.correlationId,
      causationId: m.causationId ?? null,
      commandId: m.commandId ?? null,
      targetId: targetOf(event),
      unitId: unitOf(event),
      supersedes: supersededBy(event),
      hash: m.hash,
      data: redact(event.data) as EventData,
    };
  },
});
