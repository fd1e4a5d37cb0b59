import { Controller, Get, HttpCode, Inject, Param, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { CommandContext } from '@dukao/event-store';
import type { Role } from '@dukao/identity';
import { type Filter, READ_MODEL_STORE, type ReadModelStore } from '@dukao/read-model-store';
import { TARGETS, type TargetView, UNITS, type UnitView } from '@dukao/targets';
import {
  MILESTONE_LIGHTS,
  type MilestoneLightsView,
  type RaisedLevel,
  WARNINGS,
  type WarningView,
  WarningsTick,
} from '@dukao/warnings';
import { ReadYourWrites } from '../common/read-your-writes';
import { ApiError } from '../errors/api-error';
import { CommandMeta, CurrentActor, type RequestActor, Roles } from '../security/access';
import { scopeFilter } from '../targets/targets.controller';
import { MinPositionQuery } from '../targets/target.dto';
import {
  ListMilestoneLightsQuery,
  ListWarningsQuery,
  WarningBoardQuery,
  WarningTargetParams,
} from './warning.dto';

/** Who may read warnings, each within their data scope (unit staff: their own unit). */
export const WARNING_READERS: Role[] = [
  'cityLeader',
  'assessmentAdmin',
  'supervisor',
  'unitStaff',
  'inspector',
];
const RAISED: RaisedLevel[] = ['red', 'yellow', 'bell'];
/** The board reads at most this many warnings; beyond it the answer says it is truncated. */
const BOARD_LIMIT = 20_000;

@ApiTags('warnings')
@Controller('warnings')
export class WarningsController {
  constructor(
    @Inject(READ_MODEL_STORE) private readonly views: ReadModelStore,
    private readonly readYourWrites: ReadYourWrites,
    private readonly tick: WarningsTick,
  ) {}

  @Get('board')
  @Roles(...WARNING_READERS)
  @ApiOperation({ summary: '预警看板：按单位、类别统计警铃、黄牌、红牌数量（按数据范围）' })
  async board(@Query() query: WarningBoardQuery, @CurrentActor() actor: RequestActor) {
    await this.readYourWrites.waitFor(WARNINGS, query.minPosition);
    const filter: Filter = { level: { $in: RAISED }, ...this.match(query), ...scopeFilter(actor) };
    const warnings = await this.views.find<WarningView>(WARNINGS, filter, {
      sort: { unitId: 1 },
      limit: BOARD_LIMIT,
    });
    const rows = new Map<
      string,
      { unitId: string; category: string; bell: number; yellow: number; red: number; total: number }
    >();
    const totals = { bell: 0, yellow: 0, red: 0, total: 0 };
    for (const w of warnings) {
      const key = `${w.unitId}\u0000${w.category}`;
      let row = rows.get(key);
      if (!row)
        rows.set(
          key,
          (row = { unitId: w.unitId, category: w.category, bell: 0, yellow: 0, red: 0, total: 0 }),
        );
      const level = w.level as RaisedLevel;
      row[level] += 1;
      row.total += 1;
      totals[level] += 1;
      totals.total += 1;
    }
    const units = await this.unitNames([...rows.values()].map((r) => r.unitId));
    const items = [...rows.values()]
      .map((row) => ({ ...row, unitName: units.get(row.unitId) ?? null }))
      .sort(
        (a, b) => b.red - a.red || b.yellow - a.yellow || b.bell - a.bell || a.unitId.localeCompare(b.unitId),
      );
    return {
      cycleId: query.cycleId ?? null,
      category: query.category ?? null,
      totals,
      items,
      truncated: warnings.length >= BOARD_LIMIT,
    };
  }

  @Post('evaluations')
  @Roles('assessmentAdmin')
  @HttpCode(200)
  @ApiOperation({ summary: '立即重新评估全部已下达目标的预警等级（通常由定时任务执行）（考核管理）' })
  evaluate(@CommandMeta() context: CommandContext) {
    return this.tick.run({ actor: context.actor, correlationId: context.correlationId });
  }

  @Get()
  @Roles(...WARNING_READERS)
  @ApiOperation({ summary: '当前预警列表：按等级、单位、周期、类别筛选，含预警原因，分页（按数据范围）' })
  async list(@Query() query: ListWarningsQuery, @CurrentActor() actor: RequestActor) {
    const filter: Filter = {
      level: query.level ?? { $in: RAISED },
      ...this.match(query),
      ...(query.unitId ? { unitId: query.unitId } : {}),
      ...scopeFilter(actor),
    };
    const page = await this.readYourWrites.page<WarningView>(WARNINGS, filter, { since: -1, _id: 1 }, query);
    const targets = await Promise.all(page.items.map((w) => this.views.get<TargetView>(TARGETS, w._id)));
    return {
      ...page,
      items: page.items.map(({ history: _history, _position, _id, ...w }, i) => ({
        targetId: _id,
        title: targets[i]?.title ?? null,
        indicatorId: targets[i]?.indicatorId ?? null,
        ...w,
      })),
    };
  }

  @Get('milestones')
  @Roles(...WARNING_READERS)
  @ApiOperation({
    summary: '亮灯：节点亮红灯、黄灯的目标及其节点，按单位、周期、类别筛选，分页（按数据范围）',
  })
  async milestoneLights(@Query() query: ListMilestoneLightsQuery, @CurrentActor() actor: RequestActor) {
    const lit =
      query.light === undefined
        ? { $or: [{ red: { $gt: 0 } }, { yellow: { $gt: 0 } }] }
        : { [query.light]: { $gt: 0 } };
    const filter: Filter = {
      ...lit,
      ...this.match(query),
      ...(query.unitId ? { unitId: query.unitId } : {}),
      ...scopeFilter(actor),
    };
    const page = await this.readYourWrites.page<MilestoneLightsView>(
      MILESTONE_LIGHTS,
      filter,
      { red: -1, yellow: -1, _id: 1 },
      query,
    );
    const targets = await Promise.all(page.items.map((d) => this.views.get<TargetView>(TARGETS, d._id)));
    return {
      ...page,
      items: page.items.map((d, i) => ({
        targetId: d._id,
        title: targets[i]?.title ?? null,
        cycleId: d.cycleId,
        unitId: d.unitId,
        category: d.category,
        red: d.red,
        yellow: d.yellow,
        milestones: d.milestones
          .filter((m) => (query.light === undefined ? m.light !== 'green' : m.light === query.light))
          .map(({ history: _history, ...m }) => m),
      })),
    };
  }

  @Get(':targetId/milestones')
  @Roles(...WARNING_READERS)
  @ApiOperation({
    summary: '目标各节点的亮灯情况（绿、黄、红）及每次变化的时间与适用的方案版本（按数据范围）',
  })
  async targetMilestoneLights(
    @Param() { targetId }: WarningTargetParams,
    @Query() query: MinPositionQuery,
    @CurrentActor() actor: RequestActor,
  ) {
    await this.readYourWrites.waitFor(MILESTONE_LIGHTS, query.minPosition);
    const target = await this.views.get<TargetView>(TARGETS, targetId);
    if (!target || (actor.unitIds !== null && !actor.unitIds.includes(target.unitId))) {
      throw new ApiError(404, 'TARGET_NOT_FOUND', '目标不存在');
    }
    const lights = await this.views.get<MilestoneLightsView>(MILESTONE_LIGHTS, targetId);
    const recorded = new Map((lights?.milestones ?? []).map((m) => [m.milestoneId, m]));
    return {
      targetId,
      title: target.title,
      unitId: target.unitId,
      // A milestone never recorded has only ever been green.
      milestones: target.milestones.map((m) => {
        const r = recorded.get(m.milestoneId);
        return {
          milestoneId: m.milestoneId,
          title: m.title,
          dueDate: m.dueDate,
          completedOn: m.completedOn,
          light: r?.light ?? 'green',
          since: r?.since ?? null,
          late: r?.late ?? false,
          schemeVersion: r?.schemeVersion ?? null,
          milestoneYellowDays: r?.milestoneYellowDays ?? null,
          history: r?.history ?? [],
        };
      }),
    };
  }

  @Get(':targetId/history')
  @Roles(...WARNING_READERS)
  @ApiOperation({ summary: '目标的预警变化记录：每次升降级的时间、原因与适用的方案版本（按数据范围）' })
  async history(
    @Param() { targetId }: WarningTargetParams,
    @Query() query: MinPositionQuery,
    @CurrentActor() actor: RequestActor,
  ) {
    await this.readYourWrites.waitFor(WARNINGS, query.minPosition);
    const target = await this.views.get<TargetView>(TARGETS, targetId);
    if (!target || (actor.unitIds !== null && !actor.unitIds.includes(target.unitId))) {
      throw new ApiError(404, 'TARGET_NOT_FOUND', '目标不存在');
    }
    const warning = await this.views.get<WarningView>(WARNINGS, targetId);
    return {
      targetId,
      title: target.title,
      unitId: target.unitId,
      level: warning?.level ?? 'none',
      reasons: warning?.reasons ?? [],
      schemeVersion: warning?.schemeVersion ?? null,
      // The thresholds applied at the last change, and the target's own among them (null: none).
      thresholds: warning?.thresholds ?? null,
      overrides: warning?.overrides ?? null,
      since: warning?.since ?? null,
      history: warning?.history ?? [],
    };
  }

  private match(query: { cycleId?: string; category?: string }): Filter {
    return {
      ...(query.cycleId ? { cycleId: query.cycleId } : {}),
      ...(query.category ? { category: query.category } : {}),
    };
  }

  private async unitNames(unitIds: string[]): Promise<Map<string, string>> {
    if (unitIds.length === 0) return new Map();
    const units = await this.views.find<UnitView>(
      UNITS,
      { _id: { $in: [...new Set(unitIds)] } },
      { limit: unitIds.length },
    );
    return new Map(units.map((u) => [u._id, u.name]));
  }
}
