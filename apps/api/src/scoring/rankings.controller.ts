import { Controller, Get, HttpCode, Optional, Param, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { RankingsReactor, RankingsView } from '@dukao/scoring';
import { CATEGORIES } from '@dukao/targets';
import { VIEW_WAIT_MS } from '../common/read-your-writes';
import { ApiError } from '../errors/api-error';
import { CurrentActor, type RequestActor, Roles } from '../security/access';
import { RankingMonthParams, RankingMonthsQuery } from './rankings.dto';
import { RankingParams } from './scores.dto';
import { RANKING_READERS } from './scores.controller';

/**
 * Monthly rankings (月排名) read from the rankings view that `RankingsReactor` keeps from the log:
 * fast, and as of the view's position (pass `minPosition` to read your own writes). Any other
 * instant (`at`, `asOf`) is computed on demand by `GET /rankings/{cycleId}/{category}`.
 */
@ApiTags('scores')
@Controller('rankings')
export class RankingsController {
  constructor(
    private readonly rankings: RankingsView,
    @Optional() private readonly reactor?: RankingsReactor,
  ) {}

  @Get(':cycleId/:category/months')
  @Roles(...RANKING_READERS)
  @ApiOperation({ summary: '月排名：已结束、可查看排名的月份列表' })
  async months(@Param() { cycleId, category }: RankingParams, @Query() query: RankingMonthsQuery) {
    checkCategory(category);
    await this.caughtUp(query.minPosition);
    const index = await this.rankings.months(cycleId, category);
    return { cycleId, category, year: index?.year ?? null, months: index?.months ?? [] };
  }

  @Get(':cycleId/:category/months/:month')
  @Roles(...RANKING_READERS)
  @ApiOperation({
    summary:
      '月排名：某月末的类别排名（总分、名次、等次、末位标记、一级指标得分、完成度对比时序进度与类别平均、同比），十二月为年终排名（按数据范围）',
  })
  async month(
    @Param() { cycleId, category, month }: RankingMonthParams,
    @Query() query: RankingMonthsQuery,
    @CurrentActor() actor: RequestActor,
  ) {
    checkCategory(category);
    await this.caughtUp(query.minPosition);
    const ranking = await this.rankings.month(cycleId, category, month);
    if (!ranking)
      throw new ApiError(404, 'RANKING_NOT_FOUND', '该月排名不存在（月份未结束、尚无评分方案或指标体系）', {
        cycleId,
        category,
        month,
      });
    const { _id, rows, ...header } = ranking;
    const visible = rows.filter((r) => actor.unitIds === null || actor.unitIds.includes(r.unitId));
    return { ...header, units: rows.length, items: visible };
  }

  @Post('refresh')
  @Roles('assessmentAdmin')
  @HttpCode(200)
  @ApiOperation({ summary: '立即补算已结束月份的月排名（通常由定时任务执行）（考核管理）' })
  async refresh() {
    const done = await this.reactor?.refreshMonths();
    if (!done)
      throw new ApiError(409, 'RANKINGS_KEPT_ELSEWHERE', '月排名由其他进程维护，将按计划自动补算', {});
    return done;
  }

  private async caughtUp(minPosition: number | undefined): Promise<void> {
    if (minPosition === undefined) return;
    if (await this.rankings.waitFor(minPosition, VIEW_WAIT_MS)) return;
    throw new ApiError(503, 'VIEW_NOT_CAUGHT_UP', '数据正在更新，请稍后重试', {
      projection: 'rankings',
      minPosition,
    });
  }
}

function checkCategory(category: string): void {
  if (!(CATEGORIES as readonly string[]).includes(category))
    throw new ApiError(404, 'CATEGORY_NOT_FOUND', '单位类别不存在', { category });
}
