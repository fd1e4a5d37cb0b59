import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query, StreamableFile } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { type CommandContext, deriveEventId } from '@dukao/event-store';
import { EVIDENCE_STORE, type EvidenceRef, type EvidenceStore } from '@dukao/evidence-store';
import { type Role, USERS, type UserView } from '@dukao/identity';
import { CLOCK, type Clock } from '@dukao/kernel';
import { type Filter, READ_MODEL_STORE, type ReadModelStore } from '@dukao/read-model-store';
import {
  type CallerScope,
  type CaseCommand,
  ACCOUNTABILITY_ACTIONS_VIEW,
  type AccountabilityActionView,
  ChangeSupervisionNotice,
  IssueSupervisionNotice,
  SUPERVISION_NOTICES,
  SupervisionErrors,
  type SupervisionNoticeView,
  noticeCandidates,
  noticeOverdue,
  supervisionBoard,
  supervisionReport,
  supervisionReportHtml,
  supervisionReportXlsx,
} from '@dukao/supervision';
import { TARGETS, type TargetView, UNITS, type UnitView } from '@dukao/targets';
import { WARNINGS, type WarningView } from '@dukao/warnings';
import { ReadYourWrites } from '../common/read-your-writes';
import { XLSX } from '../common/single-file-upload';
import { ApiError } from '../errors/api-error';
import { CommandMeta, CurrentActor, type RequestActor, Roles, assertUnitInScope } from '../security/access';
import type { EvidenceItemDto } from '../targets/target.dto';
import { MinPositionQuery } from '../targets/target.dto';
import {
  CandidatesQuery,
  CloseNoticeBody,
  EscalateNoticeBody,
  ExtensionBody,
  ExtensionParams,
  IssueNoticeBody,
  ListNoticesQuery,
  NoticeBoardQuery,
  NoticeParams,
  RectificationBody,
  RefuseExtensionBody,
  ReturnNoticeBody,
  SupervisionReportQuery,
} from './supervision.dto';

/** Who may read cases, each within their data scope (unit staff and 分管 leaders: their units). */
export const NOTICE_READERS: Role[] = [
  'cityLeader',
  'assessmentAdmin',
  'supervisor',
  'unitStaff',
  'inspector',
];
/** The board and the candidates read at most this many documents. */
const BOARD_LIMIT = 20_000;

const scopeOf = (actor: RequestActor): CallerScope => ({ unitIds: actor.unitIds });
const unitFilter = (actor: RequestActor): Filter =>
  actor.unitIds === null ? {} : { unitId: { $in: actor.unitIds } };

/**
 * 督查督办: cases (督查通知 / 绩效督查建议书) and their rounds. The office (督查督办) opens, returns,
 * closes and escalates; the responsible unit's staff sign, report rectification and ask for extensions.
 */
