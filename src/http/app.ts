import http from 'node:http';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginInlineTraceDisabled,
  ApolloServerPluginLandingPageDisabled,
} from '@apollo/server/plugin/disabled';
import express from 'express';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import type { JSONWebKeySet } from 'jose';
import type { DataSource } from 'typeorm';
import type { Context } from '../auth/context';
import type { OperationShield } from '../auth/operation-shield';
import { shieldedSchemas } from '../auth/permissions';
import type { TokenVerifier } from '../auth/token-verifier';
import { pgPoolOf, poolOf } from '../db/data-source';
import { statementCanceller } from '../db/statement-canceller';
import type { AgeSignalThresholds } from '../domain/age-signal';
import { type Clock, finnishDate, systemClock } from '../domain/clock';
import { ViewerKind } from '../domain/enums';
import {
  CodedError,
  ErrorCode,
  SERVICE_UNAVAILABLE_MESSAGE,
  ServiceUnavailableError,
  UNCODED_ERROR,
} from '../domain/errors';
import type { WithheldGrant } from '../domain/organisation-agreement';
import { isDatabaseUnavailable } from '../domain/service-unavailable';
import { ANONYMOUS, isAuthenticated, type Viewer } from '../domain/viewer';
import { localizeError, localizeGraphQLError } from '../i18n/error-messages';
import { negotiateLanguage } from '../i18n/language';
import { createLoaders } from '../loaders';
import { logger, type RequestScope } from '../logger';
import { buildGraphQLSchema } from '../schema/build-schema';
import { toGraphQLError } from '../schema/errors';
import { createServices, type Services } from '../services';
import { type Agreement, grantsOf } from '../services/agreement.service';
import { DEFAULT_ORGANISATION_AGREEMENT_REFRESH_SECONDS } from '../services/organisation-agreement.service';
import { webhookDeliveryCounts } from '../services/webhooks/webhook-endpoint.service';
import { downloadsRouter } from './downloads';
import { corsPolicy, rateLimitPerClient, securityHeaders } from './edge';
import { requestErrorAnswer, sendError, writeError } from './error-response';
import { gracefulClose } from './graceful-close';
import { graphqlEndpoint, isGraphQLPath } from './graphql-endpoint';
import { jitGateway } from './jit-executor';
import { legacyJsonStatus } from './legacy-json-status';
import { DEFAULT_QUERY_LIMITS, queryLimitOptions } from './limits';
import { createMetrics } from './metrics';
import { readinessCheck, requestLogging, requestScopeOf } from './operations';
import { type PlaygroundOptions, playgroundRouter, wantsPlaygroundPage } from './playground';
import { PostgresRateLimitStore } from './rate-limit-store';
import { serviceUnavailablePlugin } from './service-unavailable';
import { createSubscriptionServer, type SubscriptionServer } from './subscriptions';

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
  /** Pending days where Notification.ageSignal turns YELLOW and RED (config.ageSignal); 15 and 25 when absent. */
  ageSignal?: AgeSignalThresholds;
  /** The access log's checkpoint file outside the database (see AccessLogService); none when absent. */
  accessLogAnchorFile?: string;
  /** GraphiQL for browsers at GET /graphql (src/http/playground.ts); off when absent. */
  playground?: PlaygroundOptions;
  /**
   * `per-operation` (the default): the permission map applied once per operation and per object
   * (src/auth/operation-shield.ts). `per-field`: shield on every field of every operation, the reference that
   * test/authorization-differential.test.ts compares with.
   */
  authorization?: 'per-operation' | 'per-field';
  /** Persons' mandates need their organisation's agreement in force (REQUIRE_ORGANISATION_AGREEMENT); true when absent. */
  requireOrganisationAgreement?: boolean;
  /** How often the organisation agreements are read again (ORGANISATION_AGREEMENT_REFRESH_SECONDS); 10 when absent. */
  organisationAgreementRefreshSeconds?: number;
}

