import { Inject, Injectable, Optional } from '@nestjs/common';
import type { FalseReportConfirmed } from '@dukao/audit';
import { EVENT_STORE, type EventStore, readAllPages, type StoredEvent } from '@dukao/event-store';
import type { EvaluationResultsPublished } from '@dukao/evaluations';
import { READ_MODEL_STORE, type ReadModelStore } from '@dukao/read-model-store';
import { ACCOUNTABILITY_ACTION_EVENT, type AccountabilityActionTaken } from '@dukao/supervision';
import {
  type CycleEvent,
  CycleErrors,
  cycleStream,
  TARGETS,
  type TargetEvent,
  targetStream,
  type TargetView,
  targetsProjection,
  UNITS,
  unitStream,
  unitsProjection,
  type UnitView,
} from '@dukao/targets';
import type {
  EventProvenance,
  IndicatorTreeVersion,
  RecordedTargetEvent,
  Ruling,
  RulingSubject,
  SatisfactionResult,
  SchemeVersion,
  ScoringInput,
  UnitRecord,
} from './domain/scoring.inputs';
import type { AppealSubject, RulingRecorded } from './domain/appeal.events';
import { SCORE_RECORD_EVENT_TYPES, type ScoreRecordEvent } from './domain/score-adjustment.events';

/** What to score: one category of one cycle at the business instant `at`, as known at `asOf`. */
export interface ScoringRequest {
  cycleId: string;
  category: string;
  at: string;
  asOf?: string;
}

/** The raw material read from the log and the views, before it is shaped into a {@link ScoringInput}. */
export interface ScoringSources {
  /** The cycle's stream (`cycle-{cycleId}`), in stream order. */
  cycleEvents: readonly StoredEvent[];
  /** The units of the category (the ranking population) with the time they were registered. */
  units: ReadonlyArray<{ unitId: string; registeredAt: string }>;
  /** The streams of the category's targets of the cycle, any order. */
  targetEvents: readonly StoredEvent[];
  /** `EvaluationResultsPublished` events (any cycle: those of other cycles are left out here). */
  evaluationEvents: readonly StoredEvent[];
  /**
   * `ScoreAdjusted`, `VetoImposed` and `RulingRecorded` events (any cycle and unit: those of other
   * cycles or of units outside the population are left out here). Absent: none.
   */
  recordEvents?: readonly StoredEvent[];
}

export const EVALUATION_RESULTS_EVENT: EvaluationResultsPublished['type'] = 'EvaluationResultsPublished';
/** A confirmed false report (虚报) or concealment (瞒报) of @dukao/audit's spot checks: a `falseReport` record. */
export const FALSE_REPORT_EVENT: FalseReportConfirmed['type'] = 'FalseReportConfirmed';

/** The target events the engine folds (review steps and missed periods never change a number). */
const SCORED_TARGET_EVENTS: readonly TargetEvent['type'][] = [
  'TargetProposed',
  'TargetResubmitted',
  'TargetIssued',
  'TargetAdjusted',
  'TargetWithdrawn',
  'ProgressReported',
  'NilReturnDeclared',
  'ReportVerified',
  'ReportRejected',
];

/**
 * Every event type that can change a score: what the loader reads. A view of scores recomputes the
 * (cycle, category) an event of one of these types touches; any other event leaves every score as it
 * was. Where to find the (cycle, category):
 * - target events: the target's `cycleId` and `category` (from its definition, via `targetId`);
 * - `SchemePublished` (every category of the cycle), `IndicatorTreePublished` (`cycleId`, `category`);
 * - `UnitRegistered`: the unit's `category` (the population of every cycle of that category);
 * - `EvaluationResultsPublished`: `cycleId`, and the category of each unit in `units`;
 * - `ScoreAdjusted`, `VetoImposed`, `RulingRecorded`: `cycleId` and `unitId` (→ the unit's category);
 * - `AccountabilityActionTaken` (@dukao/supervision): `cycleId` and `unitId`, likewise;
 * - `FalseReportConfirmed` (@dukao/audit, 虚报瞒报 confirmed by a spot check): likewise.
 * A unit's rename changes no number (only the name shown).
 */
