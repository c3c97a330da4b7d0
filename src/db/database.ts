import path from 'node:path';
import pg from 'pg';
import type { DataSource } from 'typeorm';
import type { AppConfig } from '../config';
import { logger } from '../logger';
import { createDataSource } from './data-source';
import { startEmbeddedPostgres } from './embedded-postgres';
import { loadReferenceData } from './reference-data';

export interface Database {
  dataSource: DataSource;
  url: string;
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

/**
 * DATABASE_URL when set; otherwise the embedded PostgreSQL in DATA_DIR, started here unless another process of
 * ours (npm start while `npm run purge` runs) already serves it. Then migrations and reference data.
 */
export async function openDatabase(config: AppConfig): Promise<Database> {
  let url = config.databaseUrl;
  let stopEmbedded = async () => {};
  if (!url) {
    const port = config.embeddedPostgresPort;
    const embeddedUrl = `postgres://postgres:postgres@127.0.0.1:${port}/kelmu`;
    if (await answers(embeddedUrl)) {
      url = embeddedUrl;
    } else {
      logger.info({ port, dataDir: config.dataDir }, 'starting embedded PostgreSQL');
      const embedded = await startEmbeddedPostgres(path.join(config.dataDir), port);
      url = embedded.url;
      stopEmbedded = () => embedded.stop();
    }
  }
  const dataSource = createDataSource({ url });
  try {
    await dataSource.initialize();
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    if (applied.length > 0) logger.info({ migrations: applied.map((m) => m.name) }, 'migrations applied');
    const loaded = await loadReferenceData(dataSource.manager);
    logger.info(loaded, 'reference data loaded');
  } catch (error) {
    if (dataSource.isInitialized) await dataSource.destroy();
    await stopEmbedded();
    throw error;
  }
  return {
    dataSource,
    url,
    close: async () => {
      await dataSource.destroy();
      await stopEmbedded();
    },
  };
}
