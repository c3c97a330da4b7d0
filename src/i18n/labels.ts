import type { AgeSignal } from '../domain/age-signal';
import {
  DataContent,
  GrantWithheldReason,
  NoticeVisibility,
  type NotificationChange,
  type NotificationCriterion,
  NotificationKind,
  NotificationStatus,
  type ResidenceBasis,
  SocialCareNoticeKind,
  ViewerKind,
} from '../domain/enums';
import { Language } from './language';

/** One text in each of the service's languages; the type makes a missing translation a compile error. */
export type Translations = Readonly<Record<Language, string>>;

/**
 * Display labels of the enumerated values, as Kelmu's Finnish screens and Kela's Swedish instructions name them
 * (shared/domain.md glossary).
 */
export const NOTIFICATION_STATUS_LABELS: Readonly<Record<NotificationStatus, Translations>> = {
  NEW: { FI: 'Uusi', SV: 'Ny', EN: 'New' },
  IN_PROCESSING: { FI: 'Käsittelyssä', SV: 'Under behandling', EN: 'In processing' },
};

/** What a subscription's event says happened (issue 14), as a notice in a frontend would put it. */
export const NOTIFICATION_CHANGE_LABELS: Readonly<Record<NotificationChange, Translations>> = {
  CREATED: { FI: 'Uusia ilmoituksia', SV: 'Nya anmälningar', EN: 'New notifications' },
  MOVED_TO_PROCESSING: {
    FI: 'Siirretty käsittelyyn',
    SV: 'Flyttad till behandling',
    EN: 'Moved to processing',
  },
  RETURNED_TO_NEW: { FI: 'Palautettu uusiin', SV: 'Återförd till nya', EN: 'Returned to new' },
  TRANSFERRED_IN: {
    FI: 'Siirretty toisesta kunnasta',
    SV: 'Överförd från annan kommun',
    EN: 'Transferred in',
  },
  TRANSFERRED_OUT: {
    FI: 'Siirretty toiseen kuntaan',
    SV: 'Överförd till annan kommun',
    EN: 'Transferred out',
  },
  REMOVED: { FI: 'Poistettu', SV: 'Borttagen', EN: 'Removed' },
};

/** The age signal's colours, as a list's legend names them. */
export const AGE_SIGNAL_LABELS: Readonly<Record<AgeSignal, Translations>> = {
  GREEN: { FI: 'Vihreä', SV: 'Grön', EN: 'Green' },
  YELLOW: { FI: 'Keltainen', SV: 'Gul', EN: 'Yellow' },
  RED: { FI: 'Punainen', SV: 'Röd', EN: 'Red' },
};

/** The weekly run's benefit criteria, in the words of Kela's first slide. */
export const NOTIFICATION_CRITERION_LABELS: Readonly<Record<NotificationCriterion, Translations>> = {
  BASIC_INCOME_SUPPORT_TWO_MONTHS: {
    FI: 'Perustoimeentulotuki kahtena peräkkäisenä kuukautena',
    SV: 'Grundläggande utkomststöd två månader i följd',
    EN: 'Basic income support in two consecutive months',
  },
  UNEMPLOYMENT_BENEFIT_TWELVE_MONTHS: {
    FI: 'Työttömyyden perusteella maksettu etuus pääasiallisena tulona 12 kuukautta',
    SV: 'Förmån på grund av arbetslöshet som huvudsaklig inkomst i 12 månader',
    EN: 'Unemployment benefit as main income for 12 months',
  },
};

/** Why a person counts as an immigrant for the weekly run. */
export const RESIDENCE_BASIS_LABELS: Readonly<Record<ResidenceBasis, Translations>> = {
  RESIDENCE_PERMIT_UNDER_THREE_YEARS: {
    FI: 'Ensimmäinen oleskelulupa alle kolme vuotta',
    SV: 'Första uppehållstillståndet under tre år',
    EN: 'First residence permit under three years',
  },
  EU_EEA_CITIZEN: { FI: 'EU/ETA-kansalainen', SV: 'EU/EES-medborgare', EN: 'EU/EEA citizen' },
};

export const NOTIFICATION_KIND_LABELS: Readonly<Record<NotificationKind, Translations>> = {
  IMMIGRANT: {
    FI: 'Ilmoitus maahanmuuttajasta',
    SV: 'Anmälan om invandrare',
    EN: 'Notification about an immigrant',
  },
};

