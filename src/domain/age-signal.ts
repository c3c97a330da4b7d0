import { addDays, finnishDate, finnishMidnight } from './clock';
import { pendingDays } from './notification-rules';

/** A notification's age as a traffic light, from its pending days (Finnish calendar days). */
export enum AgeSignal {
  GREEN = 'GREEN',
  YELLOW = 'YELLOW',
  RED = 'RED',
}

/** Where the colours change, in pending days (AGE_SIGNAL_YELLOW_FROM_DAYS, AGE_SIGNAL_RED_FROM_DAYS). */
export interface AgeSignalThresholds {
  yellowFromDays: number;
  redFromDays: number;
}

/** GREEN 0–14, YELLOW 15–24, RED 25 and over: red warns days before the 30-day removal. */
export const DEFAULT_AGE_SIGNAL_THRESHOLDS: AgeSignalThresholds = { yellowFromDays: 15, redFromDays: 25 };

export function ageSignalOfDays(days: number, thresholds: AgeSignalThresholds): AgeSignal {
  if (days >= thresholds.redFromDays) return AgeSignal.RED;
  if (days >= thresholds.yellowFromDays) return AgeSignal.YELLOW;
  return AgeSignal.GREEN;
}

export function ageSignal(createdAt: Date, now: Date, thresholds: AgeSignalThresholds): AgeSignal {
  return ageSignalOfDays(pendingDays(createdAt, now), thresholds);
}

/**
 * The creation times whose signal is `signal` today, for SQL: `createdAt >= from` (when given) and
 * `createdAt < before` (when given). Pending days are at most d exactly when the creation time is on or after 00:00
 * Helsinki of today - d, so each colour's range of days is a range of creation times.
 */
export function ageSignalCreatedRange(
  signal: AgeSignal,
  now: Date,
  thresholds: AgeSignalThresholds,
): { from?: Date; before?: Date } {
  const today = finnishDate(now);
  // Days at most d: created on or after the start of day (today - d).
  const atMost = (days: number) => finnishMidnight(addDays(today, -days));
  switch (signal) {
    case AgeSignal.GREEN:
      return { from: atMost(thresholds.yellowFromDays - 1) };
    case AgeSignal.YELLOW:
      return { from: atMost(thresholds.redFromDays - 1), before: atMost(thresholds.yellowFromDays - 1) };
    case AgeSignal.RED:
      return { before: atMost(thresholds.redFromDays - 1) };
  }
}
