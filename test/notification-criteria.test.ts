import { parse } from 'csv-parse/sync';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fictivePersonalIdentityCode } from '../src/domain/personal-identity-code';
import { BenefitFactImportService } from '../src/services/benefit-facts/benefit-fact-import.service';
import {
  DEFAULT_ELIGIBILITY,
  ImmigrantNotificationRunService,
} from '../src/services/immigrant-notification-run.service';
import { CriterionLabelsDocument, NotificationCriteriaDocument } from './generated/graphql';
import { startTestApp, type TestApp } from './support/app';

// Kela's instructions, first slide: immigrants whose first residence permit has been valid under three years, or EU/EEA
// citizens, are notified when they received basic income support in two consecutive months, or when their main income
// for 12 months has been income support paid because of unemployment. At most one notification per person.

const AS_OF = '2026-11-30';
const DAY_MS = 86_400_000;
const BOTH = ['BASIC_INCOME_SUPPORT_TWO_MONTHS', 'UNEMPLOYMENT_BENEFIT_TWELVE_MONTHS'];

/** YYYY-MM of `count` consecutive months ending in `last` (YYYY-MM). */
function monthsEnding(last: string, count: number): string[] {
  const [year, month] = last.split('-').map(Number) as [number, number];
  return Array.from({ length: count }, (_, i) =>
    new Date(Date.UTC(year, month - count + i, 1)).toISOString().slice(0, 7),
  );
}

let serial = 0;

interface Facts {
  citizenship?: string | null;
  euEeaCitizen?: boolean;
  firstResidencePermitStart?: string | null;
  supportMonths?: string[];
  unemploymentMonths?: string[];
}

/** A new fictive person's benefit facts as NDJSON lines (persons in Vaasa, 905). */
function person(facts: Facts): { code: string; lines: string[] } {
  serial += 1;
  const dateOfBirth = new Date(Date.UTC(1980, 2, 1) + serial * 13 * DAY_MS).toISOString().slice(0, 10);
  const code = fictivePersonalIdentityCode(dateOfBirth, serial);
  const lines = [
    JSON.stringify({
      type: 'person',
      municipalityCode: '905',
      person: {
        personalIdentityCode: code,
        firstNames: 'Hodan',
        lastName: `Criteria ${serial}`,
        dateOfBirth,
        nativeLanguage: 'so',
        citizenship: facts.citizenship === undefined ? 'SOM' : facts.citizenship,
        address: { street: 'Hovrättsesplanaden 5', postalCode: '65100', postOffice: 'VAASA' },
        phoneNumber: null,
        firstResidencePermitStart:
          facts.firstResidencePermitStart === undefined ? '2025-02-01' : facts.firstResidencePermitStart,
        euEeaCitizen: facts.euEeaCitizen ?? false,
      },
    }),
    ...(facts.supportMonths ?? []).map((month) =>
      JSON.stringify({ type: 'basicIncomeSupport', personalIdentityCode: code, month }),
    ),
    ...(facts.unemploymentMonths ?? []).map((month) =>
      JSON.stringify({ type: 'unemploymentBenefit', personalIdentityCode: code, month }),
    ),
  ];
  return { code, lines };
}

interface Stored {
  criteria: string[];
  residence_basis: string | null;
}

async function notificationsOf(dataSource: DataSource, code: string): Promise<Stored[]> {
  return dataSource.query(
    `SELECT n.criteria, n.residence_basis FROM notification n JOIN person p ON p.id = n.person_id
      WHERE p.personal_identity_code = $1`,
    [code],
  );
}

let app: TestApp;

beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => {
  await app?.close();
});

async function load(lines: string[]) {
  const report = await new BenefitFactImportService(
    app.dataSource,
    app.server.services.municipalities,
  ).importLines(lines);
  expect(report.invalid, 'the fixture facts are valid').toEqual([]);
}

const run = (asOf = AS_OF) =>
  new ImmigrantNotificationRunService(app.dataSource, DEFAULT_ELIGIBILITY).run(asOf);

