import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigurationError, configurationWarnings, loadConfig } from '../src/config';
import {
  DEMO_MUNICIPALITIES,
  demoRecords,
  loadDemoDataOnce,
  registerDemoOrganisationAgreements,
} from '../src/dev/demo-data';
import {
  DEMO_SOCIAL_CARE_MUNICIPALITIES,
  DEMO_SOCIAL_CARE_PER_KIND,
  loadDemoSocialCareNoticesOnce,
} from '../src/dev/demo-social-care';
import { FINLAND_SWEDISH } from '../src/dev/fictive-data/names';
import {
  dateOfBirthOf,
  isFictivePersonalIdentityCode,
  isValidPersonalIdentityCode,
} from '../src/domain/personal-identity-code';
import { notificationRecordSchema } from '../src/services/import/notification-record';
import { startTestApp, type TestApp } from './support/app';

const DAY_MS = 86_400_000;

const PRODUCTION = {
  NODE_ENV: 'production',
  AUTH_JWKS_URL: 'https://g.example.fi/jwks',
  AUTH_ISSUER: 'https://g.example.fi',
  AUTH_AUDIENCE: 'kelmu-graphql',
};

interface PostcodeRow {
  postcode: string;
  postcode_fi_name: string;
  type_code: string;
  municipal_code: string;
}

const postcodes: PostcodeRow[] = parse(
  fs.readFileSync(path.join(__dirname, '..', 'data', 'postcodes.csv'), 'utf8'),
  { columns: true, skip_empty_lines: true },
);
const postcodeByCode = new Map(postcodes.map((row) => [row.postcode, row]));

