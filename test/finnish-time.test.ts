import { describe, expect, it } from 'vitest';
import { finnishDate, finnishMidnight } from '../src/domain/clock';

/** What a clock on a wall in Helsinki shows, straight from the time zone database. */
const wall = new Intl.DateTimeFormat('sv-SE', {
  timeZone: 'Europe/Helsinki',
  dateStyle: 'short',
  timeStyle: 'medium',
});

describe('Finnish dates, as kept per hour for speed', () => {
  it('are the date a Helsinki wall clock shows, minute by minute across both changes of 2026 and at midnight', () => {
    for (const day of ['2026-03-28', '2026-03-29', '2026-03-30', '2026-10-24', '2026-10-25', '2026-10-26']) {
      const start = Date.parse(`${day}T00:00:00Z`) - 4 * 3_600_000;
      for (let minute = 0; minute < 32 * 60; minute += 7) {
        const instant = new Date(start + minute * 60_000 + 59_999);
        // Twice: the first answer fills the memo, the second reads it.
        expect(finnishDate(instant)).toBe(wall.format(instant).slice(0, 10));
        expect(finnishDate(new Date(instant.getTime() - 59_998))).toBe(
          wall.format(new Date(instant.getTime() - 59_998)).slice(0, 10),
        );
      }
    }
  });

  it('are right for instants across a century, before 1922 (local mean time) included', () => {
    for (let i = 0; i < 5000; i += 1) {
      const instant = new Date(Date.UTC(1900, 0, 1) + Math.floor(Math.random() * 150 * 365.25 * 86_400_000));
      expect(finnishDate(instant)).toBe(wall.format(instant).slice(0, 10));
    }
  });

  it('begin at the instant a Helsinki wall clock shows 00:00:00, in winter and summer time', () => {
    for (const day of ['2026-01-15', '2026-03-29', '2026-03-30', '2026-07-01', '2026-10-25', '2026-10-26']) {
      for (let repeat = 0; repeat < 2; repeat += 1) {
        const midnight = finnishMidnight(day);
        expect(wall.format(midnight)).toBe(`${day} 00:00:00`);
        expect(finnishDate(new Date(midnight.getTime() - 1))).not.toBe(day);
      }
    }
  });
});
