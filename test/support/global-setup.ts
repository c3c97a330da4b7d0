import 'reflect-metadata';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { fillPersonKeys, keyAccessLog } from '../../src/db/access-log-setup';
import { createDataSource } from '../../src/db/data-source';
import { EmbeddedPostgres } from '../../src/db/embedded-postgres';
import { insertAgreementForEveryMunicipality } from '../../src/db/organisation-agreements';
import { loadReferenceData } from '../../src/db/reference-data';
import { testAccessLogKey } from './access-log-key';
import { freePort } from './processes';

export const TEMPLATE_DATABASE = 'kelmu_template';

/** Names the organisation agreement every test database starts with; test/organisation-agreements.test.ts ends it. */
export const TEST_ORGANISATION = 'Testikunnat / Testkommunerna';

/**
 * One real PostgreSQL for the whole run: embedded (PostgreSQL 18) unless TEST_DATABASE_URL names another server
 * (e.g. the machine's PostgreSQL 15). A migrated template database is cloned for each test file.
 */
export default async function setup(project: TestProject) {
  let adminUrl = process.env.TEST_DATABASE_URL;
  let stop = async () => {};
  if (!adminUrl) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kelmu-test-'));
    fs.chmodSync(dir, 0o755);
    const port = await freePort();
    const server = new EmbeddedPostgres({
      databaseDir: path.join(dir, 'data'),
      user: 'postgres',
      password: 'postgres',
      port,
      persistent: false,
      createPostgresUser: true,
      onLog: () => {},
      onError: () => {},
    });
    await server.initialise();
    await server.start();
    adminUrl = `postgres://postgres:postgres@127.0.0.1:${port}/postgres`;
    stop = async () => {
      await server.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    };
  }
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${TEMPLATE_DATABASE} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${TEMPLATE_DATABASE}`);
  await admin.end();
  const templateUrl = new URL(adminUrl);
  templateUrl.pathname = `/${TEMPLATE_DATABASE}`;
  const dataSource = createDataSource({ url: templateUrl.toString(), accessLogKey: testAccessLogKey });
  await dataSource.initialize();
  await dataSource.runMigrations();
  await loadReferenceData(dataSource.manager);
  // Persons' mandates open data only under an organisation agreement: the tests that mint person tokens stand on one.
  await insertAgreementForEveryMunicipality(dataSource.manager, TEST_ORGANISATION);
  await keyAccessLog(dataSource, testAccessLogKey);
  await fillPersonKeys(dataSource);
  await dataSource.destroy();

  project.provide('adminDatabaseUrl', adminUrl);
  project.provide('templateDatabase', TEMPLATE_DATABASE);
  return stop;
}

declare module 'vitest' {
  export interface ProvidedContext {
    adminDatabaseUrl: string;
    templateDatabase: string;
  }
}
