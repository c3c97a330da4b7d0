import cors from 'cors';
import type express from 'express';
import { ipKeyGenerator, rateLimit, type Store } from 'express-rate-limit';
import helmet from 'helmet';
import { ErrorCode } from '../domain/errors';
import { isAuthenticated, type Viewer } from '../domain/viewer';
import { logger } from '../logger';
import { sendError } from './error-response';

/**
 * Browsers may call the API only from the configured origins (none by default: partner systems and servers do not
 * need CORS). Preflights are answered here and never reach the rate limit or Apollo.
 */
export function corsPolicy(origins: readonly string[]): express.RequestHandler {
  return cors({
    origin: origins.length > 0 ? [...origins] : false,
    methods: ['GET', 'POST'],
    allowedHeaders: ['authorization', 'content-type', 'accept', 'apollo-require-preflight', 'x-request-id'],
    exposedHeaders: ['x-request-id', 'retry-after', 'ratelimit', 'ratelimit-policy', 'content-disposition'],
    maxAge: 600,
  });
}

/**
 * Security headers. The service serves JSON and CSV only, so the content security policy allows nothing to load,
 * run or frame. The GraphiQL page (a later issue) needs scripts and styles of its own: give its route its own
 * `helmet.contentSecurityPolicy(…)` with `'self'` for script-src and style-src, mounted before this one, rather than
 * relaxing this policy for every route.
 */
export function securityHeaders(): express.RequestHandler {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'none'"],
        frameAncestors: ["'none'"],
        baseUri: ["'none'"],
        formAction: ["'none'"],
      },
    },
    xFrameOptions: { action: 'deny' },
  });
}

export interface RateLimitOptions {
  perMinute: number;
  /** The caller's verified viewer (the same promise the request's context uses: the token is verified once). */
  viewerOf(req: express.Request): Promise<Viewer>;
  onLimited?(): void;
  /** Where the counts live: this process's memory when absent, or a store shared by instances (PostgreSQL). */
  store?: Store;
}

/**
 * A per-client budget of requests per minute (fixed one-minute windows, in this process's memory unless a shared store
 * is given: then every instance on that store counts one budget). The client is the verified token's subject or
 * partner client id; a request without a valid token counts against its IP address (an IPv6 /56 as one), so that
 * inventing token subjects buys nothing. Over the budget: HTTP 429, `Retry-After` in seconds, a coded JSON error.
 */
export function rateLimitPerClient({
  perMinute,
  viewerOf,
  onLimited,
  store,
}: RateLimitOptions): express.RequestHandler {
  return rateLimit({
    windowMs: 60_000,
    limit: perMinute,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    ...(store ? { store } : {}),
    // Fail open: a shared store that cannot be reached (the database away) lets the request through uncounted rather
    // than refusing it. The limit guards capacity, not access (the token and shield do that); the request then gets
    // its own coded answer, a 503 SERVICE_UNAVAILABLE if it needs the database, instead of a 500 from the limiter.
    passOnStoreError: true,
    logger: {
      error: (error, message) => logger.warn({ err: error }, message ?? 'rate limit store error'),
      warn: (error, message) => logger.warn({ err: error }, message ?? 'rate limit warning'),
    },
    async keyGenerator(req) {
      const viewer = await viewerOf(req).catch(() => undefined);
      if (viewer && isAuthenticated(viewer)) return `${viewer.kind}:${viewer.id}`;
      return `ip:${ipKeyGenerator(req.ip ?? 'unknown')}`;
    },
    handler(req, res) {
      onLimited?.();
      const retryAfter = res.getHeader('retry-after') ?? '60';
      sendError(
        req,
        res,
        429,
        `Too many requests: at most ${perMinute} a minute per client. Retry after ${retryAfter} s.`,
        { code: ErrorCode.RATE_LIMITED, limit: 'rateLimitPerMinute' },
      );
    },
  });
}
