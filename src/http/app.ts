import http from 'node:http';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginLandingPageDisabled,
} from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import express from 'express';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { applyMiddleware } from 'graphql-middleware';
import type { JSONWebKeySet } from 'jose';
import type { DataSource } from 'typeorm';
import type { Context } from '../auth/context';
import { permissions } from '../auth/permissions';
import type { TokenVerifier } from '../auth/token-verifier';
import { pgPoolOf, poolOf } from '../db/data-source';
import { statementCanceller } from '../db/statement-canceller';
import { type Clock, finnishDate, systemClock } from '../domain/clock';
import { ViewerKind } from '../domain/enums';
import {
  CodedError,
  ErrorCode,
  InternalError,
  RETRY_AFTER_SECONDS,
  SERVICE_UNAVAILABLE_MESSAGE,
  ServiceUnavailableError,
  UNCODED_ERROR,
} from '../domain/errors';
import { isDatabaseUnavailable } from '../domain/service-unavailable';
import { ANONYMOUS, type Viewer } from '../domain/viewer';
import { localizeError, localizeGraphQLError } from '../i18n/error-messages';
import { negotiateLanguage } from '../i18n/language';
import { createLoaders } from '../loaders';
import { logger } from '../logger';
import { buildGraphQLSchema } from '../schema/build-schema';
import { toGraphQLError } from '../schema/errors';
import { createServices, type Services } from '../services';
import { type Agreement, grantsOf } from '../services/agreement.service';
import { downloadsRouter } from './downloads';
import { corsPolicy, rateLimitPerClient, securityHeaders } from './edge';
import { sendError } from './error-response';
import { gracefulClose } from './graceful-close';
import { jitGateway } from './jit-executor';
import { legacyJsonStatus } from './legacy-json-status';
import { DEFAULT_QUERY_LIMITS, queryLimitOptions } from './limits';
import { createMetrics } from './metrics';
import { readinessCheck, requestLogging, requestScopeOf } from './operations';
import { type PlaygroundOptions, playgroundRouter } from './playground';
import { PostgresRateLimitStore } from './rate-limit-store';
import { serviceUnavailablePlugin } from './service-unavailable';

/** How long /readyz waits for the database. */
const READINESS_TIMEOUT_MS = 2000;

export interface HttpServerOptions {
  dataSource: DataSource;
  verifyToken: TokenVerifier;
  clock?: Clock;
  /** Development mode serves its own signing key's public half, as an identity gateway would. */
  developmentJwks?: JSONWebKeySet;
  /** `__schema` and `__type` queries; off unless set (src/config.ts decides for `npm start`). */
  introspection?: boolean;
  /** Origins allowed to call the API from a browser; none by default. */
  corsOrigins?: readonly string[];
  /** Requests per minute per client on /graphql and /downloads; no limit when absent or 0. */
  rateLimitPerMinute?: number;
  /** Where the limit counts: `memory` (this process, the default) or `postgres` (shared by every instance). */
  rateLimitStore?: 'memory' | 'postgres';
  /** Largest request body (`1mb`, `100kb`, bytes as a number); default 1mb. */
  bodyLimit?: string | number;
  /** Hops of reverse proxies whose X-Forwarded-For names the client (Express's `trust proxy`); none by default. */
  trustProxy?: number;
  /** How long access log entries are kept (config.accessLogRetentionYears); 5 years when absent. */
  accessLogRetentionYears?: number;
  /** The access log's checkpoint file outside the database (see AccessLogService); none when absent. */
  accessLogAnchorFile?: string;
  /** GraphiQL for browsers at GET /graphql (src/http/playground.ts); off when absent. */
  playground?: PlaygroundOptions;
}

export interface HttpServer {
  app: express.Express;
  httpServer: http.Server;
  services: Services;
  listen(port: number, host?: string): Promise<number>;
  /**
   * Stops serving (src/http/graceful-close.ts): in-flight requests get `drainMs` (default 10 s), then their statements
   * are cancelled and they are answered within `cancelGraceMs` (default 1 s); then the queued access log is flushed.
   */
  close(options?: { drainMs?: number; cancelGraceMs?: number }): Promise<void>;
}

