import type { DataSource } from 'typeorm';
import { columnList, PERSON_DATA_COLUMNS } from '../db/person-columns';
import { personKeySql } from '../db/person-key';
import { finnishMidnight } from '../domain/clock';
import { NotificationCriterion, NotificationKind } from '../domain/enums';
import { EU_EEA_CITIZENSHIPS, FINNISH_CITIZENSHIP, residenceBasisSql } from '../domain/immigrant';
import { SYSTEM_ACTORS } from './audit.service';

/** Thresholds of the eligibility rule; configuration, because Kela's own material states them differently. */
export interface EligibilityRule {
  /** Basic income support in this many consecutive months (default 2). */
  consecutiveSupportMonths: number;
  /** The first residence permit has been valid under this many years (default 3); EU/EEA citizens need none. */
  residencePermitMaxYears: number;
  /** Unemployment benefit in this many consecutive months (default 12): Kela's "main income for 12 months". */
  consecutiveUnemploymentMonths: number;
}

export const DEFAULT_ELIGIBILITY: EligibilityRule = {
  consecutiveSupportMonths: 2,
  residencePermitMaxYears: 3,
  consecutiveUnemploymentMonths: 12,
};

const PERSON_LIST = columnList(PERSON_DATA_COLUMNS);

/**
 * Persons with a row of `table` in each of `months` consecutive months ending in the month $1 or the one before, as
 * one pass over the months $1 - months … $1: the months strictly between are common to both streaks and must all be
 * there; then either end completes one. (One pass rather than a count per candidate streak: half the rows read.)
 */
function streakSql(table: string, months: string): string {
  return `SELECT f.personal_identity_code
           FROM ${table} f
          WHERE f.month >= $1::date - make_interval(months => ${months}::int) AND f.month <= $1::date
          GROUP BY f.personal_identity_code
         HAVING count(*) FILTER (WHERE f.month > $1::date - make_interval(months => ${months}::int)
                                   AND f.month < $1::date) = ${months}::int - 1
            AND count(*) FILTER (WHERE f.month = $1::date
                                    OR f.month = $1::date - make_interval(months => ${months}::int)) > 0`;
}

/**
 * The eligibility part of the weekly run's statement: the CTEs `supported`, `unemployed` and `eligible`, to follow
 * `WITH`. `eligible` holds one row per eligible benefit_person: its columns, its ledger key `person_key`, the
 * `criteria` it met (text[], in the enum's order) and its `residence_basis`. Kela's first slide: an immigrant (a
 * residence basis, src/domain/immigrant.ts) whose income was basic income support in consecutive months or
 * unemployment benefit for twelve months, each streak ending this month or the last. Shared with the fictive data's
 * count (countEligible in src/dev/fictive-data) so that the two cannot drift. Parameters, in the order
 * eligibilityParameters gives them: $1 the first day of asOf's month, $2 consecutiveSupportMonths, $3 asOf,
 * $4 residencePermitMaxYears, $5 consecutiveUnemploymentMonths, $6 the EU/EEA citizenships; a statement using it
 * numbers its own parameters from $7.
 */
export const ELIGIBLE_CTES = `supported AS (
         ${streakSql('basic_income_support_decision', '$2')}
       ), unemployed AS (
         ${streakSql('unemployment_benefit_payment', '$5')}
       ), met AS (
         SELECT personal_identity_code,
                array_remove(ARRAY[CASE WHEN s.personal_identity_code IS NOT NULL
                                        THEN '${NotificationCriterion.BASIC_INCOME_SUPPORT_TWO_MONTHS}' END,
                                   CASE WHEN u.personal_identity_code IS NOT NULL
                                        THEN '${NotificationCriterion.UNEMPLOYMENT_BENEFIT_TWELVE_MONTHS}' END],
                             NULL) AS criteria
           FROM supported s FULL JOIN unemployed u USING (personal_identity_code)
       ), eligible AS (
         SELECT b.*, ${personKeySql('b.personal_identity_code')} AS person_key, met.criteria, r.residence_basis
           FROM met
           JOIN benefit_person b ON b.personal_identity_code = met.personal_identity_code
           CROSS JOIN LATERAL (SELECT ${residenceBasisSql('b', '$6', '$3', '$4')} AS residence_basis) AS r
          WHERE r.residence_basis IS NOT NULL
            -- Implied by the residence basis; written out so that benefit_person_immigrant_idx can answer it.
            AND b.citizenship IS DISTINCT FROM '${FINNISH_CITIZENSHIP}'
       )`;

/** $1–$6 of ELIGIBLE_CTES for a run as of `asOf` (YYYY-MM-DD) under `rule`. */
export function eligibilityParameters(
  asOf: string,
  rule: EligibilityRule,
): [string, number, string, number, number, string[]] {
  return [
    `${asOf.slice(0, 7)}-01`,
    rule.consecutiveSupportMonths,
    asOf,
    rule.residencePermitMaxYears,
    rule.consecutiveUnemploymentMonths,
    [...EU_EEA_CITIZENSHIPS],
  ];
}

export interface RunResult {
  asOf: string;
  createdAt: Date;
  created: number;
}

/**
 * Kela's weekly run: notifies the municipality of residence about immigrants (first residence permit valid under three
 * years, or EU/EEA citizens) who received basic income support in consecutive months or unemployment benefit for
 * twelve months (each ending this month or the last); the notification says which criteria were met and on which
 * residence basis. At most one notification per person ever: a ledger of keyed hashes remembers
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
          WHERE NOT EXISTS (SELECT 1 FROM notification_ledger l WHERE l.person_key = e.person_key AND l.kind = $7)
            AND NOT EXISTS (SELECT 1 FROM notification n JOIN person p ON p.id = n.person_id
                             WHERE p.personal_identity_code = e.personal_identity_code AND n.kind = $7)
       ), persons AS (
         INSERT INTO person (${PERSON_LIST})
         SELECT ${PERSON_LIST}
           FROM fresh
         ON CONFLICT (personal_identity_code) DO UPDATE SET
           first_names = excluded.first_names, last_name = excluded.last_name, street = excluded.street,
           postal_code = excluded.postal_code, post_office = excluded.post_office, phone_number = excluded.phone_number
         RETURNING id, personal_identity_code
       ), notified AS (
         INSERT INTO notification (source_id, kind, status, person_id, municipality_code, created_at, updated_at,
                                   criteria, residence_basis)
         SELECT 'kela-weekly-' || $3::text || '-' || p.id, $7, 'NEW', p.id, f.municipality_code, $8, $8,
                f.criteria, f.residence_basis
           FROM fresh f JOIN persons p ON p.personal_identity_code = f.personal_identity_code
         ON CONFLICT DO NOTHING
         RETURNING id, municipality_code
       ), ledger AS (
         INSERT INTO notification_ledger (person_key, kind, notified_at)
         SELECT person_key, $7, $8 FROM fresh
         ON CONFLICT DO NOTHING
       ), audited AS (
         INSERT INTO audit_event (occurred_at, actor_kind, actor_id, organisation, action, notification_id, to_status,
                                  to_municipality_code)
         SELECT $11, $9, $10, municipality_code, 'IMPORT', id, 'NEW', municipality_code FROM notified
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
