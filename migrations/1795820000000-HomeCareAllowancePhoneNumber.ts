import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The phone number on child home care allowance recipients and list rows (issue 12): the lists exist so that the
 * client can be reached. Additive and nullable: rows of lists generated before it keep none.
 */
export class HomeCareAllowancePhoneNumber1795820000000 implements MigrationInterface {
  name = 'HomeCareAllowancePhoneNumber1795820000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE home_care_allowance_recipient ADD COLUMN phone_number text');
    await queryRunner.query('ALTER TABLE home_care_allowance_list_row ADD COLUMN phone_number text');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE home_care_allowance_list_row DROP COLUMN phone_number');
    await queryRunner.query('ALTER TABLE home_care_allowance_recipient DROP COLUMN phone_number');
  }
}