@ApiTags('supervision')
@Controller('supervision-notices')
export class SupervisionNoticesController {
  constructor(
    private readonly commands: CommandBus,
    @Inject(READ_MODEL_STORE) private readonly views: ReadModelStore,
    @Inject(EVIDENCE_STORE) private readonly evidence: EvidenceStore,
    private readonly readYourWrites: ReadYourWrites,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  private now(): string {
    return this.clock().toISOString();
  }

  @Post()
  @Roles('supervisor')
  @ApiOperation({
    summary: '发出督查通知或绩效督查建议书：针对目标（节点）或独立督办事项，写明要求与办理期限（督查督办）',
  })
  issue(
    @Body() body: IssueNoticeBody,
    @CurrentActor() actor: RequestActor,
    @CommandMeta() context: CommandContext,
  ) {
    const noticeId = deriveEventId(`supervision\u0000${context.commandId}`, 0);
    const notice = {
      cycleId: body.cycleId,
      unitId: body.unitId,
      kind: body.kind,
      title: body.title,
      demand: body.demand,
      deadline: body.deadline,
      targets: body.targets.map((t) => ({ targetId: t.targetId, milestoneId: t.milestoneId ?? null })),
      matter: body.matter ? { source: body.matter.source, description: body.matter.description } : null,
    };
    return this.commands.execute(
      new IssueSupervisionNotice(noticeId, notice, context, scopeOf(actor), this.now()),
    );
  }

  @Get()
  @Roles(...NOTICE_READERS)
  @ApiOperation({
    summary: '督办事项列表：按周期、单位、状态、轮次、跟踪人、是否逾期筛选，分页（按数据范围）',
  })
  async list(@Query() query: ListNoticesQuery, @CurrentActor() actor: RequestActor) {
    const now = this.now();
    const { cycleId, unitId, status, round, tracker } = query;
    const filter: Filter = {
      ...Object.fromEntries(
        Object.entries({ cycleId, unitId, status, round, tracker }).filter(([, v]) => v !== undefined),
      ),
      ...(query.overdue === 'true'
        ? { status: 'open', stage: { $in: ['issued', 'signed', 'returned'] }, deadlineAt: { $lte: now } }
        : {}),
      ...(query.overdue === 'false'
        ? { $or: [{ status: 'closed' }, { stage: 'reported' }, { deadlineAt: { $gt: now } }] }
        : {}),
      ...unitFilter(actor),
    };
    const page = await this.readYourWrites.page<SupervisionNoticeView>(
      SUPERVISION_NOTICES,
      filter,
      { issuedAt: -1, _id: 1 },
      query,
    );
    return {
      ...page,
      items: page.items.map(({ steps: _steps, rounds: _rounds, ...notice }) => ({
        ...notice,
        overdue: noticeOverdue(notice, now),
      })),
    };
  }

  @Get('board')
  @Roles(...NOTICE_READERS)
  @ApiOperation({ summary: '督办看板：在办、逾期、二次督办、已办结数量，按单位与跟踪人统计（按数据范围）' })
  async board(@Query() query: NoticeBoardQuery, @CurrentActor() actor: RequestActor) {
    await this.readYourWrites.waitFor(SUPERVISION_NOTICES, query.minPosition);
    const notices = await this.views.find<SupervisionNoticeView>(
      SUPERVISION_NOTICES,
      { ...(query.cycleId ? { cycleId: query.cycleId } : {}), ...unitFilter(actor) },
      { sort: { _id: 1 }, limit: BOARD_LIMIT },
    );
    const now = this.now();
    const board = supervisionBoard(notices, now);
    const units = await this.unitNames(board.byUnit.map((r) => r.unitId));
    const trackers = await this.userNames(board.byTracker.map((r) => r.tracker));
    return {
      cycleId: query.cycleId ?? null,
      asOf: now,
      totals: board.totals,
      byUnit: board.byUnit.map((r) => ({ ...r, unitName: units.get(r.unitId) ?? null })),
      byTracker: board.byTracker.map((r) => ({ ...r, trackerName: trackers.get(r.tracker) ?? null })),
      truncated: notices.length >= BOARD_LIMIT,
    };
  }

  @Get('candidates')
  @Roles(...NOTICE_READERS)
  @ApiOperation({
    summary:
      '待督办线索：亮红牌的目标与逾期节点中尚无在办督办事项的（仅供参考，由人决定是否督办）（按数据范围）',
  })
  async candidates(@Query() query: CandidatesQuery, @CurrentActor() actor: RequestActor) {
    await this.readYourWrites.waitFor(WARNINGS, query.minPosition);
    await this.readYourWrites.waitFor(SUPERVISION_NOTICES, query.minPosition);
    const match: Filter = {
      ...(query.cycleId ? { cycleId: query.cycleId } : {}),
      ...(query.unitId ? { unitId: query.unitId } : {}),
      ...unitFilter(actor),
    };
    const [reds, open] = await Promise.all([
      this.views.find<WarningView>(
        WARNINGS,
        { ...match, level: 'red' },
        { sort: { since: -1 }, limit: BOARD_LIMIT },
      ),
      this.views.find<SupervisionNoticeView>(
        SUPERVISION_NOTICES,
        { ...match, status: 'open' },
        { sort: { _id: 1 }, limit: BOARD_LIMIT },
      ),
    ]);
    const candidates = noticeCandidates(
      reds.map((w) => ({
        targetId: w._id,
        cycleId: w.cycleId,
        unitId: w.unitId,
        category: w.category,
        since: w.since,
        reasons: w.reasons,
      })),
      open,
    );
    const targets = await this.targetsById(candidates.map((c) => c.targetId));
    return {
      items: candidates.map((c) => {
        const target = targets.get(c.targetId);
        return {
          ...c,
          title: target?.title ?? null,
          milestoneTitle:
            c.milestoneId === null
              ? null
              : (target?.milestones.find((m) => m.milestoneId === c.milestoneId)?.title ?? null),
        };
      }),
    };
  }

  @Get('report')
  @Roles(...NOTICE_READERS)
  @ApiProduces('application/json', XLSX, 'text/html')
  @ApiOperation({
    summary:
      '专题督办情况：某一期间各单位新开、办结、二次督办、期末在办与逾期数，问责与扣分；可导出 Excel 或可打印的 HTML（打印为 PDF）（按数据范围）',
  })
  async report(@Query() query: SupervisionReportQuery, @CurrentActor() actor: RequestActor) {
    if (query.from > query.to)
      throw new ApiError(400, 'INVALID_PERIOD', '统计期间的起始日期不能晚于结束日期', {
        from: query.from,
        to: query.to,
      });
    await this.readYourWrites.waitFor(SUPERVISION_NOTICES, query.minPosition);
    await this.readYourWrites.waitFor(ACCOUNTABILITY_ACTIONS_VIEW, query.minPosition);
    const match: Filter = { ...(query.cycleId ? { cycleId: query.cycleId } : {}), ...unitFilter(actor) };
    const [notices, actions] = await Promise.all([
      this.views.find<SupervisionNoticeView>(SUPERVISION_NOTICES, match, {
        sort: { _id: 1 },
        limit: BOARD_LIMIT,
      }),
      this.views.find<AccountabilityActionView>(
        ACCOUNTABILITY_ACTIONS_VIEW,
        { ...match, occurredOn: { $gte: query.from, $lte: query.to } },
        { sort: { _id: 1 }, limit: BOARD_LIMIT },
      ),
    ]);
    const unitNames = await this.unitNames([
      ...notices.map((n) => n.unitId),
      ...actions.map((a) => a.unitId),
    ]);
    const report = supervisionReport(notices, actions, {
      period: { from: query.from, to: query.to },
      cycleId: query.cycleId ?? null,
      now: this.now(),
      unitNames,
    });
    const filename = `专题督办情况_${query.from}_${query.to}`;
    if (query.format === 'xlsx') {
      const content = await supervisionReportXlsx(report);
      return new StreamableFile(content, {
        type: XLSX,
        length: content.length,
        disposition: `attachment; filename="supervision-report.xlsx"; filename*=UTF-8''${encodeURIComponent(`${filename}.xlsx`)}`,
      });
    }
    if (query.format === 'html') {
      const content = Buffer.from(supervisionReportHtml(report), 'utf8');
      return new StreamableFile(content, {
        type: 'text/html; charset=utf-8',
        length: content.length,
        disposition: `inline; filename="supervision-report.html"; filename*=UTF-8''${encodeURIComponent(`${filename}.html`)}`,
      });
    }
    return { ...report, truncated: notices.length >= BOARD_LIMIT || actions.length >= BOARD_LIMIT };
  }

  @Get(':noticeId')
  @Roles(...NOTICE_READERS)
  @ApiOperation({
    summary:
      '督办事项全过程：各轮次、每一步的办理人与时间、整改佐证、关联目标（节点）、问责与扣分（按数据范围）',
  })
  async get(
    @Param() { noticeId }: NoticeParams,
    @Query() query: MinPositionQuery,
    @CurrentActor() actor: RequestActor,
  ) {
    await this.readYourWrites.waitFor(SUPERVISION_NOTICES, query.minPosition);
    const notice = await this.views.get<SupervisionNoticeView>(SUPERVISION_NOTICES, noticeId);
    if (!notice) throw SupervisionErrors.notFound();
    assertUnitInScope(actor, notice.unitId);
    const [targets, units, people] = await Promise.all([
      this.targetsById(notice.targetIds),
      this.unitNames([notice.unitId]),
      this.userNames(notice.rounds.flatMap((r) => (r.tracker ? [r.tracker] : []))),
    ]);
    return {
      ...notice,
      unitName: units.get(notice.unitId) ?? null,
      overdue: noticeOverdue(notice, this.now()),
      trackerName: notice.tracker ? (people.get(notice.tracker) ?? null) : null,
      targets: notice.targets.map((t) => {
        const target = targets.get(t.targetId);
        return {
          ...t,
          title: target?.title ?? null,
          indicatorId: target?.indicatorId ?? null,
          milestone:
            t.milestoneId === null
              ? null
              : (target?.milestones.find((m) => m.milestoneId === t.milestoneId) ?? null),
        };
      }),
    };
  }

  @Post(':noticeId/sign')
  @Roles('unitStaff')
  @HttpCode(200)
  @ApiOperation({ summary: '签收督办通知（本轮）（承办单位，限本单位）' })
  sign(
    @Param() { noticeId }: NoticeParams,
    @CurrentActor() actor: RequestActor,
    @CommandMeta() context: CommandContext,
  ) {
    return this.change(noticeId, { type: 'SignNotice', scope: scopeOf(actor), at: this.now() }, context);
  }

  @Post(':noticeId/rectifications')
  @Roles('unitStaff')
  @ApiOperation({ summary: '整改反馈，附佐证材料（承办单位，限本单位）' })
  async rectify(
    @Param() { noticeId }: NoticeParams,
    @Body() body: RectificationBody,
    @CurrentActor() actor: RequestActor,
    @CommandMeta() context: CommandContext,
  ) {
    const evidence = await this.resolveEvidence(body.evidence);
    const rectificationId = deriveEventId(`rectification\u0000${context.commandId}`, 0);
    const result = await this.change(
      noticeId,
      {
        type: 'ReportRectification',
        rectificationId,
        narrative: body.narrative,
        evidence,
        scope: scopeOf(actor),
        at: this.now(),
      },
      context,
    );
    return { ...result, rectificationId };
  }

  @Post(':noticeId/close')
  @Roles('supervisor')
  @HttpCode(200)
  @ApiOperation({ summary: '审核通过整改反馈并办结（督查督办）' })
  close(
    @Param() { noticeId }: NoticeParams,
    @Body() body: CloseNoticeBody,
    @CurrentActor() actor: RequestActor,
    @CommandMeta() context: CommandContext,
  ) {
    return this.change(
      noticeId,
      {
        type: 'CloseNotice',
        rectificationId: body.rectificationId ?? null,
        comment: body.comment,
        scope: scopeOf(actor),
        at: this.now(),
      },
      context,
    );
  }

  @Post(':noticeId/return')
  @Roles('supervisor')
  @HttpCode(200)
  @ApiOperation({ summary: '退回整改反馈重办，须写明理由（督查督办）' })
  giveBack(
    @Param() { noticeId }: NoticeParams,
    @Body() body: ReturnNoticeBody,
    @CurrentActor() actor: RequestActor,
    @CommandMeta() context: CommandContext,
  ) {
    return this.change(
      noticeId,
      {
        type: 'ReturnRectification',
        rectificationId: body.rectificationId ?? null,
        reason: body.reason,
        scope: scopeOf(actor),
        at: this.now(),
      },
      context,
    );
  }

  @Post(':noticeId/escalations')
  @Roles('supervisor')
  @ApiOperation({
    summary: '二次督办：第一轮被退回或逾期的事项进入第二轮，指定专人跟踪与新的办理期限（督查督办）',
  })
  async escalate(
    @Param() { noticeId }: NoticeParams,
    @Body() body: EscalateNoticeBody,
    @CurrentActor() actor: RequestActor,
    @CommandMeta() context: CommandContext,
  ) {
    const tracker = await this.views.get<UserView>(USERS, body.tracker);
    if (!tracker || tracker.status !== 'active')
      throw new ApiError(422, 'TRACKER_NOT_FOUND', '跟踪人不存在或已停用', { tracker: body.tracker });
    return this.change(
      noticeId,
      {
        type: 'EscalateNotice',
        tracker: body.tracker,
        deadline: body.deadline,
        demand: body.demand,
        scope: scopeOf(actor),
        at: this.now(),
      },
      context,
    );
  }

  @Post(':noticeId/extensions')
  @Roles('unitStaff')
  @ApiOperation({ summary: '申请延期，须在办理期限届满前提出（承办单位，限本单位）' })
  async requestExtension(
    @Param() { noticeId }: NoticeParams,
    @Body() body: ExtensionBody,
    @CurrentActor() actor: RequestActor,
    @CommandMeta() context: CommandContext,
  ) {
    const extensionId = deriveEventId(`extension\u0000${context.commandId}`, 0);
    const result = await this.change(
      noticeId,
      {
        type: 'RequestExtension',
        extensionId,
        requestedDeadline: body.deadline,
        reason: body.reason,
        scope: scopeOf(actor),
        at: this.now(),
      },
      context,
    );
    return { ...result, extensionId };
  }

  @Post(':noticeId/extensions/:extensionId/approve')
  @Roles('supervisor')
  @HttpCode(200)
  @ApiOperation({ summary: '同意延期：办理期限改为申请的日期（督查督办）' })
  approveExtension(
    @Param() { noticeId, extensionId }: ExtensionParams,
    @CurrentActor() actor: RequestActor,
    @CommandMeta() context: CommandContext,
  ) {
    return this.change(
      noticeId,
      { type: 'ApproveExtension', extensionId, scope: scopeOf(actor), at: this.now() },
      context,
    );
  }

  @Post(':noticeId/extensions/:extensionId/refuse')
  @Roles('supervisor')
  @HttpCode(200)
  @ApiOperation({ summary: '不同意延期，须写明理由（督查督办）' })
  refuseExtension(
    @Param() { noticeId, extensionId }: ExtensionParams,
    @Body() body: RefuseExtensionBody,
    @CurrentActor() actor: RequestActor,
    @CommandMeta() context: CommandContext,
  ) {
    return this.change(
      noticeId,
      { type: 'RefuseExtension', extensionId, reason: body.reason, scope: scopeOf(actor), at: this.now() },
      context,
    );
  }

  private change(
    noticeId: string,
    command: Exclude<CaseCommand, { type: 'TakeCaseAction' }>,
    context: CommandContext,
  ) {
    return this.commands.execute(new ChangeSupervisionNotice(noticeId, command, context));
  }

  /** The stored facts of each file (hashes, size, type) with the name the unit gave it. */
  private async resolveEvidence(items: EvidenceItemDto[]): Promise<EvidenceRef[]> {
    const refs = await Promise.all(items.map((item) => this.evidence.stat(item.fileId.toLowerCase())));
    const missing = items.filter((_, i) => refs[i] === null).map((item) => item.fileId);
    if (missing.length)
      throw new ApiError(422, 'EVIDENCE_NOT_FOUND', '佐证材料不存在，请先上传', { missing });
    return refs.map((ref, i) => ({ ...ref!, name: items[i]!.name }));
  }

  private async targetsById(ids: string[]): Promise<Map<string, TargetView>> {
    const unique = [...new Set(ids)];
    if (unique.length === 0) return new Map();
    const targets = await this.views.find<TargetView>(
      TARGETS,
      { _id: { $in: unique } },
      { limit: unique.length },
    );
    return new Map(targets.map((t) => [t._id, t]));
  }

  private async unitNames(unitIds: string[]): Promise<Map<string, string>> {
    const unique = [...new Set(unitIds)];
    if (unique.length === 0) return new Map();
    const units = await this.views.find<UnitView>(UNITS, { _id: { $in: unique } }, { limit: unique.length });
    return new Map(units.map((u) => [u._id, u.name]));
  }

  private async userNames(userIds: string[]): Promise<Map<string, string>> {
    const unique = [...new Set(userIds)];
    if (unique.length === 0) return new Map();
    const users = await this.views.find<UserView>(USERS, { _id: { $in: unique } }, { limit: unique.length });
    return new Map(users.map((u) => [u._id, u.displayName]));
  }
}
