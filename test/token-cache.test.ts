import http from 'node:http';
import type { JSONWebKeySet, JWTVerifyGetKey } from 'jose';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { generateSigningKey, jwksOf, type SigningKey, signToken } from '../src/auth/signing-key';
import {
  createTokenVerifier,
  DEFAULT_TOKEN_CACHE_SIZE,
  JWKS_CACHE_MAX_AGE_MS,
  localKeys,
  remoteKeys,
  type TokenVerifier,
} from '../src/auth/token-verifier';
import { UnauthenticatedError } from '../src/domain/errors';
import { isAuthenticated, type Viewer } from '../src/domain/viewer';
import { AUDIENCE, ISSUER, MAX_TOKEN_LIFETIME_SECONDS, STRONG_ACR } from './support/app';

const T0 = new Date('2026-11-02T09:00:00.000Z').getTime();
const MANDATES = [{ municipality: '905', issues: ['INTEGRATION_CLIENT_DATA'] }];

function tokenOf(
  key: SigningKey,
  { subject = 'handler-905', expiresIn = '1h', audience = AUDIENCE } = {},
): Promise<string> {
  return signToken(key, {
    issuer: ISSUER,
    audience,
    subject,
    expiresIn,
    claims: { acr: STRONG_ACR, name: 'Test Handler', mandates: MANDATES },
  });
}

/** A local key set that counts how often jose asks it for a key (once per signature verification). */
function countingKeys(jwks: JSONWebKeySet): { keys: JWTVerifyGetKey; calls: () => number } {
  const local = localKeys(jwks);
  let calls = 0;
  return {
    keys: (header, token) => {
      calls++;
      return local(header, token);
    },
    calls: () => calls,
  };
}

function verifierWith(keys: JWTVerifyGetKey, cacheSize?: number): TokenVerifier {
  return createTokenVerifier({
    keys,
    issuer: ISSUER,
    audience: AUDIENCE,
    maxTokenLifetimeSeconds: MAX_TOKEN_LIFETIME_SECONDS,
    ...(cacheSize === undefined ? {} : { cacheSize }),
  });
}

async function refusal(verify: TokenVerifier, token: string): Promise<string> {
  const error = await verify(token).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(UnauthenticatedError);
  return (error as Error).message;
}

function changedAt(token: string, index: number): string {
  const replacement = token[index] === 'A' ? 'B' : 'A';
  return token.slice(0, index) + replacement + token.slice(index + 1);
}

