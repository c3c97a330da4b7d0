import type { DataSource } from 'typeorm';
import { recipientMunicipalities } from '../db/reference-data';
import { finnishDate } from '../domain/clock';
import {
  DataContent,
  NotificationCriterion,
  NotificationKind,
  NotificationStatus,
  ResidenceBasis,
} from '../domain/enums';
import { listGenerationDay } from '../domain/last-weekday';
import { REMOVAL_AFTER_DAYS } from '../domain/notification-rules';
import { coverageOn } from '../domain/organisation-agreement';
import { fictivePersonalIdentityCode } from '../domain/personal-identity-code';
import type { HomeCareAllowanceGenerationService } from '../services/home-care-allowance/home-care-allowance-generation.service';
import type { RecipientImportService } from '../services/home-care-allowance/recipient-import.service';
import type { RecipientRecordInput } from '../services/home-care-allowance/recipient-record';
import type { NotificationImportService } from '../services/import/notification-import.service';
import type { NotificationRecordInput } from '../services/import/notification-record';
import type { OrganisationAgreementService } from '../services/organisation-agreement.service';
import { randomSource } from './fictive-data/random';

const DAY_MS = 86_400_000;
const DEMO_MARKER = 'demo_data_loaded_at';
const DEMO_LISTS_MARKER = 'demo_home_care_allowance_loaded_at';
const DEMO_LIST_MONTHS = 3;
const DEMO_ACTOR = { kind: 'SYSTEM', id: 'demo-data' } as const;

/** Municipalities the demo covers, with how many notifications each gets. */
export const DEMO_MUNICIPALITIES: Readonly<Record<string, number>> = {
  '905': 90, // Vaasa / Vasa
  '499': 40, // Mustasaari / Korsholm
  '946': 25, // Vöyri / Vörå
  '598': 45, // Pietarsaari / Jakobstad
  '091': 100, // Helsinki / Helsingfors
};

/** Fictive people: first names and surnames typical of Finland and of the largest immigrant groups. */
const NAME_POOLS = [
  {
    first: ['Ahmed', 'Fatima', 'Omar', 'Layla', 'Yusuf', 'Amina'],
    last: ['Al-Hassan', 'Haddad', 'Khalil', 'Nasser'],
    language: 'ar',
    citizenship: 'SYR',
    eu: false,
  },
  {
    first: ['Abdi', 'Hodan', 'Mohamed', 'Faduma', 'Ayaan'],
    last: ['Warsame', 'Abdullahi', 'Farah', 'Hirsi'],
    language: 'so',
    citizenship: 'SOM',
    eu: false,
  },
  {
    first: ['Olena', 'Andrii', 'Iryna', 'Dmytro', 'Oksana'],
    last: ['Shevchenko', 'Kovalenko', 'Bondarenko', 'Tkachenko'],
    language: 'uk',
    citizenship: 'UKR',
    eu: false,
  },
  {
    first: ['Natalia', 'Sergei', 'Svetlana', 'Aleksei'],
    last: ['Ivanova', 'Petrov', 'Smirnova', 'Volkov'],
    language: 'ru',
    citizenship: 'RUS',
    eu: false,
  },
  {
    first: ['Mart', 'Kadri', 'Tõnu', 'Liis', 'Jüri'],
    last: ['Tamm', 'Saar', 'Sepp', 'Mägi'],
    language: 'et',
    citizenship: 'EST',
    eu: true,
  },
  {
    first: ['Thi Lan', 'Van Minh', 'Thu Trang'],
    last: ['Nguyen', 'Tran', 'Pham'],
    language: 'vi',
    citizenship: 'VNM',
    eu: false,
  },
  {
    first: ['Zahra', 'Ali', 'Maryam', 'Hossein'],
    last: ['Ahmadi', 'Hosseini', 'Rahimi'],
    language: 'fa',
    citizenship: 'AFG',
    eu: false,
  },
  {
    first: ['Anna-Maria', 'Jonas', 'Åsa', 'Björn'],
    last: ['Lindqvist', 'Öberg', 'Sjöström', 'Ek'],
    language: 'sv',
    citizenship: 'SWE',
    eu: true,
  },
] as const;

const STREETS_FI = [
  'Kauppakatu',
  'Koulukatu',
  'Rantatie',
  'Asemakatu',
  'Kirkkokatu',
  'Puistokatu',
  'Myllytie',
  'Kalliotie',
];
const STREETS_SV = [
  'Handelsesplanaden',
  'Skolhusgatan',
  'Strandvägen',
  'Storalånggatan',
  'Kyrkoesplanaden',
  'Kvarnvägen',
];
const SWEDISH_FIRST = new Set(['905', '499', '946', '598']);

