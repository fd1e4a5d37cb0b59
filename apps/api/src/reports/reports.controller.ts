import { Controller, Get, Inject, Param, Query, StreamableFile } from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { AuditReadRecorder, LOG_DIGESTS, type LogDigestDocument, type LogDigestView } from '@dukao/audit';
import {
  type CommandContext,
  EVENT_STORE,
  type EventStore,
  type StoredEvent,
  readAllPages,
  verifyChain,
} from '@dukao/event-store';
import { USERS, type UserView } from '@dukao/identity';
import { CLOCK, type Clock } from '@dukao/kernel';
import {
  type Filter,
  READ_MODEL_STORE,
  type ReadModelDocument,
  type ReadModelStore,
  UnknownCollectionError,
} from '@dukao/read-model-store';
import {
  PDF_RENDERER,
  type PdfRenderer,
  PdfUnavailableError,
  auditExportArchive,
  performanceReport,
  performanceReportHtml,
  performanceReportXlsx,
  scoreExplanationHtml,
  supervisionBulletin,
  supervisionBulletinHtml,
  supervisionBulletinXlsx,
} from '@dukao/reports';
import { type MonthlyRanking, RankingsView, ScoringInputLoader, scoreCategory } from '@dukao/scoring';
import {
  ACCOUNTABILITY_ACTIONS_VIEW,
  type AccountabilityActionView,
  SUPERVISION_NOTICES,
  type SupervisionNoticeView,
  startOfShanghaiDayOf,
  supervisionReport,
  supervisionReportHtml,
  supervisionReportXlsx,
} from '@dukao/supervision';
import {
  CATEGORIES,
  CYCLES,
  type CycleView,
  TARGETS,
  type TargetView,
  UNITS,
  type UnitView,
  endOfShanghaiDay,
  periodEnd,
} from '@dukao/targets';
import { WARNINGS, type WarningView } from '@dukao/warnings';
import { ReadYourWrites, VIEW_WAIT_MS } from '../common/read-your-writes';
import { XLSX } from '../common/single-file-upload';
import { ApiError } from '../errors/api-error';
import { RANKING_READERS, SCORE_READERS } from '../scoring/scores.controller';
import { ScoreUnitParams } from '../scoring/scores.dto';
import { CurrentActor, type RequestActor, Roles, CommandMeta, assertUnitInScope } from '../security/access';
import { NOTICE_READERS } from '../supervision/supervision-notices.controller';
import {
  AuditExportQuery,
  ExplanationDocumentQuery,
  PerformanceReportParams,
  PerformanceReportQuery,
  PeriodReportQuery,
} from './reports.dto';

/** Views read for one document at most this many documents each. */
const READ_LIMIT = 20_000;
/** An audit export holds at most this many events: a longer period is refused, to be split. */
export const AUDIT_EXPORT_MAX_EVENTS = 200_000;
const PDF = 'application/pdf';
const HTML = 'text/html; charset=utf-8';

const unitFilter = (actor: RequestActor): Filter =>
  actor.unitIds === null ? {} : { unitId: { $in: actor.unitIds } };

/** A download: ASCII `filename` for old clients, the Chinese name as `filename*`. */
function file(content: Buffer, type: string, ascii: string, name: string, inline: boolean) {
  return new StreamableFile(content, {
    type,
    length: content.length,
    disposition: `${inline ? 'inline' : 'attachment'}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`,
  });
}

/**
 * Reports and exports (docs/reports.md): 《绩效评估报告》 of a month, 《督查通报》, 专题督办情况 (also as
 * PDF), a unit's score explanation as a document, and the audit export for inspectors. Each reads
 * the views (the audit export reads the log itself, which is what it exports) and renders with the
 * pure functions of `@dukao/reports`; PDFs are the same HTML printed by headless Chromium.
 */
@ApiTags('reports')
@Controller()
export class ReportsController {
  constructor(
    @Inject(READ_MODEL_STORE) private readonly views: ReadModelStore,
    @Inject(EVENT_STORE) private readonly events: EventStore,
    @Inject(PDF_RENDERER) private readonly pdf: PdfRenderer,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly rankings: RankingsView,
    private readonly loader: ScoringInputLoader,
    private readonly readYourWrites: ReadYourWrites,
    private readonly recorder: AuditReadRecorder,
  ) {}

