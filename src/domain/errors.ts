import { GraphQLError } from 'graphql';

/** Stable error codes in `extensions.code`; clients branch on these, never on messages. */
export const ErrorCode = {
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  INTERNAL: 'INTERNAL',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export class UnauthenticatedError extends GraphQLError {
  constructor(message = 'Authentication required: send a valid bearer token.') {
    super(message, { extensions: { code: ErrorCode.UNAUTHENTICATED } });
  }
}

export class ForbiddenError extends GraphQLError {
  constructor(message = 'Not allowed: your mandates or agreement do not cover this data.') {
    super(message, { extensions: { code: ErrorCode.FORBIDDEN } });
  }
}

/** Also used for objects that exist but are outside the viewer's scope, so that their existence does not leak. */
export class NotFoundError extends GraphQLError {
  constructor(what = 'Notification') {
    super(`${what} not found.`, { extensions: { code: ErrorCode.NOT_FOUND } });
  }
}

export class BadUserInputError extends GraphQLError {
  constructor(argumentName: string, message: string) {
    super(`Invalid ${argumentName}: ${message}`, {
      extensions: { code: ErrorCode.BAD_USER_INPUT, argumentName },
    });
  }
}

export class InternalError extends GraphQLError {
  constructor() {
    super('Internal error. The request was not completed; try again later.', {
      extensions: { code: ErrorCode.INTERNAL },
    });
  }
}

const knownCodes = new Set<string>(Object.values(ErrorCode));

export function isCodedError(error: unknown): error is GraphQLError {
  return error instanceof GraphQLError && knownCodes.has(String(error.extensions?.code));
}
