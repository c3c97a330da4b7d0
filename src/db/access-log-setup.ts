import type { DataSource, EntityManager } from 'typeorm';
import { ConfigurationError } from '../config';
import { logger } from '../logger';
import { type AccessLogKey, keyCheck } from './access-log-key';

const KEY_CHECK_SETTING = 'access_log_key_check';

/**
 * Run once as the database owner at the first start with ACCESS_LOG_KEY (a migration cannot see the key), in one
 * transaction: verifies the unkeyed chain written before, keys the stored person keys (ledger and log) by MAC-ing the
 * stored salted hashes themselves (no identity code needed), re-chains every entry with the keyed MAC and anchors the
 * head. Afterwards it only checks that the key is the one the log was chained with.
 */
export async function keyAccessLog(
  dataSource: DataSource,
  key: AccessLogKey,
): Promise<'keyed' | 'already keyed'> {
  return dataSource.transaction(async (manager) => {
    await manager.query("SELECT pg_advisory_xact_lock(hashtext('access_log_chain'))");
    const [stored]: { value: string }[] = await manager.query(
      'SELECT value FROM app_setting WHERE key = $1',
      [KEY_CHECK_SETTING],
    );
    if (stored) {
      if (stored.value !== keyCheck(key)) {
        throw new ConfigurationError(
          'ACCESS_LOG_KEY is not the key this database’s access log was chained with: start with the original key.',
        );
      }
      return 'already keyed';
    }
    const [old]: { entries: number; first_bad: string | null }[] = await manager.query(
      `SELECT count(*)::int AS entries,
              min(chain_seq) FILTER (WHERE NOT ok) AS first_bad
         FROM (SELECT chain_seq,
                      access_log_hash(prev_hash, a) = hash
                      AND (lag(hash) OVER w IS NULL OR lag(hash) OVER w = prev_hash)
                      AND (lag(chain_seq) OVER w IS NULL OR lag(chain_seq) OVER w = chain_seq - 1) AS ok
                 FROM access_log a WINDOW w AS (ORDER BY chain_seq)) AS checked`,
    );
    if (old?.first_bad != null) {
      throw new Error(
        `The access log written before ACCESS_LOG_KEY does not verify (first bad chain position ${old.first_bad}); not re-chaining it. Investigate with the unkeyed chain before starting with a key.`,
      );
    }
    await manager.query("UPDATE notification_ledger SET person_key = kelmu_hmac('person', person_key)");
    if ((old?.entries ?? 0) > 0) await rechain(manager);
    await manager.query('INSERT INTO app_setting (key, value) VALUES ($1, $2)', [
      KEY_CHECK_SETTING,
      keyCheck(key),
    ]);
    logger.info({ entries: old?.entries ?? 0 }, 'access log keyed with ACCESS_LOG_KEY');
    return 'keyed';
  });
}

/**
 * Fills the person keys that are missing on `person`: all rows at the first start after the migration that added
 * them, and later any that a session without ACCESS_LOG_KEY wrote. Run as the owner, with the key.
 */
export async function fillPersonKeys(dataSource: DataSource): Promise<number> {
  // Setting person_key fires the trigger, which computes it in this session (which holds the key).
  const [row]: { filled: number }[] = await dataSource.query(
    `WITH filled AS (UPDATE person SET person_key = NULL WHERE person_key IS NULL RETURNING 1)
     SELECT count(*)::int AS filled FROM filled`,
  );
  const filled = row?.filled ?? 0;
  if (filled > 0) logger.info({ persons: filled }, 'person keys filled');
  return filled;
}

