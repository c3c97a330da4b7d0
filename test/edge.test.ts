import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigurationError, loadConfig } from '../src/config';
import { DEFAULT_QUERY_LIMITS } from '../src/http/limits';
import { loggableUrl } from '../src/http/operations';
import { ensurePortFree, PortInUseError } from '../src/http/port';
import { errorSerializer } from '../src/logger';
import { MunicipalitiesDocument } from './generated/graphql';
import { type EdgeEnvironment, edgeEnvironment, type Served } from './support/edge-app';
import { captureLogs } from './support/log-capture';

let env: EdgeEnvironment;
/** The service as createHttpServer builds it by default: introspection off, no CORS origins, no rate limit. */
let app: Served;
beforeAll(async () => {
  env = await edgeEnvironment();
  app = await env.serve();
});
afterAll(async () => {
  await env?.close();
});

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('query limits', () => {
  it('rejects an over-deep query with GRAPHQL_VALIDATION_FAILED naming the depth limit', async () => {
    // No type of the schema nests deeper than 8; nested fragments are how a document gets deeper than that.
    const depth = DEFAULT_QUERY_LIMITS.maxDepth + 2;
    const query = `{ ${'... on Query { '.repeat(depth)}__typename${' }'.repeat(depth)} }`;
    const response = await app.graphql(query);
    expect(response.status).toBe(400);
    expect(response.body.data ?? null).toBeNull();
    expect(response.body.errors).toEqual([
      {
        message: `Query depth limit of ${DEFAULT_QUERY_LIMITS.maxDepth} exceeded, found ${depth + 1}.`,
        extensions: { code: 'GRAPHQL_VALIDATION_FAILED', limit: 'maxDepth' },
      },
    ]);
  });

  it('accepts the deepest query the schema allows', async () => {
    const token = await env.tokens.handler(['905']);
    const response = await app.graphql(
      '{ homeCareAllowanceLists { edges { node { rows(first: 1) { edges { node { address { street } } } } } } } }',
      { token },
    );
    expect(response.status).toBe(200);
    expect(response.body.errors).toBeUndefined();
  });

  it('rejects an alias flood', async () => {
    const query = `{ ${Array.from({ length: 50 }, (_, i) => `m${i}: municipalities { code }`).join(' ')} }`;
    const response = await app.graphql(query, { token: await env.tokens.handler(['905']) });
    expect(response.status).toBe(400);
    expect(response.body.errors).toEqual([
      {
        message: `Aliases limit of ${DEFAULT_QUERY_LIMITS.maxAliases} exceeded, found 50.`,
        extensions: { code: 'GRAPHQL_VALIDATION_FAILED', limit: 'maxAliases' },
      },
    ]);
  });

  it('rejects too many directives', async () => {
    const fields = Array.from({ length: 25 }, (_, i) => `t${i}: __typename @include(if: true)`);
    const response = await app.graphql(`{ ${fields.join(' ')} }`);
    expect(response.status).toBe(400);
    expect(response.body.errors?.[0]?.extensions).toEqual({
      code: 'GRAPHQL_VALIDATION_FAILED',
      limit: 'maxDirectives',
    });
  });

  it('rejects a document of too many tokens before validating it', async () => {
    const response = await app.graphql(`{ ${'__typename '.repeat(DEFAULT_QUERY_LIMITS.maxTokens)} }`);
    expect(response.status).toBe(400);
    expect(response.body.errors).toEqual([
      expect.objectContaining({
        message: `Syntax Error: Document token limit of ${DEFAULT_QUERY_LIMITS.maxTokens} exceeded.`,
        extensions: { code: 'GRAPHQL_PARSE_FAILED', limit: 'maxTokens' },
      }),
    ]);
  });

  it('prices nested pages with the variables’ values: 200 lists of 200 rows is over the cost limit', async () => {
    const query =
      'query ($lists: Int!, $rows: Int!) { homeCareAllowanceLists(first: $lists) { edges { node { rows(first: $rows) { edges { node { lastName firstNames } } } } } } }';
    const token = await env.tokens.handler(['905']);
    const tooMuch = await app.graphql(query, { variables: { lists: 200, rows: 200 }, token });
    expect(tooMuch.status).toBe(400);
    expect(tooMuch.body.errors).toEqual([
      {
        message: expect.stringMatching(/^Query cost limit of 10000 exceeded, found \d+\.$/),
        extensions: { code: 'GRAPHQL_VALIDATION_FAILED', limit: 'maxCost' },
      },
    ]);
    const fine = await app.graphql(query, { variables: { lists: 12, rows: 50 }, token });
    expect(fine.status).toBe(200);
    expect(fine.body.errors).toBeUndefined();
  });

  it('does not suggest field names', async () => {
    const response = await app.graphql('{ municipalitie { code } }', {
      token: await env.tokens.handler(['905']),
    });
    expect(response.status).toBe(400);
    expect(response.body.errors?.[0]?.message).toBe('Cannot query field "municipalitie" on type "Query".');
    expect(JSON.stringify(response.body)).not.toContain('Did you mean');
  });

  it('answers an oversized body with 413 and a coded JSON error', async () => {
    const response = await fetch(app.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ __typename }', variables: { padding: 'x'.repeat(1_100_000) } }),
    });
    expect(response.status).toBe(413);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await response.json()).toEqual({
      errors: [
        {
          message: 'Request body too large: the limit is 1mb.',
          extensions: { code: 'PAYLOAD_TOO_LARGE', limit: 'maxBodySize' },
        },
      ],
    });
  });

  it('takes the body limit from its option', async () => {
    const small = await env.serve({ bodyLimit: '2kb' });
    const response = await small.graphql('{ __typename }', { variables: { padding: 'x'.repeat(3000) } });
    expect(response.status).toBe(413);
    expect(response.body.errors?.[0]?.message).toBe('Request body too large: the limit is 2kb.');
    await small.close();
  });
});

