import { Body, Controller, Get, Inject, Put, Query } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsObject, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import {
  ANOMALY_SETTINGS,
  ANOMALY_SIGNALS,
  ANOMALY_TARGETS,
  type AnomalySignal,
  PublishAnomalySettings,
  anomalySettingsInForce,
  queryAnomalies,
} from '@dukao/audit';
import type { CommandContext } from '@dukao/event-store';
import { CLOCK, type Clock } from '@dukao/kernel';
import { READ_MODEL_STORE, type ReadModelStore } from '@dukao/read-model-store';
import { ReadYourWrites } from '../common/read-your-writes';
import { CommandMeta, Roles } from '../security/access';
import { RecordedRead } from './recorded-read';
import { MinPositionQuery } from '../targets/target.dto';

const ID = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/;

export class AnomaliesQuery extends MinPositionQuery {
  @IsOptional() @Matches(ID, { message: 'cycleId 格式不正确' }) cycleId?: string;
  @IsOptional() @Matches(ID, { message: 'unitId 格式不正确' }) unitId?: string;
  @IsOptional() @Matches(ID, { message: 'category 格式不正确' }) category?: string;
  @IsOptional() @IsIn(ANOMALY_SIGNALS) signal?: AnomalySignal;
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(500) limit: number = 50;
  @IsOptional() @Type(() => Number) @IsInt() @Min(0) @Max(1_000_000) skip: number = 0;
}

/** The settings are checked field by field by the domain (422 INVALID_ANOMALY_SETTINGS, every problem named). */
export class AnomalySettingsBody {
  @IsObject() settings!: Record<string, unknown>;
  @IsOptional() @IsString() @MaxLength(500) note?: string;
}

/**
 * 虚报瞒报 signals (预警线索): unconfirmed leads, the discipline inspectors' working material, so only
 * they read them (not city leaders: a lead is not a finding; confirmed findings reach everyone through
 * scores and the flagged reports; never unit staff).
 */
@ApiTags('anomalies')
@Roles('inspector')
@Controller('anomalies')
export class AnomaliesController {
  constructor(
    private readonly commands: CommandBus,
    @Inject(READ_MODEL_STORE) private readonly views: ReadModelStore,
    private readonly readYourWrites: ReadYourWrites,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Get()
  @RecordedRead('anomalies')
  @ApiOperation({
    summary:
      '虚报瞒报预警线索：按信号加权得分排列的填报与单位，每条信号附依据的事件与数值（可按周期、单位、类别、信号筛选；电子监察）',
  })
  async list(@Query() query: AnomaliesQuery) {
    await this.readYourWrites.waitFor(ANOMALY_TARGETS, query.minPosition);
    return queryAnomalies(this.views, query);
  }

  @Get('settings')
  @ApiOperation({ summary: '预警线索参数（阈值与权重）及其版本；版本 0 为默认值' })
  async settings(@Query() query: MinPositionQuery) {
    await this.readYourWrites.waitFor(ANOMALY_SETTINGS, query.minPosition);
    return anomalySettingsInForce(this.views);
  }

  @Put('settings')
  @ApiOperation({ summary: '发布预警线索参数的新版本（整体替换；内容相同则不产生新版本；电子监察）' })
  publishSettings(@Body() body: AnomalySettingsBody, @CommandMeta() context: CommandContext) {
    return this.commands.execute(
      new PublishAnomalySettings(body.settings, body.note ?? null, context, this.clock().toISOString()),
    );
  }
}