/** An invalid token is a 401 for the whole request: the caller must fix it before anything else can be said. */
async function viewerFrom(header: string | undefined, verifyToken: TokenVerifier): Promise<Viewer> {
  if (header === undefined || header === '') return ANONYMOUS;
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  try {
    if (!match?.[1]) throw new GraphQLError('The Authorization header must be "Bearer <token>".');
    return await verifyToken(match[1]);
  } catch (error) {
    throw new GraphQLError(
      error instanceof GraphQLError || error instanceof CodedError ? error.message : 'Invalid bearer token.',
      {
        extensions: {
          code: ErrorCode.UNAUTHENTICATED,
          http: { status: 401, headers: new Map([['www-authenticate', 'Bearer error="invalid_token"']]) },
        },
      },
    );
  }
}

/**
 * A partner system's rights come from its organisation's agreements in force today, never from token claims; read on
 * every request so that an ended agreement locks the client out at once.
 */
async function withAgreements(
  viewer: Viewer,
  services: Services,
  now: Date,
): Promise<{ viewer: Viewer; agreements: Agreement[] }> {
  if (viewer.kind !== ViewerKind.PARTNER_SYSTEM) return { viewer, agreements: [] };
  const agreements = await services.agreements.inForce(viewer.id, finnishDate(now));
  return { viewer: { ...viewer, grants: grantsOf(agreements) }, agreements };
}

/** An error nobody coded: the database being away (a warning) or a fault of ours (an error), logged once each. */
type Fault = 'unavailable' | 'internal';

/**
 * Keeps every error coded; an unreachable database becomes ErrorCode.SERVICE_UNAVAILABLE and anything else unexpected INTERNAL,
 * without its message or stack.
 */
export function formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  return classifyError(formatted, error).formatted;
}

function classifyError(
  formatted: GraphQLFormattedError,
  error: unknown,
): { formatted: GraphQLFormattedError; fault?: Fault } {
  const code = formatted.extensions?.code;
  // Apollo's own request errors (e.g. a persisted query whose hash does not match) carry no code: the client's fault.
  if (
    (code === undefined || code === UNCODED_ERROR) &&
    error instanceof GraphQLError &&
    // graphql-jit's errors carry no `extensions` at all.
    error.extensions?.code === undefined &&
    !error.originalError &&
    !error.path
  ) {
    return {
      formatted: { ...formatted, extensions: { ...formatted.extensions, code: ErrorCode.BAD_REQUEST } },
    };
  }
  if (code === UNCODED_ERROR || code === undefined) {
    if (isDatabaseUnavailable(error)) {
      return {
        formatted: {
          message: SERVICE_UNAVAILABLE_MESSAGE,
          extensions: { code: ErrorCode.SERVICE_UNAVAILABLE },
        },
        fault: 'unavailable',
      };
    }
    return {
      formatted: {
        message: 'Internal error. The request was not completed; try again later.',
        extensions: { code: ErrorCode.INTERNAL },
      },
      fault: 'internal',
    };
  }
  // graphql-js's parser enforces the token limit; name the limit like the other limits do.
  const tokens =
    code === ErrorCode.GRAPHQL_PARSE_FAILED && /more tha[nt] (\d+) tokens/.exec(formatted.message);
  if (tokens) {
    return {
      formatted: {
        ...formatted,
        message: `Syntax Error: Document token limit of ${tokens[1]} exceeded.`,
        extensions: { ...formatted.extensions, limit: 'maxTokens' },
      },
    };
  }
  return { formatted };
}

function logFault(fault: Fault | undefined, error: unknown, requestId: string): void {
  if (fault === 'unavailable')
    logger.warn({ requestId, code: (error as { code?: string }).code }, 'database unavailable');
  else if (fault === 'internal') logger.error({ requestId, err: error }, 'internal error');
}

/**
 * Apollo's formatError sees no request: this plugin logs the faults among a request's errors with its request id, and
 * puts the messages in the caller's language (Accept-Language) once they are formatted.
 */
const requestAwareErrors: ApolloServerPlugin<Context> = {
  async requestDidStart() {
    return {
      async didEncounterErrors({ contextValue, errors }) {
        for (const error of errors) {
          logFault(classifyError(error.toJSON(), error).fault, error, contextValue.scope.requestId);
        }
      },
      async willSendResponse({ contextValue, response }) {
        const { body } = response;
        if (body.kind !== 'single' || !body.singleResult.errors) return;
        body.singleResult = {
          ...body.singleResult,
          errors: body.singleResult.errors.map((error) => localizeError(error, contextValue.language)),
        };
      },
    };
  },
};

