import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';
import {
  DrawSpotCheck,
  RecordSpotCheckOutcome,
  SPOT_CHECKS,
  SPOT_CHECK_OUTCOMES,
  SPOT_CHECK_POPULATIONS,
  SpotCheckErrors,
  type SpotCheckDrawn,
  type SpotCheckOutcome,
  type SpotCheckPopulation,
  type SpotCheckView,
  type Strata,
  buildFrame,
  readLogAt,
  recomputeSpotCheck,
  spotCheckStream,
} from '@dukao/audit';
import { type CommandContext, EVENT_STORE, type EventStore, deriveEventId } from '@dukao/event-store';
import { EVIDENCE_STORE, type EvidenceRef, type EvidenceStore } from '@dukao/evidence-store';
import { CLOCK, type Clock } from '@dukao/kernel';
import { READ_MODEL_STORE, type ReadModelStore } from '@dukao/read-model-store';
import { ReadYourWrites } from '../common/read-your-writes';
import { ApiError } from '../errors/api-error';
import { CommandMeta, Roles } from '../security/access';
import { RecordedRead } from './recorded-read';
import { EvidenceItemDto, MinPositionQuery } from '../targets/target.dto';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ID = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/;
const PERIOD = /^\d{4}-(0[1-9]|1[0-2]|Q[1-4])$/;

export class DrawSpotCheckBody {
  @IsString() @MinLength(1) @MaxLength(200) title!: string;
  @Matches(ID, { message: 'cycleId 格式不正确' }) cycleId!: string;
  @IsIn(SPOT_CHECK_POPULATIONS) population!: SpotCheckPopulation;
  @IsOptional() @Matches(PERIOD, { message: '期次格式须为 2026-06 或 2026-Q2' }) period?: string;
  @IsOptional() @IsArray() @ArrayMaxSize(500) @Matches(ID, { each: true }) unitIds?: string[];
  @IsOptional() @IsArray() @ArrayMaxSize(20) @Matches(ID, { each: true }) categories?: string[];
  /** A share of each stratum, 0 < share ≤ 1 (give this or `count`). */
  @IsOptional() @IsNumber({ allowNaN: false, allowInfinity: false }) @Min(0) @Max(1) share?: number;
  /** A count per stratum (give this or `share`). */
  @IsOptional() @IsInt() @Min(1) @Max(10_000) count?: number;
  @IsOptional() @IsIn(['none', 'unit', 'category']) strata?: Strata;
}

export class SpotCheckOutcomeBody {
  @IsString() @MinLength(1) @MaxLength(128) itemId!: string;
  @IsIn(SPOT_CHECK_OUTCOMES) outcome!: SpotCheckOutcome;
  @IsOptional() @Matches(UUID, { message: '填报编号格式不正确' }) reportId?: string;
  @IsOptional() @IsString() @MaxLength(4000) findings?: string;
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  @Type(() => EvidenceItemDto)
  evidence: EvidenceItemDto[] = [];
}

export class SpotCheckParams {
  @Matches(UUID, { message: '抽查编号格式不正确' }) spotCheckId!: string;
}

export class ListSpotChecksQuery extends MinPositionQuery {
  @IsOptional() @Matches(ID, { message: 'cycleId 格式不正确' }) cycleId?: string;
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(200) limit: number = 50;
  @IsOptional() @Type(() => Number) @IsInt() @Min(0) @Max(1_000_000) skip: number = 0;
}

/**
 * Spot checks (察访核验): reproducible random draws of targets or reports for on-site verification,
 * and their findings. The sample is secret working material: never shown to unit staff.
 */
