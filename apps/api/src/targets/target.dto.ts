import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsISO8601,
  IsNumber,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { CATEGORIES, type Category, DEFAULT_REVIEW_STAGES, type ReviewStage } from '@dukao/targets';

export const ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const PERIOD = /^\d{4}-(0[1-9]|1[0-2]|Q[1-4])$/;
const SHA256 = /^[0-9a-f]{64}$/;
const finite = { allowNaN: false, allowInfinity: false };

export class MilestoneDto {
  @Matches(ID) milestoneId!: string;
  @IsString() @MinLength(1) @MaxLength(200) title!: string;
  @Matches(DATE, { message: '日期格式须为 YYYY-MM-DD' }) dueDate!: string;
  @IsBoolean() evidenceRequired!: boolean;
}

export class TargetProposalDto {
  @Matches(ID) cycleId!: string;
  @Matches(ID) unitId!: string;
  @Matches(ID) indicatorId!: string;
  @IsString() @MinLength(1) @MaxLength(200) title!: string;
  @IsIn(['quantitative', 'milestones']) kind!: 'quantitative' | 'milestones';
  @IsString() @MaxLength(100) measure!: string;
  @IsString() @MaxLength(20) unitOfMeasure!: string;
  @IsIn(['higherIsBetter', 'lowerIsBetter']) direction!: 'higherIsBetter' | 'lowerIsBetter';
  @IsOptional() @IsNumber(finite) annualValue: number | null = null;
  @IsOptional() @IsNumber(finite) baseline: number | null = null;
  @IsArray() @ArrayMaxSize(12) @IsNumber(finite, { each: true }) schedule!: number[];
  @IsIn(['monthly', 'quarterly']) cadence!: 'monthly' | 'quarterly';
  @IsOptional() @IsInt() @Min(1) @Max(28) reportDueDay: number = 10;
  @Matches(ID) dataCollectionUnitId!: string;
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => MilestoneDto)
  milestones: MilestoneDto[] = [];
  @IsOptional() @IsBoolean() dynamic: boolean = false;
}

export class ProposeTargetBody extends TargetProposalDto {
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(5)
  @IsIn(DEFAULT_REVIEW_STAGES, { each: true })
  reviewStages: ReviewStage[] = [...DEFAULT_REVIEW_STAGES];
}

export class ReviewBody {
  @IsIn(DEFAULT_REVIEW_STAGES) stage!: ReviewStage;
  @IsIn(['pass', 'return']) decision!: 'pass' | 'return';
  @IsOptional() @IsString() @MaxLength(500) reason: string | null = null;
}

export class AdjustBody {
  @IsNumber(finite) newValue!: number;
  @IsISO8601({ strict: true }) effectiveFrom!: string;
  @IsString() @MinLength(1) @MaxLength(100) rulingRef!: string;
  @IsString() @MinLength(1) @MaxLength(500) reason!: string;
}

export class WarningThresholdsBody {
  /**
   * The target's own warning thresholds from now on: any of the scheme's `warnings` keys (bellGap,
   * yellowGap, redGap in percentage points; dueSoonDays, redOverdueDays, milestoneYellowDays in
   * whole days), each replacing the scheme's; `{}` clears them. Checked key by key by the target.
   */
  @IsObject() thresholds!: Record<string, unknown>;
  @IsString() @MinLength(1) @MaxLength(500) reason!: string;
}

export class ReasonBody {
  @IsString() @MinLength(1) @MaxLength(500) reason!: string;
}

export class CompletedMilestoneDto {
  @Matches(ID) milestoneId!: string;
  @Matches(DATE, { message: '日期格式须为 YYYY-MM-DD' }) completedOn!: string;
}

export class EvidenceItemDto {
  /** The content hash returned by POST /evidence. */
  @Matches(SHA256, { message: '佐证材料编号须为 64 位十六进制' }) fileId!: string;
  /** The file's name as the unit calls it (the store keeps bytes, not names). */
  @IsString() @MinLength(1) @MaxLength(255) name!: string;
}

export class ReportBody {
  @Matches(PERIOD, { message: '期次格式须为 2026-06 或 2026-Q2' }) period!: string;
  @IsOptional() @IsNumber(finite) cumulativeValue: number | null = null;
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => CompletedMilestoneDto)
  milestonesCompleted: CompletedMilestoneDto[] = [];
  @IsOptional() @IsString() @MaxLength(4000) narrative: string = '';
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  @Type(() => EvidenceItemDto)
  evidence: EvidenceItemDto[] = [];
  /** The report this one corrects (更正). */
  @IsOptional() @IsString() @Matches(/^[0-9a-f-]{36}$/) replaces: string | null = null;
}

export class NilReturnBody {
  @Matches(PERIOD, { message: '期次格式须为 2026-06 或 2026-Q2' }) period!: string;
  @IsString() @MinLength(1) @MaxLength(500) reason!: string;
}

export class ListTargetsQuery {
  @IsOptional() @Matches(ID) cycleId?: string;
  @IsOptional() @Matches(ID) unitId?: string;
  @IsOptional() @IsIn(CATEGORIES) category?: Category;
  @IsOptional() @Matches(ID) indicatorId?: string;
  @IsOptional() @IsIn(['proposed', 'returned', 'issued', 'withdrawn']) status?: string;
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(500) limit: number = 50;
  @IsOptional() @Type(() => Number) @IsInt() @Min(0) @Max(1_000_000) skip: number = 0;
  @IsOptional() @Type(() => Number) @IsInt() @Min(0) minPosition?: number;
}

export class MinPositionQuery {
  @IsOptional() @Type(() => Number) @IsInt() @Min(0) minPosition?: number;
}

export class TargetParams {
  @Matches(/^[0-9a-f-]{36}$/, { message: '目标编号格式不正确' }) targetId!: string;
}

export class ReportParams extends TargetParams {
  @Matches(/^[0-9a-f-]{36}$/, { message: '填报编号格式不正确' }) reportId!: string;
}

export class UnitIdParams {
  @Matches(ID, { message: '单位编号格式不正确' }) unitId!: string;
}

export class DashboardQuery extends MinPositionQuery {
  @IsOptional() @Matches(ID) cycleId?: string;
}
