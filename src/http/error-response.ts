import type http from 'node:http';
import type express from 'express';
import { ErrorCode, InternalError, RETRY_AFTER_SECONDS, SERVICE_UNAVAILABLE_MESSAGE } from '../domain/errors';
import { isDatabaseUnavailable } from '../domain/service-unavailable';
import { localizeError } from '../i18n/error-messages';
import { negotiateLanguage } from '../i18n/language';

/** `extensions` of an error answered outside GraphQL: the stable code, and what else the case names. */
export interface ErrorExtensions {
  code: string;
  [name: string]: unknown;
}

/** The body of a coded error outside GraphQL: shaped like a GraphQL error response, in the caller's language. */
function errorBody(req: http.IncomingMessage, message: string, extensions: ErrorExtensions) {
  const language = negotiateLanguage(req.headers['accept-language']);
  return { errors: [localizeError({ message, extensions }, language)] };
}

/**
 * A coded JSON error outside the GraphQL pipeline (downloads, limits, unknown paths, unreadable bodies), shaped like a
 * GraphQL error response and in the caller's language (Accept-Language).
 */
export function sendError(
  req: express.Request,
  res: express.Response,
  status: number,
  message: string,
  extensions: ErrorExtensions,
): void {
  res.status(status).json(errorBody(req, message, extensions));
}

/** sendError on plain node:http objects, for the /graphql path that Express does not serve (src/http/graphql-endpoint.ts). */
export function writeError(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  status: number,
  message: string,
  extensions: ErrorExtensions,
): void {
  const body = JSON.stringify(errorBody(req, message, extensions));
  res.statusCode = status;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.setHeader('content-length', Buffer.byteLength(body));
  res.end(body);
}

/** How a request that failed before its route answered (an unreadable body, the database away) is answered. */
export interface RequestErrorAnswer {
  status: number;
  message: string;
  extensions: ErrorExtensions;
  /** Set for 503s: seconds to wait (the Retry-After header). */
  retryAfter?: number;
  /** An error nobody coded: log it. */
  unexpected?: true;
}

/**
 * A coded answer for an error raised on the way to a route: a malformed or oversized body (body-parser's errors carry
 * `status` and `type`), an unreachable database, or a fault of ours (500, without its message).
 */
export function requestErrorAnswer(
  error: { status?: number; type?: string },
  bodyLimit: string | number,
): RequestErrorAnswer {
  if (isDatabaseUnavailable(error)) {
    return {
      status: 503,
      message: SERVICE_UNAVAILABLE_MESSAGE,
      extensions: { code: ErrorCode.SERVICE_UNAVAILABLE },
      retryAfter: RETRY_AFTER_SECONDS,
    };
  }
  if (error.status === 413) {
    return {
      status: 413,
      message: `Request body too large: the limit is ${bodyLimit}.`,
      extensions: { code: ErrorCode.PAYLOAD_TOO_LARGE, limit: 'maxBodySize' },
    };
  }
  if (error.status && error.status >= 400 && error.status < 500) {
    return {
      status: error.status,
      message: `Bad request: ${error.type ?? 'unreadable body'}.`,
      extensions: { code: ErrorCode.BAD_REQUEST },
    };
  }
  return {
    status: 500,
    message: new InternalError().message,
    extensions: { code: ErrorCode.INTERNAL },
    unexpected: true,
  };
}
