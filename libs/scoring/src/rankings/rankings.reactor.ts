import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  Optional,
} from '@nestjs/common';
import { EVENT_STORE, type EventStore, type EventSubscription, type StoredEvent } from '@dukao/event-store';
import { CLOCK, type Clock, DomainError } from '@dukao/kernel';
import { ProjectionEngine } from '@dukao/projections';
import {
  type CollectionSpec,
  type GenerationWriter,
  READ_MODEL_STORE,
  type ReadModelDocument,
  type ReadModelStore,
  type WriteOp,
} from '@dukao/read-model-store';
import {
  CATEGORIES,
  CYCLES,
  type CycleEvent,
  type CycleView,
  TARGET_EVENT_TYPES,
  TARGETS,
  type TargetEvent,
  type TargetView,
  UNITS,
  type UnitEvent,
  type UnitView,
  periodEnd,
} from '@dukao/targets';
import { scoreCategory } from '../domain/scoring.engine';
import { foldTargets, type TargetFacts } from '../domain/target-facts';
import type { ScoringInput } from '../domain/scoring.inputs';
import { SCORE_AFFECTING_EVENT_TYPES, ScoringInputLoader } from '../scoring-input.loader';
import {
  MONTHLY_RANKINGS,
  type MonthlyRanking,
  RANKING_MONTHS,
  type RankingMonths,
  buildMonthlyRanking,
  monthlyRankingId,
  monthsEndedBy,
  rankingMonthsId,
  sameMonthOf,
  targetEventAffectsFrom,
  withYearOnYear,
} from './monthly-ranking';

/** The view's name in the read-model store (its generations, checkpoint and lease `reactor:rankings`). */
export const RANKINGS_VIEW = 'rankings';
/** Bump when the documents' shape or computation changes: a fresh generation is built from position 0. */
export const RANKINGS_VIEW_VERSION = 2;
export const RANKINGS_COLLECTIONS: readonly CollectionSpec[] = [
  { name: MONTHLY_RANKINGS, indexes: [{ fields: { cycleId: 1, category: 1, month: 1 } }] },
  { name: RANKING_MONTHS, indexes: [{ fields: { cycleId: 1 } }] },
];
/** The views the reactor reads to find what an event touches (and the loader reads to score). */
const READS = [TARGETS, UNITS, CYCLES];

/** Options (tests and benchmarks; the app uses the defaults). */
export interface RankingsReactorOptions {
  /**
   * Most events taken in before the dirty categories are recomputed and committed (each once per
   * batch); a batch also ends whenever the log has nothing more right now. Default 10,000.
   */
  batchSize?: number;
  owner?: string;
  leaseTtlMs?: number;
  /** How long one attempt waits for the views it reads. */
  waitForViewMs?: number;
  logger?: Pick<Logger, 'log' | 'warn' | 'error'>;
}
export const RANKINGS_REACTOR_OPTIONS = Symbol('RANKINGS_REACTOR_OPTIONS');

/** Where a batch's events leave the view: which (cycle, category) to recompute, from which business instant. */
type Dirty = Map<string, { cycleId: string; category: string; from: string | null }>;

const IDLE = Symbol('idle');
const MAX_RETRY_DELAY_MS = 5000;
const LOOKUP_CHUNK = 500;
/** Events read and taken in at a time. */
const READ_CHUNK = 1000;
const VIEW_LIMIT = 100_000;
const RELEVANT = new Set<string>([...SCORE_AFFECTING_EVENT_TYPES, 'UnitRenamed']);
const TARGET_TYPES = new Set<string>(TARGET_EVENT_TYPES);

/**
 * Documents staged by one batch (or one tick) over what the generation holds, so later steps of the
 * same batch read what earlier ones wrote; committed together with the checkpoint.
 */
class Stage {
  private readonly docs = new Map<string, ReadModelDocument | null>();
  constructor(private readonly writer: GenerationWriter) {}

