import type { DataSource } from 'typeorm';
import { columnList, PERSON_DATA_COLUMNS } from '../db/person-columns';
import { personKeySql } from '../db/person-key';
import { finnishMidnight } from '../domain/clock';
import { NotificationKind } from '../domain/enums';
import { integrationImmigrantSql } from '../domain/immigrant';
import { SYSTEM_ACTORS } from './audit.service';

/** Thresholds of the eligibility rule; configuration, because Kela's own material states them differently. */
export interface EligibilityRule {
  /** Basic income support in this many consecutive months (default 2). */
  consecutiveSupportMonths: number;
  /** The first residence permit has been valid under this many years (default 3); EU/EEA citizens need none. */
  residencePermitMaxYears: number;
}

export const DEFAULT_ELIGIBILITY: EligibilityRule = {
  consecutiveSupportMonths: 2,
  residencePermitMaxYears: 3,
};

const PERSON_LIST = columnList(PERSON_DATA_COLUMNS);

/**
 * The eligibility part of the weekly run's statement: the CTEs `supported` and `eligible`, to follow `WITH`.
 * `eligible` holds one row per eligible benefit_person: its columns and its ledger key `person_key`. Shared with the
 * fictive data's count (countEligible in src/dev/fictive-data) so that the two cannot drift. Parameters, in the
 * order eligibilityParameters gives them: $1 the first day of asOf's month, $2 consecutiveSupportMonths, $3 asOf,
 * $4 residencePermitMaxYears; a statement using it numbers its own parameters from $5.
 */
export const ELIGIBLE_CTES = `supported AS (
         SELECT d.personal_identity_code
           FROM basic_income_support_decision d
           CROSS JOIN (VALUES ($1::date), ($1::date - interval '1 month')) AS streak(last_month)
          WHERE d.month > streak.last_month - make_interval(months => $2::int) AND d.month <= streak.last_month
          GROUP BY d.personal_identity_code, streak.last_month
         HAVING count(*) = $2::int
       ), eligible AS (
         SELECT DISTINCT ON (b.personal_identity_code) b.*,
                ${personKeySql('b.personal_identity_code')} AS person_key
           FROM benefit_person b
           JOIN supported s ON s.personal_identity_code = b.personal_identity_code
          WHERE ${integrationImmigrantSql('b', '$3', '$4')}
       )`;

/** $1–$4 of ELIGIBLE_CTES for a run as of `asOf` (YYYY-MM-DD) under `rule`. */
export function eligibilityParameters(asOf: string, rule: EligibilityRule): [string, number, string, number] {
  return [`${asOf.slice(0, 7)}-01`, rule.consecutiveSupportMonths, asOf, rule.residencePermitMaxYears];
}

export interface RunResult {
  asOf: string;
  createdAt: Date;
  created: number;
}

/**
 * Kela's weekly run: notifies the municipality of residence about immigrants who received basic income support in
 * consecutive months (ending this month or the last) and whose first residence permit has been valid under three
 * years, or who are EU/EEA citizens. At most one notification per person ever: a ledger of keyed hashes remembers
 * who was notified even after the notification itself is gone. One set-based statement in one transaction, so a crash
 * leaves nothing and a rerun (or next week's run) creates no duplicate.
 */
export class ImmigrantNotificationRunService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly rule: EligibilityRule = DEFAULT_ELIGIBILITY,
  ) {}

  /** `now` is when the run writes (its audit time); createdAt is the run's date, as Kela dates its deliveries. */
  async run(asOf: string, now: Date = new Date()): Promise<RunResult> {
    const createdAt = finnishMidnight(asOf);
    const [row]: { created: string }[] = await this.dataSource.query(
      `WITH ${ELIGIBLE_CTES}, fresh AS (
         SELECT e.* FROM eligible e
          WHERE NOT EXISTS (SELECT 1 FROM notification_ledger l WHERE l.person_key = e.person_key AND l.kind = $5)
            AND NOT EXISTS (SELECT 1 FROM notification n JOIN person p ON p.id = n.person_id
                             WHERE p.personal_identity_code = e.personal_identity_code AND n.kind = $5)
       ), persons AS (
         INSERT INTO person (${PERSON_LIST})
         SELECT ${PERSON_LIST}
           FROM fresh
         ON CONFLICT (personal_identity_code) DO UPDATE SET
           first_names = excluded.first_names, last_name = excluded.last_name, street = excluded.street,
           postal_code = excluded.postal_code, post_office = excluded.post_office, phone_number = excluded.phone_number
         RETURNING id, personal_identity_code
       ), notified AS (
         INSERT INTO notification (source_id, kind, status, person_id, municipality_code, created_at, updated_at)
         SELECT 'kela-weekly-' || $3::text || '-' || p.id, $5, 'NEW', p.id, f.municipality_code, $6, $6
           FROM fresh f JOIN persons p ON p.personal_identity_code = f.personal_identity_code
         ON CONFLICT DO NOTHING
         RETURNING id, municipality_code
       ), ledger AS (
         INSERT INTO notification_ledger (person_key, kind, notified_at)
         SELECT person_key, $5, $6 FROM fresh
         ON CONFLICT DO NOTHING
       ), audited AS (
         INSERT INTO audit_event (occurred_at, actor_kind, actor_id, organisation, action, notification_id, to_status,
                                  to_municipality_code)
         SELECT $9, $7, $8, municipality_code, 'IMPORT', id, 'NEW', municipality_code FROM notified
       )
       SELECT count(*) AS created FROM notified`,
      [
        ...eligibilityParameters(asOf, this.rule),
        NotificationKind.IMMIGRANT,
        createdAt,
        SYSTEM_ACTORS.weeklyRun.kind,
        SYSTEM_ACTORS.weeklyRun.id,
        now,
      ],
    );
    return { asOf, createdAt, created: Number(row?.created ?? 0) };
  }
}
