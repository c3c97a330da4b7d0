import type { DataSource } from 'typeorm';
import { addDays, finnishDate, finnishMidnight } from '../domain/clock';
import { SocialCareNoticeKind } from '../domain/enums';
import { EU_EEA_CITIZENSHIPS } from '../domain/immigrant';
import { fictivePersonalIdentityCode } from '../domain/personal-identity-code';
import { SOCIAL_CARE_NOTICE_KINDS } from '../domain/social-care';
import type { SocialCareNoticeImportService } from '../services/import/social-care-notice-import.service';
import type { SocialCareNoticeRecordInput } from '../services/import/social-care-notice-record';
import {
  FINLAND_SWEDISH,
  FINNISH,
  type NameGroup,
  ORIGIN_GROUPS,
  STREETS_FI,
  STREETS_SV,
  surnameFor,
} from './fictive-data/names';
import { randomSource } from './fictive-data/random';

const DEMO_MARKER = 'demo_social_care_notices_loaded_at';
const DEMO_ACTOR = { kind: 'SYSTEM', id: 'demo-data' } as const;

/**
 * Municipalities the social-care demo covers, with their share of Swedish speakers (Statistics Finland 2021, as the
 * generator has them): Pohjanmaa (PO), Helsinki (HEL) and Mariehamn for Åland (AX).
 */
export const DEMO_SOCIAL_CARE_MUNICIPALITIES: Readonly<Record<string, { swedishShare: number }>> = {
  '905': { swedishShare: 0.23 }, // Vaasa / Vasa
  '499': { swedishShare: 0.67 }, // Mustasaari / Korsholm
  '946': { swedishShare: 0.81 }, // Vöyri / Vörå
  '598': { swedishShare: 0.54 }, // Pietarsaari / Jakobstad
  '599': { swedishShare: 0.9 }, // Pedersöre / Pedersöre
  '091': { swedishShare: 0.055 }, // Helsinki / Helsingfors
  '478': { swedishShare: 0.88 }, // Maarianhamina / Mariehamn
};

/** Notices of each kind per municipality. */
export const DEMO_SOCIAL_CARE_PER_KIND = 2;

const ADDITIONAL_INFO: Partial<Record<SocialCareNoticeKind, readonly string[]>> = {
  [SocialCareNoticeKind.CONTACT]: ['Asiakas toivoo yhteydenottoa.', 'Kunden önskar kontakt på svenska.'],
  [SocialCareNoticeKind.NEED_FOR_SOCIAL_CARE]: [
    'Asiakkaalla on vaikeuksia asumisen kanssa.',
    'Kunden behöver stöd i vardagen.',
  ],
  [SocialCareNoticeKind.URGENT_APPLICATION]: [
    'Kiireellinen: ei rahaa ruokaan.',
    'Brådskande: inga pengar till mat.',
  ],
};

export interface DemoPostalArea {
  code: string;
  municipalityCode: string;
  postOfficeFi: string;
  postOfficeSv: string;
}

/**
 * Social-care notices of every kind for each demo municipality, in Kela's import format. Native Finns and
 * Finland-Swedes by the municipality's share of Swedish speakers (Swedish names, streets and post offices), immigrants
 * for IMMIGRANT_TWO_MONTHS; the unemployed under 25 and from 25 by their birth dates. Arrivals over the last 20 days;
 * of the kinds visible the day after the decision, one in each municipality was decided today and is not visible
 * before 00:00 tomorrow (Finnish time).
 */
