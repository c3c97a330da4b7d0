import 'reflect-metadata';
import { type DocumentNode, print } from 'graphql';
import type { DataSource } from 'typeorm';
import { generateSigningKey, jwksOf } from '../../src/auth/signing-key';
import { createTokenVerifier, localKeys } from '../../src/auth/token-verifier';
import { createDataSource } from '../../src/db/data-source';
import { createHttpServer, type HttpServer, type HttpServerOptions } from '../../src/http/app';
import { AUDIENCE, ISSUER, MAX_TOKEN_LIFETIME_SECONDS, TestClock, TokenFactory } from './app';
import { createTestDatabase } from './database';
import { Given } from './given';

export interface HttpAnswer<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
}

export interface GraphQLBody<TData = Record<string, unknown>> {
  data?: TData | null;
  errors?: { message: string; extensions?: { code?: string; limit?: string } }[];
}

/** One server of createHttpServer with the options a test sets, on the environment's database. */
export interface Served {
  /** `http://127.0.0.1:port` */
  base: string;
  /** The GraphQL endpoint. */
  url: string;
  server: HttpServer;
  /** POST a GraphQL request as JSON; `token` adds the bearer header. */
  graphql<TData = Record<string, unknown>>(
    query: string | DocumentNode,
    options?: { variables?: unknown; token?: string; headers?: Record<string, string> },
  ): Promise<HttpAnswer<GraphQLBody<TData>>>;
  get(path: string, headers?: Record<string, string>): Promise<HttpAnswer<string>>;
  close(): Promise<void>;
}

export interface EdgeEnvironment {
  dataSource: DataSource;
  clock: TestClock;
  tokens: TokenFactory;
  given: Given;
  serve(options?: Partial<Omit<HttpServerOptions, 'dataSource' | 'verifyToken'>>): Promise<Served>;
  close(): Promise<void>;
}

async function answer(response: Response): Promise<HttpAnswer<string>> {
  return { status: response.status, headers: response.headers, body: await response.text() };
}

/**
 * Servers on a database of their own (a clone of the migrated template, or the given data source), with tokens signed
 * by a key whose JWKS the verifier holds: for tests of the edge, where each test needs createHttpServer's options.
 */
export async function edgeEnvironment(given?: { dataSource: DataSource }): Promise<EdgeEnvironment> {
  const database = given ? undefined : await createTestDatabase();
  const dataSource = given?.dataSource ?? createDataSource({ url: (database as { url: string }).url });
  if (!dataSource.isInitialized) await dataSource.initialize();
  const { key } = await generateSigningKey();
  const verifyToken = createTokenVerifier({
    keys: localKeys(jwksOf(key)),
    issuer: ISSUER,
    audience: AUDIENCE,
    maxTokenLifetimeSeconds: MAX_TOKEN_LIFETIME_SECONDS,
  });
  const clock = new TestClock();
  const servers: Served[] = [];
  return {
    dataSource,
    clock,
    tokens: new TokenFactory(key),
    given: new Given(dataSource, clock),
    async serve(options = {}) {
      const server = await createHttpServer({ dataSource, verifyToken, clock, ...options });
      const port = await server.listen(0, '127.0.0.1');
      const base = `http://127.0.0.1:${port}`;
      const served: Served = {
        base,
        url: `${base}/graphql`,
        server,
        async graphql(query, { variables, token, headers } = {}) {
          const response = await fetch(`${base}/graphql`, {
            method: 'POST',
            headers: {
              'content-type': 'application/json',
              ...(token ? { authorization: `Bearer ${token}` } : {}),
              ...headers,
            },
            body: JSON.stringify({ query: typeof query === 'string' ? query : print(query), variables }),
          });
          const { body, ...rest } = await answer(response);
          return { ...rest, body: JSON.parse(body) };
        },
        async get(path, headers = {}) {
          return answer(await fetch(`${base}${path}`, { headers }));
        },
        async close() {
          servers.splice(servers.indexOf(served), 1);
          await server.close();
        },
      };
      servers.push(served);
      return served;
    },
    async close() {
      for (const served of [...servers]) await served.close();
      if (!given) {
        await dataSource.destroy();
        await database?.drop();
      }
    },
  };
}
