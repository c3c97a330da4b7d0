import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fictivePersonalIdentityCode } from '../src/domain/personal-identity-code';
import { BenefitFactImportService } from '../src/services/benefit-facts/benefit-fact-import.service';
import { startTestApp, type TestApp } from './support/app';
import { createTestDatabase } from './support/database';

const DAY_MS = 86_400_000;
const PROJECT_ROOT = path.join(__dirname, '..');

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => {
  await app?.close();
});

let serial = 0;

interface PersonOverrides {
  municipalityCode?: string;
  personalIdentityCode?: string;
  street?: string;
  postalCode?: string;
  postOffice?: string;
  firstResidencePermitStart?: string | null;
}

/** A new fictive person (born in the 1960s, apart from other files' fixtures) and lines about them. */
function fictivePerson() {
  serial += 1;
  const dateOfBirth = new Date(Date.UTC(1960, 0, 1) + serial * 13 * DAY_MS).toISOString().slice(0, 10);
  const code = fictivePersonalIdentityCode(dateOfBirth, serial);
  const lastName = `Facts ${serial}`;
  return {
    code,
    dateOfBirth,
    lastName,
    person(overrides: PersonOverrides = {}): string {
      return JSON.stringify({
        type: 'person',
        municipalityCode: overrides.municipalityCode ?? '905',
        person: {
          personalIdentityCode: overrides.personalIdentityCode ?? code,
          firstNames: 'Oleksandr',
          lastName,
          dateOfBirth,
          nativeLanguage: 'uk',
          citizenship: 'UKR',
          address: {
            street: overrides.street ?? 'Hovioikeudenpuistikko 5',
            postalCode: overrides.postalCode ?? '65100',
            postOffice: overrides.postOffice ?? 'VAASA',
          },
          phoneNumber: null,
          firstResidencePermitStart:
            overrides.firstResidencePermitStart === undefined
              ? '2025-06-01'
              : overrides.firstResidencePermitStart,
          euEeaCitizen: false,
        },
      });
    },
    support(month: string): string {
      return JSON.stringify({ type: 'basicIncomeSupport', personalIdentityCode: code, month });
    },
    homeCare(month: string, childrenCount: number): string {
      return JSON.stringify({ type: 'homeCareAllowance', personalIdentityCode: code, month, childrenCount });
    },
  };
}

/** A valid-looking code whose check character is wrong. */
function withWrongCheckCharacter(code: string): string {
  const last = code.at(-1);
  return `${code.slice(0, -1)}${last === 'A' ? 'B' : 'A'}`;
}

function withDateOfBirth(personLine: string, dateOfBirth: string): string {
  const record = JSON.parse(personLine) as { person: { dateOfBirth: string } };
  record.person.dateOfBirth = dateOfBirth;
  return JSON.stringify(record);
}

function importer() {
  return new BenefitFactImportService(app.dataSource, app.server.services.municipalities);
}

async function tableCounts() {
  const [row]: { persons: number; support: number; homeCare: number }[] = await app.dataSource.query(
    `SELECT (SELECT count(*)::int FROM benefit_person) AS persons,
            (SELECT count(*)::int FROM basic_income_support_decision) AS support,
            (SELECT count(*)::int FROM home_care_allowance_payment) AS "homeCare"`,
  );
  return row;
}

async function benefitPerson(code: string) {
  const rows = await app.dataSource.query(
    `SELECT municipality_code, street, postal_code, post_office, first_residence_permit_start
       FROM benefit_person WHERE personal_identity_code = $1`,
    [code],
  );
  return rows[0];
}

async function supportMonths(code: string): Promise<string[]> {
  const rows: { month: string }[] = await app.dataSource.query(
    `SELECT to_char(month, 'YYYY-MM') AS month FROM basic_income_support_decision
      WHERE personal_identity_code = $1 ORDER BY month`,
    [code],
  );
  return rows.map((row) => row.month);
}

async function homeCarePayments(code: string) {
  return app.dataSource.query(
    `SELECT to_char(month, 'YYYY-MM') AS month, children_count FROM home_care_allowance_payment
      WHERE personal_identity_code = $1 ORDER BY month`,
    [code],
  );
}

