import { GraphQLScalarType } from 'graphql';
import { GraphQLLocalDate } from 'graphql-scalars';

/**
 * A calendar date without a time, YYYY-MM-DD (graphql-scalars' LocalDate, named Date): days Kela's rules count
 * in, such as the Helsinki date a notification was created on.
 */
export const DateScalar = new GraphQLScalarType({
  ...GraphQLLocalDate.toConfig(),
  name: 'Date',
  description:
    'A calendar date without a time, YYYY-MM-DD, e.g. 2026-03-29 (a Finnish date where a field says so).',
});
