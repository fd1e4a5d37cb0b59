import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { type CommandContext, EVENT_STORE, type EventStore, handleCommand } from '@dukao/event-store';
import { workCalendarDecider } from '../domain/work-calendar.decider';
import { workCalendarStream } from '../domain/work-calendar.events';

/** What publishing answers: the year, stream revision, log position, and the version now in force. */
export interface WorkCalendarOutcome {
  id: string;
  revision: number;
  position: number | null;
  replayed: boolean;
  version: number;
  /** False when the same calendar was already in force (nothing appended). */
  changed: boolean;
}

/** Publishes (or replaces) a year's working-day calendar. */
export class PublishWorkCalendar extends Command<WorkCalendarOutcome> {
  constructor(
    readonly calendar: {
      year: number;
      holidays: readonly string[];
      workdays: readonly string[];
      source: string | null;
    },
    readonly context: CommandContext,
    readonly at: string,
  ) {
    super();
  }
}

@CommandHandler(PublishWorkCalendar)
export class PublishWorkCalendarHandler implements ICommandHandler<PublishWorkCalendar> {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async execute({ calendar, context, at }: PublishWorkCalendar): Promise<WorkCalendarOutcome> {
    const result = await handleCommand(
      this.store,
      workCalendarStream(calendar.year),
      workCalendarDecider,
      { type: 'PublishWorkCalendar', ...calendar, at },
      context,
    );
    return {
      id: String(calendar.year),
      revision: result.nextRevision,
      position: result.position,
      replayed: result.replayed,
      version: result.state.status === 'published' ? result.state.version : 0,
      changed: result.events.length > 0,
    };
  }
}