describe("the weekly run as of 2026-11-30 under Kela's two criteria", () => {
  const cases = [
    {
      name: 'unemployment benefit in the twelve months up to November is income support because of unemployment for 12 months',
      facts: { unemploymentMonths: monthsEnding('2026-11', 12) },
      notification: {
        criteria: ['UNEMPLOYMENT_BENEFIT_TWELVE_MONTHS'],
        residence_basis: 'RESIDENCE_PERMIT_UNDER_THREE_YEARS',
      },
    },
    {
      name: 'twelve months of unemployment benefit ending in October (the month before the run) count too',
      facts: { unemploymentMonths: monthsEnding('2026-10', 12) },
      notification: {
        criteria: ['UNEMPLOYMENT_BENEFIT_TWELVE_MONTHS'],
        residence_basis: 'RESIDENCE_PERMIT_UNDER_THREE_YEARS',
      },
    },
    {
      name: 'eleven months of unemployment benefit are not twelve',
      facts: { unemploymentMonths: monthsEnding('2026-11', 11) },
      notification: null,
    },
    {
      name: 'twelve months of unemployment benefit that ended in September are too old',
      facts: { unemploymentMonths: monthsEnding('2026-09', 12) },
      notification: null,
    },
    {
      name: 'a month without unemployment benefit breaks the streak (twelve payments in thirteen months)',
      facts: { unemploymentMonths: monthsEnding('2026-11', 13).filter((month) => month !== '2026-06') },
      notification: null,
    },
    {
      name: 'basic income support in two consecutive months and twelve months of unemployment benefit: one notification with both',
      facts: { supportMonths: ['2026-10', '2026-11'], unemploymentMonths: monthsEnding('2026-11', 12) },
      notification: { criteria: BOTH, residence_basis: 'RESIDENCE_PERMIT_UNDER_THREE_YEARS' },
    },
    {
      name: 'basic income support in two consecutive months only',
      facts: { supportMonths: ['2026-10', '2026-11'], unemploymentMonths: monthsEnding('2026-11', 5) },
      notification: {
        criteria: ['BASIC_INCOME_SUPPORT_TWO_MONTHS'],
        residence_basis: 'RESIDENCE_PERMIT_UNDER_THREE_YEARS',
      },
    },
    {
      name: 'an Estonian citizen is an EU/EEA citizen even when the delivered flag says false',
      facts: {
        citizenship: 'EST',
        euEeaCitizen: false,
        firstResidencePermitStart: null,
        unemploymentMonths: monthsEnding('2026-11', 12),
      },
      notification: { criteria: ['UNEMPLOYMENT_BENEFIT_TWELVE_MONTHS'], residence_basis: 'EU_EEA_CITIZEN' },
    },
    {
      name: 'a Somali citizen whose flag says EU/EEA is not one: without a permit under three years, no notification',
      facts: {
        citizenship: 'SOM',
        euEeaCitizen: true,
        firstResidencePermitStart: '2019-05-01',
        unemploymentMonths: monthsEnding('2026-11', 12),
      },
      notification: null,
    },
    {
      name: 'an unknown citizenship leaves the flag to speak',
      facts: {
        citizenship: null,
        euEeaCitizen: true,
        firstResidencePermitStart: null,
        supportMonths: ['2026-10', '2026-11'],
      },
      notification: { criteria: ['BASIC_INCOME_SUPPORT_TWO_MONTHS'], residence_basis: 'EU_EEA_CITIZEN' },
    },
    {
      name: 'a Finnish citizen with an old permit and the EU/EEA flag is never an immigrant',
      facts: {
        citizenship: 'FIN',
        euEeaCitizen: true,
        firstResidencePermitStart: '2015-03-01',
        supportMonths: ['2026-10', '2026-11'],
        unemploymentMonths: monthsEnding('2026-11', 12),
      },
      notification: null,
    },
    {
      name: 'a Finnish citizen whose first permit started under three years ago is not one either',
      facts: {
        citizenship: 'FIN',
        firstResidencePermitStart: '2024-06-01',
        unemploymentMonths: monthsEnding('2026-11', 12),
      },
      notification: null,
    },
  ].map((c) => ({ ...c, person: person(c.facts) }));
  let created = -1;

  beforeAll(async () => {
    await load(cases.flatMap((c) => c.person.lines));
    created = (await run()).created;
  });

  it('creates one notification per qualifying person', () => {
    expect(created).toBe(cases.filter((c) => c.notification !== null).length);
  });

  it.each(cases)('$name', async ({ person: { code }, notification }) => {
    expect(await notificationsOf(app.dataSource, code)).toEqual(notification ? [notification] : []);
  });

  it('shows the criteria and the residence basis to a Vaasa handler, and labels them in Swedish', async () => {
    const token = await app.tokens.handler(['905']);
    const both = cases.find((c) => c.notification?.criteria.length === 2) as (typeof cases)[number];
    const response = await app.request(
      NotificationCriteriaDocument,
      { filter: { status: 'NEW', personalIdentityCode: both.person.code } },
      token,
    );
    expect(response.errors).toBeUndefined();
    expect(response.data?.notifications.edges.map((edge) => edge.node)).toEqual([
      {
        id: expect.any(String),
        criteria: BOTH,
        residenceBasis: 'RESIDENCE_PERMIT_UNDER_THREE_YEARS',
        person: { personalIdentityCode: both.person.code },
      },
    ]);

    const labels = await app.request(CriterionLabelsDocument, { language: 'SV' });
    expect(labels.data?.labels).toEqual({
      notificationCriteria: [
        { value: 'BASIC_INCOME_SUPPORT_TWO_MONTHS', label: 'Grundläggande utkomststöd två månader i följd' },
        {
          value: 'UNEMPLOYMENT_BENEFIT_TWELVE_MONTHS',
          label: 'Förmån på grund av arbetslöshet som huvudsaklig inkomst i 12 månader',
        },
      ],
      residenceBases: [
        { value: 'RESIDENCE_PERMIT_UNDER_THREE_YEARS', label: 'Första uppehållstillståndet under tre år' },
        { value: 'EU_EEA_CITIZEN', label: 'EU/EES-medborgare' },
      ],
    });
  });

  it('writes both criteria and the residence basis into the download, in its language', async () => {
    const token = await app.tokens.handler(['905']);
    const both = cases.find((c) => c.notification?.criteria.length === 2) as (typeof cases)[number];
    const eu = cases.find(
      (c) => c.notification?.residence_basis === 'EU_EEA_CITIZEN',
    ) as (typeof cases)[number];
    const response = await fetch(
      `${app.url.replace(/\/graphql$/, '')}/downloads/notifications.csv?status=NEW&lang=sv`,
      { headers: { authorization: `Bearer ${token}` } },
    );
    expect(response.status).toBe(200);
    const rows = parse(Buffer.from(await response.arrayBuffer()), {
      bom: true,
      delimiter: ';',
      columns: true,
    }) as Record<string, string>[];
    const row = (code: string) => rows.find((r) => r.Personbeteckning === code);
    expect(row(both.person.code)).toMatchObject({
      'Grund för anmälan':
        'Grundläggande utkomststöd två månader i följd; Förmån på grund av arbetslöshet som huvudsaklig inkomst i 12 månader',
      Uppehållsgrund: 'Första uppehållstillståndet under tre år',
    });
    expect(row(eu.person.code)).toMatchObject({
      'Grund för anmälan': 'Förmån på grund av arbetslöshet som huvudsaklig inkomst i 12 månader',
      Uppehållsgrund: 'EU/EES-medborgare',
    });
  });
});

