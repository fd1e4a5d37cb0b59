import {
  endOfShanghaiDay,
  isPeriodOf,
  lastMonthOf,
  periodsOf,
  reportDueDate,
  shanghaiDate,
  yearOf,
} from './periods';

describe('periodsOf', () => {
  it('lists the twelve months of a cycle year', () => {
    expect(periodsOf(2026, 'monthly')).toEqual([
      '2026-01',
      '2026-02',
      '2026-03',
      '2026-04',
      '2026-05',
      '2026-06',
      '2026-07',
      '2026-08',
      '2026-09',
      '2026-10',
      '2026-11',
      '2026-12',
    ]);
  });

  it('lists the four quarters of a cycle year', () => {
    expect(periodsOf(2026, 'quarterly')).toEqual(['2026-Q1', '2026-Q2', '2026-Q3', '2026-Q4']);
  });
});

describe('isPeriodOf', () => {
  it('accepts a period of the year in the cadence', () => {
    expect(isPeriodOf('2026-06', 2026, 'monthly')).toBe(true);
    expect(isPeriodOf('2026-Q2', 2026, 'quarterly')).toBe(true);
  });

  it('refuses a period in the other cadence', () => {
    expect(isPeriodOf('2026-Q2', 2026, 'monthly')).toBe(false);
    expect(isPeriodOf('2026-06', 2026, 'quarterly')).toBe(false);
  });

  it('refuses a period of another year', () => {
    expect(isPeriodOf('2025-12', 2026, 'monthly')).toBe(false);
    expect(isPeriodOf('2027-Q1', 2026, 'quarterly')).toBe(false);
  });

  it('refuses malformed periods', () => {
    for (const period of [
      '2026-6',
      '2026-13',
      '2026-00',
      '2026-Q0',
      '2026-Q5',
      '2026-q2',
      '2026-06-30',
      '',
    ]) {
      expect(isPeriodOf(period, 2026, 'monthly') || isPeriodOf(period, 2026, 'quarterly')).toBe(false);
    }
  });
});

describe('lastMonthOf and yearOf', () => {
  it('gives the month of a monthly period', () => {
    expect(lastMonthOf('2026-06')).toBe(6);
    expect(lastMonthOf('2026-12')).toBe(12);
  });

  it('gives the last month of a quarter', () => {
    expect(lastMonthOf('2026-Q1')).toBe(3);
    expect(lastMonthOf('2026-Q2')).toBe(6);
    expect(lastMonthOf('2026-Q4')).toBe(12);
  });

  it('throws on something that is not a period', () => {
    expect(() => lastMonthOf('2026-13')).toThrow('not a period');
    expect(() => lastMonthOf('2026-Q5')).toThrow('not a period');
  });

  it('gives the year of a period', () => {
    expect(yearOf('2026-06')).toBe(2026);
    expect(yearOf('2026-Q4')).toBe(2026);
  });
});

describe('reportDueDate', () => {
  it('is the due day of the following month: June with due day 10 is due 10 July', () => {
    expect(reportDueDate('2026-06', 10)).toBe('2026-07-10');
  });

  it('dates a quarter like its last month: Q2 is due 10 July', () => {
    expect(reportDueDate('2026-Q2', 10)).toBe('2026-07-10');
  });

  it('pads single-digit days and months', () => {
    expect(reportDueDate('2026-01', 5)).toBe('2026-02-05');
  });

  it('dates December to January of the next year', () => {
    expect(reportDueDate('2026-12', 10)).toBe('2027-01-10');
  });

  it('dates Q4 to January of the next year', () => {
    expect(reportDueDate('2026-Q4', 15)).toBe('2027-01-15');
  });

  it('keeps the last allowed due day, 28, even in February', () => {
    expect(reportDueDate('2026-01', 28)).toBe('2026-02-28');
  });
});

describe('endOfShanghaiDay', () => {
  it('is 16:00 UTC of the same date (Shanghai is UTC+8 all year)', () => {
    expect(endOfShanghaiDay('2026-07-10')).toBe('2026-07-10T16:00:00.000Z');
  });

  it('rolls over month and year ends', () => {
    expect(endOfShanghaiDay('2026-06-30')).toBe('2026-06-30T16:00:00.000Z');
    expect(endOfShanghaiDay('2026-12-31')).toBe('2026-12-31T16:00:00.000Z');
  });
});

describe('shanghaiDate', () => {
  it('stays on the same date until 16:00 UTC', () => {
    expect(shanghaiDate('2026-07-10T15:59:59.999Z')).toBe('2026-07-10');
  });

  it('is already the next date from 16:00 UTC', () => {
    expect(shanghaiDate('2026-07-10T16:00:00.000Z')).toBe('2026-07-11');
  });

  it('is already the Shanghai date before UTC midnight has passed', () => {
    expect(shanghaiDate('2026-07-10T23:30:00.000Z')).toBe('2026-07-11');
    expect(shanghaiDate('2026-07-11T00:30:00.000Z')).toBe('2026-07-11');
  });

  it('crosses into the new year at 16:00 UTC on 31 December', () => {
    expect(shanghaiDate('2026-12-31T15:59:59.999Z')).toBe('2026-12-31');
    expect(shanghaiDate('2026-12-31T16:00:00.000Z')).toBe('2027-01-01');
  });

  it('accepts a Date and instants with an offset', () => {
    expect(shanghaiDate(new Date('2026-07-10T16:00:00.000Z'))).toBe('2026-07-11');
    expect(shanghaiDate('2026-07-11T00:00:00+08:00')).toBe('2026-07-11');
  });

  it('agrees with endOfShanghaiDay: the end of a day is the start of the next', () => {
    expect(shanghaiDate(endOfShanghaiDay('2026-07-10'))).toBe('2026-07-11');
  });
});
