import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fictivePersonalIdentityCode } from '../src/domain/personal-identity-code';
import { NotificationDocument, NotificationsDocument } from './generated/graphql';
import { startTestApp, type TestApp } from './support/app';

const DAY_MS = 86_400_000;
const PROJECT_ROOT = path.join(__dirname, '..');

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => {
  await app?.close();
});

interface RecordLine {
  sourceId: string;
  kind: string;
  municipalityCode: string;
  createdAt: string;
  additionalInfo: string | null;
  person: {
    personalIdentityCode: string;
    firstNames: string;
    lastName: string;
    dateOfBirth: string;
    nativeLanguage: string | null;
    citizenship: string | null;
    address: { street: string; postalCode: string; postOffice: string };
    phoneNumber: string | null;
    firstResidencePermitStart: string | null;
    euEeaCitizen: boolean;
  };
}

type PersonOverrides = Partial<Omit<RecordLine['person'], 'address'>> & {
  address?: Partial<RecordLine['person']['address']>;
};

let serial = 0;

/** A valid line of Kela's delivery for a new fictive person (born in the 1950s, so no fixture shares the code). */
function record(
  overrides: Partial<Omit<RecordLine, 'person'>> & { person?: PersonOverrides } = {},
): RecordLine {
  serial += 1;
  const dateOfBirth = new Date(Date.UTC(1950, 0, 1) + serial * 3 * DAY_MS).toISOString().slice(0, 10);
  const { person = {}, ...rest } = overrides;
  const { address = {}, ...personRest } = person;
  return {
    sourceId: `kela-import-test-${serial}`,
    kind: 'IMMIGRANT',
    municipalityCode: '905',
    createdAt: '2026-10-30T10:15:00+02:00',
    additionalInfo: 'Asiakas toivoo yhteydenottoa puhelimitse.',
    ...rest,
    person: {
      personalIdentityCode: fictivePersonalIdentityCode(dateOfBirth, serial),
      firstNames: 'Ahmed',
      lastName: `Haddad ${serial}`,
      dateOfBirth,
      nativeLanguage: 'ar',
      citizenship: 'SYR',
      phoneNumber: '+358 40 1234567',
      firstResidencePermitStart: '2025-03-01',
      euEeaCitizen: false,
      ...personRest,
      address: { street: 'Kauppapuistikko 1 A 2', postalCode: '65100', postOffice: 'VAASA', ...address },
    },
  };
}

const line = (value: unknown) => JSON.stringify(value);

function without(value: RecordLine, dottedPath: string): unknown {
  const copy = structuredClone(value) as unknown as Record<string, Record<string, unknown>>;
  const [first, second] = dottedPath.split('.') as [string, string | undefined];
  if (second === undefined) delete (copy as Record<string, unknown>)[first];
  else delete copy[first]?.[second];
  return copy;
}

async function notificationCount(sourceIds: string[]): Promise<number> {
  const [row]: { count: number }[] = await app.dataSource.query(
    'SELECT count(*)::int AS count FROM notification WHERE source_id = ANY($1)',
    [sourceIds],
  );
  return row?.count ?? -1;
}

async function personCount(codes: string[]): Promise<number> {
  const [row]: { count: number }[] = await app.dataSource.query(
    'SELECT count(*)::int AS count FROM person WHERE personal_identity_code = ANY($1)',
    [codes],
  );
  return row?.count ?? -1;
}

async function tableCounts() {
  const [row]: { notifications: number; persons: number; audit: number }[] = await app.dataSource.query(
    `SELECT (SELECT count(*)::int FROM notification) AS notifications,
            (SELECT count(*)::int FROM person) AS persons,
            (SELECT count(*)::int FROM audit_event) AS audit`,
  );
  return row;
}

async function personsWithoutNotification(): Promise<number> {
  const [row]: { count: number }[] = await app.dataSource.query(
    `SELECT count(*)::int AS count FROM person p
      WHERE NOT EXISTS (SELECT 1 FROM notification n WHERE n.person_id = p.id)`,
  );
  return row?.count ?? -1;
}

