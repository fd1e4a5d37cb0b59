import { Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ProjectionBusyError, ProjectionEngine, UnknownProjectionError } from '@dukao/projections';
import { ApiError } from '../errors/api-error';
import { Roles } from '../security/access';

@ApiTags('projections')
@Roles('systemAdmin')
@Controller('projections')
export class ProjectionsController {
  constructor(private readonly engine: ProjectionEngine) {}

  @Get()
  @ApiOperation({ summary: '各视图（投影）的位置、落后量与状态（系统管理员）' })
  async list() {
    return { items: await this.engine.statuses() };
  }

  @Post(':name/rebuild')
  @HttpCode(202)
  @ApiOperation({ summary: '从头重建视图：新副本追平后原子切换，期间旧副本继续提供查询（系统管理员）' })
  async rebuild(@Param('name') name: string) {
    try {
      await this.engine.rebuild(name);
    } catch (error) {
      if (error instanceof UnknownProjectionError)
        throw new ApiError(404, 'UNKNOWN_PROJECTION', '没有该视图', { name });
      if (error instanceof ProjectionBusyError)
        throw new ApiError(409, 'PROJECTION_BUSY', '该视图正在重建或由其他进程运行', { name });
      throw error;
    }
    return { name, status: 'rebuilding' };
  }
}
