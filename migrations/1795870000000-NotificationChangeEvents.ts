import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Subscriptions' events (issue 14): every change of a notification's list or municipality is announced on the
 * `kelmu_notifications_changed` channel with pg_notify, so that every API process LISTENing on the database hears it,
 * whichever process (or job, or import) made the change. PostgreSQL delivers a NOTIFY at commit and drops it on
 * rollback, so an event always describes a change that stayed.
 *
 * The payload is `{ municipalityCode, change, ids, at }`: notification ids only, never personal data (subscribers fetch
 * the rest through GraphQL, authorised and logged). Statement-level triggers with transition tables turn a statement
 * on thousands of rows (the weekly run, an import, the purge) into one message per municipality, change and 100 ids:
 * 100 uuids are some 4 kB, well under NOTIFY's 8000-byte payload limit. PostgreSQL allows transition tables only on a
 * trigger with one event and no column list, hence three triggers and the UPDATE's own comparison of old and new rows.
 */
export class NotificationChangeEvents1795870000000 implements MigrationInterface {
  name = 'NotificationChangeEvents1795870000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // One message per (municipality, change, 100 ids); `changes` is a JSON array of { code, change, id }.
    await queryRunner.query(`
      CREATE FUNCTION notification_changes_notify(changes jsonb) RETURNS void LANGUAGE sql AS $$
        SELECT pg_notify(
          'kelmu_notifications_changed',
          json_build_object('municipalityCode', code, 'change', change, 'ids', ids, 'at', now())::text
        )
        FROM (
          SELECT code, change, json_agg(id ORDER BY id) AS ids
          FROM (
            SELECT c.code, c.change, c.id,
                   (row_number() OVER (PARTITION BY c.code, c.change ORDER BY c.id) - 1) / 100 AS chunk
            FROM jsonb_to_recordset(changes) AS c(code text, change text, id text)
          ) numbered
          GROUP BY code, change, chunk
        ) messages
      $$`);
    await queryRunner.query(`
      CREATE FUNCTION notification_changed() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        changes jsonb;
      BEGIN
        IF TG_OP = 'INSERT' THEN
          SELECT jsonb_agg(jsonb_build_object('code', municipality_code, 'change', 'CREATED', 'id', id))
            INTO changes FROM new_rows;
        ELSIF TG_OP = 'DELETE' THEN
          SELECT jsonb_agg(jsonb_build_object('code', municipality_code, 'change', 'REMOVED', 'id', id))
            INTO changes FROM old_rows;
        ELSE
          -- A transfer is TRANSFERRED_OUT for the municipality it leaves and TRANSFERRED_IN for the one it reaches;
          -- a status change within a municipality moves it between the two lists. Other updates announce nothing.
          SELECT jsonb_agg(jsonb_build_object('code', c.code, 'change', c.change, 'id', c.id))
            INTO changes
            FROM old_rows o
            JOIN new_rows n ON n.id = o.id
            CROSS JOIN LATERAL (VALUES
              (o.municipality_code, CASE
                 WHEN o.municipality_code <> n.municipality_code THEN 'TRANSFERRED_OUT'
                 WHEN o.status = 'NEW' AND n.status = 'IN_PROCESSING' THEN 'MOVED_TO_PROCESSING'
                 WHEN o.status = 'IN_PROCESSING' AND n.status = 'NEW' THEN 'RETURNED_TO_NEW'
               END, o.id),
              (n.municipality_code, CASE
                 WHEN o.municipality_code <> n.municipality_code THEN 'TRANSFERRED_IN'
               END, n.id)
            ) AS c(code, change, id)
            WHERE c.change IS NOT NULL;
        END IF;
        IF changes IS NOT NULL THEN
          PERFORM notification_changes_notify(changes);
        END IF;
        RETURN NULL;
      END
      $$`);
    await queryRunner.query(`
      CREATE TRIGGER notification_inserted_notify AFTER INSERT ON notification
        REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION notification_changed()`);
    await queryRunner.query(`
      CREATE TRIGGER notification_updated_notify AFTER UPDATE ON notification
        REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION notification_changed()`);
    await queryRunner.query(`
      CREATE TRIGGER notification_deleted_notify AFTER DELETE ON notification
        REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION notification_changed()`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TRIGGER notification_deleted_notify ON notification');
    await queryRunner.query('DROP TRIGGER notification_updated_notify ON notification');
    await queryRunner.query('DROP TRIGGER notification_inserted_notify ON notification');
    await queryRunner.query('DROP FUNCTION notification_changed()');
    await queryRunner.query('DROP FUNCTION notification_changes_notify(jsonb)');
  }
}
