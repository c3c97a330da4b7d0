/** The service reads time only through a clock, so tests can stand exactly at the 30-day boundary. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

// Formats are made once: making one costs far more than formatting with it, and finnishDate runs per request.
/** The calendar date in Helsinki, written YYYY-MM-DD (as Swedish writes dates). */
const FINNISH_DATE = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Helsinki' });
/** Helsinki's offset from UTC at an instant, e.g. GMT+02:00. */
const HELSINKI_OFFSET = new Intl.DateTimeFormat('en-US', {
  timeZone: 'Europe/Helsinki',
  timeZoneName: 'longOffset',
});

/** The calendar date in Finland at an instant (YYYY-MM-DD): Kela's runs are scheduled by Finnish days. */
export function finnishDate(instant: Date): string {
  return FINNISH_DATE.format(instant);
}

/** The instant a Finnish calendar day begins (00:00 in Helsinki, EET or EEST). */
export function finnishMidnight(date: string): Date {
  const utcMidnight = new Date(`${date}T00:00:00Z`);
  const offset = HELSINKI_OFFSET.formatToParts(utcMidnight).find(
    (part) => part.type === 'timeZoneName',
  )?.value;
  const match = /GMT([+-])(\d{2}):(\d{2})/.exec(offset ?? '');
  const minutes = match ? (match[1] === '-' ? -1 : 1) * (Number(match[2]) * 60 + Number(match[3])) : 0;
  return new Date(utcMidnight.getTime() - minutes * 60_000);
}

/**
 * A calendar date (YYYY-MM-DD) moved by whole days. Calendar arithmetic only: a date has no time zone, so UTC
 * serves as a plain day counter here.
 */
export function addDays(date: string, days: number): string {
  const day = new Date(`${date}T00:00:00Z`);
  day.setUTCDate(day.getUTCDate() + days);
  return day.toISOString().slice(0, 10);
}

/** Calendar days from one date (YYYY-MM-DD) to another, negative if `to` is earlier. */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}
