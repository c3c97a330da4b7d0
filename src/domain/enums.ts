/** The two lists a handler works with (Kelmu: "Uudet ilmoitukset" and "Käsittelyssä olevat ilmoitukset"). */
export enum NotificationStatus {
  NEW = 'NEW',
  IN_PROCESSING = 'IN_PROCESSING',
}

/** Which end of a list comes first: the newest (the default) or the oldest, for handlers who work in order of arrival. */
export enum NotificationOrder {
  NEWEST_FIRST = 'NEWEST_FIRST',
  OLDEST_FIRST = 'OLDEST_FIRST',
}

/** Kelmu has one kind of integration-services notification: "ilmoitus maahanmuuttajasta". */
export enum NotificationKind {
  IMMIGRANT = 'IMMIGRANT',
}

/** Data contents (tietosisällöt) a viewer may be granted; a mandate issue or an agreement maps to these. */
export enum DataContent {
  INTEGRATION_SERVICES = 'INTEGRATION_SERVICES',
  INTEGRATION_SERVICES_HOME_CARE_ALLOWANCE = 'INTEGRATION_SERVICES_HOME_CARE_ALLOWANCE',
  SOCIAL_ASSISTANCE = 'SOCIAL_ASSISTANCE',
  ACCESS_LOG = 'ACCESS_LOG',
}

export enum ViewerKind {
  PERSON = 'PERSON',
  PARTNER_SYSTEM = 'PARTNER_SYSTEM',
}

/** Kela's notices to the welfare areas, Helsinki and Åland (Kelmu's service page); their rules: social-care.ts. */
export enum SocialCareNoticeKind {
  CONTACT = 'CONTACT',
  NEED_FOR_SOCIAL_CARE = 'NEED_FOR_SOCIAL_CARE',
  SUPPLEMENTARY_OR_PREVENTIVE_INCOME_SUPPORT = 'SUPPLEMENTARY_OR_PREVENTIVE_INCOME_SUPPORT',
  REDUCED_BASIC_AMOUNT = 'REDUCED_BASIC_AMOUNT',
  URGENT_APPLICATION = 'URGENT_APPLICATION',
  UNEMPLOYED_UNDER_25_FOUR_MONTHS = 'UNEMPLOYED_UNDER_25_FOUR_MONTHS',
  UNEMPLOYED_25_OR_OVER_TWELVE_MONTHS = 'UNEMPLOYED_25_OR_OVER_TWELVE_MONTHS',
  IMMIGRANT_TWO_MONTHS = 'IMMIGRANT_TWO_MONTHS',
}

/** When a social-care notice becomes visible to its recipient. */
export enum NoticeVisibility {
  IMMEDIATE = 'IMMEDIATE',
  SAME_DAY = 'SAME_DAY',
  DAY_AFTER_DECISION = 'DAY_AFTER_DECISION',
}

/** Why a grant of a person's mandate is not in force. */
export enum GrantWithheldReason {
  NO_ORGANISATION_AGREEMENT = 'NO_ORGANISATION_AGREEMENT',
}
