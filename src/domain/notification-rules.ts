import { NotificationStatus } from './enums';

const DAY_MS = 86_400_000;

/** Kela: a notification in processing is removed once it has been pending over 30 days. */
export const REMOVAL_AFTER_DAYS = 30;
const REMOVAL_AFTER_MS = REMOVAL_AFTER_DAYS * DAY_MS;

/** Oldest creation time still visible while in processing: exactly 30 days is kept, a second more is not. */
export function removalThreshold(now: Date): Date {
  return new Date(now.getTime() - REMOVAL_AFTER_MS);
}

export function removalDue(createdAt: Date): Date {
  return new Date(createdAt.getTime() + REMOVAL_AFTER_MS);
}

export function isPendingOverRemovalLimit(createdAt: Date, now: Date): boolean {
  return createdAt.getTime() < removalThreshold(now).getTime();
}

/** Whole days since creation (the "pending" column). */
export function pendingDays(createdAt: Date, now: Date): number {
  return Math.max(0, Math.floor((now.getTime() - createdAt.getTime()) / DAY_MS));
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
