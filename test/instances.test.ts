import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { makeWorkerUtils, type WorkerUtils } from 'graphile-worker';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuthentication, mintHandlerToken } from '../src/auth/authentication';
import { loadConfig } from '../src/config';
import { createDataSource } from '../src/db/data-source';
import { TASKS } from '../src/jobs/schedule';
import { TestClock } from './support/app';
import { createTestDatabase } from './support/database';
import { Given } from './support/given';
import { freePort, poll, runCommand, ServiceProcess } from './support/processes';

/**
 * Several instances, one truth: three API processes and two workers on one PostgreSQL, as a deployment behind a load
 * balancer runs them. Reads, changes and downloads go through all three while one is stopped with SIGTERM; afterwards
 * the access log verifies and holds exactly one entry per read answered, the audit exactly one row per change
 * applied, each job ran once, and the rate limit counted across the instances.
 */

const RATE_LIMIT = 30;
const MUNICIPALITY = '905';

let database: { url: string; drop: () => Promise<void> };
let db: pg.Pool;
let utils: WorkerUtils | undefined;
let dataDir: string;
const processes: ServiceProcess[] = [];
let env: NodeJS.ProcessEnv;

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

interface Answer {
  status: number;
  body: string;
}

/** One request over a kept-alive connection; `undefined` when no answer came (refused or reset). */
function request(
  port: number,
  method: 'GET' | 'POST',
  urlPath: string,
  token: string,
  body?: unknown,
): Promise<Answer | undefined> {
  return new Promise((resolve) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        method,
        path: urlPath,
        agent,
        headers: {
          authorization: `Bearer ${token}`,
          accept: 'application/json',
          ...(payload ? { 'content-type': 'application/json' } : {}),
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          text += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
        res.on('error', () => resolve(undefined));
      },
    );
    req.on('error', () => resolve(undefined));
    req.end(payload);
  });
}

const graphql = (port: number, token: string, query: string, variables: Record<string, unknown> = {}) =>
  request(port, 'POST', '/graphql', token, { query, variables });

const LIST = `query List($municipalityCode: String!) {
  notifications(filter: { status: NEW, municipalityCode: $municipalityCode }, first: 10) {
    edges { node { id person { lastName } } }
  }
}`;
const MOVE = 'mutation Move($id: ID!) { moveToProcessing(id: $id) { __typename } }';
const RETURN = 'mutation Return($id: ID!) { returnToNew(id: $id) { __typename } }';

function json(answer: Answer | undefined): {
  data?: Record<string, { __typename?: string } | null>;
  errors?: unknown[];
} {
  if (!answer) return {};
  try {
    return JSON.parse(answer.body);
  } catch {
    return {};
  }
}

async function count(sql: string, values: unknown[] = []): Promise<number> {
  const { rows } = await db.query<{ count: string }>(sql, values);
  return Number(rows[0]?.count);
}

beforeAll(async () => {
  database = await createTestDatabase();
  db = new pg.Pool({ connectionString: database.url, max: 4 });
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kelmu-instances-'));
  env = {
    NODE_ENV: 'development',
    DATABASE_URL: database.url,
    DATA_DIR: dataDir,
    DEMO_DATA: 'false',
    WORKER: 'off',
    LOG_LEVEL: 'info',
    RATE_LIMIT_PER_MINUTE: String(RATE_LIMIT),
    RATE_LIMIT_STORE: 'postgres',
  };
  const dataSource = createDataSource({ url: database.url });
  await dataSource.initialize();
  try {
    await new Given(dataSource, new TestClock(new Date())).notifications(40, {
      municipalityCode: MUNICIPALITY,
    });
  } finally {
    await dataSource.destroy();
  }
}, 60_000);