export const SCORE_AFFECTING_EVENT_TYPES: readonly string[] = [
  ...SCORED_TARGET_EVENTS,
  'SchemePublished',
  'IndicatorTreePublished',
  'UnitRegistered',
  EVALUATION_RESULTS_EVENT,
  ...SCORE_RECORD_EVENT_TYPES,
  'RulingRecorded' satisfies RulingRecorded['type'],
  ACCOUNTABILITY_ACTION_EVENT,
  FALSE_REPORT_EVENT,
];

const known = (asOf: string | undefined, recordedAt: string) => asOf === undefined || recordedAt <= asOf;

/** The tree version in force at `at` among those known at `asOf`, as the engine picks it. */
function treeInForce(
  trees: readonly IndicatorTreeVersion[],
  at: string,
  asOf: string | undefined,
): IndicatorTreeVersion | undefined {
  return trees
    .filter((t) => t.effectiveFrom <= at && known(asOf, t.recordedAt))
    .sort(
      (a, b) =>
        (a.effectiveFrom < b.effectiveFrom ? -1 : a.effectiveFrom > b.effectiveFrom ? 1 : 0) ||
        a.version - b.version,
    )
    .at(-1);
}

/**
 * Shapes what was read into the engine's input (pure; see docs/scoring.md, "Feeding the engine").
 * - schemes and trees come from the cycle's own events, so `recordedAt` is the log's;
 * - units registered after `asOf` are not yet in the population;
 * - satisfaction: an evaluation campaign does not name an indicator, so each unit's `overall` of an
 *   `EvaluationResultsPublished` of this cycle is mapped to the first `satisfaction`-method
 *   indicator (in tree order) of the category's tree in force at `at` (as known at `asOf`); no such
 *   indicator, or an `overall` of null (no responses): nothing. Business time: `publishedAt`;
 * - records: `ScoreAdjusted` → `bonus` / `penalty` with its amount, `VetoImposed` → `veto`, each of
 *   this cycle and a unit of the population, business time `occurredAt` (the start of its
 *   `occurredOn`); `AccountabilityActionTaken` (@dukao/supervision) → `accountability` with its
 *   `action` (the engine takes the deduction from the scheme in force), business time its
 *   `occurredAt`; `FalseReportConfirmed` (@dukao/audit: a spot check's 虚报 or 瞒报 finding, both
 *   deducted alike) → `falseReport` (the scheme's deduction per case), business time its `occurredAt`;
 * - rulings: `RulingRecorded` of this cycle and a unit of the population; an adjustment or veto
 *   appealed becomes a ruling on that record (by its event id), a verification one on that
 *   ReportRejected, a score one on the total. Business time: `effectiveFrom`.
 */
export function buildScoringInput(request: ScoringRequest, sources: ScoringSources): ScoringInput {
  return inputsFrom(sources)(request);
}

const provenanceOf = (stored: StoredEvent): EventProvenance => ({
  eventId: stored.id,
  position: stored.position,
  type: stored.type,
  recordedAt: stored.metadata.recordedAt,
  occurredAt: stored.metadata.occurredAt ?? null,
  actor: stored.metadata.actor ?? null,
});

/**
 * {@link buildScoringInput} for any request over the same sources: the target events (most of a
 * category) are shaped once and shared by every input built, which must then not be modified.
 */
function inputsFrom(sources: ScoringSources): (request: ScoringRequest) => ScoringInput {
  const targetEvents: RecordedTargetEvent[] = sources.targetEvents.map((stored) => ({
    eventId: stored.id,
    position: stored.position,
    recordedAt: stored.metadata.recordedAt,
    event: stored as unknown as TargetEvent,
  }));
  const targetProvenance = sources.targetEvents.map(provenanceOf);
  return (request) => shape(request, sources, targetEvents, targetProvenance);
}

