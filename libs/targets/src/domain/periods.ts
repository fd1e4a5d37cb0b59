/**
 * Reporting periods and dates. Business dates are Asia/Shanghai calendar dates (no daylight saving,
 * UTC+8 all year), so a day's end is a fixed UTC instant.
 */
export type Cadence = 'monthly' | 'quarterly';

const MONTHLY = /^(\d{4})-(0[1-9]|1[0-2])$/;
const QUARTERLY = /^(\d{4})-Q([1-4])$/;
const SHANGHAI_OFFSET_MS = 8 * 3_600_000;

/** The periods of a cycle year for a cadence: 2026-01 … 2026-12, or 2026-Q1 … 2026-Q4. */
export function periodsOf(year: number, cadence: Cadence): string[] {
  return cadence === 'monthly'
    ? Array.from({ length: 12 }, (_, i) => `${year}-${String(i + 1).padStart(2, '0')}`)
    : [1, 2, 3, 4].map((q) => `${year}-Q${q}`);
}

export function isPeriodOf(period: string, year: number, cadence: Cadence): boolean {
  return periodsOf(year, cadence).includes(period);
}

/** The last month (1–12) a period covers. */
export function lastMonthOf(period: string): number {
  const monthly = MONTHLY.exec(period);
  if (monthly) return Number(monthly[2]);
  const quarterly = QUARTERLY.exec(period);
  if (quarterly) return Number(quarterly[2]) * 3;
  throw new Error(`not a period: ${period}`);
}

export function yearOf(period: string): number {
  return Number(period.slice(0, 4));
}

/** The UTC instant at which a Shanghai calendar day (YYYY-MM-DD) ends. */
export function endOfShanghaiDay(date: string): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + 1) - SHANGHAI_OFFSET_MS).toISOString();
}

/** The Shanghai calendar date (YYYY-MM-DD) of an instant. */
export function shanghaiDate(instant: string | Date): string {
  return new Date(new Date(instant).getTime() + SHANGHAI_OFFSET_MS).toISOString().slice(0, 10);
}

/**
 * When a period's report is due: day `dueDay` of the month after the period (a June report, or a Q2
 * report, with dueDay 10 is due on 10 July), to the end of that Shanghai day.
 */
export function reportDueDate(period: string, dueDay: number): string {
  const year = yearOf(period);
  const month = lastMonthOf(period); // 1–12; the next month is month + 1
  const next = new Date(Date.UTC(year, month, 1));
  return `${next.getUTCFullYear()}-${String(next.getUTCMonth() + 1).padStart(2, '0')}-${String(dueDay).padStart(2, '0')}`;
}

/** The instant a period ends: the end of its last Shanghai day (a report's business time, occurredAt). */
export function periodEnd(period: string): string {
  const year = yearOf(period);
  const month = lastMonthOf(period);
  const lastDay = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return endOfShanghaiDay(`${year}-${String(month).padStart(2, '0')}-${String(lastDay).padStart(2, '0')}`);
}
