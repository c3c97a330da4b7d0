import { randomUUID } from 'node:crypto';
import type http from 'node:http';
import type express from 'express';
import type { DataSource } from 'typeorm';
import { isDatabaseUnavailable } from '../domain/service-unavailable';
import { logger, type RequestScope } from '../logger';

/** Probes and scrapes are not logged: they come every few seconds and say nothing about use. */
const UNLOGGED = new Set(['/healthz', '/readyz', '/metrics']);

/**
 * Query parameters whose values may be logged, each when it has the shape of what it names; every other value
 * (identity codes, GraphQL queries and variables) is redacted.
 */
const LOGGED_QUERY_PARAMETERS = new Map([
  ['status', /^[A-Z_]{1,20}$/],
  ['municipalityCode', /^\d{3}$/],
  ['postalCode', /^\d{5}$/],
  // A download's language (fi, sv, en); anything else is logged redacted like any other value.
  ['lang', /^[a-z]{2}$/],
  ['operationName', /^[_A-Za-z][_0-9A-Za-z]{0,127}$/],
]);

/** A request id the client may choose: short, and safe to echo and log. */
const CLIENT_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * A path segment as logged: any segment with six or more digits (an identity code, a date of birth) is redacted,
 * keeping its file extension. Download paths are treated more strictly in loggableUrl.
 */
function loggableSegment(segment: string): string {
  let decoded = segment;
  try {
    decoded = decodeURIComponent(segment);
  } catch {
    // Malformed percent-encoding: judged as sent.
  }
  if ((decoded.match(/\d/g)?.length ?? 0) < 6) return segment;
  return redacted(decoded);
}

function redacted(decoded: string): string {
  return `REDACTED${/\.[A-Za-z]{1,4}$/.exec(decoded)?.[0] ?? ''}`;
}

/**
 * Download paths name what was downloaded (`/downloads/notifications/<id>.csv`): whatever the caller typed there is
 * logged redacted, even our own ids, since the service log is not where the use of personal data is reviewed (the
 * access log is, with the ids).
 */
const DOWNLOAD_ITEM = /^\/downloads\/[^/]+\/[^/]+$/;

/** The URL as logged: the path with digit-bearing segments other than our ids redacted, and the query string's values
 * redacted unless allowed above. */
export function loggableUrl(url: string): string {
  const at = url.indexOf('?');
  const rawPath = at < 0 ? url : url.slice(0, at);
  const segments = rawPath.split('/').map(loggableSegment);
  if (DOWNLOAD_ITEM.test(rawPath)) {
    const last = segments.length - 1;
    let decoded = rawPath.slice(rawPath.lastIndexOf('/') + 1);
    try {
      decoded = decodeURIComponent(decoded);
    } catch {
      // Malformed percent-encoding: judged as sent.
    }
    segments[last] = redacted(decoded);
  }
  const path = segments.join('/');
  if (at < 0) return path;
  const parameters = [...new URLSearchParams(url.slice(at + 1))].map(
    ([name, value]) =>
      `${encodeURIComponent(name)}=${LOGGED_QUERY_PARAMETERS.get(name)?.test(value) ? encodeURIComponent(value) : 'REDACTED'}`,
  );
  return `${path}?${parameters.join('&')}`;
}

type ScopedResponse = express.Response & { locals: { scope?: RequestScope } };

/** The request's scope, made by requestLogging(); a request that bypassed it has none. */
export function requestScopeOf(req: express.Request): RequestScope {
  const scope = (req.res as ScopedResponse | undefined)?.locals?.scope;
  return scope ?? { requestId: 'none' };
}

/** The client's `x-request-id` when it is a plain token of at most 128 characters, otherwise a new UUID. */
function requestIdOf(req: http.IncomingMessage): string {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && CLIENT_REQUEST_ID.test(given) ? given : randomUUID();
}

type Level = 'info' | 'warn' | 'error';

