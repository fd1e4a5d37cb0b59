import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsInt,
  IsISO8601,
  IsNumber,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';
import type { CommandContext } from '@dukao/event-store';
import { CLOCK, type Clock } from '@dukao/kernel';
import { READ_MODEL_STORE, type ReadModelStore } from '@dukao/read-model-store';
import {
  CATEGORIES,
  CYCLES,
  type Category,
  ChangePlanning,
  type CycleView,
  DEFAULT_SCHEME,
  METHODS,
  type ScoringMethod,
  UNITS,
  type UnitView,
} from '@dukao/targets';
import { ReadYourWrites } from '../common/read-your-writes';
import { ApiError } from '../errors/api-error';
import { CommandMeta, Roles } from '../security/access';
import { ID, MinPositionQuery, UnitIdParams } from './target.dto';
import { TARGET_READERS } from './targets.controller';

export class OpenCycleBody {
  @Matches(/^\d{4}$/, { message: '考核周期编号为年份，如 2026' }) cycleId!: string;
  @IsString() @MinLength(1) @MaxLength(100) name!: string;
}

export class PublishSchemeBody {
  /** The whole scheme (see GET /cycles/{id}: schemes[].scheme); checked field by field. */
  @IsObject() scheme!: Record<string, unknown>;
  @IsOptional() @IsISO8601({ strict: true }) effectiveFrom?: string;
  @IsString() @MinLength(1) @MaxLength(200) note!: string;
}

export class IndicatorDto {
  @Matches(ID) indicatorId!: string;
  @IsOptional() @Matches(ID) parentId: string | null = null;
  @IsString() @MinLength(1) @MaxLength(100) name!: string;
  @IsIn([1, 2]) level!: 1 | 2;
  @IsNumber({ allowNaN: false, allowInfinity: false }) @Min(0.01) points!: number;
  @IsOptional() @IsIn(METHODS) method: ScoringMethod | null = null;
}

export class PublishIndicatorTreeBody {
  @IsIn(CATEGORIES) category!: Category;
  @IsIn([100, 1000]) scale!: 100 | 1000;
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(500)
  @ValidateNested({ each: true })
  @Type(() => IndicatorDto)
  indicators!: IndicatorDto[];
  @IsOptional() @IsISO8601({ strict: true }) effectiveFrom?: string;
}

export class CycleParams {
  @Matches(/^\d{4}$/, { message: '考核周期编号为年份，如 2026' }) cycleId!: string;
}

export class RegisterUnitBody {
  @Matches(ID, { message: '单位编号只能包含字母、数字和 _.-' }) unitId!: string;
  @IsString() @MinLength(1) @MaxLength(100) name!: string;
  @IsIn(CATEGORIES) category!: Category;
  @IsOptional() @IsString() @MaxLength(50) subCategory: string | null = null;
}

export class ListUnitsQuery extends MinPositionQuery {
  @IsOptional() @IsIn(CATEGORIES) category?: Category;
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(500) limit: number = 200;
  @IsOptional() @Type(() => Number) @IsInt() @Min(0) @Max(1_000_000) skip: number = 0;
}

