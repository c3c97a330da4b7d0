import { GraphQLError } from 'graphql';
import { type CodedError, ErrorCode, RETRY_AFTER_SECONDS } from '../domain/errors';

/**
 * A coded domain error as a GraphQLError, for answers given outside execution (a context that cannot be built), where
 * Apollo takes the HTTP status from `extensions.http`: SERVICE_UNAVAILABLE is a 503 with Retry-After there too.
 * (Inside execution graphql-js wraps thrown errors itself, and a plugin sets the 503.)
 */
export function toGraphQLError(error: CodedError): GraphQLError {
  const http =
    error.extensions.code === ErrorCode.SERVICE_UNAVAILABLE
      ? { status: 503, headers: new Map([['retry-after', String(RETRY_AFTER_SECONDS)]]) }
      : undefined;
  return new GraphQLError(error.message, {
    originalError: error,
    extensions: { ...error.extensions, ...(http ? { http } : {}) },
  });
}
