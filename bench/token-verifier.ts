// Verifications per second of one token, without and with the verified-token cache (issue 11, lever 3).
import { generateSigningKey, jwksOf, signToken } from '../src/auth/signing-key';
import { createTokenVerifier, localKeys } from '../src/auth/token-verifier';

async function main(): Promise<void> {
  const { key } = await generateSigningKey();
  const options = {
    keys: localKeys(jwksOf(key)),
    issuer: 'bench',
    audience: 'bench',
    maxTokenLifetimeSeconds: 43_200,
  };
  const token = await signToken(key, {
    issuer: 'bench',
    audience: 'bench',
    subject: 'handler',
    expiresIn: '1h',
    claims: {
      acr: 'http://ftn.ficora.fi/2017/loa3',
      mandates: [{ municipality: '905', issues: ['INTEGRATION_CLIENT_DATA'] }],
    },
  });
  for (const [name, cacheSize] of [
    ['without cache', 0],
    ['with cache', 10_000],
  ] as const) {
    const verify = createTokenVerifier({ ...options, cacheSize });
    for (let i = 0; i < 500; i++) await verify(token);
    const n = cacheSize === 0 ? 5_000 : 200_000;
    const start = performance.now();
    for (let i = 0; i < n; i++) await verify(token);
    const ms = performance.now() - start;
    console.log(
      `${name}: ${Math.round((n / ms) * 1000)} verifications/s, ${((ms * 1000) / n).toFixed(1)} µs each`,
    );
  }
}

void main();
