import { MigrationInterface, QueryRunner } from 'typeorm';

/** Kela: an organisation using its own system needs an agreement naming the data contents and the legal basis. */
export class PartnerAgreements1795770000000 implements MigrationInterface {
  name = 'PartnerAgreements1795770000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE partner_agreement (
        id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        client_id          text NOT NULL,
        organisation_name  text NOT NULL,
        business_id        text NOT NULL CHECK (business_id ~ '^[0-9]{7}-[0-9]$'),
        legal_basis        text NOT NULL CHECK (length(legal_basis) BETWEEN 1 AND 2000),
        data_contents      text[] NOT NULL CHECK (cardinality(data_contents) > 0),
        municipality_codes char(3)[] NOT NULL CHECK (cardinality(municipality_codes) > 0),
        valid_from         date NOT NULL,
        valid_to           date,
        ended_at           timestamptz,
        created_at         timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT partner_agreement_period_check CHECK (valid_to IS NULL OR valid_to >= valid_from)
      )`);
    await queryRunner.query('CREATE INDEX partner_agreement_client_idx ON partner_agreement (client_id)');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE partner_agreement');
  }
}
