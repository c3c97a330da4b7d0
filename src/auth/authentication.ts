import type { JSONWebKeySet } from 'jose';
import type { AuthConfig } from '../config';
import type { Mandate } from '../domain/viewer';
import { jwksOf, loadOrCreateSigningKey, type SigningKey, signToken } from './signing-key';
import { createTokenVerifier, localKeys, remoteKeys, type TokenVerifier } from './token-verifier';

export interface Authentication {
  verifyToken: TokenVerifier;
  /** Present in development mode only: the local key and its JWKS. */
  development?: { key: SigningKey; jwks: JSONWebKeySet; issuer: string; audience: string };
}

/** Production verifies against the identity gateway's JWKS; development against its own local key. */
export async function createAuthentication(auth: AuthConfig): Promise<Authentication> {
  if (auth.mode === 'jwks') {
    return {
      verifyToken: createTokenVerifier({
        keys: remoteKeys(auth.jwksUrl),
        issuer: auth.issuer,
        audience: auth.audience,
        maxTokenLifetimeSeconds: auth.maxTokenLifetimeSeconds,
      }),
    };
  }
  const key = await loadOrCreateSigningKey(auth.keyFile);
  const jwks = jwksOf(key);
  return {
    verifyToken: createTokenVerifier({
      keys: localKeys(jwks),
      issuer: auth.issuer,
      audience: auth.audience,
      maxTokenLifetimeSeconds: auth.maxTokenLifetimeSeconds,
    }),
    development: { key, jwks, issuer: auth.issuer, audience: auth.audience },
  };
}

export interface HandlerTokenOptions {
  subject: string;
  name: string;
  mandates: Mandate[];
  acr?: string;
  expiresIn?: string;
}

/** A person's token as the identity gateway would issue it (token contract in the README). */
export function mintHandlerToken(
  development: NonNullable<Authentication['development']>,
  { subject, name, mandates, acr = 'http://ftn.ficora.fi/2017/loa3', expiresIn = '12h' }: HandlerTokenOptions,
): Promise<string> {
  return signToken(development.key, {
    issuer: development.issuer,
    audience: development.audience,
    subject,
    expiresIn,
    claims: {
      acr,
      name,
      mandates: mandates.map((m) => ({ municipality: m.municipality, issues: m.issues })),
    },
  });
}

/**
 * A partner system's token as the identity gateway would issue it for a client of an agreement: `client_id` and no
 * mandates, since its rights come from its organisation's agreements stored in the service.
 */
export function mintPartnerToken(
  development: NonNullable<Authentication['development']>,
  { clientId, expiresIn = '12h' }: { clientId: string; expiresIn?: string },
): Promise<string> {
  return signToken(development.key, {
    issuer: development.issuer,
    audience: development.audience,
    subject: clientId,
    expiresIn,
    claims: { client_id: clientId, name: clientId },
  });
}

/** The demo handler: integration-service mandates for the four Ostrobothnian demo municipalities. */
export const DEMO_HANDLER: HandlerTokenOptions = {
  subject: 'demo-handler-ostrobothnia',
  name: 'Demo Handler (Österbotten)',
  mandates: ['905', '499', '946', '598'].map((municipality) => ({
    municipality,
    issues: ['INTEGRATION_CLIENT_DATA'],
  })),
};
