import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What Kela's runs read: persons, monthly basic income support decisions and child home care allowance payments.
 * And a ledger of who has been notified, so that a purged notification is not created again by next week's run.
 */
export class BenefitFacts1795760000000 implements MigrationInterface {
  name = 'BenefitFacts1795760000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE benefit_person (
        personal_identity_code        text PRIMARY KEY,
        first_names                   text NOT NULL,
        last_name                     text NOT NULL,
        date_of_birth                 date NOT NULL,
        street                        text NOT NULL,
        postal_code                   char(5) NOT NULL,
        post_office                   text NOT NULL,
        municipality_code             char(3) NOT NULL REFERENCES municipality (code),
        native_language               text,
        citizenship                   text,
        first_residence_permit_start  date,
        eu_eea_citizen                boolean NOT NULL DEFAULT false,
        phone_number                  text,
        updated_at                    timestamptz NOT NULL DEFAULT now()
      )`);
    // The weekly run picks the eligible among a municipality's residents by permit start or EU/EEA citizenship.
    await queryRunner.query(
      'CREATE INDEX benefit_person_permit_idx ON benefit_person (first_residence_permit_start) WHERE first_residence_permit_start IS NOT NULL',
    );
    await queryRunner.query(`
      CREATE TABLE basic_income_support_decision (
        personal_identity_code  text NOT NULL REFERENCES benefit_person (personal_identity_code) ON DELETE CASCADE,
        month                   date NOT NULL CHECK (extract(day FROM month) = 1),
        PRIMARY KEY (personal_identity_code, month)
      )`);
    await queryRunner.query(
      'CREATE INDEX basic_income_support_decision_month_idx ON basic_income_support_decision (month, personal_identity_code)',
    );
    await queryRunner.query(`
      CREATE TABLE home_care_allowance_payment (
        personal_identity_code  text NOT NULL REFERENCES benefit_person (personal_identity_code) ON DELETE CASCADE,
        month                   date NOT NULL CHECK (extract(day FROM month) = 1),
        children_count          smallint NOT NULL CHECK (children_count > 0),
        PRIMARY KEY (personal_identity_code, month)
      )`);
    await queryRunner.query(
      'CREATE INDEX home_care_allowance_payment_month_idx ON home_care_allowance_payment (month)',
    );
    // Keyed hashes, not identity codes: the ledger outlives the notifications and must not keep personal data.
    await queryRunner.query(`
      CREATE TABLE notification_ledger (
        person_key   bytea NOT NULL,
        kind         text NOT NULL,
        notified_at  timestamptz NOT NULL,
        PRIMARY KEY (person_key, kind)
      )`);
    await queryRunner.query(
      "INSERT INTO app_setting (key, value) VALUES ('ledger_salt', gen_random_uuid()::text) ON CONFLICT (key) DO NOTHING",
    );
    await queryRunner.query(
      `INSERT INTO notification_ledger (person_key, kind, notified_at)
       SELECT sha256(convert_to((SELECT value FROM app_setting WHERE key = 'ledger_salt') || p.personal_identity_code, 'UTF8')),
              n.kind, n.created_at
         FROM notification n JOIN person p ON p.id = n.person_id
       ON CONFLICT DO NOTHING`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE notification_ledger');
    await queryRunner.query("DELETE FROM app_setting WHERE key = 'ledger_salt'");
    await queryRunner.query('DROP TABLE home_care_allowance_payment');
    await queryRunner.query('DROP TABLE basic_income_support_decision');
    await queryRunner.query('DROP TABLE benefit_person');
  }
}
