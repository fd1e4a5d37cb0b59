import { randomUUID } from 'node:crypto';
import {
  Body,
  Controller,
  Get,
  Header,
  HttpCode,
  Inject,
  Param,
  Post,
  Put,
  Query,
  Req,
  StreamableFile,
} from '@nestjs/common';
import { toBuffer as qrPng, toString as qrString } from 'qrcode';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  CAMPAIGNS,
  type CampaignDefinition,
  CampaignErrors,
  type CampaignView,
  CloseCampaign,
  CreateCampaign,
  ImportSurveyResults,
  IssueRatingTokens,
  OpenCampaign,
  PUBLIC_RATING_BURSTS,
  type PublicRatingBurstView,
  type RaterGroup,
  type SheetRater,
  SubmitPublicRating,
  SubmitRatingSheet,
} from '@dukao/evaluations';
import type { CommandContext } from '@dukao/event-store';
import { CLOCK, type Clock } from '@dukao/kernel';
import { READ_MODEL_STORE, type ReadModelStore } from '@dukao/read-model-store';
import { ReadYourWrites } from '../common/read-your-writes';
import { PublicRatingLimiter } from './public-rating-limiter';
import { type PublicRatingInput, PublicRatingBodyPipe } from './public-rating-body.pipe';
import { ApiError } from '../errors/api-error';
import {
  CommandMeta,
  CurrentActor,
  type DukaoRequest,
  Public,
  type RequestActor,
  Roles,
  assertUnitInScope,
} from '../security/access';
import { MinPositionQuery } from '../targets/target.dto';
import { TARGET_READERS } from '../targets/targets.controller';
import {
  CampaignParams,
  CampaignUnitParams,
  CreateCampaignBody,
  PublicRatingBody,
  RatingLinkQuery,
  RatingLinksBody,
  SheetBody,
  SurveyBody,
  toAnswer,
} from './campaigns.dto';

/** The public rating page's path for one token: what the links and the QR codes carry. */
const ratingPath = (campaignId: string, unitId: string, token: string) =>
  `/rate/${encodeURIComponent(campaignId)}/${encodeURIComponent(unitId)}?t=${token}`;

/**
 * The absolute link a QR code carries, on the host the administrator called (behind a reverse proxy,
 * the proxy must pass the public Host). The token is not looked up: the QR only renders a link the
 * caller already holds.
 */
const ratingUrl = (request: DukaoRequest, { campaignId, unitId }: CampaignUnitParams, token: string) =>
  `${request.protocol}://${request.get('host') ?? 'localhost'}${ratingPath(campaignId, unitId, token)}`;

/** The reciprocal-pattern signals are for the inspectors only: other readers get results without them. */
const withoutSignals = (view: CampaignView) =>
  view.results ? { ...view, results: { ...view.results, reciprocalSignals: undefined } } : view;

function definitionOf(body: CreateCampaignBody): CampaignDefinition {
  const groups = body.groups.map((g): RaterGroup => {
    switch (g.kind) {
      case 'departments':
        return { kind: 'departments', weight: g.weight, raterUnitIds: g.raterUnitIds ?? [] };
      case 'leaders':
        return { kind: 'leaders', weight: g.weight, userIds: g.userIds ?? [] };
      default:
        return { kind: g.kind, weight: g.weight };
    }
  });
  const q = body.questionnaire;
  return {
    campaignId: body.campaignId,
    cycleId: body.cycleId,
    name: body.name.trim(),
    period: body.period ?? null,
    unitIds: body.unitIds,
    groups,
    questionnaire:
      q.kind === 'dimensions'
        ? { kind: 'dimensions', dimensions: q.dimensions ?? [] }
        : { kind: 'satisfaction', scores: q.scores ?? {} },
    opensAt: new Date(body.opensAt).toISOString(),
    closesAt: new Date(body.closesAt).toISOString(),
    quota: body.quota ? { excellentAt: body.quota.excellentAt, maxShare: body.quota.maxShare } : null,
    trimShare: body.trimShare ?? null,
    reciprocalThreshold: body.reciprocalThreshold ?? 10,
  };
}

