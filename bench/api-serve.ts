import 'reflect-metadata';
import fs from 'node:fs';
import type http from 'node:http';
import { Session } from 'node:inspector/promises';
import type { JSONWebKeySet } from 'jose';
import { createTokenVerifier, localKeys } from '../src/auth/token-verifier';
import { createDataSource, StatementCounter } from '../src/db/data-source';
import { createHttpServer } from '../src/http/app';
import { ACCESS_LOG_INSERT, type CapturedStatement, type CapturedValue } from './api-query';
import { required } from './child-env';

/**
 * The service alone in its own process, for bench/api.ts: createHttpServer as production runs it (jose over a JWKS,
 * shield, graphql-jit, TypeORM on pg), configured through the environment by the parent, which measures this
 * process's CPU from /proc. Prints `{"port":…}` on stdout once it listens. Stops on the IPC message 'stop', when the
 * IPC channel closes (the parent went away) or on SIGTERM, with process.exit so that --cpu-prof writes its profile.
 *
 * Bench-only routes, answered before the request reaches the service's Express app (which ends in a catch-all 404):
 *   GET  /__bench/statements       {"count": SQL statements run since start, "accessLog": of them, access-log
 *                                  batch inserts (written in the background, not in a request's path)}
 *   POST /__bench/record           start recording statement texts and parameters (clears earlier ones)
 *   GET  /__bench/recorded         the statements recorded since, and stop recording
 * and, when BENCH_PROFILE_FILE is set, a CPU profile of only what happens between two calls (no start-up, no
 * warm-up), through the inspector as `node --cpu-prof` would record it:
 *   POST /__bench/profile/start    start V8's sampling profiler (1 ms interval)
 *   POST /__bench/profile/stop     stop it and write the .cpuprofile to BENCH_PROFILE_FILE
 */

function captured(value: unknown): CapturedValue {
  if (value instanceof Date) return { $date: value.toISOString() };
  if (Array.isArray(value)) return value.map(captured);
  if (value === null || ['string', 'number', 'boolean'].includes(typeof value)) return value as CapturedValue;
  if (value === undefined) return null;
  throw new Error(`unexpected SQL parameter of type ${typeof value}`);
}

/** StatementCounter that can also keep the statements' text, for the floor to replay exactly the same SQL. */
class RecordingCounter extends StatementCounter {
  recorded: CapturedStatement[] | undefined;
  accessLog = 0;
  override logQuery(query?: string, parameters?: unknown[]): void {
    super.logQuery();
    if (query !== undefined && ACCESS_LOG_INSERT.test(query)) this.accessLog += 1;
    if (this.recorded && query !== undefined) {
      this.recorded.push({ sql: query, parameters: (parameters ?? []).map(captured) });
    }
  }
}

async function main(): Promise<void> {
  const jwks = JSON.parse(required('BENCH_JWKS')) as JSONWebKeySet;
  const statements = new RecordingCounter();
  const dataSource = createDataSource({
    url: required('BENCH_DB_URL'),
    poolSize: Number(required('BENCH_POOL_SIZE')),
    statementCounter: statements,
  });
  await dataSource.initialize();
  const server = await createHttpServer({
    dataSource,
    verifyToken: createTokenVerifier({
      keys: localKeys(jwks),
      issuer: required('BENCH_ISSUER'),
      audience: required('BENCH_AUDIENCE'),
      maxTokenLifetimeSeconds: 12 * 3600,
    }),
  });
  const routes = new Map<string, () => Promise<unknown>>([
    ['GET /__bench/statements', async () => ({ count: statements.count, accessLog: statements.accessLog })],
    [
      'POST /__bench/record',
      async () => {
        statements.recorded = [];
        return { recording: true };
      },
    ],
    [
      'GET /__bench/recorded',
      async () => {
        const recorded = statements.recorded ?? [];
        statements.recorded = undefined;
        return { statements: recorded };
      },
    ],
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
  const port = await server.listen(0, '127.0.0.1');

  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
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
  process.on('message', (message: { type?: string }) => {
    if (message.type === 'stop') void stop(0);
  });
  process.on('disconnect', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));
  process.stdout.write(`${JSON.stringify({ port })}\n`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