  @Get('reports/performance/:cycleId/:month')
  @Roles(...RANKING_READERS)
  @ApiProduces('text/html', PDF, XLSX)
  @ApiOperation({
    summary:
      '绩效评估报告（月度）：各类别排名与得分图、完成度对比时序进度与类别平均（折线图）、月末红牌事项、在办督办事项；HTML、PDF 或 Excel（按数据范围）',
  })
  async performance(
    @Param() { cycleId, month }: PerformanceReportParams,
    @Query() query: PerformanceReportQuery,
    @CurrentActor() actor: RequestActor,
  ) {
    await this.pdfAvailable(query.format);
    await this.caughtUp(query.minPosition, [UNITS, TARGETS, WARNINGS, SUPERVISION_NOTICES]);
    const cycle = await this.views.get<CycleView>(CYCLES, cycleId);
    if (!cycle) throw new ApiError(404, 'CYCLE_NOT_FOUND', '考核周期不存在', { cycleId });
    if (Number(month.slice(0, 4)) !== cycle.year)
      throw new ApiError(400, 'MONTH_NOT_IN_CYCLE', '月份不在该考核周期的年度内', { cycleId, month });
    const now = this.clock().toISOString();
    if (periodEnd(month) > now)
      throw new ApiError(404, 'MONTH_NOT_ENDED', '该月尚未结束，暂无月度报告', { cycleId, month });
    const rankings: MonthlyRanking[] = [];
    const months = Array.from(
      { length: Number(month.slice(5, 7)) },
      (_, i) => `${month.slice(0, 5)}${String(i + 1).padStart(2, '0')}`,
    );
    for (const category of CATEGORIES)
      for (const m of months) {
        const ranking = await this.rankings.month(cycleId, category, m);
        if (ranking) rankings.push(ranking);
      }
    const scope = { cycleId, ...unitFilter(actor) };
    const [warnings, notices] = await Promise.all([
      this.find<WarningView>(WARNINGS, scope),
      this.find<SupervisionNoticeView>(SUPERVISION_NOTICES, scope),
    ]);
    const targets = await this.find<TargetView>(TARGETS, { _id: { $in: warnings.map((w) => w._id) } });
    const unitNames = await this.unitNames([...warnings, ...notices].map((d) => d.unitId));
    const report = performanceReport({
      cycleId,
      cycleName: cycle.name,
      month,
      generatedAt: now,
      categories: CATEGORIES,
      rankings,
      warnings,
      targetTitles: new Map(targets.map((t) => [t._id, t.title])),
      notices,
      unitNames,
      visible: (unitId) => actor.unitIds === null || actor.unitIds.includes(unitId),
    });
    const name = `绩效评估报告_${cycleId}_${month}`;
    const ascii = `performance-report-${cycleId}-${month}`;
    if (query.format === 'xlsx')
      return file(await performanceReportXlsx(report), XLSX, `${ascii}.xlsx`, `${name}.xlsx`, false);
    const html = performanceReportHtml(report);
    if (query.format === 'pdf')
      return file(await this.renderPdf(html), PDF, `${ascii}.pdf`, `${name}.pdf`, true);
    return file(Buffer.from(html, 'utf8'), HTML, `${ascii}.html`, `${name}.html`, true);
  }

