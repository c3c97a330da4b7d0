import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The person key kept on `person` (issue 11): every read of a list appended an access log entry that computed the keyed
 * MAC of each of its fifty persons again. Now the key is computed once, when the person is written, by a trigger in
 * the writing session, which holds the key's pads (src/db/access-log-key.ts). A session without them (a tool started
 * without ACCESS_LOG_KEY) leaves it null: the access log computes those itself, and the next start fills them
 * (fillPersonKeys in src/db/access-log-setup.ts). A migration cannot see the key, so existing rows are filled there too.
 */
export class PersonKeyOnPerson1795810000000 implements MigrationInterface {
  name = 'PersonKeyOnPerson1795810000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE person ADD COLUMN person_key bytea');
    await queryRunner.query(`
      CREATE FUNCTION person_key_fill() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF coalesce(current_setting('kelmu.person_ipad', true), '') = '' THEN
          NEW.person_key := NULL;
        ELSE
          NEW.person_key := kelmu_person_key(NEW.personal_identity_code,
                                             (SELECT value FROM app_setting WHERE key = 'ledger_salt'));
        END IF;
        RETURN NEW;
      END $$`);
    await queryRunner.query(
      `CREATE TRIGGER person_key_fill BEFORE INSERT OR UPDATE OF personal_identity_code, person_key ON person
       FOR EACH ROW EXECUTE FUNCTION person_key_fill()`,
    );
    // Finds the rows a session without the key wrote, at no cost when there are none.
    await queryRunner.query('CREATE INDEX person_key_missing_idx ON person (id) WHERE person_key IS NULL');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TRIGGER person_key_fill ON person');
    await queryRunner.query('DROP FUNCTION person_key_fill()');
    await queryRunner.query('ALTER TABLE person DROP COLUMN person_key');
  }
}
