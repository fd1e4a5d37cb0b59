import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AppendResult, type NewEvent, SqliteEventStore } from '@dukao/event-store';
import { ProjectionEngine } from '@dukao/projections';
import { type ReadModelDocument, SqliteReadModelStore } from '@dukao/read-model-store';
import {
  type Category,
  DEFAULT_SCHEME,
  type Indicator,
  type Scheme,
  type TargetDefinition,
  cycleStream,
  cyclesProjection,
  targetStream,
  targetsProjection,
  unitStream,
  unitsProjection,
} from '@dukao/targets';
import { ScoringInputLoader } from '../../scoring-input.loader';
import { MONTHLY_RANKINGS, RANKING_MONTHS } from '../monthly-ranking';
import { RANKINGS_VIEW, RankingsReactor, type RankingsReactorOptions } from '../rankings.reactor';

const ACTOR = { userId: 'office', role: 'assessmentAdmin', unitId: null };

/** Logs nothing, keeps the errors (a spec asserts there were none). */
export class QuietLogger {
  readonly errors: string[] = [];
  log(): void {}
  warn(): void {}
  error(message: string): void {
    this.errors.push(message);
  }
}

/**
 * The real SQLite adapters on temp files, the projections the loader reads (units, cycles, targets)
 * run by the engine, the loader, and the rankings reactor over them; with helpers that append the
 * events the commands would. The reactor's clock is `now` (set it to move time).
 */
export class RankingsHarness {
  now = '2026-07-15T04:00:00.000Z';
  readonly logger = new QuietLogger();
  private readonly reactors: RankingsReactor[] = [];

  private constructor(
    readonly dir: string,
    private readonly ownsDir: boolean,
    readonly events: SqliteEventStore,
    readonly views: SqliteReadModelStore,
    readonly engine: ProjectionEngine,
    readonly loader: ScoringInputLoader,
  ) {}

  /** On a fresh temp directory, removed by `close`; or on `dir` (a DATA_DIR), left in place. */
  static async open(dir?: string): Promise<RankingsHarness> {
    const owned = dir === undefined;
    dir ??= mkdtempSync(join(tmpdir(), 'dukao-rankings-'));
    const events = new SqliteEventStore({ filename: join(dir, 'events.sqlite') });
    const views = new SqliteReadModelStore({ filename: join(dir, 'read-models.sqlite') });
    const engine = new ProjectionEngine(
      events,
      views,
      [unitsProjection, cyclesProjection, targetsProjection],
      {
        logger: new QuietLogger(),
      },
    );
    await engine.start();
    return new RankingsHarness(dir, owned, events, views, engine, new ScoringInputLoader(events, views));
  }

  /** A reactor over the harness's stores (not started). */
  reactor(options: RankingsReactorOptions = {}): RankingsReactor {
    const reactor = new RankingsReactor(
      this.loader,
      this.engine,
      this.events,
      this.views,
      () => new Date(this.now),
      {
        logger: this.logger,
        ...options,
      },
    );
    this.reactors.push(reactor);
    return reactor;
  }

  async close(): Promise<void> {
    for (const reactor of this.reactors) await reactor.stop();
    await this.engine.stop();
    await this.views.close();
    await this.events.close();
    if (this.ownsDir) rmSync(this.dir, { recursive: true, force: true });
  }

  /** Every document of the view's serving generation, by collection. */
  async documents(): Promise<Record<string, ReadModelDocument[]>> {
    const registration = await this.views.registration(RANKINGS_VIEW);
    if (!registration) return {};
    const out: Record<string, ReadModelDocument[]> = {};
    for (const collection of [MONTHLY_RANKINGS, RANKING_MONTHS])
      out[collection] = await this.views.find(collection, {}, { sort: { _id: 1 } });
    return out;
  }

  append(streamId: string, type: string, data: Record<string, unknown>): Promise<AppendResult> {
    const event: NewEvent = {
      id: randomUUID(),
      type,
      data: data as NewEvent['data'],
      metadata: { actor: ACTOR, correlationId: randomUUID() },
    };
    return this.events.append(streamId, [event], { expectedRevision: 'any' });
  }

  unit(unitId: string, category: Category, name = unitId) {
    return this.append(unitStream(unitId), 'UnitRegistered', {
      unitId,
      name,
      category,
      subCategory: null,
      registeredAt: '2026-01-02T00:00:00.000Z',
    });
  }

  rename(unitId: string, name: string) {
    return this.append(unitStream(unitId), 'UnitRenamed', { unitId, name, renamedAt: this.now });
  }