describe('verified tokens are cached', () => {
  let key: SigningKey;
  let counting: ReturnType<typeof countingKeys>;
  let verify: TokenVerifier;

  beforeEach(async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(T0);
    ({ key } = await generateSigningKey());
    counting = countingKeys(jwksOf(key));
    verify = verifierWith(counting.keys);
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('verifies a token once: the second request gets the same viewer without asking the key set', async () => {
    const token = await tokenOf(key);
    const first = await verify(token);
    const second = await verify(token);

    expect(counting.calls()).toBe(1);
    expect(second).toEqual(first);
    expect(second).toMatchObject({ kind: 'PERSON', id: 'handler-905', stronglyAuthenticated: true });
  });

  it('hands out a frozen viewer, so that no request can change what the next one with the same token gets', async () => {
    const token = await tokenOf(key);
    const viewer = await verify(token);
    if (!isAuthenticated(viewer)) throw new Error('expected an authenticated viewer');

    expect(() => {
      (viewer as { id: string }).id = 'someone-else';
    }).toThrow(TypeError);
    expect(() => viewer.grants.push({ municipalityCode: '499', dataContents: [], purpose: 'x' })).toThrow(
      TypeError,
    );
    expect(() => viewer.grants[0]?.dataContents.pop()).toThrow(TypeError);
    expect(await verify(token)).toEqual(viewer);
    expect((await verify(token)) as Viewer).toMatchObject({
      id: 'handler-905',
      grants: [{ municipalityCode: '905' }],
    });
  });

  it('refuses a cached token from its exp on, as jose does', async () => {
    const token = await tokenOf(key, { expiresIn: '60s' });
    await verify(token);

    vi.setSystemTime(T0 + 60_000 - 1);
    expect(await verify(token)).toMatchObject({ id: 'handler-905' });
    expect(counting.calls()).toBe(1);

    vi.setSystemTime(T0 + 60_000);
    expect(await refusal(verify, token)).toBe('Invalid bearer token: the token has expired.');
    // Without the cache, jose gives the same answer at the same instant.
    expect(await refusal(verifierWith(counting.keys, 0), token)).toBe(
      'Invalid bearer token: the token has expired.',
    );
  });

  it('serves a token that differs by one character not from the cache: it is verified, and refused', async () => {
    const token = await tokenOf(key);
    await verify(token);
    const [header = '', payload = ''] = token.split('.');

    const inPayload = changedAt(token, header.length + 1 + Math.floor(payload.length / 2));
    const inSignature = changedAt(token, token.length - 20);
    expect(await refusal(verify, inPayload)).toBe('Invalid bearer token: the signature does not verify.');
    expect(await refusal(verify, inSignature)).toBe('Invalid bearer token: the signature does not verify.');
    expect(counting.calls()).toBe(3);
    // The original is still served from the cache.
    expect(await verify(token)).toMatchObject({ id: 'handler-905' });
    expect(counting.calls()).toBe(3);
  });

  it('does not cache refusals: a token refused for its audience or lifetime is checked again each time', async () => {
    const tokens = [
      await tokenOf(key, { audience: 'some-other-service' }),
      await tokenOf(key, { expiresIn: `${MAX_TOKEN_LIFETIME_SECONDS + 1}s` }),
    ];
    for (const token of tokens) {
      const first = await refusal(verify, token);
      expect(await refusal(verify, token)).toBe(first);
    }
    expect(counting.calls()).toBe(4);
  });

  it('keeps at most cacheSize tokens, dropping the least recently used', async () => {
    const small = verifierWith(counting.keys, 2);
    const [a, b, c] = [
      await tokenOf(key, { subject: 'a' }),
      await tokenOf(key, { subject: 'b' }),
      await tokenOf(key, { subject: 'c' }),
    ] as [string, string, string];
    await small(a);
    await small(b);
    await small(a); // a is now more recent than b
    await small(c); // evicts b
    expect(counting.calls()).toBe(3);

    await small(a);
    await small(c);
    expect(counting.calls()).toBe(3);
    expect(await small(b)).toMatchObject({ id: 'b' });
    expect(counting.calls()).toBe(4);
  });

  it('has a default size of 10,000 tokens and refuses a size that is not a whole number', () => {
    expect(DEFAULT_TOKEN_CACHE_SIZE).toBe(10_000);
    expect(() => verifierWith(counting.keys, -1)).toThrow(/cache size/);
    expect(() => verifierWith(counting.keys, 1.5)).toThrow(/cache size/);
  });
});

describe('key rotation with the cache works as without it', () => {
  let body = '';
  let fetches = 0;
  let server: http.Server;
  let jwksUrl = '';

  beforeEach(async () => {
    fetches = 0;
    server = http.createServer((_req, res) => {
      fetches++;
      res.writeHead(200, { 'content-type': 'application/json' }).end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    jwksUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}/jwks.json`;
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(T0);
  });
  afterEach(async () => {
    vi.useRealTimers();
    await new Promise((done) => server.close(done));
  });

  it.each([
    ['with the cache', DEFAULT_TOKEN_CACHE_SIZE],
    ['without the cache', 0],
  ])(
    '%s: a removed key verifies until jose fetches the JWKS again, then is refused',
    async (_name, cacheSize) => {
      const { key: old } = await generateSigningKey();
      const { key: next } = await generateSigningKey();
      body = JSON.stringify(jwksOf(old));
      const verify = verifierWith(remoteKeys(jwksUrl), cacheSize);

      const early = await tokenOf(old, { subject: 'early' });
      expect(await verify(early)).toMatchObject({ id: 'early' });
      expect(fetches).toBe(1);

      // First seen late in the JWKS's cache age: trusted only as long as the JWKS it was verified with.
      vi.setSystemTime(T0 + JWKS_CACHE_MAX_AGE_MS - 60_000);
      const late = await tokenOf(old, { subject: 'late' });
      expect(await verify(late)).toMatchObject({ id: 'late' });

      // The gateway rotates: the old key is gone from its JWKS.
      body = JSON.stringify(jwksOf(next));
      vi.setSystemTime(T0 + JWKS_CACHE_MAX_AGE_MS - 1);
      expect(await verify(early)).toMatchObject({ id: 'early' });
      expect(await verify(late)).toMatchObject({ id: 'late' });
      expect(fetches).toBe(1);

      vi.setSystemTime(T0 + JWKS_CACHE_MAX_AGE_MS);
      expect(await refusal(verify, early)).toBe('Invalid bearer token: no trusted key matches the token.');
      expect(await refusal(verify, late)).toBe('Invalid bearer token: no trusted key matches the token.');
      expect(await verify(await tokenOf(next, { subject: 'new' }))).toMatchObject({ id: 'new' });
      expect(fetches).toBe(2);
    },
  );

  it('caches a token verified with a fresh JWKS: no fetch and no signature check on the next request', async () => {
    const { key } = await generateSigningKey();
    body = JSON.stringify(jwksOf(key));
    const keys = remoteKeys(jwksUrl);
    let calls = 0;
    const counted: JWTVerifyGetKey = (header, jws) => {
      calls++;
      return keys(header, jws);
    };
    const verify = verifierWith(Object.assign(counted, { trustedUntil: keys.trustedUntil }));
    const token = await tokenOf(key);

    await verify(token);
    vi.setSystemTime(T0 + JWKS_CACHE_MAX_AGE_MS - 1);
    await verify(token);
    expect([fetches, calls]).toEqual([1, 1]);
  });
});
