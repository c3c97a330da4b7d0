import type { AgeSignal } from '../domain/age-signal';
import {
  DataContent,
  GrantWithheldReason,
  NotificationKind,
  NotificationStatus,
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

/** The age signal's colours, as a list's legend names them. */
export const AGE_SIGNAL_LABELS: Readonly<Record<AgeSignal, Translations>> = {
  GREEN: { FI: 'Vihreä', SV: 'Grön', EN: 'Green' },
  YELLOW: { FI: 'Keltainen', SV: 'Gul', EN: 'Yellow' },
  RED: { FI: 'Punainen', SV: 'Röd', EN: 'Red' },
};

export const NOTIFICATION_KIND_LABELS: Readonly<Record<NotificationKind, Translations>> = {
  IMMIGRANT: {
    FI: 'Ilmoitus maahanmuuttajasta',
    SV: 'Anmälan om invandrare',
    EN: 'Notification about an immigrant',
  },
};

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