function expectConfigurationError(env: NodeJS.ProcessEnv, message: RegExp) {
  let thrown: unknown;
  try {
    loadConfig(env);
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(ConfigurationError);
  expect((thrown as Error).message).toMatch(message);
}

describe('loadConfig', () => {
  it('refuses production without AUTH_JWKS_URL, naming the variable', () => {
    expectConfigurationError({ NODE_ENV: 'production' }, /AUTH_JWKS_URL/);
  });

  it('verifies tokens against the gateway’s JWKS when AUTH_JWKS_URL is set, and loads no demo data', () => {
    const config = loadConfig({
      NODE_ENV: 'production',
      AUTH_JWKS_URL: 'https://gateway.example.fi/.well-known/jwks.json',
      AUTH_ISSUER: 'https://gateway.example.fi',
      AUTH_AUDIENCE: 'kelmu-graphql',
    });
    expect(config.environment).toBe('production');
    expect(config.auth).toEqual({
      mode: 'jwks',
      jwksUrl: 'https://gateway.example.fi/.well-known/jwks.json',
      issuer: 'https://gateway.example.fi',
      audience: 'kelmu-graphql',
      maxTokenLifetimeSeconds: 43_200,
    });
    expect(config.loadDemoData).toBe(false);
    expect(loadConfig({ ...PRODUCTION, DEMO_DATA: 'true' })).toMatchObject({
      auth: { mode: 'jwks' },
      loadDemoData: false,
    });
  });

  it.each([
    ['AUTH_ISSUER', { AUTH_AUDIENCE: 'kelmu-graphql' }],
    ['AUTH_AUDIENCE', { AUTH_ISSUER: 'https://g.example.fi' }],
  ])('refuses production without %s, naming it, instead of accepting any value', (name, set) => {
    const env = { NODE_ENV: 'production', AUTH_JWKS_URL: 'https://g.example.fi/jwks', ...set };
    expectConfigurationError(env, new RegExp(`${name} is required`));
    expectConfigurationError(
      { NODE_ENV: 'production', AUTH_JWKS_URL: 'https://g.example.fi/jwks' },
      /AUTH_ISSUER and AUTH_AUDIENCE are required/,
    );
    // Commands that verify no tokens (import, purge) still run.
    expect(loadConfig(env, { serving: false }).environment).toBe('production');
  });

  it('limits token lifetimes to AUTH_MAX_TOKEN_LIFETIME_SECONDS, 12 hours by default', () => {
    expect(loadConfig({}).auth.maxTokenLifetimeSeconds).toBe(12 * 3600);
    expect(
      loadConfig({ ...PRODUCTION, AUTH_MAX_TOKEN_LIFETIME_SECONDS: '3600' }).auth.maxTokenLifetimeSeconds,
    ).toBe(3600);
    for (const value of ['0', '-1', '1.5', 'a day', '604801']) {
      expectConfigurationError({ AUTH_MAX_TOKEN_LIFETIME_SECONDS: value }, /AUTH_MAX_TOKEN_LIFETIME_SECONDS/);
    }
  });

  it('counts the rate limit in memory unless RATE_LIMIT_STORE=postgres', () => {
    expect(loadConfig({}).http.rateLimitStore).toBe('memory');
    expect(loadConfig({ RATE_LIMIT_STORE: 'postgres' }).http.rateLimitStore).toBe('postgres');
    expectConfigurationError({ RATE_LIMIT_STORE: 'redis' }, /RATE_LIMIT_STORE/);
  });

  it('runs in development mode with its own key and demo data when nothing is set', () => {
    const config = loadConfig({ DATA_DIR: '/var/lib/kelmu' });
    expect(config.environment).toBe('development');
    expect(config.auth).toMatchObject({
      mode: 'development',
      keyFile: path.join('/var/lib/kelmu', 'development-signing-key.json'),
      audience: 'kelmu-graphql',
    });
    expect(config.loadDemoData).toBe(true);
    expect(config.port).toBe(4000);
    expect(config.databaseUrl).toBeUndefined();
  });

  it('turns the demo data off with DEMO_DATA=false (or 0)', () => {
    expect(loadConfig({ DEMO_DATA: 'false' }).loadDemoData).toBe(false);
    expect(loadConfig({ DEMO_DATA: '0' }).loadDemoData).toBe(false);
    expect(loadConfig({ DEMO_DATA: 'true' }).loadDemoData).toBe(true);
  });

  it('reads PORT as a number', () => {
    expect(loadConfig({ PORT: '8080' }).port).toBe(8080);
    expect(loadConfig({ PORT: '0' }).port).toBe(0);
  });

  it.each(['http', '-1', '65536', '80.5'])('rejects PORT=%s with a message naming PORT', (port) => {
    expectConfigurationError({ PORT: port }, /^Invalid configuration: .*PORT/);
  });

  it('reads ACCESS_LOG_RETENTION_YEARS as whole years, 5 by default', () => {
    expect(loadConfig({}).accessLogRetentionYears).toBe(5);
    expect(loadConfig({ ACCESS_LOG_RETENTION_YEARS: '10' }).accessLogRetentionYears).toBe(10);
  });

  it.each(['five', '', '0', '101', '2.5'])(
    'rejects ACCESS_LOG_RETENTION_YEARS=%s with a message naming it',
    (years) => {
      expectConfigurationError({ ACCESS_LOG_RETENTION_YEARS: years }, /ACCESS_LOG_RETENTION_YEARS/);
    },
  );

  it('reads SOCIAL_CARE_NOTICE_RETENTION_DAYS as whole days, 90 by default', () => {
    expect(loadConfig({}).socialCareNoticeRetentionDays).toBe(90);
    expect(loadConfig({ SOCIAL_CARE_NOTICE_RETENTION_DAYS: '365' }).socialCareNoticeRetentionDays).toBe(365);
    expect(loadConfig({ SOCIAL_CARE_NOTICE_RETENTION_DAYS: '1' }).socialCareNoticeRetentionDays).toBe(1);
  });

  it.each(['ninety', '', '0', '-5', '3651', '7.5'])(
    'rejects SOCIAL_CARE_NOTICE_RETENTION_DAYS=%s with a message naming it',
    (days) => {
      expectConfigurationError(
        { SOCIAL_CARE_NOTICE_RETENTION_DAYS: days },
        /SOCIAL_CARE_NOTICE_RETENTION_DAYS/,
      );
    },
  );

  it("requires persons' organisation agreements unless REQUIRE_ORGANISATION_AGREEMENT=false (or 0)", () => {
    expect(loadConfig({}).organisationAgreements).toEqual({ required: true, refreshSeconds: 10 });
    expect(loadConfig({ REQUIRE_ORGANISATION_AGREEMENT: 'false' }).organisationAgreements.required).toBe(
      false,
    );
    expect(loadConfig({ REQUIRE_ORGANISATION_AGREEMENT: '0' }).organisationAgreements.required).toBe(false);
    expect(loadConfig({ REQUIRE_ORGANISATION_AGREEMENT: 'true' }).organisationAgreements.required).toBe(true);
    expectConfigurationError({ REQUIRE_ORGANISATION_AGREEMENT: 'no' }, /REQUIRE_ORGANISATION_AGREEMENT/);
    expect(
      loadConfig({ ORGANISATION_AGREEMENT_REFRESH_SECONDS: '60' }).organisationAgreements.refreshSeconds,
    ).toBe(60);
    for (const value of ['0', '3601', '1.5', 'soon']) {
      expectConfigurationError(
        { ORGANISATION_AGREEMENT_REFRESH_SECONDS: value },
        /ORGANISATION_AGREEMENT_REFRESH_SECONDS/,
      );
    }
  });

  it('warns at start-up when production runs without the organisation agreement check', () => {
    const warning = /REQUIRE_ORGANISATION_AGREEMENT is false/;
    expect(
      configurationWarnings(loadConfig({ ...PRODUCTION, REQUIRE_ORGANISATION_AGREEMENT: 'false' })),
    ).toEqual([expect.stringMatching(warning)]);
    expect(configurationWarnings(loadConfig(PRODUCTION))).toEqual([]);
    // Development mode signs its own tokens: nothing there is anyone's real mandate.
    expect(
      configurationWarnings(loadConfig({ REQUIRE_ORGANISATION_AGREEMENT: 'false' })).filter((w) =>
        warning.test(w),
      ),
    ).toEqual([]);
  });

  it('rejects other malformed values readably', () => {
    expectConfigurationError({ DEMO_DATA: 'yes' }, /DEMO_DATA/);
    expectConfigurationError({ AUTH_JWKS_URL: 'not a url' }, /AUTH_JWKS_URL/);
    expectConfigurationError({ NODE_ENV: 'staging' }, /NODE_ENV/);
  });
});

describe('demoRecords', () => {
  const now = new Date('2026-11-02T09:00:00.500Z');
  const streetAddressAreas = postcodes
    .filter((row) => row.type_code === '1')
    .map((row) => ({
      code: row.postcode,
      municipalityCode: row.municipal_code,
      postOffice: row.postcode_fi_name,
    }));
  const records = demoRecords(now, streetAddressAreas);

  it('gives every demo municipality its number of notifications: 905, 499, 946, 598 and 091', () => {
    const byMunicipality = new Map<string, number>();
    for (const record of records) {
      byMunicipality.set(record.municipalityCode, (byMunicipality.get(record.municipalityCode) ?? 0) + 1);
    }
    expect([...byMunicipality.keys()].sort()).toEqual(['091', '499', '598', '905', '946']);
    expect(Object.fromEntries(byMunicipality)).toEqual(DEMO_MUNICIPALITIES);
    expect(new Set(records.map((r) => r.sourceId)).size).toBe(records.length);
  });

  it('produces only records the import accepts', () => {
    const problems = records.flatMap((record) => {
      const parsed = notificationRecordSchema.safeParse(JSON.parse(JSON.stringify(record)));
      return parsed.success ? [] : [`${record.sourceId}: ${parsed.error.message}`];
    });
    expect(problems).toEqual([]);
  });

  it('uses only fictive identity codes (900–999), one per person, matching the birth date', () => {
    const codes = records.map((r) => r.person.personalIdentityCode);
    for (const record of records) {
      const code = record.person.personalIdentityCode;
      expect(isValidPersonalIdentityCode(code), code).toBe(true);
      expect(isFictivePersonalIdentityCode(code), code).toBe(true);
      expect(Number(code.slice(7, 10)), code).toBeGreaterThanOrEqual(900);
      expect(dateOfBirthOf(code), code).toBe(record.person.dateOfBirth);
    }
    expect(new Set(codes).size).toBe(codes.length);
  });

  it('makes notifications 0 to 45 days old, none in the future', () => {
    const ages = records.map((r) => (now.getTime() - new Date(r.createdAt as string).getTime()) / DAY_MS);
    expect(Math.min(...ages)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...ages.map(Math.floor))).toBeLessThanOrEqual(45);
    // Both lists need content on both sides of the 30-day limit.
    expect(ages.some((age) => age > 30)).toBe(true);
    expect(ages.some((age) => age < 30)).toBe(true);
  });

  it('gives addresses with real street-address postal codes of the notification’s municipality', () => {
    const wrong = records.flatMap((record) => {
      const row = postcodeByCode.get(record.person.address.postalCode);
      return row?.type_code === '1' &&
        row.municipal_code === record.municipalityCode &&
        row.postcode_fi_name === record.person.address.postOffice
        ? []
        : [`${record.sourceId}: ${record.person.address.postalCode} ${record.person.address.postOffice}`];
    });
    expect(wrong).toEqual([]);
  });
});