describe('benefit facts import', () => {
  const kept = fictivePerson();
  const unknownMunicipality = fictivePerson();
  const neverIntroduced = fictivePerson();
  const lines = [
    kept.person(), // 1
    kept.support('2026-10'), // 2
    kept.person({ personalIdentityCode: withWrongCheckCharacter(kept.code) }), // 3: bad code
    kept.support('2026-13'), // 4: no such month
    unknownMunicipality.person({ municipalityCode: '000' }), // 5: unknown municipality
    unknownMunicipality.support('2026-10'), // 6: that person was never stored
    neverIntroduced.support('2026-10'), // 7: no person line at all
    '{"type":"basicIncomeSupport",', // 8: not JSON
    kept.homeCare('2026-10', 2), // 9
    '', // 10: blank lines are ignored
    kept.support('2026-11'), // 11
  ];

  it('keeps the valid lines and reports each invalid one with its line number', async () => {
    const report = await importer().importLines(lines);

    expect(report.imported).toBe(4);
    expect(report.alreadyImported).toBe(0);
    expect(report.invalid).toEqual([
      {
        line: 3,
        message: expect.stringContaining('person.personalIdentityCode: not a valid personal identity code'),
      },
      { line: 4, message: expect.stringContaining('month: expected a month YYYY-MM') },
      { line: 5, message: 'municipalityCode: no municipality has the code 000' },
      { line: 6, message: expect.stringContaining('no person line for this code') },
      { line: 7, message: expect.stringContaining('no person line for this code') },
      { line: 8, message: 'not a JSON object' },
    ]);

    expect(await benefitPerson(kept.code)).toEqual({
      municipality_code: '905',
      street: 'Hovioikeudenpuistikko 5',
      postal_code: '65100',
      post_office: 'VAASA',
      first_residence_permit_start: '2025-06-01',
    });
    expect(await supportMonths(kept.code)).toEqual(['2026-10', '2026-11']);
    expect(await homeCarePayments(kept.code)).toEqual([{ month: '2026-10', children_count: 2 }]);
    for (const code of [unknownMunicipality.code, neverIntroduced.code, withWrongCheckCharacter(kept.code)]) {
      expect(await benefitPerson(code)).toBeUndefined();
      expect(await supportMonths(code)).toEqual([]);
    }
  });

  it('changes nothing when the same file is imported again', async () => {
    const before = await tableCounts();

    const report = await importer().importLines(lines);

    expect(report.imported).toBe(0);
    expect(report.alreadyImported).toBe(4);
    expect(report.invalid.map((problem) => problem.line)).toEqual([3, 4, 5, 6, 7, 8]);
    expect(await tableCounts()).toEqual(before);
    expect(await supportMonths(kept.code)).toEqual(['2026-10', '2026-11']);
    expect(await homeCarePayments(kept.code)).toEqual([{ month: '2026-10', children_count: 2 }]);
  });

  it('updates a person and a payment from a later line', async () => {
    const mover = fictivePerson();
    const before = await tableCounts();

    const report = await importer().importLines([
      mover.person(),
      mover.homeCare('2026-09', 1),
      mover.person({
        municipalityCode: '499',
        street: 'Smedsbyvägen 3',
        postalCode: '65610',
        postOffice: 'MUSTASAARI',
        firstResidencePermitStart: '2025-05-15',
      }),
      mover.homeCare('2026-09', 3),
    ]);

    expect(report.invalid).toEqual([]);
    expect(report.imported).toBe(2);
    expect(report.alreadyImported).toBe(2);
    expect(await benefitPerson(mover.code)).toEqual({
      municipality_code: '499',
      street: 'Smedsbyvägen 3',
      postal_code: '65610',
      post_office: 'MUSTASAARI',
      first_residence_permit_start: '2025-05-15',
    });
    expect(await homeCarePayments(mover.code)).toEqual([{ month: '2026-09', children_count: 3 }]);
    const after = await tableCounts();
    expect(after).toEqual({
      ...before,
      persons: (before?.persons ?? 0) + 1,
      homeCare: (before?.homeCare ?? 0) + 1,
    });
  });

  it('writes nothing of an invalid line: a refused update leaves the earlier data whole', async () => {
    const person = fictivePerson();
    await importer().importLines([person.person(), person.support('2026-10')]);
    const before = await tableCounts();

    const report = await importer().importLines([
      // A move to a municipality that does not exist, with a new address: none of it may be stored.
      person.person({
        municipalityCode: '000',
        street: 'Olematon tie 1',
        postalCode: '00100',
        postOffice: 'X',
      }),
      // A new address with a birth date that does not match the code.
      withDateOfBirth(person.person({ street: 'Toinen tie 2' }), '1999-01-01'),
      person.support('2026-1'),
      JSON.stringify({
        type: 'homeCareAllowance',
        personalIdentityCode: person.code,
        month: '2026-10',
        childrenCount: 0,
      }),
    ]);

    expect(report.imported + report.alreadyImported).toBe(0);
    expect(report.invalid.map((problem) => problem.line)).toEqual([1, 2, 3, 4]);
    expect(await tableCounts()).toEqual(before);
    expect(await benefitPerson(person.code)).toEqual({
      municipality_code: '905',
      street: 'Hovioikeudenpuistikko 5',
      postal_code: '65100',
      post_office: 'VAASA',
      first_residence_permit_start: '2025-06-01',
    });
    expect(await supportMonths(person.code)).toEqual(['2026-10']);
  });
});