  async get<T extends ReadModelDocument>(collection: string, id: string): Promise<T | null> {
    const key = `${collection}\u0000${id}`;
    if (this.docs.has(key)) return this.docs.get(key) as T | null;
    return this.writer.get<T>(collection, id);
  }
  put(collection: string, document: ReadModelDocument): void {
    this.docs.set(`${collection}\u0000${document._id}`, document);
  }
  delete(collection: string, id: string): void {
    this.docs.set(`${collection}\u0000${id}`, null);
  }
  get size(): number {
    return this.docs.size;
  }
  writes(): WriteOp[] {
    return [...this.docs].map(([key, document]) => {
      const [collection, id] = key.split('\u0000') as [string, string];
      return document === null ? { type: 'delete', collection, id } : { type: 'put', collection, document };
    });
  }
}

interface Run {
  readonly stop: AbortController;
  subscription: EventSubscription | null;
  done: Promise<void>;
}

/**
 * The monthly rankings (月排名) view: for each (cycle, category) and each month of the cycle year whose
 * end has passed, the category's ranking at that month's end as the log now knows it, computed by the
 * engine (`scoreCategory(await loader.load(...))`), with completion against the schedule and the
 * category average, and the same month a year earlier. See docs/scoring.md ("Monthly rankings").
 *
 * A reactor rather than a pure projection, since scoring needs the loader's I/O. It follows the whole
 * log from its checkpoint in batches (every event moves the checkpoint, so read-your-writes works on
 * any position), finds which (cycle, category) each score-affecting event touches and from which
 * month, and recomputes each dirty one once per batch; the documents and the checkpoint are committed
 * together. `refreshMonths` (the timed {@link RankingsSchedule}) adds months whose end has passed with
 * no event.
 *
 * - Idempotent and restart-safe: a document is a function of the log and the month, so handling a
 *   batch again (a crash before the checkpoint) writes the same documents.
 * - Rebuildable: bumping {@link RANKINGS_VIEW_VERSION} (or `rebuild()`) fills a fresh generation from
 *   position 0 while the old one serves, then swaps it in, as the projection engine does.
 * - Runs only in the process holding the lease `reactor:rankings` (the api in embedded mode, the
 *   worker in production); the others stand by.
 * - A month the engine cannot score (no scheme or tree in force at its end) has no document; any other
 *   scoring error leaves that month's document as it was and is logged. Storage errors retry the batch.
 */
@Injectable()
export class RankingsReactor implements OnApplicationBootstrap, BeforeApplicationShutdown {
  /** The last log position the generation being written has taken into account. */
  position: number | null = null;
  private readonly logger: Pick<Logger, 'log' | 'warn' | 'error'>;
  private readonly batchSize: number;
  private readonly owner: string;
  private readonly leaseTtlMs: number;
  private readonly waitForViewMs: number;
  private writer: GenerationWriter | null = null;
  /** The generation being rebuilt (not yet serving), or null when the writer is the active one. */
  private building: number | null = null;
  private rebuildRequested = false;
  private current: Run | null = null;
  private hasLease = false;
  private started = false;
  private leaseTimer: NodeJS.Timeout | null = null;
  private tending: Promise<void> | null = null;
  private exclusive: Promise<unknown> = Promise.resolve();
  /** Events taken in since the last commit: the (cycle, category) they make dirty, and the last position. */
  private taken: { dirty: Dirty; last: number | null; events: number } = {
    dirty: new Map(),
    last: null,
    events: 0,
  };
  private idle: Promise<typeof IDLE> | null = null;

  constructor(
    private readonly loader: ScoringInputLoader,
    private readonly engine: ProjectionEngine,
    @Inject(EVENT_STORE) private readonly events: EventStore,
    @Inject(READ_MODEL_STORE) private readonly views: ReadModelStore,
    @Inject(CLOCK) private readonly clock: Clock,
    @Optional() @Inject(RANKINGS_REACTOR_OPTIONS) options: RankingsReactorOptions | null = null,
  ) {
    this.batchSize = options?.batchSize ?? 10_000;
    this.owner = options?.owner ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
    this.leaseTtlMs = options?.leaseTtlMs ?? 30_000;
    this.waitForViewMs = options?.waitForViewMs ?? 10_000;
    this.logger = options?.logger ?? new Logger('RankingsReactor');
  }

