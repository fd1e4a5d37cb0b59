import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsInt,
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
  ACCOUNTABILITY_ACTION_KINDS,
  type AccountabilityActionKind,
  MATTER_SOURCES,
  type MatterSource,
  NOTICE_KINDS,
  type NoticeKind,
} from '@dukao/supervision';
import { EvidenceItemDto, ID, MinPositionQuery } from '../targets/target.dto';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DATE_MESSAGE = { message: '日期格式须为 YYYY-MM-DD' };

export class NoticeTargetDto {
  @Matches(UUID, { message: '目标编号格式不正确' }) targetId!: string;
  /** A milestone (节点) of the target; omitted: the target as a whole. */
  @IsOptional() @Matches(ID) milestoneId: string | null = null;
}

export class MatterDto {
  @IsIn(MATTER_SOURCES) source!: MatterSource;
  @IsString() @MinLength(1) @MaxLength(2000) description!: string;
}

export class IssueNoticeBody {
  @Matches(ID) cycleId!: string;
  /** The responsible unit (责任单位). */
  @Matches(ID) unitId!: string;
  @IsOptional() @IsIn(NOTICE_KINDS) kind: NoticeKind = 'notice';
  @IsString() @MinLength(1) @MaxLength(200) title!: string;
  @IsString() @MinLength(1) @MaxLength(4000) demand!: string;
  /** The reply deadline: a Shanghai calendar date. */
  @Matches(DATE, DATE_MESSAGE) deadline!: string;
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => NoticeTargetDto)
  targets: NoticeTargetDto[] = [];
  @IsOptional() @ValidateNested() @Type(() => MatterDto) matter: MatterDto | null = null;
}

export class RectificationBody {
  @IsString() @MinLength(1) @MaxLength(4000) narrative!: string;
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  @Type(() => EvidenceItemDto)
  evidence: EvidenceItemDto[] = [];
}

export class CloseNoticeBody {
  /** The rectification accepted; omitted: the one awaiting review. */
  @IsOptional() @Matches(UUID) rectificationId: string | null = null;
  @IsOptional() @IsString() @MaxLength(1000) comment: string = '';
}

export class ReturnNoticeBody {
  @IsOptional() @Matches(UUID) rectificationId: string | null = null;
  @IsString() @MinLength(1) @MaxLength(1000) reason!: string;
}

export class EscalateNoticeBody {
  /** The user id of the tracker (专人跟踪). */
  @Matches(UUID, { message: '跟踪人须为用户编号' }) tracker!: string;
  @Matches(DATE, DATE_MESSAGE) deadline!: string;
  /** Round 2's demand; omitted: round 1's. */
  @IsOptional() @IsString() @MaxLength(4000) demand: string | null = null;
}

export class ExtensionBody {
  @Matches(DATE, DATE_MESSAGE) deadline!: string;
  @IsString() @MinLength(1) @MaxLength(1000) reason!: string;
}

export class RefuseExtensionBody {
  @IsString() @MinLength(1) @MaxLength(1000) reason!: string;
}

export class OfficialDto {
  @IsString() @MinLength(1) @MaxLength(50) name!: string;
  @IsString() @MinLength(1) @MaxLength(100) position!: string;
}

export class CauseDto {
  @IsString() @MinLength(1) @MaxLength(200) streamId!: string;
  @Matches(UUID, { message: '事件编号格式不正确' }) eventId!: string;
}

export class AccountabilityActionBody {
  /** The case it follows; omitted: a free-standing action, which needs cycleId, unitId and causes. */
  @IsOptional() @Matches(UUID, { message: '督查通知编号格式不正确' }) noticeId: string | null = null;
  @IsOptional() @Matches(ID) cycleId: string | null = null;
  @IsOptional() @Matches(ID) unitId: string | null = null;
  @IsIn(ACCOUNTABILITY_ACTION_KINDS) action!: AccountabilityActionKind;
  @IsOptional() @ValidateNested() @Type(() => OfficialDto) official: OfficialDto | null = null;
  @IsString() @MinLength(1) @MaxLength(2000) reason!: string;
  @IsOptional() @IsString() @MaxLength(200) basis: string = '';
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  @Type(() => CauseDto)
  causes: CauseDto[] = [];
  /** The business date it takes effect (Shanghai calendar date). */
  @Matches(DATE, DATE_MESSAGE) occurredOn!: string;
}

export class ListNoticesQuery extends MinPositionQuery {
  @IsOptional() @Matches(ID) cycleId?: string;
  @IsOptional() @Matches(ID) unitId?: string;
  @IsOptional() @IsIn(['open', 'closed']) status?: 'open' | 'closed';
  @IsOptional() @Type(() => Number) @IsIn([1, 2]) round?: number;
  @IsOptional() @Matches(UUID) tracker?: string;
  /** true: only the cases overdue now. */
  @IsOptional() @IsIn(['true', 'false']) overdue?: 'true' | 'false';
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(500) limit: number = 50;
  @IsOptional() @Type(() => Number) @IsInt() @Min(0) @Max(1_000_000) skip: number = 0;
}

export class NoticeBoardQuery extends MinPositionQuery {
  @IsOptional() @Matches(ID) cycleId?: string;
}

export class SupervisionReportQuery extends MinPositionQuery {
  /** The period, Shanghai dates, both included. */
  @Matches(DATE, DATE_MESSAGE) from!: string;
  @Matches(DATE, DATE_MESSAGE) to!: string;
  @IsOptional() @Matches(ID) cycleId?: string;
  /** json (default), xlsx (Excel) or html (printable; print to PDF from the browser). */
  @IsOptional() @IsIn(['json', 'xlsx', 'html']) format: 'json' | 'xlsx' | 'html' = 'json';
}

export class CandidatesQuery extends MinPositionQuery {
  @IsOptional() @Matches(ID) cycleId?: string;
  @IsOptional() @Matches(ID) unitId?: string;
}

export class ListActionsQuery extends MinPositionQuery {
  @IsOptional() @Matches(ID) cycleId?: string;
  @IsOptional() @Matches(ID) unitId?: string;
  @IsOptional() @Matches(UUID) noticeId?: string;
  @IsOptional() @IsIn(ACCOUNTABILITY_ACTION_KINDS) action?: AccountabilityActionKind;
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(500) limit: number = 50;
  @IsOptional() @Type(() => Number) @IsInt() @Min(0) @Max(1_000_000) skip: number = 0;
}

export class NoticeParams {
  @Matches(UUID, { message: '督查通知编号格式不正确' }) noticeId!: string;
}

export class ExtensionParams extends NoticeParams {
  @Matches(UUID, { message: '延期申请编号格式不正确' }) extensionId!: string;
}

export class ActionParams {
  @Matches(UUID, { message: '问责记录编号格式不正确' }) actionId!: string;
}
