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
  const time = instant.getTime();
  // Before 1922 Helsinki kept local mean time (+1:39:49): no hour bucket holds one date there.
  if (!(time >= WHOLE_HOUR_OFFSETS_SINCE)) return FINNISH_DATE.format(instant);
  const hour = Math.floor(time / HOUR_MS);
  let date = datesByHour.get(hour);
  if (date === undefined) {
    date = FINNISH_DATE.format(instant);
    remember(datesByHour, hour, date);
  }
  return date;
}

/**
 * A list of 50 asks for the Helsinki date of every row several times (pendingDays, createdOn, removalDue), and Intl
 * formatting costs microseconds a call. Helsinki's offsets are whole hours since 1921 and change on the hour, so every
 * instant of one UTC hour falls on the same Helsinki date: the dates are kept per UTC hour, and the midnights per date.
 */
const WHOLE_HOUR_OFFSETS_SINCE = Date.UTC(1922, 0, 1);
const HOUR_MS = 3_600_000;
const MEMO_LIMIT = 100_000;
const datesByHour = new Map<number, string>();
const midnightsByDate = new Map<string, number>();

function remember<K, V>(memo: Map<K, V>, key: K, value: V): void {
  if (memo.size >= MEMO_LIMIT) memo.clear();
  memo.set(key, value);
}

/** The instant a Finnish calendar day begins (00:00 in Helsinki, EET or EEST). */
export function finnishMidnight(date: string): Date {
  const known = midnightsByDate.get(date);
  if (known !== undefined) return new Date(known);
  const midnight = helsinkiMidnight(date);
  if (!Number.isNaN(midnight.getTime())) remember(midnightsByDate, date, midnight.getTime());
  return midnight;
}

function helsinkiMidnight(date: string): Date {
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
