import pino from 'pino';

/**
 * One HTTP request as its log lines name it. It travels explicitly (the response's locals, the GraphQL context), not
 * in an AsyncLocalStorage: on Node 20 that turns on promise hooks for every promise of the process, which cost about
 * a third of the CPU of a list request (bench:api).
 */
export interface RequestScope {
  requestId: string;
  /** The GraphQL operation's name, once Apollo has resolved it. */
  operation?: string;
}

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
 * a request is served pass its `requestId` (the `x-request-id` the client sent or one generated for it), from the
 * request's RequestScope.
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
});
