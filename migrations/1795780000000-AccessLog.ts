import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Kela's onboarding rules: the receiving organisation must be able to monitor the use of the data. Every read of
 * personal data and every change is logged here. Append-only (triggers refuse UPDATE, and DELETE except the retention
 * purge), and each entry's hash chains to the previous one so that a removed or altered entry is detected.
 */
export class AccessLog1795780000000 implements MigrationInterface {
  name = 'AccessLog1795780000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE access_log (
        id                bigserial PRIMARY KEY,
        chain_seq         bigint NOT NULL UNIQUE,
        occurred_at       timestamptz NOT NULL,
        actor_kind        text NOT NULL,
        actor_id          text NOT NULL,
        organisation      text,
        data_content      text,
        purpose           text,
        operation         text NOT NULL,
        notification_ids  uuid[] NOT NULL DEFAULT '{}',
        list_ids          uuid[] NOT NULL DEFAULT '{}',
        person_keys       bytea[] NOT NULL DEFAULT '{}',
        prev_hash         bytea NOT NULL,
        hash              bytea NOT NULL
      )`);
    await queryRunner.query('CREATE INDEX access_log_occurred_idx ON access_log (organisation, occurred_at)');
    await queryRunner.query('CREATE INDEX access_log_actor_idx ON access_log (actor_id, occurred_at)');
    await queryRunner.query(
      'CREATE INDEX access_log_notifications_idx ON access_log USING gin (notification_ids)',
    );
    await queryRunner.query('CREATE INDEX access_log_persons_idx ON access_log USING gin (person_keys)');
    // The canonical content of an entry; the trigger and the verification hash exactly this.
    await queryRunner.query(`
      CREATE FUNCTION access_log_hash(prev bytea, e access_log) RETURNS bytea LANGUAGE sql IMMUTABLE AS $$
        SELECT sha256(prev || convert_to(concat_ws('|', e.chain_seq, to_char(e.occurred_at AT TIME ZONE 'UTC',
          'YYYY-MM-DD"T"HH24:MI:SS.US'), e.actor_kind, e.actor_id, coalesce(e.organisation, ''),
          coalesce(e.data_content, ''), coalesce(e.purpose, ''), e.operation, array_to_string(e.notification_ids, ','),
          array_to_string(e.list_ids, ','), encode(sha256(convert_to(array_to_string(e.person_keys::text[], ','), 'UTF8')), 'hex')),
          'UTF8'))
      $$`);
    // One writer at a time extends the chain (a transaction-scoped lock held to commit), so order equals chain_seq.
    await queryRunner.query(`
      CREATE FUNCTION access_log_chain() RETURNS trigger LANGUAGE plpgsql AS $$
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
    await queryRunner.query(
      'CREATE TRIGGER access_log_chain BEFORE INSERT ON access_log FOR EACH ROW EXECUTE FUNCTION access_log_chain()',
    );
    await queryRunner.query(`
      CREATE FUNCTION access_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'DELETE' AND current_setting('kelmu.access_log_retention', true) = 'on' THEN
          RETURN OLD;
        END IF;
        RAISE EXCEPTION 'access_log is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await queryRunner.query(
      `CREATE TRIGGER access_log_append_only BEFORE UPDATE OR DELETE ON access_log
       FOR EACH ROW EXECUTE FUNCTION access_log_append_only()`,
    );
    await queryRunner.query(
      `CREATE TRIGGER access_log_no_truncate BEFORE TRUNCATE ON access_log
       FOR EACH STATEMENT EXECUTE FUNCTION access_log_append_only()`,
    );
    await queryRunner.query('REVOKE UPDATE, DELETE, TRUNCATE ON access_log FROM PUBLIC');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    // The hash function takes the table's row type, so it goes first.
    await queryRunner.query('DROP TRIGGER access_log_chain ON access_log');
    await queryRunner.query('DROP FUNCTION access_log_chain()');
    await queryRunner.query('DROP FUNCTION access_log_hash(bytea, access_log)');
    await queryRunner.query('DROP TABLE access_log');
    await queryRunner.query('DROP FUNCTION access_log_append_only()');
  }
}
