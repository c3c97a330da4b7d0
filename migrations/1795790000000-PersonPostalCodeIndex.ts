import { MigrationInterface, QueryRunner } from 'typeorm';

/** The postal-code filter of the notification lists looks persons up by postal code: without this it scans them all. */
export class PersonPostalCodeIndex1795790000000 implements MigrationInterface {
  name = 'PersonPostalCodeIndex1795790000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('CREATE INDEX person_postal_code_idx ON person (postal_code)');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX person_postal_code_idx');
  }
}
