import type { DataSource } from 'typeorm';
import { addDays, finnishDate, finnishMidnight } from '../../domain/clock';
import { SocialCareNoticeKind } from '../../domain/enums';
import { kindRule, SOCIAL_CARE_NOTICE_KINDS } from '../../domain/social-care';
import type { NdjsonReport } from '../../services/import/ndjson-import';
import { SocialCareNoticeImportService } from '../../services/import/social-care-notice-import.service';
import type { MunicipalityService } from '../../services/municipality.service';

/** The kinds Kela delivers as notices (the daily run makes the others from the benefit facts). */
export const DELIVERED_KINDS: readonly SocialCareNoticeKind[] = [...SOCIAL_CARE_NOTICE_KINDS.keys()].filter(
  (kind) => kindRule(kind).supportMonths === null,
);

const ADDITIONAL_INFO: Partial<Record<SocialCareNoticeKind, string>> = {
  [SocialCareNoticeKind.CONTACT]: 'The client asked to be contacted by social services.',
  [SocialCareNoticeKind.NEED_FOR_SOCIAL_CARE]:
    'Kela assessed a need for social care while handling the application.',
  [SocialCareNoticeKind.URGENT_APPLICATION]:
    'Urgent application: the client has no money for food or medicine.',
};

/** A benefit_person row as the notices need it. */
interface BenefitPersonRow {
  personal_identity_code: string;
  first_names: string;
  last_name: string;
  date_of_birth: string;
  native_language: string | null;
  citizenship: string | null;
  street: string;
  postal_code: string;
  post_office: string;
  phone_number: string | null;
  first_residence_permit_start: string | null;
  eu_eea_citizen: boolean;
  municipality_code: string;
}

/**
 * NDJSON lines for `npm run import -- --kind social-care`: the delivered kinds in turn over the given persons, each
 * in the person's municipality of residence. Arrivals spread over the 30 days up to `asOf`; decisions on basic income
 * support over the 20 days up to it. Every fifth notice that follows a decision was decided today (the Finnish date
 * of `now`) and arrived at `now`: it is not visible before 00:00 tomorrow, whatever `asOf` is.
 */
export function fictiveSocialCareNoticeLines(
  persons: readonly BenefitPersonRow[],
  asOf: string,
  now: Date,
): string[] {
  const today = finnishDate(now);
  return persons.map((row, index) => {
    const kind = DELIVERED_KINDS[index % DELIVERED_KINDS.length] as SocialCareNoticeKind;
    const round = Math.floor(index / DELIVERED_KINDS.length);
    const decidedToday = round % 5 === 0;
    const decisionOn = kindRule(kind).hasDecision
      ? decidedToday
        ? today
        : addDays(asOf, -(round % 20))
      : undefined;
    // Received on the day of the decision (08:00–16:00 Finnish time), else on one of the last 30 days.
    const day = decisionOn ?? addDays(asOf, -(round % 30));
    const receivedAt =
      decisionOn === today && decidedToday
        ? now
        : new Date(finnishMidnight(day).getTime() + (8 + (round % 9)) * 3_600_000);
    const info = ADDITIONAL_INFO[kind];
    return JSON.stringify({
      sourceId: `fictive-${kind}-${row.personal_identity_code}`,
      kind,
      municipalityCode: row.municipality_code,
      receivedAt: receivedAt.toISOString(),
      ...(decisionOn ? { decisionOn } : {}),
      ...(info ? { additionalInfo: info } : {}),
      person: {
        personalIdentityCode: row.personal_identity_code,
        firstNames: row.first_names,
        lastName: row.last_name,
        dateOfBirth: row.date_of_birth,
        nativeLanguage: row.native_language,
        citizenship: row.citizenship,
        address: { street: row.street, postalCode: row.postal_code, postOffice: row.post_office },
        phoneNumber: row.phone_number,
        firstResidencePermitStart: row.first_residence_permit_start,
        euEeaCitizen: row.eu_eea_citizen,
      },
    });
  });
}

/**
 * Notices of every delivered kind (`perKind` of each) for persons of the benefit facts, picked deterministically
 * (by a hash of the identity code) among those on basic income support, through the import service as Kela's
 * deliveries would come. Idempotent: a rerun imports nothing new.
 */
export async function writeFictiveSocialCareNotices(
  dataSource: DataSource,
  municipalities: MunicipalityService,
  options: { asOf: string; perKind: number; now: Date },
): Promise<NdjsonReport> {
  const persons: BenefitPersonRow[] = await dataSource.query(
    `SELECT b.personal_identity_code, b.first_names, b.last_name, b.date_of_birth::text AS date_of_birth,
            b.native_language, b.citizenship, b.street, b.postal_code, b.post_office, b.phone_number,
            b.first_residence_permit_start::text AS first_residence_permit_start, b.eu_eea_citizen, b.municipality_code
       FROM benefit_person b
      WHERE EXISTS (SELECT 1 FROM basic_income_support_decision d WHERE d.personal_identity_code = b.personal_identity_code)
      ORDER BY md5(b.personal_identity_code)
      LIMIT $1`,
    [options.perKind * DELIVERED_KINDS.length],
  );
  return new SocialCareNoticeImportService(dataSource, municipalities).importLines(
    fictiveSocialCareNoticeLines(persons, options.asOf, options.now),
  );
}
