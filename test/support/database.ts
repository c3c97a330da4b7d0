import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';

async function createDatabase(
  prefix: string,
  template?: string,
): Promise<{ url: string; drop: () => Promise<void> }> {
  const adminUrl = inject('adminDatabaseUrl');
  const name = `${prefix}_${randomUUID().replaceAll('-', '')}`;
  const admin = async (sql: string) => {
    const client = new pg.Client({ connectionString: adminUrl });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await admin(template ? `CREATE DATABASE ${name} TEMPLATE ${template}` : `CREATE DATABASE ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

/** A fresh database cloned from the migrated template; dropped again by the returned function. */
export function createTestDatabase() {
  return createDatabase('test', inject('templateDatabase'));
}

/** An empty database, for migration tests. */
export function createEmptyDatabase() {
  return createDatabase('empty');
}
