/** Socket-level failures to reach the database (Node's codes). */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

/**
 * PostgreSQL SQLSTATEs that say "not now" rather than "wrong request": class 08 (connection exception), admin or crash
 * shutdown and "cannot connect now" (57P01–57P03), too many connections (53300), and a cancelled statement (57014:
 * the statement timeout).
 */
function isUnavailableSqlState(code: string): boolean {
  return code.startsWith('08') || ['57P01', '57P02', '57P03', '53300', '57014'].includes(code);
}

/** node-postgres's own messages when a connection breaks, cannot be had in time, or the pool is closing. */
const DRIVER_MESSAGES =
  /^(Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Query read timeout|Cannot use a pool after calling end)/;

const RELEASED_CONNECTION_ERRORS = new Set([
  'QueryRunnerAlreadyReleasedError',
  'QueryRunnerProviderAlreadyReleasedError',
]);

/**
 * Whether an error (or anything it wraps: TypeORM's `driverError`, GraphQL's `originalError`, `cause`, an
 * AggregateError's `errors`) means the database is unreachable. This is the one place that decides it.
 */
export function isDatabaseUnavailable(error: unknown, depth = 0): boolean {
  if (depth > 6 || typeof error !== 'object' || error === null) return false;
  const e = error as {
    code?: unknown;
    message?: unknown;
    driverError?: unknown;
    originalError?: unknown;
    cause?: unknown;
    errors?: unknown;
  };
  if (typeof e.code === 'string' && (NETWORK_CODES.has(e.code) || isUnavailableSqlState(e.code))) return true;
  if (typeof e.message === 'string' && DRIVER_MESSAGES.test(e.message)) return true;
  // TypeORM releases a transaction's connection as soon as the connection fails; the transaction's next statement
  // then meets one of these instead of the connection's own error.
  if (error instanceof Error && RELEASED_CONNECTION_ERRORS.has(error.name)) return true;
  const nested = [e.driverError, e.originalError, e.cause, ...(Array.isArray(e.errors) ? e.errors : [])];
  return nested.some((inner) => inner !== error && isDatabaseUnavailable(inner, depth + 1));
}
