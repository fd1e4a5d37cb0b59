import { Controller, Get, HttpStatus, Inject, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { APP_CONFIG, type AppConfig } from '@dukao/config';
import { EVENT_STORE, type EventStore } from '@dukao/event-store';

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    @Inject(EVENT_STORE) private readonly eventStore: EventStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get()
  @ApiOperation({ summary: '健康检查：事件存储是否可读（公开）' })
  async health(@Res({ passthrough: true }) res: Response) {
    const eventStore = await this.eventStore
      .headPosition()
      .then((headPosition) => ({ status: 'up' as const, adapter: this.config.eventStore.kind, headPosition }))
      .catch((error: unknown) => ({ status: 'down' as const, adapter: this.config.eventStore.kind, error: String(error) }));
    const status = eventStore.status === 'up' ? 'ok' : 'degraded';
    if (status !== 'ok') res.status(HttpStatus.SERVICE_UNAVAILABLE);
    return { status, mode: this.config.mode, eventStore };
  }
}
