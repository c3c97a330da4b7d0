import { BadUserInputError } from './errors';

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
      if (!Number.isNaN(date.getTime()) && typeof id === 'string' && /^[0-9a-f-]{36}$/i.test(id)) {
        return { createdAt: date, id };
      }
    }
  } catch {
    // Falls through to the error below: any undecodable cursor is the client's mistake, not ours.
  }
  throw new BadUserInputError(argumentName, 'not a cursor returned by this API.');
}
