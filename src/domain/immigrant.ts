/**
 * Who counts as an immigrant for the child home care allowance lists. Citizenships are ISO 3166-1 alpha-3 codes, as
 * the person data carries them.
 */

import { ResidenceBasis } from './enums';

export const FINNISH_CITIZENSHIP = 'FIN';

/** EU member states and the other EEA countries (Iceland, Liechtenstein, Norway). Finland is one of them. */
export const EU_EEA_CITIZENSHIPS: ReadonlySet<string> = new Set([
  'AUT',
  'BEL',
  'BGR',
  'HRV',
  'CYP',
  'CZE',
  'DNK',
  'EST',
  'FIN',
  'FRA',
  'DEU',
  'GRC',
  'HUN',
  'IRL',
  'ITA',
  'LVA',
  'LTU',
  'LUX',
  'MLT',
  'NLD',
  'POL',
  'PRT',
  'ROU',
  'SVK',
  'SVN',
  'ESP',
  'SWE',
  'ISL',
  'LIE',
  'NOR',
]);

/**
 * Who is on a child home care allowance list, as an SQL condition over a row alias with the person columns (the runs
 * are set-based): an immigrant, that is an EU/EEA citizen or the holder of a residence permit, and never a Finnish
 * citizen, however they once got their first permit (naturalised citizens keep old permits). EU/EEA status follows
 * from the citizenship whatever the delivered flag says; the flag speaks only when the citizenship is unknown.
 * `euEea` is the placeholder bound to `[...EU_EEA_CITIZENSHIPS]`.
 */
export function listedImmigrantSql(alias: string, euEea: string): string {
  return `(${alias}.citizenship IS DISTINCT FROM '${FINNISH_CITIZENSHIP}'
            AND (CASE WHEN ${alias}.citizenship IS NULL THEN ${alias}.eu_eea_citizen
                      ELSE ${alias}.citizenship = ANY(${euEea}::text[]) END
                 OR ${alias}.first_residence_permit_start IS NOT NULL))`;
}

/**
 * The weekly run's residence basis as an SQL expression over a row alias with the person columns: EU_EEA_CITIZEN
 * for an EU/EEA citizen (from the citizenship, the flag only when it is unknown), else
 * RESIDENCE_PERMIT_UNDER_THREE_YEARS when the first residence permit started on or before `asOf` and less than
 * `years` years before it, else NULL. A Finnish citizen is never an immigrant, whatever permit they once had.
 * `euEea` is the placeholder bound to `[...EU_EEA_CITIZENSHIPS]`; `asOf` a date and `years` an int placeholder.
 */
export function residenceBasisSql(alias: string, euEea: string, asOf: string, years: string): string {
  return `(CASE WHEN ${alias}.citizenship = '${FINNISH_CITIZENSHIP}' THEN NULL
               WHEN CASE WHEN ${alias}.citizenship IS NULL THEN ${alias}.eu_eea_citizen
                         ELSE ${alias}.citizenship = ANY(${euEea}::text[]) END
                 THEN '${ResidenceBasis.EU_EEA_CITIZEN}'
               WHEN ${alias}.first_residence_permit_start <= ${asOf}::date
                AND ${alias}.first_residence_permit_start > ${asOf}::date - make_interval(years => ${years}::int)
                 THEN '${ResidenceBasis.RESIDENCE_PERMIT_UNDER_THREE_YEARS}'
          END)`;
}

/**
 * Who is an immigrant for the integration services' criteria (Kela's weekly run, and the daily social-care run's
 * IMMIGRANT_TWO_MONTHS notices), as an SQL condition: a residence basis (residenceBasisSql) exists. Parameters as
 * residenceBasisSql's.
 */
export function integrationImmigrantSql(alias: string, euEea: string, asOf: string, years: string): string {
  return `(${residenceBasisSql(alias, euEea, asOf, years)} IS NOT NULL)`;
}
