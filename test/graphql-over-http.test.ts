import { type AuditResult, auditServer } from 'graphql-http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asksForPlainJson } from '../src/http/legacy-json-status';
import { type EdgeEnvironment, edgeEnvironment, type Served } from './support/edge-app';

let env: EdgeEnvironment;
/** Introspection on, as `GRAPHQL_INTROSPECTION=true` sets it: the audit's requests query `__typename` and the schema. */
let app: Served;
beforeAll(async () => {
  env = await edgeEnvironment();
  app = await env.serve({ introspection: true });
});
afterAll(async () => {
  await env?.close();
});

const failing = (results: AuditResult[]) =>
  results
    .filter((result) => result.status !== 'ok')
    .map((result) => `${result.id} ${result.name}: ${'reason' in result ? result.reason : ''}`);

describe('the GraphQL over HTTP audit (graphql-http)', () => {
  it('passes every MUST and at least 21 of the 23 SHOULDs', async () => {
    const results = await auditServer({ url: app.url });
    const must = results.filter((result) => result.name.startsWith('MUST'));
    const should = results.filter((result) => result.name.startsWith('SHOULD'));
    expect(must.length).toBeGreaterThanOrEqual(13);
    expect(should.length).toBeGreaterThanOrEqual(23);
    expect(failing(must), 'failing MUSTs').toEqual([]);
    const shouldPassed = should.filter((result) => result.status === 'ok').length;
    expect(shouldPassed, `failing SHOULDs:\n${failing(should).join('\n')}`).toBeGreaterThanOrEqual(21);
  });
});

describe('status of GraphQL errors by the media type asked for', () => {
  const invalid = '{ nothingHere }';
  it.each([
    ['application/json', 200],
    ['application/json, application/graphql-response+json;q=0.9', 200],
    ['application/graphql-response+json', 400],
    ['application/graphql-response+json, application/json;q=0.9', 400],
    ['*/*', 400],
  ])('Accept: %s gets %i for a validation error', async (accept, status) => {
    const response = await app.graphql(invalid, { headers: { accept } });
    expect(response.status).toBe(status);
    expect(response.body.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(response.body.data).toBeUndefined();
  });

  it('without an Accept header keeps 400', async () => {
    const response = await fetch(app.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: '' },
      body: JSON.stringify({ query: invalid }),
    });
    expect(response.status).toBe(400);
  });

  it('a body that is not JSON stays 400 with application/json', async () => {
    const response = await fetch(app.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: '{ "not a JSON',
    });
    expect(response.status).toBe(400);
  });

  it('an unauthenticated request stays 401 with application/json', async () => {
    const response = await app.graphql('{ viewer { name } }', {
      headers: { accept: 'application/json', authorization: 'Bearer not-a-token' },
    });
    expect(response.status).toBe(401);
  });

  it('names application/json only when the client does', () => {
    expect(asksForPlainJson('application/json')).toBe(true);
    expect(asksForPlainJson('text/html, application/json;q=0.5')).toBe(true);
    expect(asksForPlainJson('*/*')).toBe(false);
    expect(asksForPlainJson('application/*')).toBe(false);
    expect(asksForPlainJson(undefined)).toBe(false);
    expect(asksForPlainJson('application/graphql-response+json')).toBe(false);
  });
});
