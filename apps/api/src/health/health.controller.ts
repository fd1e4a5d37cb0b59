import { Controller, Get, HttpStatus, Inject, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { APP_CONFIG, type AppConfig } from '@dukao/config';
import { EVENT_STORE, type EventStore } from '@dukao/event-store';
import { ProjectionEngine } from '@dukao/projections';
import { Public } from '../security/access';

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    @Inject(EVENT_STORE) private readonly eventStore: EventStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly projections: ProjectionEngine,
  ) {}

  /**
   * 503 only when the event store cannot be read (the api is useless then). A failed projection makes
   * the status `degraded` with the failing event named, but answers 200: restarting would not fix it.
   */
  @Get()
  @Public()
  @ApiOperation({ summary: '健康检查：事件存储与各视图的状态（公开）' })
  async health(@Res({ passthrough: true }) res: Response) {
    const adapter = this.config.eventStore.kind;
    const eventStore = await this.eventStore
      .headPosition()
      .then((headPosition) => ({ status: 'up' as const, adapter, headPosition }))
      .catch((error: unknown) => ({ status: 'down' as const, adapter, error: String(error) }));
    const projections = await this.projections
      .statuses()
      .then((statuses) =>
        statuses.map(({ name, state, position, lag, failure }) => ({ name, state, position, lag, failure })),
      )
      .catch(() => []);
    if (eventStore.status === 'down') res.status(HttpStatus.SERVICE_UNAVAILABLE);
    const failed = projections.some((p) => p.state === 'failed' || p.state === 'stalled');
    const status = eventStore.status === 'down' ? 'down' : failed ? 'degraded' : 'ok';
    return { status, mode: this.config.mode, eventStore, projections };
  }
}
