import 'reflect-metadata';
import './access-log-key';
import http from 'node:http';
import { createLocalJWKSet, type JSONWebKeySet } from 'jose';
import { createTokenVerifier } from '../src/auth/token-verifier';
import { createDataSource } from '../src/db/data-source';
import { createHttpServer } from '../src/http/app';
import { required } from './child-env';

/**
 * The service alone in its own process, for bench/home-care-list-download.ts: the parent measures this process's
 * memory from /proc. Configured by the parent through the environment; prints `{"port":…}` on stdout when it
 * listens. Stops when the parent sends 'stop', when the IPC channel closes (the parent went away) or on SIGTERM.
 *
 * Over IPC it also answers memory samples: V8 heap and external memory, and their peaks since the last reset,
 * sampled every few milliseconds (what /proc cannot show: whether a peak is JS heap, buffers or native memory).
 */

interface Peaks {
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
}

function sample(): Peaks {
  const { rss, heapUsed, heapTotal, external, arrayBuffers } = process.memoryUsage();
  return { rss, heapUsed, heapTotal, external, arrayBuffers };
}

async function main(): Promise<void> {
  const jwks = JSON.parse(required('BENCH_JWKS')) as JSONWebKeySet;
  const dataSource = createDataSource({ url: required('BENCH_DB_URL'), poolSize: 5 });
  await dataSource.initialize();
  const server = await createHttpServer({
    dataSource,
    verifyToken: createTokenVerifier({
      keys: createLocalJWKSet(jwks),
      issuer: required('BENCH_ISSUER'),
      audience: required('BENCH_AUDIENCE'),
      maxTokenLifetimeSeconds: 12 * 3600,
    }),
  });
  const port = await server.listen(0, '127.0.0.1');

  // Responses in flight, to show how much each holds in its own and its socket's write buffers.
  const inFlight = new Set<http.ServerResponse>();
  server.httpServer.on('request', (_req: http.IncomingMessage, res: http.ServerResponse) => {
    inFlight.add(res);
    res.once('close', () => inFlight.delete(res));
  });
  const buffered = () =>
    [...inFlight].map((res) => ({
      response: res.writableLength,
      socket: res.socket?.writableLength ?? 0,
      needDrain: res.writableNeedDrain,
    }));

  let peaks = sample();
  const sampler = setInterval(() => {
    const now = sample();
    for (const key of Object.keys(peaks) as (keyof Peaks)[]) peaks[key] = Math.max(peaks[key], now[key]);
  }, 5);

  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    clearInterval(sampler);
    // Bounded: a stuck connection must not keep the bench alive.
    setTimeout(() => process.exit(code), 5_000).unref();
    try {
      server.httpServer.closeAllConnections();
      await server.close();
      await dataSource.destroy();
    } finally {
      process.exit(code);
    }
  };

  process.on('message', (message: { type?: string; gc?: boolean }) => {
    if (message.type === 'stop') void stop(0);
    else if (message.type === 'memory') {
      // With gc: what is live right now, garbage left out.
      if (message.gc) globalThis.gc?.();
      process.send?.({ type: 'memory', current: sample(), peaks, buffered: buffered() });
    } else if (message.type === 'reset-peaks') {
      globalThis.gc?.();
      peaks = sample();
      process.send?.({ type: 'reset-peaks', current: peaks });
    }
  });
  process.on('disconnect', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));
  process.stdout.write(`${JSON.stringify({ port })}\n`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