function shape(
  request: ScoringRequest,
  sources: ScoringSources,
  targetEvents: RecordedTargetEvent[],
  targetProvenance: readonly EventProvenance[],
): ScoringInput {
  const { cycleId, category, at, asOf } = request;
  const schemes: SchemeVersion[] = [];
  const trees: IndicatorTreeVersion[] = [];
  for (const stored of sources.cycleEvents) {
    const event = stored as unknown as CycleEvent;
    if (event.type === 'SchemePublished') {
      schemes.push({
        version: event.data.version,
        effectiveFrom: event.data.effectiveFrom,
        recordedAt: stored.metadata.recordedAt,
        scoring: event.data.scheme.scoring,
      });
    } else if (event.type === 'IndicatorTreePublished' && event.data.category === category) {
      trees.push({
        version: event.data.version,
        effectiveFrom: event.data.effectiveFrom,
        recordedAt: stored.metadata.recordedAt,
        scale: event.data.scale,
        indicators: event.data.indicators,
      });
    }
  }

  const unitIds = sources.units
    .filter((u) => known(asOf, u.registeredAt))
    .map((u) => u.unitId)
    .sort();
  const unitSet = new Set(unitIds);

  const satisfaction: SatisfactionResult[] = [];
  const indicatorId = treeInForce(trees, at, asOf)?.indicators.find(
    (i) => i.method === 'satisfaction',
  )?.indicatorId;
  if (indicatorId !== undefined) {
    for (const stored of sources.evaluationEvents) {
      if (stored.type !== EVALUATION_RESULTS_EVENT) continue;
      const data = (stored as unknown as EvaluationResultsPublished).data;
      if (data.cycleId !== cycleId) continue;
      for (const result of data.units) {
        if (result.overall === null || !unitSet.has(result.unitId)) continue;
        satisfaction.push({
          eventId: stored.id,
          position: stored.position,
          recordedAt: stored.metadata.recordedAt,
          unitId: result.unitId,
          indicatorId,
          score: result.overall,
          sourceEventId: stored.id,
          occurredAt: data.publishedAt,
        });
      }
    }
  }

  const records: UnitRecord[] = [];
  const rulings: Ruling[] = [];
  for (const stored of sources.recordEvents ?? []) {
    const ref = { eventId: stored.id, position: stored.position, recordedAt: stored.metadata.recordedAt };
    const event = stored as unknown as
      ScoreRecordEvent | RulingRecorded | AccountabilityActionTaken | FalseReportConfirmed;
    if (event.data.cycleId !== cycleId || !unitSet.has(event.data.unitId)) continue;
    switch (event.type) {
      case 'ScoreAdjusted':
        records.push({
          ...ref,
          unitId: event.data.unitId,
          occurredAt: event.data.occurredAt,
          reason: event.data.reason,
          kind: event.data.kind,
          amount: event.data.amount,
        });
        break;
      case 'VetoImposed':
        records.push({
          ...ref,
          unitId: event.data.unitId,
          occurredAt: event.data.occurredAt,
          reason: event.data.reason,
          kind: 'veto',
        });
        break;
      case 'FalseReportConfirmed':
        records.push({
          ...ref,
          unitId: event.data.unitId,
          occurredAt: event.data.occurredAt,
          reason: event.data.findings,
          kind: 'falseReport',
        });
        break;
      case 'AccountabilityActionTaken':
        records.push({
          ...ref,
          unitId: event.data.unitId,
          occurredAt: event.data.occurredAt,
          reason: event.data.reason,
          kind: 'accountability',
          action: event.data.action,
        });
        break;
      case 'RulingRecorded':
        rulings.push({
          ...ref,
          appealId: event.data.appealId,
          unitId: event.data.unitId,
          subject: rulingSubject(event.data.subject),
          outcome: event.data.outcome,
          amount: event.data.amount,
          effectiveFrom: event.data.effectiveFrom,
        });
        break;
      default:
        break;
    }
  }

  const provenance: EventProvenance[] = [];
  for (const stored of sources.cycleEvents) {
    const event = stored as unknown as CycleEvent;
    if (
      event.type === 'SchemePublished' ||
      (event.type === 'IndicatorTreePublished' && event.data.category === category)
    )
      provenance.push(provenanceOf(stored));
  }
  for (const p of targetProvenance) provenance.push(p);
  const satisfactionEvents = new Set(satisfaction.map((s) => s.eventId));
  for (const e of sources.evaluationEvents)
    if (satisfactionEvents.has(e.id)) provenance.push(provenanceOf(e));
  const recordAndRulingEvents = new Set([...records, ...rulings].map((r) => r.eventId));
  for (const e of sources.recordEvents ?? [])
    if (recordAndRulingEvents.has(e.id)) provenance.push(provenanceOf(e));

  return {
    cycleId,
    category,
    at,
    ...(asOf !== undefined ? { asOf } : {}),
    unitIds,
    schemes,
    trees,
    targetEvents,
    satisfaction,
    records,
    rulings,
    provenance,
  };
}

