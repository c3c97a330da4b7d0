/** The service reads time only through a clock, so tests can stand exactly at the 30-day boundary. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** The calendar date in Finland at an instant (YYYY-MM-DD): Kela's runs are scheduled by Finnish days. */
export function finnishDate(instant: Date): string {
  return new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Helsinki' }).format(instant);
}
