import { execFile } from 'node:child_process';
import path from 'node:path';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDataSource } from '../src/db/data-source';
import { fictivePersonalIdentityCode } from '../src/domain/personal-identity-code';
import { BenefitFactImportService } from '../src/services/benefit-facts/benefit-fact-import.service';
import {
  type EligibilityRule,
  ImmigrantNotificationRunService,
} from '../src/services/immigrant-notification-run.service';
import { MunicipalityService } from '../src/services/municipality.service';
import { MoveToProcessingDocument, NotificationsDocument } from './generated/graphql';
import { startTestApp, type TestApp } from './support/app';
import { createTestDatabase } from './support/database';

const DAY_MS = 86_400_000;
const PROJECT_ROOT = path.join(__dirname, '..');
const DEFAULT_RULE: EligibilityRule = {
  consecutiveSupportMonths: 2,
  residencePermitMaxYears: 3,
  consecutiveUnemploymentMonths: 12,
};
const AS_OF = '2026-11-30';
/** Finnish midnight of 2026-11-30 (EET, UTC+2). */
const AS_OF_MIDNIGHT = '2026-11-29T22:00:00.000Z';
const WEEKLY_ACTOR = 'kela-weekly-immigrant-run';

// ---------------------------------------------------------------------------------------------------------------
// Benefit facts as Kela's registers deliver them (NDJSON lines), one new fictive person per call.

let serial = 0;

interface PersonFacts {
  municipalityCode?: string;
  firstResidencePermitStart?: string | null;
  euEeaCitizen?: boolean;
  citizenship?: string | null;
  street?: string;
  postalCode?: string;
  postOffice?: string;
  /** Months of basic income support, YYYY-MM. */
  months?: string[];
}

interface FictivePerson {
  code: string;
  dateOfBirth: string;
  lastName: string;
  /** The person line and the support lines. */
  lines: string[];
  personLine(overrides?: PersonFacts): string;
  supportLines(months: string[]): string[];
}

function fictivePerson(facts: PersonFacts = {}): FictivePerson {
  serial += 1;
  const dateOfBirth = new Date(Date.UTC(1975, 0, 1) + serial * 11 * DAY_MS).toISOString().slice(0, 10);
  const code = fictivePersonalIdentityCode(dateOfBirth, serial);
  const lastName = `Weekly ${serial}`;
  const personLine = (overrides: PersonFacts = {}) => {
    const f = { ...facts, ...overrides };
    return JSON.stringify({
      type: 'person',
      municipalityCode: f.municipalityCode ?? '905',
      person: {
        personalIdentityCode: code,
        firstNames: 'Amina',
        lastName,
        dateOfBirth,
        nativeLanguage: 'so',
        citizenship: f.citizenship === undefined ? 'SOM' : f.citizenship,
        address: {
          street: f.street ?? 'Kauppapuistikko 1 A 2',
          postalCode: f.postalCode ?? '65100',
          postOffice: f.postOffice ?? 'VAASA',
        },
        phoneNumber: '+358 40 7654321',
        firstResidencePermitStart:
          f.firstResidencePermitStart === undefined ? '2025-02-01' : f.firstResidencePermitStart,
        euEeaCitizen: f.euEeaCitizen ?? false,
      },
    });
  };
  const supportLines = (months: string[]) =>
    months.map((month) => JSON.stringify({ type: 'basicIncomeSupport', personalIdentityCode: code, month }));
  return {
    code,
    dateOfBirth,
    lastName,
    lines: [personLine(), ...supportLines(facts.months ?? ['2026-10', '2026-11'])],
    personLine,
    supportLines,
  };
}

async function loadFacts(dataSource: DataSource, municipalities: MunicipalityService, lines: string[]) {
  const report = await new BenefitFactImportService(dataSource, municipalities).importLines(lines);
  expect(report.invalid, 'benefit facts of the fixture are valid').toEqual([]);
  return report;
}

function runService(dataSource: DataSource, rule: EligibilityRule = DEFAULT_RULE) {
  return new ImmigrantNotificationRunService(dataSource, rule);
}

interface NotificationRow {
  id: string;
  municipality_code: string;
  status: string;
  created_at: Date;
}