export interface HttpServer {
  app: express.Express;
  httpServer: http.Server;
  services: Services;
  /** The permission map's two schemas and the choice between them per operation. */
  authorization: OperationShield;
  /** graphql-ws on /graphql (src/http/subscriptions.ts). */
  subscriptions: SubscriptionServer;
  listen(port: number, host?: string): Promise<number>;
  /**
   * Stops serving (src/http/graceful-close.ts): in-flight requests get `drainMs` (default 10 s), then their statements
   * are cancelled and they are answered within `cancelGraceMs` (default 1 s); then the queued access log is flushed.
   * Subscriptions are completed and their sockets closed (1001, Going away) first: clients reconnect elsewhere.
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

/** A request's viewer with the grants in force, and what the `viewer` query shows beside them. */
interface RequestViewer {
  viewer: Viewer;
  agreements: Agreement[];
  withheldGrants: WithheldGrant[];
}

/**
 * A partner system's rights come from its organisation's agreements in force today, never from token claims; read on
 * every request so that an ended agreement locks the client out at once. A person's grants from mandates are in force
 * only where their organisation's agreement covers them (src/domain/organisation-agreement.ts), checked in memory.
 * Applied per request after the token cache, so that a cached token sees agreements as they are now.
 */
async function withAgreements(
  viewer: Viewer,
  services: Services,
  now: Date,
  requireOrganisationAgreement: boolean,
): Promise<RequestViewer> {
  if (viewer.kind === ViewerKind.PARTNER_SYSTEM) {
    const agreements = await services.agreements.inForce(viewer.id, finnishDate(now));
    return { viewer: { ...viewer, grants: grantsOf(agreements) }, agreements, withheldGrants: [] };
  }
  if (!requireOrganisationAgreement || !isAuthenticated(viewer) || viewer.grants.length === 0) {
    return { viewer, agreements: [], withheldGrants: [] };
  }
  const { grants, withheldGrants } = services.organisationAgreements.apply(viewer.grants, finnishDate(now));
  return {
    viewer: withheldGrants.length === 0 ? viewer : { ...viewer, grants },
    agreements: [],
    withheldGrants,
  };
}

/** An error nobody coded: the database being away (a warning) or a fault of ours (an error), logged once each. */
type Fault = 'unavailable' | 'internal';

/**
 * Keeps every error coded; an unreachable database becomes SERVICE_UNAVAILABLE and anything else unexpected INTERNAL,
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
    ...(options.ageSignal ? { ageSignal: options.ageSignal } : {}),
  });
  const requireOrganisationAgreement = options.requireOrganisationAgreement ?? true;
  if (requireOrganisationAgreement) {
    await services.organisationAgreements.start(
      options.organisationAgreementRefreshSeconds ?? DEFAULT_ORGANISATION_AGREEMENT_REFRESH_SECONDS,
    );
  }
  const authorization = shieldedSchemas(buildGraphQLSchema);
  const app = express();
  app.disable('x-powered-by');
  if (options.trustProxy) app.set('trust proxy', options.trustProxy);
  const httpServer = http.createServer();
  const bodyLimit = options.bodyLimit ?? '1mb';
  const metrics = createMetrics(
    () => poolOf(dataSource),
    () => webhookDeliveryCounts(dataSource),
  );
  const limits = queryLimitOptions(DEFAULT_QUERY_LIMITS);
  const apollo = new ApolloServer<Context>({
    gateway: jitGateway(
      options.authorization === 'per-field'
        ? { ...authorization, pathFor: async () => 'shielded' }
        : authorization,
    ),
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
      // Federation traces are for subgraphs, which this schema is not; Apollo's default would still run per request.
      ApolloServerPluginInlineTraceDisabled(),
      ...limits.plugins,
      serviceUnavailablePlugin,
      metrics.apolloPlugin,
      requestAwareErrors,
      legacyJsonStatus,
    ],
  });
  await apollo.start();

  // Metrics and the request id see every response; then the security headers and CORS (which answers preflights).
  const headersAndCors = [securityHeaders(), corsPolicy(options.corsOrigins ?? [])];
  app.use(metrics.http, ...requestLogging(), ...headersAndCors);
  const closer = gracefulClose(httpServer);
  const cancelStatements = statementCanceller(dataSource);
  // The GraphiQL page and its files replace the API's content security policy with the page's own.
  if (options.playground) app.use(playgroundRouter(options.playground));

  // Someone who opens the service's address finds the API (and GraphiQL in a browser) rather than a 404.
  app.get('/', (_req, res) => {
    res.redirect(302, '/graphql');
  });
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
  const viewers = new WeakMap<http.IncomingMessage, Promise<Viewer>>();
  const viewerOf = (req: http.IncomingMessage): Promise<Viewer> => {
    let viewer = viewers.get(req);
    if (!viewer) {
      viewer = viewerFrom(req.headers.authorization, verifyToken);
      viewer.catch(() => {}); // Whoever awaits it answers the rejection (401).
      viewers.set(req, viewer);
    }
    return viewer;
  };
  const contextFor = async (req: http.IncomingMessage, scope: RequestScope): Promise<Context> => {
    const now = clock.now();
    const { viewer, agreements, withheldGrants } = await withAgreements(
      await viewerOf(req),
      services,
      now,
      requireOrganisationAgreement,
    );
    const language = negotiateLanguage(req.headers['accept-language']);
    return {
      viewer,
      agreements,
      withheldGrants,
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
  // One limiter for /graphql and /downloads: a client has one budget for both.
  const rateLimit = options.rateLimitPerMinute
    ? rateLimitPerClient({
        perMinute: options.rateLimitPerMinute,
        viewerOf,
        ...(options.trustProxy ? { trustProxy: options.trustProxy } : {}),
        onLimited: () => metrics.countError(ErrorCode.RATE_LIMITED),
        ...(rateLimitStore ? { store: rateLimitStore } : {}),
      })
    : undefined;
  if (rateLimit) app.use('/downloads', rateLimit);
  app.use(
    '/downloads',
    downloadsRouter({
      authorization,
      contextFor: (req) => contextFor(req, requestScopeOf(req)),
      countError: metrics.countError,
    }),
  );

  app.use((req: express.Request, res: express.Response) => {
    metrics.countError(ErrorCode.NOT_FOUND);
    sendError(req, res, 404, 'Not found.', { code: ErrorCode.NOT_FOUND });
  });

  /** Malformed or oversized bodies, an unreachable database: a coded JSON error instead of Express's HTML page. */
  const answerError = (
    error: unknown,
    req: http.IncomingMessage,
    res: http.ServerResponse,
    requestId: string,
  ): void => {
    const answer = requestErrorAnswer(error as { status?: number; type?: string }, bodyLimit);
    if (answer.unexpected) logger.error({ requestId, err: error }, 'unhandled HTTP error');
    if (answer.retryAfter) res.setHeader('retry-after', String(answer.retryAfter));
    metrics.countError(answer.extensions.code);
    writeError(req, res, answer.status, answer.message, answer.extensions);
  };
  app.use((error: unknown, req: express.Request, res: express.Response, next: express.NextFunction) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    answerError(error, req, res, requestScopeOf(req).requestId);
  });

  // /graphql is served on node:http directly (src/http/graphql-endpoint.ts), through the same steps Express ran for it;
  // everything else, the GraphiQL page for browsers included, goes to Express.
  const graphql = graphqlEndpoint<Context>({
    apollo,
    steps: [
      metrics.http,
      ...headersAndCors,
      closer.refuseWhileStopping,
      ...(rateLimit ? [rateLimit] : []),
      express.json({ limit: bodyLimit }),
    ],
    // A context that cannot be built because the database is away (a partner's agreements) is a coded 503 too.
    // Apollo runs no plugin for these failures: they are logged and put in the caller's language here.
    context: (req, scope) =>
      contextFor(req, scope).catch((error: unknown) => {
        const language = negotiateLanguage(req.headers['accept-language']);
        if (error instanceof GraphQLError && error.extensions.code !== undefined)
          throw localizeGraphQLError(error, language);
        if (error instanceof CodedError) throw localizeGraphQLError(toGraphQLError(error), language);
        const fault: Fault = isDatabaseUnavailable(error) ? 'unavailable' : 'internal';
        logFault(fault, error, scope.requestId);
        throw fault === 'unavailable'
          ? localizeGraphQLError(toGraphQLError(new ServiceUnavailableError()), language)
          : error;
      }),
    onError(error, req, res, scope) {
      // As Express's final handler does with a response already under way: cut it.
      if (res.headersSent) res.destroy();
      else answerError(error, req, res, scope.requestId);
    },
  });
  httpServer.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    if (isGraphQLPath(req.url) && !(options.playground && wantsPlaygroundPage(req))) graphql(req, res);
    else app(req, res);
  });

  // Subscriptions (issue 14): graphql-ws on the same port and path; the same token check, context and permission map.
  const subscriptions = createSubscriptionServer({
    httpServer,
    authorization,
    viewerFrom: (header) => viewerFrom(header, verifyToken),
    contextFor: async (viewer, language, scope) => {
      const now = clock.now();
      const current = await withAgreements(viewer, services, now, requireOrganisationAgreement);
      return {
        viewer: current.viewer,
        agreements: current.agreements,
        withheldGrants: current.withheldGrants,
        scope,
        now,
        language,
        loaders: createLoaders(dataSource, services.municipalities),
        services,
      };
    },
    parseOptions: limits.parseOptions,
    validationRules: limits.validationRules,
    formatError: (formatted, error) => {
      const result = formatError(formatted, error);
      metrics.countError(result.extensions?.code as string | undefined);
      return result;
    },
  });

  return {
    app,
    httpServer,
    services,
    authorization,
    subscriptions,
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
      services.organisationAgreements.stop();
      // Upgraded sockets are not HTTP connections: the server's close would wait for them.
      await services.notificationEvents.close();
      await subscriptions.close();
      const { cancelled } = await closer.close({ drainMs, cancelGraceMs, cancel: cancelStatements });
      if (cancelled)
        logger.warn({ drainMs }, 'requests still running at the shutdown deadline were cancelled');
      await apollo.stop();
      await services.accessLog.close();
    },
  };
}
