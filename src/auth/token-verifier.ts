import { createLocalJWKSet, createRemoteJWKSet, errors, type JWTVerifyGetKey, jwtVerify } from 'jose';
import { z } from 'zod';
import { ViewerKind } from '../domain/enums';
import { UnauthenticatedError } from '../domain/errors';
import { grantsFromMandates, isStrongAcr, type Viewer } from './viewer';

/** The token contract (README, "Tokens"): claims the identity gateway puts in a bearer JWT. */
const claimsSchema = z.object({
  sub: z.string().min(1),
  name: z.string().optional(),
  acr: z.string().optional(),
  client_id: z.string().min(1).optional(),
  mandates: z
    .array(z.object({ municipality: z.string().regex(/^\d{3}$/), issues: z.array(z.string()) }))
    .default([]),
});

export interface TokenVerifierOptions {
  keys: JWTVerifyGetKey;
  issuer: string | undefined;
  audience: string;
}

export type TokenVerifier = (bearerToken: string) => Promise<Viewer>;

export function remoteKeys(jwksUrl: string): JWTVerifyGetKey {
  return createRemoteJWKSet(new URL(jwksUrl), { cooldownDuration: 30_000, cacheMaxAge: 600_000 });
}

export const localKeys = createLocalJWKSet;

function reasonOf(error: unknown): string {
  if (error instanceof errors.JWTExpired) return 'the token has expired';
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'the signature does not verify';
  if (error instanceof errors.JWKSNoMatchingKey) return 'no trusted key matches the token';
  if (error instanceof errors.JWTClaimValidationFailed) return `claim '${error.claim}' is not accepted`;
  return 'the token is malformed';
}

/** Verifies signature, issuer, audience and expiry with jose, then reads the claims into a viewer. */
export function createTokenVerifier({ keys, issuer, audience }: TokenVerifierOptions): TokenVerifier {
  return async (bearerToken) => {
    let payload: unknown;
    try {
      ({ payload } = await jwtVerify(bearerToken, keys, {
        issuer,
        audience,
        algorithms: ['ES256', 'ES384', 'RS256', 'PS256', 'EdDSA'],
        requiredClaims: ['sub', 'exp'],
      }));
    } catch (error) {
      throw new UnauthenticatedError(`Invalid bearer token: ${reasonOf(error)}.`);
    }
    const claims = claimsSchema.safeParse(payload);
    if (!claims.success)
      throw new UnauthenticatedError('Invalid bearer token: its claims do not follow the contract.');
    const { sub, name, acr, client_id: clientId, mandates } = claims.data;
    if (clientId) {
      // Partner systems get their rights from a stored agreement, never from token claims.
      return {
        kind: ViewerKind.PARTNER_SYSTEM,
        id: clientId,
        name: name ?? clientId,
        stronglyAuthenticated: true,
        grants: [],
      };
    }
    return {
      kind: ViewerKind.PERSON,
      id: sub,
      name: name ?? sub,
      stronglyAuthenticated: isStrongAcr(acr),
      grants: grantsFromMandates(mandates),
    };
  };
}
