import { Controller, Get, Inject, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Matches, Max, Min } from 'class-validator';
import { STREAM_CATALOG, type StreamCatalogEntry } from '@dukao/audit';
import { READ_MODEL_STORE, type ReadModelStore } from '@dukao/read-model-store';
import { ReadYourWrites } from '../common/read-your-writes';
import { Roles } from '../security/access';

export class ListStreamsQuery {
  @IsOptional()
  @Matches(/^[a-z][a-zA-Z0-9]*$/, { message: 'category 只能包含字母和数字' })
  category?: string;

  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(500)
  limit: number = 50;

  @IsOptional() @Type(() => Number) @IsInt() @Min(0) @Max(1_000_000)
  skip: number = 0;

  @IsOptional() @Type(() => Number) @IsInt() @Min(0)
  minPosition?: number;
}

@ApiTags('audit')
@Roles('inspector', 'auditor')
@Controller('audit/streams')
export class AuditStreamsController {
  constructor(
    @Inject(READ_MODEL_STORE) private readonly views: ReadModelStore,
    private readonly readYourWrites: ReadYourWrites,
  ) {}

  @Get()
  @ApiOperation({ summary: '日志中的全部事件流（按类别筛选、分页），最近变更在前（电子监察、安全审计员）' })
  async list(@Query() query: ListStreamsQuery) {
    await this.readYourWrites.waitFor(STREAM_CATALOG, query.minPosition);
    const filter = query.category ? { category: query.category } : {};
    const [items, total] = await Promise.all([
      this.views.find<StreamCatalogEntry>(STREAM_CATALOG, filter, {
        sort: { lastPosition: -1 },
        limit: query.limit,
        skip: query.skip,
      }),
      this.views.count(STREAM_CATALOG, filter),
    ]);
    return { items, total, limit: query.limit, skip: query.skip };
  }
}