async function notificationsOf(dataSource: DataSource, code: string): Promise<NotificationRow[]> {
  return dataSource.query(
    `SELECT n.id, n.municipality_code, n.status, n.created_at
       FROM notification n JOIN person p ON p.id = n.person_id
      WHERE p.personal_identity_code = $1
      ORDER BY n.created_at`,
    [code],
  );
}

async function count(dataSource: DataSource, sql: string, parameters: unknown[] = []): Promise<number> {
  const [row]: { count: number }[] = await dataSource.query(sql, parameters);
  return row?.count ?? -1;
}

const ledgerCount = (dataSource: DataSource) =>
  count(dataSource, 'SELECT count(*)::int AS count FROM notification_ledger');
const weeklyAuditCount = (dataSource: DataSource) =>
  count(dataSource, 'SELECT count(*)::int AS count FROM audit_event WHERE actor_id = $1', [WEEKLY_ACTOR]);

/** A test app of its own for a describe block: the run covers every benefit fact in the database. */
function useApp(): () => TestApp {
  let app: TestApp | undefined;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(async () => {
    await app?.close();
  });
  return () => {
    if (!app) throw new Error('the test app did not start');
    return app;
  };
}

// ---------------------------------------------------------------------------------------------------------------

describe('who the weekly run notifies (as of 2026-11-30, two months, permit under three years)', () => {
  const getApp = useApp();
  const cases = [
    {
      name: 'first residence permit started exactly three years before the run date',
      person: fictivePerson({ firstResidencePermitStart: '2023-11-30' }),
      notified: false,
    },
    {
      name: 'first residence permit started one day less than three years before',
      person: fictivePerson({ firstResidencePermitStart: '2023-12-01' }),
      notified: true,
    },
    {
      name: 'first residence permit starts the day after the run date',
      person: fictivePerson({ firstResidencePermitStart: '2026-12-01' }),
      notified: false,
    },
    {
      name: 'first residence permit starts on the run date',
      person: fictivePerson({ firstResidencePermitStart: '2026-11-30' }),
      notified: true,
    },
    {
      name: 'support in September and November but not October',
      person: fictivePerson({ months: ['2026-09', '2026-11'] }),
      notified: false,
    },
    {
      name: 'support in the as-of month and the one before (October, November)',
      person: fictivePerson({ months: ['2026-10', '2026-11'] }),
      notified: true,
    },
    {
      name: 'support in the two months ending the month before the as-of month (September, October)',
      person: fictivePerson({ months: ['2026-09', '2026-10'] }),
      notified: true,
    },
    {
      name: 'support in the two months ending two months before (August, September)',
      person: fictivePerson({ months: ['2026-08', '2026-09'] }),
      notified: false,
    },
    {
      name: 'support in the as-of month only',
      person: fictivePerson({ months: ['2026-11'] }),
      notified: false,
    },
    {
      name: 'EU/EEA citizen without residence permit, support in October and November',
      person: fictivePerson({ euEeaCitizen: true, citizenship: 'EST', firstResidencePermitStart: null }),
      notified: true,
    },
    {
      name: 'EU/EEA citizen without residence permit, support in November only',
      person: fictivePerson({
        euEeaCitizen: true,
        citizenship: 'EST',
        firstResidencePermitStart: null,
        months: ['2026-11'],
      }),
      notified: false,
    },
    {
      name: 'no residence permit and not an EU/EEA citizen (a Finnish citizen), support all year',
      person: fictivePerson({
        citizenship: 'FIN',
        firstResidencePermitStart: null,
        months: Array.from({ length: 11 }, (_, i) => `2026-${String(i + 1).padStart(2, '0')}`),
      }),
      notified: false,
    },
  ];
  // Lives in Vaasa in the first line, in Mustasaari (Korsholm) in the second: the run goes by the latest.
  const mover = fictivePerson({ municipalityCode: '905' });
  const moverNewAddress = {
    municipalityCode: '499',
    street: 'Smedsbyvägen 3',
    postalCode: '65610',
    postOffice: 'MUSTASAARI',
  };
  let result: Awaited<ReturnType<ImmigrantNotificationRunService['run']>>;

  beforeAll(async () => {
    const app = getApp();
    await loadFacts(app.dataSource, app.server.services.municipalities, [
      ...cases.flatMap((c) => c.person.lines),
      ...mover.lines,
      mover.personLine(moverNewAddress),
    ]);
    result = await runService(app.dataSource).run(AS_OF);
  });

  it('creates one notification per qualifying person, dated Finnish midnight of the run date', () => {
    expect(result).toEqual({
      asOf: AS_OF,
      createdAt: new Date(AS_OF_MIDNIGHT),
      created: cases.filter((c) => c.notified).length + 1,
    });
  });

  it.each(cases)('$name: notified $notified', async ({ person, notified }) => {
    const rows = await notificationsOf(getApp().dataSource, person.code);
    if (notified) {
      expect(rows).toEqual([
        expect.objectContaining({
          municipality_code: '905',
          status: 'NEW',
          created_at: new Date(AS_OF_MIDNIGHT),
        }),
      ]);
    } else {
      expect(rows).toEqual([]);
    }
  });

  it('sends the notification of a person who moved to the current municipality, where its handler sees it as NEW', async () => {
    const app = getApp();
    app.clock.set(new Date('2026-12-01T08:00:00.000Z'));
    const korsholm = await app.tokens.handler(['499']);
    const vaasa = await app.tokens.handler(['905']);

    const atKorsholm = await app.request(
      NotificationsDocument,
      { filter: { status: 'NEW', personalIdentityCode: mover.code } },
      korsholm,
    );
    expect(atKorsholm.errors).toBeUndefined();
    expect(atKorsholm.data?.notifications.totalCount).toBe(1);
    expect(atKorsholm.data?.notifications.edges[0]?.node).toMatchObject({
      kind: 'IMMIGRANT',
      status: 'NEW',
      createdAt: AS_OF_MIDNIGHT,
      pendingDays: 1,
      municipality: { code: '499', nameFi: 'Mustasaari', nameSv: 'Korsholm' },
      person: {
        personalIdentityCode: mover.code,
        lastName: mover.lastName,
        dateOfBirth: mover.dateOfBirth,
        address: { street: 'Smedsbyvägen 3', postalCode: '65610', postOffice: 'MUSTASAARI' },
        firstResidencePermitStart: '2025-02-01',
        euEeaCitizen: false,
      },
    });

    const atVaasa = await app.request(
      NotificationsDocument,
      { filter: { status: 'NEW', personalIdentityCode: mover.code } },
      vaasa,
    );
    expect(atVaasa.data?.notifications.totalCount).toBe(0);
  });
});

