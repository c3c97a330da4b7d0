import type { GatewayExecutor, GatewayInterface } from '@apollo/server-gateway-interface';
import { type GraphQLSchema, printSchema } from 'graphql';
import { type CompiledQuery, compileQuery, isCompiledQuery } from 'graphql-jit';
import { LRUCache } from 'lru-cache';

/**
 * Serves the schema through Apollo's gateway hook so that operations run through graphql-jit: each distinct operation
 * is compiled once into JavaScript and reused, instead of being interpreted field by field on every request. Apollo
 * still parses, validates, formats errors and runs its plugins; the shield middleware is part of the schema's
 * resolvers, so every rule runs exactly as under graphql-js.
 */
export function jitGateway(schema: GraphQLSchema, maxCompiledOperations = 1000): GatewayInterface {
  const compiled = new LRUCache<string, CompiledQuery>({ max: maxCompiledOperations });
  const executor: GatewayExecutor = async (requestContext) => {
    // When Apollo could not resolve the requested operation it passes operationName null; compiling with the name the
    // client sent makes graphql-jit report the unknown operation, which Apollo answers as OPERATION_RESOLUTION_FAILURE.
    const operationName = requestContext.operation
      ? (requestContext.operationName ?? undefined)
      : (requestContext.request.operationName ?? undefined);
    const key = `${requestContext.queryHash}:${requestContext.operation ? '' : '!'}${operationName ?? ''}`;
    let query = compiled.get(key);
    if (!query) {
      const result = compileQuery(schema, requestContext.document, operationName);
      // Compilation only fails on documents graphql-js would reject too: hand back its errors as a result.
      if (!isCompiledQuery(result)) return result;
      query = result;
      compiled.set(key, query);
    }
    return query.query(undefined, requestContext.context, requestContext.request.variables ?? {});
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
