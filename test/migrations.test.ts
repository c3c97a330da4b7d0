import 'reflect-metadata';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrations } from '../migrations';
import { createDataSource } from '../src/db/data-source';
import { loadReferenceData } from '../src/db/reference-data';
import { createEmptyDatabase } from './support/database';

const APPLICATION_TABLES = [
  'access_log',
  'access_log_anchor',
  'access_log_policy',
  'app_setting',
  'audit_event',
  'basic_income_support_decision',
  'benefit_person',
  'home_care_allowance_list',
  'home_care_allowance_list_row',
  'home_care_allowance_payment',
  'home_care_allowance_recipient',
  'municipality',
  'notification',
  'notification_ledger',
  'notification_transfer',
  'organisation_agreement',
  'partner_agreement',
  'person',
  'postal_code',
  'rate_limit_hit',
  'social_care_notice',
  'social_care_notice_ledger',
  'social_care_notice_transfer',
  'unemployment_benefit_payment',
  'unemployment_month',
  'webhook_delivery',
  'webhook_endpoint',
  'webhook_event',
];

let database: { url: string; drop: () => Promise<void> };
let dataSource: DataSource;

beforeAll(async () => {
  database = await createEmptyDatabase();
  dataSource = createDataSource({ url: database.url });
  await dataSource.initialize();
});
afterAll(async () => {
  if (dataSource?.isInitialized) await dataSource.destroy();
  await database?.drop();
});

async function tables(): Promise<string[]> {
  const rows: { table_name: string }[] = await dataSource.query(
    `SELECT table_name FROM information_schema.tables
      WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name <> 'migrations'
      ORDER BY table_name`,
  );
  return rows.map((row) => row.table_name);
}

async function appliedMigrations(): Promise<string[]> {
  const rows: { name: string }[] = await dataSource.query('SELECT name FROM migrations ORDER BY id');
  return rows.map((row) => row.name);
}

/** Every reference row as text, to compare whole tables before and after a reload. */
async function referenceSnapshot(): Promise<{ municipalities: string; postalCodes: string }> {
  const [row]: { municipalities: string; postal_codes: string }[] = await dataSource.query(
    `SELECT (SELECT string_agg(m::text, E'\\n' ORDER BY code) FROM municipality m) AS municipalities,
            (SELECT string_agg(p::text, E'\\n' ORDER BY code) FROM postal_code p) AS postal_codes`,
  );
  return { municipalities: row?.municipalities ?? '', postalCodes: row?.postal_codes ?? '' };
}

describe('migrations on an empty database', () => {
  it('go up, all the way down, and up again', async () => {
    expect(await tables()).toEqual([]);

    const firstRun = await dataSource.runMigrations();
    expect(firstRun.map((m) => m.name)).toEqual(migrations.map((m) => m.name));
    expect(await tables()).toEqual(APPLICATION_TABLES);
    expect(await dataSource.showMigrations()).toBe(false);

    // A second run finds nothing to do.
    expect(await dataSource.runMigrations()).toEqual([]);

    for (let undone = 0; (await appliedMigrations()).length > 0; undone += 1) {
      expect(undone, 'undoLastMigration did not remove a migration').toBeLessThan(migrations.length);
      await dataSource.undoLastMigration();
    }
    expect(await tables()).toEqual([]);
    expect(await dataSource.showMigrations()).toBe(true);

    const secondRun = await dataSource.runMigrations();
    expect(secondRun).toHaveLength(migrations.length);
    expect(await tables()).toEqual(APPLICATION_TABLES);
    expect(await appliedMigrations()).toHaveLength(migrations.length);
  });

  it('load the 308 municipalities and every postal code, and a second load changes nothing', async () => {
    await dataSource.runMigrations();
    const loaded = await loadReferenceData(dataSource.manager);
    expect(loaded).toEqual({ municipalities: 308, postalCodes: 3779 });

    const [counts]: { municipalities: number; postal_codes: number }[] = await dataSource.query(
      `SELECT (SELECT count(*)::int FROM municipality) AS municipalities,
              (SELECT count(*)::int FROM postal_code) AS postal_codes`,
    );
    expect(counts).toEqual({ municipalities: 308, postal_codes: 3779 });

    expect(
      await dataSource.query(
        `SELECT code, name_fi, name_sv, welfare_area_fi, welfare_area_sv FROM municipality
          WHERE code IN ('499', '905') ORDER BY code`,
      ),
    ).toEqual([
      {
        code: '499',
        name_fi: 'Mustasaari',
        name_sv: 'Korsholm',
        welfare_area_fi: 'Pohjanmaan hyvinvointialue',
        welfare_area_sv: 'Österbottens välfärdsområde',
      },
      {
        code: '905',
        name_fi: 'Vaasa',
        name_sv: 'Vasa',
        welfare_area_fi: 'Pohjanmaan hyvinvointialue',
        welfare_area_sv: 'Österbottens välfärdsområde',
      },
    ]);
    // The 16 Åland municipalities belong to no welfare area.
    const [withoutArea]: { count: number }[] = await dataSource.query(
      'SELECT count(*)::int AS count FROM municipality WHERE welfare_area_id IS NULL',
    );
    expect(withoutArea?.count).toBe(16);
    expect(
      await dataSource.query(
        `SELECT code, municipality_code, post_office_fi, post_office_sv, type_code FROM postal_code
          WHERE code IN ('65100', '00100') ORDER BY code`,
      ),
    ).toEqual([
      {
        code: '00100',
        municipality_code: '091',
        post_office_fi: 'HELSINKI',
        post_office_sv: 'HELSINGFORS',
        type_code: 1,
      },
      {
        code: '65100',
        municipality_code: '905',
        post_office_fi: 'VAASA',
        post_office_sv: 'VASA',
        type_code: 1,
      },
    ]);

    const before = await referenceSnapshot();
    expect(await loadReferenceData(dataSource.manager)).toEqual(loaded);
    expect(await referenceSnapshot()).toEqual(before);
  });
});
