import 'reflect-metadata';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDataSource } from '../src/db/data-source';
import { EmbeddedPostgres } from '../src/db/embedded-postgres';
import { insertAgreementForEveryMunicipality } from '../src/db/organisation-agreements';
import { loadReferenceData } from '../src/db/reference-data';
import { MoveToProcessingDocument, ReturnToNewDocument } from './generated/graphql';
import { type EdgeEnvironment, edgeEnvironment, type Served } from './support/edge-app';
import { freePort } from './support/processes';

/**
 * PostgreSQL goes away under load and comes back. This file runs a PostgreSQL of its own (not the suite's shared one)
 * so that it can stop and start it.
 */

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(
  condition: () => Promise<boolean> | boolean,
  timeoutMs: number,
  what: string,
): Promise<number> {
  const started = Date.now();
  while (!(await condition())) {
    if (Date.now() - started > timeoutMs)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(50);
  }
  return Date.now() - started;
}

let dir: string;
let pg: EmbeddedPostgres;
let dataSource: DataSource;
let env: EdgeEnvironment;
let app: Served;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kelmu-resilience-'));
  fs.chmodSync(dir, 0o755);
  const port = await freePort();
  pg = new EmbeddedPostgres({
    databaseDir: path.join(dir, 'data'),
    user: 'postgres',
    password: 'postgres',
    port,
    // Kept on stop(): the test starts it again on the same data.
    persistent: true,
    createPostgresUser: true,
    onLog: () => {},
    onError: () => {},
  });
  await pg.initialise();
  await pg.start();
  const url = `postgres://postgres:postgres@127.0.0.1:${port}/postgres`;
  const setup = createDataSource({ url });
  await setup.initialize();
  await setup.runMigrations();
  await loadReferenceData(setup.manager);
  await insertAgreementForEveryMunicipality(setup.manager, 'Resilience test organisations');
  await setup.destroy();

  // As main.ts configures the API's pool: acquire and statement timeouts.
  dataSource = createDataSource({ url, poolSize: 10, connectionTimeoutMs: 2000, statementTimeoutMs: 5000 });
  await dataSource.initialize();
  env = await edgeEnvironment({ dataSource });
  app = await env.serve();
}, 60_000);

afterAll(async () => {
  await env?.close();
  if (dataSource?.isInitialized) await dataSource.destroy();
  await pg?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

interface Acknowledged {
  id: string;
  version: number;
  status: string;
}

interface Failure {
  status: number;
  code: string | undefined;
  message: string;
  retryAfter: string | null;
}

type MutationResult = {
  __typename: string;
  status?: string;
  version?: number;
  currentStatus?: string;
};

describe('PostgreSQL stops under load and starts again', () => {
  it('answers a coded 503 meanwhile, recovers by itself within seconds and loses no acknowledged change', async () => {
    const token = await env.tokens.handler(['905']);
    const notifications = await Promise.all(
      Array.from({ length: 8 }, () => env.given.notification({ municipalityCode: '905', ageDays: 2 })),
    );

    const acknowledged: Acknowledged[] = [];
    const failures: Failure[] = [];
    const networkErrors: string[] = [];
    let running = true;

    // One client per notification, toggling it between NEW and IN_PROCESSING as fast as the service answers.
    const client = async (id: string) => {
      let status = 'NEW';
      while (running) {
        const document = status === 'NEW' ? MoveToProcessingDocument : ReturnToNewDocument;
        try {
          const response = await app.graphql<Record<string, MutationResult>>(document, {
            variables: { id },
            token,
          });
          const result = response.body.data ? Object.values(response.body.data)[0] : undefined;
          if (response.status === 200 && result?.__typename === 'Notification' && result.status) {
            acknowledged.push({ id, version: result.version as number, status: result.status });
            status = result.status;
          } else if (result?.__typename === 'InvalidTransition' && result.currentStatus) {
            // An earlier request whose answer was lost (503) did commit.
            status = result.currentStatus;
          } else {
            for (const error of response.body.errors ?? []) {
              failures.push({
                status: response.status,
                code: error.extensions?.code,
                message: error.message,
                retryAfter: response.headers.get('retry-after'),
              });
            }
            await sleep(20);
          }
        } catch (error) {
          networkErrors.push(String(error));
          await sleep(20);
        }
      }
    };
    const clients = notifications.map((n) => client(n.id));

    await until(() => acknowledged.length >= 40, 20_000, 'changes before the outage');
    await pg.stop();
    const acknowledgedAtStop = acknowledged.length;
    await until(() => failures.length >= 20, 10_000, 'requests during the outage');
    const down = await app.get('/readyz');
    expect(down.status).toBe(503);
    expect(JSON.parse(down.body)).toMatchObject({ status: 'not ready', database: 'unreachable' });
    expect((await app.get('/healthz')).status).toBe(200);
    await sleep(500);

    await pg.start();
    const readyAfterMs = await until(
      async () => (await app.get('/readyz')).status === 200,
      10_000,
      'readiness',
    );
    const acknowledgedAtStart = acknowledged.length;
    await until(() => acknowledged.length >= acknowledgedAtStart + 40, 10_000, 'changes after the restart');
    running = false;
    await Promise.all(clients);

    // The service stayed up and every failure was the coded 503, never the driver's message.
    expect(networkErrors).toEqual([]);
    expect(failures.length).toBeGreaterThanOrEqual(20);
    for (const failure of failures) {
      expect(failure).toMatchObject({ status: 503, code: 'SERVICE_UNAVAILABLE', retryAfter: '5' });
      expect(failure.message).not.toMatch(/ECONNREFUSED|terminat|connect |57P0/i);
    }
    expect(readyAfterMs).toBeLessThan(5_000);
    expect(acknowledgedAtStop).toBeGreaterThanOrEqual(40);

    // No acknowledged change is lost: each notification is at least at its last acknowledged version, in that
    // version's state, and has an audit row for every acknowledged change.
    const rows = (await dataSource.query(
      `SELECT n.id, n.status, n.version, (SELECT count(*)::int FROM audit_event a WHERE a.notification_id = n.id) AS audits
         FROM notification n WHERE n.id = ANY($1)`,
      [notifications.map((n) => n.id)],
    )) as { id: string; status: string; version: number; audits: number }[];
    expect(rows).toHaveLength(notifications.length);
    for (const row of rows) {
      const mine = acknowledged.filter((a) => a.id === row.id);
      const last = mine.reduce<Acknowledged | undefined>(
        (latest, a) => (latest && latest.version > a.version ? latest : a),
        undefined,
      );
      expect(last).toBeDefined();
      expect(row.version).toBeGreaterThanOrEqual(last?.version ?? 0);
      if (row.version === last?.version) expect(row.status).toBe(last.status);
      expect(row.audits).toBeGreaterThanOrEqual(mine.length);
      // Versions acknowledged for one notification are all distinct: no change was acknowledged twice.
      expect(new Set(mine.map((a) => a.version)).size).toBe(mine.length);
    }
  }, 60_000);
});