describe('eligibility thresholds from configuration', () => {
  const getApp = useApp();

  it('with three consecutive months required, two months are not enough and three are', async () => {
    const app = getApp();
    const twoMonths = fictivePerson({ months: ['2026-10', '2026-11'] });
    const threeMonths = fictivePerson({ months: ['2026-09', '2026-10', '2026-11'] });
    const threeWithGap = fictivePerson({ months: ['2026-08', '2026-10', '2026-11'] });
    await loadFacts(app.dataSource, app.server.services.municipalities, [
      ...twoMonths.lines,
      ...threeMonths.lines,
      ...threeWithGap.lines,
    ]);

    const run = await runService(app.dataSource, {
      consecutiveSupportMonths: 3,
      residencePermitMaxYears: 3,
      consecutiveUnemploymentMonths: 12,
    }).run(AS_OF);

    expect(run.created).toBe(1);
    expect(await notificationsOf(app.dataSource, threeMonths.code)).toHaveLength(1);
    expect(await notificationsOf(app.dataSource, twoMonths.code)).toEqual([]);
    expect(await notificationsOf(app.dataSource, threeWithGap.code)).toEqual([]);

    // The default rule then takes those with the last two months: the two-month person and the one with a gap.
    const defaultRun = await runService(app.dataSource).run(AS_OF);
    expect(defaultRun.created).toBe(2);
    expect(await notificationsOf(app.dataSource, twoMonths.code)).toHaveLength(1);
    expect(await notificationsOf(app.dataSource, threeWithGap.code)).toHaveLength(1);
  });

  it('with residence permits valid under five years, a four-year-old permit qualifies', async () => {
    const app = getApp();
    const fourYears = fictivePerson({ firstResidencePermitStart: '2022-12-01' });
    const fiveYears = fictivePerson({ firstResidencePermitStart: '2021-11-30' });
    await loadFacts(app.dataSource, app.server.services.municipalities, [
      ...fourYears.lines,
      ...fiveYears.lines,
    ]);

    expect((await runService(app.dataSource).run(AS_OF)).created).toBe(0);
    const run = await runService(app.dataSource, {
      consecutiveSupportMonths: 2,
      residencePermitMaxYears: 5,
      consecutiveUnemploymentMonths: 12,
    }).run(AS_OF);

    expect(run.created).toBe(1);
    expect(await notificationsOf(app.dataSource, fourYears.code)).toHaveLength(1);
    expect(await notificationsOf(app.dataSource, fiveYears.code)).toEqual([]);
  });

  it('dates a summer run at Finnish midnight in summer time (UTC+3)', async () => {
    const app = getApp();
    const person = fictivePerson({ months: ['2026-05', '2026-06'] });
    await loadFacts(app.dataSource, app.server.services.municipalities, person.lines);

    const run = await runService(app.dataSource).run('2026-06-15');

    expect(run).toMatchObject({ created: 1, createdAt: new Date('2026-06-14T21:00:00.000Z') });
    expect(await notificationsOf(app.dataSource, person.code)).toEqual([
      expect.objectContaining({ created_at: new Date('2026-06-14T21:00:00.000Z') }),
    ]);
  });
});

