import { deciderSpec } from '@dukao/testing';
import { type WorkCalendarCommand, workCalendarDecider } from './work-calendar.decider';
import type { WorkCalendarPublished } from './work-calendar.events';

const at = '2025-12-01T02:00:00.000Z';
const later = '2026-03-01T02:00:00.000Z';
const source = '国办发明电〔2025〕示例号';
/** A National-Day-style week with make-up days (a fixture, not the official notice). */
const holidays = ['2026-10-01', '2026-10-02', '2026-10-05', '2026-10-06', '2026-10-07'];
const workdays = ['2026-09-27', '2026-10-10'];

const publish = (overrides: Partial<WorkCalendarCommand> = {}): WorkCalendarCommand => ({
  type: 'PublishWorkCalendar',
  year: 2026,
  holidays,
  workdays,
  source,
  at,
  ...overrides,
});
const published = (
  version: number,
  overrides: Partial<WorkCalendarPublished['data']> = {},
): WorkCalendarPublished => ({
  type: 'WorkCalendarPublished',
  data: { year: 2026, version, holidays, workdays, source, publishedAt: at, ...overrides },
});
const spec = deciderSpec(workCalendarDecider);

describe('when no calendar is published for the year', () => {
  it('publishes version 1', () => {
    spec
      .given()
      .when(publish())
      .then([published(1)]);
  });

  it('stores both lists sorted and a blank source as null', () => {
    spec
      .given()
      .when(
        publish({ holidays: [...holidays].reverse(), workdays: ['2026-10-10', '2026-09-27'], source: ' ' }),
      )
      .then([published(1, { source: null })]);
  });

  it('accepts a holiday on a weekend day', () => {
    spec
      .given()
      .when(publish({ holidays: [...holidays, '2026-10-03'] }))
      .then([published(1, { holidays: [...holidays, '2026-10-03'].sort() })]);
  });

  it('refuses a date outside the year', () => {
    spec
      .given()
      .when(publish({ holidays: ['2027-01-01'] }))
      .thenRefuses('INVALID_WORK_CALENDAR', /2027-01-01 不在 2026 年内/);
  });

  it('refuses a date that does not exist', () => {
    spec
      .given()
      .when(publish({ holidays: ['2026-02-30'] }))
      .thenRefuses('INVALID_WORK_CALENDAR', /2026-02-30 不是有效日期/);
  });

  it('refuses a 调休上班日 on a weekday', () => {
    spec
      .given()
      .when(publish({ workdays: ['2026-10-09'] }))
      .thenRefuses('INVALID_WORK_CALENDAR', /调休上班日 2026-10-09 不是周六或周日/);
  });

  it('refuses a date in both lists', () => {
    spec
      .given()
      .when(publish({ holidays: [...holidays, '2026-10-10'] }))
      .thenRefuses('INVALID_WORK_CALENDAR', /2026-10-10 不能既是节假日又是调休上班日/);
  });
});

describe('when the year’s calendar is published', () => {
  it('appends nothing for the same content again, in any order', () => {
    spec
      .given(published(1))
      .when(publish({ holidays: [...holidays].reverse(), at: later }))
      .then([]);
  });

  it('publishes version 2 when a date changes, replacing the lists', () => {
    const corrected = [...holidays, '2026-10-08'];
    spec
      .given(published(1))
      .when(publish({ holidays: corrected, at: later }))
      .then([published(2, { holidays: corrected, publishedAt: later })]);
  });

  it('publishes a new version when only the source changes', () => {
    spec
      .given(published(1), published(2, { holidays: ['2026-10-01'] }))
      .when(publish({ holidays: ['2026-10-01'], source: '国办发明电〔2025〕更正', at: later }))
      .then([
        published(3, { holidays: ['2026-10-01'], source: '国办发明电〔2025〕更正', publishedAt: later }),
      ]);
  });

  it('refuses a calendar of another year on this stream', () => {
    spec
      .given(published(1))
      .when(publish({ year: 2027, holidays: [], workdays: [] }))
      .thenRefuses('INVALID_WORK_CALENDAR', /与该日历的年份 2026 不符/);
  });
});
