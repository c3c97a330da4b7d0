import type { CodegenConfig } from '@graphql-codegen/cli';

/** TypedDocumentNode types for the operations the tests (and later clients) use, from the committed schema. */
const config: CodegenConfig = {
  schema: 'src/schema/schema.graphql',
  documents: ['test/operations/**/*.graphql'],
  generates: {
    'test/generated/graphql.ts': {
      plugins: ['typescript-operations', 'typed-document-node'],
      config: {
        scalars: { DateTimeISO: 'string' },
        enumsAsTypes: true,
        useTypeImports: true,
        strictScalars: true,
      },
    },
  },
  silent: true,
};

export default config;
