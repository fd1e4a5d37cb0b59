import { Body, Controller, Get, Inject, Param, Post, Query } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsInt,
  IsISO8601,
  IsNumber,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { type CommandContext, deriveEventId } from '@dukao/event-store';
import { EVIDENCE_STORE, type EvidenceRef, type EvidenceStore } from '@dukao/evidence-store';
import { CLOCK, type Clock } from '@dukao/kernel';
import { type Filter, READ_MODEL_STORE, type ReadModelStore } from '@dukao/read-model-store';
import {
  APPEALS,
  type AppealStatus,
  type AppealSubjectRequest,
  type AppealView,
  ChangeAppeal,
  FileAppeal,
  RULING_OUTCOMES,
  type RulingOutcome,
} from '@dukao/scoring';
import { ReadYourWrites } from '../common/read-your-writes';
import { ApiError } from '../errors/api-error';
import { CommandMeta, CurrentActor, type RequestActor, Roles, assertUnitInScope } from '../security/access';
import { EvidenceItemDto, ID, MinPositionQuery } from '../targets/target.dto';
import { SCORE_READERS } from './scores.controller';

const UUID = /^[0-9a-f-]{36}$/;
const SUBJECT_KINDS = [
  'adjustment',
  'veto',
  'accountability',
  'verification',
  'falseReport',
  'score',
] as const;
const finite = { allowNaN: false, allowInfinity: false };

/**
 * 申诉对象: one of the unit's adjustments or vetoes, an accountability action against it (问责), a
 * rejected report of one of its targets, a confirmed false report (虚报瞒报认定), or its score.
 */
export class AppealSubjectDto {
  @IsIn(SUBJECT_KINDS, {
    message: '申诉对象须为 adjustment、veto、accountability、verification、falseReport 或 score',
  })
  kind!: (typeof SUBJECT_KINDS)[number];
  @ValidateIf((s: AppealSubjectDto) => s.kind === 'adjustment')
  @Matches(UUID, { message: '加减分记录编号格式不正确' })
  adjustmentId?: string;
  @ValidateIf((s: AppealSubjectDto) => s.kind === 'veto')
  @Matches(UUID, { message: '一票否决记录编号格式不正确' })
  vetoId?: string;
  @ValidateIf((s: AppealSubjectDto) => s.kind === 'accountability')
  @Matches(UUID, { message: '问责记录编号格式不正确' })
  actionId?: string;
  @ValidateIf((s: AppealSubjectDto) => s.kind === 'verification')
  @Matches(UUID, { message: '目标编号格式不正确' })
  targetId?: string;
  @ValidateIf((s: AppealSubjectDto) => s.kind === 'verification')
  @Matches(UUID, { message: '填报编号格式不正确' })
  reportId?: string;
  @ValidateIf((s: AppealSubjectDto) => s.kind === 'falseReport')
  @Matches(UUID, { message: '虚报瞒报认定编号格式不正确' })
  caseId?: string;
}

export class FileAppealBody {
  @Matches(ID, { message: '单位编号格式不正确' }) unitId!: string;
  /** The publication (公示) appealed: its window decides whether the appeal is in time. */
  @Matches(ID, { message: '公示编号格式不正确' }) publicationId!: string;
  @ValidateNested() @Type(() => AppealSubjectDto) subject!: AppealSubjectDto;
  @IsString() @MinLength(1) @MaxLength(4000) reasons!: string;
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  @Type(() => EvidenceItemDto)
  evidence: EvidenceItemDto[] = [];
}

export class WithdrawAppealBody {
  @IsOptional() @IsString() @MaxLength(500) reason?: string | null;
}

export class RecordRulingBody {
  @IsIn(RULING_OUTCOMES, { message: '裁决结果须为 upheld（维持）、overturned（撤销）或 partial（部分支持）' })
  outcome!: RulingOutcome;
  /** partial: the amount that stands (a record) or the points added/taken (a score); otherwise omitted. */
  @IsOptional() @IsNumber(finite) amount?: number | null;
  @IsString() @MinLength(1) @MaxLength(4000) reasoning!: string;
  /** Default: the business time of the contested item. */
  @IsOptional()
  @IsISO8601({ strict: true, strictSeparator: true }, { message: '生效时间须为 ISO 8601 格式' })
  effectiveFrom?: string;
}

export class AppealParams {
  @Matches(UUID, { message: '申诉编号格式不正确' }) appealId!: string;
}

export class ListAppealsQuery {
  @IsOptional() @Matches(ID) cycleId?: string;
  @IsOptional() @Matches(ID) unitId?: string;
  @IsOptional() @IsIn(['filed', 'withdrawn', 'ruled']) status?: AppealStatus;
  @IsOptional() @Matches(ID) publicationId?: string;
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(500) limit: number = 50;
  @IsOptional() @Type(() => Number) @IsInt() @Min(0) @Max(1_000_000) skip: number = 0;
  @IsOptional() @Type(() => Number) @IsInt() @Min(0) minPosition?: number;
}

function subjectRequest(dto: AppealSubjectDto): AppealSubjectRequest {
  switch (dto.kind) {
    case 'adjustment':
      return { kind: 'adjustment', adjustmentId: dto.adjustmentId! };
    case 'veto':
      return { kind: 'veto', vetoId: dto.vetoId! };
    case 'accountability':
      return { kind: 'accountability', actionId: dto.actionId! };
    case 'verification':
      return { kind: 'verification', targetId: dto.targetId!, reportId: dto.reportId! };
    case 'falseReport':
      return { kind: 'falseReport', caseId: dto.caseId! };
    case 'score':
      return { kind: 'score' };
  }
}