  /** Whether this process holds the lease and keeps the view. */
  get active(): boolean {
    return this.current !== null;
  }

  onApplicationBootstrap(): Promise<void> {
    return this.start();
  }

  beforeApplicationShutdown(): Promise<void> {
    return this.stop();
  }

  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    await this.tendLease();
    this.leaseTimer = setInterval(() => void this.tendLease(), Math.max(50, Math.floor(this.leaseTtlMs / 3)));
    this.leaseTimer.unref();
  }

  /** Stops after the batch in hand is committed, then gives up the lease. */
  async stop(): Promise<void> {
    this.started = false;
    if (this.leaseTimer) clearInterval(this.leaseTimer);
    this.leaseTimer = null;
    await this.tending;
    await this.release();
  }

  /**
   * Builds a fresh generation from position 0 while the current one serves, and swaps it in once it
   * has reached the head of the log. Only where this process keeps the view.
   */
  async rebuild(): Promise<void> {
    if (!this.current) throw new Error('the rankings view is kept by another process; rebuild it there');
    this.rebuildRequested = true;
    const run = this.current;
    run.stop.abort();
    await run.subscription?.close();
    await run.done;
    if (this.hasLease && this.started && this.current === null) this.current = this.startRun();
  }

  /**
   * Resolves true once the serving generation has taken in every event in the log now (for tests and
   * tools that need a quiet view), false after `timeoutMs`.
   */
  async settle(timeoutMs = 10_000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    const head = await this.events.headPosition();
    for (;;) {
      const serving = this.building === null && !this.rebuildRequested && this.current !== null;
      const reached = serving ? this.position : null;
      if (head === null ? serving : (reached ?? -1) >= head) return true;
      if (Date.now() >= deadline) return false;
      await sleep(10);
    }
  }

  /**
   * Adds the rankings of months whose end has passed since each (cycle, category) was last computed,
   * with no event to prompt it. Returns how many month documents it wrote, or null when this process
   * does not keep the view (another does, or it is being rebuilt).
   */
  refreshMonths(): Promise<{ months: number } | null> {
    return this.serially(async () => {
      const writer = this.writer;
      if (!this.current || !writer || this.building !== null || this.position === null) return null;
      const stage = new Stage(writer);
      const now = this.clock().toISOString();
      const cycles = await this.cycles();
      let months = 0;
      for (const cycle of [...cycles.values()].sort((a, b) => a.year - b.year || cmp(a._id, b._id))) {
        for (const category of CATEGORIES) {
          const index = await stage.get<RankingMonths>(RANKING_MONTHS, rankingMonthsId(cycle._id, category));
          const due = monthsEndedBy(cycle.year, now).filter(
            (m) => index?.through == null || m > index.through,
          );
          if (due.length === 0) continue;
          months += await this.recompute(stage, cycles, cycle, category, due, now);
        }
      }
      if (stage.size > 0) await writer.commit(stage.writes(), this.position);
      return { months };
    });
  }

  // ------------------------------------------------------------------------------------------
  // Following the log

  private serially<T>(work: () => Promise<T>): Promise<T> {
    const next = this.exclusive.then(work, work);
    this.exclusive = next.catch(() => undefined);
    return next;
  }

  private tendLease(): Promise<void> {
    this.tending ??= this.renewLease()
      .catch((error: unknown) =>
        this.logger.warn(`${RANKINGS_VIEW}: lease renewal failed (${String(error)})`),
      )
      .finally(() => (this.tending = null));
    return this.tending;
  }

  private async renewLease(): Promise<void> {
    if (!this.started) return;
    const held = await this.views.acquireLease(`reactor:${RANKINGS_VIEW}`, this.owner, this.leaseTtlMs);
    if (held) {
      this.hasLease = true;
      if (this.started && !this.current) this.current = this.startRun();
    } else if (this.hasLease) {
      this.logger.warn(`${RANKINGS_VIEW}: lease lost to another process; standing by`);
      await this.release();
    }
  }

  private async release(): Promise<void> {
    const run = this.current;
    this.current = null;
    if (run) {
      run.stop.abort();
      await run.subscription?.close();
      await run.done;
    }
    if (this.hasLease) {
      this.hasLease = false;
      await this.views.releaseLease(`reactor:${RANKINGS_VIEW}`, this.owner).catch(() => undefined);
    }
  }

  private startRun(): Run {
    const run: Run = { stop: new AbortController(), subscription: null, done: Promise.resolve() };
    run.done = this.react(run)
      .catch((error: unknown) =>
        this.logger.error(`${RANKINGS_VIEW} stopped: ${String(error)}; restarting at the next lease renewal`),
      )
      .finally(() => {
        if (this.current === run) this.current = null;
      });
    return run;
  }

  /** The generation to write: the active one, or a fresh one to rebuild (version bump or request). */
  private async prepare(): Promise<GenerationWriter> {
    const registration = await this.views.registration(RANKINGS_VIEW);
    if (!registration) {
      // First start: nothing older to serve, so the first generation serves while it fills.
      const writer = await this.views.generation(RANKINGS_VIEW, 1, RANKINGS_COLLECTIONS);
      await this.views.activate(RANKINGS_VIEW, 1, RANKINGS_VIEW_VERSION);
      this.building = null;
      return writer;
    }
    if (registration.version === RANKINGS_VIEW_VERSION && !this.rebuildRequested) {
      this.building = null;
      return this.views.generation(RANKINGS_VIEW, registration.generation, RANKINGS_COLLECTIONS);
    }
    const generation = registration.generation + 1;
    // A generation left half-built by an earlier run may come from other code: start it afresh.
    await (await this.views.generation(RANKINGS_VIEW, generation, RANKINGS_COLLECTIONS)).drop();
    this.building = generation;
    this.rebuildRequested = false;
    this.logger.log(`${RANKINGS_VIEW}: building generation ${generation} from the start of the log`);
    return this.views.generation(RANKINGS_VIEW, generation, RANKINGS_COLLECTIONS);
  }

  private async react(run: Run): Promise<void> {
    const writer = await this.serially(async () => {
      this.writer = await this.prepare();
      this.position = await this.writer.checkpoint();
      this.taken = { dirty: new Map(), last: null, events: 0 };
      return this.writer;
    });
    if (run.stop.signal.aborted) return;
    const subscription = this.events.subscribe({ after: this.position ?? undefined, batchSize: READ_CHUNK });
    run.subscription = subscription;
    const events = subscription[Symbol.asyncIterator]();
    const chunk = Math.min(READ_CHUNK, this.batchSize);
    const pending: StoredEvent[] = [];
    let next: Promise<IteratorResult<StoredEvent>> | null = null;
    while (!run.stop.signal.aborted) {
      next ??= events.next();
      let result = await Promise.race([next, this.nextTurn()]);
      if (result === IDLE) {
        // Nothing more right now: take in what came, recompute and commit, see whether a rebuild has caught up.
        if (!(await this.retrying(run, () => this.takeIn(pending)))) return;
        if (!(await this.retrying(run, () => this.serially(() => this.flush(writer))))) return;
        await this.caughtUp(writer);
        result = await next;
      }
      next = null;
      if (result.done) break;
      pending.push(result.value);
      if (pending.length >= chunk) {
        if (!(await this.retrying(run, () => this.takeIn(pending)))) return;
        if (this.taken.events >= this.batchSize) {
          if (!(await this.retrying(run, () => this.serially(() => this.flush(writer))))) return;
        }
        // Let timers and requests in the same process run between chunks while catching up.
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    }
  }

  private nextTurn(): Promise<typeof IDLE> {
    this.idle ??= new Promise((resolve) =>
      setImmediate(() => {
        this.idle = null;
        resolve(IDLE);
      }),
    );
    return this.idle;
  }

  /** A rebuilt generation that has reached the head of the log replaces the serving one. */
  private async caughtUp(writer: GenerationWriter): Promise<void> {
    if (this.building === null) return;
    const head = await this.events.headPosition();
    if (head !== null && (this.position ?? -1) < head) return;
    await this.serially(async () => {
      await this.views.activate(RANKINGS_VIEW, writer.generation, RANKINGS_VIEW_VERSION);
      this.building = null;
    });
    this.logger.log(`${RANKINGS_VIEW}: generation ${writer.generation} caught up and now serves`);
  }

  /** Runs `step` until it succeeds (storage errors, views lagging), with backoff; false when stopped first. */
  private async retrying(run: Run, step: () => Promise<void>): Promise<boolean> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        await step();
        return true;
      } catch (error) {
        if (run.stop.signal.aborted) return false;
        const delay = Math.min(MAX_RETRY_DELAY_MS, 100 * 2 ** attempt);
        this.logger.warn(
          `${RANKINGS_VIEW}: after position ${this.position ?? '-'}: ${String(error)}; retrying in ${delay} ms`,
        );
        await sleep(delay, undefined, { signal: run.stop.signal }).catch(() => undefined);
        if (run.stop.signal.aborted) return false;
      }
    }
  }

  /**
   * Takes the pending events in (emptying the list once done): what they make dirty joins what the
   * events taken in since the last commit made dirty. The events themselves are not kept.
   */
  private async takeIn(pending: StoredEvent[]): Promise<void> {
    if (pending.length === 0) return;
    const last = pending.at(-1)!.position;
    const relevant = pending.filter((e) => RELEVANT.has(e.type));
    if (relevant.length > 0) {
      await this.viewsReached(last);
      const dirty = await this.dirtyOf(relevant, await this.cycles());
      for (const [key, entry] of dirty) {
        const seen = this.taken.dirty.get(key);
        if (!seen) this.taken.dirty.set(key, entry);
        else if (seen.from !== null && (entry.from === null || entry.from < seen.from))
          seen.from = entry.from;
      }
    }
    this.taken.last = last;
    this.taken.events += pending.length;
    pending.length = 0;
  }

  /** Recomputes each dirty (cycle, category) once, and commits the documents with the checkpoint. */
  private async flush(writer: GenerationWriter): Promise<void> {
    const { dirty, last } = this.taken;
    if (last === null) return;
    const stage = new Stage(writer);
    if (dirty.size > 0) {
      const cycles = await this.cycles();
      const now = this.clock().toISOString();
      const order = [...dirty.values()].sort(
        (a, b) =>
          (cycles.get(a.cycleId)?.year ?? 0) - (cycles.get(b.cycleId)?.year ?? 0) ||
          cmp(a.cycleId, b.cycleId) ||
          cmp(a.category, b.category),
      );
      for (const { cycleId, category, from } of order) {
        const cycle = cycles.get(cycleId);
        if (!cycle) continue;
        const months = monthsEndedBy(cycle.year, now).filter((m) => from === null || from <= periodEnd(m));
        await this.recompute(stage, cycles, cycle, category, months, now);
      }
    }
    await writer.commit(stage.writes(), last);
    this.position = last;
    this.taken = { dirty: new Map(), last: null, events: 0 };
  }

  private async viewsReached(position: number): Promise<void> {
    const ready = await Promise.all(
      READS.map((c) => this.engine.waitFor(this.engine.ownerOf(c), position, this.waitForViewMs)),
    );
    const behind = READS.filter((_, i) => !ready[i]);
    if (behind.length > 0)
      throw new Error(`views ${behind.join(', ')} have not reached position ${position}`);
  }

  private async cycles(): Promise<Map<string, CycleView>> {
    const cycles = await this.views.find<CycleView>(CYCLES, {}, { sort: { _id: 1 }, limit: VIEW_LIMIT });
    return new Map(cycles.map((c) => [c._id, c]));
  }

  /** Which (cycle, category) the events touch, and from which business instant (null: every month). */
  private async dirtyOf(events: readonly StoredEvent[], cycles: Map<string, CycleView>): Promise<Dirty> {
    const dirty: Dirty = new Map();
    const mark = (cycleId: string, category: string, from: string | null) => {
      const key = `${cycleId}\u0000${category}`;
      const seen = dirty.get(key);
      if (!seen) dirty.set(key, { cycleId, category, from });
      else if (seen.from !== null && (from === null || from < seen.from)) seen.from = from;
    };
    const everyCycle = (category: string) => {
      for (const cycleId of cycles.keys()) mark(cycleId, category, null);
    };
    const targetIds = new Set<string>();
    const unitIds = new Set<string>();
    for (const event of events) {
      if (TARGET_TYPES.has(event.type)) targetIds.add((event as unknown as TargetEvent).data.targetId);
      else if (event.type === 'UnitRenamed') unitIds.add((event as unknown as UnitEvent).data.unitId);
      else if (typeof event.data.unitId === 'string' && event.type !== 'UnitRegistered')
        unitIds.add(event.data.unitId);
    }
    const targets = await this.lookup<TargetView>(TARGETS, targetIds);
    const units = await this.lookup<UnitView>(UNITS, unitIds);
    for (const event of events) {
      if (TARGET_TYPES.has(event.type)) {
        const e = event as unknown as TargetEvent;
        if (e.type === 'TargetProposed' || e.type === 'TargetResubmitted') {
          // A resubmission may move the target: every category of its cycle.
          const { cycleId, category } = e.data.definition;
          if (e.type === 'TargetResubmitted') CATEGORIES.forEach((c) => mark(cycleId, c, null));
          else mark(cycleId, category, null);
          continue;
        }
        const target = targets.get(e.data.targetId);
        if (target) mark(target.cycleId, target.category, targetEventAffectsFrom(event));
        continue;
      }
      switch (event.type) {
        case 'UnitRegistered':
          everyCycle((event as unknown as UnitEvent & { type: 'UnitRegistered' }).data.category);
          continue;
        case 'UnitRenamed': {
          const unit = units.get((event as unknown as UnitEvent).data.unitId);
          if (unit) everyCycle(unit.category);
          continue;
        }
        case 'SchemePublished':
          CATEGORIES.forEach((c) => mark((event as unknown as CycleEvent).data.cycleId, c, null));
          continue;
        case 'IndicatorTreePublished': {
          const { cycleId, category } = (event as unknown as CycleEvent & { type: 'IndicatorTreePublished' })
            .data;
          mark(cycleId, category, null);
          continue;
        }
        default: {
          // Evaluation results (a cycle, many units), score records and rulings (a cycle and a unit).
          const { cycleId, unitId } = event.data as { cycleId?: unknown; unitId?: unknown };
          if (typeof cycleId !== 'string') continue;
          const unit = typeof unitId === 'string' ? units.get(unitId) : undefined;
          if (unit) mark(cycleId, unit.category, null);
          else CATEGORIES.forEach((c) => mark(cycleId, c, null));
        }
      }
    }
    return dirty;
  }

  private async lookup<T extends ReadModelDocument>(
    collection: string,
    ids: Set<string>,
  ): Promise<Map<string, T>> {
    const found = new Map<string, T>();
    const all = [...ids];
    for (let i = 0; i < all.length; i += LOOKUP_CHUNK) {
      const chunk = all.slice(i, i + LOOKUP_CHUNK);
      for (const doc of await this.views.find<T>(
        collection,
        { _id: { $in: chunk } },
        { limit: chunk.length },
      ))
        found.set(doc._id, doc);
    }
    return found;
  }

  /**
   * Recomputes the requested months of one (cycle, category), and those ended since it was last
   * computed, into the stage; updates its month index, and the year-on-year comparison of the next
   * year's rankings of those months. Returns the documents written.
   */
  private async recompute(
    stage: Stage,
    cycles: Map<string, CycleView>,
    cycle: CycleView,
    category: string,
    requested: readonly string[],
    now: string,
  ): Promise<number> {
    const cycleId = cycle._id;
    const indexId = rankingMonthsId(cycleId, category);
    const index = (await stage.get<RankingMonths>(RANKING_MONTHS, indexId)) ?? {
      _id: indexId,
      cycleId,
      category,
      year: cycle.year,
      months: [],
      through: null,
    };
    const present = new Set(index.months);
    const previous = previousCycle(cycles, cycle.year);
    // Months ended since this (cycle, category) was last computed are due whatever the events touch.
    const ended = monthsEndedBy(cycle.year, now);
    const fresh = ended.filter((m) => index.through === null || m > index.through);
    const months = [...new Set([...requested, ...fresh])].sort();
    let written = 0;
    if (months.length > 0) {
      const units = await this.views.find<UnitView>(UNITS, { category }, { limit: VIEW_LIMIT });
      const unitNames = new Map(units.map((u) => [u._id, u.name]));
      // One read of the log for every month: each month's input is built from it in turn.
      let inputAt: (at: string) => ScoringInput;
      try {
        inputAt = await this.loader.prepare({ cycleId, category });
      } catch (error) {
        if (error instanceof DomainError && error.code === 'CYCLE_NOT_FOUND') return written;
        throw error;
      }
      // Every month's input holds the same events as known now: their per-target facts are folded once.
      let facts: TargetFacts[] | undefined;
      for (const month of months) {
        const id = monthlyRankingId(cycleId, category, month);
        const input = inputAt(periodEnd(month));
        facts ??= foldTargets(input.targetEvents, input.asOf);
        const ranking = this.score(input, facts, cycle.year, month, unitNames);
        if (ranking === undefined) continue;
        if (ranking === null) {
          if (present.delete(month)) stage.delete(MONTHLY_RANKINGS, id);
          continue;
        }
        const lastYear = previous
          ? await stage.get<MonthlyRanking>(
              MONTHLY_RANKINGS,
              monthlyRankingId(previous._id, category, sameMonthOf(month, cycle.year - 1)),
            )
          : null;
        stage.put(MONTHLY_RANKINGS, withYearOnYear(ranking, lastYear));
        present.add(month);
        written += 1;
      }
    }
    const through = ended.at(-1) ?? null;
    stage.put(RANKING_MONTHS, {
      ...index,
      months: [...present].sort(),
      through:
        through !== null && (index.through === null || through > index.through) ? through : index.through,
    } satisfies RankingMonths);
    // The next year's rankings of these months compare with what was just written.
    for (const next of cycles.values()) {
      if (next.year !== cycle.year + 1 || previousCycle(cycles, next.year)?._id !== cycleId) continue;
      for (const month of months) {
        const nextId = monthlyRankingId(next._id, category, sameMonthOf(month, next.year));
        const ranking = await stage.get<MonthlyRanking>(MONTHLY_RANKINGS, nextId);
        if (!ranking) continue;
        const lastYear = await stage.get<MonthlyRanking>(
          MONTHLY_RANKINGS,
          monthlyRankingId(cycleId, category, month),
        );
        stage.put(MONTHLY_RANKINGS, withYearOnYear(ranking, lastYear));
      }
    }
    return written;
  }

  /**
   * The month's ranking; null when the engine cannot score it (no scheme or tree in force at the
   * month's end); undefined on any other scoring error (logged; the stored document stays).
   */
  private score(
    input: ScoringInput,
    facts: readonly TargetFacts[],
    year: number,
    month: string,
    unitNames: ReadonlyMap<string, string>,
  ): MonthlyRanking | null | undefined {
    try {
      // The view keeps only the numbers: no trace is built.
      const scored = scoreCategory(input, { trace: 'none', facts });
      return buildMonthlyRanking({ year, month, scored, input, unitNames, facts });
    } catch (error) {
      if (
        error instanceof DomainError &&
        (error.code === 'NO_SCHEME_IN_FORCE' || error.code === 'NO_TREE_IN_FORCE')
      )
        return null;
      this.logger.error(
        `${RANKINGS_VIEW}: ${input.cycleId}/${input.category} ${month} not scored: ${String(error)}`,
      );
      return undefined;
    }
  }
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Last year's cycle a cycle of `year` compares with: of the cycles of year − 1, the first by id. */
function previousCycle(cycles: Map<string, CycleView>, year: number): CycleView | undefined {
  return [...cycles.values()].filter((c) => c.year === year - 1).sort((a, b) => cmp(a._id, b._id))[0];
}
