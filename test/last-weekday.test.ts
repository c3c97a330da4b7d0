import Holidays from 'date-holidays';
import { describe, expect, it } from 'vitest';
import {
  isFinnishWorkingWeekday,
  lastWeekdayOfMonth,
  listGenerationDay,
  monthOf,
} from '../src/domain/last-weekday';

// Expected dates below were checked against the calendar (Date.UTC + getUTCDay) and date-holidays 3.37 FI data.

const iso = (y: number, m: number, d: number) =>
  `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
const utcWeekday = (y: number, m: number, d: number) => new Date(Date.UTC(y, m - 1, d)).getUTCDay();
const daysIn = (y: number, m: number) => new Date(Date.UTC(y, m, 0)).getUTCDate();

// Independent oracle straight from the library, so the property test does not only check the code against itself.
const fi = new Holidays('FI', { languages: ['en'] });
const publicHolidays = (y: number) =>
  new Map(
    fi
      .getHolidays(y, 'en')
      .filter((h) => h.type === 'public')
      .map((h) => [h.date.slice(0, 10), h.name]),
  );
const oracleNonWorking = (y: number) =>
  new Set(
    fi
      .getHolidays(y, 'en')
      .filter(
        (h) =>
          h.type === 'public' || (h.type === 'bank' && ['Midsummer Eve', 'Christmas Eve'].includes(h.name)),
      )
      .map((h) => h.date.slice(0, 10)),
  );

describe('lastWeekdayOfMonth', () => {
  it('steps back over a weekend', () => {
    expect(lastWeekdayOfMonth(2026, 5)).toBe('2026-05-29'); // 31 May is a Sunday
    expect(lastWeekdayOfMonth(2026, 1)).toBe('2026-01-30'); // 31 January is a Saturday
    expect(lastWeekdayOfMonth(2026, 10)).toBe('2026-10-30'); // 31 October is All Saints' Day, a Saturday
  });

  it('steps back over holidays next to the weekend', () => {
    // 31 Easter Sunday, 30 Saturday, 29 Good Friday.
    expect(lastWeekdayOfMonth(2024, 3)).toBe('2024-03-28');
    // 31 Saturday, 30 Good Friday.
    expect(lastWeekdayOfMonth(2029, 3)).toBe('2029-03-29');
  });

  it('keeps an ordinary weekday that is only an eve of a holiday not in the rule (Vappu eve)', () => {
    expect(utcWeekday(2027, 4, 30)).toBe(5);
    expect(lastWeekdayOfMonth(2027, 4)).toBe('2027-04-30');
  });

  it('skips a last day that is a public holiday on a weekday', () => {
    // No month in 2020–2035 ends on a weekday public holiday (searched here so that a data change shows up).
    const endsOnWeekdayHoliday = (from: number, to: number) => {
      const found: { year: number; month: number; name: string }[] = [];
      for (let y = from; y <= to; y++) {
        const holidays = publicHolidays(y);
        for (let m = 1; m <= 12; m++) {
          const last = daysIn(y, m);
          const name = holidays.get(iso(y, m, last));
          const wd = utcWeekday(y, m, last);
          if (name && wd >= 1 && wd <= 5) found.push({ year: y, month: m, name });
        }
      }
      return found;
    };
    expect(endsOnWeekdayHoliday(2020, 2035)).toEqual([]);
    // Later ones: Good Friday on Friday 31 March 2051 and 2056, Ascension Day on Thursday 31 May 2057.
    expect(endsOnWeekdayHoliday(2020, 2057)).toEqual([
      { year: 2051, month: 3, name: 'Good Friday' },
      { year: 2056, month: 3, name: 'Good Friday' },
      { year: 2057, month: 5, name: 'Ascension Day' },
    ]);
    expect(lastWeekdayOfMonth(2051, 3)).toBe('2051-03-30');
    expect(lastWeekdayOfMonth(2057, 5)).toBe('2057-05-30');
  });

  it("counts New Year's Eve as a weekday in December", () => {
    expect(lastWeekdayOfMonth(2026, 12)).toBe('2026-12-31'); // Thursday
    expect(lastWeekdayOfMonth(2027, 12)).toBe('2027-12-31'); // Friday
    expect(lastWeekdayOfMonth(2028, 12)).toBe('2028-12-29'); // 31st is a Sunday
    expect(lastWeekdayOfMonth(2022, 12)).toBe('2022-12-30'); // 31st is a Saturday
  });

  it('is never Midsummer Eve in June, which falls on 19–25 June', () => {
    expect(lastWeekdayOfMonth(2026, 6)).toBe('2026-06-30');
  });

  it('rejects invalid years and months', () => {
    expect(() => lastWeekdayOfMonth(2026, 0)).toThrow(RangeError);
    expect(() => lastWeekdayOfMonth(2026, 13)).toThrow(RangeError);
    expect(() => lastWeekdayOfMonth(2026.5, 1)).toThrow(RangeError);
    // Date.UTC would read 26 as 1926.
    expect(() => lastWeekdayOfMonth(26, 1)).toThrow(RangeError);
  });

  it('for every month 2020–2035 gives a working weekday of that month with none after it', () => {
    for (let y = 2020; y <= 2035; y++) {
      const nonWorking = oracleNonWorking(y);
      const oracle = (m: number, d: number) => {
        const wd = utcWeekday(y, m, d);
        return wd >= 1 && wd <= 5 && !nonWorking.has(iso(y, m, d));
      };
      for (let m = 1; m <= 12; m++) {
        const result = lastWeekdayOfMonth(y, m);
        expect(result.slice(0, 7)).toBe(iso(y, m, 1).slice(0, 7));
        const day = Number(result.slice(8));
        expect(isFinnishWorkingWeekday(result)).toBe(true);
        expect(oracle(m, day)).toBe(true);
        for (let later = day + 1; later <= daysIn(y, m); later++) {
          expect(isFinnishWorkingWeekday(iso(y, m, later))).toBe(false);
          expect(oracle(m, later)).toBe(false);
        }
      }
    }
  });
});

describe('isFinnishWorkingWeekday', () => {
  it.each([
    ['2026-06-19', 'Midsummer Eve (Friday)'],
    ['2026-12-24', 'Christmas Eve (Thursday)'],
    ['2026-12-06', 'Independence Day (Sunday)'],
    ['2026-04-03', 'Good Friday'],
    ['2026-04-06', 'Easter Monday'],
    ['2026-05-14', 'Ascension Day (Thursday)'],
    ['2026-05-01', 'May Day (Friday)'],
    ['2026-12-25', 'Christmas Day (Friday)'],
    ['2027-01-01', "New Year's Day (Friday)"],
    ['2026-05-30', 'a Saturday'],
    ['2026-05-31', 'a Sunday'],
  ])('%s is not a working weekday: %s', (date) => {
    expect(isFinnishWorkingWeekday(date)).toBe(false);
  });

  it.each([
    ['2026-12-31', "New Year's Eve (Thursday)"],
    ['2026-06-18', 'the day before Midsummer Eve'],
    ['2026-12-23', 'the day before Christmas Eve'],
    ['2026-04-02', 'Maundy Thursday'],
    ['2026-04-07', 'the day after Easter Monday'],
    ['2026-04-30', 'Vappu eve (Thursday)'],
    ['2026-05-29', 'an ordinary Friday'],
  ])('%s is a working weekday: %s', (date) => {
    expect(isFinnishWorkingWeekday(date)).toBe(true);
  });

  it('rejects anything but a real ISO calendar date', () => {
    for (const bad of ['2026-02-30', '2026-2-3', '2026-05-01T00:00:00Z', '', '0026-01-01', '2026-13-01']) {
      expect(() => isFinnishWorkingWeekday(bad)).toThrow(RangeError);
    }
  });
});

describe('monthOf and listGenerationDay', () => {
  it('reads the month from the calendar date', () => {
    expect(monthOf('2026-12-24')).toEqual({ year: 2026, month: 12 });
    expect(monthOf('2027-01-01')).toEqual({ year: 2027, month: 1 });
  });

  it("gives the last weekday of the date's month", () => {
    expect(listGenerationDay('2026-05-01')).toBe('2026-05-29');
    // A date after the generation day still belongs to that month.
    expect(listGenerationDay('2028-12-31')).toBe('2028-12-29');
    expect(listGenerationDay('2024-03-01')).toBe('2024-03-28');
    expect(listGenerationDay('2026-12-31')).toBe('2026-12-31');
  });
});
