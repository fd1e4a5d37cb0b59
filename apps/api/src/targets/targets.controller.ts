import { Body, Controller, Get, Headers, HttpCode, Inject, Param, Post, Put, Query } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import { type CommandContext, deriveEventId } from '@dukao/event-store';
import { EVIDENCE_STORE, type EvidenceStore } from '@dukao/evidence-store';
import type { Role } from '@dukao/identity';
import { CLOCK, type Clock } from '@dukao/kernel';
import { READ_MODEL_STORE, type Filter, type ReadModelStore } from '@dukao/read-model-store';
import {
  ChangeTarget,
  CYCLES,
  type CycleView,
  type EvidenceRef,
  MissedPeriodsCheck,
  periodEnd,
  ProposeTarget,
  ResubmitTarget,
  type ReviewStage,
  TARGETS,
  type TargetCommand,
  type TargetScope,
  type TargetView,
  round2,
  targetProgress,
  versionAt,
  warningThresholdsInForce,
} from '@dukao/targets';
import { ReadYourWrites } from '../common/read-your-writes';
import { ApiError } from '../errors/api-error';
import { CommandMeta, CurrentActor, type RequestActor, Roles, assertUnitInScope } from '../security/access';
import {
  AdjustBody,
  ListTargetsQuery,
  MinPositionQuery,
  NilReturnBody,
  ProposeTargetBody,
  ReasonBody,
  ReportBody,
  ReportParams,
  ReviewBody,
  TargetParams,
  TargetProposalDto,
  DashboardQuery,
  EvidenceItemDto,
  UnitIdParams,
  WarningThresholdsBody,
} from './target.dto';

/** Who may read targets, each within their data scope. */
export const TARGET_READERS: Role[] = [
  'cityLeader',
  'assessmentAdmin',
  'supervisor',
  'reviewer',
  'unitStaff',
  'inspector',
];
/** The role that reviews each 联审 stage, and the target field its unit scope applies to. */
const STAGE_ROLES: Record<ReviewStage, { role: Role; field: TargetScope['field'] | null }> = {
  lineDepartment: { role: 'reviewer', field: 'dataCollectionUnitId' },
  assessmentOffice: { role: 'assessmentAdmin', field: null },
  leaderInCharge: { role: 'cityLeader', field: 'unitId' },
};

/** Limits a listing to what the caller may see: own unit (staff, 分管 leaders), collected data (reviewers). */
export function scopeFilter(actor: RequestActor): Filter {
  if (actor.unitIds === null) return {};
  return actor.role === 'reviewer'
    ? { dataCollectionUnitId: { $in: actor.unitIds } }
    : { unitId: { $in: actor.unitIds } };
}

function ifMatch(header: string | undefined): number | undefined {
  if (header === undefined) return undefined;
  const match = /^(?:W\/)?"?(\d+)"?$/.exec(header.trim());
  if (!match) throw new ApiError(400, 'INVALID_IF_MATCH', 'If-Match 须为目标的版本号');
  return Number(match[1]);
}