describe('introspection', () => {
  const INTROSPECTION = '{ __schema { queryType { name } } }';

  it('is off unless enabled', async () => {
    const response = await app.graphql(INTROSPECTION);
    expect(response.status).toBe(400);
    expect(response.body.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(response.body.errors?.[0]?.message).toMatch(/introspection is not allowed/);
  });

  it('answers when enabled', async () => {
    const open = await env.serve({ introspection: true });
    const response = await open.graphql<{ __schema: { queryType: { name: string } } }>(INTROSPECTION);
    expect(response.status).toBe(200);
    expect(response.body.data?.__schema.queryType.name).toBe('Query');
    await open.close();
  });
});

describe('CSRF prevention', () => {
  const GET_QUERY = `/graphql?query=${encodeURIComponent('{ __typename }')}`;

  it('refuses a GET without a preflight-forcing header', async () => {
    const response = await app.get(GET_QUERY);
    expect(response.status).toBe(400);
    const body = JSON.parse(response.body) as { errors: { message: string; extensions: { code: string } }[] };
    expect(body.errors[0]?.extensions.code).toBe('BAD_REQUEST');
    expect(body.errors[0]?.message).toMatch(/Cross-Site Request Forgery/);
  });

  it('answers a GET that carries apollo-require-preflight', async () => {
    const response = await app.get(GET_QUERY, { 'apollo-require-preflight': 'true' });
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body)).toEqual({ data: { __typename: 'Query' } });
  });
});

