import Holidays from 'date-holidays';
import { isCalendarDate } from './validation';

/*
 * Kela generates the monthly child home care allowance lists on the last weekday of each month. What counts
 * as a weekday is our decision following the act on computing statutory time limits (150/1930 § 5):
 * Monday to Friday, not a Finnish public holiday, Midsummer Eve or Christmas Eve; New Year's Eve is a weekday.
 *
 * All arithmetic is on calendar dates in UTC, so the answer does not depend on the machine's time zone.
 */

/**
 * The `bank` entries that 150/1930 § 5 treats like holidays. Listed by name, not by type, so that a new `bank`
 * entry in a library update cannot change the rule unnoticed (New Year's Eve is `bank` and stays a weekday).
 */
const NON_WORKING_EVES: readonly string[] = ['Midsummer Eve', 'Christmas Eve'];

// Names are matched in English, so the language is pinned.
let holidays: Holidays | undefined;
const nonWorkingDaysByYear = new Map<number, ReadonlySet<string>>();

/** Public holidays plus the two eves of `year`, as 'YYYY-MM-DD'; computed once per year. */
function nonWorkingDays(year: number): ReadonlySet<string> {
  const cached = nonWorkingDaysByYear.get(year);
  if (cached) return cached;
  holidays ??= new Holidays('FI', { languages: ['en'] });
  const days = new Set<string>();
  const evesFound = new Set<string>();
  for (const holiday of holidays.getHolidays(year, 'en')) {
    // `date` is the local Finnish calendar date ('YYYY-MM-DD 00:00:00'); `start` is an instant and would shift.
    const day = holiday.date.slice(0, 10);
    if (holiday.type === 'public') {
      days.add(day);
    } else if (holiday.type === 'bank' && NON_WORKING_EVES.includes(holiday.name)) {
      days.add(day);
      evesFound.add(holiday.name);
    }
  }
  // Matching by name would silently stop working if the library renamed an eve: fail loudly instead.
  const missing = NON_WORKING_EVES.filter((name) => !evesFound.has(name));
  if (missing.length > 0) {
    throw new Error(`date-holidays has no ${missing.join(', ')} for FI ${year}; check the library's names`);
  }
  nonWorkingDaysByYear.set(year, days);
  return days;
}

function assertYearMonth(year: number, month: number): void {
  // Four-digit years only: Date.UTC maps years 0–99 to 1900–1999, and the output format is 'YYYY'.
  if (!Number.isInteger(year) || year < 1000 || year > 9999) throw new RangeError(`Invalid year: ${year}`);
  if (!Number.isInteger(month) || month < 1 || month > 12) throw new RangeError(`Invalid month: ${month}`);
}

function daysInMonth(year: number, month: number): number {
  // Day 0 of the next month is the last day of this one.
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function formatIsoDate(year: number, month: number, day: number): string {
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** An ISO calendar date 'YYYY-MM-DD': strictly (no time part, so no time zone can shift it) and a real one. */
function parseIsoDate(date: string): { year: number; month: number; day: number } {
  // Rejects e.g. 2026-02-30, which Date.UTC would silently roll over into March.
  if (!isCalendarDate(date)) throw new RangeError(`Not a calendar date 'YYYY-MM-DD': ${date}`);
  const year = Number(date.slice(0, 4));
  const month = Number(date.slice(5, 7));
  assertYearMonth(year, month);
  return { year, month, day: Number(date.slice(8, 10)) };
}

function isWorkingWeekday(year: number, month: number, day: number): boolean {
  const weekday = new Date(Date.UTC(year, month - 1, day)).getUTCDay();
  if (weekday === 0 || weekday === 6) return false;
  return !nonWorkingDays(year).has(formatIsoDate(year, month, day));
}

/**
 * Whether `date` ('YYYY-MM-DD') is a weekday in the sense of 150/1930 § 5 as we apply it: Monday to Friday,
 * not a Finnish public holiday, not Midsummer Eve or Christmas Eve (New Year's Eve is a weekday).
 */
export function isFinnishWorkingWeekday(date: string): boolean {
  const { year, month, day } = parseIsoDate(date);
  return isWorkingWeekday(year, month, day);
}

/**
 * The last weekday (see {@link isFinnishWorkingWeekday}) of `month` (1–12) of `year`, as 'YYYY-MM-DD': the
 * day Kela generates the monthly child home care allowance lists (our reading of 150/1930 § 5).
 */
export function lastWeekdayOfMonth(year: number, month: number): string {
  assertYearMonth(year, month);
  for (let day = daysInMonth(year, month); day >= 1; day--) {
    if (isWorkingWeekday(year, month, day)) return formatIsoDate(year, month, day);
  }
  // Unreachable with real calendars; guards against corrupt holiday data rather than returning a wrong month.
  throw new Error(`No weekday in ${formatIsoDate(year, month, 1).slice(0, 7)}`);
}

/** Year and month (1–12) of an ISO date 'YYYY-MM-DD', read from the calendar date itself, not via local time. */
export function monthOf(date: string): { year: number; month: number } {
  const { year, month } = parseIsoDate(date);
  return { year, month };
}

/** The day the child home care allowance list for `date`'s month is generated: that month's last weekday. */
export function listGenerationDay(date: string): string {
  const { year, month } = monthOf(date);
  return lastWeekdayOfMonth(year, month);
}