/** 满意度评议: campaigns, sheets of departments and leaders, survey import, rating links, results. */
@ApiTags('evaluations')
@Controller('campaigns')
export class CampaignsController {
  constructor(
    private readonly commands: CommandBus,
    @Inject(READ_MODEL_STORE) private readonly views: ReadModelStore,
    private readonly readYourWrites: ReadYourWrites,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  private now = () => this.clock().toISOString();

  @Post()
  @Roles('assessmentAdmin')
  @ApiOperation({ summary: '创建满意度评议活动（评议群体、权重、评议表、时间、优秀比例）（考核管理）' })
  create(@Body() body: CreateCampaignBody, @CommandMeta() context: CommandContext) {
    return this.commands.execute(new CreateCampaign(definitionOf(body), context, this.now()));
  }

  @Get()
  @Roles(...TARGET_READERS)
  @ApiOperation({ summary: '评议活动列表' })
  async list(@Query() query: MinPositionQuery) {
    await this.readYourWrites.waitFor(CAMPAIGNS, query.minPosition);
    const items = await this.views.find<CampaignView>(CAMPAIGNS, {}, { sort: { createdAt: -1 }, limit: 200 });
    return { items: items.map(withoutSignals) };
  }

  @Get(':campaignId')
  @Roles(...TARGET_READERS)
  @ApiOperation({ summary: '评议活动详情（含结果）' })
  async get(@Param() { campaignId }: CampaignParams, @Query() query: MinPositionQuery) {
    return withoutSignals(await this.view(campaignId, query.minPosition));
  }

  @Get(':campaignId/results')
  @Roles(...TARGET_READERS)
  @ApiOperation({ summary: '评议结果：各单位各群体平均分、人数、去极值平均分、加权总分' })
  async results(@Param() { campaignId }: CampaignParams, @Query() query: MinPositionQuery) {
    const view = await this.view(campaignId, query.minPosition);
    if (!view.results) throw new ApiError(409, 'RESULTS_NOT_PUBLISHED', '评议尚未结束，结果未发布');
    return {
      campaignId,
      cycleId: view.cycleId,
      units: view.results.units,
      publishedAt: view.results.publishedAt,
    };
  }

  @Get(':campaignId/signals')
  @Roles('inspector')
  @ApiOperation({
    summary:
      '异常信号：部门互相抬分、同一网络集中评议（按标记时间，最多 10,000 条；完整记录见审计日志）（电子监察）',
  })
  async signals(@Param() { campaignId }: CampaignParams, @Query() query: MinPositionQuery) {
    await this.readYourWrites.waitFor(PUBLIC_RATING_BURSTS, query.minPosition);
    const view = await this.view(campaignId, query.minPosition);
    const bursts = await this.views.find<PublicRatingBurstView>(
      PUBLIC_RATING_BURSTS,
      { campaignId },
      { sort: { flaggedAt: 1 }, limit: 10_000 },
    );
    return {
      campaignId,
      reciprocal: view.results?.reciprocalSignals ?? null,
      bursts: bursts.map(({ unitId, networkHash, countInWindow, windowMinutes, flaggedAt }) => ({
        unitId,
        networkHash,
        countInWindow,
        windowMinutes,
        flaggedAt,
      })),
    };
  }

  @Post(':campaignId/open')
  @HttpCode(200)
  @Roles('assessmentAdmin')
  @ApiOperation({ summary: '开始评议（考核管理）' })
  open(@Param() { campaignId }: CampaignParams, @CommandMeta() context: CommandContext) {
    return this.commands.execute(new OpenCampaign(campaignId, context, this.now()));
  }

  @Post(':campaignId/close')
  @HttpCode(200)
  @Roles('assessmentAdmin')
  @ApiOperation({ summary: '结束评议：锁定评议表，计算并发布结果（考核管理）' })
  close(@Param() { campaignId }: CampaignParams, @CommandMeta() context: CommandContext) {
    return this.commands.execute(new CloseCampaign(campaignId, context, this.now()));
  }

  @Post(':campaignId/survey')
  @HttpCode(200)
  @Roles('assessmentAdmin')
  @ApiOperation({ summary: '导入第三方调查结果（逐行校验，全部正确才导入）（考核管理）' })
  survey(
    @Param() { campaignId }: CampaignParams,
    @Body() body: SurveyBody,
    @CommandMeta() context: CommandContext,
  ) {
    return this.commands.execute(
      new ImportSurveyResults(campaignId, body.rows, body.source ?? null, context, this.now()),
    );
  }

  @Put(':campaignId/sheets/:unitId')
  @Roles('unitStaff', 'cityLeader')
  @ApiOperation({ summary: '提交或修改评议表（部门互评、领导评议），结束前可修改' })
  sheet(
    @Param() { campaignId, unitId }: CampaignUnitParams,
    @Body() body: SheetBody,
    @CurrentActor() actor: RequestActor,
    @CommandMeta() context: CommandContext,
  ) {
    let rater: SheetRater;
    if (body.group === 'departments') {
      const raterUnitId = body.raterUnitId ?? (actor.unitIds?.length === 1 ? actor.unitIds[0] : undefined);
      if (actor.role !== 'unitStaff' || actor.unitIds === null || raterUnitId === undefined)
        throw CampaignErrors.notARater('部门互评须由评议部门的承办人员代表本单位提交');
      assertUnitInScope(actor, raterUnitId);
      rater = { group: 'departments', unitId: raterUnitId };
    } else {
      rater = { group: 'leaders', userId: actor.principal.userId };
    }
    return this.commands.execute(
      new SubmitRatingSheet(campaignId, rater, unitId, toAnswer(body), context, this.now()),
    );
  }

  @Post(':campaignId/units/:unitId/rating-links')
  @Roles('assessmentAdmin')
  @ApiOperation({
    summary: '生成社会公众评议链接（一次性令牌，仅保存其 SHA-256 摘要；令牌只在此返回一次）（考核管理）',
  })
  async ratingLinks(
    @Param() { campaignId, unitId }: CampaignUnitParams,
    @Body() body: RatingLinksBody,
    @CommandMeta() context: CommandContext,
  ) {
    const issued = await this.commands.execute(
      new IssueRatingTokens(campaignId, unitId, body.count, context, this.now()),
    );
    return {
      ...issued,
      links: issued.tokens.map((t) => ratingPath(campaignId, unitId, t)),
    };
  }

  @Get(':campaignId/units/:unitId/rating-qr/png')
  @Roles('assessmentAdmin')
  @Header('Content-Type', 'image/png')
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: '评议链接二维码（PNG），t 为生成链接时返回的令牌（考核管理）' })
  async qrPng(
    @Param() params: CampaignUnitParams,
    @Query() { t }: RatingLinkQuery,
    @Req() request: DukaoRequest,
  ) {
    return new StreamableFile(
      await qrPng(ratingUrl(request, params, t), { type: 'png', margin: 2, width: 320 }),
    );
  }

  @Get(':campaignId/units/:unitId/rating-qr/svg')
  @Roles('assessmentAdmin')
  @Header('Content-Type', 'image/svg+xml')
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: '评议链接二维码（SVG），t 为生成链接时返回的令牌（考核管理）' })
  async qrSvg(
    @Param() params: CampaignUnitParams,
    @Query() { t }: RatingLinkQuery,
    @Req() request: DukaoRequest,
  ) {
    return qrString(ratingUrl(request, params, t), { type: 'svg', margin: 2 });
  }

  private async view(campaignId: string, minPosition: number | undefined): Promise<CampaignView> {
    await this.readYourWrites.waitFor(CAMPAIGNS, minPosition);
    const view = await this.views.get<CampaignView>(CAMPAIGNS, campaignId);
    if (!view) throw CampaignErrors.notFound(campaignId);
    return view;
  }
}

/** Anonymous ratings by the public, with a one-time token from a rating link. */
@ApiTags('evaluations')
@Controller('public-ratings')
export class PublicRatingsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly limiter: PublicRatingLimiter,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Post()
  @Public()
  @ApiOperation({
    summary: '社会公众评议（无需登录；每个链接一次；不记录用户、IP 或设备，仅记录所在网段的加盐摘要）',
  })
  @ApiBody({ type: PublicRatingBody })
  rate(@Body(PublicRatingBodyPipe) body: PublicRatingInput, @Req() request: DukaoRequest) {
    const context: CommandContext = {
      commandId: randomUUID(),
      actor: { userId: 'anonymous', role: 'public', unitId: null },
      correlationId: request.correlationId,
    };
    const ip = request.ip ?? request.socket.remoteAddress ?? '';
    this.limiter.attempt(body.token, ip);
    return this.commands.execute(
      new SubmitPublicRating(
        body.campaignId,
        body.unitId,
        body.token,
        ip,
        toAnswer(body),
        context,
        this.clock().toISOString(),
      ),
    );
  }
}
