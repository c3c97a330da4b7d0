import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { isIntrospectionType, isObjectType, parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { permissionMap } from '../src/auth/permissions';
import { buildGraphQLSchema } from '../src/schema/build-schema';
import { startTestApp, type TestApp } from './support/app';

const schema = buildGraphQLSchema();
const objectTypes = Object.values(schema.getTypeMap()).filter(
  (type) => isObjectType(type) && !isIntrospectionType(type),
);
const map: Record<string, unknown> = permissionMap;

/** A field map is a plain object keyed by field names; anything else in the map is a shield rule. */
function fieldMapOf(entry: unknown): Record<string, unknown> | undefined {
  return entry !== null && typeof entry === 'object' && Object.getPrototypeOf(entry) === Object.prototype
    ? (entry as Record<string, unknown>)
    : undefined;
}

describe('permissionMap', () => {
  it('has a deliberate rule for every field of every object type', () => {
    const uncovered: string[] = [];
    for (const type of objectTypes) {
      if (!isObjectType(type)) continue;
      const entry = map[type.name];
      const fields = fieldMapOf(entry);
      for (const field of Object.keys(type.getFields())) {
        const covered = entry !== undefined && (fields === undefined || field in fields || '*' in fields);
        if (!covered) uncovered.push(`${type.name}.${field}`);
      }
    }
    expect(objectTypes.length).toBeGreaterThan(10);
    expect(
      uncovered,
      'fields that only the deny fallback guards: give them a rule in src/auth/permissions.ts',
    ).toEqual([]);
  });

  it('names only types and fields that exist in the schema', () => {
    const unknown: string[] = [];
    for (const [typeName, entry] of Object.entries(map)) {
      const type = schema.getType(typeName);
      if (!isObjectType(type)) {
        unknown.push(typeName);
        continue;
      }
      const fields = fieldMapOf(entry);
      if (!fields) continue;
      const existing = type.getFields();
      for (const field of Object.keys(fields)) {
        if (field !== '*' && !(field in existing)) unknown.push(`${typeName}.${field}`);
      }
    }
    expect(unknown, 'permissionMap entries with no counterpart in the schema').toEqual([]);
  });
});

describe('errors over HTTP', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(async () => {
    await app?.close();
  });

  it('reports a query for an unknown field as a validation error, not as INTERNAL', async () => {
    const document = parse('query { viewer { name shoeSize } }') as TypedDocumentNode<
      unknown,
      Record<string, never>
    >;
    const response = await app.request(document, {}, await app.tokens.handler(['905']));
    expect(response.status).toBe(400);
    expect(response.data ?? null).toBeNull();
    expect(response.errors).toEqual([
      expect.objectContaining({
        message: expect.stringContaining('Cannot query field "shoeSize" on type "Viewer"'),
        extensions: expect.objectContaining({ code: 'GRAPHQL_VALIDATION_FAILED' }),
      }),
    ]);
  });
});
