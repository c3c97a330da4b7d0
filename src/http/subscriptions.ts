import { randomUUID } from 'node:crypto';
import type http from 'node:http';
import type { Duplex } from 'node:stream';
import {
  createSourceEventStream,
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
  execute,
  GraphQLError,
  type GraphQLFormattedError,
  getArgumentValues,
  getOperationAST,
  getVariableValues,
  Kind,
  parse,
  specifiedRules,
  type ValidationRule,
  validate,
} from 'graphql';
import { CloseCode } from 'graphql-ws';
import { useServer as graphqlWsServer } from 'graphql-ws/use/ws';
import { decodeJwt } from 'jose';
import { WebSocketServer } from 'ws';
import type { Context } from '../auth/context';
import type { OperationShield } from '../auth/operation-shield';
import { CodedError, ErrorCode, ForbiddenError, UnauthenticatedError } from '../domain/errors';
import type { Viewer } from '../domain/viewer';
import { localizeError } from '../i18n/error-messages';
import { type Language, negotiateLanguage } from '../i18n/language';
import { logger, type RequestScope } from '../logger';
import { toGraphQLError } from '../schema/errors';
import { isGraphQLPath } from './graphql-endpoint';

/**
 * GraphQL subscriptions over the graphql-ws protocol (issue 14), on the HTTP server's own port and path (/graphql):
 * a WebSocket upgrade there is handed to graphql-ws; plain requests are untouched.
 *
 * - Authentication once per connection: `connection_init`'s payload carries `{ "authorization": "Bearer <token>" }`,
 *   verified as the Authorization header is. No token or a bad one closes the socket with 4401 (Unauthorized), which
 *   graphql-ws clients do not retry. When the token expires, the socket is closed with 4403 (Forbidden), which clients
 *   may retry: a client whose `connectionParams` is a function reconnects with a fresh token.
 * - Authorisation by the permission map, when subscribing (a refusal is an `error` message with the coded error) and
 *   again for every event, with a context built afresh: a partner's agreements are read again, so one that ended stops
 *   the events. A refused event is delivered as an error and completes the subscription.
 * - Only subscriptions: queries and mutations go over HTTP, where the rate limit, metrics and logging are.
 * - The query limits (depth, aliases, directives, tokens) apply to subscription documents too; a connection may hold
 *   at most `maxSubscriptionsPerConnection` subscriptions at once.
 */
export interface SubscriptionServerOptions {
  httpServer: http.Server;
  authorization: OperationShield;
  /** The Authorization header's check: a viewer, or a coded UNAUTHENTICATED error. */
  viewerFrom(header: string | undefined): Promise<Viewer>;
  /** The same Context as an HTTP request's, for this viewer at this moment (a partner's agreements read again). */
  contextFor(viewer: Viewer, language: Language, scope: RequestScope): Promise<Context>;
  parseOptions: { maxTokens?: number };
  validationRules: readonly ValidationRule[];
  /** Makes a GraphQL error what an HTTP response would show (coded, no internals). */
  formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError;
  maxSubscriptionsPerConnection?: number;
}

export interface SubscriptionServer {
  /** Open WebSocket connections. */
  readonly connections: number;
  /** Refuses new connections, completes every subscription and closes every socket (1001, Going away). */
  close(): Promise<void>;
}

export const DEFAULT_MAX_SUBSCRIPTIONS_PER_CONNECTION = 20;

/** What graphql-ws keeps per connection beside its socket. */
type ConnectionState = {
  viewer?: Viewer;
  language?: Language;
  connectionId?: string;
  expiryTimer?: NodeJS.Timeout;
  active?: Set<string>;
};

