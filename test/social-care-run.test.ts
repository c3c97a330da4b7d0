import { execFile } from 'node:child_process';
import path from 'node:path';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDataSource } from '../src/db/data-source';
import { fictivePersonalIdentityCode } from '../src/domain/personal-identity-code';
import { BenefitFactImportService } from '../src/services/benefit-facts/benefit-fact-import.service';
import { MunicipalityService } from '../src/services/municipality.service';
import { PurgeService } from '../src/services/purge.service';
import { SocialCareNoticeRunService } from '../src/services/social-care-notice-run.service';
import { createTestDatabase } from './support/database';

const PROJECT_ROOT = path.join(__dirname, '..');
const AS_OF = '2026-11-30';
/** 00:00 Helsinki time on 2026-11-30 (EET, UTC+2): the run's moment. */
const AS_OF_MIDNIGHT = new Date('2026-11-29T22:00:00.000Z');
const DAILY_ACTOR = 'kela-daily-social-care-run';

// ---------------------------------------------------------------------------------------------------------------
// Benefit facts as Kela's registers deliver them, one new fictive person per call.

let serial = 0;

interface Facts {
  dateOfBirth: string;
  /** Months of basic income support, YYYY-MM. */
  support: string[];
  /** Months as an unemployed job seeker, YYYY-MM; the support months by default. */
  unemployed?: string[];
  citizenship?: string;
  firstResidencePermitStart?: string | null;
  euEeaCitizen?: boolean;
  municipalityCode?: string;
}

interface Person {
  code: string;
  lines: string[];
}

function person(facts: Facts): Person {
  serial += 1;
  const code = fictivePersonalIdentityCode(facts.dateOfBirth, serial);
  const personLine = JSON.stringify({
    type: 'person',
    municipalityCode: facts.municipalityCode ?? '905',
    person: {
      personalIdentityCode: code,
      firstNames: 'Elias',
      lastName: `Daily ${serial}`,
      dateOfBirth: facts.dateOfBirth,
      nativeLanguage: facts.citizenship && facts.citizenship !== 'FIN' ? 'ar' : 'fi',
      citizenship: facts.citizenship ?? 'FIN',
      address: { street: 'Hovrättsesplanaden 1', postalCode: '65100', postOffice: 'VAASA' },
      phoneNumber: null,
      firstResidencePermitStart: facts.firstResidencePermitStart ?? null,
      euEeaCitizen: facts.euEeaCitizen ?? false,
    },
  });
  const fact = (type: string) => (month: string) =>
    JSON.stringify({ type, personalIdentityCode: code, month });
  return {
    code,
    lines: [
      personLine,
      ...facts.support.map(fact('basicIncomeSupport')),
      ...(facts.unemployed ?? facts.support).map(fact('unemployment')),
    ],
  };
}

/** Consecutive months YYYY-MM, `count` of them ending in `last`. */
function monthsEnding(last: string, count: number): string[] {
  const [year, month] = last.split('-').map(Number) as [number, number];
  return Array.from({ length: count }, (_, i) =>
    new Date(Date.UTC(year, month - count + i, 1)).toISOString().slice(0, 7),
  );
}

interface NoticeRow {
  kind: string;
  municipality_code: string;
  received_at: Date;
  visible_from: Date;
  decision_on: string | null;
  support_months: number;
  source_id: string;
  person_id: string;
}

function useDatabase(persons: () => Person[]) {
  let database: { url: string; drop: () => Promise<void> } | undefined;
  let dataSource: DataSource | undefined;
  beforeAll(async () => {
    database = await createTestDatabase();
    dataSource = createDataSource({ url: database.url, poolSize: 3 });
    await dataSource.initialize();
    const municipalities = new MunicipalityService(dataSource);
    await municipalities.refresh();
    const report = await new BenefitFactImportService(dataSource, municipalities).importLines(
      persons().flatMap((p) => p.lines),
    );
    expect(report.invalid, 'benefit facts of the fixture are valid').toEqual([]);
  });
  afterAll(async () => {
    await dataSource?.destroy();
    await database?.drop();
  });
  return {
    dataSource: () => dataSource as DataSource,
    url: () => (database as { url: string }).url,
    noticesOf: (code: string): Promise<NoticeRow[]> =>
      (dataSource as DataSource).query(
        `SELECT s.kind, s.municipality_code, s.received_at, s.visible_from, s.decision_on, s.support_months,
                s.source_id, s.person_id
           FROM social_care_notice s JOIN person p ON p.id = s.person_id
          WHERE p.personal_identity_code = $1
          ORDER BY s.kind, s.received_at`,
        [code],
      ),
    run: (asOf: string, now = new Date('2026-12-01T09:00:00.000Z')) =>
      new SocialCareNoticeRunService(dataSource as DataSource).run(asOf, now),
  };
}