export async function createHttpServer(options: HttpServerOptions): Promise<HttpServer> {
  const { dataSource, verifyToken, clock = systemClock } = options;
  const services = await createServices(dataSource, clock, {
    ...(options.accessLogRetentionYears ? { accessLogRetentionYears: options.accessLogRetentionYears } : {}),
    ...(options.accessLogAnchorFile ? { accessLogAnchorFile: options.accessLogAnchorFile } : {}),
  });
  const schema = applyMiddleware(buildGraphQLSchema(), permissions);
  const app = express();
  app.disable('x-powered-by');
  if (options.trustProxy) app.set('trust proxy', options.trustProxy);
  const httpServer = http.createServer(app);
  const bodyLimit = options.bodyLimit ?? '1mb';
  const metrics = createMetrics(() => poolOf(dataSource));
  const limits = queryLimitOptions(DEFAULT_QUERY_LIMITS);
  const apollo = new ApolloServer<Context>({
    gateway: jitGateway(schema),
    formatError: (formatted, error) => {
      const result = formatError(formatted, error);
      metrics.countError(result.extensions?.code as string | undefined);
      return result;
    },
    includeStacktraceInErrorResponses: false,
    introspection: options.introspection ?? false,
    // GETs and non-JSON POSTs must carry a header a browser cannot send cross-origin without a CORS preflight.
    csrfPrevention: true,
    allowBatchedHttpRequests: false,
    parseOptions: limits.parseOptions,
    validationOptions: limits.validationOptions,
    validationRules: limits.validationRules,
    plugins: [
      ApolloServerPluginLandingPageDisabled(),
      // Cache hints are unused here, and the plugin would wrap every field resolver of every request.
      ApolloServerPluginCacheControlDisabled(),
      ...limits.plugins,
      serviceUnavailablePlugin,
      metrics.apolloPlugin,
      requestAwareErrors,
      legacyJsonStatus,
    ],
  });
  await apollo.start();

  // Metrics and the request id see every response; then the security headers and CORS (which answers preflights).
  app.use(metrics.http, ...requestLogging(), securityHeaders(), corsPolicy(options.corsOrigins ?? []));
  const closer = gracefulClose(httpServer);
  const cancelStatements = statementCanceller(dataSource);
  // The GraphiQL page and its files replace the API's content security policy with the page's own.
  if (options.playground) app.use(playgroundRouter(options.playground));

  /** Liveness: the process is up and serving HTTP. */
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  /** Readiness: the database answers and its migrations are current; 503 otherwise and while shutting down. */
  const readiness = readinessCheck(dataSource, READINESS_TIMEOUT_MS);
  app.get('/readyz', async (_req, res) => {
    const { ready, ...result } = closer.stopping
      ? { ready: false, status: 'stopping' as const }
      : await readiness();
    res
      .status(ready ? 200 : 503)
      .set('cache-control', 'no-store')
      .json(result);
  });
  app.get('/metrics', async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
  if (options.developmentJwks) {
    const jwks = options.developmentJwks;
    app.get('/.well-known/jwks.json', (_req, res) => {
      res.json(jwks);
    });
  }
  // Once stopping, API requests arriving on kept-alive connections are answered 503 and not run (probes still are).
  app.use(closer.refuseWhileStopping);
  // The token is verified once per request: the rate limit keys by the verified viewer and the context reuses it.
  const viewers = new WeakMap<express.Request, Promise<Viewer>>();
  const viewerOf = (req: express.Request): Promise<Viewer> => {
    let viewer = viewers.get(req);
    if (!viewer) {
      viewer = viewerFrom(req.headers.authorization, verifyToken);
      viewer.catch(() => {}); // Whoever awaits it answers the rejection (401).
      viewers.set(req, viewer);
    }
    return viewer;
  };
  const contextFor = async (req: express.Request): Promise<Context> => {
    const now = clock.now();
    const { viewer, agreements } = await withAgreements(await viewerOf(req), services, now);
    const language = negotiateLanguage(req.headers['accept-language']);
    const scope = requestScopeOf(req);
    return {
      viewer,
      agreements,
      scope,
      now,
      language,
      loaders: createLoaders(dataSource, services.municipalities),
      services,
    };
  };
  const rateLimitStore =
    options.rateLimitPerMinute && options.rateLimitStore === 'postgres'
      ? new PostgresRateLimitStore(pgPoolOf(dataSource))
      : undefined;
  if (options.rateLimitPerMinute) {
    app.use(
      ['/graphql', '/downloads'],
      rateLimitPerClient({
        perMinute: options.rateLimitPerMinute,
        viewerOf,
        onLimited: () => metrics.countError(ErrorCode.RATE_LIMITED),
        ...(rateLimitStore ? { store: rateLimitStore } : {}),
      }),
    );
  }
  app.use('/downloads', downloadsRouter({ schema, dataSource, contextFor, countError: metrics.countError }));
  app.use(
    '/graphql',
    express.json({ limit: bodyLimit }),
    expressMiddleware(apollo, {
      // A context that cannot be built because the database is away (a partner's agreements) is a coded 503 too.
      // Apollo runs no plugin for these failures: they are logged and put in the caller's language here.
      context: ({ req }) =>
        contextFor(req).catch((error: unknown) => {
          const language = negotiateLanguage(req.headers['accept-language']);
          if (error instanceof GraphQLError && error.extensions.code !== undefined)
            throw localizeGraphQLError(error, language);
          if (error instanceof CodedError) throw localizeGraphQLError(toGraphQLError(error), language);
          const fault: Fault = isDatabaseUnavailable(error) ? 'unavailable' : 'internal';
          logFault(fault, error, requestScopeOf(req).requestId);
          throw fault === 'unavailable'
            ? localizeGraphQLError(toGraphQLError(new ServiceUnavailableError()), language)
            : error;
        }),
    }),
  );

  app.use((req: express.Request, res: express.Response) => {
    metrics.countError(ErrorCode.NOT_FOUND);
    sendError(req, res, 404, 'Not found.', { code: ErrorCode.NOT_FOUND });
  });

  // Malformed or oversized bodies, an unreachable database: a coded JSON error instead of Express's HTML page.
  app.use(
    (
      error: { status?: number; type?: string },
      req: express.Request,
      res: express.Response,
      next: express.NextFunction,
    ) => {
      if (res.headersSent) {
        next(error);
        return;
      }
      const fail = (status: number, message: string, extensions: { code: string; limit?: string }) => {
        metrics.countError(extensions.code);
        sendError(req, res, status, message, extensions);
      };
      if (isDatabaseUnavailable(error)) {
        res.set('retry-after', String(RETRY_AFTER_SECONDS));
        fail(503, SERVICE_UNAVAILABLE_MESSAGE, { code: ErrorCode.SERVICE_UNAVAILABLE });
      } else if (error.status === 413) {
        fail(413, `Request body too large: the limit is ${bodyLimit}.`, {
          code: ErrorCode.PAYLOAD_TOO_LARGE,
          limit: 'maxBodySize',
        });
      } else if (error.status && error.status >= 400 && error.status < 500) {
        fail(error.status, `Bad request: ${error.type ?? 'unreadable body'}.`, {
          code: ErrorCode.BAD_REQUEST,
        });
      } else {
        logger.error({ requestId: req.id, err: error }, 'unhandled HTTP error');
        fail(500, new InternalError().message, { code: ErrorCode.INTERNAL });
      }
    },
  );

  return {
    app,
    httpServer,
    services,
    listen: (port, host = '0.0.0.0') =>
      new Promise((resolve, reject) => {
        httpServer.once('error', reject);
        httpServer.listen(port, host, () => {
          const address = httpServer.address();
          resolve(typeof address === 'object' && address ? address.port : port);
        });
      }),
    close: async ({ drainMs = 10_000, cancelGraceMs = 1000 } = {}) => {
      // Readiness and new requests turn 503 at once; in-flight requests finish, or are cancelled at the deadline.
      rateLimitStore?.shutdown();
      const { cancelled } = await closer.close({ drainMs, cancelGraceMs, cancel: cancelStatements });
      if (cancelled)
        logger.warn({ drainMs }, 'requests still running at the shutdown deadline were cancelled');
      await apollo.stop();
      await services.accessLog.close();
    },
  };
}