const ADDITIONAL_INFO = [
  null,
  null,
  'Asiakas toivoo yhteydenottoa puhelimitse.',
  'Kunden önskar kontakt på svenska.',
  'Tulkki tarpeen (arabia).',
  'Perheessä kaksi alle kouluikäistä lasta.',
];

/**
 * The weekly run's criteria of the demo's notifications, by serial number (no random draw, so that the other demo
 * values stay as they were): each criterion alone and both.
 */
const DEMO_CRITERIA: readonly (readonly NotificationCriterion[])[] = [
  [NotificationCriterion.BASIC_INCOME_SUPPORT_TWO_MONTHS],
  [NotificationCriterion.BASIC_INCOME_SUPPORT_TWO_MONTHS],
  [NotificationCriterion.UNEMPLOYMENT_BENEFIT_TWELVE_MONTHS],
  [
    NotificationCriterion.BASIC_INCOME_SUPPORT_TWO_MONTHS,
    NotificationCriterion.UNEMPLOYMENT_BENEFIT_TWELVE_MONTHS,
  ],
];

interface PostalArea {
  code: string;
  municipalityCode: string;
  postOffice: string;
}

/** Builds the demo records in Kela's import format: ages 0–45 days, real street-address postal codes. */
export function demoRecords(now: Date, postalAreas: PostalArea[], seed = 905): NotificationRecordInput[] {
  const random = randomSource(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const records: NotificationRecordInput[] = [];
  let serial = 0;
  for (const [municipalityCode, count] of Object.entries(DEMO_MUNICIPALITIES)) {
    const areas = postalAreas.filter((area) => area.municipalityCode === municipalityCode);
    for (let i = 0; i < count; i += 1) {
      serial += 1;
      const pool = pick(NAME_POOLS);
      const area = pick(areas);
      const birthYear = 1965 + Math.floor(random() * 42);
      const dateOfBirth = new Date(
        Date.UTC(birthYear, Math.floor(random() * 12), 1 + Math.floor(random() * 28)),
      )
        .toISOString()
        .slice(0, 10);
      const ageMs = Math.floor(random() * 45 * DAY_MS) + (i % 9 === 0 ? 40 * DAY_MS : 0);
      const createdAt = new Date(now.getTime() - Math.min(ageMs, 45 * DAY_MS));
      const permitStart = new Date(createdAt.getTime() - Math.floor(random() * 1000) * DAY_MS)
        .toISOString()
        .slice(0, 10);
      const streets = SWEDISH_FIRST.has(municipalityCode) && random() < 0.5 ? STREETS_SV : STREETS_FI;
      records.push({
        sourceId: `demo-${municipalityCode}-${String(i + 1).padStart(4, '0')}`,
        kind: NotificationKind.IMMIGRANT,
        municipalityCode,
        createdAt: new Date(Math.floor(createdAt.getTime() / 1000) * 1000).toISOString(),
        additionalInfo: pick(ADDITIONAL_INFO),
        criteria: [...(DEMO_CRITERIA[serial % DEMO_CRITERIA.length] ?? [])],
        // Permits start under 1000 days before the notification: under three years.
        residenceBasis: pool.eu
          ? ResidenceBasis.EU_EEA_CITIZEN
          : ResidenceBasis.RESIDENCE_PERMIT_UNDER_THREE_YEARS,
        person: {
          personalIdentityCode: fictivePersonalIdentityCode(dateOfBirth, serial),
          firstNames: pick(pool.first),
          lastName: pick(pool.last),
          dateOfBirth,
          nativeLanguage: pool.language,
          citizenship: pool.citizenship,
          address: {
            street: `${pick(streets)} ${1 + Math.floor(random() * 60)}${random() < 0.4 ? ` A ${1 + Math.floor(random() * 20)}` : ''}`,
            postalCode: area.code,
            postOffice: area.postOffice,
          },
          phoneNumber:
            random() < 0.6
              ? `+358 40 ${String(1_000_000 + Math.floor(random() * 8_999_999)).slice(0, 7)}`
              : null,
          firstResidencePermitStart: pool.eu ? null : permitStart,
          euEeaCitizen: pool.eu,
        },
      });
    }
  }
  return records;
}

/**
 * Loads the demo once per database, through the same import path as Kela's deliveries, then moves about a third
 * of the young ones to processing so that both lists have content.
 */
export async function loadDemoDataOnce(
  dataSource: DataSource,
  importer: NotificationImportService,
  now: Date,
): Promise<{ loaded: boolean; imported: number; inProcessing: number }> {
  const marker = await dataSource.query('SELECT 1 FROM app_setting WHERE key = $1', [DEMO_MARKER]);
  if (marker.length > 0) return { loaded: false, imported: 0, inProcessing: 0 };
  const records = demoRecords(now, await demoPostalAreas(dataSource));
  const report = await importer.importLines(
    records.map((record) => JSON.stringify(record)),
    DEMO_ACTOR,
  );
  const youngEnough = new Date(now.getTime() - (REMOVAL_AFTER_DAYS - 1) * DAY_MS);
  const inProcessing = await dataSource.transaction(async (manager) => {
    const moved: { id: string; municipality_code: string }[] = await manager.query(
      `WITH moved AS (
         UPDATE notification SET status = $1, processing_started_at = created_at + interval '1 hour', version = version + 1
          WHERE source_id LIKE 'demo-%' AND created_at > $2 AND status = 'NEW' AND hashtext(source_id) % 3 = 0
          RETURNING id, municipality_code
       )
       SELECT id, municipality_code FROM moved`,
      [NotificationStatus.IN_PROCESSING, youngEnough],
    );
    await manager.query(
      `INSERT INTO audit_event (occurred_at, actor_kind, actor_id, organisation, action, notification_id, from_status, to_status)
       SELECT $1, $2, $3, m.municipality_code, 'MOVE_TO_PROCESSING', m.id, 'NEW', 'IN_PROCESSING'
         FROM unnest($4::uuid[], $5::text[]) AS m(id, municipality_code)`,
      [now, DEMO_ACTOR.kind, DEMO_ACTOR.id, moved.map((m) => m.id), moved.map((m) => m.municipality_code)],
    );
    await manager.query('INSERT INTO app_setting (key, value) VALUES ($1, $2)', [
      DEMO_MARKER,
      now.toISOString(),
    ]);
    return moved.length;
  });
  return { loaded: true, imported: report.imported, inProcessing };
}

/** Recipients of child home care allowance for the demo municipalities, in the recipient import format. */
function demoRecipientRecords(now: Date, postalAreas: PostalArea[], seed = 499): RecipientRecordInput[] {
  const random = randomSource(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const records: RecipientRecordInput[] = [];
  let serial = 5000;
  for (const [municipalityCode, count] of Object.entries(DEMO_MUNICIPALITIES)) {
    const areas = postalAreas.filter((area) => area.municipalityCode === municipalityCode);
    for (let i = 0; i < Math.ceil(count / 6); i += 1) {
      serial += 1;
      const pool = pick(NAME_POOLS);
      const area = pick(areas);
      const dateOfBirth = new Date(
        Date.UTC(1985 + Math.floor(random() * 15), Math.floor(random() * 12), 1 + Math.floor(random() * 28)),
      )
        .toISOString()
        .slice(0, 10);
      const start = new Date(now.getTime() - (60 + Math.floor(random() * 360)) * DAY_MS);
      const ends = random() < 0.2;
      records.push({
        municipalityCode,
        allowanceStartDate: start.toISOString().slice(0, 10),
        allowanceEndDate: ends
          ? new Date(now.getTime() - Math.floor(random() * 50) * DAY_MS).toISOString().slice(0, 10)
          : null,
        childrenCount: 1 + Math.floor(random() * 3),
        person: {
          personalIdentityCode: fictivePersonalIdentityCode(dateOfBirth, serial),
          firstNames: pick(pool.first),
          lastName: pick(pool.last),
          dateOfBirth,
          nativeLanguage: pool.language,
          citizenship: pool.citizenship,
          address: {
            street: `${pick(STREETS_SV)} ${1 + Math.floor(random() * 40)}`,
            postalCode: area.code,
            postOffice: area.postOffice,
          },
          phoneNumber: null,
          firstResidencePermitStart: pool.eu
            ? null
            : new Date(start.getTime() - 200 * DAY_MS).toISOString().slice(0, 10),
          euEeaCitizen: pool.eu,
        },
      });
    }
  }
  return records;
}

/**
 * Loads demo recipients once and generates the lists of the last months as the monthly run would have, each on its
 * month's last weekday, so that the lists have history to browse and download.
 */
export async function loadDemoHomeCareAllowanceOnce(
  dataSource: DataSource,
  recipients: RecipientImportService,
  lists: HomeCareAllowanceGenerationService,
  now: Date,
): Promise<{ loaded: boolean; recipients: number; lists: number }> {
  const marker = await dataSource.query('SELECT 1 FROM app_setting WHERE key = $1', [DEMO_LISTS_MARKER]);
  if (marker.length > 0) return { loaded: false, recipients: 0, lists: 0 };
  const postalAreas = await demoPostalAreas(dataSource);
  const report = await recipients.importLines(
    demoRecipientRecords(now, postalAreas).map((record) => JSON.stringify(record)),
  );
  let created = 0;
  for (let back = DEMO_LIST_MONTHS; back >= 0; back -= 1) {
    const monthStart = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - back, 1));
    const monthEnd = new Date(Date.UTC(monthStart.getUTCFullYear(), monthStart.getUTCMonth() + 1, 0));
    const asOf = (monthEnd < now ? monthEnd : now).toISOString().slice(0, 10);
    const generatedAt = new Date(Math.min(now.getTime(), Date.parse(`${listGenerationDay(asOf)}T02:00:00Z`)));
    created += (await lists.generateMonth(asOf, generatedAt)).listsCreated;
  }
  await dataSource.query('INSERT INTO app_setting (key, value) VALUES ($1, $2)', [
    DEMO_LISTS_MARKER,
    now.toISOString(),
  ]);
  return { loaded: true, recipients: report.imported, lists: created };
}