const kinds = (rows: NoticeRow[]) => rows.map((row) => row.kind);

// ---------------------------------------------------------------------------------------------------------------

describe('who the daily run notifies (as of 2026-11-30)', () => {
  const under25 = '2004-03-15';
  const over25 = '1980-06-01';
  const p = {
    under25Four: person({ dateOfBirth: under25, support: monthsEnding('2026-11', 4) }),
    under25Three: person({ dateOfBirth: under25, support: monthsEnding('2026-11', 3) }),
    under25FourEndingOctober: person({ dateOfBirth: under25, support: monthsEnding('2026-10', 4) }),
    under25FourEndingSeptember: person({ dateOfBirth: under25, support: monthsEnding('2026-09', 4) }),
    under25EmployedOneMonth: person({
      dateOfBirth: under25,
      support: monthsEnding('2026-11', 4),
      unemployed: ['2026-08', '2026-10', '2026-11'],
    }),
    under25Gap: person({ dateOfBirth: under25, support: ['2026-07', '2026-08', '2026-10', '2026-11'] }),
    under25SixMonths: person({ dateOfBirth: under25, support: monthsEnding('2026-11', 6) }),
    over25Four: person({ dateOfBirth: over25, support: monthsEnding('2026-11', 4) }),
    over25Eleven: person({ dateOfBirth: over25, support: monthsEnding('2026-11', 11) }),
    over25Twelve: person({ dateOfBirth: over25, support: monthsEnding('2026-11', 12) }),
    over25Fourteen: person({ dateOfBirth: over25, support: monthsEnding('2026-10', 14) }),
    // The 25th birthday on the run date: 25 or over from that day.
    birthdayToday4: person({ dateOfBirth: '2001-11-30', support: monthsEnding('2026-11', 4) }),
    birthdayToday12: person({ dateOfBirth: '2001-11-30', support: monthsEnding('2026-11', 12) }),
    birthdayTomorrow4: person({ dateOfBirth: '2001-12-01', support: monthsEnding('2026-11', 4) }),
    immigrantTwo: person({
      dateOfBirth: over25,
      support: monthsEnding('2026-11', 2),
      unemployed: [],
      citizenship: 'SOM',
      firstResidencePermitStart: '2025-02-01',
    }),
    immigrantOne: person({
      dateOfBirth: over25,
      support: ['2026-11'],
      unemployed: [],
      citizenship: 'SOM',
      firstResidencePermitStart: '2025-02-01',
    }),
    immigrantOldPermit: person({
      dateOfBirth: over25,
      support: monthsEnding('2026-11', 2),
      unemployed: [],
      citizenship: 'SOM',
      firstResidencePermitStart: '2023-11-30',
    }),
    euCitizen: person({
      dateOfBirth: over25,
      support: ['2026-09', '2026-10'],
      unemployed: [],
      citizenship: 'EST',
      euEeaCitizen: true,
    }),
    finnTwo: person({ dateOfBirth: over25, support: monthsEnding('2026-11', 2), unemployed: [] }),
    immigrantUnder25: person({
      dateOfBirth: under25,
      support: monthsEnding('2026-11', 4),
      citizenship: 'IRQ',
      firstResidencePermitStart: '2024-06-01',
      municipalityCode: '091',
    }),
  };
  const db = useDatabase(() => Object.values(p));
  let first: Awaited<ReturnType<typeof db.run>>;

  beforeAll(async () => {
    first = await db.run(AS_OF);
  });

  it.each([
    [
      'under 25, unemployed with income support for 4 months',
      'under25Four',
      ['UNEMPLOYED_UNDER_25_FOUR_MONTHS'],
    ],
    ['under 25 for only 3 months', 'under25Three', []],
    [
      'under 25, 4 months ending the month before the run',
      'under25FourEndingOctober',
      ['UNEMPLOYED_UNDER_25_FOUR_MONTHS'],
    ],
    ['under 25, 4 months ending two months before', 'under25FourEndingSeptember', []],
    ['under 25, 4 months of support but employed in one of them', 'under25EmployedOneMonth', []],
    ['under 25, 4 months with a gap in September (the streak is broken)', 'under25Gap', []],
    ['25 or over with 4 months', 'over25Four', []],
    ['25 or over with 11 months', 'over25Eleven', []],
    ['25 or over with 12 months', 'over25Twelve', ['UNEMPLOYED_25_OR_OVER_TWELVE_MONTHS']],
    ['25 today with 4 months (no longer under 25)', 'birthdayToday4', []],
    ['25 today with 12 months', 'birthdayToday12', ['UNEMPLOYED_25_OR_OVER_TWELVE_MONTHS']],
    ['25 tomorrow with 4 months (still under 25)', 'birthdayTomorrow4', ['UNEMPLOYED_UNDER_25_FOUR_MONTHS']],
    [
      'immigrant, permit under 3 years, income support for 2 months',
      'immigrantTwo',
      ['IMMIGRANT_TWO_MONTHS'],
    ],
    ['immigrant with one month', 'immigrantOne', []],
    ['immigrant whose first permit is exactly 3 years old', 'immigrantOldPermit', []],
    ['EU citizen, 2 months ending the month before', 'euCitizen', ['IMMIGRANT_TWO_MONTHS']],
    ['Finnish citizen with 2 months and not unemployed', 'finnTwo', []],
    [
      'immigrant under 25, unemployed on support for 4 months: both kinds',
      'immigrantUnder25',
      ['IMMIGRANT_TWO_MONTHS', 'UNEMPLOYED_UNDER_25_FOUR_MONTHS'],
    ],
  ] as const)('%s', async (_name, key, expected) => {
    expect(kinds(await db.noticesOf(p[key].code))).toEqual(expected);
  });

  it('counts what it created by kind', () => {
    expect(first.createdByKind).toEqual({
      UNEMPLOYED_UNDER_25_FOUR_MONTHS: 5,
      UNEMPLOYED_25_OR_OVER_TWELVE_MONTHS: 3,
      IMMIGRANT_TWO_MONTHS: 3,
    });
    expect(first.created).toBe(11);
  });

  it('gives each notice the run’s moment as receivedAt and visibleFrom, the streak length and the municipality', async () => {
    const [notice] = await db.noticesOf(p.under25SixMonths.code);
    expect(notice).toMatchObject({
      kind: 'UNEMPLOYED_UNDER_25_FOUR_MONTHS',
      municipality_code: '905',
      received_at: AS_OF_MIDNIGHT,
      visible_from: AS_OF_MIDNIGHT,
      decision_on: null,
      support_months: 6,
    });
    expect(notice?.source_id).toBe(
      `kela-daily-UNEMPLOYED_UNDER_25_FOUR_MONTHS-${AS_OF}-${notice?.person_id}`,
    );
    const [older] = await db.noticesOf(p.over25Fourteen.code);
    expect(older).toMatchObject({ kind: 'UNEMPLOYED_25_OR_OVER_TWELVE_MONTHS', support_months: 14 });
    const [helsinki] = await db.noticesOf(p.immigrantUnder25.code);
    expect(helsinki?.municipality_code).toBe('091');
  });

  it('writes an audit row per notice and ledger rows of keys, not identity codes', async () => {
    const [audit] = await db.dataSource().query(
      `SELECT count(*)::int AS count, count(DISTINCT social_care_notice_id)::int AS notices
           FROM audit_event WHERE actor_id = $1 AND action = 'IMPORT_SOCIAL_CARE_NOTICE'`,
      [DAILY_ACTOR],
    );
    expect(audit).toEqual({ count: 11, notices: 11 });
    const ledger: { kind: string; episode_start: string; person_key: Buffer }[] = await db
      .dataSource()
      .query('SELECT kind, episode_start::text, person_key FROM social_care_notice_ledger');
    expect(ledger).toHaveLength(11);
    expect(ledger.every((row) => Buffer.isBuffer(row.person_key) && row.person_key.length === 32)).toBe(true);
    expect(JSON.stringify(ledger)).not.toContain(p.under25Four.code);
    // The episode is the streak's first month.
    expect(ledger.map((row) => row.episode_start)).toContain('2026-08-01');
  });

  it('a rerun and the next day’s run create no duplicate', async () => {
    expect((await db.run(AS_OF)).created).toBe(0);
    expect((await db.run('2026-12-01')).created).toBe(0);
    expect(kinds(await db.noticesOf(p.under25Four.code))).toEqual(['UNEMPLOYED_UNDER_25_FOUR_MONTHS']);
    const [total] = await db.dataSource().query('SELECT count(*)::int AS count FROM social_care_notice');
    expect(total.count).toBe(11);
  });
});

