import type { SocialCareNotice } from '../entities/social-care-notice.entity';
import { camelCaseList, PERSON_DATA_COLUMNS } from './person-columns';

/**
 * SQL both the reads and the downloads of social-care notices need (one module, so that the two cannot drift): the
 * columns, and the row scope, the viewer's municipalities for SOCIAL_ASSISTANCE and nothing before `visible_from`.
 */

/** Entity property → column, in select-list order; typed over every property so that none is forgotten. */
export const SOCIAL_CARE_NOTICE_COLUMNS: Readonly<Record<keyof SocialCareNotice, string>> = {
  id: 'id',
  sourceId: 'source_id',
  kind: 'kind',
  personId: 'person_id',
  municipalityCode: 'municipality_code',
  receivedAt: 'received_at',
  decisionOn: 'decision_on::text',
  visibleFrom: 'visible_from',
  supportMonths: 'support_months',
  additionalInfo: 'additional_info',
  version: 'version',
  updatedAt: 'updated_at',
};

/** A notice joined with its person (alias `s` and `p`). */
export const SOCIAL_CARE_NOTICE_JOIN_PERSON = 'social_care_notice s JOIN person p ON p.id = s.person_id';

/** Optional conditions of a list or download, already validated. */
export interface SocialCareNoticeConditions {
  kinds?: readonly string[] | undefined;
  /** Codes of the filter's municipality or recipient (intersected with the scope by the SQL). */
  municipalityCodes?: readonly string[] | undefined;
  postalCode?: string | undefined;
  personalIdentityCode?: string | undefined;
}

/**
 * The WHERE of every read: $1 the viewer's municipalities for SOCIAL_ASSISTANCE, $2 now (a notice is invisible before
 * `visible_from`: not listed, not counted, not found by id, not downloadable), then the optional conditions.
 */
export function socialCareNoticeWhere(
  scope: readonly string[],
  now: Date,
  conditions: SocialCareNoticeConditions = {},
): { where: string[]; values: unknown[] } {
  const where = ['s.municipality_code = ANY($1::bpchar[])', 's.visible_from <= $2'];
  const values: unknown[] = [scope, now];
  const add = (sql: (placeholder: string) => string, value: unknown) => {
    values.push(value);
    where.push(sql(`$${values.length}`));
  };
  if (conditions.kinds) add((p) => `s.kind = ANY(${p}::text[])`, conditions.kinds);
  if (conditions.municipalityCodes)
    add((p) => `s.municipality_code = ANY(${p}::bpchar[])`, conditions.municipalityCodes);
  if (conditions.postalCode) add((p) => `p.postal_code = ${p}`, conditions.postalCode);
  if (conditions.personalIdentityCode)
    add((p) => `p.personal_identity_code = ${p}`, conditions.personalIdentityCode);
  return { where, values };
}

/** Newest visible first; the cursor is the (visible_from, id) of a page's last row. */
export const SOCIAL_CARE_NOTICE_ORDER = 's.visible_from DESC, s.id DESC';

/**
 * The recipient's id of municipality row `m` in SQL: its welfare area's id, or AX for the Åland municipalities that
 * belong to none (src/domain/social-care.ts recipientOf says the same for the API).
 */
export const recipientIdSql = (m: string) => `coalesce(${m}.welfare_area_id, 'AX')`;

/** A download's flat row: the notice, its municipality and recipient, its person (keys are the download's columns). */
export const SOCIAL_CARE_NOTICE_EXPORT_SELECT = `s.id AS "noticeId", s.kind AS "socialCareNoticeKind",
  s.municipality_code AS "municipalityCode", m.name_fi AS "municipality", ${recipientIdSql('m')} AS "recipient",
  s.received_at AS "receivedAt", s.decision_on::text AS "decisionOn", s.visible_from AS "visibleFrom",
  s.support_months AS "supportMonths", ${camelCaseList(PERSON_DATA_COLUMNS, 'p')}, s.additional_info AS "additionalInfo"`;

/** The export's FROM: the notice, its person and its municipality. */
export const SOCIAL_CARE_NOTICE_EXPORT_FROM = `${SOCIAL_CARE_NOTICE_JOIN_PERSON} JOIN municipality m ON m.code = s.municipality_code`;
