import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The rate limit's shared counts (RATE_LIMIT_STORE=postgres): one row per client and its current one-minute window.
 * UNLOGGED: counts are worth nothing after a crash or on a promoted standby (they restart at zero), and skipping the
 * WAL keeps the per-request upsert cheap. A lower fillfactor leaves room on each page for in-place (HOT) updates.
 */
export class RateLimitHits1795805000000 implements MigrationInterface {
  name = 'RateLimitHits1795805000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE UNLOGGED TABLE rate_limit_hit (
         key text PRIMARY KEY,
         hits integer NOT NULL,
         reset_at timestamptz NOT NULL
       ) WITH (fillfactor = 70)`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE rate_limit_hit');
  }
}