/** The office's planning data: cycles with their scheme and indicator-tree versions, and the units. */
@ApiTags('planning')
@Controller()
export class PlanningController {
  constructor(
    private readonly commands: CommandBus,
    @Inject(READ_MODEL_STORE) private readonly views: ReadModelStore,
    private readonly readYourWrites: ReadYourWrites,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  private now(): string {
    return this.clock().toISOString();
  }

  @Post('cycles')
  @Roles('assessmentAdmin')
  @ApiOperation({ summary: '开启考核周期；同时发布默认评分方案（第 1 版）（考核管理）' })
  openCycle(@Body() body: OpenCycleBody, @CommandMeta() context: CommandContext) {
    const command = {
      type: 'OpenCycle' as const,
      cycleId: body.cycleId,
      year: Number(body.cycleId),
      name: body.name,
      defaultScheme: DEFAULT_SCHEME,
      at: this.now(),
    };
    return this.commands.execute(
      new ChangePlanning({ kind: 'cycle', cycleId: body.cycleId, command }, context),
    );
  }

  @Get('cycles')
  @Roles(...TARGET_READERS)
  @ApiOperation({ summary: '考核周期列表' })
  async listCycles(@Query() query: MinPositionQuery) {
    await this.readYourWrites.waitFor(CYCLES, query.minPosition);
    return { items: await this.views.find<CycleView>(CYCLES, {}, { sort: { year: -1 }, limit: 100 }) };
  }

  @Get('cycles/:cycleId')
  @Roles(...TARGET_READERS)
  @ApiOperation({ summary: '考核周期详情：评分方案与指标体系的各版本' })
  async getCycle(@Param() { cycleId }: CycleParams, @Query() query: MinPositionQuery) {
    await this.readYourWrites.waitFor(CYCLES, query.minPosition);
    const cycle = await this.views.get<CycleView>(CYCLES, cycleId);
    if (!cycle) throw new ApiError(404, 'CYCLE_NOT_FOUND', '考核周期不存在');
    return cycle;
  }

  @Post('cycles/:cycleId/schemes')
  @Roles('assessmentAdmin')
  @ApiOperation({ summary: '发布新版评分方案（含预警阈值、提醒时间表），自生效时间起适用（考核管理）' })
  publishScheme(
    @Param() { cycleId }: CycleParams,
    @Body() body: PublishSchemeBody,
    @CommandMeta() context: CommandContext,
  ) {
    const now = this.now();
    const effectiveFrom = body.effectiveFrom ? new Date(body.effectiveFrom).toISOString() : now;
    const command = {
      type: 'PublishScheme' as const,
      scheme: body.scheme,
      effectiveFrom,
      note: body.note,
      at: now,
    };
    return this.commands.execute(new ChangePlanning({ kind: 'cycle', cycleId, command }, context));
  }

  @Post('cycles/:cycleId/indicator-trees')
  @Roles('assessmentAdmin')
  @ApiOperation({ summary: '发布某类单位的指标体系新版本（百分制/千分制）（考核管理）' })
  publishTree(
    @Param() { cycleId }: CycleParams,
    @Body() body: PublishIndicatorTreeBody,
    @CommandMeta() context: CommandContext,
  ) {
    const now = this.now();
    const effectiveFrom = body.effectiveFrom ? new Date(body.effectiveFrom).toISOString() : now;
    const command = {
      type: 'PublishIndicatorTree' as const,
      category: body.category,
      scale: body.scale,
      indicators: body.indicators,
      effectiveFrom,
      at: now,
    };
    return this.commands.execute(new ChangePlanning({ kind: 'cycle', cycleId, command }, context));
  }

  @Post('cycles/:cycleId/close')
  @Roles('assessmentAdmin')
  @HttpCode(200)
  @ApiOperation({ summary: '结束考核周期（考核管理）' })
  closeCycle(@Param() { cycleId }: CycleParams, @CommandMeta() context: CommandContext) {
    return this.commands.execute(
      new ChangePlanning(
        { kind: 'cycle', cycleId, command: { type: 'CloseCycle', at: this.now() } },
        context,
      ),
    );
  }

  @Post('units')
  @Roles('assessmentAdmin')
  @ApiOperation({ summary: '登记被考核单位（区镇或市级机关）（考核管理）' })
  registerUnit(@Body() body: RegisterUnitBody, @CommandMeta() context: CommandContext) {
    const command = { type: 'RegisterUnit' as const, ...body, at: this.now() };
    return this.commands.execute(new ChangePlanning({ kind: 'unit', unitId: body.unitId, command }, context));
  }

  @Get('units')
  @Roles(...TARGET_READERS)
  @ApiOperation({ summary: '单位列表' })
  async listUnits(@Query() query: ListUnitsQuery) {
    const filter = query.category ? { category: query.category } : {};
    return this.readYourWrites.page<UnitView>(UNITS, filter, { category: 1, name: 1 }, query);
  }

  @Get('units/:unitId')
  @Roles(...TARGET_READERS)
  @ApiOperation({ summary: '单位详情' })
  async getUnit(@Param() { unitId }: UnitIdParams, @Query() query: MinPositionQuery) {
    await this.readYourWrites.waitFor(UNITS, query.minPosition);
    const unit = await this.views.get<UnitView>(UNITS, unitId);
    if (!unit) throw new ApiError(404, 'UNIT_NOT_FOUND', '单位不存在');
    return unit;
  }
}
