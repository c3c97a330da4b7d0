import './access-log-key';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { DataSource } from 'typeorm';
import { createDataSource } from '../src/db/data-source';
import { EmbeddedPostgres } from '../src/db/embedded-postgres';
import { insertAgreementForEveryMunicipality } from '../src/db/organisation-agreements';
import { loadReferenceData } from '../src/db/reference-data';

/*
 * What the benchmarks' parents (bench/api.ts, bench/home-care-list-download.ts) share: clean-up, PostgreSQL and a
 * scratch database, and the run itself. Not for their child processes (bench/child-env.ts is): importing
 * embedded-postgres installs exit hooks on SIGINT and SIGTERM.
 */

export interface Cleanup {
  name: string;
  run: () => Promise<void>;
}

/** Everything a benchmark starts registers its clean-up here; it runs once, in reverse, at the end or on failure. */
export function cleanUpRegistry(log: (message: string) => void, timeoutMs: number) {
  const cleanups: Cleanup[] = [];
  let cleanedUp: Promise<void> | undefined;
  return {
    cleanups,
    cleanUp(): Promise<void> {
      cleanedUp ??= (async () => {
        for (const { name, run } of cleanups.reverse()) {
          try {
            await withTimeout(run(), timeoutMs, `clean-up: ${name}`);
          } catch (error) {
            log(`clean-up of ${name} failed: ${(error as Error).message}`);
          }
        }
      })();
      return cleanedUp;
    },
  };
}

export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export async function adminQuery(adminUrl: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

export interface DatabaseServer {
  adminUrl: string;
  /** 'BENCH_DATABASE_URL' or 'embedded'. */
  description: string;
  /** The embedded server's port; null on BENCH_DATABASE_URL. */
  port: number | null;
  /** The postmaster's pid when it runs here: its children's CPU is PostgreSQL's share of a load. */
  postmasterPid: number | null;
}

/** An admin URL: BENCH_DATABASE_URL, or an embedded PostgreSQL in a temp folder (`tempPrefix`…) on a free port. */
export async function startDatabaseServer(cleanups: Cleanup[], tempPrefix: string): Promise<DatabaseServer> {
  if (process.env.BENCH_DATABASE_URL) {
    return {
      adminUrl: process.env.BENCH_DATABASE_URL,
      description: 'BENCH_DATABASE_URL',
      port: null,
      postmasterPid: null,
    };
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), tempPrefix));
  fs.chmodSync(dir, 0o755);
  cleanups.push({ name: 'temp folder', run: async () => fs.rmSync(dir, { recursive: true, force: true }) });
  const port = await freePort();
  const dataDir = path.join(dir, 'data');
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    user: 'postgres',
    password: 'postgres',
    port,
    persistent: false,
    createPostgresUser: true,
    onLog: () => {},
    onError: () => {},
  });
  await server.initialise();
  cleanups.push({ name: 'embedded PostgreSQL', run: () => server.stop() });
  await server.start();
  const postmasterPid = Number(fs.readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  return {
    adminUrl: `postgres://postgres:postgres@127.0.0.1:${port}/postgres`,
    description: 'embedded',
    port,
    postmasterPid: Number.isInteger(postmasterPid) ? postmasterPid : null,
  };
}

/** A new database `namePrefix`<random> on the server, dropped at clean-up; returns its URL. */
export async function createScratchDatabase(
  cleanups: Cleanup[],
  adminUrl: string,
  namePrefix: string,
): Promise<string> {
  const name = `${namePrefix}${randomBytes(6).toString('hex')}`;
  await adminQuery(adminUrl, `CREATE DATABASE ${name}`);
  cleanups.push({
    name: `database ${name}`,
    run: () => adminQuery(adminUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  });
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** A data source on `url` (destroyed at clean-up), migrated, with the reference data; and the server's version. */
export async function openMigratedDatabase(
  cleanups: Cleanup[],
  url: string,
  poolSize?: number,
): Promise<{ dataSource: DataSource; serverVersion: string }> {
  const dataSource = createDataSource({ url, poolSize });
  await dataSource.initialize();
  cleanups.push({ name: 'data source', run: () => dataSource.destroy() });
  await dataSource.runMigrations({ transaction: 'each' });
  await loadReferenceData(dataSource.manager);
  // The service checks persons' mandates against organisation agreements (in memory): measured with the check on.
  await insertAgreementForEveryMunicipality(dataSource.manager, 'Benchmark organisations');
  const serverVersion = String(
    ((await dataSource.query('SHOW server_version')) as { server_version: string }[])[0]?.server_version,
  );
  return { dataSource, serverVersion };
}

/**
 * Runs a benchmark's main and exits: 0 when it succeeds, 1 when it fails (the error logged), 2 when it gives no
 * result within `timeoutMs`, 130 on SIGINT or SIGTERM; clean-up runs before each exit.
 */
export function runBenchmark(
  main: () => Promise<void>,
  {
    log,
    cleanUp,
    timeoutMs,
  }: { log: (message: string) => void; cleanUp: () => Promise<void>; timeoutMs: number },
): void {
  const watchdog = setTimeout(() => {
    log(`no result within ${timeoutMs} ms: stopping`);
    void cleanUp().finally(() => process.exit(2));
  }, timeoutMs);
  watchdog.unref();
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      log(`${signal}: stopping`);
      void cleanUp().finally(() => process.exit(130));
    });
  }

  main()
    .then(
      () => 0,
      (error: unknown) => {
        log(`failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
        return 1;
      },
    )
    .then(async (code) => {
      await cleanUp();
      clearTimeout(watchdog);
      process.exit(code);
    });
}