/** setTimeout's longest delay; a token valid longer is checked again then. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export function createSubscriptionServer(options: SubscriptionServerOptions): SubscriptionServer {
  const {
    httpServer,
    authorization,
    maxSubscriptionsPerConnection = DEFAULT_MAX_SUBSCRIPTIONS_PER_CONNECTION,
  } = options;
  const wsServer = new WebSocketServer({ noServer: true, maxPayload: 1024 * 1024 });
  let stopping = false;

  const onUpgrade = (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    if (!isGraphQLPath(req.url) || stopping) {
      const status = stopping ? '503 Service Unavailable' : '404 Not Found';
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      return;
    }
    wsServer.handleUpgrade(req, socket, head, (ws) => wsServer.emit('connection', ws, req));
  };
  httpServer.on('upgrade', onUpgrade);

  const format = (errors: readonly GraphQLError[], language: Language | undefined): GraphQLFormattedError[] =>
    errors.map((error) => {
      const formatted = options.formatError(error.toJSON(), (error.path && error.originalError) || error);
      // An HTTP status means nothing on a socket.
      const { http: _http, ...extensions } = formatted.extensions ?? {};
      const coded = { ...formatted, extensions };
      return language ? localizeError(coded, language) : coded;
    });

  const server = graphqlWsServer<Record<string, unknown> | undefined, ConnectionState>(
    {
      schema: authorization.shielded,
      async onConnect(ctx) {
        const { socket, request } = ctx.extra;
        const header = ctx.connectionParams?.authorization;
        let viewer: Viewer;
        try {
          if (typeof header !== 'string' || header === '') throw new UnauthenticatedError();
          viewer = await options.viewerFrom(header);
        } catch (error) {
          const reason = error instanceof Error ? error.message : 'Invalid bearer token.';
          // A close reason is at most 123 bytes.
          socket.close(CloseCode.Unauthorized, `Unauthorized: ${reason}`.slice(0, 120));
          return false;
        }
        ctx.extra.viewer = viewer;
        ctx.extra.active = new Set();
        ctx.extra.connectionId = randomUUID();
        const language =
          typeof ctx.connectionParams?.['accept-language'] === 'string'
            ? (ctx.connectionParams['accept-language'] as string)
            : request.headers['accept-language'];
        ctx.extra.language = negotiateLanguage(language);
        const expiresAt = expiryOf(header);
        if (expiresAt !== undefined) {
          const closeAtExpiry = () => {
            const left = expiresAt - Date.now();
            if (left > 0) {
              ctx.extra.expiryTimer = setTimeout(closeAtExpiry, Math.min(left, MAX_TIMER_MS));
              ctx.extra.expiryTimer.unref();
            } else {
              socket.close(CloseCode.Forbidden, 'Forbidden: the token has expired; connect with a new one.');
            }
          };
          closeAtExpiry();
        }
        return true;
      },
      onClose(ctx) {
        clearTimeout(ctx.extra.expiryTimer);
      },
      async onSubscribe(ctx, id, payload) {
        const { viewer, active, language } = ctx.extra;
        if (!viewer || !active) return [toGraphQLError(new UnauthenticatedError())];
        if (active.size >= maxSubscriptionsPerConnection) {
          return [
            toGraphQLError(
              new CodedError(
                `Too many subscriptions: a connection may hold ${maxSubscriptionsPerConnection} at once.`,
                ErrorCode.RATE_LIMITED,
                { limit: maxSubscriptionsPerConnection },
              ),
            ),
          ];
        }
        let document: DocumentNode;
        try {
          document = parse(payload.query, options.parseOptions);
        } catch (error) {
          return [error instanceof GraphQLError ? error : new GraphQLError('Syntax Error.')];
        }
        const schema = authorization.shielded;
        const errors = validate(schema, document, [...specifiedRules, ...options.validationRules]);
        if (errors.length > 0) return errors.map(withCode(ErrorCode.GRAPHQL_VALIDATION_FAILED));
        const operation = getOperationAST(document, payload.operationName);
        if (!operation)
          return [
            withCode(ErrorCode.BAD_REQUEST)(new GraphQLError('No operation of that name in the document.')),
          ];
        if (operation.operation !== 'subscription') {
          return [
            withCode(ErrorCode.BAD_REQUEST)(
              new GraphQLError(
                'Only subscriptions go over WebSocket: send queries and mutations with HTTP POST.',
              ),
            ),
          ];
        }
        const variableValues = payload.variables ?? {};
        const scope: RequestScope = { requestId: `${ctx.extra.connectionId}/${id}` };
        if (payload.operationName) scope.operation = payload.operationName;
        const contextValue = await options.contextFor(
          viewer,
          language ?? negotiateLanguage(undefined),
          scope,
        );
        const refusal = await refusalOf(
          authorization,
          document,
          payload.operationName,
          variableValues,
          contextValue,
        );
        if (refusal) return [refusal];
        active.add(id);
        return {
          schema,
          document,
          operationName: payload.operationName ?? null,
          variableValues,
          contextValue,
        } satisfies ExecutionArgs;
      },
      // Each event runs with a context built afresh, so that the permission map sees the viewer's grants of now.
      async subscribe(args) {
        const context = args.contextValue as Context;
        const source = await createSourceEventStream(args);
        if (!isAsyncIterator(source)) return source as ExecutionResult;
        return perEvent(source, async (event) => {
          const fresh = await options.contextFor(context.viewer, context.language, context.scope);
          const result = await execute({ ...args, rootValue: event, contextValue: fresh });
          // A refused event ends the subscription: the viewer's grants no longer cover it.
          return { result, last: (result.errors?.length ?? 0) > 0 };
        });
      },
      onNext(ctx, _id, _payload, _args, result) {
        if (!result.errors) return;
        return { ...result, errors: format(result.errors as GraphQLError[], ctx.extra.language) } as never;
      },
      onError(ctx, _id, _payload, errors) {
        return format(errors as GraphQLError[], ctx.extra.language) as never;
      },
      onComplete(ctx, id) {
        ctx.extra.active?.delete(id);
      },
    },
    wsServer,
  );

  return {
    get connections() {
      return wsServer.clients.size;
    },
    async close() {
      if (stopping) return;
      stopping = true;
      httpServer.off('upgrade', onUpgrade);
      // Completes what still runs, closes every socket with 1001 (Going away) and the WebSocket server.
      await server.dispose();
    },
  };
}

/** The token's expiry (ms), if it has one; the signature was verified by viewerFrom already. */
function expiryOf(header: string): number | undefined {
  try {
    const exp = decodeJwt(header.replace(/^Bearer\s+/i, '')).exp;
    return typeof exp === 'number' ? exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}

/** A validation or request error with our code, as Apollo gives it on HTTP. */
function withCode(code: ErrorCode) {
  return (error: GraphQLError): GraphQLError =>
    new GraphQLError(error.message, {
      nodes: error.nodes ?? null,
      extensions: { ...error.extensions, code: (error.extensions.code as string | undefined) ?? code },
    });
}

/**
 * The permission map at subscribe time: every rule the operation meets that does not depend on an object (the
 * subscription field's own rule reads its `municipalityCode`). Undefined when allowed, else the error to answer with:
 * the subscription field's own refusal when it has one, a plain FORBIDDEN (or UNAUTHENTICATED) otherwise.
 */
async function refusalOf(
  authorization: OperationShield,
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Record<string, unknown>,
  context: Context,
): Promise<GraphQLError | undefined> {
  if ((await authorization.pathFor(document, operationName, variables, context)) === 'fast') return undefined;
  const operation = getOperationAST(document, operationName);
  const root = operation?.selectionSet.selections[0];
  const type = authorization.fast.getSubscriptionType();
  if (operation && root?.kind === Kind.FIELD && type) {
    const field = type.getFields()[root.name.value];
    const coerced = getVariableValues(authorization.fast, operation.variableDefinitions ?? [], variables);
    if (field && coerced.coerced) {
      try {
        const args = getArgumentValues(field, root, coerced.coerced);
        const verdict = await authorization.decide(type.name, field.name, { args }, context);
        if (verdict instanceof CodedError) return toGraphQLError(verdict);
        if (verdict instanceof GraphQLError) return verdict;
      } catch (error) {
        if (error instanceof GraphQLError) return withCode(ErrorCode.BAD_USER_INPUT)(error);
      }
    }
  }
  return toGraphQLError(new ForbiddenError());
}

function isAsyncIterator<T>(value: unknown): value is AsyncIterator<T> {
  return typeof (value as { next?: unknown } | null)?.next === 'function';
}

/**
 * The source's events mapped one by one. Returning ends the source at once, also while it waits for its next event,
 * which an async generator could not do (its `return()` would wait for that event).
 */
function perEvent<T, R>(
  source: AsyncIterator<T>,
  map: (event: T) => Promise<{ result: R; last: boolean }>,
): AsyncGenerator<R> {
  let finished = false;
  const finish = async (): Promise<IteratorResult<R>> => {
    if (!finished) {
      finished = true;
      await source.return?.();
    }
    return { value: undefined, done: true };
  };
  const iterator: AsyncGenerator<R> = {
    async next() {
      if (finished) return { value: undefined, done: true };
      const item = await source.next();
      if (item.done || finished) return finish();
      try {
        const { result, last } = await map(item.value);
        if (last) await finish();
        return { value: result, done: false };
      } catch (error) {
        logger.warn({ requestId: undefined, err: error }, 'subscription event failed');
        await finish();
        throw error;
      }
    },
    return: finish,
    async throw(error: unknown) {
      await finish();
      throw error;
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
    [Symbol.asyncDispose]: async () => {
      await finish();
    },
  } as AsyncGenerator<R>;
  return iterator;
}
