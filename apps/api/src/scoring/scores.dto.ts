import { IsISO8601, IsOptional, Matches } from 'class-validator';
import { ID, MinPositionQuery } from '../targets/target.dto';

const INSTANT = { strict: true, strictSeparator: true };
const INSTANT_MESSAGE = { message: '时间须为 ISO 8601 格式，如 2026-06-30T23:59:59+08:00' };

/** `at` (the business instant scored) and `asOf` (the knowledge cut-off), both defaulting to now. */
export class ScoreInstantsQuery extends MinPositionQuery {
  @IsOptional() @IsISO8601(INSTANT, INSTANT_MESSAGE) at?: string;
  @IsOptional() @IsISO8601(INSTANT, INSTANT_MESSAGE) asOf?: string;
}

export class ExplainScoreQuery extends ScoreInstantsQuery {
  @Matches(ID, { message: '考核周期编号格式不正确' }) cycleId!: string;
}

/** The timeline: `at` only (the knowledge cut-off is now: every recorded event is replayed). */
export class TimelineScoreQuery extends MinPositionQuery {
  @IsOptional() @IsISO8601(INSTANT, INSTANT_MESSAGE) at?: string;
  @Matches(ID, { message: '考核周期编号格式不正确' }) cycleId!: string;
}

export class ScoreUnitParams {
  @Matches(ID, { message: '单位编号格式不正确' }) unitId!: string;
}

export class RankingParams {
  @Matches(ID, { message: '考核周期编号格式不正确' }) cycleId!: string;
  @Matches(ID, { message: '单位类别格式不正确' }) category!: string;
}
