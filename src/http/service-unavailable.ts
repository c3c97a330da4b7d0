import type { ApolloServerPlugin } from '@apollo/server';
import type { GraphQLFormattedError } from 'graphql';
import { ErrorCode, RETRY_AFTER_SECONDS } from '../domain/errors';

function hasServiceUnavailable(errors: readonly GraphQLFormattedError[] | undefined): boolean {
  return errors?.some((error) => error.extensions?.code === ErrorCode.SERVICE_UNAVAILABLE) ?? false;
}

/**
 * A response carrying SERVICE_UNAVAILABLE is an HTTP 503 with Retry-After, however the error arose (a resolver, the
 * shield's fallback, formatError's mapping), so that load balancers and clients back off.
 */
export const serviceUnavailablePlugin: ApolloServerPlugin = {
  async requestDidStart() {
    return {
      async willSendResponse({ response }) {
        if (response.body.kind !== 'single' || !hasServiceUnavailable(response.body.singleResult.errors))
          return;
        response.http.status = 503;
        response.http.headers.set('retry-after', String(RETRY_AFTER_SECONDS));
      },
    };
  },
};
