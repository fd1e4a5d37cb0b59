import { Type } from 'class-transformer';
import {
  Equals,
  IsArray,
  IsIn,
  IsISO8601,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { ID } from '../targets/target.dto';

const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const USER_ID = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/;
const HEX64 = /^[0-9a-f]{64}$/;

export const EXPORT_FORMATS = ['json', 'csv', 'xlsx'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** Filters of the audit trail. Times are instants (ISO 8601 with an offset); `from` inclusive, `to` exclusive. */
export class AuditEventsQuery {
  @IsOptional() @Matches(ID, { message: 'targetId 格式不正确' }) targetId?: string;
  @IsOptional() @Matches(ID, { message: 'unitId 格式不正确' }) unitId?: string;
  @IsOptional() @Matches(USER_ID, { message: 'actorId 格式不正确' }) actorId?: string;
  @IsOptional() @Matches(/^[A-Z][A-Za-z0-9]{0,99}$/, { message: 'type 须为事件类型名' }) type?: string;
  @IsOptional()
  @Matches(/^[A-Za-z][A-Za-z0-9_.:-]{0,199}$/, { message: 'streamId 格式不正确' })
  streamId?: string;
  @IsOptional()
  @Matches(/^[a-z][a-zA-Z0-9]{0,63}$/, { message: 'category 只能包含字母和数字' })
  category?: string;
  @IsOptional()
  @Matches(/^[A-Za-z0-9_.:-]{1,128}$/, { message: 'correlationId 格式不正确' })
  correlationId?: string;
  @IsOptional() @IsISO8601({ strict: true }, { message: 'from 须为 ISO 8601 时间' }) from?: string;
  @IsOptional() @IsISO8601({ strict: true }, { message: 'to 须为 ISO 8601 时间' }) to?: string;
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'occurredFrom 须为 ISO 8601 时间' })
  occurredFrom?: string;
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'occurredTo 须为 ISO 8601 时间' })
  occurredTo?: string;
  @IsOptional() @IsIn(['asc', 'desc'], { message: 'order 须为 asc 或 desc' }) order: 'asc' | 'desc' = 'asc';
  @IsOptional() @IsIn(EXPORT_FORMATS, { message: 'format 须为 json、csv 或 xlsx' }) format: ExportFormat =
    'json';
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(10_000) limit: number = 100;
  @IsOptional() @Type(() => Number) @IsInt() @Min(0) @Max(10_000_000) skip: number = 0;
  @IsOptional() @Type(() => Number) @IsInt() @Min(0) minPosition?: number;
}

export class AuditEventParams {
  @Matches(UUID, { message: '事件编号须为 UUID' }) eventId!: string;
}

export class DigestParams {
  @Matches(UUID, { message: '摘要编号须为 UUID' }) digestId!: string;
}

export class DigestListQuery {
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(1000) limit: number = 50;
  @IsOptional() @Type(() => Number) @IsInt() @Min(0) @Max(1_000_000) skip: number = 0;
  @IsOptional() @Type(() => Number) @IsInt() @Min(0) minPosition?: number;
}

export class MerklePeakDto {
  @Type(() => Number) @IsInt() @Min(1) size!: number;
  @Matches(HEX64, { message: 'hash 须为 64 位十六进制' }) hash!: string;
}

export class DigestKeyDto {
  @Equals('ed25519', { message: '仅支持 Ed25519' }) algorithm!: 'ed25519';
  @Matches(HEX64, { message: 'keyId 须为 64 位十六进制' }) keyId!: string;
  @IsString() @MaxLength(2000) publicKey!: string;
}

export class DigestTriggerDto {
  @IsIn(['schedule', 'publication', 'request']) kind!: 'schedule' | 'publication' | 'request';
  @IsOptional() @IsString() @MaxLength(200) publicationId?: string;
  @IsOptional() @IsString() @MaxLength(200) eventId?: string;
  @IsOptional() @IsString() @MaxLength(200) userId?: string;
}

/** A digest document as downloaded from GET /audit/digests/{digestId}, sent back unchanged. */
export class LogDigestDocumentDto {
  @Equals('dukao-log-digest/1', { message: '未知的摘要格式' }) format!: 'dukao-log-digest/1';
  @Matches(UUID, { message: 'digestId 须为 UUID' }) digestId!: string;
  @Equals('rfc6962-by-position/1', { message: '未知的默克尔树构造' }) merkle!: 'rfc6962-by-position/1';
  @IsIn(['sha256', 'sm3']) hashAlgorithm!: 'sha256' | 'sm3';
  @IsInt() @Min(0) eventCount!: number;
  @IsOptional() @IsInt() @Min(0) firstPosition!: number | null;
  @IsOptional() @IsInt() @Min(0) lastPosition!: number | null;
  @IsOptional() @Matches(UUID) lastEventId!: string | null;
  @Matches(HEX64, { message: 'root 须为 64 位十六进制' }) root!: string;
  @IsArray() @ValidateNested({ each: true }) @Type(() => MerklePeakDto) peaks!: MerklePeakDto[];
  @ValidateNested() @Type(() => DigestTriggerDto) trigger!: DigestTriggerDto;
  @IsISO8601({ strict: true }) signedAt!: string;
  @ValidateNested() @Type(() => DigestKeyDto) key!: DigestKeyDto;
  @IsString() @MaxLength(200) signature!: string;
}