/** Kela's social-care notices, as Kelmu's service page names them (fi/sv), with English renderings. */
export const SOCIAL_CARE_NOTICE_KIND_LABELS: Readonly<Record<SocialCareNoticeKind, Translations>> = {
  CONTACT: { FI: 'Yhteydenotto', SV: 'Kontakt', EN: 'Contact' },
  NEED_FOR_SOCIAL_CARE: {
    FI: 'Ilmoitus sosiaalihuollon tarpeesta',
    SV: 'Anmälan om behov av socialvård',
    EN: 'Notice of a need for social care',
  },
  SUPPLEMENTARY_OR_PREVENTIVE_INCOME_SUPPORT: {
    FI: 'Täydentävän tai ehkäisevän toimeentulotuen hakemus',
    SV: 'Ansökan om kompletterande eller förebyggande utkomststöd',
    EN: 'Application for supplementary or preventive income support',
  },
  REDUCED_BASIC_AMOUNT: {
    FI: 'Ilmoitus alennetusta perusosasta',
    SV: 'Anmälan om sänkt grunddel',
    EN: 'Notice of a reduced basic amount',
  },
  URGENT_APPLICATION: { FI: 'Kiireellinen hakemus', SV: 'Brådskande ansökan', EN: 'Urgent application' },
  UNEMPLOYED_UNDER_25_FOUR_MONTHS: {
    FI: 'Alle 25-vuotias työtön, toimeentulotukea 4 kuukautta',
    SV: 'Arbetslös under 25 år, utkomststöd i 4 månader',
    EN: 'Unemployed under 25, income support for 4 months',
  },
  UNEMPLOYED_25_OR_OVER_TWELVE_MONTHS: {
    FI: '25 vuotta täyttänyt työtön, toimeentulotukea 12 kuukautta',
    SV: 'Arbetslös 25 år eller äldre, utkomststöd i 12 månader',
    EN: 'Unemployed aged 25 or over, income support for 12 months',
  },
  IMMIGRANT_TWO_MONTHS: {
    FI: 'Maahanmuuttaja, toimeentulotukea 2 kuukautta',
    SV: 'Invandrare, utkomststöd i 2 månader',
    EN: 'Immigrant, income support for 2 months',
  },
};

/** When a social-care notice becomes visible, as Kela's service page says it. */
export const NOTICE_VISIBILITY_LABELS: Readonly<Record<NoticeVisibility, Translations>> = {
  IMMEDIATE: { FI: 'Heti', SV: 'Genast', EN: 'At once' },
  SAME_DAY: { FI: 'Samana päivänä', SV: 'Samma dag', EN: 'The same day' },
  DAY_AFTER_DECISION: {
    FI: 'Perustoimeentulotukipäätöstä seuraavana päivänä',
    SV: 'Dagen efter beslutet om grundläggande utkomststöd',
    EN: 'The day after the decision on basic income support',
  },
};

/** A transfer of a social-care notice to the municipality it is already in. */
export function alreadyInMunicipalityMessage(municipalityCode: string, language: Language): string {
  switch (language) {
    case Language.FI:
      return `Ilmoitus on jo kunnassa ${municipalityCode}.`;
    case Language.SV:
      return `Anmälan finns redan i kommunen ${municipalityCode}.`;
    case Language.EN:
      return `The notice is already in municipality ${municipalityCode}.`;
  }
}

/**
 * The data contents by the names Kelmu shows them under, as Kela's instructions to integration-service handlers give
 * them: "1. Integrationstjänster och 2. Integrationstjänster / stöd för hemvård av barn" (shared/seeds/).
 */
export const DATA_CONTENT_LABELS: Readonly<Record<DataContent, Translations>> = {
  INTEGRATION_SERVICES: {
    FI: 'Kotoutumispalvelut',
    SV: 'Integrationstjänster',
    EN: 'Integration services',
  },
  INTEGRATION_SERVICES_HOME_CARE_ALLOWANCE: {
    FI: 'Kotoutumispalvelut / lasten kotihoidon tuki',
    SV: 'Integrationstjänster / stöd för hemvård av barn',
    EN: 'Integration services / child home care allowance',
  },
  SOCIAL_ASSISTANCE: {
    FI: 'Toimeentulotuki ja sosiaalipalvelut',
    SV: 'Utkomststöd och socialservice',
    EN: 'Income support and social services',
  },
  ACCESS_LOG: { FI: 'Käyttöloki', SV: 'Användningslogg', EN: 'Access log' },
};