describe('one notification per person, ever', () => {
  const getApp = useApp();

  it('a rerun for the same date creates nothing', async () => {
    const app = getApp();
    const person = fictivePerson();
    await loadFacts(app.dataSource, app.server.services.municipalities, person.lines);

    expect((await runService(app.dataSource).run(AS_OF)).created).toBe(1);
    expect((await runService(app.dataSource).run(AS_OF)).created).toBe(0);

    expect(await notificationsOf(app.dataSource, person.code)).toHaveLength(1);
    expect(await ledgerCount(app.dataSource)).toBe(1);
    expect(await weeklyAuditCount(app.dataSource)).toBe(1);
  });

  it('next week’s run notifies the newly eligible and nobody already notified', async () => {
    const app = getApp();
    const earlier = fictivePerson();
    await loadFacts(app.dataSource, app.server.services.municipalities, earlier.lines);
    expect((await runService(app.dataSource).run(AS_OF)).created).toBe(1);

    const newcomer = fictivePerson({ months: ['2026-11', '2026-12'] });
    await loadFacts(app.dataSource, app.server.services.municipalities, [
      ...earlier.supportLines(['2026-12']),
      ...newcomer.lines,
    ]);
    const nextWeek = await runService(app.dataSource).run('2026-12-07');

    expect(nextWeek.created).toBe(1);
    expect(await notificationsOf(app.dataSource, earlier.code)).toHaveLength(1);
    expect(await notificationsOf(app.dataSource, newcomer.code)).toEqual([
      expect.objectContaining({ created_at: new Date('2026-12-06T22:00:00.000Z') }),
    ]);
  });

  it('after the notification is purged from processing, later runs and Kela’s import still skip the person', async () => {
    const app = getApp();
    const vaasa = await app.tokens.handler(['905']);
    const person = fictivePerson({ months: ['2026-11', '2026-12'] });
    await loadFacts(app.dataSource, app.server.services.municipalities, person.lines);
    expect((await runService(app.dataSource).run('2026-12-14')).created).toBe(1);
    const [notification] = await notificationsOf(app.dataSource, person.code);
    expect(notification?.created_at).toEqual(new Date('2026-12-13T22:00:00.000Z'));

    app.clock.set(new Date('2026-12-15T08:00:00.000Z'));
    const moved = await app.request(MoveToProcessingDocument, { id: String(notification?.id) }, vaasa);
    expect(moved.data?.moveToProcessing).toMatchObject({
      __typename: 'Notification',
      status: 'IN_PROCESSING',
    });

    app.clock.set(new Date('2027-01-14T08:00:00.000Z'));
    expect(await app.server.services.purge.purgeExpired()).toBe(1);
    expect(await notificationsOf(app.dataSource, person.code)).toEqual([]);
    expect(
      await count(
        app.dataSource,
        'SELECT count(*)::int AS count FROM person WHERE personal_identity_code = $1',
        [person.code],
      ),
    ).toBe(0);

    // Support goes on; another person becomes eligible in the same run, so the run itself does create.
    const other = fictivePerson({ months: ['2026-12', '2027-01'] });
    await loadFacts(app.dataSource, app.server.services.municipalities, [
      ...person.supportLines(['2027-01']),
      ...other.lines,
    ]);
    const later = await runService(app.dataSource).run('2027-01-18');
    expect(later.created).toBe(1);
    expect(await notificationsOf(app.dataSource, person.code)).toEqual([]);
    expect(await notificationsOf(app.dataSource, other.code)).toHaveLength(1);

    // Kela's own delivery for the same person is skipped as a second notification.
    const delivery = JSON.parse(person.lines[0] as string) as { municipalityCode: string; person: unknown };
    const report = await app.server.services.notificationImport.importLines([
      JSON.stringify({
        sourceId: `kela-2027-w03-${serial}`,
        kind: 'IMMIGRANT',
        municipalityCode: delivery.municipalityCode,
        createdAt: '2027-01-18T10:00:00+02:00',
        additionalInfo: null,
        person: delivery.person,
      }),
    ]);
    expect(report.imported).toBe(0);
    expect(report.invalid).toEqual([]);
    expect(report.duplicatePerson).toEqual([expect.objectContaining({ line: 1 })]);
    expect(await notificationsOf(app.dataSource, person.code)).toEqual([]);
  });

  it('after a notification pending over 30 days disappears on the move to processing, later runs skip the person', async () => {
    const app = getApp();
    const vaasa = await app.tokens.handler(['905']);
    const person = fictivePerson({ months: ['2026-12', '2027-01'] });
    await loadFacts(app.dataSource, app.server.services.municipalities, person.lines);
    expect((await runService(app.dataSource).run('2027-02-01')).created).toBe(1);
    const [notification] = await notificationsOf(app.dataSource, person.code);

    app.clock.set(new Date('2027-03-05T08:00:00.000Z'));
    const moved = await app.request(MoveToProcessingDocument, { id: String(notification?.id) }, vaasa);
    expect(moved.data?.moveToProcessing).toMatchObject({ __typename: 'NotificationRemoved' });
    expect(await notificationsOf(app.dataSource, person.code)).toEqual([]);

    await loadFacts(
      app.dataSource,
      app.server.services.municipalities,
      person.supportLines(['2027-02', '2027-03']),
    );
    expect((await runService(app.dataSource).run('2027-03-08')).created).toBe(0);
    expect(await notificationsOf(app.dataSource, person.code)).toEqual([]);
  });
});

