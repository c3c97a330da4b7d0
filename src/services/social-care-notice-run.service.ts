import type { DataSource } from 'typeorm';
import { columnList, PERSON_DATA_COLUMNS } from '../db/person-columns';
import { personKeySql } from '../db/person-key';
import { finnishMidnight } from '../domain/clock';
import { SocialCareNoticeKind } from '../domain/enums';
import { EU_EEA_CITIZENSHIPS, integrationImmigrantSql } from '../domain/immigrant';
import { kindRule } from '../domain/social-care';
import { SYSTEM_ACTORS } from './audit.service';
import { DEFAULT_ELIGIBILITY, type EligibilityRule } from './immigrant-notification-run.service';

const PERSON_LIST = columnList(PERSON_DATA_COLUMNS);
const K = SocialCareNoticeKind;

/** Age (on the run date) from which the unemployed need 12 months instead of 4. */
const ADULT_AGE_YEARS = 25;

/**
 * The daily run's one statement. Parameters: $1 the first day of asOf's month, $2 asOf, $3–$8 the three kinds each
 * with its months of income support, $9 residencePermitMaxYears, $10 the run's moment, $11–$12 the actor, $13 now,
 * $14 the EU/EEA citizenships.
 *
 * Streaks are islands of consecutive months per person (month minus its row number is constant within one), read
 * only for persons with a decision in asOf's month or the month before: a streak must end in one of those. Two bases:
 * months of basic income support, and months of support in which the person was also unemployed. The streak's first
 * month is its episode: a month without support ends it, and the next streak is a new episode.
 */
const RUN_SQL = `WITH recent AS (
         SELECT DISTINCT personal_identity_code
           FROM basic_income_support_decision
          WHERE month = $1::date OR month = ($1::date - interval '1 month')::date
       ), months AS (
         SELECT d.personal_identity_code, d.month, u.month IS NOT NULL AS unemployed
           FROM recent r
           JOIN basic_income_support_decision d ON d.personal_identity_code = r.personal_identity_code
           LEFT JOIN unemployment_month u
             ON u.personal_identity_code = d.personal_identity_code AND u.month = d.month
          WHERE d.month <= $1::date
       ), islands AS (
         SELECT personal_identity_code, month, 'SUPPORT' AS basis,
                (month - make_interval(months => (row_number() OVER w)::int))::date AS island
           FROM months
         WINDOW w AS (PARTITION BY personal_identity_code COLLATE "C" ORDER BY month)
         UNION ALL
         SELECT personal_identity_code, month, 'UNEMPLOYED' AS basis,
                (month - make_interval(months => (row_number() OVER w)::int))::date AS island
           FROM months
          WHERE unemployed
         WINDOW w AS (PARTITION BY personal_identity_code COLLATE "C" ORDER BY month)
       ), streaks AS (
         SELECT personal_identity_code, basis, min(month) AS episode_start, count(*)::int AS months
           FROM islands
          GROUP BY personal_identity_code, basis, island
         HAVING max(month) >= ($1::date - interval '1 month')::date
       ), due AS (
         SELECT b.*, k.kind, s.episode_start, s.months AS support_months
           FROM streaks s
           JOIN (VALUES ($3::text, 'UNEMPLOYED', $4::int), ($5::text, 'UNEMPLOYED', $6::int),
                        ($7::text, 'SUPPORT', $8::int)) AS k (kind, basis, threshold)
             ON k.basis = s.basis AND s.months >= k.threshold
           JOIN benefit_person b ON b.personal_identity_code = s.personal_identity_code
          WHERE CASE k.kind
                  WHEN $3::text THEN b.date_of_birth > $2::date - make_interval(years => ${ADULT_AGE_YEARS})
                  WHEN $5::text THEN b.date_of_birth <= $2::date - make_interval(years => ${ADULT_AGE_YEARS})
                  ELSE ${integrationImmigrantSql('b', '$14', '$2', '$9')}
                END
       ), keyed AS (
         SELECT d.*, ${personKeySql('d.personal_identity_code')} AS person_key FROM due d
       ), fresh AS (
         SELECT * FROM keyed f
          WHERE NOT EXISTS (SELECT 1 FROM social_care_notice_ledger l
                             WHERE l.person_key = f.person_key AND l.kind = f.kind AND l.episode_start = f.episode_start)
       ), persons AS (
         INSERT INTO person (${PERSON_LIST})
         SELECT DISTINCT ON (personal_identity_code) ${PERSON_LIST}
           FROM fresh
          ORDER BY personal_identity_code
         ON CONFLICT (personal_identity_code) DO UPDATE SET
           first_names = excluded.first_names, last_name = excluded.last_name, street = excluded.street,
           postal_code = excluded.postal_code, post_office = excluded.post_office, phone_number = excluded.phone_number
         RETURNING id, personal_identity_code
       ), noticed AS (
         INSERT INTO social_care_notice (source_id, kind, person_id, municipality_code, received_at, visible_from,
                                         support_months, updated_at)
         SELECT 'kela-daily-' || f.kind || '-' || $2::text || '-' || p.id, f.kind, p.id, f.municipality_code,
                $10, $10, least(f.support_months, 600), $10
           FROM fresh f JOIN persons p ON p.personal_identity_code = f.personal_identity_code
         ON CONFLICT DO NOTHING
         RETURNING id, kind, municipality_code
       ), ledger AS (
         INSERT INTO social_care_notice_ledger (person_key, kind, episode_start, notified_at)
         SELECT person_key, kind, episode_start, $10 FROM fresh
         ON CONFLICT DO NOTHING
       ), audited AS (
         INSERT INTO audit_event (occurred_at, actor_kind, actor_id, organisation, action, social_care_notice_id,
                                  to_municipality_code)
         SELECT $13, $11, $12, municipality_code, 'IMPORT_SOCIAL_CARE_NOTICE', id, municipality_code FROM noticed
       )
       SELECT kind, count(*)::int AS created FROM noticed GROUP BY kind`;

