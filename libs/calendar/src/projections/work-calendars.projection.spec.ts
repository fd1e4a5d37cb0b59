import { projectionSpec, storedEvent } from '@dukao/testing';
import { WORK_CALENDARS, workCalendarsProjection } from './work-calendars.projection';

const v1 = storedEvent(
  'WorkCalendarPublished',
  {
    year: 2026,
    version: 1,
    holidays: ['2026-10-01', '2026-10-02'],
    workdays: ['2026-10-10'],
    source: '国办发明电〔2025〕示例号',
    publishedAt: '2025-12-01T02:00:00.000Z',
  },
  {
    streamId: 'workcalendar-2026',
    revision: 0,
    metadata: { actor: { userId: 'admin-1', role: 'assessmentAdmin', unitId: null } },
  },
);
const v2 = storedEvent(
  'WorkCalendarPublished',
  {
    year: 2026,
    version: 2,
    holidays: ['2026-10-01', '2026-10-02', '2026-10-05'],
    workdays: ['2026-10-10'],
    source: null,
    publishedAt: '2026-01-05T02:00:00.000Z',
  },
  { streamId: 'workcalendar-2026', revision: 1 },
);
const other = storedEvent(
  'WorkCalendarPublished',
  {
    year: 2027,
    version: 1,
    holidays: [],
    workdays: [],
    source: null,
    publishedAt: '2026-12-01T02:00:00.000Z',
  },
  { streamId: 'workcalendar-2027', revision: 0 },
);

describe('workCalendars projection', () => {
  it('given a first publication, then one document for the year with its version in the history', () => {
    expect(projectionSpec(workCalendarsProjection).given(v1).document(WORK_CALENDARS, '2026')).toEqual({
      _id: '2026',
      _position: v1.position,
      year: 2026,
      version: 1,
      holidays: ['2026-10-01', '2026-10-02'],
      workdays: ['2026-10-10'],
      source: '国办发明电〔2025〕示例号',
      publishedAt: '2025-12-01T02:00:00.000Z',
      publishedBy: 'admin-1',
      history: [
        {
          version: 1,
          holidays: ['2026-10-01', '2026-10-02'],
          workdays: ['2026-10-10'],
          source: '国办发明电〔2025〕示例号',
          publishedAt: '2025-12-01T02:00:00.000Z',
          publishedBy: 'admin-1',
        },
      ],
    });
  });

  it('given a republication, then the current calendar is the new one and both versions stay', () => {
    const doc = projectionSpec(workCalendarsProjection).given(v1, v2).document(WORK_CALENDARS, '2026');
    expect(doc).toMatchObject({
      version: 2,
      holidays: ['2026-10-01', '2026-10-02', '2026-10-05'],
      source: null,
      publishedAt: '2026-01-05T02:00:00.000Z',
    });
    expect((doc!.history as Array<{ version: number }>).map((h) => h.version)).toEqual([1, 2]);
  });

  it('keeps one document per year', () => {
    const spec = projectionSpec(workCalendarsProjection).given(v1, other);
    expect(
      spec
        .all(WORK_CALENDARS)
        .map((d) => d._id)
        .sort(),
    ).toEqual(['2026', '2027']);
  });

  it('changes nothing when the same event is applied twice', () => {
    const once = projectionSpec(workCalendarsProjection).given(v1, v2).document(WORK_CALENDARS, '2026');
    const twice = projectionSpec(workCalendarsProjection)
      .given(v1, v2, v2, v1)
      .document(WORK_CALENDARS, '2026');
    expect(twice).toEqual(once);
  });
});