describe('importing Kela’s notification file', () => {
  it('creates NEW notifications that handlers see with the person’s data, Scandinavian letters intact', async () => {
    const vaasaLine = record({
      municipalityCode: '905',
      additionalInfo: 'Kunden önskar kontakt på svenska.\nTolk behövs inte.',
      person: {
        firstNames: 'Åsa Märta',
        lastName: 'Öberg-Sjöström',
        nativeLanguage: 'sv',
        citizenship: 'SWE',
        address: { street: 'Kyrkoesplanaden 12 A 3', postalCode: '65100', postOffice: 'VASA' },
        phoneNumber: null,
        firstResidencePermitStart: null,
        euEeaCitizen: true,
      },
    });
    const korsholmLine = record({
      municipalityCode: '499',
      createdAt: '2026-10-20T08:00:00Z',
      additionalInfo: null,
      person: { address: { street: 'Skolvägen 5', postalCode: '65610', postOffice: 'MUSTASAARI' } },
    });

    const report = await app.server.services.notificationImport.importLines([
      line(vaasaLine),
      line(korsholmLine),
    ]);
    expect(report).toMatchObject({ imported: 2, alreadyImported: 0, duplicatePerson: [], invalid: [] });
    const vaasaId = report.createdIds.get(vaasaLine.sourceId);
    const korsholmId = report.createdIds.get(korsholmLine.sourceId);
    expect(vaasaId).toBeDefined();
    expect(korsholmId).toBeDefined();

    const vaasa = await app.tokens.handler(['905']);
    const seen = await app.request(NotificationDocument, { id: String(vaasaId) }, vaasa);
    expect(seen.errors).toBeUndefined();
    expect(seen.data?.notification).toEqual({
      id: vaasaId,
      kind: 'IMMIGRANT',
      status: 'NEW',
      additionalInfo: 'Kunden önskar kontakt på svenska.\nTolk behövs inte.',
      createdAt: '2026-10-30T08:15:00.000Z',
      pendingDays: 3,
      processingStartedAt: null,
      // Created on 30 October (Helsinki): shown in processing through 29 November, gone from 30 November 00:00 EET.
      removalDue: '2026-11-29T22:00:00.000Z',
      version: 1,
      municipality: { code: '905', nameFi: 'Vaasa', nameSv: 'Vasa' },
      person: {
        personalIdentityCode: vaasaLine.person.personalIdentityCode,
        firstNames: 'Åsa Märta',
        lastName: 'Öberg-Sjöström',
        dateOfBirth: vaasaLine.person.dateOfBirth,
        nativeLanguage: 'sv',
        citizenship: 'SWE',
        address: { street: 'Kyrkoesplanaden 12 A 3', postalCode: '65100', postOffice: 'VASA' },
        phoneNumber: null,
        firstResidencePermitStart: null,
        euEeaCitizen: true,
      },
      transfers: [],
    });

    // It is on Vaasa's list of new notifications, found by the person's identity code.
    const list = await app.request(
      NotificationsDocument,
      { filter: { status: 'NEW', personalIdentityCode: vaasaLine.person.personalIdentityCode } },
      vaasa,
    );
    expect(list.data?.notifications.edges.map((edge) => edge.node.id)).toEqual([vaasaId]);

    // The other one went to Korsholm: Vaasa does not see it, Korsholm does.
    expect(
      (await app.request(NotificationDocument, { id: String(korsholmId) }, vaasa)).data?.notification,
    ).toBeNull();
    const korsholm = await app.request(
      NotificationDocument,
      { id: String(korsholmId) },
      await app.tokens.handler(['499']),
    );
    expect(korsholm.data?.notification).toMatchObject({
      status: 'NEW',
      additionalInfo: null,
      createdAt: '2026-10-20T08:00:00.000Z',
      municipality: { code: '499', nameSv: 'Korsholm' },
      person: {
        personalIdentityCode: korsholmLine.person.personalIdentityCode,
        firstNames: 'Ahmed',
        lastName: korsholmLine.person.lastName,
        phoneNumber: '+358 40 1234567',
        firstResidencePermitStart: '2025-03-01',
        euEeaCitizen: false,
        address: { street: 'Skolvägen 5', postalCode: '65610', postOffice: 'MUSTASAARI' },
      },
    });
  });

  it('writes one IMPORT audit row per created notification', async () => {
    const lines = [record({ municipalityCode: '905' }), record({ municipalityCode: '946' })];
    const report = await app.server.services.notificationImport.importLines(lines.map(line));
    expect(report.imported).toBe(2);
    const ids = [...report.createdIds.values()];
    const audit = await app.dataSource.query(
      `SELECT notification_id, action, actor_kind, actor_id, organisation, from_status, to_status, to_municipality_code
         FROM audit_event WHERE notification_id = ANY($1) ORDER BY to_municipality_code`,
      [ids],
    );
    expect(audit).toEqual([
      {
        notification_id: report.createdIds.get(lines[0]?.sourceId ?? ''),
        action: 'IMPORT',
        actor_kind: 'SYSTEM',
        actor_id: 'kela-notification-import',
        organisation: '905',
        from_status: null,
        to_status: 'NEW',
        to_municipality_code: '905',
      },
      {
        notification_id: report.createdIds.get(lines[1]?.sourceId ?? ''),
        action: 'IMPORT',
        actor_kind: 'SYSTEM',
        actor_id: 'kela-notification-import',
        organisation: '946',
        from_status: null,
        to_status: 'NEW',
        to_municipality_code: '946',
      },
    ]);
  });

  it('creates nothing new when the same file is imported again', async () => {
    const file = [record(), record({ municipalityCode: '598' }), record({ municipalityCode: '091' })].map(
      line,
    );
    const first = await app.server.services.notificationImport.importLines(file);
    expect(first).toMatchObject({ imported: 3, alreadyImported: 0, duplicatePerson: [], invalid: [] });
    const before = await tableCounts();

    const second = await app.server.services.notificationImport.importLines(file);
    expect(second).toMatchObject({ imported: 0, alreadyImported: 3, duplicatePerson: [], invalid: [] });
    expect(second.createdIds.size).toBe(0);
    expect(await tableCounts()).toEqual(before);
  });

  it('skips a second notification for the same person and reports its line', async () => {
    const first = record({ person: { firstNames: 'Fatima', lastName: 'Khalil' } });
    const other = record();
    const again = {
      ...first,
      sourceId: `${first.sourceId}-second`,
      municipalityCode: '499',
      person: { ...first.person, lastName: 'Khalil-Nasser' },
    };

    const report = await app.server.services.notificationImport.importLines([
      line(first),
      line(other),
      line(again),
    ]);
    expect(report.imported).toBe(2);
    expect(report.invalid).toEqual([]);
    expect(report.duplicatePerson).toEqual([
      { line: 3, sourceId: again.sourceId, message: expect.stringMatching(/already has a notification/) },
    ]);
    expect(await notificationCount([again.sourceId])).toBe(0);

    // The person keeps the notification and the data of the first delivery.
    const vaasa = await app.tokens.handler(['905']);
    const list = await app.request(
      NotificationsDocument,
      { filter: { status: 'NEW', personalIdentityCode: first.person.personalIdentityCode } },
      vaasa,
    );
    expect(list.data?.notifications.edges.map((edge) => edge.node.person)).toEqual([
      expect.objectContaining({ firstNames: 'Fatima', lastName: 'Khalil' }),
    ]);

    // A later delivery for the same person is skipped the same way.
    const later = { ...first, sourceId: `${first.sourceId}-later`, createdAt: '2026-11-01T10:00:00+02:00' };
    const laterReport = await app.server.services.notificationImport.importLines([line(later)]);
    expect(laterReport).toMatchObject({
      imported: 0,
      duplicatePerson: [{ line: 1, sourceId: later.sourceId }],
      invalid: [],
    });
  });

  it('treats codes that differ only in the century sign as two persons (100190-999P, 100190Y999P)', async () => {
    const dash = record({ person: { personalIdentityCode: '100190-999P', dateOfBirth: '1990-01-10' } });
    const y = record({ person: { personalIdentityCode: '100190Y999P', dateOfBirth: '1990-01-10' } });
    const report = await app.server.services.notificationImport.importLines([line(dash), line(y)]);
    expect(report).toMatchObject({ imported: 2, duplicatePerson: [], invalid: [] });
    expect(await personCount(['100190-999P', '100190Y999P'])).toBe(2);
  });

  it('reports invalid lines by line number and keeps the valid lines around them', async () => {
    const validBefore = record();
    const badCheck = record();
    badCheck.person.personalIdentityCode = `${badCheck.person.personalIdentityCode.slice(0, 10)}${
      badCheck.person.personalIdentityCode.endsWith('A') ? 'B' : 'A'
    }`;
    const validMiddle = record({ municipalityCode: '499' });
    const wrongBirthDate = record();
    wrongBirthDate.person.dateOfBirth = '1949-12-31';
    const shortPostalCode = record({ person: { address: { postalCode: '6510' } } });
    const unknownMunicipality = record({ municipalityCode: '999' });
    const noLastName = record();
    const noSourceId = record();
    const localTime = record({ createdAt: '2026-10-30T10:15:00' });
    const validAfter = record({ municipalityCode: '946' });

    const lines = [
      line(validBefore), // 1
      '{"sourceId": "kela-broken", "person": {', // 2
      line(badCheck), // 3
      line(validMiddle), // 4
      line(wrongBirthDate), // 5
      '', // 6: blank lines are skipped but still counted
      line(shortPostalCode), // 7
      line(unknownMunicipality), // 8
      line(without(noLastName, 'person.lastName')), // 9
      line(without(noSourceId, 'sourceId')), // 10
      'null', // 11
      line(localTime), // 12: a time without its offset is ambiguous
      line(validAfter), // 13
    ];
    const report = await app.server.services.notificationImport.importLines(lines);

    expect(report.imported).toBe(3);
    expect(report.duplicatePerson).toEqual([]);
    expect(report.invalid).toEqual([
      { line: 2, message: expect.stringMatching(/JSON/) },
      {
        line: 3,
        sourceId: badCheck.sourceId,
        message: expect.stringMatching(/person\.personalIdentityCode/),
      },
      { line: 5, sourceId: wrongBirthDate.sourceId, message: expect.stringMatching(/person\.dateOfBirth/) },
      {
        line: 7,
        sourceId: shortPostalCode.sourceId,
        message: expect.stringMatching(/person\.address\.postalCode/),
      },
      {
        line: 8,
        sourceId: unknownMunicipality.sourceId,
        message: expect.stringMatching(/municipalityCode.*999/),
      },
      { line: 9, sourceId: noLastName.sourceId, message: expect.stringMatching(/person\.lastName/) },
      { line: 10, message: expect.stringMatching(/sourceId/) },
      { line: 11, message: expect.any(String) },
      { line: 12, sourceId: localTime.sourceId, message: expect.stringMatching(/createdAt/) },
    ]);
    expect([...report.createdIds.keys()].sort()).toEqual(
      [validBefore.sourceId, validMiddle.sourceId, validAfter.sourceId].sort(),
    );

    const rejected = [
      badCheck,
      wrongBirthDate,
      shortPostalCode,
      unknownMunicipality,
      noLastName,
      noSourceId,
      localTime,
    ];
    expect(await notificationCount(rejected.map((r) => r.sourceId))).toBe(0);
    expect(await personCount(rejected.map((r) => r.person.personalIdentityCode))).toBe(0);
    expect(await personsWithoutNotification()).toBe(0);

    // The valid lines are on the lists.
    const korsholm = await app.request(
      NotificationsDocument,
      { filter: { status: 'NEW', personalIdentityCode: validMiddle.person.personalIdentityCode } },
      await app.tokens.handler(['499']),
    );
    expect(korsholm.data?.notifications.totalCount).toBe(1);
  });

  it.each([
    [
      'an impossible firstResidencePermitStart (2025-02-30)',
      { person: { firstResidencePermitStart: '2025-02-30' } },
    ],
    ['a NUL character in additionalInfo', { additionalInfo: 'Tulkki tarpeen\u0000' }],
  ] as const)('reports a line with %s as invalid and keeps the lines after it', async (_case, overrides) => {
    const valid = record();
    const broken = record(overrides);
    const validAfter = record();

    const report = await app.server.services.notificationImport.importLines([
      line(valid),
      line(broken),
      line(validAfter),
    ]);

    expect(report.imported).toBe(2);
    expect(report.invalid).toEqual([{ line: 2, sourceId: broken.sourceId, message: expect.any(String) }]);
    expect(await notificationCount([valid.sourceId, validAfter.sourceId])).toBe(2);
    expect(await personCount([broken.person.personalIdentityCode])).toBe(0);
    expect(await personsWithoutNotification()).toBe(0);
  });
});

