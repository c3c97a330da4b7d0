import 'reflect-metadata';
import http from 'node:http';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';
import type { JWTPayload } from 'jose';
import type { DataSource } from 'typeorm';
import { generateSigningKey, jwksOf, type SigningKey, signToken } from '../../src/auth/signing-key';
import { createTokenVerifier, remoteKeys } from '../../src/auth/token-verifier';
import { createDataSource, StatementCounter } from '../../src/db/data-source';
import type { AgeSignalThresholds } from '../../src/domain/age-signal';
import type { Clock } from '../../src/domain/clock';
import type { Mandate } from '../../src/domain/viewer';
import { createHttpServer, type HttpServer } from '../../src/http/app';
import { createTestDatabase } from './database';
import { Given } from './given';

export const ISSUER = 'https://identity-gateway.test';
export const AUDIENCE = 'kelmu-graphql';
export const STRONG_ACR = 'http://ftn.ficora.fi/2017/loa3';
export const WEAK_ACR = 'http://ftn.ficora.fi/2017/loa1';
/** AUTH_MAX_TOKEN_LIFETIME_SECONDS's default. */
export const MAX_TOKEN_LIFETIME_SECONDS = 12 * 3600;

/** A clock the test moves by hand; starts at a fixed instant so that dates in assertions are stable. */
export class TestClock implements Clock {
  constructor(private current = new Date('2026-11-02T09:00:00.000Z')) {}
  now(): Date {
    return new Date(this.current);
  }
  set(date: Date): void {
    this.current = new Date(date);
  }
}

export interface GraphQLResponse<T> {
  status: number;
  data?: T | null;
  errors?: {
    message: string;
    path?: (string | number)[];
    extensions?: { code?: string; argumentName?: string; detail?: string };
  }[];
}

/** Signs tokens the way the identity gateway does, with a key the service only knows through its JWKS URL. */
export class TokenFactory {
  constructor(
    readonly key: SigningKey,
    private readonly issuer = ISSUER,
    private readonly audience = AUDIENCE,
  ) {}

  sign(
    claims: JWTPayload,
    options: { subject?: string; expiresIn?: string; issuer?: string; audience?: string } = {},
  ) {
    return signToken(this.key, {
      issuer: options.issuer ?? this.issuer,
      audience: options.audience ?? this.audience,
      subject: options.subject ?? 'handler-1',
      expiresIn: options.expiresIn ?? '1h',
      claims,
    });
  }

  /** A person with integration-service mandates for the given municipalities. */
  handler(
    municipalities: string[],
    options: { acr?: string; issues?: string[]; subject?: string; expiresIn?: string } = {},
  ) {
    const mandates: Mandate[] = municipalities.map((municipality) => ({
      municipality,
      issues: options.issues ?? ['INTEGRATION_CLIENT_DATA'],
    }));
    return this.sign(
      { acr: options.acr ?? STRONG_ACR, name: 'Test Handler', mandates },
      {
        subject: options.subject ?? `handler-${municipalities.join('-')}`,
        ...(options.expiresIn ? { expiresIn: options.expiresIn } : {}),
      },
    );
  }
}

export interface TestApp {
  url: string;
  dataSource: DataSource;
  clock: TestClock;
  statements: StatementCounter;
  tokens: TokenFactory;
  given: Given;
  server: HttpServer;
  request<TResult, TVariables>(
    document: TypedDocumentNode<TResult, TVariables>,
    variables: TVariables,
    token?: string,
    headers?: Record<string, string>,
  ): Promise<GraphQLResponse<TResult>>;
  close(): Promise<void>;
}

function serveJwks(body: string): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' }).end(body);
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      resolve({
        url: `http://127.0.0.1:${port}/jwks.json`,
        close: () => new Promise((done) => server.close(() => done())),
      });
    });
  });
}

/**
 * The service as it runs in production, on its own cloned database: tokens verified by jose against a JWKS
 * served over HTTP, shield, real SQL. Only the clock is the test's.
 */
export async function startTestApp(
  options: {
    ageSignal?: AgeSignalThresholds;
    requireOrganisationAgreement?: boolean;
    organisationAgreementRefreshSeconds?: number;
  } = {},
): Promise<TestApp> {
  const database = await createTestDatabase();
  const statements = new StatementCounter();
  const dataSource = createDataSource({ url: database.url, statementCounter: statements, poolSize: 25 });
  await dataSource.initialize();
  const { key } = await generateSigningKey();
  const jwks = await serveJwks(JSON.stringify(jwksOf(key)));
  const clock = new TestClock();
  const server = await createHttpServer({
    dataSource,
    clock,
    ...(options.ageSignal ? { ageSignal: options.ageSignal } : {}),
    ...(options.requireOrganisationAgreement === undefined
      ? {}
      : { requireOrganisationAgreement: options.requireOrganisationAgreement }),
    ...(options.organisationAgreementRefreshSeconds
      ? { organisationAgreementRefreshSeconds: options.organisationAgreementRefreshSeconds }
      : {}),
    verifyToken: createTokenVerifier({
      keys: remoteKeys(jwks.url),
      issuer: ISSUER,
      audience: AUDIENCE,
      maxTokenLifetimeSeconds: MAX_TOKEN_LIFETIME_SECONDS,
    }),
  });
  const port = await server.listen(0, '127.0.0.1');
  const url = `http://127.0.0.1:${port}/graphql`;
  return {
    url,
    dataSource,
    clock,
    statements,
    tokens: new TokenFactory(key),
    given: new Given(dataSource, clock),
    server,
    async request(document, variables, token, headers = {}) {
      const response = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...headers,
        },
        body: JSON.stringify({ query: print(document), variables }),
      });
      const body = (await response.json()) as Omit<GraphQLResponse<never>, 'status'>;
      return { status: response.status, ...body } as GraphQLResponse<never>;
    },
    async close() {
      await server.close();
      await dataSource.destroy();
      await jwks.close();
      await database.drop();
    },
  };
}
