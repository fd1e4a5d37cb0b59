import {
  MAX_WORKING_DAY_SHIFT,
  type WorkCalendar,
  addWorkingDays,
  isValidDate,
  isWorkingDay,
  missingYears,
  workCalendarProblems,
} from './work-calendar';

/**
 * A National-Day-style arrangement for the tests (a fixture, not the official 2026 notice): off from
 * Thursday 1 to Wednesday 7 October, with Sunday 27 September and Saturday 10 October worked.
 */
const Y2026: WorkCalendar = {
  year: 2026,
  holidays: [
    '2026-10-01',
    '2026-10-02',
    '2026-10-03',
    '2026-10-04',
    '2026-10-05',
    '2026-10-06',
    '2026-10-07',
  ],
  workdays: ['2026-09-27', '2026-10-10'],
};
/** New Year's Day 2027 (a Friday) off, for crossing the year end (also a fixture). */
const Y2027: WorkCalendar = { year: 2027, holidays: ['2027-01-01'], workdays: [] };

describe('isWorkingDay', () => {
  describe('given a published calendar', () => {
    it('counts an ordinary weekday as working and an ordinary weekend day as not', () => {
      expect(isWorkingDay('2026-07-10', [Y2026])).toBe(true); // Friday
      expect(isWorkingDay('2026-07-11', [Y2026])).toBe(false); // Saturday
    });

    it('takes a weekday holiday off', () => {
      expect(isWorkingDay('2026-10-01', [Y2026])).toBe(false); // Thursday, 国庆
      expect(isWorkingDay('2026-10-07', [Y2026])).toBe(false); // Wednesday
    });

    it('makes a 调休 weekend day a working day', () => {
      expect(isWorkingDay('2026-09-27', [Y2026])).toBe(true); // Sunday
      expect(isWorkingDay('2026-10-10', [Y2026])).toBe(true); // Saturday
      expect(isWorkingDay('2026-10-11', [Y2026])).toBe(false); // the Sunday after stays off
    });

    it('counts a weekend day listed among holidays as off, as it would be anyway', () => {
      expect(isWorkingDay('2026-10-03', [Y2026])).toBe(false);
    });
  });

  describe('given no calendar for the year', () => {
    it('falls back to Monday to Friday', () => {
      expect(isWorkingDay('2026-10-01', [])).toBe(true);
      expect(isWorkingDay('2026-10-10', [Y2027])).toBe(false);
    });
  });

  it('refuses a malformed date', () => {
    expect(() => isWorkingDay('2026-10-1', [Y2026])).toThrow('not a date');
    expect(() => isWorkingDay('2026-02-30', [Y2026])).toThrow('not a date');
  });
});

