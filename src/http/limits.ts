import { createHash } from 'node:crypto';
import type { ApolloServerPlugin } from '@apollo/server';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import {
  type DocumentNode,
  GraphQLError,
  type GraphQLSchema,
  type ParseOptions,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';
import { type ComplexityEstimator, getComplexity, simpleEstimator } from 'graphql-query-complexity';
import { LRUCache } from 'lru-cache';
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
/** A cost estimate: the total, and the first page size out of range met on the way. */
interface Cost {
  cost: number;
  outOfRange?: CodedError;
}

function estimateCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Record<string, unknown>,
  operationName: string | undefined,
): Cost | undefined {
  const outOfRange: { error?: CodedError } = {};
  try {
    const cost = getComplexity({
      schema,
      query: document,
      variables,
      ...(operationName ? { operationName } : {}),
      estimators: [pagedEstimator(outOfRange), simpleEstimator({ defaultComplexity: 1 })],
    });
    return { cost, ...(outOfRange.error ? { outOfRange: outOfRange.error } : {}) };
  } catch {
    return undefined; // Invalid variables: execution reports them with their own error.
  }
}

function costLimitPlugin(maxCost: number): ApolloServerPlugin {
  // The estimate depends on the document, the operation and the variables only: a client's repeated operation (a list
  // paged with the same variables, say) is estimated once. Documents are Apollo's cached parse results.
  const estimates = new WeakMap<DocumentNode, LRUCache<string, Cost | 'invalid'>>();
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ request, document, schema }) {
          const variables = request.variables ?? {};
          let byVariables = estimates.get(document);
          if (!byVariables) {
            byVariables = new LRUCache({ max: 100 });
            estimates.set(document, byVariables);
          }
          // Hashed: variables may hold identity codes, which a long-lived cache must not keep.
          const key = createHash('sha256')
            .update(`${request.operationName ?? ''}:${JSON.stringify(variables)}`)
            .digest('base64');
          let estimate = byVariables.get(key);
          if (estimate === undefined) {
            estimate = estimateCost(schema, document, variables, request.operationName) ?? 'invalid';
            byVariables.set(key, estimate);
          }
          if (estimate === 'invalid' || estimate.cost <= maxCost) return;
          if (estimate.outOfRange) {
            throw new GraphQLError(estimate.outOfRange.message, {
              extensions: { ...estimate.outOfRange.extensions, http: { status: 400 } },
            });
          }
          throw limitError('maxCost', `Query cost limit of ${maxCost} exceeded, found ${estimate.cost}.`);
        },
      };
    },
  };
}

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
