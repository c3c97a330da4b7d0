import { BadUserInputError } from './errors';
import { isUuid } from './validation';

/** Cursors hold times this service wrote; anything outside these years was not made by us (and PostgreSQL would refuse it). */
const EARLIEST = Date.UTC(1900, 0, 1);
const LATEST = Date.UTC(9999, 11, 31);

/** Keyset position in a newest-first list: creation time, then id to break ties. Opaque to clients. */
export interface ListPosition {
  createdAt: Date;
  id: string;
}

export function encodeCursor(position: ListPosition): string {
  return Buffer.from(JSON.stringify([position.createdAt.toISOString(), position.id])).toString('base64url');
}

export function decodeCursor(argumentName: string, cursor: string): ListPosition {
  try {
    const decoded: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(decoded) && decoded.length === 2) {
      const [createdAt, id] = decoded as [unknown, unknown];
      const date = typeof createdAt === 'string' ? new Date(createdAt) : new Date(Number.NaN);
      const time = date.getTime();
      if (time >= EARLIEST && time <= LATEST && typeof id === 'string' && isUuid(id)) {
        return { createdAt: date, id };
      }
    }
  } catch {
    // Falls through to the error below: any undecodable cursor is the client's mistake, not ours.
  }
  throw new BadUserInputError(argumentName, 'not a cursor returned by this API.');
}

/** Opaque cursor over a tuple of keys (e.g. month and municipality, or a row number). */
export function encodeKeyCursor(keys: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify(keys)).toString('base64url');
}

/** Decodes a cursor made by encodeKeyCursor whose keys pass `valid`; anything else is the client's mistake. */
export function decodeKeyCursor<T extends (string | number)[]>(
  argumentName: string,
  cursor: string,
  valid: (keys: unknown[]) => keys is T,
): T {
  try {
    const decoded: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(decoded) && valid(decoded)) return decoded;
  } catch {
    // Falls through to the error below.
  }
  throw new BadUserInputError(argumentName, 'not a cursor returned by this API.');
}
