import path from 'node:path';
import pg from 'pg';
import type { DataSource } from 'typeorm';
import type { AppConfig } from '../config';
import { logger } from '../logger';
import { resolveAccessLogKey, setProcessAccessLogKey } from './access-log-key';
import {
  fillPersonKeys,
  grantApplicationRole,
  keyAccessLog,
  setRetentionFloor,
  warnAboutServingRole,
} from './access-log-setup';
import { createDataSource } from './data-source';
import { startEmbeddedPostgres } from './embedded-postgres';
import { loadReferenceData } from './reference-data';

export interface Database {
  dataSource: DataSource;
  url: string;
  /** The service's start-up warning when its role could rewrite the access log (superuser or owner). */
  warnAboutRoles(): Promise<void>;
  close(): Promise<void>;
}

async function answers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.end();
    return true;
  } catch {
    return false;
  }
}

/** The embedded default's application role (the superuser `postgres` owns the schema and runs migrations). */
export const EMBEDDED_APPLICATION_ROLE = 'kelmu_app';

/**
 * DATABASE_URL when set; otherwise the embedded PostgreSQL in DATA_DIR, started here unless another process of
 * ours (npm start while `npm run purge` runs) already serves it. Then, as the owner (DATABASE_OWNER_URL, the embedded
 * superuser, else DATABASE_URL): migrations, reference data, the access log's keying and retention floor. The returned
 * data source and URL are the application role's.
 */
export async function openDatabase(
  config: AppConfig,
  /** `owner`: keep the owner's connection (bulk loads that truncate and rebuild indexes: `npm run generate`). */
  { role = 'application' }: { role?: 'application' | 'owner' } = {},
): Promise<Database> {
  const key = resolveAccessLogKey(config);
  setProcessAccessLogKey(key);
  let ownerUrl = config.databaseOwnerUrl ?? config.databaseUrl;
  let url = config.databaseUrl;
  let stopEmbedded = async () => {};
  let embeddedRole = false;
  if (!url) {
    const port = config.embeddedPostgresPort;
    const embeddedUrl = `postgres://postgres:postgres@127.0.0.1:${port}/kelmu`;
    if (await answers(embeddedUrl)) {
      ownerUrl = embeddedUrl;
    } else {
      logger.info({ port, dataDir: config.dataDir }, 'starting embedded PostgreSQL');
      const embedded = await startEmbeddedPostgres(path.join(config.dataDir), port);
      ownerUrl = embedded.url;
      stopEmbedded = () => embedded.stop();
    }
    const appUrl = new URL(ownerUrl as string);
    appUrl.username = EMBEDDED_APPLICATION_ROLE;
    appUrl.password = EMBEDDED_APPLICATION_ROLE;
    url = appUrl.toString();
    embeddedRole = true;
  }
  const owner = createDataSource({ url: ownerUrl as string, accessLogKey: key });
  let dataSource = owner;
  try {
    await owner.initialize();
    const applied = await owner.runMigrations({ transaction: 'each' });
    if (applied.length > 0) logger.info({ migrations: applied.map((m) => m.name) }, 'migrations applied');
    const loaded = await loadReferenceData(owner.manager);
    logger.info(loaded, 'reference data loaded');
    await keyAccessLog(owner, key);
    await fillPersonKeys(owner);
    // A floor only means something to a role that is not the owner (the owner could change it).
    if (url !== ownerUrl) await setRetentionFloor(owner, config.accessLogRetentionYears);
    if (embeddedRole) await createEmbeddedApplicationRole(owner);
    else if (url !== ownerUrl) await grantApplicationRole(owner, decodeURIComponent(new URL(url).username));
    if (role === 'owner') url = ownerUrl as string;
    if (url !== ownerUrl) {
      await owner.destroy();
      dataSource = createDataSource({ url, accessLogKey: key });
      await dataSource.initialize();
    }
  } catch (error) {
    if (owner.isInitialized) await owner.destroy();
    if (dataSource.isInitialized) await dataSource.destroy();
    await stopEmbedded();
    throw error;
  }
  return {
    dataSource,
    url,
    warnAboutRoles: async () => {
      const serving = await warnAboutServingRole(dataSource);
      if (serving && url === ownerUrl) {
        logger.warn(
          'set DATABASE_OWNER_URL for migrations and DATABASE_URL to an application role (README, Access log)',
        );
      }
    },
    close: async () => {
      await dataSource.destroy();
      await stopEmbedded();
    },
  };
}

/**
 * The embedded default's application role: logs in locally, owns graphile-worker's schema (so that the worker can
 * migrate it), and has the grants of grantApplicationRole on ours.
 */
async function createEmbeddedApplicationRole(owner: DataSource): Promise<void> {
  const role = EMBEDDED_APPLICATION_ROLE;
  await owner.query(`
    DO $$
    DECLARE
      r record;
    BEGIN
      IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${role}') THEN
        CREATE ROLE ${role} LOGIN PASSWORD '${role}';
      END IF;
      -- A data directory from before the two roles: graphile-worker's schema passes to the application role.
      IF EXISTS (SELECT FROM pg_namespace WHERE nspname = 'graphile_worker' AND nspowner <> '${role}'::regrole) THEN
        ALTER SCHEMA graphile_worker OWNER TO ${role};
        FOR r IN SELECT c.oid::regclass AS name, c.relkind FROM pg_class c
                  WHERE c.relnamespace = 'graphile_worker'::regnamespace AND c.relkind IN ('r', 'p', 'S', 'v', 'm')
                    -- A sequence owned by a column follows its table.
                    AND NOT EXISTS (SELECT FROM pg_depend d
                                     WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype IN ('a', 'i'))
                  ORDER BY c.relkind <> 'S' DESC LOOP
          EXECUTE format('ALTER %s %s OWNER TO ${role}',
            CASE r.relkind WHEN 'S' THEN 'SEQUENCE' WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW' ELSE 'TABLE' END,
            r.name);
        END LOOP;
        FOR r IN SELECT p.oid::regprocedure AS name FROM pg_proc p WHERE p.pronamespace = 'graphile_worker'::regnamespace LOOP
          EXECUTE format('ALTER ROUTINE %s OWNER TO ${role}', r.name);
        END LOOP;
        FOR r IN SELECT t.oid::regtype AS name FROM pg_type t
                  WHERE t.typnamespace = 'graphile_worker'::regnamespace AND t.typtype IN ('e', 'd')
                     OR (t.typnamespace = 'graphile_worker'::regnamespace AND t.typtype = 'c'
                         AND EXISTS (SELECT FROM pg_class c WHERE c.oid = t.typrelid AND c.relkind = 'c')) LOOP
          EXECUTE format('ALTER TYPE %s OWNER TO ${role}', r.name);
        END LOOP;
      END IF;
    END $$`);
  await grantApplicationRole(owner, role);
}
