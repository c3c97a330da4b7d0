import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 12: the second criterion of the weekly run (12 months of unemployment benefit) and what a notification says
 * about why it was sent: the criteria met and the residence basis. Notifications the weekly run created before it had
 * one criterion only, basic income support in two consecutive months; Kela's direct deliveries said neither.
 */
export class NotificationCriteria1795830000000 implements MigrationInterface {
  name = 'NotificationCriteria1795830000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE unemployment_benefit_payment (
        personal_identity_code  text NOT NULL REFERENCES benefit_person (personal_identity_code) ON DELETE CASCADE,
        month                   date NOT NULL CHECK (extract(day FROM month) = 1),
        PRIMARY KEY (personal_identity_code, month)
      )`);
    // The weekly run reads the payments of a window of months, as it reads basic income support decisions.
    await queryRunner.query(
      'CREATE INDEX unemployment_benefit_payment_month_idx ON unemployment_benefit_payment (month, personal_identity_code)',
    );
    // The run looks its candidates up among the immigrants only: most people on unemployment benefit are Finnish
    // citizens, and this small index answers them without a visit to the table.
    await queryRunner.query(
      `CREATE INDEX benefit_person_immigrant_idx ON benefit_person (personal_identity_code)
        WHERE citizenship IS DISTINCT FROM 'FIN'`,
    );
    await queryRunner.query(`
      ALTER TABLE notification
        ADD COLUMN criteria text[] NOT NULL DEFAULT '{}'
          CONSTRAINT notification_criteria_check
          CHECK (criteria <@ ARRAY['BASIC_INCOME_SUPPORT_TWO_MONTHS', 'UNEMPLOYMENT_BENEFIT_TWELVE_MONTHS']::text[]),
        ADD COLUMN residence_basis text
          CONSTRAINT notification_residence_basis_check
          CHECK (residence_basis IN ('RESIDENCE_PERMIT_UNDER_THREE_YEARS', 'EU_EEA_CITIZEN'))`);
    await queryRunner.query(
      `UPDATE notification SET criteria = ARRAY['BASIC_INCOME_SUPPORT_TWO_MONTHS']
        WHERE source_id LIKE 'kela-weekly-%'`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE notification DROP COLUMN residence_basis, DROP COLUMN criteria');
    await queryRunner.query('DROP INDEX benefit_person_immigrant_idx');
    await queryRunner.query('DROP TABLE unemployment_benefit_payment');
  }
}