function demoPostalAreas(dataSource: DataSource): Promise<PostalArea[]> {
  return dataSource.query(
    `SELECT code, municipality_code AS "municipalityCode", post_office_fi AS "postOffice"
       FROM postal_code WHERE type_code = 1 AND municipality_code = ANY($1) ORDER BY code`,
    [Object.keys(DEMO_MUNICIPALITIES)],
  );
}

/** The (fictive) organisations whose agreements with Kela the demo's handlers work under. */
function demoOrganisations(): {
  organisationName: string;
  businessId: string;
  legalBasis: string;
  dataContents: DataContent[];
  municipalityCodes: readonly string[];
}[] {
  const socialCare = (recipientId: string, organisationName: string, businessId: string) => ({
    organisationName,
    businessId,
    legalBasis: 'Demo: laki toimeentulotuesta (1412/1997) 14 b §',
    dataContents: [DataContent.SOCIAL_ASSISTANCE, DataContent.ACCESS_LOG],
    municipalityCodes: recipientMunicipalities(recipientId) ?? [],
  });
  return [
    {
      organisationName: 'Kelmu-demo (fiktiivinen organisaatio)',
      businessId: '0900000-7',
      legalBasis: 'Demo: laki kotoutumisen edistämisestä (681/2023) 84 §',
      dataContents: Object.values(DataContent),
      municipalityCodes: Object.keys(DEMO_MUNICIPALITIES),
    },
    // The recipients of the demo's social-care notices: the welfare area of Pohjanmaa, Helsinki and Åland.
    socialCare('PO', 'Pohjanmaan hyvinvointialue (demo)', '0900001-5'),
    socialCare('HEL', 'Helsingin kaupunki (demo)', '0900002-3'),
    socialCare('AX', 'Ålands kommuner (demo)', '0900005-8'),
  ];
}

/**
 * Kela's agreements with the demo's (fictive) organisations, without which the demo handlers' mandates open nothing.
 * Checked at every development start rather than once, so that a DATA_DIR made before organisation agreements (or
 * before social-care notices) existed gets them too: registers each for the municipalities and data contents that no
 * agreement in force covers today.
 */
export async function registerDemoOrganisationAgreements(
  agreements: OrganisationAgreementService,
  now: Date,
): Promise<{ registered: string[] }> {
  const today = finnishDate(now);
  const coverage = coverageOn(await agreements.list(), today);
  const registered = new Set<string>();
  for (const organisation of demoOrganisations()) {
    const missing = organisation.municipalityCodes.filter((code) =>
      organisation.dataContents.some((content) => !coverage.get(code)?.has(content)),
    );
    if (missing.length === 0) continue;
    await agreements.add({ ...organisation, municipalityCodes: missing, validFrom: today, validTo: null });
    for (const code of missing) registered.add(code);
  }
  if (registered.size > 0) await agreements.refresh();
  return { registered: [...registered].sort() };
}