describe('loading the demo data into a database', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(async () => {
    await app?.close();
  });

  it('imports every demo record once, with street-address postal codes of each municipality', async () => {
    const now = app.clock.now();
    const expected = Object.values(DEMO_MUNICIPALITIES).reduce((sum, count) => sum + count, 0);
    const first = await loadDemoDataOnce(app.dataSource, app.server.services.notificationImport, now);
    expect(first).toMatchObject({ loaded: true, imported: expected });
    expect(first.inProcessing).toBeGreaterThan(0);
    expect(await loadDemoDataOnce(app.dataSource, app.server.services.notificationImport, now)).toEqual({
      loaded: false,
      imported: 0,
      inProcessing: 0,
    });

    const rows: { municipality_code: string; postal_code: string; post_office: string }[] =
      await app.dataSource.query(
        `SELECT n.municipality_code, p.postal_code, p.post_office
           FROM notification n JOIN person p ON p.id = n.person_id WHERE n.source_id LIKE 'demo-%'`,
      );
    expect(rows).toHaveLength(expected);
    const wrong = rows.filter((row) => {
      const csv = postcodeByCode.get(row.postal_code);
      return csv?.type_code !== '1' || csv.municipal_code !== row.municipality_code;
    });
    expect(wrong).toEqual([]);
  });

  it("registers the demo municipalities' organisation agreement when none covers them, once", async () => {
    const now = app.clock.now();
    const services = app.server.services;
    // The test database starts with an agreement for every municipality: nothing to register.
    expect(await registerDemoOrganisationAgreements(services.organisationAgreements, now)).toEqual({
      registered: [],
    });
    // A DATA_DIR from before organisation agreements existed: none at all.
    await app.dataSource.query('UPDATE organisation_agreement SET ended_at = now()');
    await services.organisationAgreements.refresh();
    const handler = await app.tokens.handler(['905']);
    const before = await fetch(app.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${handler}` },
      body: JSON.stringify({ query: '{ viewer { grants { municipalityCode } } }' }),
    }).then((response) => response.json());
    expect(before).toEqual({ data: { viewer: { grants: [] } } });

    // The demo municipalities, and every municipality of the social-care demo's recipients (PO, HEL, AX).
    const { registered } = await registerDemoOrganisationAgreements(services.organisationAgreements, now);
    expect(registered).toEqual(
      expect.arrayContaining([...Object.keys(DEMO_MUNICIPALITIES), '599', '478', '035']),
    );
    expect(registered).not.toContain('837');
    expect(await registerDemoOrganisationAgreements(services.organisationAgreements, now)).toEqual({
      registered: [],
    });
    const after = await fetch(app.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${handler}` },
      body: JSON.stringify({ query: '{ viewer { grants { municipalityCode } } }' }),
    }).then((response) => response.json());
    expect(after).toEqual({ data: { viewer: { grants: [{ municipalityCode: '905' }] } } });
  });
});

