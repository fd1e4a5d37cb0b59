import {
  addDays,
  dateLabel,
  daysBetween,
  minutesOf,
  msIntoShanghaiDay,
  numberLabel,
  periodLabel,
  shanghaiInstant,
  startOfShanghaiDay,
} from './calendar';

describe('shanghaiInstant', () => {
  it('puts a Shanghai wall-clock time eight hours ahead of UTC', () => {
    expect(shanghaiInstant('2026-07-07', '09:00')).toBe('2026-07-07T01:00:00.000Z');
    expect(shanghaiInstant('2026-07-13', '08:00')).toBe('2026-07-13T00:00:00.000Z');
  });

  it('falls on the previous UTC day before 08:00 local', () => {
    expect(shanghaiInstant('2026-01-01', '03:30')).toBe('2025-12-31T19:30:00.000Z');
    expect(startOfShanghaiDay('2026-07-11')).toBe('2026-07-10T16:00:00.000Z');
  });

  it('refuses malformed dates and times', () => {
    expect(() => shanghaiInstant('2026-7-7', '09:00')).toThrow('not a date');
    expect(() => shanghaiInstant('2026-07-07', '9:00')).toThrow('not a time');
    expect(() => minutesOf('24:00')).toThrow('not a time');
  });
});

describe('msIntoShanghaiDay', () => {
  it('measures from the Shanghai midnight, not the UTC one', () => {
    expect(msIntoShanghaiDay('2026-07-12T15:00:00.000Z')).toBe(23 * 3_600_000);
    expect(msIntoShanghaiDay('2026-07-12T16:00:00.000Z')).toBe(0);
    expect(msIntoShanghaiDay(new Date('2026-07-12T00:30:00.000Z'))).toBe(8.5 * 3_600_000);
  });
});

describe('addDays and daysBetween', () => {
  it('moves across month, year and leap-day boundaries', () => {
    expect(addDays('2026-07-10', -3)).toBe('2026-07-07');
    expect(addDays('2026-07-10', 3)).toBe('2026-07-13');
    expect(addDays('2026-12-30', 3)).toBe('2027-01-02');
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
  });

  it('counts whole days, negative backwards', () => {
    expect(daysBetween('2026-07-07', '2026-07-10')).toBe(3);
    expect(daysBetween('2026-07-10', '2026-07-07')).toBe(-3);
    expect(daysBetween('2026-12-31', '2027-01-10')).toBe(10);
    expect(daysBetween('2026-07-10', '2026-07-10')).toBe(0);
  });
});

describe('labels', () => {
  it('reads periods in Chinese', () => {
    expect(periodLabel('2026-Q2')).toBe('2026年第二季度');
    expect(periodLabel('2026-Q4')).toBe('2026年第四季度');
    expect(periodLabel('2026-06')).toBe('2026年6月');
    expect(periodLabel('2026-12')).toBe('2026年12月');
  });

  it('reads dates without the year unless it differs from the context', () => {
    expect(dateLabel('2026-07-10')).toBe('7月10日');
    expect(dateLabel('2026-07-10', 2026)).toBe('7月10日');
    expect(dateLabel('2027-01-10', 2026)).toBe('2027年1月10日');
  });

  it('reads numbers with at most two decimals', () => {
    expect(numberLabel(40)).toBe('40');
    expect(numberLabel(10.5)).toBe('10.5');
    expect(numberLabel(33.3333)).toBe('33.33');
  });
});