describe('phone numbers at import', () => {
  it.each([
    ['a spreadsheet formula', '=HYPERLINK("http://127.0.0.1/x","click")'],
    ['a number too short to exist', '+358 401'],
    ['text around a number', 'tel. 040 123 4567'],
    ['an empty string', ''],
  ])('refuses %s, naming the field and the record, and keeps the other lines', async (_case, phoneNumber) => {
    const valid = record();
    const broken = record({ person: { phoneNumber } });
    const validAfter = record({ person: { phoneNumber: null } });

    const report = await app.server.services.notificationImport.importLines([
      line(valid),
      line(broken),
      line(validAfter),
    ]);

    expect(report.imported).toBe(2);
    expect(report.invalid).toEqual([
      {
        line: 2,
        sourceId: broken.sourceId,
        message: expect.stringMatching(/person\.phoneNumber: not a valid phone number/),
      },
    ]);
    expect(await notificationCount([valid.sourceId, validAfter.sourceId])).toBe(2);
    expect(await personCount([broken.person.personalIdentityCode])).toBe(0);
  });

  it('accepts Finnish numbers with or without the country code, and foreign ones with theirs', async () => {
    const numbers = ['+358 40 1234567', '040-123 4567', '09 1234567', '+46 70 123 45 67'];
    const records = numbers.map((phoneNumber) => record({ person: { phoneNumber } }));
    const report = await app.server.services.notificationImport.importLines(records.map(line));
    expect(report.invalid).toEqual([]);
    expect(report.imported).toBe(numbers.length);
    const stored: { phone_number: string }[] = await app.dataSource.query(
      'SELECT phone_number FROM person WHERE personal_identity_code = ANY($1)',
      [records.map((r) => r.person.personalIdentityCode)],
    );
    expect(stored.map((row) => row.phone_number).sort()).toEqual([...numbers].sort());
  });
});