describe('episodes: a break in support starts a new one', () => {
  const young = person({
    dateOfBirth: '2005-05-05',
    support: ['2026-01', '2026-02', '2026-03', '2026-04', '2026-06', '2026-07', '2026-08', '2026-09'],
  });
  const db = useDatabase(() => [young]);

  it('notifies once for January–April, not again in May, and anew for June–September', async () => {
    expect((await db.run('2026-04-15')).created).toBe(1);
    // In May the streak still ends in the month before: the same episode.
    expect((await db.run('2026-05-10')).created).toBe(0);
    // In June and July the new streak is too short.
    expect((await db.run('2026-07-31')).created).toBe(0);
    expect((await db.run('2026-09-10')).created).toBe(1);
    expect((await db.run('2026-10-01')).created).toBe(0);
    const rows = await db.noticesOf(young.code);
    expect(rows.map((row) => [row.kind, row.support_months, row.received_at.toISOString()])).toEqual([
      ['UNEMPLOYED_UNDER_25_FOUR_MONTHS', 4, '2026-04-14T21:00:00.000Z'],
      ['UNEMPLOYED_UNDER_25_FOUR_MONTHS', 4, '2026-09-09T21:00:00.000Z'],
    ]);
    const episodes = await db
      .dataSource()
      .query('SELECT episode_start::text AS start FROM social_care_notice_ledger ORDER BY 1');
    expect(episodes).toEqual([{ start: '2026-01-01' }, { start: '2026-06-01' }]);
  });

  it('does not notify an episode again after its notice was purged (the ledger remembers)', async () => {
    const purged = await new PurgeService(
      db.dataSource(),
      { now: () => new Date('2027-06-01T00:00:00.000Z') },
      5,
      90,
    ).purgeExpiredSocialCareNotices();
    expect(purged).toBe(2);
    expect((await db.run('2026-09-10')).created).toBe(0);
    expect(await db.noticesOf(young.code)).toEqual([]);
  });
});

