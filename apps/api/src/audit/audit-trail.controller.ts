import { Controller, Get, Inject, Param, Query, StreamableFile } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { AUDIT_TRAIL, type AuditTrailEntry, auditTrailCsv, auditTrailXlsx } from '@dukao/audit';
import { type Filter, READ_MODEL_STORE, type ReadModelStore } from '@dukao/read-model-store';
import { TARGETS, type TargetView } from '@dukao/targets';
import { ReadYourWrites } from '../common/read-your-writes';
import { ApiError } from '../errors/api-error';
import { Roles } from '../security/access';
import { AuditEventParams, AuditEventsQuery } from './audit.dto';
import { RecordedRead } from './recorded-read';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const instant = (value: string) => new Date(value).toISOString();

/**
 * The audit trail (审计轨迹): every event of the log with actor, role, recordedAt, occurredAt,
 * correlation and causation, and what it supersedes; by target, unit, actor, type and time. Read
 * only, paginated, exportable (JSON, CSV, Excel). Read from the `auditTrail` view, never the log;
 * every read is itself recorded (查阅留痕).
 */
@ApiTags('audit')
@Roles('inspector', 'auditor')
@Controller('audit/events')
export class AuditTrailController {
  constructor(
    private readonly readYourWrites: ReadYourWrites,
    @Inject(READ_MODEL_STORE) private readonly views: ReadModelStore,
  ) {}

  @Get()
  @RecordedRead('auditTrail')
  @ApiOperation({
    summary:
      '审计轨迹：按指标、单位、操作人、类型、时间筛选日志中的事件（分页；format=csv/xlsx 导出）（电子监察、安全审计员；查阅留痕）',
  })
  async list(@Query() query: AuditEventsQuery) {
    const filter = await this.filter(query);
    const sort = { position: query.order === 'desc' ? -1 : 1 } as const;
    const page = await this.readYourWrites.page<AuditTrailEntry>(AUDIT_TRAIL, filter, sort, query);
    if (query.format === 'json') return page;
    const items = page.items.map(({ _position: _p, ...entry }) => entry);
    const name = `审计轨迹_${new Date().toISOString().slice(0, 10)}_${query.skip + 1}-${query.skip + items.length}`;
    if (query.format === 'csv') {
      const content = Buffer.from(auditTrailCsv(items), 'utf8');
      return new StreamableFile(content, {
        type: 'text/csv; charset=utf-8',
        length: content.length,
        disposition: `attachment; filename="audit-trail.csv"; filename*=UTF-8''${encodeURIComponent(`${name}.csv`)}`,
      });
    }
    const caption = `审计轨迹 第 ${query.skip + 1}–${query.skip + items.length} 条，共 ${page.total} 条；筛选：${JSON.stringify(describeFilter(query))}`;
    const content = await auditTrailXlsx(items, caption);
    return new StreamableFile(content, {
      type: XLSX,
      length: content.length,
      disposition: `attachment; filename="audit-trail.xlsx"; filename*=UTF-8''${encodeURIComponent(`${name}.xlsx`)}`,
    });
  }

  @Get(':eventId')
  @RecordedRead('auditTrail')
  @ApiOperation({ summary: '审计轨迹中的一个事件（电子监察、安全审计员；查阅留痕）' })
  async one(@Param() params: AuditEventParams) {
    const entry = await this.views.get<AuditTrailEntry>(AUDIT_TRAIL, params.eventId);
    if (!entry) throw new ApiError(404, 'EVENT_NOT_FOUND', '事件不存在', { eventId: params.eventId });
    return entry;
  }

  /** By unit: events naming the unit, and events on the unit's targets (reports, verifications). */
  private async filter(query: AuditEventsQuery): Promise<Filter> {
    const clauses: Filter[] = [];
    if (query.targetId) clauses.push({ targetId: query.targetId });
    if (query.unitId) {
      const targets = await this.views.find<TargetView>(TARGETS, { unitId: query.unitId });
      clauses.push(
        targets.length > 0
          ? { $or: [{ unitId: query.unitId }, { targetId: { $in: targets.map((t) => t._id) } }] }
          : { unitId: query.unitId },
      );
    }
    if (query.actorId) clauses.push({ actorId: query.actorId });
    if (query.type) clauses.push({ type: query.type });
    if (query.streamId) clauses.push({ streamId: query.streamId });
    if (query.category) clauses.push({ category: query.category });
    if (query.correlationId) clauses.push({ correlationId: query.correlationId });
    if (query.from) clauses.push({ recordedAt: { $gte: instant(query.from) } });
    if (query.to) clauses.push({ recordedAt: { $lt: instant(query.to) } });
    if (query.occurredFrom) clauses.push({ occurredAt: { $gte: instant(query.occurredFrom) } });
    if (query.occurredTo) clauses.push({ occurredAt: { $lt: instant(query.occurredTo) } });
    return clauses.length === 0 ? {} : clauses.length === 1 ? clauses[0]! : { $and: clauses };
  }
}

function describeFilter(query: AuditEventsQuery): Record<string, string> {
  const { limit: _l, skip: _s, format: _f, order: _o, minPosition: _m, ...rest } = query;
  return Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined));
}
