import { Module } from '@nestjs/common';
import { PublishWorkCalendarHandler } from './commands/publish-work-calendar.command';

const commandHandlers = [PublishWorkCalendarHandler];

/**
 * Working-day calendars, one stream per year (`workcalendar-<year>`). Its projection is
 * `workCalendarsProjection` (registered with every other in @dukao/composition).
 */
@Module({ providers: [...commandHandlers] })
export class CalendarModule {}