describe('the retention purge', () => {
  const db = useDatabase(() => []);
  const now = new Date('2026-12-10T10:00:00.000Z');
  const DAY = 86_400_000;

  async function givenNotice(sourceId: string, visibleFrom: Date, municipalityCode = '905'): Promise<string> {
    const code = fictivePersonalIdentityCode('1990-01-01', Number(sourceId.replace(/\D/g, '')) || 1);
    const [personRow]: { id: string }[] = await db.dataSource().query(
      `INSERT INTO person (personal_identity_code, first_names, last_name, date_of_birth, street, postal_code,
                           post_office)
       VALUES ($1, 'Anna', 'Retention', '1990-01-01', 'Rantatie 1', '65100', 'VAASA')
       ON CONFLICT (personal_identity_code) DO UPDATE SET last_name = excluded.last_name
       RETURNING id`,
      [code],
    );
    const [notice]: { id: string }[] = await db.dataSource().query(
      `INSERT INTO social_care_notice (source_id, kind, person_id, municipality_code, received_at, visible_from)
       VALUES ($1, 'CONTACT', $2, $3, $4, $4) RETURNING id`,
      [sourceId, personRow?.id, municipalityCode, visibleFrom],
    );
    return (notice as { id: string }).id;
  }

  it('deletes notices visible for the configured days (boundary included), with an audit row each and their orphan persons', async () => {
    const expired = await givenNotice('retention-1', new Date(now.getTime() - 30 * DAY));
    const kept = await givenNotice('retention-2', new Date(now.getTime() - 30 * DAY + 1));
    const recent = await givenNotice('retention-3', new Date(now.getTime() - DAY));
    const purge = new PurgeService(db.dataSource(), { now: () => now }, 5, 30);
    const result = await purge.purgeAll(now);
    expect(result).toEqual({
      notifications: 0,
      homeCareAllowanceLists: 0,
      socialCareNotices: 1,
      accessLogEntries: 0,
      webhookEvents: 0,
    });
    const left: { id: string }[] = await db
      .dataSource()
      .query('SELECT id FROM social_care_notice ORDER BY source_id');
    expect(left.map((row) => row.id)).toEqual([kept, recent]);
    const audits = await db.dataSource().query(
      `SELECT actor_id, organisation, social_care_notice_id, reason FROM audit_event
          WHERE action = 'PURGE_EXPIRED_SOCIAL_CARE_NOTICES'`,
    );
    expect(audits).toEqual([
      {
        actor_id: 'purge',
        organisation: '905',
        social_care_notice_id: expired,
        reason: 'Visible over 30 days',
      },
    ]);
    const [persons] = await db
      .dataSource()
      .query("SELECT count(*)::int AS count FROM person WHERE last_name = 'Retention'");
    expect(persons.count).toBe(2);
    // One millisecond later the next one goes too; the default keeps 90 days.
    expect(await purge.purgeExpiredSocialCareNotices(new Date(now.getTime() + 1))).toBe(1);
    expect(
      await new PurgeService(db.dataSource(), { now: () => now }).purgeExpiredSocialCareNotices(
        new Date(now.getTime() + 88 * DAY),
      ),
    ).toBe(0);
    expect(
      await new PurgeService(db.dataSource(), { now: () => now }).purgeExpiredSocialCareNotices(
        new Date(now.getTime() + 89 * DAY),
      ),
    ).toBe(1);
    const [gone] = await db.dataSource().query('SELECT count(*)::int AS count FROM person');
    expect(gone.count).toBe(0);
  });
});