describe('audit trail and ledger of the run', () => {
  const getApp = useApp();
  const persons = [
    fictivePerson({ municipalityCode: '905' }),
    fictivePerson({ municipalityCode: '905' }),
    fictivePerson({ municipalityCode: '598', postalCode: '68600', postOffice: 'PIETARSAARI' }),
  ];

  beforeAll(async () => {
    const app = getApp();
    await loadFacts(
      app.dataSource,
      app.server.services.municipalities,
      persons.flatMap((p) => p.lines),
    );
    expect((await runService(app.dataSource).run(AS_OF)).created).toBe(3);
  });

  it('writes an IMPORT audit row by the weekly run for each notification it creates', async () => {
    const app = getApp();
    const notifications = (
      await Promise.all(persons.map((p) => notificationsOf(app.dataSource, p.code)))
    ).flat();
    expect(notifications).toHaveLength(3);

    const audit = await app.dataSource.query(
      `SELECT action, actor_kind, actor_id, organisation, notification_id, to_status, to_municipality_code
         FROM audit_event WHERE actor_id = $1`,
      [WEEKLY_ACTOR],
    );
    expect(audit).toHaveLength(3);
    expect(audit).toEqual(
      expect.arrayContaining(
        notifications.map((n) =>
          expect.objectContaining({
            action: 'IMPORT',
            actor_kind: 'SYSTEM',
            actor_id: WEEKLY_ACTOR,
            organisation: n.municipality_code,
            notification_id: n.id,
            to_status: 'NEW',
            to_municipality_code: n.municipality_code,
          }),
        ),
      ),
    );

    // A rerun writes no further audit rows.
    expect((await runService(app.dataSource).run(AS_OF)).created).toBe(0);
    expect(await weeklyAuditCount(app.dataSource)).toBe(3);
  });

  it('keeps no personal identity code in audit_event or notification_ledger: the ledger holds keyed hashes', async () => {
    const app = getApp();
    const codes = persons.map((p) => p.code);

    const auditRows: { json: string }[] = await app.dataSource.query(
      'SELECT row_to_json(a)::text AS json FROM audit_event a',
    );
    expect(auditRows.length).toBeGreaterThanOrEqual(3);
    for (const { json } of auditRows) for (const code of codes) expect(json).not.toContain(code);

    const [column] = await app.dataSource.query(
      `SELECT data_type FROM information_schema.columns
        WHERE table_name = 'notification_ledger' AND column_name = 'person_key'`,
    );
    expect(column).toEqual({ data_type: 'bytea' });

    const ledger: { person_key: Buffer; kind: string; notified_at: Date; json: string }[] =
      await app.dataSource.query(
        'SELECT person_key, kind, notified_at, row_to_json(l)::text AS json FROM notification_ledger l',
      );
    expect(ledger).toHaveLength(3);
    for (const row of ledger) {
      expect(row.kind).toBe('IMMIGRANT');
      expect(row.notified_at).toEqual(new Date(AS_OF_MIDNIGHT));
      expect(Buffer.isBuffer(row.person_key)).toBe(true);
      expect(row.person_key).toHaveLength(32);
      for (const code of codes) {
        expect(row.json).not.toContain(code);
        expect(row.person_key.toString('latin1')).not.toContain(code);
      }
    }
    expect(new Set(ledger.map((row) => row.person_key.toString('hex'))).size).toBe(3);

    // Keyed: a plain hash of the code (which anyone could compute from a list of codes) matches no entry.
    const plainHashes = await count(
      app.dataSource,
      `SELECT count(*)::int AS count FROM notification_ledger
        WHERE person_key IN (SELECT sha256(convert_to(c, 'UTF8')) FROM unnest($1::text[]) AS c)`,
      [codes],
    );
    expect(plainHashes).toBe(0);
  });
});