@ApiTags('spot-checks')
@Controller('spot-checks')
export class SpotChecksController {
  constructor(
    private readonly commands: CommandBus,
    @Inject(READ_MODEL_STORE) private readonly views: ReadModelStore,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(EVIDENCE_STORE) private readonly evidence: EvidenceStore,
    private readonly readYourWrites: ReadYourWrites,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Post()
  @Roles('inspector', 'assessmentAdmin')
  @ApiOperation({
    summary:
      '抽取察访核验样本：按比例或数量、可按单位或类别分层；种子由抽取时的日志摘要与抽查编号导出，任何人可复算（电子监察、考核管理）',
  })
  draw(@Body() body: DrawSpotCheckBody, @CommandMeta() context: CommandContext) {
    if ((body.share === undefined) === (body.count === undefined))
      throw new ApiError(
        400,
        'INVALID_SPOT_CHECK_SIZE',
        '须且只能填写抽查比例（share）或抽查数量（count）之一',
      );
    const spotCheckId = deriveEventId(`spotcheck\u0000${context.commandId}`, 0);
    return this.commands.execute(
      new DrawSpotCheck(
        {
          spotCheckId,
          title: body.title,
          rule: {
            cycleId: body.cycleId,
            population: body.population,
            period: body.period ?? null,
            unitIds: body.unitIds ?? null,
            categories: body.categories ?? null,
          },
          size:
            body.share !== undefined
              ? { kind: 'share', value: body.share }
              : { kind: 'count', value: body.count! },
          strata: body.strata ?? 'none',
        },
        context,
        this.clock().toISOString(),
      ),
    );
  }

  @Get()
  @Roles('inspector', 'assessmentAdmin')
  @RecordedRead('spotChecks')
  @ApiOperation({ summary: '察访核验抽查列表（新抽取的在前）' })
  list(@Query() query: ListSpotChecksQuery) {
    const filter = query.cycleId ? { cycleId: query.cycleId } : {};
    return this.readYourWrites.page<SpotCheckView>(SPOT_CHECKS, filter, { drawnAt: -1, _id: 1 }, query);
  }

  @Get(':spotCheckId')
  @Roles('inspector', 'assessmentAdmin')
  @RecordedRead('spotChecks')
  @ApiOperation({ summary: '一次抽查：抽取依据（范围、日志位置与摘要、种子、算法）、样本及各样本的核验结果' })
  async get(@Param() { spotCheckId }: SpotCheckParams, @Query() query: MinPositionQuery) {
    await this.readYourWrites.waitFor(SPOT_CHECKS, query.minPosition);
    const view = await this.views.get<SpotCheckView>(SPOT_CHECKS, spotCheckId);
    if (!view) throw SpotCheckErrors.notFound(spotCheckId);
    return view;
  }

  /**
   * Verification reads the log, as `GET /audit/verify` does: the recorded draw from its stream, the
   * event at its log position and the target events up to it (to rebuild the frame by its rule).
   */
  @Get(':spotCheckId/recompute')
  @Roles('inspector', 'assessmentAdmin', 'auditor')
  @RecordedRead('spotCheckRecompute')
  @ApiOperation({
    summary: '复算一次抽查：由记录的范围与种子重新抽样，并核对范围摘要、日志摘要、种子与样本是否一致',
  })
  async recompute(@Param() { spotCheckId }: SpotCheckParams) {
    const [first] = await this.store.readStream(spotCheckStream(spotCheckId), { limit: 1 });
    if (!first || first.type !== 'SpotCheckDrawn') throw SpotCheckErrors.notFound(spotCheckId);
    const drawn = (first as unknown as SpotCheckDrawn).data;
    const log = await readLogAt(this.store, drawn.logPosition);
    const frame = buildFrame(log.targetEvents, {
      cycleId: drawn.cycleId,
      population: drawn.population,
      period: drawn.period,
      unitIds: drawn.unitIds,
      categories: drawn.categories,
    });
    return {
      logPosition: drawn.logPosition,
      frameSize: drawn.frame.length,
      ...recomputeSpotCheck(drawn, { event: log.event, frame }),
    };
  }

  @Post(':spotCheckId/outcomes')
  @HttpCode(201)
  @Roles('inspector')
  @ApiOperation({
    summary:
      '记录样本的现场核验结果：属实（confirmed）、虚报（falseReport）或瞒报（concealment）；认定虚报瞒报按方案扣分并标记该填报（电子监察）',
  })
  async outcome(
    @Param() { spotCheckId }: SpotCheckParams,
    @Body() body: SpotCheckOutcomeBody,
    @CommandMeta() context: CommandContext,
  ) {
    const evidence = await this.resolveEvidence(body.evidence);
    return this.commands.execute(
      new RecordSpotCheckOutcome(
        {
          spotCheckId,
          itemId: body.itemId,
          outcome: body.outcome,
          reportId: body.reportId ?? null,
          findings: body.findings ?? null,
          evidence,
        },
        context,
        this.clock().toISOString(),
      ),
    );
  }

  /** The stored facts of each file (hashes, size, type) with the name the inspector gave it. */
  private async resolveEvidence(items: EvidenceItemDto[]): Promise<EvidenceRef[]> {
    const refs = await Promise.all(items.map((item) => this.evidence.stat(item.fileId.toLowerCase())));
    const missing = items.filter((_, i) => refs[i] === null).map((item) => item.fileId);
    if (missing.length)
      throw new ApiError(422, 'EVIDENCE_NOT_FOUND', '佐证材料不存在，请先上传', { missing });
    return refs.map((ref, i) => ({ ...ref!, name: items[i]!.name }));
  }
}
