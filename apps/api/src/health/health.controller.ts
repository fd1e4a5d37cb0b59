import { Controller, Get, HttpStatus, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { OperationsStatus } from '@dukao/observability';
import { Public } from '../security/access';

/**
 * Liveness and readiness. `/health/live` answers without touching anything (restart the process only
 * when it fails). `/health` and `/health/ready` check every dependency with a time limit: 503 when
 * the event store, the read store or the queue (Redis when configured) cannot be reached, so a load
 * balancer stops sending traffic. A failed projection makes the status `degraded` with the failing
 * event named, but stays 200: restarting or rerouting would not fix it.
 */
@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(private readonly status: OperationsStatus) {}

  @Get()
  @Public()
  @ApiOperation({ summary: '健康检查：事件存储、读模型存储、队列与各视图的状态（公开）' })
  health(@Res({ passthrough: true }) res: Response) {
    return this.readiness(res);
  }

  @Get('ready')
  @Public()
  @ApiOperation({ summary: '就绪检查：依赖不可用时返回 503（公开）' })
  ready(@Res({ passthrough: true }) res: Response) {
    return this.readiness(res);
  }

  @Get('live')
  @Public()
  @ApiOperation({ summary: '存活检查：进程在运行即返回 200（公开）' })
  live() {
    return { status: 'ok', uptimeSeconds: Math.round(process.uptime()) };
  }

  private async readiness(res: Response) {
    const report = await this.status.report();
    if (report.status === 'down') res.status(HttpStatus.SERVICE_UNAVAILABLE);
    return report;
  }
}
