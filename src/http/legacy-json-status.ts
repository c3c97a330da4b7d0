import type { ApolloServerPlugin } from '@apollo/server';
import Negotiator from 'negotiator';
import { ErrorCode } from '../domain/errors';

const JSON_TYPE = 'application/json';
const GRAPHQL_RESPONSE_TYPE = 'application/graphql-response+json';

/** Errors of a well-formed request that GraphQL, not HTTP, refused: the document, its variables, its operation. */
const GRAPHQL_REQUEST_ERRORS = new Set<string>([
  ErrorCode.GRAPHQL_PARSE_FAILED,
  ErrorCode.GRAPHQL_VALIDATION_FAILED,
  ErrorCode.BAD_USER_INPUT,
  ErrorCode.OPERATION_RESOLUTION_FAILURE,
]);

/**
 * True when the client names `application/json` itself (not only through `*` wildcards) and prefers it to
 * `application/graphql-response+json`, in the order Apollo negotiates them.
 */
export function asksForPlainJson(accept: string | undefined): boolean {
  if (!accept) return false;
  const named = accept
    .split(',')
    .filter((range) => !range.includes('*'))
    .join(',');
  return (
    named !== '' &&
    new Negotiator({ headers: { accept: named } }).mediaType([JSON_TYPE]) === JSON_TYPE &&
    new Negotiator({ headers: { accept } }).mediaType([JSON_TYPE, GRAPHQL_RESPONSE_TYPE]) === JSON_TYPE
  );
}

/**
 * GraphQL over HTTP, for `application/json` responses: a well-formed request is answered 200 even when its document
 * does not parse or validate or its variables do not fit ("legacy watershed" rule; the graphql-http audit checks it).
 * Apollo answers 400 to every media type. Only clients that ask for `application/json` by name get the 200; with
 * `application/graphql-response+json`, `*` or no Accept header these errors stay 400, as the README states.
 */
export const legacyJsonStatus: ApolloServerPlugin = {
  async requestDidStart({ request }) {
    if (!asksForPlainJson(request.http?.headers.get('accept'))) return;
    return {
      async willSendResponse({ response }) {
        const { body } = response;
        if (response.http.status !== 400 || body.kind !== 'single') return;
        const { data, errors } = body.singleResult;
        if (data !== undefined || !errors?.length) return;
        if (errors.every((error) => GRAPHQL_REQUEST_ERRORS.has(String(error.extensions?.code)))) {
          response.http.status = 200;
        }
      },
    };
  },
};