/**
 * Column headers of the notification lists, keyed by the Notification field they show. Kela's instructions call the
 * pending column "Under behandling" in Swedish, the same words as the status.
 */
export const NOTIFICATION_COLUMN_LABELS = {
  pendingDays: { FI: 'Vireillä', SV: 'Under behandling', EN: 'Pending' },
} as const satisfies Readonly<Record<string, Translations>>;

/**
 * Button texts of the three state changes, keyed by their mutation. The Swedish ones are the buttons Kela's
 * instructions name ("För till Nya anmälningar", "Överför till annan kommun") and its words for the move to processing.
 */
export const NOTIFICATION_ACTION_LABELS = {
  moveToProcessing: {
    FI: 'Siirrä käsittelyssä oleviin ilmoituksiin',
    SV: 'Överför till Anmälningar under behandling',
    EN: 'Move to Notifications in processing',
  },
  returnToNew: {
    FI: 'Siirrä uusiin ilmoituksiin',
    SV: 'För till Nya anmälningar',
    EN: 'Return to New notifications',
  },
  transferToMunicipality: {
    FI: 'Siirrä toiseen kuntaan',
    SV: 'Överför till annan kommun',
    EN: 'Transfer to another municipality',
  },
} as const satisfies Readonly<Record<string, Translations>>;

export const VIEWER_KIND_LABELS: Readonly<Record<ViewerKind, Translations>> = {
  PERSON: { FI: 'Henkilö', SV: 'Person', EN: 'Person' },
  PARTNER_SYSTEM: {
    FI: 'Organisaation järjestelmä',
    SV: 'Organisationens system',
    EN: "Organisation's system",
  },
};

/** Kela: a transferred notification pending over 30 days cannot be moved to processing by its receiver. */
export function transferCannotMoveToProcessingNotice(pendingDays: number, language: Language): string {
  switch (language) {
    case Language.FI:
      return `Ilmoitus on odottanut ${pendingDays} päivää: vastaanottava kunta ei voi siirtää sitä käsittelyyn, vaan siirto poistaa sen (yli 30 päivää odottaneet poistetaan).`;
    case Language.SV:
      return `Anmälan har väntat i ${pendingDays} dagar: den mottagande kommunen kan inte flytta den till behandling, utan flytten tar bort den (anmälningar som väntat över 30 dagar tas bort).`;
    case Language.EN:
      return `The notification has been pending ${pendingDays} days: the receiving municipality cannot move it to processing; the move removes it (notifications pending over 30 days are removed).`;
  }
}

/** Why a state change is refused, naming both statuses by their labels. */
export function invalidTransitionMessage(
  required: NotificationStatus,
  current: NotificationStatus,
  language: Language,
): string {
  const from = NOTIFICATION_STATUS_LABELS[required][language];
  const now = NOTIFICATION_STATUS_LABELS[current][language];
  switch (language) {
    case Language.FI:
      return `Muutos on mahdollinen vain tilassa ”${from}”; tämä ilmoitus on tilassa ”${now}”.`;
    case Language.SV:
      return `Ändringen är möjlig endast med status ”${from}”; denna anmälan har status ”${now}”.`;
    case Language.EN:
      return `Only notifications with status "${from}" allow this change; this one is "${now}".`;
  }
}

/**
 * Why a grant of a person's mandate is withheld, as the `viewer` query tells it. Kela's instructions: "Ett avtal om
 * användningen av Kelmu och utlämnande av uppgifter görs alltid upp mellan FPA och organisationen."
 */
export const GRANT_WITHHELD_MESSAGES: Readonly<Record<GrantWithheldReason, Translations>> = {
  NO_ORGANISATION_AGREEMENT: {
    FI: 'Organisaatiollasi ei ole Kelan kanssa voimassa olevaa Kelmun käyttösopimusta, joka kattaisi tämän kunnan ja nämä tietosisällöt. Valtuutesi avaa tiedot vasta, kun sopimus on voimassa.',
    SV: 'Din organisation har inget gällande avtal med FPA om användningen av Kelmu som omfattar den här kommunen och de här datainnehållen. Din fullmakt ger tillgång till uppgifterna först när avtalet är i kraft.',
    EN: 'Your organisation has no agreement with Kela on the use of Kelmu in force that covers this municipality and these data contents. Your mandate opens the data only once the agreement is in force.',
  },
};
