import { Body, Controller, Get, Inject, Param, Query } from '@nestjs/common';
import { Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { type CommandContext, deriveEventId } from '@dukao/event-store';
import { CLOCK, type Clock } from '@dukao/kernel';
import { type Filter, READ_MODEL_STORE, type ReadModelStore } from '@dukao/read-model-store';
import {
  ACCOUNTABILITY_ACTIONS_VIEW,
  type AccountabilityActionView,
  SupervisionErrors,
  TakeAccountabilityAction,
} from '@dukao/supervision';
import { ReadYourWrites } from '../common/read-your-writes';
import { CommandMeta, CurrentActor, type RequestActor, Roles, assertUnitInScope } from '../security/access';
import { MinPositionQuery } from '../targets/target.dto';
import { AccountabilityActionBody, ActionParams, ListActionsQuery } from './supervision.dto';
import { NOTICE_READERS } from './supervision-notices.controller';

/**
 * 问责: 提醒 / 约谈 / 通报 / 诫勉 / 追责 against a unit, following a case (二次督办 failed) or resting
 * on named log events. Each carries the scheme's deduction and flows into scoring.
 */
@ApiTags('supervision')
@Controller('accountability-actions')
export class AccountabilityActionsController {
  constructor(
    private readonly commands: CommandBus,
    @Inject(READ_MODEL_STORE) private readonly views: ReadModelStore,
    private readonly readYourWrites: ReadYourWrites,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Post()
  @Roles('supervisor', 'assessmentAdmin')
  @ApiOperation({
    summary:
      '记录问责（提醒、约谈、通报、诫勉、追责）：关联督办事项或所依据的事件，按现行评分方案扣分（督查督办、考核管理）',
  })
  take(
    @Body() body: AccountabilityActionBody,
    @CurrentActor() actor: RequestActor,
    @CommandMeta() context: CommandContext,
  ) {
    const actionId = deriveEventId(`accountability\u0000${context.commandId}`, 0);
    const draft = {
      noticeId: body.noticeId ?? null,
      cycleId: body.cycleId ?? null,
      unitId: body.unitId ?? null,
      action: body.action,
      official: body.official ? { name: body.official.name, position: body.official.position } : null,
      reason: body.reason,
      basis: body.basis,
      causes: body.causes.map((c) => ({ streamId: c.streamId, eventId: c.eventId })),
      occurredOn: body.occurredOn,
    };
    return this.commands.execute(
      new TakeAccountabilityAction(
        actionId,
        draft,
        context,
        { unitIds: actor.unitIds },
        this.clock().toISOString(),
      ),
    );
  }

  @Get()
  @Roles(...NOTICE_READERS)
  @ApiOperation({ summary: '问责记录列表：按周期、单位、督办事项、问责方式筛选，分页（按数据范围）' })
  list(@Query() query: ListActionsQuery, @CurrentActor() actor: RequestActor) {
    const { cycleId, unitId, noticeId, action } = query;
    const filter: Filter = {
      ...Object.fromEntries(
        Object.entries({ cycleId, unitId, noticeId, action }).filter(([, v]) => v !== undefined),
      ),
      ...(actor.unitIds === null ? {} : { unitId: { $in: actor.unitIds } }),
    };
    return this.readYourWrites.page<AccountabilityActionView>(
      ACCOUNTABILITY_ACTIONS_VIEW,
      filter,
      { occurredOn: -1, _id: 1 },
      query,
    );
  }

  @Get(':actionId')
  @Roles(...NOTICE_READERS)
  @ApiOperation({ summary: '问责记录详情：依据、关联事项与事件、扣分及所依据的方案版本（按数据范围）' })
  async get(
    @Param() { actionId }: ActionParams,
    @Query() query: MinPositionQuery,
    @CurrentActor() actor: RequestActor,
  ) {
    await this.readYourWrites.waitFor(ACCOUNTABILITY_ACTIONS_VIEW, query.minPosition);
    const action = await this.views.get<AccountabilityActionView>(ACCOUNTABILITY_ACTIONS_VIEW, actionId);
    if (!action) throw SupervisionErrors.actionNotFound();
    assertUnitInScope(actor, action.unitId);
    return action;
  }
}
