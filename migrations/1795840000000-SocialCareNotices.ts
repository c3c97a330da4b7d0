import { MigrationInterface, QueryRunner } from 'typeorm';

const KINDS = `'CONTACT', 'NEED_FOR_SOCIAL_CARE', 'SUPPLEMENTARY_OR_PREVENTIVE_INCOME_SUPPORT', 'REDUCED_BASIC_AMOUNT',
  'URGENT_APPLICATION', 'UNEMPLOYED_UNDER_25_FOUR_MONTHS', 'UNEMPLOYED_25_OR_OVER_TWELVE_MONTHS', 'IMMIGRANT_TWO_MONTHS'`;

/**
 * Kela's social-care notices to the welfare areas, Helsinki and Åland (Kelmu's service page): the notices with their
 * persons (the same person table as the notifications), their transfers, a ledger so that the daily run notifies a
 * person once per kind and episode, and the access log's and audit trail's references to them.
 */
export class SocialCareNotices1795840000000 implements MigrationInterface {
  name = 'SocialCareNotices1795840000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE social_care_notice (
        id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        source_id          text NOT NULL CONSTRAINT social_care_notice_source_id_key UNIQUE,
        kind               text NOT NULL CHECK (kind IN (${KINDS})),
        person_id          uuid NOT NULL REFERENCES person (id),
        municipality_code  char(3) NOT NULL REFERENCES municipality (code),
        received_at        timestamptz NOT NULL,
        decision_on        date,
        visible_from       timestamptz NOT NULL,
        support_months     smallint CHECK (support_months BETWEEN 1 AND 600),
        additional_info    text CHECK (length(additional_info) <= 4000),
        version            integer NOT NULL DEFAULT 1,
        updated_at         timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT social_care_notice_decision_check
          CHECK ((kind IN ('SUPPLEMENTARY_OR_PREVENTIVE_INCOME_SUPPORT', 'REDUCED_BASIC_AMOUNT')) = (decision_on IS NOT NULL))
      )`);
    // Lists are read per municipality, newest visible first, and paged by (visible_from, id).
    await queryRunner.query(
      'CREATE INDEX social_care_notice_list_idx ON social_care_notice (municipality_code, visible_from DESC, id DESC)',
    );
    await queryRunner.query('CREATE INDEX social_care_notice_person_idx ON social_care_notice (person_id)');
    // The retention purge finds old notices across all recipients.
    await queryRunner.query(
      'CREATE INDEX social_care_notice_visible_from_idx ON social_care_notice (visible_from)',
    );
    await queryRunner.query(`
      CREATE TABLE social_care_notice_transfer (
        id                      uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        notice_id               uuid NOT NULL REFERENCES social_care_notice (id) ON DELETE CASCADE,
        from_municipality_code  char(3) NOT NULL REFERENCES municipality (code),
        to_municipality_code    char(3) NOT NULL REFERENCES municipality (code),
        reason                  text NOT NULL CHECK (length(reason) BETWEEN 1 AND 1000),
        transferred_at          timestamptz NOT NULL
      )`);
    await queryRunner.query(
      'CREATE INDEX social_care_notice_transfer_notice_idx ON social_care_notice_transfer (notice_id, transferred_at)',
    );
    // Keyed hashes, not identity codes, like the notification ledger: one notice per person, kind and episode of
    // income support (the episode's first month), remembered after the notice itself is purged.
    await queryRunner.query(`
      CREATE TABLE social_care_notice_ledger (
        person_key     bytea NOT NULL,
        kind           text NOT NULL,
        episode_start  date NOT NULL,
        notified_at    timestamptz NOT NULL,
        PRIMARY KEY (person_key, kind, episode_start)
      )`);
    await queryRunner.query('ALTER TABLE audit_event ADD COLUMN social_care_notice_id uuid');
    await queryRunner.query(
      'CREATE INDEX audit_event_social_care_notice_idx ON audit_event (social_care_notice_id) WHERE social_care_notice_id IS NOT NULL',
    );
    await queryRunner.query(
      "ALTER TABLE access_log ADD COLUMN social_care_notice_ids uuid[] NOT NULL DEFAULT '{}'",
    );
    await queryRunner.query(
      'CREATE INDEX access_log_social_care_notices_idx ON access_log USING gin (social_care_notice_ids)',
    );
    // The entry's canonical content gains the notices only when there are any, so every earlier MAC still holds.
    await queryRunner.query(`
      CREATE OR REPLACE FUNCTION access_log_content(e access_log) RETURNS bytea LANGUAGE sql IMMUTABLE AS $$
        SELECT convert_to(concat_ws('|', e.chain_seq, to_char(e.occurred_at AT TIME ZONE 'UTC',
          'YYYY-MM-DD"T"HH24:MI:SS.US'), e.actor_kind, e.actor_id, coalesce(e.organisation, ''),
          coalesce(e.data_content, ''), coalesce(e.purpose, ''), e.operation, array_to_string(e.notification_ids, ','),
          array_to_string(e.list_ids, ','), encode(sha256(convert_to(array_to_string(e.person_keys::text[], ','), 'UTF8')), 'hex'))
          || CASE WHEN cardinality(e.social_care_notice_ids) = 0 THEN ''
                  ELSE '|social_care_notices:' || array_to_string(e.social_care_notice_ids, ',') END,
          'UTF8')
      $$`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE OR REPLACE FUNCTION access_log_content(e access_log) RETURNS bytea LANGUAGE sql IMMUTABLE AS $$
        SELECT convert_to(concat_ws('|', e.chain_seq, to_char(e.occurred_at AT TIME ZONE 'UTC',
          'YYYY-MM-DD"T"HH24:MI:SS.US'), e.actor_kind, e.actor_id, coalesce(e.organisation, ''),
          coalesce(e.data_content, ''), coalesce(e.purpose, ''), e.operation, array_to_string(e.notification_ids, ','),
          array_to_string(e.list_ids, ','), encode(sha256(convert_to(array_to_string(e.person_keys::text[], ','), 'UTF8')), 'hex')),
          'UTF8')
      $$`);
    await queryRunner.query('ALTER TABLE access_log DROP COLUMN social_care_notice_ids');
    await queryRunner.query('ALTER TABLE audit_event DROP COLUMN social_care_notice_id');
    await queryRunner.query('DROP TABLE social_care_notice_ledger');
    await queryRunner.query('DROP TABLE social_care_notice_transfer');
    await queryRunner.query('DROP TABLE social_care_notice');
  }
}
