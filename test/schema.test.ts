import fs from 'node:fs';
import path from 'node:path';
import {
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputField,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isIntrospectionType,
  isObjectType,
  isSpecifiedScalarType,
} from 'graphql';
import { describe, expect, it } from 'vitest';
import { buildGraphQLSchema, printSortedSchema } from '../src/schema/build-schema';

const schema = buildGraphQLSchema();

function isDescribed(description: string | null | undefined): boolean {
  return typeof description === 'string' && description.trim() !== '';
}

describe('the GraphQL schema', () => {
  it('matches the committed src/schema/schema.graphql', () => {
    const committed = fs.readFileSync(path.join(__dirname, '..', 'src', 'schema', 'schema.graphql'), 'utf8');
    expect(
      committed,
      'src/schema/schema.graphql is out of date with the code: run `npm run schema` and commit the result',
    ).toBe(printSortedSchema(schema));
  });

  it('describes every type, field, argument and enum value', () => {
    const undocumented: string[] = [];
    const checkArguments = (owner: string, args: readonly GraphQLArgument[]) => {
      for (const arg of args) {
        if (!isDescribed(arg.description)) undocumented.push(`${owner}(${arg.name})`);
      }
    };
    for (const type of Object.values(schema.getTypeMap())) {
      if (isIntrospectionType(type) || isSpecifiedScalarType(type)) continue;
      if (!isDescribed(type.description)) undocumented.push(type.name);
      if (isObjectType(type) || isInterfaceType(type) || isInputObjectType(type)) {
        const fields: Record<string, GraphQLField<unknown, unknown> | GraphQLInputField> = type.getFields();
        for (const field of Object.values(fields)) {
          const name = `${type.name}.${field.name}`;
          if (!isDescribed(field.description)) undocumented.push(name);
          if ('args' in field) checkArguments(name, field.args);
        }
      }
      if (isEnumType(type)) {
        for (const value of type.getValues()) {
          if (!isDescribed(value.description)) undocumented.push(`${type.name}.${value.name}`);
        }
      }
    }
    expect(undocumented, 'these schema elements have no description').toEqual([]);
  });
});