  @Get('reports/supervision-bulletin')
  @Roles(...NOTICE_READERS)
  @ApiProduces('text/html', PDF, XLSX, 'application/json')
  @ApiOperation({
    summary:
      '督查通报：某一期间各单位督办与问责情况、二次督办事项、逾期未办结事项、问责及扣分明细；HTML、PDF、Excel 或 JSON（按数据范围）',
  })
  async bulletin(@Query() query: PeriodReportQuery, @CurrentActor() actor: RequestActor) {
    const { report, notices, actions, unitNames, now } = await this.supervision(query, actor);
    const trackers = notices.flatMap((n) => n.rounds.flatMap((r) => (r.tracker ? [r.tracker] : [])));
    const users = await this.find<UserView>(USERS, { _id: { $in: [...new Set(trackers)] } });
    const bulletin = supervisionBulletin({
      report,
      notices,
      actions,
      unitNames,
      userNames: new Map(users.map((u) => [u._id, u.displayName])),
      generatedAt: now,
      start: startOfShanghaiDayOf(query.from),
      end: endOfShanghaiDay(query.to),
    });
    const name = `督查通报_${query.from}_${query.to}`;
    const ascii = `supervision-bulletin-${query.from}-${query.to}`;
    if (query.format === 'json') {
      const { unitNames: _names, ...content } = bulletin;
      return content;
    }
    if (query.format === 'xlsx')
      return file(await supervisionBulletinXlsx(bulletin), XLSX, `${ascii}.xlsx`, `${name}.xlsx`, false);
    const html = supervisionBulletinHtml(bulletin);
    if (query.format === 'pdf')
      return file(await this.renderPdf(html), PDF, `${ascii}.pdf`, `${name}.pdf`, true);
    return file(Buffer.from(html, 'utf8'), HTML, `${ascii}.html`, `${name}.html`, true);
  }

  @Get('reports/supervision-report')
  @Roles(...NOTICE_READERS)
  @ApiProduces('text/html', PDF, XLSX, 'application/json')
  @ApiOperation({
    summary:
      '专题督办情况（同 GET /supervision-notices/report），另可生成 PDF：某一期间各单位新开、办结、二次督办、在办与逾期数，问责与扣分（按数据范围）',
  })
  async supervisionStatus(@Query() query: PeriodReportQuery, @CurrentActor() actor: RequestActor) {
    const { report } = await this.supervision(query, actor);
    const name = `专题督办情况_${query.from}_${query.to}`;
    const ascii = `supervision-report-${query.from}-${query.to}`;
    if (query.format === 'json') return report;
    if (query.format === 'xlsx')
      return file(await supervisionReportXlsx(report), XLSX, `${ascii}.xlsx`, `${name}.xlsx`, false);
    const html = supervisionReportHtml(report);
    if (query.format === 'pdf')
      return file(await this.renderPdf(html), PDF, `${ascii}.pdf`, `${name}.pdf`, true);
    return file(Buffer.from(html, 'utf8'), HTML, `${ascii}.html`, `${name}.html`, true);
  }

  @Get('scores/:unitId/explain/document')
  @Roles(...SCORE_READERS)
  @ApiProduces('text/html', PDF)
  @ApiOperation({
    summary:
      '单位得分说明（供申诉人与评审）：得分概况、各指标得分、每条规则的输入与输出及所依据的事件；HTML 或 PDF，可按 at / asOf 回放（按数据范围：承办单位限本单位）',
  })
  async explanation(
    @Param() { unitId }: ScoreUnitParams,
    @Query() query: ExplanationDocumentQuery,
    @CurrentActor() actor: RequestActor,
  ) {
    assertUnitInScope(actor, unitId);
    await this.pdfAvailable(query.format);
    await this.caughtUp(query.minPosition, [UNITS, TARGETS]);
    const unit = await this.views.get<UnitView>(UNITS, unitId);
    if (!unit) throw new ApiError(404, 'UNIT_NOT_FOUND', '单位不存在', { unitId });
    const now = this.clock();
    const at = instant(query.at, now, 'at');
    const asOf = instant(query.asOf, now, 'asOf');
    const input = await this.loader.load({ cycleId: query.cycleId, category: unit.category, at, asOf });
    const scored = scoreCategory(input);
    const score = scored.units.find((u) => u.unitId === unitId);
    if (!score)
      throw new ApiError(404, 'UNIT_NOT_SCORED', '该单位在评分时点尚未登记，无得分', { unitId, asOf });
    const tree = input.trees.find((t) => t.version === scored.treeVersion);
    const targetIds = [...new Set(score.trace.flatMap((s) => (s.targetId ? [s.targetId] : [])))];
    const targets = await this.find<TargetView>(TARGETS, { _id: { $in: targetIds } });
    const html = scoreExplanationHtml({
      unitId,
      unitName: unit.name,
      cycleId: scored.cycleId,
      category: scored.category,
      at: scored.at,
      asOf: scored.asOf,
      schemeVersion: scored.schemeVersion,
      treeVersion: scored.treeVersion,
      scale: scored.scale,
      score,
      indicatorNames: new Map((tree?.indicators ?? []).map((i) => [i.indicatorId, i.name])),
      targetTitles: new Map(targets.map((t) => [t._id, t.title])),
      generatedAt: now.toISOString(),
    });
    const name = `得分说明_${unit.name}_${query.cycleId}`;
    const ascii = `score-explanation-${unitId}-${query.cycleId}`;
    if (query.format === 'pdf')
      return file(await this.renderPdf(html), PDF, `${ascii}.pdf`, `${name}.pdf`, true);
    return file(Buffer.from(html, 'utf8'), HTML, `${ascii}.html`, `${name}.html`, true);
  }

