import type http from 'node:http';
import { type ApolloServer, type BaseContext, HeaderMap } from '@apollo/server';
import type { RequestScope } from '../logger';
import type { NodeMiddleware } from './edge';
import { startRequest } from './operations';

/**
 * `/graphql` as Express matched it (case-insensitively, with or without a trailing slash), query string aside. Paths
 * below it, which Express's mount handed to Apollo too, are Express's 404s now.
 */
const GRAPHQL_PATH = /^\/graphql\/?(?:[?#]|$)/i;

export function isGraphQLPath(url: string | undefined): boolean {
  return url !== undefined && GRAPHQL_PATH.test(url);
}

export interface GraphQLEndpointOptions<TContext extends BaseContext> {
  apollo: ApolloServer<TContext>;
  /**
   * In order, as Express ran them once the request has its id: metrics, headers, CORS, the refusal while stopping,
   * the rate limit, the body parser. A step that answers the request itself (a preflight, a 429) does not call `next`.
   */
  steps: readonly NodeMiddleware[];
  context(req: http.IncomingMessage, scope: RequestScope): Promise<TContext>;
  /** Answers an error passed to `next` or thrown on the way (the same answers as Express's error handler). */
  onError(error: unknown, req: http.IncomingMessage, res: http.ServerResponse, scope: RequestScope): void;
}

/**
 * `/graphql` on node:http directly, without Express: its router, request and response objects, `res.send` and
 * pino-http took about a seventh of a list request's CPU (bench:api --profile). The steps are the middlewares the
 * Express route had, run on node:http's objects, and Apollo's core is called the way @as-integrations/express5 called
 * it. Only the ETag that Express's `res.send` computed (a SHA-1 of every body, of no use to POST requests) is gone.
 */
export function graphqlEndpoint<TContext extends BaseContext>({
  apollo,
  steps,
  context,
  onError,
}: GraphQLEndpointOptions<TContext>): (req: http.IncomingMessage, res: http.ServerResponse) => void {
  const execute = async (req: http.IncomingMessage, res: http.ServerResponse, scope: RequestScope) => {
    const headers = new HeaderMap();
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
    }
    const response = await apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: {
        method: (req.method ?? '').toUpperCase(),
        headers,
        search: searchOf(req.url ?? ''),
        body: (req as { body?: unknown }).body,
      },
      context: () => context(req, scope),
    });
    for (const [name, value] of response.headers) res.setHeader(name, value);
    res.statusCode = response.status || 200;
    if (response.body.kind === 'complete') {
      // Stated as Express's `res.send` did (node:http would leave it out of an answer to HEAD).
      res.setHeader('content-length', Buffer.byteLength(response.body.string));
      res.end(response.body.string);
      return;
    }
    for await (const chunk of response.body.asyncIterator) res.write(chunk);
    res.end();
  };

  return (req, res) => {
    const scope = startRequest(req, res);
    const fail = (error: unknown) => onError(error, req, res, scope);
    let index = 0;
    const next = (error?: unknown) => {
      if (error) {
        fail(error);
        return;
      }
      const step = steps[index];
      index += 1;
      if (!step) {
        execute(req, res, scope).catch(fail);
        return;
      }
      try {
        step(req, res, next);
      } catch (thrown) {
        fail(thrown);
      }
    };
    next();
  };
}

/** The query string with its `?`, as Node's legacy `url.parse(…).search` gives it ('' when none). */
function searchOf(url: string): string {
  const at = url.indexOf('?');
  if (at < 0) return '';
  const hash = url.indexOf('#', at);
  return hash < 0 ? url.slice(at) : url.slice(at, hash);
}
