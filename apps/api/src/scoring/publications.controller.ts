import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  IsIn,
  IsInt,
  IsISO8601,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateIf,
} from 'class-validator';
import { APP_CONFIG, type AppConfig } from '@dukao/config';
import type { Role } from '@dukao/identity';
import { type CommandContext, deriveEventId, EVENT_STORE, type EventStore } from '@dukao/event-store';
import { CLOCK, type Clock } from '@dukao/kernel';
import { READ_MODEL_STORE, type ReadModelStore } from '@dukao/read-model-store';
import {
  comparePublication,
  cutAtPosition,
  inputsDigest,
  PUBLICATIONS,
  PublicationErrors,
  type PublicationView,
  PublishRanking,
  publishedRows,
  ScoringInputLoader,
  scoreCategory,
  shadowRanking,
} from '@dukao/scoring';
import {
  CATEGORIES,
  CYCLES,
  CycleErrors,
  type CycleView,
  schemeSchema,
  TARGETS,
  UNITS,
  type UnitView,
} from '@dukao/targets';
import { ReadYourWrites } from '../common/read-your-writes';
import { ApiError } from '../errors/api-error';
import { CommandMeta, CurrentActor, type RequestActor, Roles } from '../security/access';
import { ID, MinPositionQuery } from '../targets/target.dto';
import { SCORE_READERS } from './scores.controller';
import { RankingParams } from './scores.dto';

/**
 * Who reads publications: the ranking readers, and unit staff, who see a publication's header and
 * their own units' rows only (a 公示 is public to the assessed units, each about itself: the list of
 * others' totals stays with the office, as on GET /rankings).
 */
export const PUBLICATION_READERS: Role[] = SCORE_READERS;
/** Who may rank under a draft scheme: the office that drafts schemes, and the city leaders deciding on them. */
export const SHADOW_SCORERS: Role[] = ['assessmentAdmin', 'cityLeader'];

export class PublishRankingBody {
  @IsIn(['monthly', 'final'], { message: '公示类型须为 monthly（月度）或 final（年度）' })
  kind!: 'monthly' | 'final';
  /** Monthly only: the month (YYYY-MM) of the cycle year (a final publication with one: 422 PERIOD_REQUIRED). */
  @ValidateIf((body: PublishRankingBody) => body.kind === 'monthly' || body.period !== undefined)
  @Matches(/^\d{4}-(0[1-9]|1[0-2])$/, { message: '月份须为 YYYY-MM 格式，如 2026-06' })
  period?: string;
  @IsOptional() @IsInt() @Min(1) @Max(365) appealWindowDays?: number;
  @IsOptional() @IsString() @MaxLength(500) note?: string;
}

export class ShadowBody {
  /** A draft of the scheme's `scoring` part (see GET /cycles/{id}: schemes[].scheme.scoring). */
  @IsObject({ message: '须提供评分方案草案（scoring）' }) scoring!: Record<string, unknown>;
  @IsOptional()
  @IsISO8601({ strict: true, strictSeparator: true }, { message: '时间须为 ISO 8601 格式' })
  at?: string;
}

export class PublicationParams {
  @Matches(ID, { message: '公示编号格式不正确' }) publicationId!: string;
}

const checkCategory = (category: string) => {
  if (!(CATEGORIES as readonly string[]).includes(category))
    throw new ApiError(404, 'CATEGORY_NOT_FOUND', '单位类别不存在', { category });
};

/** What a caller limited to some units (unit staff, 分管 leaders) sees of a publication's rows. */
const visibleRows = <T extends { unitId: string }>(actor: RequestActor, rows: readonly T[]) =>
  rows.filter((r) => actor.unitIds === null || actor.unitIds.includes(r.unitId));

/**
 * Publication (公示) of rankings, "as published" against "as recomputed now", the inputs-digest check,
 * and shadow scoring under a draft scheme. See docs/scoring.md, "Publication" and "Shadow scoring".
 */