  @Get('reports/audit-export')
  @Roles('inspector', 'auditor')
  @ApiProduces('application/zip')
  @ApiOperation({
    summary:
      '审计导出（ZIP）：期间内日志中的事件（原样 JSON 行与 Excel）、整个日志的哈希链校验结果、最近一份签名日志摘要、各文件 SHA-256（电子监察、安全审计员；查阅留痕）',
  })
  async auditExport(
    @Query() query: AuditExportQuery,
    @CurrentActor() actor: RequestActor,
    @CommandMeta() context: CommandContext,
  ) {
    if (query.from && query.to && query.from > query.to)
      throw new ApiError(400, 'INVALID_PERIOD', '统计期间的起始日期不能晚于结束日期', query);
    const start = query.from ? startOfShanghaiDayOf(query.from) : null;
    const end = query.to ? endOfShanghaiDay(query.to) : null;
    await this.recordRead(actor, query, context);
    const selected: StoredEvent[] = [];
    let tooMany = false;
    const events = this.events;
    async function* tee() {
      for await (const event of readAllPages(events, { upcast: false, pageSize: 5000 })) {
        const t = event.metadata.recordedAt;
        if ((start === null || t >= start) && (end === null || t < end)) {
          if (selected.length < AUDIT_EXPORT_MAX_EVENTS) selected.push(event);
          else tooMany = true;
        }
        yield event;
      }
    }
    const verification = await verifyChain(tee(), { gapFreePositions: this.events.positionsAreGapFree });
    // A broken chain stops the walk: what follows the break is still exported, unverified.
    if (!verification.ok)
      for await (const event of readAllPages(events, {
        upcast: false,
        after: verification.firstBreak!.position,
      })) {
        const t = event.metadata.recordedAt;
        if ((start === null || t >= start) && (end === null || t < end)) {
          if (selected.length < AUDIT_EXPORT_MAX_EVENTS) selected.push(event);
          else tooMany = true;
        }
      }
    if (tooMany)
      throw new ApiError(
        422,
        'AUDIT_EXPORT_TOO_LARGE',
        `期间内事件超过 ${AUDIT_EXPORT_MAX_EVENTS} 个，请缩短期间分次导出`,
        { max: AUDIT_EXPORT_MAX_EVENTS },
      );
    const now = this.clock().toISOString();
    const archive = await auditExportArchive({
      generatedAt: now,
      generatedBy: actor.principal.userId,
      period: { from: start, to: end },
      events: selected,
      verification,
      digest: await this.latestDigest(),
    });
    const stamp = now.slice(0, 10);
    return file(archive, 'application/zip', `audit-export-${stamp}.zip`, `审计导出_${stamp}.zip`, false);
  }

  private async latestDigest(): Promise<LogDigestDocument | null> {
    try {
      const [latest] = await this.views.find<LogDigestView>(
        LOG_DIGESTS,
        {},
        {
          sort: { recordedAtPosition: -1 },
          limit: 1,
        },
      );
      return latest?.document ?? null;
    } catch (error) {
      // The digests view is made when the first digest is signed.
      if (error instanceof UnknownCollectionError) return null;
      throw error;
    }
  }

