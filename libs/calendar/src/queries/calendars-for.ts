import type { ReadModelStore } from '@dukao/read-model-store';
import type { WorkCalendar } from '../domain/work-calendar';
import { WORK_CALENDARS, type WorkCalendarView } from '../projections/work-calendars.projection';

/**
 * The published calendars (current versions) of `years`, from the `workCalendars` view; a year not
 * published yet is simply absent, and counting then assumes Monday to Friday for it.
 */
export async function calendarsFor(views: ReadModelStore, years: readonly number[]): Promise<WorkCalendar[]> {
  const wanted = [...new Set(years)];
  if (wanted.length === 0) return [];
  const found = await views.find<WorkCalendarView>(
    WORK_CALENDARS,
    { year: { $in: wanted } },
    { sort: { year: 1 }, limit: wanted.length },
  );
  return found.map(({ year, holidays, workdays }) => ({ year, holidays, workdays }));
}