describe('npm run jobs -- social-care-notices', () => {
  const immigrant = person({
    dateOfBirth: '1990-02-02',
    support: ['2026-10', '2026-11'],
    unemployed: [],
    citizenship: 'SYR',
    firstResidencePermitStart: '2025-01-01',
    municipalityCode: '478',
  });
  const db = useDatabase(() => [immigrant]);

  function jobs(args: string[]) {
    return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        ['-r', '@swc-node/register', 'src/cli/jobs.ts', ...args],
        {
          cwd: PROJECT_ROOT,
          env: { ...process.env, DATABASE_URL: db.url(), LOG_LEVEL: 'warn' },
          timeout: 60_000,
        },
        (error, stdout, stderr) => {
          resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr });
        },
      );
    });
  }

  it('creates the notices, prints a summary by kind and exits 0; a rerun creates none', async () => {
    const run = await jobs(['social-care-notices', '--as-of', AS_OF]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(
      /^Daily social-care run as of 2026-11-30: created 1 notice\(s\) \(UNEMPLOYED_UNDER_25_FOUR_MONTHS 0, UNEMPLOYED_25_OR_OVER_TWELVE_MONTHS 0, IMMIGRANT_TWO_MONTHS 1\) in \d+ ms\.$/m,
    );
    expect(await db.noticesOf(immigrant.code)).toMatchObject([
      { kind: 'IMMIGRANT_TWO_MONTHS', municipality_code: '478', support_months: 2 },
    ]);
    const rerun = await jobs(['social-care-notices', '--as-of', AS_OF]);
    expect(rerun.code).toBe(0);
    expect(rerun.stdout).toContain('created 0 notice(s)');
  }, 120_000);

  it.each(['2026-02-30', 'tomorrow'])(
    'refuses --as-of %s with exit code 2 and a message',
    async (asOf) => {
      const run = await jobs(['social-care-notices', '--as-of', asOf]);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(`--as-of must be a date YYYY-MM-DD, not ${asOf}`);
    },
    60_000,
  );
});