describe('at most one notification per person, whichever criterion came first', () => {
  it('a person notified for basic income support is not notified again when twelve months of unemployment benefit follow', async () => {
    const { code, lines } = person({ supportMonths: ['2026-09', '2026-10'] });
    await load(lines);
    await run('2026-10-31');
    expect(await notificationsOf(app.dataSource, code)).toEqual([
      {
        criteria: ['BASIC_INCOME_SUPPORT_TWO_MONTHS'],
        residence_basis: 'RESIDENCE_PERMIT_UNDER_THREE_YEARS',
      },
    ]);

    await load(
      monthsEnding('2026-11', 12).map((month) =>
        JSON.stringify({ type: 'unemploymentBenefit', personalIdentityCode: code, month }),
      ),
    );
    await run();
    expect(await notificationsOf(app.dataSource, code)).toHaveLength(1);
  });
});

describe('unemployment benefit facts', () => {
  it('imports a month of unemployment benefit once, and reports a bad month and an unknown person by line', async () => {
    const { code, lines } = person({});
    const stranger = fictivePersonalIdentityCode('1981-04-07', 950);
    const facts = [
      ...lines,
      JSON.stringify({ type: 'unemploymentBenefit', personalIdentityCode: code, month: '2026-11' }),
      JSON.stringify({ type: 'unemploymentBenefit', personalIdentityCode: code, month: '2026-13' }),
      JSON.stringify({ type: 'unemploymentBenefit', personalIdentityCode: stranger, month: '2026-11' }),
    ];
    const service = new BenefitFactImportService(app.dataSource, app.server.services.municipalities);
    const first = await service.importLines(facts);
    expect(first.imported).toBe(2);
    expect(first.invalid).toEqual([
      expect.objectContaining({ line: 3, message: expect.stringContaining('expected a month YYYY-MM') }),
      expect.objectContaining({ line: 4, message: expect.stringContaining('no person line for this code') }),
    ]);
    const stored: { month: string }[] = await app.dataSource.query(
      'SELECT month::text FROM unemployment_benefit_payment WHERE personal_identity_code = $1',
      [code],
    );
    expect(stored).toEqual([{ month: '2026-11-01' }]);

    const again = await service.importLines(facts.slice(0, 2));
    expect(again).toMatchObject({ imported: 0, alreadyImported: 2, invalid: [] });
  });
});

