import type http from 'node:http';
import cors from 'cors';
import { ipKeyGenerator, rateLimit, type Store } from 'express-rate-limit';
import helmet from 'helmet';
import { ErrorCode } from '../domain/errors';
import { isAuthenticated, type Viewer } from '../domain/viewer';
import { logger } from '../logger';
import { writeError } from './error-response';

/** A Connect-style middleware on node:http's own objects: Express runs it, and so does the lean /graphql path. */
export type NodeMiddleware = (
  req: http.IncomingMessage,
  res: http.ServerResponse,
  next: (error?: unknown) => void,
) => void;

/**
 * Browsers may call the API only from the configured origins (none by default: partner systems and servers do not
 * need CORS). Preflights are answered here and never reach the rate limit or Apollo.
 */
export function corsPolicy(origins: readonly string[]): NodeMiddleware {
  const allowed = new Set(origins);
  return cors({
    origin: (origin, callback) => {
      // Same-origin requests and non-browser clients send no Origin: CORS does not concern them.
      if (origin === undefined || allowed.has(origin)) return callback(null, origin !== undefined);
      reportRefusedOrigin(origin);
      callback(null, false);
    },
    methods: ['GET', 'POST'],
    allowedHeaders: ['authorization', 'content-type', 'accept', 'apollo-require-preflight', 'x-request-id'],
    exposedHeaders: ['x-request-id', 'retry-after', 'ratelimit', 'ratelimit-policy', 'content-disposition'],
    maxAge: 600,
  });
}

/** Origins already reported, so that a busy browser app does not flood the log; bounded against made-up origins. */
const reportedOrigins = new Set<string>();
const REPORTED_ORIGINS_LIMIT = 1000;

/** A browser app whose origin is not allowed fails with a vague CORS error: say in the log which origin and why. */
function reportRefusedOrigin(origin: string): void {
  if (reportedOrigins.has(origin)) return;
  if (reportedOrigins.size >= REPORTED_ORIGINS_LIMIT) reportedOrigins.clear();
  reportedOrigins.add(origin);
  logger.warn(
    { origin, setting: 'CORS_ORIGINS' },
    `CORS refused a browser request from origin ${JSON.stringify(origin)}: it is not in CORS_ORIGINS. ` +
      `To allow it, add it to the comma-separated list, e.g. CORS_ORIGINS=${origin}`,
  );
}

/**
 * Security headers. The service serves JSON and CSV only, so the content security policy allows nothing to load,
 * run or frame. The GraphiQL page (a later issue) needs scripts and styles of its own: give its route its own
 * `helmet.contentSecurityPolicy(…)` with `'self'` for script-src and style-src, mounted before this one, rather than
 * relaxing this policy for every route.
 */
export function securityHeaders(): NodeMiddleware {
  const headers = recordedHeaders(
    helmet({
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
    }),
  );
  return (_req, res, next) => {
    for (const [name, value] of headers) res.setHeader(name, value);
    next();
  };
}

/**
 * The headers a middleware sets when they depend on nothing of the request, as helmet's do (no directive is a
 * function): recorded once, so that a request only sets them instead of running helmet's dozen middlewares.
 */
function recordedHeaders(middleware: NodeMiddleware): [string, string][] {
  const headers: [string, string][] = [];
  const recorder = {
    setHeader: (name: string, value: string) => headers.push([name, value]),
    removeHeader: () => {},
  };
  middleware({ headers: {} } as http.IncomingMessage, recorder as unknown as http.ServerResponse, () => {});
  return headers;
}

export interface RateLimitOptions {
  perMinute: number;
  /** The caller's verified viewer (the same promise the request's context uses: the token is verified once). */
  viewerOf(req: http.IncomingMessage): Promise<Viewer>;
  /** Hops of reverse proxies whose X-Forwarded-For names the client (Express's `trust proxy`); 0 when absent. */
  trustProxy?: number;
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
  trustProxy = 0,
}: RateLimitOptions): NodeMiddleware {
  // express-rate-limit reads nothing of Express's own: it runs on node:http's objects too (the lean /graphql path).
  const limiter = rateLimit({
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
      return `ip:${ipKeyGenerator(clientAddress(req, trustProxy) ?? 'unknown')}`;
    },
    handler(req, res) {
      onLimited?.();
      const retryAfter = res.getHeader('retry-after') ?? '60';
      writeError(
        req,
        res,
        429,
        `Too many requests: at most ${perMinute} a minute per client. Retry after ${retryAfter} s.`,
        { code: ErrorCode.RATE_LIMITED, limit: 'rateLimitPerMinute' },
      );
    },
  });
  return limiter as unknown as NodeMiddleware;
}

/**
 * The client's address as Express's `req.ip` makes it (proxy-addr) with `trust proxy` set to a number of hops: the
 * socket's peer, or with `hops` trusted proxies the address that many entries from the end of X-Forwarded-For (empty
 * entries skipped), or its first entry when it lists fewer.
 */
export function clientAddress(req: http.IncomingMessage, hops: number): string | undefined {
  const peer = req.socket.remoteAddress;
  const header = req.headers['x-forwarded-for'];
  if (hops <= 0 || !header) return peer;
  const forwarded = String(header)
    .split(',')
    .map((entry) => entry.replace(/^ +| +$/g, ''))
    .filter((entry) => entry !== '')
    .reverse();
  return forwarded.length === 0 ? peer : forwarded[Math.min(hops, forwarded.length) - 1];
}
