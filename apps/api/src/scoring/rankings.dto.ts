import { Matches } from 'class-validator';
import { MinPositionQuery } from '../targets/target.dto';
import { RankingParams } from './scores.dto';

export class RankingMonthParams extends RankingParams {
  @Matches(/^\d{4}-(0[1-9]|1[0-2])$/, { message: '月份格式须为 YYYY-MM' }) month!: string;
}

export class RankingMonthsQuery extends MinPositionQuery {}
