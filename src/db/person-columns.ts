/**
 * The one home of a person's columns, as every table that holds a person's data names them (person, benefit_person,
 * home_care_allowance_recipient, home_care_allowance_list_row), in one order that the imports' values follow.
 */
export const PERSON_DATA_COLUMNS = [
  'personal_identity_code',
  'first_names',
  'last_name',
  'date_of_birth',
  'native_language',
  'citizenship',
  'street',
  'postal_code',
  'post_office',
  'phone_number',
  'first_residence_permit_start',
  'eu_eea_citizen',
] as const;

export type PersonDataColumn = (typeof PERSON_DATA_COLUMNS)[number];

/** The person's columns without those a table lacks or does not keep. */
export function personColumns(without: readonly PersonDataColumn[] = []): PersonDataColumn[] {
  return PERSON_DATA_COLUMNS.filter((column) => !without.includes(column));
}

/** `columns` as an SQL list, each prefixed by `alias.` when one is given. */
export function columnList(columns: readonly string[], alias?: string): string {
  return columns.map((column) => (alias ? `${alias}.${column}` : column)).join(', ');
}

/** `$from, $from+1, …`: one placeholder per column. */
export function placeholders(count: number, from = 1): string {
  return Array.from({ length: count }, (_, i) => `$${from + i}`).join(', ');
}

/** An upsert's `SET` list: each column takes the value the conflicting insert brought. */
export function fromExcluded(columns: readonly string[]): string {
  return columns.map((column) => `${column} = excluded.${column}`).join(', ');
}

/** `alias.column AS "camelCase"` for each column: rows keyed by the GraphQL field names (the CSV downloads). */
export function camelCaseList(columns: readonly string[], alias: string): string {
  return columns
    .map(
      (column) => `${alias}.${column} AS "${column.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())}"`,
    )
    .join(', ');
}

/** What a home care allowance list row keeps of the person: permit and EU/EEA only decided the listing. */
export const LIST_ROW_PERSON_COLUMNS = personColumns(['first_residence_permit_start', 'eu_eea_citizen']);