describe('addWorkingDays', () => {
  describe('when counting forwards', () => {
    it('goes from Friday 10 July to Monday 13 July for one working day', () => {
      expect(addWorkingDays('2026-07-10', 1, [Y2026])).toEqual({ date: '2026-07-13', assumedYears: [] });
    });

    it('jumps the 国庆 week: one working day after Wednesday 30 September is Thursday 8 October', () => {
      expect(addWorkingDays('2026-09-30', 1, [Y2026]).date).toBe('2026-10-08');
    });

    it('counts the make-up Saturday: two working days after Thursday 8 October is Saturday 10 October', () => {
      expect(addWorkingDays('2026-10-08', 2, [Y2026]).date).toBe('2026-10-10');
      expect(addWorkingDays('2026-10-08', 3, [Y2026]).date).toBe('2026-10-12');
    });

    it('starts counting from a non-working day as from any other', () => {
      expect(addWorkingDays('2026-10-03', 1, [Y2026]).date).toBe('2026-10-08');
    });
  });

  describe('when counting backwards (negative n)', () => {
    it('skips the holiday week back to the last day before it', () => {
      expect(addWorkingDays('2026-10-08', -1, [Y2026]).date).toBe('2026-09-30');
    });

    it('lands on the make-up Sunday when it is the working day before', () => {
      expect(addWorkingDays('2026-09-28', -1, [Y2026]).date).toBe('2026-09-27');
    });

    it('goes back over a weekend and counts the make-up Saturday', () => {
      expect(addWorkingDays('2026-10-12', -3, [Y2026]).date).toBe('2026-10-08');
    });
  });

  describe('when n is 0', () => {
    it('returns the same date, even a holiday, and assumes nothing', () => {
      expect(addWorkingDays('2026-10-01', 0, [])).toEqual({ date: '2026-10-01', assumedYears: [] });
    });
  });

  describe('across the year end', () => {
    it('uses the next year’s calendar when it is published', () => {
      expect(addWorkingDays('2026-12-31', 1, [Y2026, Y2027])).toEqual({
        date: '2027-01-04',
        assumedYears: [],
      });
      expect(addWorkingDays('2027-01-04', -1, [Y2026, Y2027])).toEqual({
        date: '2026-12-31',
        assumedYears: [],
      });
    });

    it('falls back to Monday to Friday for a year not published yet, and says so', () => {
      expect(addWorkingDays('2026-12-31', 1, [Y2026])).toEqual({ date: '2027-01-01', assumedYears: [2027] });
      expect(addWorkingDays('2027-01-04', -2, [Y2027])).toEqual({
        date: '2026-12-30',
        assumedYears: [2026],
      });
    });

    it('reports every year it had to assume, in order', () => {
      expect(addWorkingDays('2025-12-31', 300, [Y2026]).assumedYears).toEqual([2027]);
      expect(addWorkingDays('2025-12-30', 300, []).assumedYears).toEqual([2025, 2026, 2027]);
    });
  });

  it('refuses a malformed date and an unreasonable count', () => {
    expect(() => addWorkingDays('10/01/2026', 1, [])).toThrow('not a date');
    expect(() => addWorkingDays('2026-10-01', 1.5, [])).toThrow(RangeError);
    expect(() => addWorkingDays('2026-10-01', MAX_WORKING_DAY_SHIFT + 1, [])).toThrow(RangeError);
  });
});

describe('missingYears', () => {
  it('lists the years without a calendar, ascending and once each', () => {
    expect(missingYears([2027, 2026, 2028, 2027], [Y2026])).toEqual([2027, 2028]);
    expect(missingYears([2026], [Y2026])).toEqual([]);
  });
});

describe('isValidDate', () => {
  it('accepts existing YYYY-MM-DD dates only', () => {
    expect(isValidDate('2028-02-29')).toBe(true);
    expect(isValidDate('2026-02-29')).toBe(false);
    expect(isValidDate('2026-13-01')).toBe(false);
    expect(isValidDate('2026-1-01')).toBe(false);
    expect(isValidDate('0099-01-01')).toBe(false);
  });
});

describe('workCalendarProblems', () => {
  it('accepts the fixture calendars and an empty one', () => {
    expect(workCalendarProblems(Y2026)).toEqual([]);
    expect(workCalendarProblems({ year: 2030, holidays: [], workdays: [] })).toEqual([]);
  });

  it('refuses dates outside the year, malformed or non-existent dates, and repeats', () => {
    expect(
      workCalendarProblems({
        year: 2026,
        holidays: ['2027-01-01', '2026-02-30', 'National Day', '2026-10-01', '2026-10-01'],
        workdays: [],
      }),
    ).toEqual([
      '节假日 2027-01-01 不在 2026 年内',
      '节假日 2026-02-30 不是有效日期（格式 YYYY-MM-DD）',
      '节假日 National Day 不是有效日期（格式 YYYY-MM-DD）',
      '节假日 2026-10-01 重复',
    ]);
  });

  it('refuses a 调休上班日 that is not a weekend day, and a date in both lists', () => {
    expect(
      workCalendarProblems({ year: 2026, holidays: ['2026-10-10'], workdays: ['2026-10-09', '2026-10-10'] }),
    ).toEqual(['调休上班日 2026-10-09 不是周六或周日', '2026-10-10 不能既是节假日又是调休上班日']);
  });

  it('refuses a year that is not four digits', () => {
    expect(workCalendarProblems({ year: 26, holidays: [], workdays: [] })).toEqual([
      '年份须为四位数字，如 2026',
    ]);
  });
});
