import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A benefit fact for the daily social-care run: the months in which a person was an unemployed job seeker. With the
 * monthly basic income support decisions it tells who has been unemployed on income support for 4 or 12 months.
 */
export class UnemploymentMonths1795850000000 implements MigrationInterface {
  name = 'UnemploymentMonths1795850000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE unemployment_month (
        personal_identity_code  text NOT NULL REFERENCES benefit_person (personal_identity_code) ON DELETE CASCADE,
        month                   date NOT NULL CHECK (extract(day FROM month) = 1),
        PRIMARY KEY (personal_identity_code, month)
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE unemployment_month');
  }
}
