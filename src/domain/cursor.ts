import { NotificationOrder } from './enums';
import { BadUserInputError } from './errors';
import { isCalendarDate, isUuid } from './validation';

/** Cursors hold times this service wrote; anything outside these years was not made by us (and PostgreSQL would refuse it). */
const EARLIEST = Date.UTC(1900, 0, 1);
const LATEST = Date.UTC(9999, 11, 31);

/** Keyset position in a list ordered by creation time, then id to break ties. Opaque to clients. */
export interface ListPosition {
  createdAt: Date;
  id: string;
}

/**
 * A cursor holds [createdAt ISO, id], and for OLDEST_FIRST a third element naming the order: a position means "after
 * this row" only in the order it was read in, so a cursor of the other order is refused rather than silently read the
 * wrong way. Newest-first cursors keep their two elements, so that those issued before orders existed stay valid.
 */
export function encodeCursor(position: ListPosition, order = NotificationOrder.NEWEST_FIRST): string {
  const keys: string[] = [position.createdAt.toISOString(), position.id];
  if (order !== NotificationOrder.NEWEST_FIRST) keys.push(order);
  return Buffer.from(JSON.stringify(keys)).toString('base64url');
}

export function decodeCursor(
  argumentName: string,
  cursor: string,
  order = NotificationOrder.NEWEST_FIRST,
): ListPosition {
  let cursorOrder: unknown;
  let position: ListPosition | undefined;
  try {
    const decoded: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(decoded) && (decoded.length === 2 || decoded.length === 3)) {
      const [createdAt, id, named = NotificationOrder.NEWEST_FIRST] = decoded as [unknown, unknown, unknown];
      const date = typeof createdAt === 'string' ? new Date(createdAt) : new Date(Number.NaN);
      const time = date.getTime();
      // A newest-first cursor never names its order (see encodeCursor): ["…", "…", "NEWEST_FIRST"] is not ours.
      const orderValid = decoded.length === 2 || named === NotificationOrder.OLDEST_FIRST;
      if (time >= EARLIEST && time <= LATEST && typeof id === 'string' && isUuid(id) && orderValid) {
        position = { createdAt: date, id };
        cursorOrder = named;
      }
    }
  } catch {
    // Falls through to the error below: any undecodable cursor is the client's mistake, not ours.
  }
  if (!position) throw new BadUserInputError(argumentName, 'not a cursor returned by this API.');
  if (cursorOrder !== order) {
    throw new BadUserInputError(
      argumentName,
      `a cursor of the ${String(cursorOrder)} order; page with the orderBy the cursor was returned with (${String(cursorOrder)}), or start again without a cursor.`,
    );
  }
  return position;
}

/** Opaque cursor over a tuple of keys (e.g. month and municipality, or a row number). */
export function encodeKeyCursor(keys: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify(keys)).toString('base64url');
}

/** PostgreSQL's `integer` range. */
const INT4_MIN = -(2 ** 31);
const INT4_MAX = 2 ** 31 - 1;

/**
 * What each kind of key in a key cursor may be: only values PostgreSQL accepts for the column the key is compared
 * with, so that a forged cursor is the client's mistake (BAD_USER_INPUT) and never a database error (22008, 22003).
 */
const KEY_KINDS = {
  /** A `date` column: a real calendar date YYYY-MM-DD, in the years cursors of this service hold (as above). */
  date: (key: unknown) => typeof key === 'string' && isCalendarDate(key) && key >= '1900-01-01',
  /** An `integer` column. */
  int4: (key: unknown) =>
    Number.isSafeInteger(key) && (key as number) >= INT4_MIN && (key as number) <= INT4_MAX,
  /** A `bigint` column, as far as a JSON number carries an integer exactly. */
  int8: (key: unknown) => Number.isSafeInteger(key),
  /** A `text` column: PostgreSQL text cannot hold NUL. */
  text: (key: unknown) => typeof key === 'string' && !key.includes('\u0000'),
} satisfies Record<string, (key: unknown) => boolean>;

export type KeyKind = keyof typeof KEY_KINDS;

/** The decoded keys of a cursor whose keys are of `K`'s kinds: numbers for the integer kinds, strings otherwise. */
export type Keys<K extends readonly KeyKind[]> = {
  -readonly [I in keyof K]: K[I] extends 'int4' | 'int8' ? number : string;
};

/**
 * Decodes a cursor made by encodeKeyCursor whose keys are of the given kinds (and pass `refine`, for what the kind
 * alone does not say); anything else is the client's mistake.
 */
export function decodeKeyCursor<const K extends readonly KeyKind[]>(
  argumentName: string,
  cursor: string,
  kinds: K,
  refine: (keys: Keys<K>) => boolean = () => true,
): Keys<K> {
  try {
    const decoded: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      Array.isArray(decoded) &&
      decoded.length === kinds.length &&
      kinds.every((kind, index) => KEY_KINDS[kind](decoded[index])) &&
      refine(decoded as Keys<K>)
    ) {
      return decoded as Keys<K>;
    }
  } catch {
    // Falls through to the error below.
  }
  throw new BadUserInputError(argumentName, 'not a cursor returned by this API.');
}
