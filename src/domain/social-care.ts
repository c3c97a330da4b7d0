import { addDays, finnishMidnight } from './clock';
import { NoticeVisibility, SocialCareNoticeKind } from './enums';

/**
 * Kela's service page, per kind of social-care notice: when it becomes visible, whether it rests on a decision on
 * basic income support, and whether it counts months of income support. The one place these rules live.
 */
export interface SocialCareNoticeKindRule {
  visibility: NoticeVisibility;
  /** The notice follows a decision on basic income support: `decisionOn` is required. */
  hasDecision: boolean;
  /** Consecutive months of basic income support that make the notice; null for the kinds not counted in months. */
  supportMonths: number | null;
}

const K = SocialCareNoticeKind;
const V = NoticeVisibility;

/**
 * "Contacts and notices of need for social care at once; urgent applications and the notices about the unemployed and
 * immigrants the same day; applications for supplementary or preventive income support and notices of a reduced
 * basic amount on the day after the decision on basic income support."
 */
export const SOCIAL_CARE_NOTICE_KINDS: ReadonlyMap<SocialCareNoticeKind, SocialCareNoticeKindRule> = new Map([
  [K.CONTACT, { visibility: V.IMMEDIATE, hasDecision: false, supportMonths: null }],
  [K.NEED_FOR_SOCIAL_CARE, { visibility: V.IMMEDIATE, hasDecision: false, supportMonths: null }],
  [K.URGENT_APPLICATION, { visibility: V.SAME_DAY, hasDecision: false, supportMonths: null }],
  [K.UNEMPLOYED_UNDER_25_FOUR_MONTHS, { visibility: V.SAME_DAY, hasDecision: false, supportMonths: 4 }],
  [K.UNEMPLOYED_25_OR_OVER_TWELVE_MONTHS, { visibility: V.SAME_DAY, hasDecision: false, supportMonths: 12 }],
  [K.IMMIGRANT_TWO_MONTHS, { visibility: V.SAME_DAY, hasDecision: false, supportMonths: 2 }],
  [
    K.SUPPLEMENTARY_OR_PREVENTIVE_INCOME_SUPPORT,
    { visibility: V.DAY_AFTER_DECISION, hasDecision: true, supportMonths: null },
  ],
  [K.REDUCED_BASIC_AMOUNT, { visibility: V.DAY_AFTER_DECISION, hasDecision: true, supportMonths: null }],
]);

export function kindRule(kind: SocialCareNoticeKind): SocialCareNoticeKindRule {
  const rule = SOCIAL_CARE_NOTICE_KINDS.get(kind);
  if (!rule) throw new Error(`No rule for social-care notice kind ${kind}`);
  return rule;
}

/** The kinds counted in months (the daily run creates these). */
export const KINDS_COUNTED_IN_MONTHS: readonly SocialCareNoticeKind[] = [...SOCIAL_CARE_NOTICE_KINDS]
  .filter(([, rule]) => rule.supportMonths !== null)
  .map(([kind]) => kind);

/**
 * When a notice becomes visible to its recipient: for the DAY_AFTER_DECISION kinds 00:00 Helsinki time on the day
 * after the decision on basic income support; for the others when Kela's data arrived. "The same day" is the day the
 * data arrives, so those are visible from arrival too.
 */
export function noticeVisibleFrom(
  kind: SocialCareNoticeKind,
  receivedAt: Date,
  decisionOn: string | null,
): Date {
  if (kindRule(kind).visibility !== NoticeVisibility.DAY_AFTER_DECISION) return receivedAt;
  if (decisionOn === null) throw new Error(`A ${kind} notice needs the date of the decision`);
  return finnishMidnight(addDays(decisionOn, 1));
}

/** Åland's 16 municipalities belong to no welfare area: Kela's notices reach them as one recipient. */
export const ALAND_RECIPIENT = { id: 'AX', nameFi: 'Ahvenanmaa', nameSv: 'Åland' } as const;

/** Helsinki is a recipient of its own (its id in the reference data's welfare-area column). */
export const HELSINKI_RECIPIENT_ID = 'HEL';

export interface SocialCareRecipient {
  /** The welfare area's short id (e.g. PO), HEL or AX. */
  id: string;
  nameFi: string;
  nameSv: string;
}

/** The recipient of a municipality's notices: its welfare area, Helsinki, or Åland for the municipalities in none. */
export function recipientOf(municipality: {
  welfareAreaId: string | null;
  welfareAreaFi: string | null;
  welfareAreaSv: string | null;
}): SocialCareRecipient {
  if (municipality.welfareAreaId === null) return { ...ALAND_RECIPIENT };
  return {
    id: municipality.welfareAreaId,
    nameFi: municipality.welfareAreaFi ?? municipality.welfareAreaId,
    nameSv: municipality.welfareAreaSv ?? municipality.welfareAreaFi ?? municipality.welfareAreaId,
  };
}

/** Days social-care notices are kept after they became visible unless configured otherwise (to be confirmed). */
export const DEFAULT_SOCIAL_CARE_NOTICE_RETENTION_DAYS = 90;
