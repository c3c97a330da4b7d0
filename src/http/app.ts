import http from 'node:http';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { expressMiddleware } from '@as-integrations/express5';
import express from 'express';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { applyMiddleware } from 'graphql-middleware';
import type { JSONWebKeySet } from 'jose';
import type { DataSource } from 'typeorm';
import { permissions } from '../auth/permissions';
import type { TokenVerifier } from '../auth/token-verifier';
import { ANONYMOUS, type Viewer } from '../auth/viewer';
import { type Clock, finnishDate, systemClock } from '../domain/clock';
import { ViewerKind } from '../domain/enums';
import { ErrorCode } from '../domain/errors';
import { createLoaders } from '../loaders';
import { logger } from '../logger';
import { buildGraphQLSchema } from '../schema/build-schema';
import { createServices, type Services } from '../services';
import type { Context } from './context';
import { downloadsRouter } from './downloads';
import { jitGateway } from './jit-executor';

export interface HttpServerOptions {
  dataSource: DataSource;
  verifyToken: TokenVerifier;
  clock?: Clock;
  /** Development mode serves its own signing key's public half, as an identity gateway would. */
  developmentJwks?: JSONWebKeySet;
}

export interface HttpServer {
  app: express.Express;
  httpServer: http.Server;
  services: Services;
  listen(port: number, host?: string): Promise<number>;
  close(): Promise<void>;
}

/** An invalid token is a 401 for the whole request: the caller must fix it before anything else can be said. */
async function viewerFrom(header: string | undefined, verifyToken: TokenVerifier): Promise<Viewer> {
  if (header === undefined || header === '') return ANONYMOUS;
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  try {
    if (!match?.[1]) throw new GraphQLError('The Authorization header must be "Bearer <token>".');
    return await verifyToken(match[1]);
  } catch (error) {
    throw new GraphQLError(error instanceof GraphQLError ? error.message : 'Invalid bearer token.', {
      extensions: {
        code: ErrorCode.UNAUTHENTICATED,
        http: { status: 401, headers: new Map([['www-authenticate', 'Bearer error="invalid_token"']]) },
      },
    });
  }
}

/**
 * A partner system's rights come from its organisation's agreements in force today, never from token claims; read on
 * every request so that an ended agreement locks the client out at once.
 */
async function withAgreementGrants(viewer: Viewer, services: Services, now: Date): Promise<Viewer> {
  if (viewer.kind !== ViewerKind.PARTNER_SYSTEM) return viewer;
  return { ...viewer, grants: await services.agreements.grantsFor(viewer.id, finnishDate(now)) };
}

/** Keeps every error coded; anything unexpected becomes INTERNAL without its message or stack. */
export function formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const code = formatted.extensions?.code;
  if (code === 'INTERNAL_SERVER_ERROR' || code === undefined) {
    logger.error({ err: error }, 'internal error');
    return {
      message: 'Internal error. The request was not completed; try again later.',
      extensions: { code: ErrorCode.INTERNAL },
    };
  }
  return formatted;
}

export async function createHttpServer(options: HttpServerOptions): Promise<HttpServer> {
  const { dataSource, verifyToken, clock = systemClock } = options;
  const services = await createServices(dataSource, clock);
  const schema = applyMiddleware(buildGraphQLSchema(), permissions);
  const app = express();
  app.disable('x-powered-by');
  const httpServer = http.createServer(app);
  const apollo = new ApolloServer<Context>({
    gateway: jitGateway(schema),
    formatError,
    includeStacktraceInErrorResponses: false,
    plugins: [ApolloServerPluginDrainHttpServer({ httpServer }), ApolloServerPluginLandingPageDisabled()],
  });
  await apollo.start();

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  if (options.developmentJwks) {
    const jwks = options.developmentJwks;
    app.get('/.well-known/jwks.json', (_req, res) => {
      res.json(jwks);
    });
  }
  const contextFor = async (req: express.Request): Promise<Context> => {
    const now = clock.now();
    const viewer = await withAgreementGrants(
      await viewerFrom(req.headers.authorization, verifyToken),
      services,
      now,
    );
    return { viewer, now, loaders: createLoaders(dataSource, services.municipalities), services };
  };
  app.use('/downloads', downloadsRouter({ schema, dataSource, contextFor }));
  app.use(
    '/graphql',
    express.json({ limit: '1mb' }),
    expressMiddleware(apollo, { context: ({ req }) => contextFor(req) }),
  );

  // Malformed or oversized bodies: a coded JSON error instead of Express's HTML page with a stack trace.
  app.use(
    (
      error: { status?: number; type?: string },
      _req: express.Request,
      res: express.Response,
      _next: express.NextFunction,
    ) => {
      const status = error.status && error.status >= 400 && error.status < 500 ? error.status : 500;
      if (status === 500) logger.error({ err: error }, 'unhandled HTTP error');
      res.status(status).json({
        errors: [
          status === 500
            ? { message: 'Internal error.', extensions: { code: ErrorCode.INTERNAL } }
            : {
                message: `Bad request: ${error.type ?? 'unreadable body'}.`,
                extensions: { code: 'BAD_REQUEST' },
              },
        ],
      });
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
    close: () => apollo.stop(),
  };
}
