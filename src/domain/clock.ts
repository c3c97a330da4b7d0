/** The service reads time only through a clock, so tests can stand exactly at the 30-day boundary. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
