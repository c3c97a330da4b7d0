import {
  createLocalJWKSet,
  createRemoteJWKSet,
  errors,
  type JWTPayload,
  type JWTVerifyGetKey,
  jwtVerify,
} from 'jose';
import { z } from 'zod';
import { ViewerKind } from '../domain/enums';
import { UnauthenticatedError } from '../domain/errors';
import { grantsFromMandates, isStrongAcr, type Viewer } from '../domain/viewer';

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
  /** The one accepted `iss`; required (an absent issuer would let jose accept any). */
  issuer: string;
  audience: string;
  /** Longest accepted `exp - iat`, in seconds (AUTH_MAX_TOKEN_LIFETIME_SECONDS). */
  maxTokenLifetimeSeconds: number;
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
export function createTokenVerifier({
  keys,
  issuer,
  audience,
  maxTokenLifetimeSeconds,
}: TokenVerifierOptions): TokenVerifier {
  // Fail closed: jose skips the issuer and audience checks when they are empty.
  if (!issuer || !audience) throw new Error('A token verifier needs an issuer and an audience.');
  if (!(maxTokenLifetimeSeconds > 0))
    throw new Error('A token verifier needs a positive maximum token lifetime.');
  return async (bearerToken) => {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(bearerToken, keys, {
        issuer,
        audience,
        algorithms: ['ES256', 'ES384', 'RS256', 'PS256', 'EdDSA'],
        requiredClaims: ['sub', 'exp', 'iat'],
      }));
    } catch (error) {
      throw new UnauthenticatedError(`Invalid bearer token: ${reasonOf(error)}.`);
    }
    // jose has checked that both are numeric dates; a stolen long-lived token must not stay usable for years.
    if ((payload.exp as number) - (payload.iat as number) > maxTokenLifetimeSeconds) {
      throw new UnauthenticatedError(
        `Invalid bearer token: its lifetime (exp - iat) exceeds ${maxTokenLifetimeSeconds} s.`,
      );
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
