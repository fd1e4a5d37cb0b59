import { Body, Controller, Get, Inject, Param, Put, Query } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBody, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import {
  PublishWorkCalendar,
  WORK_CALENDARS,
  WorkCalendarErrors,
  type WorkCalendarView,
} from '@dukao/calendar';
import type { CommandContext } from '@dukao/event-store';
import { CLOCK, type Clock } from '@dukao/kernel';
import { READ_MODEL_STORE, type ReadModelStore } from '@dukao/read-model-store';
import { ReadYourWrites } from '../common/read-your-writes';
import { Authenticated, CommandMeta, Roles } from '../security/access';
import { MinPositionQuery } from '../targets/target.dto';

export class WorkCalendarParams {
  @Matches(/^\d{4}$/, { message: '年份须为四位数字，如 2026' }) year!: string;
}

/**
 * The dates are only checked for shape here; whether each exists, lies in the year and fits its
 * list is the domain's rule (422 INVALID_WORK_CALENDAR, with every problem listed).
 */
export class PublishWorkCalendarBody {
  @IsArray() @ArrayMaxSize(366) @IsString({ each: true }) @MaxLength(20, { each: true }) holidays!: string[];
  @IsArray() @ArrayMaxSize(366) @IsString({ each: true }) @MaxLength(20, { each: true }) workdays!: string[];
  @IsOptional() @IsString() @MaxLength(200) source?: string | null;
}

const YEAR_PARAM = { name: 'year', description: '年份，如 2026', example: '2026' };

/** Working-day calendars (法定节假日与调休), one per year, entered from the 国务院办公厅 notice. */
@ApiTags('work-calendars')
@Controller('work-calendars')
export class WorkCalendarsController {
  constructor(
    private readonly commands: CommandBus,
    @Inject(READ_MODEL_STORE) private readonly views: ReadModelStore,
    private readonly readYourWrites: ReadYourWrites,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Put(':year')
  @Roles('assessmentAdmin')
  @ApiParam(YEAR_PARAM)
  @ApiBody({
    description: '该年全部节假日与调休上班日（整体替换上一版本；内容相同则不产生新版本）',
    schema: {
      type: 'object',
      required: ['holidays', 'workdays'],
      properties: {
        holidays: {
          type: 'array',
          items: { type: 'string', format: 'date' },
          description: '放假日期（YYYY-MM-DD），可含假期中的周末',
        },
        workdays: {
          type: 'array',
          items: { type: 'string', format: 'date' },
          description: '调休上班的周六、周日（YYYY-MM-DD）',
        },
        source: { type: 'string', maxLength: 200, description: '依据文件，如 国办发明电〔2025〕x号' },
      },
      example: {
        holidays: ['2026-10-01', '2026-10-02', '2026-10-05', '2026-10-06', '2026-10-07'],
        workdays: ['2026-09-27', '2026-10-10'],
        source: '国办发明电〔2025〕x号（示例，须以通知原文为准）',
      },
    },
  })
  @ApiOperation({
    summary: '发布或更新某年的工作日历（法定节假日与调休上班日），每次发布为新版本（考核管理）',
  })
  publish(
    @Param() { year }: WorkCalendarParams,
    @Body() body: PublishWorkCalendarBody,
    @CommandMeta() context: CommandContext,
  ) {
    const calendar = {
      year: Number(year),
      holidays: body.holidays,
      workdays: body.workdays,
      source: body.source ?? null,
    };
    return this.commands.execute(new PublishWorkCalendar(calendar, context, this.clock().toISOString()));
  }

  @Get()
  @Authenticated()
  @ApiOperation({ summary: '已发布的工作日历（每年一份，新年份在前）' })
  async list(@Query() query: MinPositionQuery) {
    await this.readYourWrites.waitFor(WORK_CALENDARS, query.minPosition);
    return {
      items: await this.views.find<WorkCalendarView>(WORK_CALENDARS, {}, { sort: { year: -1 }, limit: 200 }),
    };
  }

  @Get(':year')
  @Authenticated()
  @ApiParam(YEAR_PARAM)
  @ApiOperation({ summary: '某年的工作日历：当前版本及历次版本' })
  async get(@Param() { year }: WorkCalendarParams, @Query() query: MinPositionQuery) {
    await this.readYourWrites.waitFor(WORK_CALENDARS, query.minPosition);
    const calendar = await this.views.get<WorkCalendarView>(WORK_CALENDARS, year);
    if (!calendar) throw WorkCalendarErrors.notFound(Number(year));
    return calendar;
  }
}
