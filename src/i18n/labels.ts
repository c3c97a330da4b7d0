import { DataContent, NotificationKind, NotificationStatus, ViewerKind } from '../domain/enums';
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

export const NOTIFICATION_KIND_LABELS: Readonly<Record<NotificationKind, Translations>> = {
  IMMIGRANT: {
    FI: 'Ilmoitus maahanmuuttajasta',
    SV: 'Anmälan om invandrare',
    EN: 'Notification about an immigrant',
  },
};

export const DATA_CONTENT_LABELS: Readonly<Record<DataContent, Translations>> = {
  INTEGRATION_SERVICES: {
    FI: 'Kotoutumispalvelut: ilmoitukset maahanmuuttajista',
    SV: 'Integrationstjänster: anmälningar om invandrare',
    EN: 'Integration services: immigrant notifications',
  },
  INTEGRATION_SERVICES_HOME_CARE_ALLOWANCE: {
    FI: 'Kotoutumispalvelut: lasten kotihoidon tuen saajat',
    SV: 'Integrationstjänster: mottagare av stöd för hemvård av barn',
    EN: 'Integration services: child home care allowance recipients',
  },
  SOCIAL_ASSISTANCE: {
    FI: 'Toimeentulotuki ja sosiaalipalvelut',
    SV: 'Utkomststöd och socialservice',
    EN: 'Income support and social services',
  },
  ACCESS_LOG: { FI: 'Käyttöloki', SV: 'Användningslogg', EN: 'Access log' },
};

export const VIEWER_KIND_LABELS: Readonly<Record<ViewerKind, Translations>> = {
  PERSON: { FI: 'Henkilö', SV: 'Person', EN: 'Person' },
  PARTNER_SYSTEM: {
    FI: 'Organisaation järjestelmä',
    SV: 'Organisationens system',
    EN: "Organisation's system",
  },
};

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
