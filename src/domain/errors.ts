/**
 * Every stable error code the service answers with, in `extensions.code` (GraphQL) or `code` (other HTTP routes);
 * clients branch on these, never on messages. The one list: the error classes below, the Apollo formatError, the
 * shield's fallback, the Express error handler, the downloads and the rate limiter all use these constants.
 */
export const ErrorCode = {
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  /** A request the service cannot read (an unreadable body, Apollo's own request errors). */
  BAD_REQUEST: 'BAD_REQUEST',
  /** graphql-js's and Apollo's own codes, kept as they name them. */
  GRAPHQL_PARSE_FAILED: 'GRAPHQL_PARSE_FAILED',
  GRAPHQL_VALIDATION_FAILED: 'GRAPHQL_VALIDATION_FAILED',
  OPERATION_RESOLUTION_FAILURE: 'OPERATION_RESOLUTION_FAILURE',
  PERSISTED_QUERY_NOT_FOUND: 'PERSISTED_QUERY_NOT_FOUND',
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  RATE_LIMITED: 'RATE_LIMITED',
  /** The database cannot be reached or did not answer in time; HTTP 503 with Retry-After. */
  SERVICE_UNAVAILABLE: 'SERVICE_UNAVAILABLE',
  INTERNAL: 'INTERNAL',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** Apollo's code for an error nobody coded; formatError never lets it out. */
export const UNCODED_ERROR = 'INTERNAL_SERVER_ERROR';

export const RETRY_AFTER_SECONDS = 5;
export const SERVICE_UNAVAILABLE_MESSAGE =
  'Service temporarily unavailable: the database could not be reached or did not answer in time. Try again shortly; for a change, read its current state before repeating it.';

/**
 * An error with a stable code, free of any transport: graphql-js (and graphql-jit) carry `extensions` of a thrown
 * error into the GraphQL error they wrap it in; src/schema/errors.ts turns one into a GraphQLError where needed.
 */
export class CodedError extends Error {
  readonly extensions: { readonly code: ErrorCode; readonly [key: string]: unknown };

  constructor(message: string, code: ErrorCode, extensions: Record<string, unknown> = {}) {
    super(message);
    this.name = new.target.name;
    this.extensions = { code, ...extensions };
  }
}

export class UnauthenticatedError extends CodedError {
  constructor(message = 'Authentication required: send a valid bearer token.') {
    super(message, ErrorCode.UNAUTHENTICATED);
  }
}

export class ForbiddenError extends CodedError {
  constructor(message = 'Not allowed: your mandates or agreement do not cover this data.') {
    super(message, ErrorCode.FORBIDDEN);
  }
}

/** Also used for objects that exist but are outside the viewer's scope, so that their existence does not leak. */
export class NotFoundError extends CodedError {
  constructor(what = 'Notification') {
    super(`${what} not found.`, ErrorCode.NOT_FOUND);
  }
}

export class BadUserInputError extends CodedError {
  constructor(argumentName: string, message: string) {
    super(`Invalid ${argumentName}: ${message}`, ErrorCode.BAD_USER_INPUT, { argumentName });
  }
}

export class InternalError extends CodedError {
  constructor() {
    super('Internal error. The request was not completed; try again later.', ErrorCode.INTERNAL);
  }
}

export class ServiceUnavailableError extends CodedError {
  constructor() {
    super(SERVICE_UNAVAILABLE_MESSAGE, ErrorCode.SERVICE_UNAVAILABLE);
  }
}

/** The codes our own errors are thrown with inside an operation: these pass the shield's fallback as they are. */
const thrownCodes = new Set<string>([
  ErrorCode.UNAUTHENTICATED,
  ErrorCode.FORBIDDEN,
  ErrorCode.NOT_FOUND,
  ErrorCode.BAD_USER_INPUT,
  ErrorCode.INTERNAL,
  ErrorCode.SERVICE_UNAVAILABLE,
]);

/** Ours, or anything else (a GraphQL error) that carries one of our codes. */
export function isCodedError(error: unknown): error is Error & { extensions: { code: ErrorCode } } {
  if (!(error instanceof Error)) return false;
  const code = (error as { extensions?: { code?: unknown } }).extensions?.code;
  return thrownCodes.has(String(code));
}