export function demoSocialCareRecords(
  now: Date,
  postalAreas: readonly DemoPostalArea[],
  seed = 478,
): SocialCareNoticeRecordInput[] {
  const random = randomSource(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const today = finnishDate(now);
  const records: SocialCareNoticeRecordInput[] = [];
  let serial = 9000;
  for (const [municipalityCode, { swedishShare }] of Object.entries(DEMO_SOCIAL_CARE_MUNICIPALITIES)) {
    const areas = postalAreas.filter((area) => area.municipalityCode === municipalityCode);
    if (areas.length === 0) throw new Error(`No street-address postal code in ${municipalityCode}`);
    let index = 0;
    for (const [kind, rule] of SOCIAL_CARE_NOTICE_KINDS) {
      for (let copy = 0; copy < DEMO_SOCIAL_CARE_PER_KIND; copy += 1) {
        serial += 1;
        index += 1;
        const immigrant = kind === SocialCareNoticeKind.IMMIGRANT_TWO_MONTHS;
        const group: NameGroup = immigrant
          ? pick(ORIGIN_GROUPS)
          : random() < swedishShare
            ? FINLAND_SWEDISH
            : FINNISH;
        const swedish = group === FINLAND_SWEDISH;
        const female = random() < group.femaleShare;
        // Ages: the unemployed under 25 are 18–24, the others 25–64.
        const ageYears =
          kind === SocialCareNoticeKind.UNEMPLOYED_UNDER_25_FOUR_MONTHS
            ? 18 + Math.floor(random() * 7)
            : 25 + Math.floor(random() * 40);
        const dateOfBirth = addDays(today, -Math.floor((ageYears + random() * 0.9) * 365.25));
        const area = pick(areas);
        const citizenship = immigrant ? (pick(group.citizenships) as readonly [string, number])[0] : 'FIN';
        const decidedToday = rule.hasDecision && copy === 0;
        const decisionOn = rule.hasDecision
          ? decidedToday
            ? today
            : addDays(today, -(1 + Math.floor(random() * 20)))
          : undefined;
        // Kela's runs arrive at 00:00 of their day; deliveries during office hours (never after now).
        const day = decisionOn ?? addDays(today, -Math.floor(random() * 20));
        const counted = rule.supportMonths !== null;
        const receivedAt = counted
          ? finnishMidnight(day)
          : new Date(
              Math.min(
                now.getTime() - 60_000,
                finnishMidnight(day).getTime() + (8 + random() * 8) * 3_600_000,
              ),
            );
        const infos = ADDITIONAL_INFO[kind];
        records.push({
          sourceId: `demo-social-care-${municipalityCode}-${String(index).padStart(3, '0')}`,
          kind,
          municipalityCode,
          receivedAt: new Date(Math.floor(receivedAt.getTime() / 1000) * 1000).toISOString(),
          ...(decisionOn ? { decisionOn } : {}),
          ...(counted ? { supportMonths: (rule.supportMonths as number) + Math.floor(random() * 3) } : {}),
          ...(infos ? { additionalInfo: infos[swedish ? 1 : 0] as string } : {}),
          person: {
            personalIdentityCode: fictivePersonalIdentityCode(dateOfBirth, serial),
            firstNames: pick(female ? group.female : group.male),
            lastName: surnameFor(group, pick(group.last), female),
            dateOfBirth,
            nativeLanguage: group.language,
            citizenship,
            address: {
              street: `${pick(swedish ? STREETS_SV : STREETS_FI)} ${1 + Math.floor(random() * 60)}`,
              postalCode: area.code,
              postOffice: swedish ? area.postOfficeSv : area.postOfficeFi,
            },
            phoneNumber:
              random() < 0.6
                ? `+358 40 ${String(1_000_000 + Math.floor(random() * 8_999_999)).slice(0, 7)}`
                : null,
            firstResidencePermitStart:
              immigrant && !EU_EEA_CITIZENSHIPS.has(citizenship)
                ? addDays(today, -(100 + Math.floor(random() * 800)))
                : null,
            euEeaCitizen: immigrant && EU_EEA_CITIZENSHIPS.has(citizenship),
          },
        });
      }
    }
  }
  return records;
}

/** Loads the social-care demo once per database, through the import path of Kela's deliveries. */
export async function loadDemoSocialCareNoticesOnce(
  dataSource: DataSource,
  importer: SocialCareNoticeImportService,
  now: Date,
): Promise<{ loaded: boolean; imported: number }> {
  const marker = await dataSource.query('SELECT 1 FROM app_setting WHERE key = $1', [DEMO_MARKER]);
  if (marker.length > 0) return { loaded: false, imported: 0 };
  const postalAreas: DemoPostalArea[] = await dataSource.query(
    `SELECT code, municipality_code AS "municipalityCode", post_office_fi AS "postOfficeFi",
            post_office_sv AS "postOfficeSv"
       FROM postal_code WHERE type_code = 1 AND municipality_code = ANY($1) ORDER BY code`,
    [Object.keys(DEMO_SOCIAL_CARE_MUNICIPALITIES)],
  );
  const report = await importer.importLines(
    demoSocialCareRecords(now, postalAreas).map((record) => JSON.stringify(record)),
    DEMO_ACTOR,
  );
  if (report.invalid.length > 0) {
    throw new Error(`Invalid social-care demo records: ${JSON.stringify(report.invalid.slice(0, 3))}`);
  }
  await dataSource.query(
    'INSERT INTO app_setting (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING',
    [DEMO_MARKER, now.toISOString()],
  );
  return { loaded: true, imported: report.imported };
}
