import type { CodegenConfig } from '@graphql-codegen/cli';

/** Generated types follow the committed schema; every output uses the same plugins and scalar mapping. */
const operationTypes = {
  plugins: ['typescript-operations', 'typed-document-node'],
  config: {
    scalars: { Date: 'string', DateTimeISO: 'string' },
    enumsAsTypes: true,
    useTypeImports: true,
    strictScalars: true,
  },
};

/**
 * TypedDocumentNode types from the committed schema (src/schema/schema.graphql), one output per set of documents:
 * the operations the tests use, and the typed client package for frontend teams (client/). The outputs are committed;
 * test/codegen.test.ts fails when they are stale (`npm run codegen` regenerates them).
 */
const config: CodegenConfig = {
  schema: 'src/schema/schema.graphql',
  generates: {
    'test/generated/graphql.ts': { documents: ['test/operations/**/*.graphql'], ...operationTypes },
    'client/src/generated/graphql.ts': { documents: ['client/operations/**/*.graphql'], ...operationTypes },
  },
  silent: true,
};

export default config;
