import { MigrationInterface, QueryRunner } from 'typeorm';

/** Ids per event (src/domain/webhooks.ts MAX_IDS_PER_EVENT; a migration keeps its own copy, as written then). */
const CHUNK = 1000;

/**
 * Webhooks for partner systems (issue 14). Changes are recorded in an outbox, `webhook_event`, by triggers in the
 * transaction that makes them, so that no event is lost and none is sent for a change that rolled back; the services
 * that make the changes know nothing of it. Triggers are per statement with transition tables, grouping ids per
 * municipality (the weekly run inserts thousands of notifications in one statement), at most ${CHUNK} ids an event.
 * A scheduled task fans the events out into `webhook_delivery` rows, one per endpoint entitled to the event, and the
 * job queue delivers each. A social-care notice becomes visible with time, not with a change: that same task records
 * those events, and a trigger covers notices that are visible already when they are inserted.
 */
export class Webhooks1795860000000 implements MigrationInterface {
  name = 'Webhooks1795860000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE webhook_endpoint (
        id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        client_id          text NOT NULL,
        url                text NOT NULL CHECK (url ~ '^https?://'),
        events             text[] NOT NULL CHECK (cardinality(events) > 0),
        -- Stored as is: signing needs the key itself (HMAC), so it cannot be hashed like a password.
        secret             text NOT NULL CHECK (secret LIKE 'whsec\\_%'),
        created_at         timestamptz NOT NULL DEFAULT now(),
        secret_rotated_at  timestamptz,
        disabled_at        timestamptz
      )`);
    await queryRunner.query('CREATE INDEX webhook_endpoint_client_idx ON webhook_endpoint (client_id)');
    await queryRunner.query(`
      CREATE TABLE webhook_event (
        id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        type               text NOT NULL CHECK (type IN ('notification.created', 'notification.transferred',
                                                          'home_care_allowance_list.created',
                                                          'social_care_notice.visible')),
        municipality_code  char(3) NOT NULL,
        -- Ids, codes and times only: never personal data.
        data               jsonb NOT NULL,
        occurred_at        timestamptz NOT NULL DEFAULT now(),
        dispatched_at      timestamptz
      )`);
    await queryRunner.query(
      'CREATE INDEX webhook_event_pending_idx ON webhook_event (occurred_at, id) WHERE dispatched_at IS NULL',
    );
    await queryRunner.query(`
      CREATE TABLE webhook_delivery (
        id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        endpoint_id        uuid NOT NULL REFERENCES webhook_endpoint (id) ON DELETE CASCADE,
        event_id           uuid NOT NULL REFERENCES webhook_event (id) ON DELETE CASCADE,
        status             text NOT NULL DEFAULT 'PENDING'
                           CHECK (status IN ('PENDING', 'DELIVERED', 'FAILED', 'CANCELLED')),
        attempts           integer NOT NULL DEFAULT 0,
        last_status_code   integer,
        last_error         text CHECK (length(last_error) <= 1000),
        -- Milliseconds, like the cursors that page by it (JavaScript dates): a cursor names its row exactly.
        created_at         timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now()),
        next_attempt_at    timestamptz,
        delivered_at       timestamptz,
        CONSTRAINT webhook_delivery_once UNIQUE (endpoint_id, event_id)
      )`);
    // A partner's deliveries, newest first, paged by (created_at, id).
    await queryRunner.query(
      'CREATE INDEX webhook_delivery_endpoint_idx ON webhook_delivery (endpoint_id, created_at DESC, id DESC)',
    );
    await queryRunner.query('CREATE INDEX webhook_delivery_event_idx ON webhook_delivery (event_id)');

    await queryRunner.query(`
      CREATE FUNCTION webhook_notification_created() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO webhook_event (type, municipality_code, data)
        SELECT 'notification.created', municipality_code,
               jsonb_build_object('ids', jsonb_agg(id ORDER BY created_at, id), 'municipalityCode', municipality_code,
                                  'kinds', jsonb_agg(DISTINCT kind))
          FROM (SELECT id, kind, municipality_code, created_at,
                       (row_number() OVER (PARTITION BY municipality_code ORDER BY created_at, id) - 1) / ${CHUNK} AS chunk
                  FROM new_rows) n
         GROUP BY municipality_code, chunk;
        RETURN NULL;
      END $$`);
    await queryRunner.query(`
      CREATE TRIGGER notification_webhook_event AFTER INSERT ON notification
        REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION webhook_notification_created()`);

    await queryRunner.query(`
      CREATE FUNCTION webhook_notification_transferred() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        -- The receiving municipality is the event's: its partners are the ones who get new data.
        INSERT INTO webhook_event (type, municipality_code, data)
        SELECT 'notification.transferred', to_municipality_code,
               jsonb_build_object('ids', jsonb_agg(notification_id ORDER BY transferred_at, id),
                                  'municipalityCode', to_municipality_code,
                                  'fromMunicipalityCode', from_municipality_code)
          FROM (SELECT id, notification_id, from_municipality_code, to_municipality_code, transferred_at,
                       (row_number() OVER (PARTITION BY to_municipality_code, from_municipality_code
                                           ORDER BY transferred_at, id) - 1) / ${CHUNK} AS chunk
                  FROM new_rows) t
         GROUP BY to_municipality_code, from_municipality_code, chunk;
        RETURN NULL;
      END $$`);
    await queryRunner.query(`
      CREATE TRIGGER notification_transfer_webhook_event AFTER INSERT ON notification_transfer
        REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION webhook_notification_transferred()`);

    await queryRunner.query(`
      CREATE FUNCTION webhook_home_care_allowance_list_created() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO webhook_event (type, municipality_code, data)
        SELECT 'home_care_allowance_list.created', municipality_code,
               jsonb_build_object('ids', jsonb_agg(id ORDER BY id), 'municipalityCode', municipality_code,
                                  'month', to_char(month, 'YYYY-MM'))
          FROM new_rows
         GROUP BY municipality_code, month;
        RETURN NULL;
      END $$`);
    await queryRunner.query(`
      CREATE TRIGGER home_care_allowance_list_webhook_event AFTER INSERT ON home_care_allowance_list
        REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
        EXECUTE FUNCTION webhook_home_care_allowance_list_created()`);

    // Notices visible from a later time are recorded by the scheduled task when that time has come (it keeps its
    // watermark in app_setting, starting now); those visible at once are recorded here.
    await queryRunner.query(`
      CREATE FUNCTION webhook_social_care_notice_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO webhook_event (type, municipality_code, data)
        SELECT 'social_care_notice.visible', municipality_code,
               jsonb_build_object('ids', jsonb_agg(id ORDER BY visible_from, id), 'municipalityCode', municipality_code,
                                  'kinds', jsonb_agg(DISTINCT kind))
          FROM (SELECT id, kind, municipality_code, visible_from,
                       (row_number() OVER (PARTITION BY municipality_code ORDER BY visible_from, id) - 1) / ${CHUNK} AS chunk
                  FROM new_rows WHERE visible_from <= now()) n
         GROUP BY municipality_code, chunk;
        RETURN NULL;
      END $$`);
    await queryRunner.query(`
      CREATE TRIGGER social_care_notice_webhook_event AFTER INSERT ON social_care_notice
        REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION webhook_social_care_notice_inserted()`);
    await queryRunner.query(
      `INSERT INTO app_setting (key, value) VALUES ('webhooks.social_care_visible_until', now()::text)
       ON CONFLICT (key) DO NOTHING`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query("DELETE FROM app_setting WHERE key = 'webhooks.social_care_visible_until'");
    await queryRunner.query('DROP TRIGGER social_care_notice_webhook_event ON social_care_notice');
    await queryRunner.query('DROP FUNCTION webhook_social_care_notice_inserted()');
    await queryRunner.query(
      'DROP TRIGGER home_care_allowance_list_webhook_event ON home_care_allowance_list',
    );
    await queryRunner.query('DROP FUNCTION webhook_home_care_allowance_list_created()');
    await queryRunner.query('DROP TRIGGER notification_transfer_webhook_event ON notification_transfer');
    await queryRunner.query('DROP FUNCTION webhook_notification_transferred()');
    await queryRunner.query('DROP TRIGGER notification_webhook_event ON notification');
    await queryRunner.query('DROP FUNCTION webhook_notification_created()');
    await queryRunner.query('DROP TABLE webhook_delivery');
    await queryRunner.query('DROP TABLE webhook_event');
    await queryRunner.query('DROP TABLE webhook_endpoint');
  }
}
