import fs from 'node:fs';
import path from 'node:path';
import {
  calculateJwkThumbprint,
  exportJWK,
  generateKeyPair,
  importJWK,
  type JSONWebKeySet,
  type JWK,
  type JWTPayload,
  SignJWT,
} from 'jose';

const ALGORITHM = 'ES256';

type PrivateKey = Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];

export interface SigningKey {
  kid: string;
  privateKey: PrivateKey;
  publicJwk: JWK;
}

export async function generateSigningKey(): Promise<{ key: SigningKey; privateJwk: JWK }> {
  const { privateKey, publicKey } = await generateKeyPair(ALGORITHM, { extractable: true });
  const privateJwk = await exportJWK(privateKey);
  const publicJwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(publicJwk);
  return {
    key: { kid, privateKey, publicJwk: { ...publicJwk, kid, alg: ALGORITHM, use: 'sig' } },
    privateJwk: { ...privateJwk, kid, alg: ALGORITHM },
  };
}

/**
 * Development mode's signing key, kept in DATA_DIR so that tokens minted with `npm run token` stay valid
 * across restarts of `npm start`.
 */
export async function loadOrCreateSigningKey(file: string): Promise<SigningKey> {
  if (fs.existsSync(file)) {
    const privateJwk = JSON.parse(fs.readFileSync(file, 'utf8')) as JWK;
    const privateKey = (await importJWK(privateJwk, ALGORITHM)) as PrivateKey;
    const { d: _secret, ...publicJwk } = privateJwk;
    return { kid: String(privateJwk.kid), privateKey, publicJwk: { ...publicJwk, use: 'sig' } };
  }
  const { key, privateJwk } = await generateSigningKey();
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(privateJwk), { mode: 0o600 });
  return key;
}

export function jwksOf(key: SigningKey): JSONWebKeySet {
  return { keys: [key.publicJwk] };
}

export interface TokenOptions {
  issuer: string;
  audience: string;
  subject: string;
  expiresIn?: string;
  claims: JWTPayload;
}

export function signToken(key: SigningKey, options: TokenOptions): Promise<string> {
  return (
    new SignJWT(options.claims)
      .setProtectedHeader({ alg: ALGORITHM, kid: key.kid, typ: 'JWT' })
      .setIssuer(options.issuer)
      .setAudience(options.audience)
      .setSubject(options.subject)
      // Expiry before issued-at: each reads the clock, and this order keeps exp - iat within the requested span even
      // when a second boundary passes between them (the verifier refuses tokens living longer than its maximum).
      .setExpirationTime(options.expiresIn ?? '12h')
      .setIssuedAt()
      .sign(key.privateKey)
  );
}
