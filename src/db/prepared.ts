import type { DataSource } from 'typeorm';
import type { Notification } from '../entities/notification.entity';
import type { Person } from '../entities/person.entity';
import { pgPoolOf } from './data-source';

/**
 * A statement PostgreSQL parses and plans once per connection, then only executes (node-postgres `name`). Its text
 * must never vary under one name: node-postgres refuses a name reused with other text.
 */
export interface PreparedStatement {
  readonly name: string;
  readonly text: string;
}

/**
 * Runs a prepared statement on the data source's pool and returns its rows as arrays, in select-list order (no
 * per-row objects keyed by column name to build and throw away). Counted like TypeORM's own statements.
 */
export async function queryPrepared(
  dataSource: DataSource,
  statement: PreparedStatement,
  values: unknown[],
): Promise<unknown[][]> {
  dataSource.logger.logQuery(statement.text, values);
  const result = await pgPoolOf(dataSource).query<unknown[]>({
    name: statement.name,
    text: statement.text,
    values,
    rowMode: 'array',
  });
  return result.rows;
}

/**
 * Entity property → column, for reading rows into entities without TypeORM's generic hydration (a tenth of a list
 * request's CPU, bench:api). Typed over every property, so that a column added to an entity cannot be forgotten here.
 */
export const NOTIFICATION_COLUMNS: Readonly<Record<keyof Notification, string>> = {
  id: 'id',
  sourceId: 'source_id',
  kind: 'kind',
  status: 'status',
  personId: 'person_id',
  municipalityCode: 'municipality_code',
  additionalInfo: 'additional_info',
  criteria: 'criteria',
  residenceBasis: 'residence_basis',
  createdAt: 'created_at',
  processingStartedAt: 'processing_started_at',
  version: 'version',
  updatedAt: 'updated_at',
};

/** Dates as ISO strings, as TypeORM gives `date` columns. `address` is a getter over three columns. */
export const PERSON_COLUMNS: Readonly<Record<Exclude<keyof Person, 'address'>, string>> = {
  id: 'id',
  personalIdentityCode: 'personal_identity_code',
  firstNames: 'first_names',
  lastName: 'last_name',
  dateOfBirth: 'date_of_birth::text',
  nativeLanguage: 'native_language',
  citizenship: 'citizenship',
  street: 'street',
  postalCode: 'postal_code',
  postOffice: 'post_office',
  phoneNumber: 'phone_number',
  firstResidencePermitStart: 'first_residence_permit_start::text',
  euEeaCitizen: 'eu_eea_citizen',
};

/** The columns' SQL select list on a table alias, in the map's order. */
export function selectList(columns: Readonly<Record<string, string>>, alias: string): string {
  return Object.values(columns)
    .map((column) => `${alias}.${column}`)
    .join(', ');
}

/** Assigns `row[offset…]` to the columns' properties of `target`, in the map's order; returns how many it read. */
export function assignColumns(
  target: object,
  columns: Readonly<Record<string, string>>,
  row: readonly unknown[],
  offset = 0,
): number {
  const keys = Object.keys(columns);
  const record = target as Record<string, unknown>;
  for (let i = 0; i < keys.length; i += 1) record[keys[i] as string] = row[offset + i];
  return keys.length;
}