afterAll(async () => {
  agent.destroy();
  await Promise.all(processes.map((child) => child.stop('SIGKILL', 5_000)));
  await utils?.release();
  await db?.end();
  await database?.drop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('three API processes and two workers on one PostgreSQL', () => {
  it('keep one access log, one audit, one rate limit and one run of each job, while one instance stops', async () => {
    // The development signing key (and any other key kept in DATA_DIR) is created once, before the processes share it.
    const auth = await createAuthentication(loadConfig({ NODE_ENV: 'development', DATA_DIR: dataDir }).auth);
    const development = auth.development as NonNullable<typeof auth.development>;
    const tokenFor = (subject: string) =>
      mintHandlerToken(development, {
        subject,
        name: subject,
        mandates: [{ municipality: MUNICIPALITY, issues: ['INTEGRATION_CLIENT_DATA'] }],
        expiresIn: '1h',
      });

    const ports = await Promise.all([freePort(), freePort(), freePort()]);
    const apis = ports.map(
      (port, i) => new ServiceProcess(`api ${i + 1}`, 'src/main.ts', { ...env, PORT: String(port) }),
    );
    const workers = [1, 2].map((i) => new ServiceProcess(`worker ${i}`, 'src/cli/worker.ts', env));
    processes.push(...apis, ...workers);
    await Promise.all([
      ...apis.map((api) => api.waitFor('kelmu-graphql is serving', 90_000)),
      ...workers.map((worker) => worker.waitFor('worker started', 90_000)),
    ]);

    const ids: string[] = (
      await db.query<{ id: string }>('SELECT id FROM notification WHERE municipality_code = $1 ORDER BY id', [
        MUNICIPALITY,
      ])
    ).rows.map((row) => row.id);
    const readers = await Promise.all(Array.from({ length: 12 }, (_, i) => tokenFor(`reader-${i + 1}`)));
    const movers = await Promise.all([1, 2, 3].map((i) => tokenFor(`mover-${i}`)));
    const downloaders = await Promise.all([1, 2].map((i) => tokenFor(`downloader-${i}`)));

    let sent = 0;
    const stopped = apis[1] as ServiceProcess;
    let stopping: Promise<unknown> | undefined;
    /** Round robin over the three instances; the second gets SIGTERM once a third of the load has been sent. */
    const nextPort = (offset: number) => {
      sent += 1;
      if (sent === 60) stopping = stopped.stop('SIGTERM');
      return ports[(sent + offset) % ports.length] as number;
    };
    const answered = { reads: 0, changes: 0, downloads: 0 };
    const outcomes: string[] = [];

    const reads = readers.map(async (token, r) => {
      for (let i = 0; i < 10; i += 1) {
        const answer = await graphql(nextPort(r), token, LIST, { municipalityCode: MUNICIPALITY });
        const body = json(answer);
        outcomes.push(`read ${answer?.status ?? 'none'}`);
        if (answer?.status === 200 && body.data?.notifications && !body.errors) answered.reads += 1;
      }
    });
    const changes = movers.map(async (token, m) => {
      for (const id of ids.slice(m * 5, m * 5 + 5)) {
        for (const operation of [MOVE, RETURN]) {
          const answer = await graphql(nextPort(m), token, operation, { id });
          const result = Object.values(json(answer).data ?? {})[0];
          outcomes.push(`change ${answer?.status ?? 'none'} ${result?.__typename ?? ''}`);
          if (result?.__typename === 'Notification') answered.changes += 1;
        }
      }
    });
    const downloads = downloaders.map(async (token, d) => {
      for (let i = 0; i < 5; i += 1) {
        const answer = await request(
          nextPort(d),
          'GET',
          `/downloads/notifications.csv?status=NEW&municipalityCode=${MUNICIPALITY}`,
          token,
        );
        outcomes.push(`download ${answer?.status ?? 'none'}`);
        if (answer?.status === 200 && answer.body.includes('\r\n')) answered.downloads += 1;
      }
    });
    await Promise.all([...reads, ...changes, ...downloads]);
    expect(await stopping).toEqual({ code: 0, signal: null });

    // Every request either got an answer or never reached a live instance: nothing hangs.
    expect(answered.reads).toBeGreaterThan(40);
    expect(answered.changes).toBeGreaterThan(10);
    // Downloads are the slowest requests, so on a busy machine more of them meet the stopping instance: a few suffice.
    expect(answered.downloads).toBeGreaterThanOrEqual(3);

    // The rate limit counts across the two remaining instances: one client, 1.5 times the limit, alternating.
    const limited = await tokenFor('limited');
    const live = [ports[0], ports[2]] as number[];
    const statuses: number[] = [];
    for (let i = 0; i < RATE_LIMIT * 1.5; i += 1) {
      const answer = await graphql(live[i % 2] as number, limited, '{ viewer { dataContents } }');
      statuses.push(answer?.status ?? 0);
    }
    expect(statuses.filter((status) => status === 200)).toHaveLength(RATE_LIMIT);
    expect(statuses.filter((status) => status === 429)).toHaveLength(RATE_LIMIT / 2);

    // Each job that both schedulers enqueue runs once, on one of the two workers.
    utils = await makeWorkerUtils({ connectionString: database.url });
    const jobs = [
      { task: TASKS.immigrantNotifications, key: 'instances:weekly', payload: { asOf: '2026-11-30' } },
      { task: TASKS.purge, key: 'instances:purge', payload: {} },
    ];
    for (const job of jobs) {
      const runAt = new Date(Date.now() + 500);
      await Promise.all([0, 1].map(() => utils?.addJob(job.task, job.payload, { jobKey: job.key, runAt })));
    }
    await poll('both jobs to run', 30_000, async () => {
      return (
        (await count('SELECT count(*) FROM graphile_worker.jobs WHERE key = ANY($1)', [
          jobs.map((j) => j.key),
        ])) === 0
      );
    });
    for (const job of jobs) {
      const started = workers
        .flatMap((worker) => worker.logged('job started'))
        .filter((l) => l.jobKey === job.key);
      expect(started, job.key).toHaveLength(1);
    }

    // Stop the rest as an operator would; every pending access-log entry is written before they exit.
    const exits = await Promise.all([apis[0], apis[2], ...workers].map((child) => child?.stop('SIGTERM')));
    for (const exit of exits) expect(exit).toEqual({ code: 0, signal: null });

    const actors = (prefix: string) => `actor_id LIKE '${prefix}-%'`;
    expect(
      await count(
        `SELECT count(*) FROM access_log WHERE ${actors('reader')} AND operation = 'notifications'`,
      ),
    ).toBe(answered.reads);
    expect(await count(`SELECT count(*) FROM audit_event WHERE ${actors('mover')}`)).toBe(answered.changes);
    expect(
      await count(
        `SELECT count(*) FROM access_log WHERE ${actors('mover')} AND operation IN ('MOVE_TO_PROCESSING', 'RETURN_TO_NEW')`,
      ),
    ).toBe(answered.changes);
    expect(
      await count(
        `SELECT count(*) FROM access_log WHERE ${actors('downloader')} AND operation = 'DOWNLOAD_NOTIFICATIONS'`,
      ),
    ).toBe(answered.downloads);
    // What the notifications are now is what the answered changes say (each pair moved and returned, or neither).
    expect(await count("SELECT count(*) FROM notification WHERE status = 'IN_PROCESSING'")).toBe(
      (await count("SELECT count(*) FROM audit_event WHERE action = 'MOVE_TO_PROCESSING'")) -
        (await count("SELECT count(*) FROM audit_event WHERE action = 'RETURN_TO_NEW'")),
    );

    const verify = await runCommand('src/cli/audit-verify.ts', env);
    // Its log goes to standard error: informational lines only, no warning or error.
    const logged = verify.stderr
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as { level: number; msg?: string });
    expect(
      logged.filter((line) => line.level >= 40),
      verify.stderr,
    ).toEqual([]);
    expect(verify.code, verify.stdout).toBe(0);
    expect(verify.stdout).toMatch(/all verify/);
  }, 240_000);
});
