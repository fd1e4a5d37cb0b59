import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
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
import {
  type Answer,
  RATER_GROUP_KINDS,
  type RaterGroupKind,
  SATISFACTION_LEVELS,
  type SatisfactionLevel,
} from '@dukao/evaluations';
import { ID } from '../targets/target.dto';

/** A rating token as issued: 24 random bytes in base64url (32 characters). */
export const RATING_TOKEN = /^[A-Za-z0-9_-]{16,64}$/;
export const CAMPAIGN_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

export class CampaignParams {
  @Matches(CAMPAIGN_ID, { message: '评议活动编号格式不正确' }) campaignId!: string;
}
export class CampaignUnitParams extends CampaignParams {
  @Matches(ID, { message: '单位编号格式不正确' }) unitId!: string;
}

export class RaterGroupDto {
  @IsIn(RATER_GROUP_KINDS) kind!: RaterGroupKind;
  @IsNumber({ allowNaN: false, allowInfinity: false }) weight!: number;
  @IsOptional() @IsArray() @ArrayMaxSize(500) @Matches(ID, { each: true }) raterUnitIds?: string[];
  @IsOptional() @IsArray() @ArrayMaxSize(500) @Matches(ID, { each: true }) userIds?: string[];
}

export class QuestionnaireDto {
  @IsIn(['dimensions', 'satisfaction']) kind!: 'dimensions' | 'satisfaction';
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @IsString({ each: true })
  @MaxLength(50, { each: true })
  dimensions?: string[];
  /** Score of each satisfaction level, e.g. { 满意: 100, 基本满意: 80, 不满意: 0 }. */
  @IsOptional() @IsObject() scores?: Record<string, number>;
}

export class QuotaDto {
  @IsNumber({ allowNaN: false, allowInfinity: false }) excellentAt!: number;
  @IsNumber({ allowNaN: false, allowInfinity: false }) maxShare!: number;
}

export class CreateCampaignBody {
  @Matches(CAMPAIGN_ID, { message: '评议活动编号格式不正确' }) campaignId!: string;
  @Matches(/^\d{4}$/, { message: '考核周期编号为年份，如 2026' }) cycleId!: string;
  @IsString() @MinLength(1) @MaxLength(100) name!: string;
  @IsOptional() @IsString() @MaxLength(50) period?: string | null;
  @IsArray() @ArrayMinSize(1) @ArrayMaxSize(500) @Matches(ID, { each: true }) unitIds!: string[];
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(4)
  @ValidateNested({ each: true })
  @Type(() => RaterGroupDto)
  groups!: RaterGroupDto[];
  @ValidateNested() @Type(() => QuestionnaireDto) questionnaire!: QuestionnaireDto;
  @IsISO8601({ strict: true }) opensAt!: string;
  @IsISO8601({ strict: true }) closesAt!: string;
  @IsOptional() @ValidateNested() @Type(() => QuotaDto) quota?: QuotaDto | null;
  @IsOptional() @IsNumber({ allowNaN: false, allowInfinity: false }) trimShare?: number | null;
  @IsOptional() @IsNumber({ allowNaN: false, allowInfinity: false }) reciprocalThreshold?: number;
}

/** Either `scores` (one 0–100 score per dimension) or `level` (满意/基本满意/不满意). */
export class AnswerBody {
  @IsOptional() @IsObject() scores?: Record<string, number>;
  @IsOptional() @IsIn(SATISFACTION_LEVELS) level?: SatisfactionLevel;
}

export class SheetBody extends AnswerBody {
  @IsIn(['departments', 'leaders']) group!: 'departments' | 'leaders';
  /** The rating department; defaults to the caller's unit when they act for exactly one. */
  @IsOptional() @Matches(ID) raterUnitId?: string;
}

export class PublicRatingBody extends AnswerBody {
  @Matches(CAMPAIGN_ID) campaignId!: string;
  @Matches(ID) unitId!: string;
  @IsString() @Matches(RATING_TOKEN, { message: '评议链接无效' }) token!: string;
}

export class RatingLinkQuery {
  @Matches(RATING_TOKEN, { message: '评议链接令牌格式不正确' }) t!: string;
}

export class RatingLinksBody {
  @IsInt() @Min(1) @Max(1000) count!: number;
}

export class SurveyRowDto {
  @Matches(ID) unitId!: string;
  @IsInt() @Min(0) respondents!: number;
  @IsOptional() @IsObject() dimensionMeans?: Record<string, number>;
  @IsOptional() @IsObject() levelCounts?: Record<string, number>;
}

export class SurveyBody {
  @IsArray()
  @ArrayMaxSize(500)
  @ValidateNested({ each: true })
  @Type(() => SurveyRowDto)
  rows!: SurveyRowDto[];
  @IsOptional() @IsString() @MaxLength(200) source?: string | null;
}

export const toAnswer = (body: AnswerBody): Answer =>
  body.level !== undefined
    ? { kind: 'satisfaction', level: body.level }
    : { kind: 'dimensions', scores: body.scores ?? {} };