/** The request's one line, as pino-http wrote it before (same fields, messages and levels). */
function logRequest(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  scope: RequestScope,
  url: string,
  started: number,
  error: Error | undefined,
): void {
  const status = res.statusCode;
  const failed = error !== undefined || status >= 500;
  // 503 is the database being away (logged once per failure as a warning already), not a fault of this service.
  const level: Level = status === 503 ? 'warn' : failed ? 'error' : 'info';
  if (!logger.isLevelEnabled(level)) return;
  const fields: Record<string, unknown> = {
    req: { id: scope.requestId, method: req.method, url: loggableUrl(url) },
    res: { statusCode: res.headersSent ? status : null },
  };
  // Only a real error is logged with the line: a 5xx says as much by its status, and faults are logged where they
  // happen (with the same request id).
  if (error) fields.err = error;
  fields.responseTime = Date.now() - started;
  // The request's own id, explicitly: the line is written on the response's 'finish', which may run in the async
  // context of a pooled database connection that another request opened (a CSV stream's end).
  fields.requestId = scope.requestId;
  if (scope.operation) fields.operation = scope.operation;
  const message = failed
    ? 'request errored'
    : !req.readableAborted && res.writableEnded
      ? 'request completed'
      : 'request aborted';
  logger[level](fields, message);
}

/**
 * Starts serving a request on either path (Express, or the lean /graphql one): one JSON log line per request, written
 * when the response ends: request id, method, URL with the query values redacted, status, time and the GraphQL
 * operation's name. Never a body, a header or a token. The request id is the client's `x-request-id` when it is a
 * plain token of at most 128 characters, otherwise a new UUID; the response echoes it, and every log line written
 * while the request is served carries it (src/logger.ts), from the scope returned here.
 */
export function startRequest(req: http.IncomingMessage, res: http.ServerResponse): RequestScope {
  const scope: RequestScope = { requestId: requestIdOf(req) };
  res.setHeader('x-request-id', scope.requestId);
  const url = (req as { originalUrl?: string }).originalUrl ?? req.url ?? '';
  const started = Date.now();
  const logged = !UNLOGGED.has(url.split('?')[0] ?? '');
  const done = (error?: Error) => {
    res.removeListener('close', done);
    res.removeListener('finish', done);
    res.removeListener('error', done);
    logRequest(req, res, scope, url, started, error);
  };
  if (logged) {
    res.on('close', done);
    res.on('finish', done);
  }
  // A response error is logged even for the unlogged probes.
  res.on('error', done);
  return scope;
}

/** startRequest for the Express routes: the scope travels in the response's locals (requestScopeOf). */
export function requestLogging(): express.RequestHandler[] {
  const start: express.RequestHandler = (req, res, next) => {
    (res as ScopedResponse).locals.scope = startRequest(req, res);
    next();
  };
  return [start];
}

export interface Readiness {
  ready: boolean;
  status: 'ready' | 'not ready' | 'stopping';
  database: 'ok' | 'unreachable' | 'error';
  migrations: 'current' | 'pending' | 'unknown';
  pending?: string[];
}

/**
 * Ready when the database answers within `timeoutMs` and every migration this build knows has been applied (a
 * database migrated further by a newer build is still fine for this one).
 */
export function readinessCheck(dataSource: DataSource, timeoutMs: number): () => Promise<Readiness> {
  const table = dataSource.options.migrationsTableName ?? 'migrations';
  return async () => {
    const known = dataSource.migrations.map((migration) => migration.name ?? migration.constructor.name);
    let timer: NodeJS.Timeout | undefined;
    try {
      const rows = (await Promise.race([
        dataSource.query(`SELECT name FROM "${table}"`),
        new Promise((_resolve, reject) => {
          timer = setTimeout(() => reject(new Error('readiness check timed out')), timeoutMs);
        }),
      ])) as { name: string }[];
      const applied = new Set(rows.map((row) => row.name));
      const pending = known.filter((name) => !applied.has(name));
      return pending.length === 0
        ? { ready: true, status: 'ready', database: 'ok', migrations: 'current' }
        : { ready: false, status: 'not ready', database: 'ok', migrations: 'pending', pending };
    } catch (error) {
      const unreachable =
        isDatabaseUnavailable(error) || (error as Error).message === 'readiness check timed out';
      if (!unreachable) logger.warn({ err: error }, 'readiness check failed');
      return {
        ready: false,
        status: 'not ready',
        database: unreachable ? 'unreachable' : 'error',
        migrations: 'unknown',
      };
    } finally {
      clearTimeout(timer);
    }
  };
}