describe('CORS', () => {
  const ALLOWED = 'https://kunta.example.fi';
  let cors: Served;
  beforeAll(async () => {
    cors = await env.serve({ corsOrigins: [ALLOWED] });
  });
  afterAll(async () => {
    await cors?.close();
  });

  it('allows a configured origin, preflight included', async () => {
    const preflight = await fetch(cors.url, {
      method: 'OPTIONS',
      headers: {
        origin: ALLOWED,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization, content-type',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(ALLOWED);
    expect(preflight.headers.get('access-control-allow-headers')).toMatch(/authorization/);
    const response = await cors.graphql('{ __typename }', { headers: { origin: ALLOWED } });
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBe(ALLOWED);
    expect(response.headers.get('access-control-expose-headers')).toMatch(/x-request-id/);
  });

  it('gives any other origin no CORS permission', async () => {
    const other = 'https://evil.example';
    const preflight = await fetch(cors.url, {
      method: 'OPTIONS',
      headers: { origin: other, 'access-control-request-method': 'POST' },
    });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    const response = await cors.graphql('{ __typename }', { headers: { origin: other } });
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('says in the log which origin it refused and which setting allows it, once per origin', async () => {
    const logs = captureLogs();
    try {
      const refused = 'https://frontend.example.fi';
      await cors.graphql('{ __typename }', { headers: { origin: refused } });
      await cors.graphql('{ __typename }', { headers: { origin: refused } });
      await cors.graphql('{ __typename }', { headers: { origin: ALLOWED } });
      await cors.graphql('{ __typename }');
      const lines = logs.lines.filter((line) => line.includes('CORS refused'));
      expect(lines).toHaveLength(1);
      expect(JSON.parse(lines[0] ?? '{}')).toMatchObject({
        origin: refused,
        setting: 'CORS_ORIGINS',
        msg: expect.stringContaining(`CORS_ORIGINS=${refused}`),
      });
    } finally {
      logs.restore();
    }
  });

  it('allows no origin by default', async () => {
    const response = await app.graphql('{ __typename }', { headers: { origin: ALLOWED } });
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('the first request of someone trying the service', () => {
  it('/ leads to /graphql', async () => {
    const response = await fetch(new URL('/', app.url), { redirect: 'manual' });
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe('/graphql');
  });

  it('a port already taken is said in words, with how to choose another', async () => {
    const port = Number(new URL(app.url).port);
    const host = new URL(app.url).hostname;
    await expect(ensurePortFree(host, port)).rejects.toThrow(new PortInUseError(host, port).message);
    expect(new PortInUseError(host, port).message).toMatch(/already in use.*PORT=\d+ npm start/);
  });

  it('listens on loopback in development unless HOST says otherwise, and on all addresses in production', () => {
    expect(loadConfig({}).host).toBe('127.0.0.1');
    expect(loadConfig({ HOST: '0.0.0.0' }).host).toBe('0.0.0.0');
    expect(
      loadConfig({
        NODE_ENV: 'production',
        AUTH_JWKS_URL: 'https://gateway.example.fi/jwks',
        AUTH_ISSUER: 'https://gateway.example.fi',
        AUTH_AUDIENCE: 'kelmu',
      }).host,
    ).toBe('0.0.0.0');
  });
});

describe('rate limit', () => {
  it('answers 429 with Retry-After once a client has used its budget, per token subject', async () => {
    const limited = await env.serve({ rateLimitPerMinute: 3 });
    const first = await env.tokens.handler(['905'], { subject: 'rate-first' });
    const second = await env.tokens.handler(['905'], { subject: 'rate-second' });
    for (let i = 0; i < 3; i += 1) {
      expect((await limited.graphql(MunicipalitiesDocument, { token: first })).status).toBe(200);
    }
    const over = await limited.graphql(MunicipalitiesDocument, { token: first });
    expect(over.status).toBe(429);
    expect(Number(over.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(Number(over.headers.get('retry-after'))).toBeLessThanOrEqual(60);
    expect(over.body).toEqual({
      errors: [
        {
          message: expect.stringMatching(
            /^Too many requests: at most 3 a minute per client\. Retry after \d+ s\.$/,
          ),
          extensions: { code: 'RATE_LIMITED', limit: 'rateLimitPerMinute' },
        },
      ],
    });
    // Another subject has a budget of its own; downloads share the client's budget.
    expect((await limited.graphql(MunicipalitiesDocument, { token: second })).status).toBe(200);
    const download = await limited.get('/downloads/notifications.csv?status=NEW', {
      authorization: `Bearer ${first}`,
    });
    expect(download.status).toBe(429);
    await limited.close();
  });

  it('counts requests without a valid token by IP address', async () => {
    const limited = await env.serve({ rateLimitPerMinute: 2 });
    expect((await limited.graphql('{ __typename }')).status).toBe(200);
    expect((await limited.graphql('{ __typename }', { token: 'not-a-token' })).status).toBe(401);
    expect((await limited.graphql('{ __typename }')).status).toBe(429);
    await limited.close();
  });
});

describe('rate limit across instances', () => {
  /** Requests alternating between the servers, one per server in turn; the HTTP status of each. */
  async function alternate(servers: Served[], token: string, count: number): Promise<number[]> {
    const statuses: number[] = [];
    for (let i = 0; i < count; i += 1) {
      const server = servers[i % servers.length] as Served;
      statuses.push((await server.graphql(MunicipalitiesDocument, { token })).status);
    }
    return statuses;
  }

  it('with RATE_LIMIT_STORE=postgres, two instances share one budget per client', async () => {
    const servers = [
      await env.serve({ rateLimitPerMinute: 3, rateLimitStore: 'postgres' }),
      await env.serve({ rateLimitPerMinute: 3, rateLimitStore: 'postgres' }),
    ];
    const token = await env.tokens.handler(['905'], { subject: 'shared-budget' });
    expect(await alternate(servers, token, 5)).toEqual([200, 200, 200, 429, 429]);

    const over = await (servers[0] as Served).graphql(MunicipalitiesDocument, { token });
    expect(over.body.errors?.[0]?.extensions).toEqual({ code: 'RATE_LIMITED', limit: 'rateLimitPerMinute' });
    const retryAfter = Number(over.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);

    // Another client has a budget of its own on both instances.
    const other = await env.tokens.handler(['905'], { subject: 'shared-budget-other' });
    expect(await alternate(servers, other, 3)).toEqual([200, 200, 200]);

    // One row a client; the count is the database's.
    const rows: { key: string; hits: number }[] = await env.dataSource.query(
      `SELECT key, hits FROM rate_limit_hit WHERE key LIKE '%shared-budget%' ORDER BY key`,
    );
    expect(rows).toEqual([
      { key: 'rl:PERSON:shared-budget', hits: 6 },
      { key: 'rl:PERSON:shared-budget-other', hits: 3 },
    ]);
    for (const server of servers) await server.close();
  });

  it('starts a new window once the old one has passed', async () => {
    const server = await env.serve({ rateLimitPerMinute: 1, rateLimitStore: 'postgres' });
    const token = await env.tokens.handler(['905'], { subject: 'window-passes' });
    expect(await alternate([server], token, 2)).toEqual([200, 429]);
    await env.dataSource.query(
      `UPDATE rate_limit_hit SET reset_at = now() - interval '1 second' WHERE key = 'rl:PERSON:window-passes'`,
    );
    expect(await alternate([server], token, 2)).toEqual([200, 429]);
    await server.close();
  });

  it('with the memory store (the default), each instance counts alone', async () => {
    const servers = [await env.serve({ rateLimitPerMinute: 3 }), await env.serve({ rateLimitPerMinute: 3 })];
    const token = await env.tokens.handler(['905'], { subject: 'budget-per-instance' });
    expect(await alternate(servers, token, 7)).toEqual([200, 200, 200, 200, 200, 200, 429]);
    for (const server of servers) await server.close();
  });

  it('lets requests through uncounted when the shared store fails, rather than answering 500', async () => {
    const server = await env.serve({ rateLimitPerMinute: 1, rateLimitStore: 'postgres' });
    const token = await env.tokens.handler(['905'], { subject: 'store-away' });
    await env.dataSource.query('ALTER TABLE rate_limit_hit RENAME TO rate_limit_hit_away');
    try {
      expect(await alternate([server], token, 3)).toEqual([200, 200, 200]);
    } finally {
      await env.dataSource.query('ALTER TABLE rate_limit_hit_away RENAME TO rate_limit_hit');
    }
    expect(await alternate([server], token, 2)).toEqual([200, 429]);
    await server.close();
  });
});

describe('security headers', () => {
  it('come with every response', async () => {
    for (const response of [await app.get('/healthz'), await app.graphql('{ __typename }')]) {
      expect(response.headers.get('content-security-policy')).toContain("default-src 'none'");
      expect(response.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.headers.get('x-frame-options')).toBe('DENY');
      expect(response.headers.get('strict-transport-security')).toMatch(/max-age=\d+/);
      expect(response.headers.get('referrer-policy')).toBe('no-referrer');
      expect(response.headers.get('x-powered-by')).toBeNull();
    }
  });
});

describe('GraphQL over HTTP', () => {
  it('answers application/graphql-response+json when the client accepts it', async () => {
    const accept = { accept: 'application/graphql-response+json, application/json;q=0.9' };
    const ok = await app.graphql('{ __typename }', { headers: accept });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toBe('application/graphql-response+json; charset=utf-8');
    const invalid = await app.graphql('{ nothingHere }', { headers: accept });
    expect(invalid.status).toBe(400);
    expect(invalid.headers.get('content-type')).toBe('application/graphql-response+json; charset=utf-8');
  });

  it('answers application/json otherwise', async () => {
    const response = await app.graphql('{ __typename }');
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
  });

  it('answers an unknown path with a coded 404', async () => {
    const response = await app.get('/nothing-here');
    expect(response.status).toBe(404);
    expect(JSON.parse(response.body)).toEqual({
      errors: [{ message: 'Not found.', extensions: { code: 'NOT_FOUND' } }],
    });
  });
});

describe('operations', () => {
  it('/healthz says the process is up', async () => {
    const response = await app.get('/healthz');
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body)).toEqual({ status: 'ok' });
  });

  it('/readyz says ready when the database answers and the migrations are current, 503 when one is pending', async () => {
    const ready = await app.get('/readyz');
    expect(ready.status).toBe(200);
    expect(JSON.parse(ready.body)).toEqual({ status: 'ready', database: 'ok', migrations: 'current' });

    const [latest] = (await env.dataSource.query(
      'SELECT timestamp, name FROM migrations ORDER BY timestamp DESC LIMIT 1',
    )) as { timestamp: string; name: string }[];
    if (!latest) throw new Error('no migrations recorded');
    await env.dataSource.query('DELETE FROM migrations WHERE name = $1', [latest.name]);
    try {
      const pending = await app.get('/readyz');
      expect(pending.status).toBe(503);
      expect(JSON.parse(pending.body)).toEqual({
        status: 'not ready',
        database: 'ok',
        migrations: 'pending',
        pending: [latest.name],
      });
    } finally {
      await env.dataSource.query('INSERT INTO migrations (timestamp, name) VALUES ($1, $2)', [
        latest.timestamp,
        latest.name,
      ]);
    }
    expect((await app.get('/readyz')).status).toBe(200);
  });

  it('echoes the client’s request id, or makes one', async () => {
    const given = await app.get('/healthz', { 'x-request-id': 'partner-42.a:b' });
    expect(given.headers.get('x-request-id')).toBe('partner-42.a:b');
    expect((await app.get('/healthz')).headers.get('x-request-id')).toMatch(UUID);
    const unsafe = await app.get('/healthz', { 'x-request-id': 'two words' });
    expect(unsafe.headers.get('x-request-id')).toMatch(UUID);
    expect(
      (await app.get('/healthz', { 'x-request-id': 'x'.repeat(200) })).headers.get('x-request-id'),
    ).toMatch(UUID);
  });

  it('/metrics exposes request rate, latency per operation, errors by code and the pool', async () => {
    const observed = await env.serve();
    const token = await env.tokens.handler(['905']);
    await observed.graphql(MunicipalitiesDocument, { token });
    await observed.graphql(MunicipalitiesDocument, { token });
    await observed.graphql('{ nothingHere }');
    await observed.graphql('{ viewer { name } }');
    const response = await observed.get('/metrics');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = response.body;
    expect(text).toMatch(/^kelmu_http_requests_total\{method="POST",route="\/graphql",status="200"\} 3$/m);
    expect(text).toMatch(/^kelmu_http_requests_total\{method="POST",route="\/graphql",status="400"\} 1$/m);
    expect(text).toMatch(/^kelmu_http_request_duration_seconds_count\{method="POST",route="\/graphql"\} 4$/m);
    expect(text).toMatch(
      /^kelmu_graphql_operation_duration_seconds_count\{operation="Municipalities",type="query"\} 2$/m,
    );
    expect(text).toMatch(
      /^kelmu_graphql_operation_duration_seconds_bucket\{le="0\.1",operation="Municipalities"/m,
    );
    expect(text).toMatch(/^kelmu_errors_total\{code="GRAPHQL_VALIDATION_FAILED"\} 1$/m);
    expect(text).toMatch(/^kelmu_errors_total\{code="UNAUTHENTICATED"\} 1$/m);
    expect(text).toMatch(/^kelmu_db_pool_connections\{state="total"\} [1-9]\d*$/m);
    expect(text).toMatch(/^kelmu_db_pool_connections\{state="waiting"\} 0$/m);
    expect(text).toMatch(/^kelmu_db_pool_max_connections 10$/m);
    expect(text).toMatch(/^process_cpu_seconds_total /m);
    await observed.close();
  });
});

describe('logs carry no personal data', () => {
  it('redact query-string values other than the list filters', () => {
    expect(
      loggableUrl(
        '/downloads/notifications.csv?status=NEW&municipalityCode=905&personalIdentityCode=010190-900P',
      ),
    ).toBe('/downloads/notifications.csv?status=NEW&municipalityCode=905&personalIdentityCode=REDACTED');
    expect(
      loggableUrl(
        `/graphql?query=${encodeURIComponent('{ notifications(filter: {personalIdentityCode: "010190-900P"}) { totalCount } }')}&operationName=Q`,
      ),
    ).toBe('/graphql?query=REDACTED&operationName=Q');
    expect(loggableUrl('/downloads/notifications/5b0c.csv')).toBe('/downloads/notifications/REDACTED.csv');
  });

  it('redact path segments that may be identity codes, and allowed values not of their own shape', () => {
    const id = '0b5a3c4e-8d52-4c8e-9d2a-6f1e2b3c4d5e';
    expect(loggableUrl(`/downloads/notifications/${id}.csv`)).toBe('/downloads/notifications/REDACTED.csv');
    expect(loggableUrl('/downloads/notifications.csv?status=NEW')).toBe(
      '/downloads/notifications.csv?status=NEW',
    );
    expect(loggableUrl('/downloads/notifications/180280-900W.csv')).toBe(
      '/downloads/notifications/REDACTED.csv',
    );
    expect(loggableUrl('/downloads/home-care-allowance-lists/180280%2D900W.csv')).toBe(
      '/downloads/home-care-allowance-lists/REDACTED.csv',
    );
    expect(loggableUrl('/180280A900W?status=NEW')).toBe('/REDACTED?status=NEW');
    expect(
      loggableUrl('/downloads/notifications.csv?municipalityCode=180280-900W&operationName=180280-900W'),
    ).toBe('/downloads/notifications.csv?municipalityCode=REDACTED&operationName=REDACTED');
  });

  it('redact identity codes from the message and stack of logged errors, but not look-alikes inside ids', () => {
    const error = new Error(
      'invalid input syntax for type uuid: "180280-900W" (request e2154276-1750-44bd-9351-e2f287b7dc2a)',
    );
    const logged = errorSerializer(error) as { message: string; stack: string };
    expect(logged.message).toBe(
      'invalid input syntax for type uuid: "REDACTED" (request e2154276-1750-44bd-9351-e2f287b7dc2a)',
    );
    expect(logged.stack).not.toContain('180280-900W');
  });

  it('drop the bound values and details of a failed query from logged errors', () => {
    const error = Object.assign(
      new Error('duplicate key value violates unique constraint "person_pic_key"'),
      {
        code: '23505',
        parameters: ['010190-900P'],
        detail: 'Key (personal_identity_code)=(010190-900P) already exists.',
        driverError: { detail: 'Key (personal_identity_code)=(010190-900P) already exists.' },
      },
    );
    const logged = JSON.stringify(errorSerializer(error));
    expect(logged).toContain('23505');
    expect(logged).not.toContain('010190-900P');
  });
});

describe('edge configuration', () => {
  const PRODUCTION = {
    NODE_ENV: 'production',
    AUTH_JWKS_URL: 'https://gateway.example.fi/jwks',
    AUTH_ISSUER: 'https://gateway.example.fi',
    AUTH_AUDIENCE: 'kelmu-graphql',
  } as const;

  it('turns introspection on in development mode and off in production unless enabled', () => {
    expect(loadConfig({}).http.introspection).toBe(true);
    expect(loadConfig(PRODUCTION).http.introspection).toBe(false);
    expect(loadConfig({ ...PRODUCTION, GRAPHQL_INTROSPECTION: 'true' }).http.introspection).toBe(true);
    expect(loadConfig({ GRAPHQL_INTROSPECTION: 'false' }).http.introspection).toBe(false);
  });

  it('has safe defaults', () => {
    expect(loadConfig(PRODUCTION)).toMatchObject({
      http: { corsOrigins: [], rateLimitPerMinute: 600, bodyLimit: '1mb', trustProxy: 0 },
      database: { poolSize: 10, connectionTimeoutMs: 5000, statementTimeoutMs: 15000 },
    });
  });

  it('reads the CORS allow-list and refuses anything that is not an origin', () => {
    expect(
      loadConfig({ CORS_ORIGINS: 'https://app.example.fi, http://localhost:5173' }).http.corsOrigins,
    ).toEqual(['https://app.example.fi', 'http://localhost:5173']);
    for (const bad of ['*', 'app.example.fi', 'https://app.example.fi/', 'https://app.example.fi/path']) {
      expect(() => loadConfig({ CORS_ORIGINS: bad })).toThrow(ConfigurationError);
      expect(() => loadConfig({ CORS_ORIGINS: bad })).toThrow(/CORS_ORIGINS/);
    }
  });

  it('refuses a malformed body limit or rate limit, naming the variable', () => {
    expect(() => loadConfig({ REQUEST_BODY_LIMIT: 'lots' })).toThrow(/REQUEST_BODY_LIMIT/);
    expect(() => loadConfig({ RATE_LIMIT_PER_MINUTE: '-1' })).toThrow(/RATE_LIMIT_PER_MINUTE/);
    expect(loadConfig({ RATE_LIMIT_PER_MINUTE: '0', REQUEST_BODY_LIMIT: '256kb' }).http).toMatchObject({
      rateLimitPerMinute: 0,
      bodyLimit: '256kb',
    });
  });
});