/** The kinds the daily run creates, each with the months of income support that make it. */
export const DAILY_RUN_KINDS = [
  K.UNEMPLOYED_UNDER_25_FOUR_MONTHS,
  K.UNEMPLOYED_25_OR_OVER_TWELVE_MONTHS,
  K.IMMIGRANT_TWO_MONTHS,
] as const;

export interface SocialCareRunResult {
  asOf: string;
  /** The run's moment: 00:00 Finnish time on asOf, the notices' receivedAt and visibleFrom. */
  createdAt: Date;
  created: number;
  createdByKind: Record<(typeof DAILY_RUN_KINDS)[number], number>;
}

/**
 * Kela's daily social-care run: notifies the recipient (welfare area, Helsinki or Åland) of the municipality of
 * residence about persons under 25 unemployed on basic income support for 4 consecutive months, 25 or over for 12,
 * and immigrants (as the integration criteria define them) on it for 2; each streak ends in asOf's month or the month
 * before. One notice per person, kind and episode: the ledger remembers by person key, so a rerun, the next day's run
 * or a run after the notice was purged creates no second one, while a new streak after a break does. One set-based
 * statement in one transaction, serialised by an advisory lock so that two runs cannot notify the same episode twice.
 */
export class SocialCareNoticeRunService {
  constructor(
    private readonly dataSource: DataSource,
    /** The integration criteria's residence-permit limit (config.eligibility). */
    private readonly rule: Pick<EligibilityRule, 'residencePermitMaxYears'> = DEFAULT_ELIGIBILITY,
  ) {}

  /** `now` is when the run writes (its audit time). */
  async run(asOf: string, now: Date = new Date()): Promise<SocialCareRunResult> {
    const createdAt = finnishMidnight(asOf);
    const threshold = (kind: SocialCareNoticeKind) => kindRule(kind).supportMonths as number;
    const rows: { kind: string; created: number }[] = await this.dataSource.transaction(async (manager) => {
      await manager.query("SELECT pg_advisory_xact_lock(hashtext('kelmu-graphql:social-care-daily-run'))");
      // The streaks sort a few hundred thousand months: in memory rather than on disk.
      await manager.query("SET LOCAL work_mem = '64MB'");
      return manager.query(RUN_SQL, [
        `${asOf.slice(0, 7)}-01`,
        asOf,
        ...DAILY_RUN_KINDS.flatMap((kind) => [kind, threshold(kind)]),
        this.rule.residencePermitMaxYears,
        createdAt,
        SYSTEM_ACTORS.socialCareDailyRun.kind,
        SYSTEM_ACTORS.socialCareDailyRun.id,
        now,
        [...EU_EEA_CITIZENSHIPS],
      ]);
    });
    const createdByKind = Object.fromEntries(DAILY_RUN_KINDS.map((kind) => [kind, 0])) as Record<
      (typeof DAILY_RUN_KINDS)[number],
      number
    >;
    for (const row of rows) createdByKind[row.kind as (typeof DAILY_RUN_KINDS)[number]] = row.created;
    return { asOf, createdAt, created: rows.reduce((sum, row) => sum + row.created, 0), createdByKind };
  }
}