describe("Kela's direct notification deliveries", () => {
  function delivery(sourceId: string, extra: Record<string, unknown>): string {
    serial += 1;
    const dateOfBirth = new Date(Date.UTC(1985, 0, 1) + serial * 13 * DAY_MS).toISOString().slice(0, 10);
    return JSON.stringify({
      sourceId,
      kind: 'IMMIGRANT',
      municipalityCode: '905',
      createdAt: '2026-11-23T06:00:00+02:00',
      person: {
        personalIdentityCode: fictivePersonalIdentityCode(dateOfBirth, serial),
        firstNames: 'Ayaan',
        lastName: 'Farah',
        dateOfBirth,
        address: { street: 'Rantakatu 3', postalCode: '65100', postOffice: 'VAASA' },
        euEeaCitizen: false,
      },
      ...extra,
    });
  }

  it('keep the criteria and residence basis Kela states, none when it states none, and refuse unknown values', async () => {
    const report = await app.server.services.notificationImport.importLines([
      delivery('direct-criteria-1', {
        criteria: ['UNEMPLOYMENT_BENEFIT_TWELVE_MONTHS', 'BASIC_INCOME_SUPPORT_TWO_MONTHS'],
        residenceBasis: 'RESIDENCE_PERMIT_UNDER_THREE_YEARS',
      }),
      delivery('direct-criteria-2', {}),
      delivery('direct-criteria-3', { criteria: ['HOME_CARE_ALLOWANCE'] }),
      delivery('direct-criteria-4', { residenceBasis: 'FINNISH_CITIZEN' }),
      delivery('direct-criteria-5', {
        criteria: ['BASIC_INCOME_SUPPORT_TWO_MONTHS', 'BASIC_INCOME_SUPPORT_TWO_MONTHS'],
      }),
    ]);
    expect(report.imported).toBe(2);
    expect(report.invalid.map((problem) => [problem.line, problem.message.split(':')[0]])).toEqual([
      [3, 'criteria.0'],
      [4, 'residenceBasis'],
      [5, 'criteria'],
    ]);
    const stored: (Stored & { source_id: string })[] = await app.dataSource.query(
      `SELECT source_id, criteria, residence_basis FROM notification
        WHERE source_id LIKE 'direct-criteria-%' ORDER BY source_id`,
    );
    expect(stored).toEqual([
      {
        source_id: 'direct-criteria-1',
        criteria: BOTH,
        residence_basis: 'RESIDENCE_PERMIT_UNDER_THREE_YEARS',
      },
      { source_id: 'direct-criteria-2', criteria: [], residence_basis: null },
    ]);
  });
});