/** What the engine needs of an appeal's subject: the contested record, rejection, or the score. */
function rulingSubject(subject: AppealSubject): RulingSubject {
  switch (subject.kind) {
    case 'adjustment':
    case 'veto':
    case 'accountability':
    case 'falseReport':
      return { kind: 'record', eventId: subject.eventId };
    case 'verification':
      return {
        kind: 'rejection',
        targetId: subject.targetId,
        reportId: subject.reportId,
        eventId: subject.eventId,
      };
    case 'score':
      return { kind: 'score' };
  }
}

/** The streams of targets (`target-{targetId}`). */
const TARGET_STREAM_PREFIX = targetStream('');
/** The streams of units (`unit-{unitId}`). */
const UNIT_STREAM_PREFIX = unitStream('');

const RECORD_AND_RULING_EVENTS: readonly string[] = [
  ...SCORE_RECORD_EVENT_TYPES,
  'RulingRecorded' satisfies RulingRecorded['type'],
  ACCOUNTABILITY_ACTION_EVENT,
  FALSE_REPORT_EVENT,
];

/** Most units of one category read in one go. */
const VIEW_LIMIT = 100_000;
/** Targets read from the targets view per page (their ids; their events come from their streams). */
const TARGET_PAGE = 5000;
/**
 * A category with at least this many targets, and at least a quarter of all targets, has its target
 * events read in one pass over the log's target streams rather than stream by stream (one query per
 * target costs more than reading the other categories' events along: see docs/benchmarks.md).
 */
const ONE_PASS_MIN_TARGETS = 2000;

/**
 * A stored event with only the metadata scoring reads (`recordedAt`, `occurredAt`, `actor`): a large
 * category holds millions of them at once, and the hashes and correlation ids are most of an
 * event's memory. The events themselves are the log's; nothing else changes.
 */
function slim(event: StoredEvent): StoredEvent {
  const { recordedAt, occurredAt, actor } = event.metadata;
  return { ...event, metadata: { recordedAt, occurredAt, actor } as StoredEvent['metadata'] };
}

/** Most (cycle, category) sources {@link ScoringInputLoader.loadRecent} keeps (least recently used go first). */
const KEPT_CATEGORIES = 4;
/** A category with more target events than this is never kept: its sources are read for each request. */
const KEPT_MAX_TARGET_EVENTS = 50_000;

/** Tuning of the loader (tests; the app uses the defaults). */
export interface ScoringInputLoaderOptions {
  /** See {@link ONE_PASS_MIN_TARGETS}. */
  onePassMinTargets?: number;
}
export const SCORING_INPUT_LOADER_OPTIONS = Symbol('SCORING_INPUT_LOADER_OPTIONS');

/**
 * Builds a {@link ScoringInput} from the log: the cycle stream (scheme and tree versions), the
 * units view (the category's units), the category's target events and the log's evaluation
 * results. The target events come from the log itself, so the views' lag never changes a number:
 * for a category of few targets, the targets view says which and each stream is read; for a large
 * one, one pass over every target stream keeps those whose definition is of the cycle and category.
 * Throws `CYCLE_NOT_FOUND` for a cycle that was never opened.
 */
