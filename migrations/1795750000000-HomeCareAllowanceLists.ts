import { MigrationInterface, QueryRunner } from 'typeorm';

/** Child home care allowance recipients (until Kela's benefit feed exists), the monthly lists, downloads in the audit. */
export class HomeCareAllowanceLists1795750000000 implements MigrationInterface {
  name = 'HomeCareAllowanceLists1795750000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE home_care_allowance_recipient (
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
        municipality_code             char(3) NOT NULL REFERENCES municipality (code),
        first_residence_permit_start  date,
        eu_eea_citizen                boolean NOT NULL DEFAULT false,
        allowance_start               date NOT NULL,
        allowance_end                 date,
        children_count                smallint NOT NULL CHECK (children_count > 0),
        imported_at                   timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT home_care_allowance_recipient_period_key UNIQUE (personal_identity_code, allowance_start),
        CONSTRAINT home_care_allowance_recipient_period_check CHECK (allowance_end IS NULL OR allowance_end >= allowance_start)
      )`);
    await queryRunner.query(
      'CREATE INDEX home_care_allowance_recipient_period_idx ON home_care_allowance_recipient (allowance_start, allowance_end)',
    );
    await queryRunner.query(`
      CREATE TABLE home_care_allowance_list (
        id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        municipality_code  char(3) NOT NULL REFERENCES municipality (code),
        month              date NOT NULL CHECK (extract(day FROM month) = 1),
        generated_on       date NOT NULL,
        generated_at       timestamptz NOT NULL,
        expires_at         timestamptz NOT NULL,
        row_count          integer NOT NULL,
        CONSTRAINT home_care_allowance_list_month_key UNIQUE (municipality_code, month)
      )`);
    // Newest month first per municipality, and the purge by expiry.
    await queryRunner.query(
      'CREATE INDEX home_care_allowance_list_month_idx ON home_care_allowance_list (month DESC, municipality_code)',
    );
    await queryRunner.query(
      'CREATE INDEX home_care_allowance_list_expires_idx ON home_care_allowance_list (expires_at)',
    );
    await queryRunner.query(`
      CREATE TABLE home_care_allowance_list_row (
        list_id                 uuid NOT NULL REFERENCES home_care_allowance_list (id) ON DELETE CASCADE,
        row_number              integer NOT NULL,
        personal_identity_code  text NOT NULL,
        first_names             text NOT NULL,
        last_name               text NOT NULL,
        date_of_birth           date NOT NULL,
        street                  text NOT NULL,
        postal_code             char(5) NOT NULL,
        post_office             text NOT NULL,
        native_language         text,
        citizenship             text,
        allowance_start         date NOT NULL,
        children_count          smallint NOT NULL,
        PRIMARY KEY (list_id, row_number)
      )`);
    await queryRunner.query('ALTER TABLE audit_event ADD COLUMN list_id uuid, ADD COLUMN details jsonb');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE audit_event DROP COLUMN details, DROP COLUMN list_id');
    await queryRunner.query('DROP TABLE home_care_allowance_list_row');
    await queryRunner.query('DROP TABLE home_care_allowance_list');
    await queryRunner.query('DROP TABLE home_care_allowance_recipient');
  }
}
