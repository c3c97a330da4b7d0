import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NoticeVisibility, SocialCareNoticeKind } from '../src/domain/enums';
import { fictivePersonalIdentityCode } from '../src/domain/personal-identity-code';
import {
  kindRule,
  noticeVisibleFrom,
  recipientOf,
  SOCIAL_CARE_NOTICE_KINDS,
} from '../src/domain/social-care';
import { startTestApp, type TestApp } from './support/app';

const PROJECT_ROOT = path.join(__dirname, '..');
const DAY_MS = 86_400_000;

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => {
  await app?.close();
});

let serial = 0;

/** A valid line of Kela's social-care delivery for a new fictive person (born in the 1940s: no other test's code). */
function notice(overrides: Record<string, unknown> = {}): Record<string, unknown> & { sourceId: string } {
  serial += 1;
  const dateOfBirth = new Date(Date.UTC(1940, 0, 1) + serial * 5 * DAY_MS).toISOString().slice(0, 10);
  return {
    sourceId: `kela-social-care-test-${serial}`,
    kind: 'NEED_FOR_SOCIAL_CARE',
    municipalityCode: '905',
    receivedAt: '2026-10-30T10:15:00+02:00',
    additionalInfo: 'Asiakas toivoo yhteydenottoa.',
    person: {
      personalIdentityCode: fictivePersonalIdentityCode(dateOfBirth, serial),
      firstNames: 'Siiri',
      lastName: 'Sosiaali',
      dateOfBirth,
      nativeLanguage: 'fi',
      citizenship: 'FIN',
      address: { street: 'Kauppapuistikko 1', postalCode: '65100', postOffice: 'VAASA' },
      phoneNumber: '+358 40 123 4567',
      firstResidencePermitStart: null,
      euEeaCitizen: false,
    },
    ...overrides,
  } as Record<string, unknown> & { sourceId: string };
}

const line = (value: unknown) => JSON.stringify(value);

async function stored(sourceId: string) {
  const [row] = await app.dataSource.query(
    `SELECT kind, municipality_code, received_at, to_char(decision_on, 'YYYY-MM-DD') AS decision_on, visible_from,
            support_months
       FROM social_care_notice WHERE source_id = $1`,
    [sourceId],
  );
  return row as
    | {
        kind: string;
        municipality_code: string;
        received_at: Date;
        decision_on: string | null;
        visible_from: Date;
        support_months: number | null;
      }
    | undefined;
}

describe("Kela's rules for when a social-care notice becomes visible", () => {
  it('every kind has its rule, as the service page lists them', () => {
    expect([...SOCIAL_CARE_NOTICE_KINDS.keys()].sort()).toEqual(Object.values(SocialCareNoticeKind).sort());
    const visibility = (kind: SocialCareNoticeKind) => kindRule(kind).visibility;
    // "Contacts and notices of need for social care at once"
    expect(visibility(SocialCareNoticeKind.CONTACT)).toBe(NoticeVisibility.IMMEDIATE);
    expect(visibility(SocialCareNoticeKind.NEED_FOR_SOCIAL_CARE)).toBe(NoticeVisibility.IMMEDIATE);
    // "urgent applications and the notices about the unemployed and immigrants the same day"
    for (const kind of [
      SocialCareNoticeKind.URGENT_APPLICATION,
      SocialCareNoticeKind.UNEMPLOYED_UNDER_25_FOUR_MONTHS,
      SocialCareNoticeKind.UNEMPLOYED_25_OR_OVER_TWELVE_MONTHS,
      SocialCareNoticeKind.IMMIGRANT_TWO_MONTHS,
    ]) {
      expect(visibility(kind)).toBe(NoticeVisibility.SAME_DAY);
    }
    // "supplementary or preventive income support and notices of a reduced basic amount on the day after the decision"
    expect(visibility(SocialCareNoticeKind.SUPPLEMENTARY_OR_PREVENTIVE_INCOME_SUPPORT)).toBe(
      NoticeVisibility.DAY_AFTER_DECISION,
    );
    expect(visibility(SocialCareNoticeKind.REDUCED_BASIC_AMOUNT)).toBe(NoticeVisibility.DAY_AFTER_DECISION);
    expect(kindRule(SocialCareNoticeKind.UNEMPLOYED_UNDER_25_FOUR_MONTHS).supportMonths).toBe(4);
    expect(kindRule(SocialCareNoticeKind.UNEMPLOYED_25_OR_OVER_TWELVE_MONTHS).supportMonths).toBe(12);
    expect(kindRule(SocialCareNoticeKind.IMMIGRANT_TWO_MONTHS).supportMonths).toBe(2);
  });

  it('a notice after a decision is visible from 00:00 Helsinki time on the next day, in winter and in summer time', () => {
    const received = new Date('2026-03-20T08:00:00Z');
    // Winter time (UTC+2): 00:00 on 21.1 is 22:00 UTC on 20.1.
    expect(
      noticeVisibleFrom(SocialCareNoticeKind.REDUCED_BASIC_AMOUNT, received, '2026-01-20').toISOString(),
    ).toBe('2026-01-20T22:00:00.000Z');
    // Decided on Saturday 28.3, the night before summer time begins: visible from 00:00 EET on Sunday 29.3.
    expect(
      noticeVisibleFrom(
        SocialCareNoticeKind.SUPPLEMENTARY_OR_PREVENTIVE_INCOME_SUPPORT,
        received,
        '2026-03-28',
      ).toISOString(),
    ).toBe('2026-03-28T22:00:00.000Z');
    // Decided on Sunday 29.3, in summer time from 03:00: visible from 00:00 EEST on Monday 30.3.
    expect(
      noticeVisibleFrom(SocialCareNoticeKind.REDUCED_BASIC_AMOUNT, received, '2026-03-29').toISOString(),
    ).toBe('2026-03-29T21:00:00.000Z');
    // Decided on Sunday 25.10, the day summer time ends: visible from 00:00 EET on Monday 26.10.
    expect(
      noticeVisibleFrom(SocialCareNoticeKind.REDUCED_BASIC_AMOUNT, received, '2026-10-25').toISOString(),
    ).toBe('2026-10-25T22:00:00.000Z');
  });

  it('the other kinds are visible from when the data arrived', () => {
    const received = new Date('2026-10-30T08:15:00Z');
    for (const kind of [SocialCareNoticeKind.CONTACT, SocialCareNoticeKind.URGENT_APPLICATION]) {
      expect(noticeVisibleFrom(kind, received, null)).toEqual(received);
    }
  });

  it("a municipality's notices go to its welfare area, Helsinki's to Helsinki and Åland's to Åland", () => {
    const vaasa = app.server.services.municipalities.get('905');
    const helsinki = app.server.services.municipalities.get('091');
    const mariehamn = app.server.services.municipalities.get('478');
    expect(vaasa && recipientOf(vaasa)).toEqual({
      id: 'PO',
      nameFi: 'Pohjanmaan hyvinvointialue',
      nameSv: 'Österbottens välfärdsområde',
    });
    expect(helsinki && recipientOf(helsinki).id).toBe('HEL');
    expect(mariehamn && recipientOf(mariehamn)).toEqual({ id: 'AX', nameFi: 'Ahvenanmaa', nameSv: 'Åland' });
  });
});

