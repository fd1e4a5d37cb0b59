import { Body, Controller, Get, Inject, Post, Query } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
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
} from 'class-validator';
import { type CommandContext, deriveEventId } from '@dukao/event-store';
import { CLOCK, type Clock } from '@dukao/kernel';
import type { Filter } from '@dukao/read-model-store';
import { RecordScoreRecord, SCORE_RECORDS, type ScoreRecordView } from '@dukao/scoring';
import { ReadYourWrites } from '../common/read-your-writes';
import { CommandMeta, CurrentActor, type RequestActor, Roles, assertUnitInScope } from '../security/access';
import { ID } from '../targets/target.dto';
import { SCORE_READERS } from './scores.controller';

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DATE_MESSAGE = { message: '日期格式须为 YYYY-MM-DD' };
const finite = { allowNaN: false, allowInfinity: false };

/** What an adjustment or a veto states; whether the unit, cycle and date hold is the domain's rule (422). */
class ScoreRecordBody {
  @Matches(ID, { message: '考核周期编号格式不正确' }) cycleId!: string;
  @Matches(ID, { message: '单位编号格式不正确' }) unitId!: string;
  @IsString() @MinLength(1) @MaxLength(500) reason!: string;
  /** 依据: the document or decision, e.g. 市考核办〔2026〕12号. */
  @IsString() @MinLength(1) @MaxLength(200) basis!: string;
  /** The business date it applies to (Asia/Shanghai). */
  @Matches(DATE, DATE_MESSAGE) occurredOn!: string;
}

export class AdjustScoreBody extends ScoreRecordBody {
  @IsIn(['bonus', 'penalty']) kind!: 'bonus' | 'penalty';
  /** Points, positive; at most 100 and three decimals (checked by the domain, 422). */
  @IsNumber(finite) amount!: number;
}

export class ImposeVetoBody extends ScoreRecordBody {}

export class ListScoreRecordsQuery {
  @IsOptional() @Matches(ID) cycleId?: string;
  @IsOptional() @Matches(ID) unitId?: string;
  @IsOptional() @IsIn(['bonus', 'penalty']) kind?: 'bonus' | 'penalty';
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(500) limit: number = 100;
  @IsOptional() @Type(() => Number) @IsInt() @Min(0) @Max(1_000_000) skip: number = 0;
  @IsOptional() @Type(() => Number) @IsInt() @Min(0) minPosition?: number;
}

/** The listing's filter: the query's, limited to the caller's units (unit staff, 分管 leaders). */
function listFilter(
  actor: RequestActor,
  recordType: ScoreRecordView['recordType'],
  query: ListScoreRecordsQuery,
): Filter {
  if (query.unitId !== undefined) assertUnitInScope(actor, query.unitId);
  return {
    recordType,
    ...(query.cycleId !== undefined ? { cycleId: query.cycleId } : {}),
    ...(query.unitId !== undefined ? { unitId: query.unitId } : {}),
    ...(query.kind !== undefined ? { kind: query.kind } : {}),
    ...(actor.unitIds !== null && query.unitId === undefined ? { unitId: { $in: actor.unitIds } } : {}),
  };
}

/**
 * 加减分 and 一票否决, recorded by the assessment office for a unit in a cycle. Each is an event on the
 * unit's record stream; nothing is changed or removed afterwards (a unit contests one by an appeal).
 * The record's id derives from the command id, the cycle and the unit, so a retried request with the
 * same Idempotency-Key appends nothing.
 */
@ApiTags('score-adjustments')
@Controller()
export class ScoreAdjustmentsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly readYourWrites: ReadYourWrites,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Post('score-adjustments')
  @Roles('assessmentAdmin')
  @ApiOperation({ summary: '记录加分或减分：分值、理由、依据及适用日期（考核管理）' })
  adjust(@Body() body: AdjustScoreBody, @CommandMeta() context: CommandContext) {
    const adjustmentId = deriveEventId(
      `adjustment\u0000${body.cycleId}\u0000${body.unitId}\u0000${context.commandId}`,
      0,
    );
    const { cycleId, unitId, kind, amount, reason, basis, occurredOn } = body;
    return this.commands.execute(
      new RecordScoreRecord(
        { type: 'AdjustScore', adjustmentId, cycleId, unitId, kind, amount, reason, basis, occurredOn },
        context,
        this.clock().toISOString(),
      ),
    );
  }

  @Get('score-adjustments')
  @Roles(...SCORE_READERS)
  @ApiOperation({ summary: '加减分记录：按周期、单位、加分或减分筛选，含对其的裁决（按数据范围）' })
  list(@Query() query: ListScoreRecordsQuery, @CurrentActor() actor: RequestActor) {
    return this.readYourWrites.page<ScoreRecordView>(
      SCORE_RECORDS,
      listFilter(actor, 'adjustment', query),
      { cycleId: 1, unitId: 1, occurredOn: 1 },
      query,
    );
  }

  @Post('vetoes')
  @Roles('assessmentAdmin')
  @ApiOperation({ summary: '记录一票否决：该单位本周期等次为诫勉（考核管理）' })
  veto(@Body() body: ImposeVetoBody, @CommandMeta() context: CommandContext) {
    const vetoId = deriveEventId(
      `veto\u0000${body.cycleId}\u0000${body.unitId}\u0000${context.commandId}`,
      0,
    );
    const { cycleId, unitId, reason, basis, occurredOn } = body;
    return this.commands.execute(
      new RecordScoreRecord(
        { type: 'ImposeVeto', vetoId, cycleId, unitId, reason, basis, occurredOn },
        context,
        this.clock().toISOString(),
      ),
    );
  }

  @Get('vetoes')
  @Roles(...SCORE_READERS)
  @ApiOperation({ summary: '一票否决记录：按周期、单位筛选，含对其的裁决（按数据范围）' })
  vetoes(@Query() query: ListScoreRecordsQuery, @CurrentActor() actor: RequestActor) {
    return this.readYourWrites.page<ScoreRecordView>(
      SCORE_RECORDS,
      listFilter(actor, 'veto', { ...query, kind: undefined }),
      { cycleId: 1, unitId: 1, occurredOn: 1 },
      query,
    );
  }
}