/**
 * Appeals (申诉) and rulings (裁决). A unit's staff file an appeal for their own unit against an
 * item of a publication, within its window, and may withdraw it until it is ruled on; the assessment
 * office records the committee's one ruling. The score engine applies the ruling from its effective
 * date; what was published stays as it was.
 */
@ApiTags('appeals')
@Controller('appeals')
export class AppealsController {
  constructor(
    private readonly commands: CommandBus,
    @Inject(READ_MODEL_STORE) private readonly views: ReadModelStore,
    @Inject(EVIDENCE_STORE) private readonly evidence: EvidenceStore,
    private readonly readYourWrites: ReadYourWrites,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Post()
  @Roles('unitStaff')
  @ApiOperation({
    summary: '提出申诉：针对公示中的扣分、加减分、数据审核退回或得分，须在申诉期内（承办单位，限本单位）',
  })
  async file(
    @Body() body: FileAppealBody,
    @CurrentActor() actor: RequestActor,
    @CommandMeta() context: CommandContext,
  ) {
    assertUnitInScope(actor, body.unitId);
    const evidence = await this.resolveEvidence(body.evidence);
    const appealId = deriveEventId(`appeal\u0000${context.commandId}`, 0);
    return this.commands.execute(
      new FileAppeal(
        {
          appealId,
          unitId: body.unitId,
          publicationId: body.publicationId,
          subject: subjectRequest(body.subject),
          reasons: body.reasons,
          evidence,
        },
        context,
        this.clock().toISOString(),
      ),
    );
  }

  @Get()
  @Roles(...SCORE_READERS)
  @ApiOperation({ summary: '申诉列表：按周期、单位、状态、公示筛选，新申诉在前（按数据范围）' })
  list(@Query() query: ListAppealsQuery, @CurrentActor() actor: RequestActor) {
    if (query.unitId !== undefined) assertUnitInScope(actor, query.unitId);
    const { cycleId, unitId, status, publicationId } = query;
    const filter: Filter = {
      ...Object.fromEntries(
        Object.entries({ cycleId, unitId, status, publicationId }).filter(([, v]) => v !== undefined),
      ),
      ...(actor.unitIds !== null && unitId === undefined ? { unitId: { $in: actor.unitIds } } : {}),
    };
    return this.readYourWrites.page<AppealView>(APPEALS, filter, { filedAt: -1 }, query);
  }

  @Get(':appealId')
  @Roles(...SCORE_READERS)
  @ApiOperation({ summary: '申诉详情：申诉对象、理由、佐证材料，及撤回或裁决（按数据范围）' })
  async get(
    @Param() { appealId }: AppealParams,
    @Query() query: MinPositionQuery,
    @CurrentActor() actor: RequestActor,
  ) {
    await this.readYourWrites.waitFor(APPEALS, query.minPosition);
    const appeal = await this.views.get<AppealView>(APPEALS, appealId);
    if (!appeal || (actor.unitIds !== null && !actor.unitIds.includes(appeal.unitId)))
      throw new ApiError(404, 'APPEAL_NOT_FOUND', '申诉不存在', { appealId });
    return appeal;
  }

  @Post(':appealId/withdrawal')
  @Roles('unitStaff')
  @ApiOperation({ summary: '撤回申诉，须在裁决之前（承办单位，限本单位）' })
  withdraw(
    @Param() { appealId }: AppealParams,
    @Body() body: WithdrawAppealBody,
    @CurrentActor() actor: RequestActor,
    @CommandMeta() context: CommandContext,
  ) {
    return this.commands.execute(
      new ChangeAppeal(
        appealId,
        { type: 'WithdrawAppeal', reason: body.reason ?? null, at: this.clock().toISOString() },
        context,
        actor.unitIds,
      ),
    );
  }

  @Post(':appealId/rulings')
  @Roles('assessmentAdmin')
  @ApiOperation({
    summary: '记录评审委员会的裁决：维持、撤销或部分支持（含分值），每项申诉只裁决一次（考核管理）',
  })
  rule(
    @Param() { appealId }: AppealParams,
    @Body() body: RecordRulingBody,
    @CommandMeta() context: CommandContext,
  ) {
    return this.commands.execute(
      new ChangeAppeal(
        appealId,
        {
          type: 'RecordRuling',
          outcome: body.outcome,
          amount: body.amount ?? null,
          reasoning: body.reasoning,
          effectiveFrom: body.effectiveFrom === undefined ? null : new Date(body.effectiveFrom).toISOString(),
          at: this.clock().toISOString(),
        },
        context,
      ),
    );
  }

  /** The stored facts of each file (hashes, size, type) with the name the unit gave it, as reports do. */
  private async resolveEvidence(items: EvidenceItemDto[]): Promise<EvidenceRef[]> {
    const refs = await Promise.all(items.map((item) => this.evidence.stat(item.fileId.toLowerCase())));
    const missing = items.filter((_, i) => refs[i] === null).map((item) => item.fileId);
    if (missing.length)
      throw new ApiError(422, 'EVIDENCE_NOT_FOUND', '佐证材料不存在，请先上传', { missing });
    return refs.map((ref, i) => ({ ...ref!, name: items[i]!.name }));
  }
}