  cycle(cycleId: string, year: number) {
    return this.append(cycleStream(cycleId), 'CycleOpened', {
      cycleId,
      year,
      name: `${year}年度绩效考核`,
      openedAt: `${year}-01-02T00:00:00.000Z`,
    });
  }

  scheme(cycleId: string, version: number, effectiveFrom: string, scoring: Partial<Scheme['scoring']> = {}) {
    return this.append(cycleStream(cycleId), 'SchemePublished', {
      cycleId,
      version,
      effectiveFrom,
      scheme: { ...DEFAULT_SCHEME, scoring: { ...DEFAULT_SCHEME.scoring, ...scoring } },
      note: `方案 v${version}`,
      publishedAt: effectiveFrom,
    });
  }

  tree(
    cycleId: string,
    category: Category,
    indicators: Indicator[],
    scale: number,
    effectiveFrom: string,
    version = 1,
  ) {
    return this.append(cycleStream(cycleId), 'IndicatorTreePublished', {
      cycleId,
      category,
      version,
      effectiveFrom,
      scale,
      indicators,
      publishedAt: effectiveFrom,
    });
  }

  async target(targetId: string, definition: TargetDefinition, issued = true) {
    await this.append(targetStream(targetId), 'TargetProposed', {
      targetId,
      definition,
      reviewStages: ['assessmentOffice'],
      proposedAt: '2026-01-05T00:00:00.000Z',
    });
    return issued ? this.issue(targetId) : undefined;
  }

  issue(targetId: string) {
    return this.append(targetStream(targetId), 'TargetIssued', {
      targetId,
      issuedAt: '2026-01-06T00:00:00.000Z',
    });
  }

  withdraw(targetId: string) {
    return this.append(targetStream(targetId), 'TargetWithdrawn', {
      targetId,
      reason: '撤销',
      withdrawnAt: this.now,
    });
  }

  adjust(targetId: string, newValue: number, effectiveFrom: string) {
    return this.append(targetStream(targetId), 'TargetAdjusted', {
      targetId,
      previousValue: null,
      newValue,
      effectiveFrom,
      rulingRef: 'ruling-1',
      reason: '裁决调整',
      adjustedAt: this.now,
    });
  }

  report(
    targetId: string,
    reportId: string,
    period: string,
    cumulativeValue: number | null,
    replaces: string | null = null,
  ) {
    return this.append(targetStream(targetId), 'ProgressReported', {
      targetId,
      reportId,
      period,
      cumulativeValue,
      milestonesCompleted: [],
      narrative: '按期推进',
      evidence: [],
      replaces,
      dueDate: '2026-07-10',
      late: false,
      reportedAt: this.now,
    });
  }

  verify(targetId: string, reportId: string, period: string) {
    return this.append(targetStream(targetId), 'ReportVerified', {
      targetId,
      reportId,
      period,
      verifiedAt: this.now,
    });
  }

  reject(targetId: string, reportId: string, period: string) {
    return this.append(targetStream(targetId), 'ReportRejected', {
      targetId,
      reportId,
      period,
      reason: '数据不实',
      rejectedAt: this.now,
    });
  }
}

/** A quantitative, quarterly target definition (the worked example's shape) with overrides. */
export function targetDefinition(
  over: Partial<TargetDefinition> & Pick<TargetDefinition, 'unitId' | 'indicatorId'>,
): TargetDefinition {
  return {
    cycleId: '2026',
    year: 2026,
    category: 'towns',
    title: over.indicatorId,
    kind: 'quantitative',
    measure: '地区生产总值增速',
    unitOfMeasure: '%',
    direction: 'higherIsBetter',
    annualValue: 8,
    baseline: 7.1,
    schedule: [25, 50, 75, 100],
    cadence: 'quarterly',
    reportDueDay: 10,
    dataCollectionUnitId: 'stats-bureau',
    milestones: [],
    dynamic: false,
    ...over,
  };
}

/** The worked example's towns tree (千分制): GDP growth (completion) under economy, livelihood (progress). */
export const TOWNS_TREE: Indicator[] = [
  { indicatorId: 'economy', parentId: null, name: '经济发展', level: 1, points: 600, method: null },
  {
    indicatorId: 'gdp-growth',
    parentId: 'economy',
    name: 'GDP增速',
    level: 2,
    points: 600,
    method: 'completion',
  },
  { indicatorId: 'livelihood', parentId: null, name: '社会民生', level: 1, points: 400, method: 'progress' },
];
