import type pg from 'pg';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';

/**
 * Cancels the statements that a data source's pool is running at the moment (its checked-out connections only, not
 * other processes' that share the application name), from a connection of its own since the pool may be exhausted.
 * Used at the shutdown deadline: a statement waiting on a lock fails with 57014, its transaction rolls back and its
 * request is answered SERVICE_UNAVAILABLE. Call it after initialize(); connections checked out before are not seen.
 */
export function statementCanceller(dataSource: DataSource): () => Promise<number> {
  const pool = (dataSource.driver as unknown as { master?: pg.Pool }).master;
  const busy = new Set<number>();
  const pidOf = (client: pg.PoolClient) => (client as unknown as { processID?: number }).processID;
  pool?.on('acquire', (client) => {
    const pid = pidOf(client);
    if (pid) busy.add(pid);
  });
  pool?.on('release', (_error: Error | undefined, client: pg.PoolClient) => {
    const pid = pidOf(client);
    if (pid) busy.delete(pid);
  });
  pool?.on('remove', (client) => {
    const pid = pidOf(client);
    if (pid) busy.delete(pid);
  });
  return async () => {
    if (busy.size === 0) return 0;
    const url = (dataSource.options as { url?: string }).url;
    const client = new Client({ connectionString: url, connectionTimeoutMillis: 1000 });
    client.on('error', () => {});
    try {
      await client.connect();
      const result = await client.query(
        'SELECT count(*) FILTER (WHERE pg_cancel_backend(pid)) AS cancelled FROM unnest($1::int[]) AS pid',
        [[...busy]],
      );
      return Number(result.rows[0]?.cancelled ?? 0);
    } catch {
      return 0; // the database is away: nothing of ours runs there to cancel
    } finally {
      await client.end().catch(() => {});
    }
  };
}