describe('the social-care demo', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(async () => {
    await app?.close();
  });

  it('imports notices of every kind for Pohjanmaa, Helsinki and Mariehamn once, some not visible before tomorrow', async () => {
    const now = app.clock.now();
    const importer = app.server.services.socialCareNoticeImport;
    const municipalities = Object.keys(DEMO_SOCIAL_CARE_MUNICIPALITIES);
    const expected = municipalities.length * 8 * DEMO_SOCIAL_CARE_PER_KIND;
    expect(await loadDemoSocialCareNoticesOnce(app.dataSource, importer, now)).toEqual({
      loaded: true,
      imported: expected,
    });
    expect(await loadDemoSocialCareNoticesOnce(app.dataSource, importer, now)).toEqual({
      loaded: false,
      imported: 0,
    });
    const rows: {
      kind: string;
      municipality_code: string;
      recipient: string | null;
      visible_from: Date;
      received_at: Date;
      first_names: string;
      last_name: string;
      post_office: string;
      citizenship: string;
    }[] = await app.dataSource.query(
      `SELECT s.kind, s.municipality_code, m.welfare_area_id AS recipient, s.visible_from, s.received_at,
              p.first_names, p.last_name, p.post_office, p.citizenship
         FROM social_care_notice s JOIN person p ON p.id = s.person_id
         JOIN municipality m ON m.code = s.municipality_code
        WHERE s.source_id LIKE 'demo-social-care-%'`,
    );
    expect(rows).toHaveLength(expected);
    expect(new Set(rows.map((row) => row.recipient))).toEqual(new Set(['PO', 'HEL', null]));
    for (const code of municipalities) {
      const kinds = new Set(rows.filter((row) => row.municipality_code === code).map((row) => row.kind));
      expect(kinds.size, code).toBe(8);
    }
    // One notice of each kind visible the day after the decision was decided today, in each municipality.
    const hidden = rows.filter((row) => row.visible_from > now);
    expect(hidden).toHaveLength(municipalities.length * 2);
    expect(new Set(hidden.map((row) => row.kind))).toEqual(
      new Set(['SUPPLEMENTARY_OR_PREVENTIVE_INCOME_SUPPORT', 'REDUCED_BASIC_AMOUNT']),
    );
    expect(rows.every((row) => row.received_at <= now)).toBe(true);
    // Swedish-majority Vöyri: most of its Finnish citizens have Swedish names.
    const swedishFirst = new Set([...FINLAND_SWEDISH.male, ...FINLAND_SWEDISH.female]);
    const voyri = rows.filter((row) => row.municipality_code === '946' && row.citizenship === 'FIN');
    const swedish = voyri.filter((row) => swedishFirst.has(row.first_names));
    expect(swedish.length / voyri.length).toBeGreaterThan(0.5);
  });
});