describe('npm run import -- --kind benefit-facts', () => {
  let database: { url: string; drop: () => Promise<void> };
  let dir: string;
  beforeAll(async () => {
    database = await createTestDatabase();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kelmu-benefit-facts-'));
  });
  afterAll(async () => {
    fs.rmSync(dir, { recursive: true, force: true });
    await database?.drop();
  });

  function runImport(file: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      execFile(
        process.execPath,
        ['-r', '@swc-node/register', 'src/cli/import.ts', '--kind', 'benefit-facts', file],
        {
          cwd: PROJECT_ROOT,
          env: { ...process.env, DATABASE_URL: database.url, LOG_LEVEL: 'warn' },
          timeout: 60_000,
        },
        (error, stdout, stderr) => {
          resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr });
        },
      );
    });
  }

  async function countsInDatabase() {
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      const { rows } = await client.query(
        `SELECT (SELECT count(*)::int FROM benefit_person) AS persons,
                (SELECT count(*)::int FROM basic_income_support_decision) AS support,
                (SELECT count(*)::int FROM home_care_allowance_payment) AS "homeCare"`,
      );
      return rows[0];
    } finally {
      await client.end();
    }
  }

  it('imports a file, reports invalid lines on stderr and exits 1; a clean rerun exits 0 and changes nothing', async () => {
    const person = fictivePerson();
    const valid = [person.person(), person.support('2026-10'), person.homeCare('2026-10', 1)];
    const file = path.join(dir, 'facts-2026-10.ndjson');
    fs.writeFileSync(file, `${[...valid, person.support('2026-13')].join('\n')}\n`);

    const run = await runImport(file);
    expect(run.stdout).toContain('Imported 3, updated 0, invalid 1.');
    expect(run.stderr).toContain('line 4: month: expected a month YYYY-MM');
    expect(run.code).toBe(1);
    expect(await countsInDatabase()).toEqual({ persons: 1, support: 1, homeCare: 1 });

    const cleanFile = path.join(dir, 'facts-2026-10-fixed.ndjson');
    fs.writeFileSync(cleanFile, valid.join('\r\n'));
    const rerun = await runImport(cleanFile);
    expect(rerun.stdout).toContain('Imported 0, updated 3, invalid 0.');
    expect(rerun.stderr).toBe('');
    expect(rerun.code).toBe(0);
    expect(await countsInDatabase()).toEqual({ persons: 1, support: 1, homeCare: 1 });
  }, 120_000);
});

describe('unemployment months (the daily social-care run’s fact)', () => {
  it('imports a month of unemployment once per person and month, and refuses a bad month or an unknown person', async () => {
    const jobSeeker = fictivePerson();
    const stranger = fictivePerson();
    const unemployment = (code: string, month: string) =>
      JSON.stringify({ type: 'unemployment', personalIdentityCode: code, month });
    const lines = [
      jobSeeker.person(), // 1
      unemployment(jobSeeker.code, '2026-10'), // 2
      unemployment(jobSeeker.code, '2026-11'), // 3
      unemployment(jobSeeker.code, '2026-11'), // 4: the same month again
      unemployment(jobSeeker.code, '2026-00'), // 5: no such month
      unemployment(stranger.code, '2026-11'), // 6: no person line
    ];
    const months = async () =>
      (
        (await app.dataSource.query(
          `SELECT to_char(month, 'YYYY-MM') AS month FROM unemployment_month
            WHERE personal_identity_code = $1 ORDER BY month`,
          [jobSeeker.code],
        )) as { month: string }[]
      ).map((row) => row.month);

    const report = await importer().importLines(lines);
    expect(report.imported).toBe(3);
    expect(report.alreadyImported).toBe(1);
    expect(report.invalid).toEqual([
      { line: 5, message: expect.stringContaining('month: expected a month YYYY-MM') },
      { line: 6, message: expect.stringContaining('no person line for this code') },
    ]);
    expect(await months()).toEqual(['2026-10', '2026-11']);

    const rerun = await importer().importLines(lines);
    expect(rerun.imported).toBe(0);
    expect(await months()).toEqual(['2026-10', '2026-11']);
  });
});
