import type { GatewayExecutor, GatewayInterface } from '@apollo/server-gateway-interface';
import { GraphQLError, printSchema } from 'graphql';
import { type CompiledQuery, compileQuery, isCompiledQuery } from 'graphql-jit';
import { LRUCache } from 'lru-cache';
import type { OperationShield } from '../auth/operation-shield';
import { ErrorCode } from '../domain/errors';
import { variableErrors } from './variables';

/**
 * Serves the schema through Apollo's gateway hook so that operations run through graphql-jit: each distinct operation
 * is compiled once into JavaScript and reused, instead of being interpreted field by field on every request. Apollo
 * still parses, validates, formats errors and runs its plugins; the shield middleware is part of the schema's
 * resolvers, so every rule runs exactly as under graphql-js.
 */
export function jitGateway(schemas: OperationShield, maxCompiledOperations = 1000): GatewayInterface {
  const schema = schemas.shielded;
  const compiled = new LRUCache<string, CompiledQuery>({ max: maxCompiledOperations });
  const executor: GatewayExecutor = async (requestContext) => {
    // When Apollo could not resolve the requested operation it passes operationName null; compiling with the name the
    // client sent makes graphql-jit report the unknown operation, which Apollo answers as OPERATION_RESOLUTION_FAILURE.
    const operationName = requestContext.operation
      ? (requestContext.operationName ?? undefined)
      : (requestContext.request.operationName ?? undefined);
    const variables = requestContext.request.variables ?? {};
    // The permission map decides per operation whether the per-field shield is needed (src/auth/operation-shield.ts).
    const path = requestContext.operation
      ? await schemas.pathFor(requestContext.document, operationName, variables, requestContext.context)
      : 'shielded';
    const key = `${path}:${requestContext.queryHash}:${requestContext.operation ? '' : '!'}${operationName ?? ''}`;
    let query = compiled.get(key);
    if (!query) {
      const result = compileQuery(schemas[path], requestContext.document, operationName);
      // Compilation only fails on documents graphql-js would reject too: hand back its errors as a result.
      if (!isCompiledQuery(result)) return result;
      query = result;
      compiled.set(key, query);
    }
    const result = query.query(undefined, requestContext.context, variables);
    // graphql-jit answers variables it cannot coerce with errors alone, no data, and no code on them (a 500 in
    // Apollo's eyes). Only then are they checked again, with graphql-js, for errors coded BAD_USER_INPUT (400) that
    // name each variable but never its value: the happy path pays nothing.
    if ('then' in result || result.data !== undefined || !result.errors?.length) return result;
    const errors = variableErrors(schema, requestContext.operation?.variableDefinitions ?? [], variables);
    return { errors: errors.length > 0 ? errors : [invalidVariables()] };
  };
  return {
    async load() {
      return { executor };
    },
    onSchemaLoadOrUpdate(callback) {
      callback({ apiSchema: schema, coreSupergraphSdl: printSchema(schema) });
      return () => {};
    },
    async stop() {},
  };
}

/** graphql-jit refused variables that graphql-js accepts: still the client's input, said without quoting it. */
function invalidVariables(): GraphQLError {
  return new GraphQLError('The variables do not match the types the operation declares.', {
    extensions: { code: ErrorCode.BAD_USER_INPUT, http: { status: 400 } },
  });
}
