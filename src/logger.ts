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
 * wrapped `driverError` carrying the same; and any identity code in the message or stack is redacted.
 */
const UNLOGGED_ERROR_FIELDS = ['parameters', 'detail', 'where', 'driverError', 'internalQuery'];

/** Anything shaped like a personal identity code, which a message may quote from the input that caused it. */
const IDENTITY_CODE = /(?<![0-9A-Za-z])\d{6}[-+A-FU-Y]\d{3}[0-9A-Y](?![0-9A-Za-z])/gi;

export function errorSerializer(error: Error): Record<string, unknown> {
  const serialized = pino.stdSerializers.err(error) as unknown as Record<string, unknown>;
  for (const field of UNLOGGED_ERROR_FIELDS) delete serialized[field];
  for (const field of ['message', 'stack'] as const) {
    const text = serialized[field];
    if (typeof text === 'string') serialized[field] = text.replace(IDENTITY_CODE, 'REDACTED');
  }
  return serialized;
}

/**
 * The commands in src/cli write their data (tokens, lists, reports) to standard output, so their log lines go to
 * standard error: `npm run -s agreements -- list | …` then pipes only the data. The server and the worker, services
 * with no data to print, log to standard output.
 */
const isCommand = /[\\/]src[\\/]cli[\\/](?!worker\.)[^\\/]+$/.test(process.argv[1] ?? '');

/**
 * Structured JSON logs. Never log personal identity codes, names or addresses: log ids and counts. Lines written while
 * a request is served pass its `requestId` (the `x-request-id` the client sent or one generated for it), from the
 * request's RequestScope.
 */
export const logger = pino(
  {
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
  },
  pino.destination({ dest: isCommand ? 2 : 1, sync: true }),
);
