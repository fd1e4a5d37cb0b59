import { Injectable, type PipeTransform } from '@nestjs/common';
import { SATISFACTION_LEVELS, type SatisfactionLevel } from '@dukao/evaluations';
import { ApiError } from '../errors/api-error';
import { ID } from '../targets/target.dto';
import { CAMPAIGN_ID, RATING_TOKEN } from './campaigns.dto';

/** A public rating's body once checked: the fields of `PublicRatingBody`, nothing else. */
export interface PublicRatingInput {
  campaignId: string;
  unitId: string;
  token: string;
  scores?: Record<string, number>;
  level?: SatisfactionLevel;
}

const FIELDS = new Set(['campaignId', 'unitId', 'token', 'scores', 'level']);

/**
 * The checks of `PublicRatingBody` (the same rules, the same 400 `VALIDATION_FAILED` with the problem
 * per field), written out for the busiest anonymous route: the global ValidationPipe (class-transformer
 * then class-validator, which gathers the class's metadata again on every call) cost more than the
 * rest of the route's own work. The controller declares the body as the `PublicRatingInput` interface,
 * which the global pipe leaves alone, and `PublicRatingBody` stays its documented schema.
 * `public-rating-body.pipe.spec.ts` holds both to the same verdicts.
 */
@Injectable()
export class PublicRatingBodyPipe implements PipeTransform<unknown, PublicRatingInput> {
  transform(value: unknown): PublicRatingInput {
    const problems: Array<{ field: string; problems: string[] }> = [];
    const refuse = (field: string, problem: string) => problems.push({ field, problems: [problem] });
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      throw new ApiError(400, 'VALIDATION_FAILED', '请求参数不合法', [
        { field: '', problems: ['请求体须为 JSON 对象'] },
      ]);
    const body = value as Record<string, unknown>;
    for (const key of Object.keys(body)) if (!FIELDS.has(key)) refuse(key, `不允许的字段 ${key}`);
    const { campaignId, unitId, token, scores, level } = body;
    if (typeof campaignId !== 'string' || !CAMPAIGN_ID.test(campaignId))
      refuse('campaignId', '评议活动编号格式不正确');
    if (typeof unitId !== 'string' || !ID.test(unitId)) refuse('unitId', '单位编号格式不正确');
    if (typeof token !== 'string' || !RATING_TOKEN.test(token)) refuse('token', '评议链接无效');
    if (scores != null && (typeof scores !== 'object' || Array.isArray(scores)))
      refuse('scores', 'scores 须为对象');
    if (level != null && !SATISFACTION_LEVELS.includes(level as SatisfactionLevel))
      refuse('level', `level 须为 ${SATISFACTION_LEVELS.join('、')} 之一`);
    if (problems.length) throw new ApiError(400, 'VALIDATION_FAILED', '请求参数不合法', problems);
    return {
      campaignId: campaignId as string,
      unitId: unitId as string,
      token: token as string,
      ...(scores != null && { scores: scores as Record<string, number> }),
      ...(level != null && { level: level as SatisfactionLevel }),
    };
  }
}
