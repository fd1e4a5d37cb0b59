/**
 * A year's working-day calendar as published: the whole list each time. Republishing replaces the
 * calendar from then on; earlier versions stay in the stream.
 */
export type WorkCalendarPublished = {
  type: 'WorkCalendarPublished';
  data: {
    year: number;
    /** 1 for the first publication of the year, then one more for each change. */
    version: number;
    /** Ascending YYYY-MM-DD. */
    holidays: string[];
    /** Ascending YYYY-MM-DD; Saturdays and Sundays only. */
    workdays: string[];
    /** The notice it was taken from, e.g. 国办发明电〔2025〕x号; null when not given. */
    source: string | null;
    publishedAt: string;
  };
};

export type WorkCalendarEvent = WorkCalendarPublished;
export const WORK_CALENDAR_EVENT_TYPES: readonly WorkCalendarEvent['type'][] = ['WorkCalendarPublished'];

/** One stream per year: `workcalendar-2026`. */
export const WORK_CALENDAR_STREAM_PREFIX = 'workcalendar-';
export const workCalendarStream = (year: number) => `${WORK_CALENDAR_STREAM_PREFIX}${year}`;