/** Keys the entries' person keys and recomputes the chain with the keyed MAC (the owner's triggers are off meanwhile). */
async function rechain(manager: EntityManager): Promise<void> {
  await manager.query('ALTER TABLE access_log DISABLE TRIGGER access_log_append_only');
  await manager.query(
    `UPDATE access_log SET person_keys = ARRAY(
       SELECT kelmu_hmac('person', k) FROM unnest(person_keys) WITH ORDINALITY AS u(k, i) ORDER BY i)`,
  );
  // A log purged before: the first entry links to the last purged one, recorded as the retention checkpoint.
  await manager.query(`
    DO $$
    DECLARE
      r access_log%ROWTYPE;
      prev bytea;
    BEGIN
      SELECT * INTO r FROM access_log ORDER BY chain_seq LIMIT 1;
      prev := r.prev_hash;
      IF r.chain_seq > 1 THEN
        INSERT INTO access_log_anchor (kind, chain_seq, hash, mac)
        VALUES ('retention', r.chain_seq - 1, prev, access_log_anchor_mac('retention', r.chain_seq - 1, prev));
      END IF;
      FOR r IN SELECT * FROM access_log ORDER BY chain_seq LOOP
        UPDATE access_log SET prev_hash = prev, hash = access_log_mac(prev, r) WHERE id = r.id RETURNING hash INTO prev;
      END LOOP;
      INSERT INTO access_log_anchor (kind, chain_seq, hash, mac)
      SELECT 'head', chain_seq, hash, access_log_anchor_mac('head', chain_seq, hash)
        FROM access_log ORDER BY chain_seq DESC LIMIT 1;
    END $$`);
  await manager.query('ALTER TABLE access_log ENABLE TRIGGER access_log_append_only');
}

/** The owner's floor under the retention: the application cannot ask the purge for fewer years. */
export async function setRetentionFloor(dataSource: DataSource, years: number): Promise<void> {
  await dataSource.query(
    `INSERT INTO access_log_policy (id, min_retention_years) VALUES (true, $1)
     ON CONFLICT (id) DO UPDATE SET min_retention_years = excluded.min_retention_years`,
    [years],
  );
}

/**
 * What the application role may do: read and write the application's tables, but only read and append to the access
 * log and its checkpoints; the purge goes through access_log_purge. It owns nothing of ours, so it cannot disable
 * triggers either. CREATE on the database lets graphile-worker keep its own schema.
 */
export async function grantApplicationRole(dataSource: DataSource, role: string): Promise<void> {
  const quoted = `"${role.replaceAll('"', '""')}"`;
  await dataSource.transaction(async (manager) => {
    await manager.query(
      `GRANT CONNECT, TEMPORARY, CREATE ON DATABASE "${await databaseName(manager)}" TO ${quoted}`,
    );
    await manager.query(`GRANT USAGE ON SCHEMA public TO ${quoted}`);
    await manager.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${quoted}`);
    await manager.query(`REVOKE UPDATE, DELETE, TRUNCATE ON access_log, access_log_anchor FROM ${quoted}`);
    await manager.query(`REVOKE ALL ON access_log_policy, migrations FROM ${quoted}`);
    await manager.query(`GRANT SELECT ON access_log_policy, migrations TO ${quoted}`);
    await manager.query(`GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ${quoted}`);
    await manager.query(`GRANT EXECUTE ON FUNCTION access_log_purge(timestamptz, int) TO ${quoted}`);
  });
}

async function databaseName(manager: EntityManager): Promise<string> {
  const [row]: { name: string }[] = await manager.query('SELECT current_database() AS name');
  return String(row?.name).replaceAll('"', '""');
}

/** Warns when the service runs with rights that could rewrite the log (superuser or owner of access_log). */
export async function warnAboutServingRole(
  dataSource: DataSource,
): Promise<{ role: string; superuser: boolean; owner: boolean } | undefined> {
  const [row]: { role: string; superuser: boolean; owner: boolean }[] = await dataSource.query(
    `SELECT current_user AS role,
            (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) AS superuser,
            pg_has_role(current_user, (SELECT relowner FROM pg_class WHERE oid = 'access_log'::regclass), 'USAGE') AS owner`,
  );
  if (row?.superuser || row?.owner) {
    logger.warn(
      { role: row.role, superuser: row.superuser, owner: row.owner },
      'the service connects as a role that can rewrite the access log (superuser or table owner): connect as an application role (README, Access log)',
    );
    return row;
  }
  return undefined;
}