describe('the run is all or nothing', () => {
  const getApp = useApp();

  it('a run that fails midway writes no notification, person, ledger or audit row; the rerun creates them all', async () => {
    const app = getApp();
    const inVaasa = fictivePerson({ municipalityCode: '905' });
    const inKorsholm = fictivePerson({
      municipalityCode: '499',
      postalCode: '65610',
      postOffice: 'MUSTASAARI',
    });
    await loadFacts(app.dataSource, app.server.services.municipalities, [
      ...inVaasa.lines,
      ...inKorsholm.lines,
    ]);

    // Fault injection in this test's own database: the audit row of the Korsholm notification cannot be written,
    // after the persons, notifications and ledger rows of the same run have been.
    await app.dataSource.query(`
      CREATE FUNCTION test_fail_korsholm_audit() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.to_municipality_code = '499' THEN RAISE EXCEPTION 'simulated failure while auditing'; END IF;
        RETURN NEW;
      END $$`);
    await app.dataSource.query(
      'CREATE TRIGGER test_fail_korsholm_audit BEFORE INSERT ON audit_event FOR EACH ROW EXECUTE FUNCTION test_fail_korsholm_audit()',
    );
    try {
      await expect(runService(app.dataSource).run(AS_OF)).rejects.toThrow(/simulated failure while auditing/);
    } finally {
      await app.dataSource.query('DROP TRIGGER test_fail_korsholm_audit ON audit_event');
      await app.dataSource.query('DROP FUNCTION test_fail_korsholm_audit()');
    }

    expect(await count(app.dataSource, 'SELECT count(*)::int AS count FROM notification')).toBe(0);
    expect(
      await count(
        app.dataSource,
        'SELECT count(*)::int AS count FROM person WHERE personal_identity_code = ANY($1)',
        [[inVaasa.code, inKorsholm.code]],
      ),
    ).toBe(0);
    expect(await ledgerCount(app.dataSource)).toBe(0);
    expect(await weeklyAuditCount(app.dataSource)).toBe(0);

    const rerun = await runService(app.dataSource).run(AS_OF);
    expect(rerun.created).toBe(2);
    expect(await notificationsOf(app.dataSource, inVaasa.code)).toEqual([
      expect.objectContaining({ municipality_code: '905' }),
    ]);
    expect(await notificationsOf(app.dataSource, inKorsholm.code)).toEqual([
      expect.objectContaining({ municipality_code: '499' }),
    ]);
    expect(await ledgerCount(app.dataSource)).toBe(2);
    expect(await weeklyAuditCount(app.dataSource)).toBe(2);
  });
});

