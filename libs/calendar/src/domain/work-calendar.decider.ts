import type { Decider } from '@dukao/event-store';
import { workCalendarProblems } from './work-calendar';
import { WorkCalendarErrors } from './work-calendar.errors';
import type { WorkCalendarEvent } from './work-calendar.events';

export type WorkCalendarState =
  | { status: 'none' }
  | {
      status: 'published';
      year: number;
      version: number;
      holidays: string[];
      workdays: string[];
      source: string | null;
    };

export type WorkCalendarCommand = {
  type: 'PublishWorkCalendar';
  year: number;
  holidays: readonly string[];
  workdays: readonly string[];
  source: string | null;
  at: string;
};

const sameList = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && a.every((x, i) => x === b[i]);

/**
 * A year's working-day calendar (`workcalendar-<year>`). Publishing checks the dates
 * (`workCalendarProblems`), stores both lists sorted, and numbers the version. Publishing the same
 * dates and source again appends nothing, so a retried or repeated import is harmless; any change
 * (a date, or only the source) is a new version.
 */
export const workCalendarDecider: Decider<WorkCalendarCommand, WorkCalendarState, WorkCalendarEvent> = {
  initialState: () => ({ status: 'none' }),
  evolve(_state, event) {
    switch (event.type) {
      case 'WorkCalendarPublished': {
        const { year, version, holidays, workdays, source } = event.data;
        return { status: 'published', year, version, holidays, workdays, source };
      }
    }
  },
  decide(command, state) {
    switch (command.type) {
      case 'PublishWorkCalendar': {
        const { year, at } = command;
        const problems = workCalendarProblems(command);
        if (state.status === 'published' && state.year !== year)
          problems.push(`年份 ${year} 与该日历的年份 ${state.year} 不符`);
        if (problems.length) throw WorkCalendarErrors.invalid(problems);
        const holidays = [...command.holidays].sort();
        const workdays = [...command.workdays].sort();
        const source = command.source?.trim() || null;
        if (
          state.status === 'published' &&
          sameList(state.holidays, holidays) &&
          sameList(state.workdays, workdays) &&
          state.source === source
        )
          return [];
        const version = state.status === 'published' ? state.version + 1 : 1;
        return [
          {
            type: 'WorkCalendarPublished',
            data: { year, version, holidays, workdays, source, publishedAt: at },
          },
        ];
      }
      default: {
        const _exhaustive: never = command.type;
        return _exhaustive;
      }
    }
  },
};
