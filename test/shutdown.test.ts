import { type ChildProcess, execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from './support/processes';

const ROOT = path.resolve(__dirname, '..');
/** README, Shutdown: from the signal to the exit. */
const SHUTDOWN_LIMIT_MS = 10_000;
const DEMO_SUBJECT = 'demo-handler-ostrobothnia';

/**
 * `npm start`'s command as a user runs it in a terminal: its own process group, which Ctrl-C signals as a whole. Not
 * through npm itself, whose exit status after a signal is npm's (it re-raises the signal), not the service's.
 */
class Service {
  readonly child: ChildProcess;
  output = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;

  constructor(env: NodeJS.ProcessEnv) {
    this.child = spawn(process.execPath, ['-r', '@swc-node/register', 'src/main.ts'], {
      cwd: ROOT,
      env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.exited = new Promise((resolve) =>
      this.child.once('exit', (code, signal) => resolve({ code, signal, at: Date.now() })),
    );
    this.child.stdout?.on('data', (chunk: Buffer) => {
      this.output += chunk.toString();
    });
    this.child.stderr?.on('data', (chunk: Buffer) => {
      this.output += chunk.toString();
    });
  }

  /** The demo handler's token that start-up prints once it serves. */
  async token(timeoutMs = 180_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const match = /Authorization: Bearer (\S+)/.exec(this.output);
      if (match?.[1]) return match[1];
      if (this.child.exitCode !== null || Date.now() > deadline) {
        throw new Error(`the service did not start:\n${this.output}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /**
   * Signals the whole process group, as a terminal does; resolves with the exit and how long it took. `times: 2` is
   * Ctrl-C under `npm start`: the terminal's signal, then npm's forwarded copy a moment later.
   */
  async stop(signal: NodeJS.Signals, times = 1): Promise<{ code: number | null; ms: number }> {
    const sent = Date.now();
    process.kill(-(this.child.pid as number), signal);
    if (times > 1) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      process.kill(this.child.pid as number, signal);
    }
    const exit = await this.exited;
    return { code: exit.code, ms: exit.at - sent };
  }

  kill(): void {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    try {
      process.kill(-(this.child.pid as number), 'SIGKILL');
    } catch {
      // gone
    }
  }
}

interface Answer {
  status: number;
  body: { data?: Record<string, unknown>; errors?: { extensions?: { code?: string } }[] };
  connection: string | undefined;
}

function post(agent: http.Agent, port: number, token: string, body: unknown): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      {
        agent,
        port,
        host: '127.0.0.1',
        method: 'POST',
        path: '/graphql',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          text += chunk;
        });
        response.on('end', () => {
          try {
            resolve({
              status: response.statusCode ?? 0,
              body: JSON.parse(text) as Answer['body'],
              connection: response.headers.connection,
            });
          } catch (error) {
            reject(error);
          }
        });
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end(JSON.stringify(body));
  });
}

const LIST = {
  query: `query List($filter: NotificationFilter!) {
    notifications(filter: $filter, first: 5) { edges { node { id } } }
  }`,
  variables: { filter: { status: 'NEW', municipalityCode: '905' } },
};

describe('stopping the service', () => {
  let dataDir: string;
  let env: NodeJS.ProcessEnv;
  let port: number;
  let databaseUrl: string;
  const services: Service[] = [];
  /** The service the last test left running. */
  let running: { service: Service; token: string } | undefined;

  const start = async () => {
    const service = new Service(env);
    services.push(service);
    const token = await service.token();
    return { service, token };
  };
  const query = async <T>(sql: string, parameters: unknown[] = []): Promise<T[]> => {
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      return (await client.query(sql, parameters)).rows as T[];
    } finally {
      await client.end();
    }
  };

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kelmu-shutdown-'));
    fs.chmodSync(dataDir, 0o755);
    port = await freePort();
    const postgresPort = await freePort();
    databaseUrl = `postgres://postgres:postgres@127.0.0.1:${postgresPort}/kelmu`;
    env = {
      ...process.env,
      NODE_ENV: 'development',
      DATA_DIR: dataDir,
      PORT: String(port),
      EMBEDDED_POSTGRES_PORT: String(postgresPort),
      LOG_LEVEL: 'warn',
      RATE_LIMIT_PER_MINUTE: '0',
      DATABASE_URL: '',
    };
    delete env.DATABASE_URL;
  });

  afterAll(async () => {
    for (const service of services) service.kill();
    // The embedded PostgreSQL runs in a process group of its own: stop it by its pid file if a failure left it.
    const pidFile = path.join(dataDir, 'postgres', 'postmaster.pid');
    if (fs.existsSync(pidFile)) {
      const pid = Number.parseInt(fs.readFileSync(pidFile, 'utf8').split('\n')[0] ?? '', 10);
      try {
        process.kill(pid, 'SIGQUIT');
      } catch {
        // gone
      }
      for (let i = 0; i < 50 && fs.existsSync(pidFile); i += 1) await new Promise((r) => setTimeout(r, 100));
    }
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('Ctrl-C under load: every read answered has its access log entry, none more, and the log verifies', async () => {
    const { service, token } = await start();
    const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
    let answered = 0;
    let refused = 0;
    const failures: string[] = [];
    let signalled = false;
    const client = async () => {
      for (;;) {
        try {
          const answer = await post(agent, port, token, LIST);
          if (answer.status === 200 && answer.body.data) answered += 1;
          else if (
            answer.status === 503 &&
            answer.body.errors?.[0]?.extensions?.code === 'SERVICE_UNAVAILABLE' &&
            answer.connection === 'close'
          )
            refused += 1;
          else failures.push(JSON.stringify(answer));
        } catch {
          // The connection was closed or refused: the service is going away. Requests without an answer were not run.
          if (signalled) return;
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      }
    };
    const clients = Array.from({ length: 8 }, client);
    const loadDeadline = Date.now() + 120_000;
    while (answered < 200 && failures.length === 0 && Date.now() < loadDeadline) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(failures).toEqual([]);
    expect(answered).toBeGreaterThanOrEqual(200);
    signalled = true;
    const exit = await service.stop('SIGINT', 2);
    await Promise.all(clients);
    agent.destroy();

    expect(failures).toEqual([]);
    expect(exit.code).toBe(0);
    expect(exit.ms).toBeLessThan(SHUTDOWN_LIMIT_MS);
    // PostgreSQL was stopped by the service, after the service had written its log.
    expect(fs.existsSync(path.join(dataDir, 'postgres', 'postmaster.pid'))).toBe(false);

    running = await start();
    const [logged] = await query<{ count: string }>(
      `SELECT count(*) FROM access_log WHERE actor_id = $1 AND operation = 'notifications'`,
      [DEMO_SUBJECT],
    );
    expect({ logged: Number(logged?.count), answered, refused }).toEqual({
      logged: answered,
      answered,
      refused,
    });
    const verify = await promisify(execFile)('npm', ['run', '--silent', 'audit:verify'], { cwd: ROOT, env });
    expect(verify.stdout).toMatch(/all verify/);
  }, 300_000);

  it('a statement waiting on a lock is cancelled and answered 503 within the limit, and its change is not applied', async () => {
    const { service, token } = running ?? (await start());
    running = undefined;
    const [row] = await query<{ id: string }>(
      `SELECT id FROM notification WHERE municipality_code = '905' AND status = 'NEW' ORDER BY id LIMIT 1`,
    );
    const id = row?.id as string;
    const locker = new pg.Client({ connectionString: databaseUrl });
    locker.on('error', () => {}); // PostgreSQL stops with the service and ends this session
    await locker.connect();
    await locker.query('BEGIN');
    await locker.query('SELECT id FROM notification WHERE id = $1 FOR UPDATE', [id]);

    const agent = new http.Agent({ keepAlive: true });
    const blocked = post(agent, port, token, {
      query: 'mutation Move($id: ID!) { moveToProcessing(id: $id) { __typename } }',
      variables: { id },
    });
    // Wait until the mutation's statement waits on the row lock.
    const lockDeadline = Date.now() + 60_000;
    for (let waiting = 0; waiting === 0; ) {
      if (Date.now() > lockDeadline) throw new Error('the mutation never waited on the lock');
      const [activity] = await query<{ count: string }>(
        `SELECT count(*) FROM pg_stat_activity WHERE application_name = 'kelmu-graphql-api' AND wait_event_type = 'Lock'`,
      );
      waiting = Number(activity?.count);
      if (waiting === 0) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const exit = await service.stop('SIGTERM');
    const answer = await blocked;
    agent.destroy();
    await locker.end().catch(() => {});

    expect(exit.code).toBe(0);
    expect(exit.ms).toBeLessThan(SHUTDOWN_LIMIT_MS);
    expect(answer.status).toBe(503);
    expect(answer.body.errors?.[0]?.extensions?.code).toBe('SERVICE_UNAVAILABLE');

    const restarted = await start();
    const [after] = await query<{ status: string }>('SELECT status FROM notification WHERE id = $1', [id]);
    expect(after?.status).toBe('NEW');
    expect((await restarted.service.stop('SIGTERM')).code).toBe(0);
    expect(fs.existsSync(path.join(dataDir, 'postgres', 'postmaster.pid'))).toBe(false);
  }, 300_000);
});