@ApiTags('publications')
@Controller()
export class PublicationsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly loader: ScoringInputLoader,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(READ_MODEL_STORE) private readonly views: ReadModelStore,
    private readonly readYourWrites: ReadYourWrites,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Post('rankings/:cycleId/:category/publications')
  @Roles('assessmentAdmin')
  @ApiBody({
    schema: {
      type: 'object',
      required: ['kind'],
      properties: {
        kind: {
          enum: ['monthly', 'final'],
          description: 'monthly 月度排名（须带 period）；final 年度最终排名',
        },
        period: { type: 'string', example: '2026-06', description: '月份 YYYY-MM（仅月度）' },
        appealWindowDays: {
          type: 'integer',
          minimum: 1,
          maximum: 365,
          description: '申诉期天数，默认按配置',
        },
        note: { type: 'string', maxLength: 500 },
      },
    },
  })
  @ApiOperation({
    summary:
      '公示排名：按当月末（或年末）计分，记录各单位总分、名次、等次及输入摘要（SHA-256）；同一期可再次公示，新公示注明其替代的上一次（考核管理）',
  })
  async publish(
    @Param() { cycleId, category }: RankingParams,
    @Body() body: PublishRankingBody,
    @CommandMeta() context: CommandContext,
  ) {
    checkCategory(category);
    // The units and targets views say which units and targets there are: let them catch up first.
    const head = (await this.store.headPosition()) ?? 0;
    await this.readYourWrites.waitFor(UNITS, head);
    await this.readYourWrites.waitFor(TARGETS, head);
    const publicationId = deriveEventId(`publication\u0000${context.commandId}`, 0);
    return this.commands.execute(
      new PublishRanking(
        {
          publicationId,
          cycleId,
          category,
          kind: body.kind,
          period: body.period ?? null,
          appealWindowDays: body.appealWindowDays ?? this.config.appealWindowDays,
          note: body.note ?? null,
          logPosition: head,
        },
        context,
        this.clock().toISOString(),
      ),
    );
  }

  @Get('rankings/:cycleId/:category/publications')
  @Roles(...PUBLICATION_READERS)
  @ApiOperation({
    summary: '某类别的历次公示（新在前）：期别、评分时点、公示与申诉截止时间、是否已被替代（按数据范围）',
  })
  async list(
    @Param() { cycleId, category }: RankingParams,
    @Query() query: MinPositionQuery,
    @CurrentActor() actor: RequestActor,
  ) {
    checkCategory(category);
    await this.readYourWrites.waitFor(PUBLICATIONS, query.minPosition);
    if (!(await this.views.get<CycleView>(CYCLES, cycleId))) throw CycleErrors.notFound();
    const found = await this.views.find<PublicationView>(
      PUBLICATIONS,
      { cycleId, category },
      { sort: { publishedAt: -1 }, limit: 500 },
    );
    return {
      cycleId,
      category,
      items: found.map(({ rows, _position: _p, ...publication }) => ({
        ...publication,
        units: rows.length,
        current: publication.supersededBy === null,
        rows: visibleRows(actor, rows),
      })),
    };
  }

  @Get('publications/:publicationId')
  @Roles(...PUBLICATION_READERS)
  @ApiOperation({
    summary: '公示内容：公示时的排名（原样，不重新计算）、输入摘要、申诉截止时间（按数据范围）',
  })
  async get(
    @Param() { publicationId }: PublicationParams,
    @Query() query: MinPositionQuery,
    @CurrentActor() actor: RequestActor,
  ) {
    const publication = await this.publication(publicationId, query.minPosition);
    const { rows, _position: _p, ...rest } = publication;
    return { ...rest, units: rows.length, rows: visibleRows(actor, rows) };
  }

  @Get('publications/:publicationId/comparison')
  @Roles(...PUBLICATION_READERS)
  @ApiOperation({
    summary:
      '公示结果与现在重新计算结果对照：同一评分时点、按现在所知（含其后的裁决与更正），逐单位列出总分、名次、等次的差异（按数据范围）',
  })
  async comparison(
    @Param() { publicationId }: PublicationParams,
    @Query() query: MinPositionQuery,
    @CurrentActor() actor: RequestActor,
  ) {
    const publication = await this.publication(publicationId, query.minPosition);
    const asOf = this.clock().toISOString();
    const scored = scoreCategory(
      await this.loader.load({
        cycleId: publication.cycleId,
        category: publication.category,
        at: publication.at,
        asOf,
      }),
      { trace: 'none' },
    );
    const names = await this.names(scored.units.map((u) => u.unitId));
    const recomputed = publishedRows(scored, names);
    const differences = visibleRows(actor, comparePublication(publication.rows, recomputed));
    return {
      publicationId,
      cycleId: publication.cycleId,
      category: publication.category,
      kind: publication.kind,
      period: publication.period,
      at: publication.at,
      published: {
        asOf: publication.asOf,
        publishedAt: publication.publishedAt,
        schemeVersion: publication.schemeVersion,
        treeVersion: publication.treeVersion,
        rows: visibleRows(actor, publication.rows),
      },
      recomputed: {
        asOf,
        schemeVersion: scored.schemeVersion,
        treeVersion: scored.treeVersion,
        rows: visibleRows(actor, recomputed),
      },
      changed: differences.some((r) => r.changed),
      differences,
    };
  }

  @Get('publications/:publicationId/verify')
  @Roles(...PUBLICATION_READERS)
  @ApiOperation({
    summary:
      '核验公示输入摘要：按公示时所知（asOf 及日志位置）重新读取日志中的计分输入并计算 SHA-256，与公示记录的摘要比对（防篡改）',
  })
  async verify(@Param() { publicationId }: PublicationParams, @Query() query: MinPositionQuery) {
    const publication = await this.publication(publicationId, query.minPosition);
    const input = await this.loader.load({
      cycleId: publication.cycleId,
      category: publication.category,
      at: publication.at,
      asOf: publication.asOf,
    });
    const recomputed = inputsDigest(cutAtPosition(input, publication.logPosition));
    const published = publication.inputsDigest;
    return {
      publicationId,
      at: publication.at,
      asOf: publication.asOf,
      logPosition: publication.logPosition,
      published,
      recomputed,
      matches:
        published.algorithm === recomputed.algorithm &&
        published.canonicalization === recomputed.canonicalization &&
        published.value === recomputed.value,
    };
  }

  @Post('rankings/:cycleId/:category/shadow')
  @HttpCode(200)
  @Roles(...SHADOW_SCORERS)
  @ApiBody({
    schema: {
      type: 'object',
      required: ['scoring'],
      properties: {
        scoring: { type: 'object', description: '评分方案的 scoring 部分（草案），校验规则同发布方案' },
        at: { type: 'string', format: 'date-time', description: '评分时点，默认现在' },
      },
    },
  })
  @ApiOperation({
    summary:
      '模拟计分：按评分方案草案计算排名（不发布、不写入日志），逐单位对照现行方案的总分、名次、等次及差值（考核管理、市领导，按数据范围）',
  })
  async shadow(
    @Param() { cycleId, category }: RankingParams,
    @Body() body: ShadowBody,
    @CurrentActor() actor: RequestActor,
  ) {
    checkCategory(category);
    const parsed = schemeSchema.shape.scoring.safeParse(body.scoring);
    if (!parsed.success)
      throw CycleErrors.invalidScheme(
        parsed.error.issues.map((i) => `scoring.${i.path.join('.')}: ${i.message}`),
      );
    const now = this.clock().toISOString();
    const at = body.at === undefined ? now : new Date(body.at).toISOString();
    const result = shadowRanking(await this.loader.load({ cycleId, category, at, asOf: now }), parsed.data);
    const names = await this.names(result.units.map((u) => u.unitId));
    return {
      ...result,
      units: visibleRows(actor, result.units).map((u) => ({ ...u, unitName: names.get(u.unitId) ?? null })),
    };
  }

  private async publication(
    publicationId: string,
    minPosition: number | undefined,
  ): Promise<PublicationView> {
    await this.readYourWrites.waitFor(PUBLICATIONS, minPosition);
    const publication = await this.views.get<PublicationView>(PUBLICATIONS, publicationId);
    if (!publication) throw PublicationErrors.notFound(publicationId);
    return publication;
  }

  private async names(unitIds: string[]): Promise<Map<string, string>> {
    const units = await this.views.find<UnitView>(
      UNITS,
      { _id: { $in: unitIds } },
      { limit: Math.max(1, unitIds.length) },
    );
    return new Map(units.map((u) => [u._id, u.name]));
  }
}