describe('npm run jobs -- immigrant-notifications', () => {
  let database: { url: string; drop: () => Promise<void> };
  let dataSource: DataSource;
  const twoMonths = fictivePerson({ municipalityCode: '905', months: ['2026-10', '2026-11'] });
  const threeMonths = fictivePerson({
    municipalityCode: '598',
    postalCode: '68600',
    postOffice: 'PIETARSAARI',
    months: ['2026-09', '2026-10', '2026-11'],
  });

  beforeAll(async () => {
    database = await createTestDatabase();
    dataSource = createDataSource({ url: database.url });
    await dataSource.initialize();
    const municipalities = new MunicipalityService(dataSource);
    await municipalities.refresh();
    await loadFacts(dataSource, municipalities, [...twoMonths.lines, ...threeMonths.lines]);
  });
  afterAll(async () => {
    await dataSource?.destroy();
    await database?.drop();
  });

  function jobs(args: string[], env: Record<string, string> = {}) {
    const base: NodeJS.ProcessEnv = { ...process.env };
    delete base.INCOME_SUPPORT_CONSECUTIVE_MONTHS;
    delete base.RESIDENCE_PERMIT_MAX_YEARS;
    delete base.UNEMPLOYMENT_BENEFIT_CONSECUTIVE_MONTHS;
    return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        ['-r', '@swc-node/register', 'src/cli/jobs.ts', ...args],
        {
          cwd: PROJECT_ROOT,
          env: { ...base, DATABASE_URL: database.url, LOG_LEVEL: 'warn', ...env },
          timeout: 60_000,
        },
        (error, stdout, stderr) => {
          resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr });
        },
      );
    });
  }

  it('creates the notifications, prints a summary and exits 0; the thresholds come from the environment; a rerun creates 0', async () => {
    const strict = await jobs(['immigrant-notifications', '--as-of', AS_OF], {
      INCOME_SUPPORT_CONSECUTIVE_MONTHS: '3',
    });
    expect(strict.stderr).toBe('');
    expect(strict.code).toBe(0);
    expect(strict.stdout).toMatch(/^Weekly run as of 2026-11-30: created 1 notification\(s\) in \d+ ms\.$/m);

    const run = await jobs(['immigrant-notifications', '--as-of', AS_OF]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Weekly run as of 2026-11-30: created 1 notification(s)');

    const rows = await dataSource.query(
      `SELECT p.personal_identity_code, n.municipality_code, n.status, n.created_at
         FROM notification n JOIN person p ON p.id = n.person_id ORDER BY n.municipality_code`,
    );
    expect(rows).toEqual([
      {
        personal_identity_code: threeMonths.code,
        municipality_code: '598',
        status: 'NEW',
        created_at: new Date(AS_OF_MIDNIGHT),
      },
      {
        personal_identity_code: twoMonths.code,
        municipality_code: '905',
        status: 'NEW',
        created_at: new Date(AS_OF_MIDNIGHT),
      },
    ]);

    const rerun = await jobs(['immigrant-notifications', '--as-of', AS_OF]);
    expect(rerun.code).toBe(0);
    expect(rerun.stdout).toContain('Weekly run as of 2026-11-30: created 0 notification(s)');
    expect(await count(dataSource, 'SELECT count(*)::int AS count FROM notification')).toBe(2);
  }, 180_000);

  it('refuses an --as-of that is not a calendar date with exit code 2', async () => {
    const run = await jobs(['immigrant-notifications', '--as-of', '2026-02-30']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--as-of must be a date YYYY-MM-DD, not 2026-02-30');
  }, 60_000);
});