interface CommandResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runImportCommand(file: string, databaseUrl: string): Promise<CommandResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['-r', '@swc-node/register', 'src/cli/import.ts', file],
      // At info level the command logs as it works: those lines go to standard error, the summary alone to stdout.
      {
        cwd: PROJECT_ROOT,
        env: { ...process.env, DATABASE_URL: databaseUrl, LOG_LEVEL: 'info' },
        timeout: 60_000,
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

describe('npm run import', () => {
  it('imports a file, prints a summary, and exits 1 when lines were invalid and 0 otherwise', async () => {
    const { url } = app.dataSource.options as { url?: string };
    expect(url).toBeDefined();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kelmu-import-'));
    try {
      const first = record({ person: { firstNames: 'Jüri', lastName: 'Mägi' } });
      const invalid = record({ person: { address: { postalCode: 'FI-65100' } } });
      const second = record({ municipalityCode: '598' });
      const file = path.join(dir, 'week-44.ndjson');
      fs.writeFileSync(file, `${[first, invalid, second].map(line).join('\n')}\n`);

      const run = await runImportCommand(file, String(url));
      expect(run.stdout).toBe(
        'Imported 2, already imported 0, skipped as a second notification for the person 0, invalid 1.\n',
      );
      expect(run.stderr).toMatch(/^\{"level":30,/m);
      expect(run.stderr).toContain(`line 2 (${invalid.sourceId}): person.address.postalCode`);
      expect.soft(run.code, 'exit code with invalid lines').toBe(1);
      expect(await notificationCount([first.sourceId, second.sourceId])).toBe(2);
      const [person] = await app.dataSource.query(
        'SELECT first_names, last_name FROM person WHERE personal_identity_code = $1',
        [first.person.personalIdentityCode],
      );
      expect(person).toEqual({ first_names: 'Jüri', last_name: 'Mägi' });

      // The next week's file repeats two lines and has a second notification for a known person: nothing invalid.
      const repeat = { ...first, sourceId: `${first.sourceId}-repeat` };
      const nextFile = path.join(dir, 'week-45.ndjson');
      fs.writeFileSync(nextFile, [first, second, repeat].map(line).join('\r\n'));
      const rerun = await runImportCommand(nextFile, String(url));
      expect(rerun.stdout).toContain(
        'Imported 0, already imported 2, skipped as a second notification for the person 1, invalid 0.',
      );
      expect(rerun.stderr).toContain(`line 3 (${repeat.sourceId})`);
      expect.soft(rerun.code, 'exit code without invalid lines').toBe(0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
