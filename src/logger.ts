import { AsyncLocalStorage } from 'node:async_hooks';
import pino from 'pino';

/** What every log line written while serving one HTTP request carries. */
export interface RequestScope {
  requestId: string;
  /** The GraphQL operation's name, once Apollo has resolved it. */
  operation?: string;
  /** The Accept-Language header, which decides the language of error messages. */
  acceptLanguage?: string;
}

/** The request being served (set by the HTTP layer for the duration of each request). */
export const requestScope = new AsyncLocalStorage<RequestScope>();

/**
 * Errors as logged: name, message, stack, code, but none of the fields that may quote data: TypeORM's `parameters`
 * (the bound values of a failed query), PostgreSQL's `detail` and `where` (`Key (…)=(value) already exists`), and the
 * wrapped `driverError` carrying the same.
 */
const UNLOGGED_ERROR_FIELDS = ['parameters', 'detail', 'where', 'driverError', 'internalQuery'];

export function errorSerializer(error: Error): Record<string, unknown> {
  const serialized = pino.stdSerializers.err(error) as unknown as Record<string, unknown>;
  for (const field of UNLOGGED_ERROR_FIELDS) delete serialized[field];
  return serialized;
}

/**
 * Structured JSON logs. Never log personal identity codes, names or addresses: log ids and counts. Lines written while
 * a request is served carry its `requestId` (the `x-request-id` the client sent or one generated for it). Callbacks of
 * pooled connections' events run in the context of the request that opened the connection: lines written there pass
 * `requestId` themselves (undefined when they belong to no request), which overrides the one found here.
 */
export const logger = pino({
  level: process.env.LOG_LEVEL ?? (process.env.NODE_ENV === 'test' ? 'silent' : 'info'),
  redact: {
    paths: [
      'req.headers.authorization',
      'req.headers.cookie',
      'req.body',
      '*.personalIdentityCode',
      '*.person',
    ],
    remove: true,
  },
  serializers: { err: errorSerializer },
  mixin() {
    const scope = requestScope.getStore();
    return scope ? { requestId: scope.requestId } : {};
  },
});
