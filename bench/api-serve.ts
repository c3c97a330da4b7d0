import 'reflect-metadata';
import './access-log-key';
import fs from 'node:fs';
import type http from 'node:http';
import { Session } from 'node:inspector/promises';
import type { JSONWebKeySet } from 'jose';
import { createTokenVerifier, localKeys } from '../src/auth/token-verifier';
import { ACCESS_LOG_BATCH_MARKER, createDataSource, StatementCounter } from '../src/db/data-source';
import { createHttpServer } from '../src/http/app';
import { required, serveUntilStopped } from './child-env';

/**
 * The service alone in its own process, for bench/api.ts: createHttpServer as production runs it (jose over a JWKS,
 * shield, graphql-jit, TypeORM on pg, the access log, request logging at LOG_LEVEL, and the rate limiter when
 * RATE_LIMIT_PER_MINUTE is set), configured through the environment by the parent, which measures this process's CPU
 * from /proc. Reports its port over IPC; its log goes to stdout, which the parent drains. Stops on the IPC message
 * 'stop', when the IPC channel closes (the parent went away) or on SIGTERM, with process.exit so that --cpu-prof
 * writes its profile.
 *
 * Bench-only routes, answered before the request reaches the service's Express app (which ends in a catch-all 404):
 *   GET  /__bench/statements       {"count": SQL statements run in requests since start, "accessLog": the
 *                                  access log's batch inserts meanwhile (written in the background, not counted in
 *                                  "count")}
 * and, when BENCH_PROFILE_FILE is set, a CPU profile of only what happens between two calls (no start-up, no
 * warm-up), through the inspector as `node --cpu-prof` would record it:
 *   POST /__bench/profile/start    start V8's sampling profiler (1 ms interval)
 *   POST /__bench/profile/stop     stop it and write the .cpuprofile to BENCH_PROFILE_FILE
 */

/** StatementCounter (which leaves out the access log's background batches) that also counts those batches. */
class AccessLogAwareCounter extends StatementCounter {
  accessLog = 0;
  override logQuery(query = ''): void {
    super.logQuery(query);
    if (query.startsWith(ACCESS_LOG_BATCH_MARKER)) this.accessLog += 1;
  }
}

async function main(): Promise<void> {
  const jwks = JSON.parse(required('BENCH_JWKS')) as JSONWebKeySet;
  const statements = new AccessLogAwareCounter();
  const dataSource = createDataSource({
    url: required('BENCH_DB_URL'),
    poolSize: Number(required('BENCH_POOL_SIZE')),
    statementCounter: statements,
  });
  await dataSource.initialize();
  const rateLimitPerMinute = Number(process.env.RATE_LIMIT_PER_MINUTE ?? 0);
  const server = await createHttpServer({
    dataSource,
    verifyToken: createTokenVerifier({
      keys: localKeys(jwks),
      issuer: required('BENCH_ISSUER'),
      audience: required('BENCH_AUDIENCE'),
      maxTokenLifetimeSeconds: 12 * 3600,
    }),
    ...(rateLimitPerMinute > 0 ? { rateLimitPerMinute } : {}),
  });
  const routes = new Map<string, () => Promise<unknown>>([
    ['GET /__bench/statements', async () => ({ count: statements.count, accessLog: statements.accessLog })],
  ]);
  const profileFile = process.env.BENCH_PROFILE_FILE;
  if (profileFile) {
    const session = new Session();
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 1000 });
    routes.set('POST /__bench/profile/start', async () => {
      await session.post('Profiler.start');
      return { profiling: true };
    });
    routes.set('POST /__bench/profile/stop', async () => {
      const { profile } = await session.post('Profiler.stop');
      fs.writeFileSync(profileFile, JSON.stringify(profile));
      return { file: profileFile };
    });
  }
  // In front of Express: the service's app answers every path it does not know with its own 404.
  const service = server.httpServer.listeners('request') as ((...args: unknown[]) => void)[];
  server.httpServer.removeAllListeners('request');
  server.httpServer.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    const route = routes.get(`${req.method} ${req.url}`);
    if (!route) {
      for (const listener of service) listener.call(server.httpServer, req, res);
      return;
    }
    req.resume();
    route().then(
      (body) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body)),
      (error: unknown) => res.writeHead(500).end(String(error)),
    );
  });
  serveUntilStopped(
    server.httpServer,
    async () => {
      await server.close();
      await dataSource.destroy();
    },
    () => server.listen(0, '127.0.0.1'),
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