  /** 查阅留痕: the export is recorded before anything is read; unrecorded, it is refused. */
  private async recordRead(
    actor: RequestActor,
    query: AuditExportQuery,
    context: CommandContext,
  ): Promise<void> {
    try {
      await this.recorder.record(
        {
          userId: actor.principal.userId,
          role: actor.role ?? 'user',
          view: 'auditExport',
          route: 'GET /reports/audit-export',
          params: {},
          query: { ...query },
        },
        { actor: context.actor, correlationId: context.correlationId },
      );
    } catch {
      throw new ApiError(503, 'AUDIT_READ_NOT_RECORDED', '查阅记录无法写入，已拒绝本次导出（查阅留痕）', {
        view: 'auditExport',
      });
    }
  }

  private async supervision(query: PeriodReportQuery, actor: RequestActor) {
    if (query.from > query.to)
      throw new ApiError(400, 'INVALID_PERIOD', '统计期间的起始日期不能晚于结束日期', {
        from: query.from,
        to: query.to,
      });
    await this.pdfAvailable(query.format);
    await this.caughtUp(query.minPosition, [SUPERVISION_NOTICES, ACCOUNTABILITY_ACTIONS_VIEW]);
    if (query.cycleId && !(await this.views.get<CycleView>(CYCLES, query.cycleId)))
      throw new ApiError(404, 'CYCLE_NOT_FOUND', '考核周期不存在', { cycleId: query.cycleId });
    const match: Filter = { ...(query.cycleId ? { cycleId: query.cycleId } : {}), ...unitFilter(actor) };
    const [notices, actions] = await Promise.all([
      this.find<SupervisionNoticeView>(SUPERVISION_NOTICES, match),
      this.find<AccountabilityActionView>(ACCOUNTABILITY_ACTIONS_VIEW, {
        ...match,
        occurredOn: { $gte: query.from, $lte: query.to },
      }),
    ]);
    const unitNames = await this.unitNames([...notices, ...actions].map((d) => d.unitId));
    const now = this.clock().toISOString();
    const report = supervisionReport(notices, actions, {
      period: { from: query.from, to: query.to },
      cycleId: query.cycleId ?? null,
      now,
      unitNames,
    });
    return { report, notices, actions, unitNames, now };
  }

  /** Refuses a PDF up front (503) when no renderer is available, before any work is done. */
  private async pdfAvailable(format: string): Promise<void> {
    if (format !== 'pdf') return;
    const reason = await this.pdf.unavailable();
    if (reason !== null) throw pdfUnavailable(reason);
  }

  private async renderPdf(html: string): Promise<Buffer> {
    try {
      return await this.pdf.render(html);
    } catch (error) {
      if (error instanceof PdfUnavailableError) throw pdfUnavailable(error.reason);
      throw new ApiError(503, 'PDF_RENDER_FAILED', 'PDF 生成失败，请稍后重试或改用 HTML 打印', {});
    }
  }

  private async caughtUp(minPosition: number | undefined, collections: string[]): Promise<void> {
    if (minPosition === undefined) return;
    for (const collection of collections) await this.readYourWrites.waitFor(collection, minPosition);
    if (!(await this.rankings.waitFor(minPosition, VIEW_WAIT_MS)))
      throw new ApiError(503, 'VIEW_NOT_CAUGHT_UP', '数据正在更新，请稍后重试', {
        projection: 'rankings',
        minPosition,
      });
  }

  private async find<T extends ReadModelDocument>(collection: string, filter: Filter): Promise<T[]> {
    try {
      return await this.views.find<T>(collection, filter, { sort: { _id: 1 }, limit: READ_LIMIT });
    } catch (error) {
      if (error instanceof UnknownCollectionError) return [];
      throw error;
    }
  }

  private async unitNames(ids: string[]): Promise<Map<string, string>> {
    const units = await this.find<UnitView>(UNITS, { _id: { $in: [...new Set(ids)] } });
    return new Map(units.map((u) => [u._id, u.name]));
  }
}

const pdfUnavailable = (reason: string) =>
  new ApiError(503, 'PDF_RENDERER_UNAVAILABLE', `暂不能生成 PDF：${reason}；可改用 HTML 格式打印`, {});

function instant(value: string | undefined, fallback: Date, field: string): string {
  const date = value === undefined ? fallback : new Date(value);
  if (Number.isNaN(date.getTime()))
    throw new ApiError(400, 'INVALID_INSTANT', '时间格式不正确', { field, value });
  return date.toISOString();
}
