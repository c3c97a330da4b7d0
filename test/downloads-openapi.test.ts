import { Validator } from '@seriousme/openapi-schema-validator';
import type { OpenAPIV3_1 } from 'openapi-types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { downloadsRouter } from '../src/http/downloads';
import { startTestApp, type TestApp } from './support/app';

let app: TestApp;
let served: OpenAPIV3_1.Document;
beforeAll(async () => {
  app = await startTestApp();
  const response = await fetch(new URL('/downloads/openapi.json', app.url));
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  served = (await response.json()) as OpenAPIV3_1.Document;
});
afterAll(async () => {
  await app?.close();
});

/** The router's own routes, as OpenAPI paths: `:file` is `{id}.csv` or `{id}.xlsx`, as idAndFormat reads it. */
function routedPaths(): string[] {
  const router = downloadsRouter({
    authorization: { decide: async () => true },
    contextFor: async () => {
      throw new Error('not called');
    },
  });
  const stack = (router as unknown as { stack: { route?: { path: string | string[] } }[] }).stack;
  return stack
    .flatMap((layer) => (layer.route ? [layer.route.path].flat() : []))
    .flatMap((path) =>
      path.endsWith('/:file')
        ? [`${path.replace(':file', '{id}')}.csv`, `${path.replace(':file', '{id}')}.xlsx`]
        : [path],
    )
    .map((path) => `/downloads${path}`)
    .sort();
}

describe('the downloads described as OpenAPI 3.1 (/downloads/openapi.json)', () => {
  it('is served without a token and is a valid OpenAPI 3.1 document', async () => {
    expect(served.openapi).toBe('3.1.0');
    const result = await new Validator().validate(served as unknown as Parameters<Validator['validate']>[0]);
    expect(result.errors ?? [], JSON.stringify(result.errors)).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it('describes exactly the routes the router serves', () => {
    expect(Object.keys(served.paths ?? {}).sort()).toEqual(routedPaths());
  });

  it('every described download answers 401 without a token (the route exists), the description itself 200', async () => {
    for (const path of Object.keys(served.paths ?? {})) {
      const url = new URL(path.replace('{id}', crypto.randomUUID()), app.url);
      const response = await fetch(url);
      expect(response.status, path).toBe(path === '/downloads/openapi.json' ? 200 : 401);
      await response.arrayBuffer();
    }
  });

  it('names every query parameter the list download reads, with the values the service accepts', async () => {
    const list = served.paths?.['/downloads/notifications.csv']?.get;
    const names = ((list?.parameters ?? []) as OpenAPIV3_1.ParameterObject[])
      .map((parameter) => parameter.name)
      .sort();
    expect(names).toEqual(
      [
        'ageSignal',
        'lang',
        'municipalityCode',
        'orderBy',
        'personalIdentityCode',
        'postalCode',
        'status',
      ].sort(),
    );
    const token = await app.tokens.handler(['905']);
    const invalid = await fetch(new URL('/downloads/notifications.csv?orderBy=SIDEWAYS', app.url), {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(invalid.status).toBe(400);
    const body = (await invalid.json()) as { errors: { extensions: { code: string } }[] };
    expect(body.errors[0]?.extensions.code).toBe('BAD_USER_INPUT');
  });
});
