import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/app';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => {
  await app?.close();
});

async function post(body: object, token: string) {
  const response = await fetch(app.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });
  return (await response.json()) as {
    data?: { municipalities: { code: string }[] };
    errors?: { extensions?: { code?: string } }[];
  };
}

describe('automatic persisted queries for partners', () => {
  it('answers a hash alone once the query has been sent with it', async () => {
    const token = await app.tokens.handler(['905']);
    const query = '{ municipalities { code } }';
    const persistedQuery = { version: 1, sha256Hash: createHash('sha256').update(query).digest('hex') };

    const unknown = await post({ extensions: { persistedQuery } }, token);
    expect(unknown.errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_NOT_FOUND');

    const registered = await post({ query, extensions: { persistedQuery } }, token);
    expect(registered.data?.municipalities).toHaveLength(308);

    const byHash = await post({ extensions: { persistedQuery } }, token);
    expect(byHash.data?.municipalities).toHaveLength(308);
  });

  it('refuses a query whose hash does not match', async () => {
    const token = await app.tokens.handler(['905']);
    const mismatch = await post(
      {
        query: '{ municipalities { code } }',
        extensions: { persistedQuery: { version: 1, sha256Hash: '0'.repeat(64) } },
      },
      token,
    );
    expect(mismatch.data).toBeUndefined();
    expect(mismatch.errors?.[0]?.extensions?.code).toBe('BAD_REQUEST');
  });
});
