import { addDays, daysBetween, finnishDate, finnishMidnight } from './clock';
import { NotificationStatus } from './enums';

/** Kela: a notification in processing is removed once it has been pending over 30 days. */
export const REMOVAL_AFTER_DAYS = 30;

// Days are calendar days in Finland, as handlers count them: a notification created at 23:30 Helsinki time has been
// pending one day at 00:30, and one created on 3 October is shown through 2 November and gone from 3 November 00:00.

/** The Helsinki date a notification was created on: pending days count from it. */
export function createdOn(createdAt: Date): string {
  return finnishDate(createdAt);
}

/** Calendar days from the creation date to today, both Helsinki dates (the "pending" column). */
export function pendingDays(createdAt: Date, now: Date): number {
  return Math.max(0, daysBetween(createdOn(createdAt), finnishDate(now)));
}

/** The last Helsinki day a notification in processing is shown: pending day 30. */
export function removalDueOn(createdAt: Date): string {
  return addDays(createdOn(createdAt), REMOVAL_AFTER_DAYS);
}

/** The moment a notification in processing disappears: 00:00 Helsinki time of pending day 31. */
export function removalDue(createdAt: Date): Date {
  return finnishMidnight(addDays(createdOn(createdAt), REMOVAL_AFTER_DAYS + 1));
}

/**
 * Oldest creation time still visible while in processing: the start of the Helsinki day 30 days before today.
 * A creation time's Helsinki date is on or after a day exactly when the time is on or after that day's 00:00, so
 * `createdAt >= removalThreshold(now)` holds exactly when pendingDays(createdAt, now) <= 30 (what SQL compares).
 */
export function removalThreshold(now: Date): Date {
  return finnishMidnight(addDays(finnishDate(now), -REMOVAL_AFTER_DAYS));
}

export function isPendingOverRemovalLimit(createdAt: Date, now: Date): boolean {
  return pendingDays(createdAt, now) > REMOVAL_AFTER_DAYS;
}

/** Kela: new notifications are kept however old; those in processing disappear after 30 days pending. */
export function isVisible(status: NotificationStatus, createdAt: Date, now: Date): boolean {
  return status === NotificationStatus.NEW || !isPendingOverRemovalLimit(createdAt, now);
}

/**
 * isVisible in SQL, the one copy every statement uses: `alias` a notification's table alias, `threshold` the SQL
 * (a parameter) giving removalThreshold(now).
 */
export function visibleSql(threshold: string, alias = 'n'): string {
  return `(${alias}.status = '${NotificationStatus.NEW}' OR ${alias}.created_at >= ${threshold})`;
}

/** The converse, for the purge: in processing and pending over 30 days (written so that an index on status serves). */
export function expiredSql(threshold: string, alias?: string): string {
  const column = (name: string) => (alias ? `${alias}.${name}` : name);
  return `${column('status')} = '${NotificationStatus.IN_PROCESSING}' AND ${column('created_at')} < ${threshold}`;
}

/** The Helsinki creation date in SQL (a date), as createdOn. */
export function createdOnSql(alias = 'n'): string {
  return `(${alias}.created_at AT TIME ZONE 'Europe/Helsinki')::date`;
}

/** pendingDays in SQL: `today` the SQL (a parameter) giving today's Helsinki date, finnishDate(now). */
export function pendingDaysSql(today: string, alias = 'n'): string {
  return `GREATEST(0, CAST(${today} AS date) - ${createdOnSql(alias)})`;
}

/** removalDue in SQL (a timestamptz): 00:00 Helsinki time of the creation date + 31 days. */
export function removalDueSql(alias = 'n'): string {
  return `((${createdOnSql(alias)} + ${REMOVAL_AFTER_DAYS + 1})::timestamp AT TIME ZONE 'Europe/Helsinki')`;
}

export type NotificationAction = 'MOVE_TO_PROCESSING' | 'RETURN_TO_NEW' | 'TRANSFER_TO_MUNICIPALITY';

/**
 * The one transition table the three mutations share: which status an action starts from and leads to.
 * Kela: transfer is done from the New list; a notification in processing can be returned to New.
 */
export const TRANSITIONS: Record<NotificationAction, { from: NotificationStatus; to: NotificationStatus }> = {
  MOVE_TO_PROCESSING: { from: NotificationStatus.NEW, to: NotificationStatus.IN_PROCESSING },
  RETURN_TO_NEW: { from: NotificationStatus.IN_PROCESSING, to: NotificationStatus.NEW },
  TRANSFER_TO_MUNICIPALITY: { from: NotificationStatus.NEW, to: NotificationStatus.NEW },
};
