/** Finnish wall-clock time: what a handler's calendar and clock say at an instant, summer time included. */
const HELSINKI = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Europe/Helsinki',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
});

export interface WallClock {
  /** `2026-11-23` */
  date: string;
  /** `00:15:00` */
  time: string;
}

/** The Helsinki date and time of an instant: 2026-11-22T22:15:00Z → 2026-11-23, 00:15:00. */
export function helsinkiWallClock(instant: Date): WallClock {
  const part: Record<string, string> = {};
  for (const { type, value } of HELSINKI.formatToParts(instant)) part[type] = value;
  return {
    date: `${part.year}-${part.month}-${part.day}`,
    time: `${part.hour}:${part.minute}:${part.second}`,
  };
}