@Injectable()
export class ScoringInputLoader {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(READ_MODEL_STORE) private readonly views: ReadModelStore,
    @Optional()
    @Inject(SCORING_INPUT_LOADER_OPTIONS)
    private readonly options: ScoringInputLoaderOptions | null = null,
  ) {}

  async load(request: ScoringRequest): Promise<ScoringInput> {
    return buildScoringInput(request, await this.sources(request));
  }

  /** Sources kept by {@link loadRecent}, by (cycle, category), least recently used first. */
  private readonly kept = new Map<
    string,
    { position: number; inputs: (r: ScoringRequest) => ScoringInput }
  >();

  /**
   * What {@link load} gives, from sources kept in memory while nothing they are read from has moved
   * (for reads on demand: explain, the ranking of an instant). Kept with the log position `P` they
   * are complete to: the least of the log's head and the units and targets views' checkpoints,
   * taken before reading. They are used again only if the log holds no event after `P` in the
   * cycle's stream, a unit or target stream, or of the evaluation, record and ruling types (what
   * the sources are read from); otherwise they are read afresh. The sources do not depend on `at`
   * or `asOf` (the engine filters by recordedAt), so any instant is scored from them. The inputs
   * built share the target events and must not be modified.
   */
  async loadRecent(request: ScoringRequest): Promise<ScoringInput> {
    const key = JSON.stringify([request.cycleId, request.category]);
    const kept = this.kept.get(key);
    this.kept.delete(key);
    if (kept && !(await this.movedSince(kept.position, request.cycleId))) {
      this.kept.set(key, kept);
      return kept.inputs(request);
    }
    const position = await this.settledPosition();
    const sources = await this.sources(request);
    const inputs = inputsFrom(sources);
    if (position !== null && sources.targetEvents.length <= KEPT_MAX_TARGET_EVENTS) {
      this.kept.set(key, { position, inputs });
      for (const oldest of this.kept.keys()) {
        if (this.kept.size <= KEPT_CATEGORIES) break;
        this.kept.delete(oldest);
      }
    }
    return inputs(request);
  }

  /** The log position the log and the views the loader reads have all reached; null: nothing yet. */
  private async settledPosition(): Promise<number | null> {
    const [head, units, targets] = await Promise.all([
      this.store.headPosition(),
      this.views.registration(unitsProjection.name),
      this.views.registration(targetsProjection.name),
    ]);
    if (head === null || units?.checkpoint == null || targets?.checkpoint == null) return null;
    return Math.min(head, units.checkpoint, targets.checkpoint);
  }

  /** Whether the log holds an event after `position` that the sources of a category of `cycleId` may read. */
  private async movedSince(position: number, cycleId: string): Promise<boolean> {
    const [streams, types] = await Promise.all([
      this.store.readAll({
        after: position,
        limit: 1,
        filter: { streamPrefixes: [cycleStream(cycleId), TARGET_STREAM_PREFIX, UNIT_STREAM_PREFIX] },
      }),
      this.store.readAll({
        after: position,
        limit: 1,
        filter: { eventTypes: [EVALUATION_RESULTS_EVENT, ...RECORD_AND_RULING_EVENTS] },
      }),
    ]);
    return streams.length > 0 || types.length > 0;
  }

  /**
   * One read of the log for a (cycle, category) as known at `asOf`, then its input at any business
   * instant: `(await loader.prepare(r))(at)` is what `load({ ...r, at })` gives (the rankings view
   * scores every month end of a category this way). Inputs are built one at a time, when asked.
   */
  async prepare(request: Omit<ScoringRequest, 'at'>): Promise<(at: string) => ScoringInput> {
    const inputAt = inputsFrom(await this.sources(request));
    return (at) => inputAt({ ...request, at });
  }

  private async sources(request: Omit<ScoringRequest, 'at'>): Promise<ScoringSources> {
    const cycleEvents = await this.store.readStream(cycleStream(request.cycleId));
    if (!cycleEvents.some((e) => e.type === 'CycleOpened')) throw CycleErrors.notFound();
    const { cycleId, category } = request;
    const [units, inCategory, all] = await Promise.all([
      this.views.find<UnitView>(UNITS, { category }, { sort: { _id: 1 }, limit: VIEW_LIMIT }),
      this.views.count(TARGETS, { cycleId, category }),
      this.views.count(TARGETS),
    ]);
    const targetEvents =
      inCategory >= Math.max(this.options?.onePassMinTargets ?? ONE_PASS_MIN_TARGETS, all / 4)
        ? await this.targetEventsInOnePass(cycleId, category)
        : await this.targetEventsByStream(cycleId, category);
    // One indexed pass by event type for what is not kept per target: satisfaction results, the
    // office's records (adjustments, vetoes) and rulings; buildScoringInput keeps this cycle's.
    const evaluationEvents: StoredEvent[] = [];
    const recordEvents: StoredEvent[] = [];
    for await (const event of readAllPages(this.store, {
      filter: { eventTypes: [EVALUATION_RESULTS_EVENT, ...RECORD_AND_RULING_EVENTS] },
    }))
      (event.type === EVALUATION_RESULTS_EVENT ? evaluationEvents : recordEvents).push(event);
    return {
      cycleEvents,
      units: units.map((u) => ({ unitId: u._id, registeredAt: u.registeredAt })),
      targetEvents,
      evaluationEvents,
      recordEvents,
    };
  }

  /** The category's targets from the targets view (paged by id), each stream read from the log. */
  private async targetEventsByStream(cycleId: string, category: string): Promise<StoredEvent[]> {
    const events: StoredEvent[] = [];
    for (let after: string | null = null; ;) {
      const page: TargetView[] = await this.views.find<TargetView>(
        TARGETS,
        after === null ? { cycleId, category } : { cycleId, category, _id: { $gt: after } },
        { sort: { _id: 1 }, limit: TARGET_PAGE },
      );
      const streams = await Promise.all(page.map((t) => this.store.readStream(targetStream(t._id))));
      for (const stream of streams) events.push(...stream);
      if (page.length < TARGET_PAGE) return events;
      after = page.at(-1)!._id;
    }
  }

  /**
   * One pass over every target stream of the log, keeping the events of targets whose definition
   * (the latest proposal or resubmission) is of this cycle and category. A target a resubmission
   * moved into the category has its stream read again whole, since its earlier events were passed over.
   */
  private async targetEventsInOnePass(cycleId: string, category: string): Promise<StoredEvent[]> {
    const kept = new Map<string, StoredEvent[]>();
    const member = new Map<string, boolean>();
    const movedIn = new Set<string>();
    for await (const event of readAllPages(this.store, {
      filter: { streamPrefixes: [TARGET_STREAM_PREFIX] },
    })) {
      const { targetId } = event.data as { targetId?: unknown };
      if (typeof targetId !== 'string' || event.streamId !== targetStream(targetId)) continue;
      if (event.type === 'TargetProposed' || event.type === 'TargetResubmitted') {
        const { definition } = (event as unknown as Extract<TargetEvent, { type: 'TargetProposed' }>).data;
        const isMember = definition.cycleId === cycleId && definition.category === category;
        if (isMember && member.get(targetId) === false) movedIn.add(targetId);
        member.set(targetId, isMember);
      }
      if (!member.get(targetId)) continue;
      const list = kept.get(targetId);
      if (list) list.push(slim(event));
      else kept.set(targetId, [slim(event)]);
    }
    for (const targetId of movedIn)
      if (member.get(targetId)) kept.set(targetId, await this.store.readStream(targetStream(targetId)));
    const events: StoredEvent[] = [];
    for (const [targetId, list] of kept) if (member.get(targetId)) events.push(...list);
    return events;
  }
}
