import { createHash } from 'node:crypto';
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  type ExportedJWKSCache,
  errors,
  type JWKSCacheInput,
  type JWTPayload,
  type JWTVerifyGetKey,
  jwksCache,
  jwtVerify,
} from 'jose';
import { LRUCache } from 'lru-cache';
import { z } from 'zod';
import { recipientMunicipalities } from '../db/reference-data';
import { ViewerKind } from '../domain/enums';
import { UnauthenticatedError } from '../domain/errors';
import { grantsFromMandates, isAuthenticated, isStrongAcr, type Viewer } from '../domain/viewer';

/** The token contract (README, "Tokens"): claims the identity gateway puts in a bearer JWT. */
const claimsSchema = z.object({
  sub: z.string().min(1),
  name: z.string().optional(),
  acr: z.string().optional(),
  client_id: z.string().min(1).optional(),
  mandates: z
    .array(
      z.union([
        z.object({ municipality: z.string().regex(/^\d{3}$/), issues: z.array(z.string()) }),
        // A recipient of Kela's social-care notices: a welfare area's id, HEL or AX (README, "Tokens").
        z.object({ welfareArea: z.string().regex(/^[A-Z]{2,4}$/), issues: z.array(z.string()) }),
      ]),
    )
    .default([]),
});

/**
 * A key resolver for jose. `trustedUntil`, asked just before a verification, says until when (epoch ms) a key that
 * verification gets may be trusted without asking the key source again; without it the keys never change.
 */
export type KeySet = JWTVerifyGetKey & { trustedUntil?: () => number };

/** Verified tokens kept by default (SHA-256 of the token -> frozen viewer); about 1 kB each. */
export const DEFAULT_TOKEN_CACHE_SIZE = 10_000;

export interface TokenVerifierOptions {
  keys: KeySet;
  /** The one accepted `iss`; required (an absent issuer would let jose accept any). */
  issuer: string;
  audience: string;
  /** Longest accepted `exp - iat`, in seconds (AUTH_MAX_TOKEN_LIFETIME_SECONDS). */
  maxTokenLifetimeSeconds: number;
  /** How many verified tokens to keep (LRU); 0 verifies every token every time. */
  cacheSize?: number;
}

export type TokenVerifier = (bearerToken: string) => Promise<Viewer>;

/** How long jose reuses a fetched JWKS: a key the gateway removes keeps verifying for at most this long. */
export const JWKS_CACHE_MAX_AGE_MS = 600_000;

export function remoteKeys(jwksUrl: string): KeySet {
  // jose writes the time of each successful fetch here; only read, never written, by this module.
  const fetched: Partial<ExportedJWKSCache> = {};
  const jwks = createRemoteJWKSet(new URL(jwksUrl), {
    cooldownDuration: 30_000,
    cacheMaxAge: JWKS_CACHE_MAX_AGE_MS,
    [jwksCache]: fetched as JWKSCacheInput,
  });
  const getKey: JWTVerifyGetKey = (header, token) => jwks(header, token);
  return Object.assign(getKey, {
    // A cached verification lives no longer than the fetched key set that vouched for it would be used: while that
    // set is fresh, jose verifies with it (or, for an unknown kid, a newer one); once stale, the verification about to
    // run fetches again, so its keys are at least as new as now.
    trustedUntil(): number {
      const now = Date.now();
      const freshUntil = (fetched.uat ?? Number.NEGATIVE_INFINITY) + JWKS_CACHE_MAX_AGE_MS;
      return now < freshUntil ? freshUntil : now + JWKS_CACHE_MAX_AGE_MS;
    },
  });
}

export const localKeys = createLocalJWKSet;

function reasonOf(error: unknown): string {
  if (error instanceof errors.JWTExpired) return 'the token has expired';
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'the signature does not verify';
  if (error instanceof errors.JWKSNoMatchingKey) return 'no trusted key matches the token';
  if (error instanceof errors.JWTClaimValidationFailed) return `claim '${error.claim}' is not accepted`;
  return 'the token is malformed';
}

/** A viewer shared by every request bearing the same token: frozen so that no request can change another's. */
function frozen(viewer: Viewer): Viewer {
  if (isAuthenticated(viewer)) {
    for (const grant of viewer.grants) Object.freeze(Object.freeze(grant).dataContents);
    Object.freeze(viewer.grants);
  }
  return Object.freeze(viewer);
}

/**
 * Verifies signature, issuer, audience, expiry and lifetime with jose, then reads the claims into a viewer.
 * Successful verifications are kept in a bounded LRU keyed by the token's SHA-256 (never the bearer token itself),
 * until the token's `exp` or, for a remote JWKS, until jose would fetch the key set again (key rotation works as
 * without the cache), whichever comes first. Refusals are not kept: each is checked again.
 */
export function createTokenVerifier({
  keys,
  issuer,
  audience,
  maxTokenLifetimeSeconds,
  cacheSize = DEFAULT_TOKEN_CACHE_SIZE,
}: TokenVerifierOptions): TokenVerifier {
  // Fail closed: jose skips the issuer and audience checks when they are empty.
  if (!issuer || !audience) throw new Error('A token verifier needs an issuer and an audience.');
  if (!(maxTokenLifetimeSeconds > 0))
    throw new Error('A token verifier needs a positive maximum token lifetime.');
  if (!(Number.isInteger(cacheSize) && cacheSize >= 0))
    throw new Error('A token verifier needs a cache size that is a whole number, 0 or more.');
  const verify = verifierOf({ keys, issuer, audience, maxTokenLifetimeSeconds });
  if (cacheSize === 0) return async (bearerToken) => frozen((await verify(bearerToken)).viewer);

  const verified = new LRUCache<string, { viewer: Viewer; expiresAt: number }>({ max: cacheSize });
  return async (bearerToken) => {
    const key = createHash('sha256').update(bearerToken).digest('base64url');
    const hit = verified.get(key);
    if (hit) {
      if (Date.now() < hit.expiresAt) return hit.viewer;
      verified.delete(key);
    }
    const trustedUntil = keys.trustedUntil?.() ?? Number.POSITIVE_INFINITY;
    const { viewer, exp } = await verify(bearerToken);
    frozen(viewer);
    // jose accepts a token while the clock's whole seconds are before exp; `nbf` needs no bound: once passed it stays so.
    const expiresAt = Math.min(exp * 1000, trustedUntil);
    if (Date.now() < expiresAt) verified.set(key, { viewer, expiresAt });
    return viewer;
  };
}

function verifierOf({
  keys,
  issuer,
  audience,
  maxTokenLifetimeSeconds,
}: Required<Omit<TokenVerifierOptions, 'cacheSize'>>) {
  return async (bearerToken: string): Promise<{ viewer: Viewer; exp: number }> => {
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
    const exp = payload.exp as number;
    if (clientId) {
      // Partner systems get their rights from a stored agreement, never from token claims.
      return {
        viewer: {
          kind: ViewerKind.PARTNER_SYSTEM,
          id: clientId,
          name: name ?? clientId,
          stronglyAuthenticated: true,
          grants: [],
        },
        exp,
      };
    }
    return {
      viewer: {
        kind: ViewerKind.PERSON,
        id: sub,
        name: name ?? sub,
        stronglyAuthenticated: isStrongAcr(acr),
        grants: grantsFromMandates(mandates, recipientMunicipalities),
      },
      exp,
    };
  };
}
