import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 10, "a log that proves itself": the access log's chain and the person keys become keyed MACs whose key is not
 * in the database. The key (ACCESS_LOG_KEY, two sub-keys derived from it) reaches SQL only as HMAC pads in the
 * connection's own session settings `kelmu.chain_ipad/opad` and `kelmu.person_ipad/opad`, which no other session can
 * read. HMAC-SHA256(K, m) = sha256(opad || sha256(ipad || m)), so plain SQL computes it without pgcrypto.
 *
 * Rows written before this migration stay as they are until the service's first start with the key re-chains them
 * (src/db/keyed-log-upgrade.ts): a migration cannot see the key.
 */
export class KeyedAccessLog1795800000000 implements MigrationInterface {
  name = 'KeyedAccessLog1795800000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // HMAC with one of the session's sub-keys; fails ("unrecognized configuration parameter") without the key.
    await queryRunner.query(`
      CREATE FUNCTION kelmu_hmac(key_name text, message bytea) RETURNS bytea LANGUAGE sql STABLE PARALLEL SAFE AS $$
        SELECT sha256(decode(current_setting('kelmu.' || key_name || '_opad'), 'hex')
                      || sha256(decode(current_setting('kelmu.' || key_name || '_ipad'), 'hex') || message))
      $$`);
    // The one home of the person key (src/db/person-key.ts gives the SQL fragment): a keyed MAC over the ledger's
    // salted hash, so that keys stored before the key existed are keyed by MAC-ing the stored hash itself.
    await queryRunner.query(`
      CREATE FUNCTION kelmu_person_key(code text, salt text) RETURNS bytea LANGUAGE sql STABLE PARALLEL SAFE AS $$
        SELECT sha256(decode(current_setting('kelmu.person_opad'), 'hex')
                      || sha256(decode(current_setting('kelmu.person_ipad'), 'hex')
                                || sha256(convert_to(salt || code, 'UTF8'))))
      $$`);
    // The canonical content of an entry, as access_log_hash has hashed it since the log began.
    await queryRunner.query(`
      CREATE FUNCTION access_log_content(e access_log) RETURNS bytea LANGUAGE sql IMMUTABLE AS $$
        SELECT convert_to(concat_ws('|', e.chain_seq, to_char(e.occurred_at AT TIME ZONE 'UTC',
          'YYYY-MM-DD"T"HH24:MI:SS.US'), e.actor_kind, e.actor_id, coalesce(e.organisation, ''),
          coalesce(e.data_content, ''), coalesce(e.purpose, ''), e.operation, array_to_string(e.notification_ids, ','),
          array_to_string(e.list_ids, ','), encode(sha256(convert_to(array_to_string(e.person_keys::text[], ','), 'UTF8')), 'hex')),
          'UTF8')
      $$`);
    await queryRunner.query(`
      CREATE FUNCTION access_log_mac(prev bytea, e access_log) RETURNS bytea LANGUAGE sql STABLE AS $$
        SELECT kelmu_hmac('chain', prev || access_log_content(e))
      $$`);
    // Checkpoints of the chain outside its rows: 'head' (the last position and MAC after each write, and the purge's
    // 'retention' (the last position it removed), each with a MAC, so that neither can be forged without the key.
    await queryRunner.query(`
      CREATE TABLE access_log_anchor (
        id           bigserial PRIMARY KEY,
        kind         text NOT NULL CHECK (kind IN ('head', 'retention')),
        chain_seq    bigint NOT NULL,
        hash         bytea NOT NULL,
        recorded_at  timestamptz NOT NULL DEFAULT now(),
        mac          bytea NOT NULL
      )`);
    await queryRunner.query('CREATE INDEX access_log_anchor_kind_idx ON access_log_anchor (kind, chain_seq)');
    await queryRunner.query(`
      CREATE FUNCTION access_log_anchor_mac(kind text, chain_seq bigint, hash bytea) RETURNS bytea
      LANGUAGE sql STABLE AS $$
        SELECT kelmu_hmac('chain', convert_to(kind || '|' || chain_seq || '|' || encode(hash, 'hex'), 'UTF8'))
      $$`);
    await queryRunner.query(`
      CREATE FUNCTION access_log_anchor_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'access_log_anchor is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await queryRunner.query(
      `CREATE TRIGGER access_log_anchor_append_only BEFORE UPDATE OR DELETE ON access_log_anchor
       FOR EACH ROW EXECUTE FUNCTION access_log_anchor_append_only()`,
    );
    await queryRunner.query(
      `CREATE TRIGGER access_log_anchor_no_truncate BEFORE TRUNCATE ON access_log_anchor
       FOR EACH STATEMENT EXECUTE FUNCTION access_log_anchor_append_only()`,
    );
    // The owner's floor under the retention the application asks the purge for (set at start-up by the owner).
    await queryRunner.query(`
      CREATE TABLE access_log_policy (
        id                    boolean PRIMARY KEY DEFAULT true CHECK (id),
        min_retention_years   int NOT NULL CHECK (min_retention_years >= 1)
      )`);
    // Keyed chain: the insert is refused without the key, so no session without it can extend the chain.
    await queryRunner.query(`
      CREATE OR REPLACE FUNCTION access_log_chain() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        last access_log%ROWTYPE;
      BEGIN
        IF current_setting('kelmu.chain_ipad', true) IS NULL OR current_setting('kelmu.chain_ipad', true) = '' THEN
          RAISE EXCEPTION 'access_log: this session has no ACCESS_LOG_KEY; entries cannot be chained'
            USING ERRCODE = 'insufficient_privilege';
        END IF;
        PERFORM pg_advisory_xact_lock(hashtext('access_log_chain'));
        SELECT * INTO last FROM access_log ORDER BY chain_seq DESC LIMIT 1;
        IF last.chain_seq IS NULL THEN
          -- After a purge of the whole log the chain goes on from the retention checkpoint.
          SELECT a.chain_seq, a.hash INTO last.chain_seq, last.hash
            FROM access_log_anchor a WHERE a.kind = 'retention' ORDER BY a.chain_seq DESC LIMIT 1;
        END IF;
        NEW.chain_seq := coalesce(last.chain_seq, 0) + 1;
        NEW.prev_hash := coalesce(last.hash, '\\x'::bytea);
        NEW.hash := access_log_mac(NEW.prev_hash, NEW);
        RETURN NEW;
      END $$`);
    // Every insert statement leaves a head checkpoint in the same transaction: removing the newest entries later
    // shows as a chain that stops short of its checkpoint.
    await queryRunner.query(`
      CREATE FUNCTION access_log_head_anchor() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        head access_log%ROWTYPE;
      BEGIN
        SELECT * INTO head FROM inserted ORDER BY chain_seq DESC LIMIT 1;
        IF head.chain_seq IS NOT NULL THEN
          INSERT INTO access_log_anchor (kind, chain_seq, hash, mac)
          VALUES ('head', head.chain_seq, head.hash, access_log_anchor_mac('head', head.chain_seq, head.hash));
        END IF;
        RETURN NULL;
      END $$`);
    await queryRunner.query(
      `CREATE TRIGGER access_log_head_anchor AFTER INSERT ON access_log REFERENCING NEW TABLE AS inserted
       FOR EACH STATEMENT EXECUTE FUNCTION access_log_head_anchor()`,
    );
    // The retention purge: the only deletion, run with the owner's rights (SECURITY DEFINER) by a role that has no
    // DELETE on the table itself. It removes only a prefix of the chain, never less than the owner's floor of years
    // and never as of a future instant, and records the last removed position with a MAC: verification accepts
    // exactly that prefix as missing.
    await queryRunner.query(`
      CREATE FUNCTION access_log_purge(as_of timestamptz, years int) RETURNS bigint
      LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
      DECLARE
        cutoff timestamptz;
        keep_from bigint;
        last_removed access_log%ROWTYPE;
        removed bigint;
      BEGIN
        cutoff := least(as_of, now()) - make_interval(years => greatest(years,
          coalesce((SELECT min_retention_years FROM access_log_policy), 1)));
        -- Chain order is not quite time order (batched reads are written after changes made meanwhile): only the
        -- prefix before the first entry inside the retention period goes.
        SELECT coalesce(min(chain_seq), (SELECT max(chain_seq) + 1 FROM access_log)) INTO keep_from
          FROM access_log WHERE occurred_at >= cutoff;
        SELECT * INTO last_removed FROM access_log WHERE chain_seq < keep_from ORDER BY chain_seq DESC LIMIT 1;
        IF last_removed.chain_seq IS NULL THEN
          RETURN 0;
        END IF;
        INSERT INTO access_log_anchor (kind, chain_seq, hash, mac)
        VALUES ('retention', last_removed.chain_seq, last_removed.hash,
                access_log_anchor_mac('retention', last_removed.chain_seq, last_removed.hash));
        PERFORM set_config('kelmu.access_log_retention', 'on', true);
        DELETE FROM access_log WHERE chain_seq <= last_removed.chain_seq;
        GET DIAGNOSTICS removed = ROW_COUNT;
        PERFORM set_config('kelmu.access_log_retention', 'off', true);
        RETURN removed;
      END $$`);
    await queryRunner.query('REVOKE ALL ON FUNCTION access_log_purge(timestamptz, int) FROM PUBLIC');
    await queryRunner.query('REVOKE UPDATE, DELETE, TRUNCATE ON access_log_anchor FROM PUBLIC');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP FUNCTION access_log_purge(timestamptz, int)');
    await queryRunner.query('DROP TRIGGER access_log_head_anchor ON access_log');
    await queryRunner.query('DROP FUNCTION access_log_head_anchor()');
    await queryRunner.query(`
      CREATE OR REPLACE FUNCTION access_log_chain() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        last access_log%ROWTYPE;
      BEGIN
        PERFORM pg_advisory_xact_lock(hashtext('access_log_chain'));
        SELECT * INTO last FROM access_log ORDER BY chain_seq DESC LIMIT 1;
        NEW.chain_seq := coalesce(last.chain_seq, 0) + 1;
        NEW.prev_hash := coalesce(last.hash, '\\x'::bytea);
        NEW.hash := access_log_hash(NEW.prev_hash, NEW);
        RETURN NEW;
      END $$`);
    await queryRunner.query('DROP TABLE access_log_policy');
    await queryRunner.query('DROP TABLE access_log_anchor');
    await queryRunner.query('DROP FUNCTION access_log_anchor_append_only()');
    await queryRunner.query('DROP FUNCTION access_log_anchor_mac(text, bigint, bytea)');
    await queryRunner.query('DROP FUNCTION access_log_mac(bytea, access_log)');
    await queryRunner.query('DROP FUNCTION access_log_content(access_log)');
    await queryRunner.query('DROP FUNCTION kelmu_person_key(text, text)');
    await queryRunner.query('DROP FUNCTION kelmu_hmac(text, bytea)');
  }
}
