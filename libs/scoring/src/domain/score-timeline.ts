import { DomainError } from '@dukao/kernel';
import { fromThousandths } from './decimal';
import { scoreCategory, type ScoringRule, type TraceStep, type UnitScore } from './scoring.engine';
import { type EventProvenance, SATISFACTION_EVENT_TYPE, type ScoringInput } from './scoring.inputs';

/** An input event recorded at a timeline instant. */
export interface TimelineEvent {
  eventId: string | null;
  position: number | null;
  type: string;
  targetId?: string;
  /** Business time from the stored metadata (null when the input carries no provenance). */
  occurredAt: string | null;
  recordedAt: string;
  actor: EventProvenance['actor'];
}

/** A rule of the unit's trace whose output changed (or that appeared / disappeared). */
export interface RuleChange {
  rule: ScoringRule;
  indicatorId?: string;
  targetId?: string;
  before: unknown;
  after: unknown;
}

export interface TimelineEntry {
  /** The instant the event(s) were recorded: the score is folded with `asOf` just before and at it. */
  recordedAt: string;
  /** The input events recorded at that instant (usually one). */
  events: TimelineEvent[];
  /** Null: the unit was not scorable (no scheme or tree in force, or not yet in the population). */
  totalThousandthsBefore: number | null;
  totalThousandthsAfter: number | null;
  totalBefore: number | null;
  totalAfter: number | null;
  /** Exact: after − before in thousandths (an unscored side counts as 0). */
  deltaThousandths: number;
  delta: number;
  schemeVersion: number | null;
  rulesChanged: RuleChange[];
}

export interface ScoreTimeline {
  unitId: string;
  at: string;
  /** Total before the first entry (0: nothing recorded yet). */
  startThousandths: number;
  finalThousandths: number;
  entries: TimelineEntry[];
}

interface State {
  score: UnitScore | null;
  schemeVersion: number | null;
}

function scoreAsOf(input: ScoringInput, unitId: string, asOf: string | null): State {
  if (asOf === null) return { score: null, schemeVersion: null };
  try {
    const c = scoreCategory({ ...input, asOf }, { trace: { units: [unitId] } });
    return { score: c.units.find((u) => u.unitId === unitId) ?? null, schemeVersion: c.schemeVersion };
  } catch (e) {
    if (e instanceof DomainError) return { score: null, schemeVersion: null };
    throw e;
  }
}

const stepKey = (s: TraceStep) => `${s.rule}|${s.indicatorId ?? ''}|${s.targetId ?? ''}`;

function outputs(score: UnitScore | null): Map<string, TraceStep[]> {
  const m = new Map<string, TraceStep[]>();
  for (const s of score?.trace ?? []) m.set(stepKey(s), [...(m.get(stepKey(s)) ?? []), s]);
  return m;
}

function ruleChanges(before: UnitScore | null, after: UnitScore | null): RuleChange[] {
  const b = outputs(before);
  const a = outputs(after);
  const changes: RuleChange[] = [];
  for (const key of new Set([...b.keys(), ...a.keys()])) {
    const bo = (b.get(key) ?? []).map((s) => s.output);
    const ao = (a.get(key) ?? []).map((s) => s.output);
    if (JSON.stringify(bo) === JSON.stringify(ao)) continue;
    const s = (a.get(key) ?? b.get(key))![0]!;
    changes.push({
      rule: s.rule,
      ...(s.indicatorId !== undefined ? { indicatorId: s.indicatorId } : {}),
      ...(s.targetId !== undefined ? { targetId: s.targetId } : {}),
      before: bo.length === 0 ? null : bo.length === 1 ? bo[0] : bo,
      after: ao.length === 0 ? null : ao.length === 1 ? ao[0] : ao,
    });
  }
  return changes;
}

