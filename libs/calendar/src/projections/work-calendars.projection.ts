import { documentProjection } from '@dukao/projections';
import type { ReadModelDocument } from '@dukao/read-model-store';
import {
  WORK_CALENDAR_EVENT_TYPES,
  type WorkCalendarEvent,
  type WorkCalendarPublished,
} from '../domain/work-calendar.events';

export const WORK_CALENDARS = 'workCalendars';

export type WorkCalendarVersion = Omit<WorkCalendarPublished['data'], 'year'> & {
  /** The user who published it. */
  publishedBy: string;
};

/** One document per year (`_id` is the year): the calendar in force, and every version, oldest first. */
export interface WorkCalendarView extends ReadModelDocument, WorkCalendarVersion {
  year: number;
  history: WorkCalendarVersion[];
}

export const workCalendarsProjection = documentProjection<WorkCalendarView>({
  name: 'workCalendars',
  version: 1,
  eventTypes: WORK_CALENDAR_EVENT_TYPES,
  collection: { name: WORK_CALENDARS, indexes: [{ fields: { year: -1 } }] },
  documentId: (event) => String((event as unknown as WorkCalendarEvent).data.year),
  evolve(calendar, stored) {
    const event = stored as unknown as WorkCalendarEvent;
    switch (event.type) {
      case 'WorkCalendarPublished': {
        const { year, ...rest } = event.data;
        const version: WorkCalendarVersion = { ...rest, publishedBy: stored.metadata.actor.userId };
        return { _id: String(year), year, ...version, history: [...(calendar?.history ?? []), version] };
      }
    }
  },
});
