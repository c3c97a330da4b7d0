import type { ApolloServerPlugin } from '@apollo/server';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import { GraphQLError, type ParseOptions, type ValidationContext, type ValidationRule } from 'graphql';
import { type ComplexityEstimator, getComplexity, simpleEstimator } from 'graphql-query-complexity';
import { CodedError, ErrorCode } from '../domain/errors';
import { requirePageSize } from '../domain/validation';

/** What one GraphQL document may ask for. README, "Limits", states the values. */
export interface QueryLimits {
  /** Nesting of selection sets (`notifications { edges { node { person { address { street } } } } }` is 6). */
  maxDepth: number;
  /** Estimated cost: each field 1, a connection's selection multiplied by its `first` (README, "Limits"). */
  maxCost: number;
  /** Aliased fields in one operation (`__typename` aliases do not count). */
  maxAliases: number;
  /** Directives (`@include`, `@skip`, …) in one operation. */
  maxDirectives: number;
  /** Lexical tokens in the document (names, punctuation, values). */
  maxTokens: number;
}

export const DEFAULT_QUERY_LIMITS: QueryLimits = {
  maxDepth: 10,
  maxCost: 10_000,
  maxAliases: 15,
  maxDirectives: 20,
  maxTokens: 1_000,
};

/** The extension each limit's rejection carries in `extensions.limit`, next to `code: GRAPHQL_VALIDATION_FAILED`. */
export type LimitName = keyof QueryLimits | 'maxBodySize';

function limitError(limit: LimitName, message: string): GraphQLError {
  return new GraphQLError(message.replace(/^Syntax Error: /, ''), {
    extensions: { code: ErrorCode.GRAPHQL_VALIDATION_FAILED, limit, http: { status: 400 } },
  });
}

/** graphql-armor's rules report through this instead of throwing, so that Apollo answers 400 with our code. */
const reportAs = (limit: LimitName) => ({
  onReject: [
    (context: ValidationContext | null, error: GraphQLError) =>
      context?.reportError(limitError(limit, error.message)),
  ],
  propagateOnRejection: false,
});

/**
 * A connection costs its selection times `first` (its default when not given, variables included), so nested pages
 * (`homeCareAllowanceLists(first: 200) { … rows(first: 200) … }`) multiply as the database work does. The first
 * `first` out of its range (1..200) is kept in `outOfRange`.
 */
const pagedEstimator =
  (outOfRange: { error?: CodedError }): ComplexityEstimator =>
  ({ args, childComplexity }) => {
    if (typeof args.first !== 'number') return undefined;
    if (!outOfRange.error) {
      try {
        requirePageSize('first', args.first);
      } catch (error) {
        if (error instanceof CodedError) outOfRange.error = error;
      }
    }
    return 1 + childComplexity * Math.max(1, args.first);
  };

/**
 * The cost limit runs once the operation and its variables are known: graphql-armor's cost rule sees only the document,
 * so `first: $first` would cost as if it were 1. graphql-query-complexity computes with the variables' values.
 *
 * An operation over the limit because a `first` is out of its range is told about that `first` (BAD_USER_INPUT naming
 * it), not about the cost; one within the limit leaves an out-of-range `first` to its resolver, which says the same.
 */
function costLimitPlugin(maxCost: number): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ request, document, schema }) {
          const outOfRange: { error?: CodedError } = {};
          let cost: number;
          try {
            cost = getComplexity({
              schema,
              query: document,
              variables: request.variables ?? {},
              ...(request.operationName ? { operationName: request.operationName } : {}),
              estimators: [pagedEstimator(outOfRange), simpleEstimator({ defaultComplexity: 1 })],
            });
          } catch {
            return; // Invalid variables: execution reports them with their own error.
          }
          if (cost <= maxCost) return;
          if (outOfRange.error) {
            throw new GraphQLError(outOfRange.error.message, {
              extensions: { ...outOfRange.error.extensions, http: { status: 400 } },
            });
          }
          throw limitError('maxCost', `Query cost limit of ${maxCost} exceeded, found ${cost}.`);
        },
      };
    },
  };
}

/**
 * The Apollo options that enforce the limits:
 * - depth, aliases and directives: graphql-armor's validation rules (rejections coded GRAPHQL_VALIDATION_FAILED with
 *   `extensions.limit`, HTTP 400);
 * - cost: graphql-query-complexity with the request's variables (above);
 * - tokens: graphql-js's own parser limit (`GRAPHQL_PARSE_FAILED`, HTTP 400). graphql-armor's token plugin throws from
 *   an Apollo hook, which Apollo 5 answers with HTTP 500;
 * - field suggestions: graphql-js's own `hideSuggestions` in validation. graphql-armor's suggestion mask is not used:
 *   it rewrites `error.message` in place, which throws on graphql-jit's execution errors (read-only messages) and
 *   turned every resolver error into INTERNAL.
 */
export function queryLimitOptions(limits: QueryLimits): {
  plugins: ApolloServerPlugin[];
  validationRules: ValidationRule[];
  parseOptions: ParseOptions;
  validationOptions: { hideSuggestions: boolean };
} {
  const armor = new ApolloArmor({
    blockFieldSuggestion: { enabled: false },
    maxDepth: { enabled: true, n: limits.maxDepth, ...reportAs('maxDepth') },
    maxAliases: { enabled: true, n: limits.maxAliases, ...reportAs('maxAliases') },
    maxDirectives: { enabled: true, n: limits.maxDirectives, ...reportAs('maxDirectives') },
    costLimit: { enabled: false },
    maxTokens: { enabled: false },
  }).protect();
  return {
    plugins: [...armor.plugins, costLimitPlugin(limits.maxCost)],
    validationRules: armor.validationRules,
    parseOptions: { maxTokens: limits.maxTokens },
    validationOptions: { hideSuggestions: true },
  };
}