/** Every input event of `input` (known at `input.asOf`, if given), with its provenance when the input has it. */
function inputEvents(input: ScoringInput): TimelineEvent[] {
  const prov = input.provenance ?? [];
  const byId = new Map(prov.map((p) => [p.eventId, p]));
  const meta = (eventId: string) => ({
    occurredAt: byId.get(eventId)?.occurredAt ?? null,
    actor: byId.get(eventId)?.actor ?? null,
  });
  const events = new Map<string, TimelineEvent>();
  for (const t of input.targetEvents)
    events.set(t.eventId, {
      eventId: t.eventId,
      position: t.position,
      type: t.event.type,
      targetId: t.event.data.targetId,
      recordedAt: t.recordedAt,
      ...meta(t.eventId),
    });
  for (const s of input.satisfaction)
    events.set(s.eventId, {
      eventId: s.eventId,
      position: s.position,
      type: byId.get(s.eventId)?.type ?? SATISFACTION_EVENT_TYPE,
      recordedAt: s.recordedAt,
      ...meta(s.eventId),
    });
  for (const r of input.records)
    events.set(r.eventId, {
      eventId: r.eventId,
      position: r.position,
      type: byId.get(r.eventId)?.type ?? r.kind,
      recordedAt: r.recordedAt,
      ...meta(r.eventId),
    });
  for (const r of input.rulings ?? [])
    events.set(r.eventId, {
      eventId: r.eventId,
      position: r.position,
      type: byId.get(r.eventId)?.type ?? 'RulingRecorded',
      recordedAt: r.recordedAt,
      ...meta(r.eventId),
    });
  const versions = [
    ...input.schemes.map((v) => ({ type: 'SchemePublished', v })),
    ...input.trees.map((v) => ({ type: 'IndicatorTreePublished', v })),
  ];
  for (const { type, v } of versions) {
    const p = prov.find((x) => x.type === type && x.recordedAt === v.recordedAt);
    const key = p?.eventId ?? `${type}-v${v.version}-${v.recordedAt}`;
    events.set(key, {
      eventId: p?.eventId ?? null,
      position: p?.position ?? null,
      type,
      recordedAt: v.recordedAt,
      occurredAt: p?.occurredAt ?? null,
      actor: p?.actor ?? null,
    });
  }
  const asOf = input.asOf;
  return [...events.values()]
    .filter((e) => asOf === undefined || e.recordedAt <= asOf)
    .sort(
      (a, b) =>
        (a.recordedAt < b.recordedAt ? -1 : a.recordedAt > b.recordedAt ? 1 : 0) ||
        (a.position ?? -1) - (b.position ?? -1),
    );
}

/**
 * The events that moved `unitId`'s score at the business instant `input.at`, in recordedAt order
 * (pure). The input is folded once per distinct recordedAt (asOf = that instant; "before" is the
 * previous instant), so the cost is (#distinct recordedAt) × one category fold. Instants whose
 * events change neither the unit's total nor any rule output of its trace are omitted; events
 * recorded at the same instant cannot be told apart by `asOf` and share one entry. Each delta is
 * exact (thousandths), so the deltas sum to the final total minus the start (0).
 */
export function scoreTimeline(input: ScoringInput, unitId: string): ScoreTimeline {
  const events = inputEvents(input);
  const instants = [...new Set(events.map((e) => e.recordedAt))];
  const entries: TimelineEntry[] = [];
  let prev: State = { score: null, schemeVersion: null };
  for (const recordedAt of instants) {
    const next = scoreAsOf(input, unitId, recordedAt);
    const before = prev.score?.totalThousandths ?? null;
    const after = next.score?.totalThousandths ?? null;
    const rulesChanged = ruleChanges(prev.score, next.score);
    if (before !== after || rulesChanged.length > 0) {
      const deltaThousandths = (after ?? 0) - (before ?? 0);
      entries.push({
        recordedAt,
        events: events.filter((e) => e.recordedAt === recordedAt),
        totalThousandthsBefore: before,
        totalThousandthsAfter: after,
        totalBefore: prev.score?.total ?? null,
        totalAfter: next.score?.total ?? null,
        deltaThousandths,
        delta: fromThousandths(deltaThousandths),
        schemeVersion: next.schemeVersion,
        rulesChanged,
      });
    }
    prev = next;
  }
  return {
    unitId,
    at: input.at,
    startThousandths: 0,
    finalThousandths: prev.score?.totalThousandths ?? 0,
    entries,
  };
}