@ApiTags('targets')
@Controller('targets')
export class TargetsController {
  constructor(
    private readonly commands: CommandBus,
    @Inject(READ_MODEL_STORE) private readonly views: ReadModelStore,
    @Inject(EVIDENCE_STORE) private readonly evidence: EvidenceStore,
    private readonly readYourWrites: ReadYourWrites,
    private readonly missedPeriods: MissedPeriodsCheck,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  private now(): string {
    return this.clock().toISOString();
  }

  @Post()
  @Roles('assessmentAdmin')
  @ApiOperation({ summary: '拟定目标并提交联审（考核管理）' })
  propose(@Body() body: ProposeTargetBody, @CommandMeta() context: CommandContext) {
    const { reviewStages, ...proposal } = body;
    const targetId = deriveEventId(`target\u0000${context.commandId}`, 0);
    return this.commands.execute(new ProposeTarget(targetId, proposal, reviewStages, context, this.now()));
  }

  @Post('missed-period-checks')
  @Roles('assessmentAdmin')
  @HttpCode(200)
  @ApiOperation({ summary: '立即执行一次逾期未报检查（通常由定时任务执行）（考核管理）' })
  checkMissedPeriods(@CommandMeta() context: CommandContext) {
    return this.missedPeriods.run({ actor: context.actor, correlationId: context.correlationId });
  }

  @Get()
  @Roles(...TARGET_READERS)
  @ApiOperation({ summary: '目标列表：按周期、单位、类别、指标、状态筛选，分页（按数据范围）' })
  async list(@Query() query: ListTargetsQuery, @CurrentActor() actor: RequestActor) {
    const { cycleId, unitId, category, indicatorId, status } = query;
    const filter: Filter = {
      ...Object.fromEntries(
        Object.entries({ cycleId, unitId, category, indicatorId, status }).filter(([, v]) => v !== undefined),
      ),
      ...scopeFilter(actor),
    };
    const page = await this.readYourWrites.page<TargetView>(
      TARGETS,
      filter,
      { unitId: 1, indicatorId: 1 },
      query,
    );
    const now = this.clock();
    return {
      ...page,
      items: page.items.map(
        ({
          reports: _reports,
          reviewHistory: _history,
          warningThresholdHistory: _thresholds,
          ...target
        }) => ({
          ...target,
          warningThresholds: target.warningThresholds ?? null,
          progress: targetProgress(target as TargetView, now),
        }),
      ),
    };
  }

  @Get(':targetId')
  @Roles(...TARGET_READERS)
  @ApiOperation({
    summary: '目标详情：填报历史（含被更正的）、当前完成率、今日应完成进度、节点（按数据范围）',
  })
  async get(
    @Param() { targetId }: TargetParams,
    @Query() query: MinPositionQuery,
    @CurrentActor() actor: RequestActor,
  ) {
    await this.readYourWrites.waitFor(TARGETS, query.minPosition);
    const target = await this.views.get<TargetView>(TARGETS, targetId);
    if (!target || !this.inScope(actor, target)) throw new ApiError(404, 'TARGET_NOT_FOUND', '目标不存在');
    const now = this.clock();
    return {
      ...target,
      warningThresholds: target.warningThresholds ?? null,
      warningThresholdHistory: target.warningThresholdHistory ?? [],
      warningThresholdsInForce: await this.thresholdsInForce(target, now),
      progress: targetProgress(target, now),
    };
  }

  @Put(':targetId/warning-thresholds')
  @Roles('assessmentAdmin')
  @HttpCode(200)
  @ApiOperation({
    summary:
      '设置目标自身的预警阈值（替代评分方案的同名阈值，{} 为清除），须写明理由；立即重新评估预警（考核管理）',
  })
  setWarningThresholds(
    @Param() { targetId }: TargetParams,
    @Body() body: WarningThresholdsBody,
    @CommandMeta() context: CommandContext,
  ) {
    return this.commands.execute(
      new ChangeTarget(
        targetId,
        { type: 'SetWarningThresholds', thresholds: body.thresholds, reason: body.reason, at: this.now() },
        context,
      ),
    );
  }

  @Post(':targetId/reviews')
  @Roles('reviewer', 'assessmentAdmin', 'cityLeader')
  @HttpCode(200)
  @ApiOperation({
    summary: '联审：业务部门（审核评分）→ 考核办（考核管理）→ 分管领导（市级领导），通过或退回',
  })
  review(
    @Param() { targetId }: TargetParams,
    @Body() body: ReviewBody,
    @CurrentActor() actor: RequestActor,
    @CommandMeta() context: CommandContext,
  ) {
    const { role, field } = STAGE_ROLES[body.stage];
    const grants = actor.principal.grants.filter((g) => g.role === role);
    if (grants.length === 0)
      throw new ApiError(403, 'WRONG_REVIEWER', '您不是该审核环节的审核人', { stage: body.stage });
    const unitIds =
      field === null || grants.some((g) => g.unitIds === null)
        ? null
        : grants.flatMap((g) => g.unitIds ?? []);
    const command: TargetCommand = {
      type: 'ReviewTarget',
      stage: body.stage,
      decision: body.decision,
      reason: body.reason,
      at: this.now(),
    };
    return this.commands.execute(
      new ChangeTarget(
        targetId,
        command,
        { ...context, actor: { ...context.actor, role } },
        field ? { field, unitIds } : null,
      ),
    );
  }

  @Post(':targetId/resubmit')
  @Roles('assessmentAdmin')
  @HttpCode(200)
  @ApiOperation({ summary: '修改被退回的目标并重新提交联审（考核管理）' })
  resubmit(
    @Param() { targetId }: TargetParams,
    @Body() body: TargetProposalDto,
    @CommandMeta() context: CommandContext,
  ) {
    return this.commands.execute(new ResubmitTarget(targetId, body, context, this.now()));
  }

  @Post(':targetId/adjustments')
  @Roles('assessmentAdmin')
  @HttpCode(200)
  @ApiOperation({ summary: '依裁决调整目标值，生效日前仍按原值（考核管理）' })
  adjust(
    @Param() { targetId }: TargetParams,
    @Body() body: AdjustBody,
    @CommandMeta() context: CommandContext,
  ) {
    const { newValue, rulingRef, reason } = body;
    const effectiveFrom = new Date(body.effectiveFrom).toISOString();
    return this.commands.execute(
      new ChangeTarget(
        targetId,
        { type: 'AdjustTarget', newValue, effectiveFrom, rulingRef, reason, at: this.now() },
        context,
      ),
    );
  }

  @Post(':targetId/withdraw')
  @Roles('assessmentAdmin')
  @HttpCode(200)
  @ApiOperation({ summary: '撤销目标（考核管理）' })
  withdraw(
    @Param() { targetId }: TargetParams,
    @Body() body: ReasonBody,
    @CommandMeta() context: CommandContext,
  ) {
    return this.commands.execute(
      new ChangeTarget(targetId, { type: 'WithdrawTarget', reason: body.reason, at: this.now() }, context),
    );
  }

  @Post(':targetId/reports')
  @Roles('unitStaff')
  @ApiHeader({ name: 'If-Match', required: false, description: '目标的版本号；有他人先行修改时返回 409' })
  @ApiOperation({ summary: '进度填报（含更正：replaces 指向被更正的填报）（承办单位，限本单位）' })
  async report(
    @Param() { targetId }: TargetParams,
    @Body() body: ReportBody,
    @CurrentActor() actor: RequestActor,
    @CommandMeta() context: CommandContext,
    @Headers('if-match') match?: string,
  ) {
    const evidence = await this.resolveEvidence(body.evidence);
    const reportId = deriveEventId(`report\u0000${context.commandId}`, 0);
    const result = await this.commands.execute(
      new ChangeTarget(
        targetId,
        {
          type: 'ReportProgress',
          reportId,
          period: body.period,
          cumulativeValue: body.cumulativeValue,
          milestonesCompleted: body.milestonesCompleted,
          narrative: body.narrative,
          evidence,
          replaces: body.replaces,
          at: this.now(),
        },
        { ...context, occurredAt: periodEnd(body.period) },
        { field: 'unitId', unitIds: actor.unitIds },
        ifMatch(match),
      ),
    );
    return { ...result, reportId };
  }

  @Post(':targetId/nil-returns')
  @Roles('unitStaff')
  @ApiOperation({ summary: '本期无进展申报（零报告）（承办单位，限本单位）' })
  async nilReturn(
    @Param() { targetId }: TargetParams,
    @Body() body: NilReturnBody,
    @CurrentActor() actor: RequestActor,
    @CommandMeta() context: CommandContext,
  ) {
    const reportId = deriveEventId(`report\u0000${context.commandId}`, 0);
    const result = await this.commands.execute(
      new ChangeTarget(
        targetId,
        { type: 'DeclareNilReturn', reportId, period: body.period, reason: body.reason, at: this.now() },
        { ...context, occurredAt: periodEnd(body.period) },
        { field: 'unitId', unitIds: actor.unitIds },
      ),
    );
    return { ...result, reportId };
  }

  @Post(':targetId/reports/:reportId/verify')
  @Roles('reviewer')
  @HttpCode(200)
  @ApiOperation({ summary: '数据审核通过（审核评分，限本单位采集的数据）' })
  verify(
    @Param() { targetId, reportId }: ReportParams,
    @CurrentActor() actor: RequestActor,
    @CommandMeta() context: CommandContext,
  ) {
    return this.commands.execute(
      new ChangeTarget(targetId, { type: 'VerifyReport', reportId, at: this.now() }, context, {
        field: 'dataCollectionUnitId',
        unitIds: actor.unitIds,
      }),
    );
  }

  @Post(':targetId/reports/:reportId/reject')
  @Roles('reviewer')
  @HttpCode(200)
  @ApiOperation({ summary: '退回填报，须写明理由（审核评分，限本单位采集的数据）' })
  reject(
    @Param() { targetId, reportId }: ReportParams,
    @Body() body: ReasonBody,
    @CurrentActor() actor: RequestActor,
    @CommandMeta() context: CommandContext,
  ) {
    return this.commands.execute(
      new ChangeTarget(
        targetId,
        { type: 'RejectReport', reportId, reason: body.reason, at: this.now() },
        context,
        {
          field: 'dataCollectionUnitId',
          unitIds: actor.unitIds,
        },
      ),
    );
  }

  /**
   * The warning thresholds that apply to the target now: the scheme version in force for its cycle,
   * with the target's own in their place. null before any scheme is in force.
   */
  private async thresholdsInForce(target: TargetView, now: Date) {
    const cycle = await this.views.get<CycleView>(CYCLES, target.cycleId);
    const version = cycle ? versionAt(cycle.schemes, now.toISOString()) : undefined;
    if (!version) return null;
    return {
      schemeVersion: version.version,
      thresholds: warningThresholdsInForce(version.scheme.warnings, target.warningThresholds),
    };
  }

  private inScope(actor: RequestActor, target: TargetView): boolean {
    if (actor.unitIds === null) return true;
    return actor.unitIds.includes(actor.role === 'reviewer' ? target.dataCollectionUnitId : target.unitId);
  }

  /** The stored facts of each file (hashes, size, type) with the name the unit gave it. */
  private async resolveEvidence(items: EvidenceItemDto[]): Promise<EvidenceRef[]> {
    const refs = await Promise.all(items.map((item) => this.evidence.stat(item.fileId.toLowerCase())));
    const missing = items.filter((_, i) => refs[i] === null).map((item) => item.fileId);
    if (missing.length)
      throw new ApiError(422, 'EVIDENCE_NOT_FOUND', '佐证材料不存在，请先上传', { missing });
    return refs.map((ref, i) => ({ ...ref!, name: items[i]!.name }));
  }
}

/** A unit's own page: its targets with completion against the expected schedule. */
@ApiTags('targets')
@Controller('units/:unitId/dashboard')
export class UnitDashboardController {
  constructor(
    @Inject(READ_MODEL_STORE) private readonly views: ReadModelStore,
    private readonly readYourWrites: ReadYourWrites,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Get()
  @Roles('cityLeader', 'assessmentAdmin', 'supervisor', 'unitStaff', 'inspector')
  @ApiOperation({ summary: '单位看板：本单位已下达目标的完成率与应完成进度（按数据范围）' })
  async dashboard(
    @Param() { unitId }: UnitIdParams,
    @Query() query: DashboardQuery,
    @CurrentActor() actor: RequestActor,
  ) {
    assertUnitInScope(actor, unitId);
    await this.readYourWrites.waitFor(TARGETS, query.minPosition);
    const targets = await this.views.find<TargetView>(
      TARGETS,
      { unitId, status: 'issued', ...(query.cycleId ? { cycleId: query.cycleId } : {}) },
      { sort: { indicatorId: 1 }, limit: 500 },
    );
    const now = this.clock();
    const items = targets.map((t) => {
      const progress = targetProgress(t, now);
      return {
        targetId: t._id,
        title: t.title,
        indicatorId: t.indicatorId,
        kind: t.kind,
        unitOfMeasure: t.unitOfMeasure,
        latestPeriod: t.latest?.period ?? null,
        latestValue: t.latest?.cumulativeValue ?? null,
        missedPeriods: t.missedPeriods,
        lateReports: t.reports.filter((r) => r.late && r.status !== 'replaced').length,
        ...progress,
        behindToday: round2(progress.expectedPctToday - progress.completionPct),
      };
    });
    return { unitId, asOf: now.toISOString(), items };
  }
}
