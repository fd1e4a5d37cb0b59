import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Matches, Max, Min } from 'class-validator';
import { CATEGORIES, type Category } from '@dukao/targets';
import { type MilestoneLight, WARNING_LEVELS, type WarningLevel } from '@dukao/warnings';
import { ID, MinPositionQuery } from '../targets/target.dto';

export class WarningBoardQuery extends MinPositionQuery {
  @IsOptional() @Matches(ID) cycleId?: string;
  @IsOptional() @IsIn(CATEGORIES) category?: Category;
}

export class ListWarningsQuery extends MinPositionQuery {
  /** Omitted: every raised level (bell, yellow, red); `none` lists cleared warnings. */
  @IsOptional() @IsIn(WARNING_LEVELS) level?: WarningLevel;
  @IsOptional() @Matches(ID) unitId?: string;
  @IsOptional() @Matches(ID) cycleId?: string;
  @IsOptional() @IsIn(CATEGORIES) category?: Category;
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(500) limit: number = 50;
  @IsOptional() @Type(() => Number) @IsInt() @Min(0) @Max(1_000_000) skip: number = 0;
}

export class WarningTargetParams {
  @Matches(/^[0-9a-f-]{36}$/, { message: '目标编号格式不正确' }) targetId!: string;
}

/** 亮灯 list: milestones lit red or yellow (omitted: both), by target, in the caller's scope. */
export class ListMilestoneLightsQuery extends MinPositionQuery {
  @IsOptional() @IsIn(['red', 'yellow']) light?: Exclude<MilestoneLight, 'green'>;
  @IsOptional() @Matches(ID) unitId?: string;
  @IsOptional() @Matches(ID) cycleId?: string;
  @IsOptional() @IsIn(CATEGORIES) category?: Category;
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(500) limit: number = 50;
  @IsOptional() @Type(() => Number) @IsInt() @Min(0) @Max(1_000_000) skip: number = 0;
}
