import { MigrationInterface, QueryRunner } from 'typeorm';

/** Reference data, notifications with their persons and transfers, and the audit trail of changes. */
export class InitialSchema1795740000000 implements MigrationInterface {
  name = 'InitialSchema1795740000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE municipality (
        code             char(3) PRIMARY KEY CHECK (code ~ '^[0-9]{3}$'),
        name_fi          text NOT NULL,
        name_sv          text NOT NULL,
        name_en          text NOT NULL,
        welfare_area_id  text,
        welfare_area_fi  text,
        welfare_area_sv  text,
        population       integer NOT NULL DEFAULT 0
      )`);
    await queryRunner.query(`
      CREATE TABLE postal_code (
        code               char(5) PRIMARY KEY CHECK (code ~ '^[0-9]{5}$'),
        municipality_code  char(3) NOT NULL REFERENCES municipality (code),
        post_office_fi     text NOT NULL,
        post_office_sv     text NOT NULL,
        type_code          smallint NOT NULL
      )`);
    await queryRunner.query(
      'CREATE INDEX postal_code_municipality_idx ON postal_code (municipality_code, type_code)',
    );
    await queryRunner.query(`
      CREATE TABLE person (
        id                            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        personal_identity_code        text NOT NULL,
        first_names                   text NOT NULL,
        last_name                     text NOT NULL,
        date_of_birth                 date NOT NULL,
        native_language               text,
        citizenship                   text,
        street                        text NOT NULL,
        postal_code                   char(5) NOT NULL,
        post_office                   text NOT NULL,
        phone_number                  text,
        first_residence_permit_start  date,
        eu_eea_citizen                boolean NOT NULL DEFAULT false,
        CONSTRAINT person_personal_identity_code_key UNIQUE (personal_identity_code)
      )`);
    await queryRunner.query(`
      CREATE TABLE notification (
        id                     uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        source_id              text NOT NULL,
        kind                   text NOT NULL CHECK (kind IN ('IMMIGRANT')),
        status                 text NOT NULL DEFAULT 'NEW' CHECK (status IN ('NEW', 'IN_PROCESSING')),
        person_id              uuid NOT NULL REFERENCES person (id),
        municipality_code      char(3) NOT NULL REFERENCES municipality (code),
        additional_info        text,
        created_at             timestamptz NOT NULL,
        processing_started_at  timestamptz,
        version                integer NOT NULL DEFAULT 1,
        updated_at             timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT notification_source_id_key UNIQUE (source_id),
        CONSTRAINT notification_person_kind_key UNIQUE (person_id, kind),
        CONSTRAINT notification_processing_started_check
          CHECK ((status = 'IN_PROCESSING') = (processing_started_at IS NOT NULL))
      )`);
    // The two lists are read per municipality and status, newest first, and paged by (created_at, id).
    await queryRunner.query(
      'CREATE INDEX notification_list_idx ON notification (municipality_code, status, created_at DESC, id DESC)',
    );
    // The purge looks for in-processing notifications by age across all municipalities.
    await queryRunner.query(
      "CREATE INDEX notification_in_processing_created_idx ON notification (created_at) WHERE status = 'IN_PROCESSING'",
    );
    await queryRunner.query(`
      CREATE TABLE notification_transfer (
        id                      uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        notification_id         uuid NOT NULL REFERENCES notification (id) ON DELETE CASCADE,
        from_municipality_code  char(3) NOT NULL REFERENCES municipality (code),
        to_municipality_code    char(3) NOT NULL REFERENCES municipality (code),
        reason                  text NOT NULL CHECK (length(reason) BETWEEN 1 AND 1000),
        transferred_at          timestamptz NOT NULL
      )`);
    await queryRunner.query(
      'CREATE INDEX notification_transfer_notification_idx ON notification_transfer (notification_id, transferred_at)',
    );
    await queryRunner.query(`
      CREATE TABLE audit_event (
        id                      bigserial PRIMARY KEY,
        occurred_at             timestamptz NOT NULL DEFAULT now(),
        actor_kind              text NOT NULL,
        actor_id                text NOT NULL,
        organisation            text,
        action                  text NOT NULL,
        notification_id         uuid,
        from_status             text,
        to_status               text,
        from_municipality_code  char(3),
        to_municipality_code    char(3),
        reason                  text
      )`);
    await queryRunner.query('CREATE INDEX audit_event_notification_idx ON audit_event (notification_id)');
    await queryRunner.query('CREATE INDEX audit_event_occurred_at_idx ON audit_event (occurred_at)');
    await queryRunner.query(`
      CREATE TABLE app_setting (
        key         text PRIMARY KEY,
        value       text NOT NULL,
        updated_at  timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE app_setting');
    await queryRunner.query('DROP TABLE audit_event');
    await queryRunner.query('DROP TABLE notification_transfer');
    await queryRunner.query('DROP TABLE notification');
    await queryRunner.query('DROP TABLE person');
    await queryRunner.query('DROP TABLE postal_code');
    await queryRunner.query('DROP TABLE municipality');
  }
}
