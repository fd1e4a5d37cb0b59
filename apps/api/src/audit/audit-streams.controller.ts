import { Controller, Get, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Matches, Max, Min } from 'class-validator';
import { STREAM_CATALOG, type StreamCatalogEntry } from '@dukao/audit';
import { ReadYourWrites } from '../common/read-your-writes';
import { Roles } from '../security/access';
import { RecordedRead } from './recorded-read';

export class ListStreamsQuery {
  @IsOptional()
  @Matches(/^[a-z][a-zA-Z0-9]*$/, { message: 'category 只能包含字母和数字' })
  category?: string;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit: number = 50;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(1_000_000)
  skip: number = 0;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  minPosition?: number;
}

@ApiTags('audit')
@Roles('inspector', 'auditor')
@Controller('audit/streams')
export class AuditStreamsController {
  constructor(private readonly readYourWrites: ReadYourWrites) {}

  @Get()
  @RecordedRead('streamCatalog')
  @ApiOperation({
    summary: '日志中的全部事件流（按类别筛选、分页），最近变更在前（电子监察、安全审计员；查阅留痕）',
  })
  async list(@Query() query: ListStreamsQuery) {
    const filter = query.category ? { category: query.category } : {};
    return this.readYourWrites.page<StreamCatalogEntry>(STREAM_CATALOG, filter, { lastPosition: -1 }, query);
  }
}