describe('the social-care notice import', () => {
  it('stores each kind with the moment it becomes visible, and a rerun changes nothing', async () => {
    const contact = notice({ kind: 'CONTACT' });
    const reduced = notice({
      kind: 'REDUCED_BASIC_AMOUNT',
      decisionOn: '2026-10-29',
      municipalityCode: '091',
    });
    const young = notice({ kind: 'UNEMPLOYED_UNDER_25_FOUR_MONTHS', municipalityCode: '478' });
    const lines = [contact, reduced, young].map(line);
    const report = await app.server.services.socialCareNoticeImport.importLines(lines);
    expect(report).toMatchObject({ imported: 3, alreadyImported: 0, invalid: [] });

    expect(await stored(contact.sourceId)).toMatchObject({
      kind: 'CONTACT',
      municipality_code: '905',
      visible_from: new Date('2026-10-30T08:15:00Z'),
      decision_on: null,
      support_months: null,
    });
    expect(await stored(reduced.sourceId)).toMatchObject({
      decision_on: '2026-10-29',
      visible_from: new Date('2026-10-29T22:00:00Z'), // 00:00 EET on 30.10
    });
    // Months default to the kind's own count when Kela's line does not give them.
    expect(await stored(young.sourceId)).toMatchObject({ support_months: 4 });

    const rerun = await app.server.services.socialCareNoticeImport.importLines(lines);
    expect(rerun).toMatchObject({ imported: 0, alreadyImported: 3, invalid: [] });
    const [audit] = await app.dataSource.query(
      `SELECT count(*)::int AS n FROM audit_event a JOIN social_care_notice s ON s.id = a.social_care_notice_id
        WHERE a.action = 'IMPORT_SOCIAL_CARE_NOTICE' AND s.source_id = ANY($1)`,
      [[contact.sourceId, reduced.sourceId, young.sourceId]],
    );
    expect(audit.n).toBe(3);
  });

  it('reports bad lines by number and keeps the good ones', async () => {
    const good = notice();
    const lines = [
      line(notice({ kind: 'SUPPLEMENTARY_OR_PREVENTIVE_INCOME_SUPPORT' })),
      line(notice({ kind: 'CONTACT', decisionOn: '2026-10-01' })),
      line(notice({ kind: 'IMMIGRANT_TWO_MONTHS', supportMonths: 1 })),
      line(notice({ kind: 'NO_SUCH_KIND' })),
      line(notice({ municipalityCode: '999' })),
      '{not json',
      line(good),
    ];
    const report = await app.server.services.socialCareNoticeImport.importLines(lines);
    expect(report.imported).toBe(1);
    expect(report.invalid.map((problem) => problem.line)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(report.invalid[0]?.message).toContain('decisionOn: required');
    expect(report.invalid[1]?.message).toContain('decisionOn');
    expect(report.invalid[2]?.message).toContain('at least 2 months');
    expect(report.invalid[4]?.message).toContain('no municipality has the code 999');
    expect(await stored(good.sourceId)).toBeDefined();
  });

  it('npm run import -- --kind social-care imports a file and says what it did', async () => {
    const { url } = app.dataSource.options as { url?: string };
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kelmu-social-care-'));
    try {
      const file = path.join(dir, 'notices.ndjson');
      const first = notice({ kind: 'URGENT_APPLICATION' });
      fs.writeFileSync(file, `${line(first)}\n${line(notice({ kind: 'bogus' }))}\n`);
      const run = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
        execFile(
          process.execPath,
          ['-r', '@swc-node/register', 'src/cli/import.ts', '--kind', 'social-care', file],
          { cwd: PROJECT_ROOT, env: { ...process.env, DATABASE_URL: String(url) }, timeout: 60_000 },
          (error, stdout, stderr) =>
            resolve({
              code: error ? (typeof error.code === 'number' ? error.code : null) : 0,
              stdout,
              stderr,
            }),
        );
      });
      expect(run.stdout).toContain('Imported 1, already imported 0, invalid 1.');
      expect(run.stderr).toContain('line 2');
      expect(run.code).toBe(1);
      expect(await stored(first.sourceId)).toMatchObject({ kind: 'URGENT_APPLICATION' });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
