import { randomUUID } from 'node:crypto';
import type express from 'express';
import { pinoHttp } from 'pino-http';
import type { DataSource } from 'typeorm';
import { isDatabaseUnavailable } from '../domain/service-unavailable';
import { errorSerializer, logger, type RequestScope } from '../logger';

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

/** The request's scope, made by requestLogging(); a request that bypassed it gets its id alone. */
export function requestScopeOf(req: express.Request): RequestScope {
  const scope = (req.res as ScopedResponse | undefined)?.locals?.scope;
  return scope ?? { requestId: String(req.id ?? 'none') };
}

function withOperation(res: unknown, fields: Record<string, unknown>): Record<string, unknown> {
  const operation = (res as ScopedResponse).locals?.scope?.operation;
  return operation ? { ...fields, operation } : fields;
}

/**
 * One JSON log line per request (pino-http): request id, method, URL with the query values redacted, status, time and
 * the GraphQL operation's name. Never a body, a header or a token. The request id is the client's `x-request-id` when
 * it is a plain token of at most 128 characters, otherwise a new UUID; the response echoes it, and every log line
 * written while the request is served carries it (src/logger.ts).
 */
export function requestLogging(): express.RequestHandler[] {
  const http = pinoHttp({
    logger,
    genReqId(req, res) {
      const given = req.headers['x-request-id'];
      const id = typeof given === 'string' && CLIENT_REQUEST_ID.test(given) ? given : randomUUID();
      res.setHeader('x-request-id', id);
      return id;
    },
    autoLogging: { ignore: (req) => UNLOGGED.has((req.url ?? '').split('?')[0] ?? '') },
    serializers: {
      req: (req: { id: string; method: string; url: string }) => ({
        id: req.id,
        method: req.method,
        url: loggableUrl(req.url),
      }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      err: errorSerializer,
    },
    // 503 is the database being away (logged once per failure as a warning already), not a fault of this service.
    customLogLevel: (_req, res, error) =>
      res.statusCode === 503 ? 'warn' : error || res.statusCode >= 500 ? 'error' : 'info',
    // The request's own id, explicitly: the line is written on the response's 'finish', which may run in the async
    // context of a pooled database connection that another request opened (a CSV stream's end).
    customSuccessObject: (req, res, fields: Record<string, unknown>) =>
      withOperation(res, { ...fields, requestId: req.id }),
    // pino-http makes up an Error with a stack for every 5xx; the status says as much, and real errors are logged
    // where they happen (with the same request id).
    customErrorObject: (req, res, error, fields: Record<string, unknown>) => {
      const { err: _made, ...rest } = fields;
      const kept = error.message.startsWith('failed with status code') ? rest : fields;
      return withOperation(res, { ...kept, requestId: req.id });
    },
  });
  const scope: express.RequestHandler = (req, res, next) => {
    (res as ScopedResponse).locals.scope = { requestId: String(req.id) };
    next();
  };
  return [http, scope];
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
