import { Controller, Get, Inject, Param, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Role } from '@dukao/identity';
import { CLOCK, type Clock } from '@dukao/kernel';
import { READ_MODEL_STORE, type ReadModelStore } from '@dukao/read-model-store';
import {
  type CategoryScore,
  ScoringInputLoader,
  scoreCategory,
  scoreTimeline,
  type TraceScope,
} from '@dukao/scoring';
import { CATEGORIES, TARGETS, UNITS, type UnitView } from '@dukao/targets';
import { ReadYourWrites } from '../common/read-your-writes';
import { ApiError } from '../errors/api-error';
import { CurrentActor, type RequestActor, Roles, assertUnitInScope } from '../security/access';
import {
  ExplainScoreQuery,
  RankingParams,
  ScoreInstantsQuery,
  ScoreUnitParams,
  TimelineScoreQuery,
} from './scores.dto';

/** Who may read rankings: leaders (分管 leaders see their units' rows), the office, supervisors, inspectors. */
export const RANKING_READERS: Role[] = ['cityLeader', 'assessmentAdmin', 'supervisor', 'inspector'];
/** Who may read a unit's score with its trace: the ranking readers, and unit staff for their own unit. */
export const SCORE_READERS: Role[] = [...RANKING_READERS, 'unitStaff'];

function instant(value: string | undefined, fallback: Date, field: string): string {
  const date = value === undefined ? fallback : new Date(value);
  if (Number.isNaN(date.getTime()))
    throw new ApiError(400, 'INVALID_INSTANT', '时间格式不正确', { field, value });
  return date.toISOString();
}

/**
 * Scores computed on demand from the log (no view yet): the engine of `@dukao/scoring` fed by
 * `ScoringInputLoader`. `at` is the business instant scored, `asOf` what the log knew then; both
 * default to now, so `asOf` in the past replays the score as it stood. A category's sources are kept
 * between requests while the log has not moved (`ScoringInputLoader.loadRecent`).
 */
@ApiTags('scores')
@Controller()
export class ScoresController {
  constructor(
    private readonly loader: ScoringInputLoader,
    @Inject(READ_MODEL_STORE) private readonly views: ReadModelStore,
    private readonly readYourWrites: ReadYourWrites,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Get('scores/:unitId/explain')
  @Roles(...SCORE_READERS)
  @ApiOperation({
    summary: '单位得分及计算过程：每条规则的输入、输出与所依据的事件，可按 asOf 回放历史（按数据范围）',
  })
  async explain(
    @Param() { unitId }: ScoreUnitParams,
    @Query() query: ExplainScoreQuery,
    @CurrentActor() actor: RequestActor,
  ) {
    assertUnitInScope(actor, unitId);
    await this.caughtUp(query.minPosition);
    const unit = await this.views.get<UnitView>(UNITS, unitId);
    if (!unit) throw new ApiError(404, 'UNIT_NOT_FOUND', '单位不存在', { unitId });
    const scored = await this.score(query.cycleId, unit.category, query, { units: [unitId] });
    const score = scored.units.find((u) => u.unitId === unitId);
    if (!score)
      throw new ApiError(404, 'UNIT_NOT_SCORED', '该单位在评分时点尚未登记，无得分', {
        unitId,
        asOf: scored.asOf,
      });
    return {
      cycleId: scored.cycleId,
      category: scored.category,
      at: scored.at,
      asOf: scored.asOf,
      schemeVersion: scored.schemeVersion,
      treeVersion: scored.treeVersion,
      scale: scored.scale,
      unitName: unit.name,
      ...score,
      categoryTrace: scored.trace,
    };
  }

  @Get('scores/:unitId/timeline')
  @Roles(...SCORE_READERS)
  @ApiOperation({
    summary:
      '单位得分变化时间线：每个改变得分的事件（按记录时间），前后得分、差值、变化的规则与操作人（按数据范围）',
  })
  async timeline(
    @Param() { unitId }: ScoreUnitParams,
    @Query() query: TimelineScoreQuery,
    @CurrentActor() actor: RequestActor,
  ) {
    assertUnitInScope(actor, unitId);
    await this.caughtUp(query.minPosition);
    const unit = await this.views.get<UnitView>(UNITS, unitId);
    if (!unit) throw new ApiError(404, 'UNIT_NOT_FOUND', '单位不存在', { unitId });
    if (!(CATEGORIES as readonly string[]).includes(unit.category))
      throw new ApiError(404, 'CATEGORY_NOT_FOUND', '单位类别不存在', { category: unit.category });
    const now = this.clock();
    const at = instant(query.at, now, 'at');
    const asOf = now.toISOString();
    const input = await this.loader.load({ cycleId: query.cycleId, category: unit.category, at, asOf });
    // Same refusals as explain: no scheme / tree in force now, or the unit not in the population.
    const scored = scoreCategory(input, { trace: 'none' });
    if (!scored.units.some((u) => u.unitId === unitId))
      throw new ApiError(404, 'UNIT_NOT_SCORED', '该单位在评分时点尚未登记，无得分', { unitId, asOf });
    return {
      cycleId: query.cycleId,
      category: unit.category,
      unitName: unit.name,
      asOf,
      ...scoreTimeline(input, unitId),
    };
  }

  @Get('rankings/:cycleId/:category')
  @Roles(...RANKING_READERS)
  @ApiOperation({ summary: '类别排名：各单位总分、名次、等次与末位标记，即时计算（按数据范围）' })
  async ranking(
    @Param() { cycleId, category }: RankingParams,
    @Query() query: ScoreInstantsQuery,
    @CurrentActor() actor: RequestActor,
  ) {
    await this.caughtUp(query.minPosition);
    const scored = await this.score(cycleId, category, query, 'none');
    const units = await this.views.find<UnitView>(
      UNITS,
      { _id: { $in: scored.units.map((u) => u.unitId) } },
      { limit: Math.max(1, scored.units.length) },
    );
    const names = new Map(units.map((u) => [u._id, u.name]));
    const visible = scored.units.filter((u) => actor.unitIds === null || actor.unitIds.includes(u.unitId));
    return {
      cycleId,
      category,
      at: scored.at,
      asOf: scored.asOf,
      schemeVersion: scored.schemeVersion,
      treeVersion: scored.treeVersion,
      scale: scored.scale,
      units: scored.units.length,
      items: visible.map((u) => ({
        unitId: u.unitId,
        unitName: names.get(u.unitId) ?? null,
        total: u.total,
        rank: u.rank,
        grade: u.grade,
        flagged: u.flagged,
      })),
    };
  }

  private async caughtUp(minPosition: number | undefined): Promise<void> {
    await this.readYourWrites.waitFor(UNITS, minPosition);
    await this.readYourWrites.waitFor(TARGETS, minPosition);
  }

  private async score(
    cycleId: string,
    category: string,
    query: { at?: string; asOf?: string },
    trace: TraceScope,
  ): Promise<CategoryScore> {
    if (!(CATEGORIES as readonly string[]).includes(category))
      throw new ApiError(404, 'CATEGORY_NOT_FOUND', '单位类别不存在', { category });
    const now = this.clock();
    const at = instant(query.at, now, 'at');
    const asOf = instant(query.asOf, now, 'asOf');
    // The category's sources are kept between requests while the log has not moved (loadRecent).
    return scoreCategory(await this.loader.loadRecent({ cycleId, category, at, asOf }), { trace });
  }
}
