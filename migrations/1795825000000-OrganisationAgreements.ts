import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 12: Kela's agreement with an authority (a municipality, a joint municipal authority, a welfare area). Persons'
 * mandates open a municipality's data only while its organisation has one in force. A table of its own rather than
 * partner_agreement with a nullable client id: a partner's agreement grants a system access, this one only permits
 * the access persons' mandates give, and neither kind's queries need to tell the two apart.
 */
export class OrganisationAgreements1795825000000 implements MigrationInterface {
  name = 'OrganisationAgreements1795825000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE organisation_agreement (
        id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organisation_name  text NOT NULL,
        business_id        text NOT NULL CHECK (business_id ~ '^[0-9]{7}-[0-9]$'),
        legal_basis        text NOT NULL CHECK (length(legal_basis) BETWEEN 1 AND 2000),
        data_contents      text[] NOT NULL CHECK (cardinality(data_contents) > 0),
        municipality_codes char(3)[] NOT NULL CHECK (cardinality(municipality_codes) > 0),
        valid_from         date NOT NULL,
        valid_to           date,
        ended_at           timestamptz,
        created_at         timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT organisation_agreement_period_check CHECK (valid_to IS NULL OR valid_to >= valid_from)
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE organisation_agreement');
  }
}
