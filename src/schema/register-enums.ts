import { registerEnumType } from 'type-graphql';
import { AgeSignal } from '../domain/age-signal';
import {
  DataContent,
  GrantWithheldReason,
  NoticeVisibility,
  NotificationChange,
  NotificationCriterion,
  NotificationKind,
  NotificationOrder,
  NotificationStatus,
  ResidenceBasis,
  SocialCareNoticeKind,
  ViewerKind,
} from '../domain/enums';

// The domain's enums as GraphQL enums: registered here, with the schema, so that the domain knows nothing of GraphQL.
// Imported by build-schema.ts before the schema is built (type-graphql looks registrations up at build time).

registerEnumType(NotificationStatus, {
  name: 'NotificationStatus',
  description: 'Which list a notification is on.',
  valuesConfig: {
    NEW: {
      description: 'New notification (fi: uusi ilmoitus, sv: ny anmälan). Never removed automatically.',
    },
    IN_PROCESSING: {
      description:
        'In processing (fi: käsittelyssä, sv: under behandling). Removed once pending over 30 days from creation.',
    },
  },
});

registerEnumType(NotificationOrder, {
  name: 'NotificationOrder',
  description: 'Order of a notification list, by creation time (ties broken by id).',
  valuesConfig: {
    NEWEST_FIRST: { description: 'The newest notification first (the default).' },
    OLDEST_FIRST: {
      description: 'The oldest notification first: for handlers who work in order of arrival.',
    },
  },
});

registerEnumType(NotificationKind, {
  name: 'NotificationKind',
  description: 'Kind of notification.',
  valuesConfig: {
    IMMIGRANT: {
      description:
        'Notification about an immigrant (fi: ilmoitus maahanmuuttajasta, sv: anmälan om invandrare).',
    },
  },
});

registerEnumType(DataContent, {
  name: 'DataContent',
  description: 'A data content (fi: tietosisältö, sv: datainnehåll) that access is granted to.',
  valuesConfig: {
    INTEGRATION_SERVICES: {
      description:
        'Integration services: immigrant notifications. Kelmu names it Kotoutumispalvelut / Integrationstjänster.',
    },
    INTEGRATION_SERVICES_HOME_CARE_ALLOWANCE: {
      description:
        'Integration services / child home care allowance lists. Kelmu names it Kotoutumispalvelut / lasten kotihoidon tuki, Integrationstjänster / stöd för hemvård av barn.',
    },
    SOCIAL_ASSISTANCE: {
      description: 'Income support and social services client data (reserved for later data contents).',
    },
    ACCESS_LOG: {
      description:
        "The organisation's own access log: who used the data, when and why (data protection review).",
    },
  },
});

registerEnumType(ViewerKind, {
  name: 'ViewerKind',
  description: 'Who is calling.',
  valuesConfig: {
    PERSON: { description: 'A person authenticated through Suomi.fi, acting on Suomi.fi mandates.' },
    PARTNER_SYSTEM: {
      description: "An organisation's own system on the technical interface, under an agreement.",
    },
  },
});

registerEnumType(AgeSignal, {
  name: 'AgeSignal',
  description:
    "A notification's age as a traffic light, from its pending days in Finland (thresholds in configuration).",
  valuesConfig: {
    GREEN: { description: 'Recent (fi: vihreä, sv: grön): by default 0–14 pending days.' },
    YELLOW: { description: 'Getting old (fi: keltainen, sv: gul): by default 15–24 pending days.' },
    RED: {
      description:
        'Near removal (fi: punainen, sv: röd): by default 25 pending days and over; in processing it is removed after 30.',
    },
  },
});

registerEnumType(GrantWithheldReason, {
  name: 'GrantWithheldReason',
  description: "Why a grant of a person's mandate is not in force.",
  valuesConfig: {
    NO_ORGANISATION_AGREEMENT: {
      description:
        "The person's organisation has no agreement with Kela in force covering the municipality and data contents (Kela: the use of Kelmu rests on an agreement between Kela and the authority).",
    },
  },
});
registerEnumType(NotificationCriterion, {
  name: 'NotificationCriterion',
  description:
    "A benefit criterion of Kela's weekly run that the person met (Kela's instructions, first slide).",
  valuesConfig: {
    BASIC_INCOME_SUPPORT_TWO_MONTHS: {
      description:
        'Basic income support in two consecutive months (fi: perustoimeentulotuki kahtena peräkkäisenä kuukautena, sv: grundläggande utkomststöd två månader i följd).',
    },
    UNEMPLOYMENT_BENEFIT_TWELVE_MONTHS: {
      description:
        'Main income for 12 months has been income support paid because of unemployment (fi: työttömyysetuus 12 kuukautta, sv: arbetslöshetsförmån i 12 månader).',
    },
  },
});

registerEnumType(ResidenceBasis, {
  name: 'ResidenceBasis',
  description:
    'Why the person counts as an immigrant for the weekly run. EU/EEA status follows from the citizenship.',
  valuesConfig: {
    RESIDENCE_PERMIT_UNDER_THREE_YEARS: {
      description:
        'The first residence permit has been valid under three years (fi: ensimmäinen oleskelulupa alle kolme vuotta, sv: första uppehållstillståndet under tre år).',
    },
    EU_EEA_CITIZEN: { description: 'An EU/EEA citizen (fi: EU/ETA-kansalainen, sv: EU/EES-medborgare).' },
  },
});

registerEnumType(SocialCareNoticeKind, {
  name: 'SocialCareNoticeKind',
  description:
    "What a social-care notice is about (Kelmu's service page); when each kind becomes visible: NoticeVisibility.",
  valuesConfig: {
    CONTACT: { description: 'A contact (fi: yhteydenotto). Visible at once.' },
    NEED_FOR_SOCIAL_CARE: {
      description: "The client's need for social care (fi: sosiaalihuollon tarve). Visible at once.",
    },
    SUPPLEMENTARY_OR_PREVENTIVE_INCOME_SUPPORT: {
      description:
        'Need for supplementary or preventive income support; the application is forwarded. Visible the day after the decision on basic income support.',
    },
    REDUCED_BASIC_AMOUNT: {
      description:
        'Notice of a reduced basic amount (fi: alennettu perusosa). Visible the day after the decision on basic income support.',
    },
    URGENT_APPLICATION: { description: 'An urgent application. Visible the same day.' },
    UNEMPLOYED_UNDER_25_FOUR_MONTHS: {
      description: 'Unemployed under 25 who has received income support for 4 months. Visible the same day.',
    },
    UNEMPLOYED_25_OR_OVER_TWELVE_MONTHS: {
      description:
        'Unemployed aged 25 or over who has received income support for 12 months. Visible the same day.',
    },
    IMMIGRANT_TWO_MONTHS: {
      description: 'Immigrant who has received income support for 2 months. Visible the same day.',
    },
  },
});

registerEnumType(NoticeVisibility, {
  name: 'NoticeVisibility',
  description: "When a social-care notice becomes visible to its recipient (Kela's service page).",
  valuesConfig: {
    IMMEDIATE: { description: "At once: visibleFrom is when Kela's data arrived." },
    SAME_DAY: { description: "The same day it arrives: visibleFrom is when Kela's data arrived." },
    DAY_AFTER_DECISION: {
      description:
        'At 00:00 Helsinki time on the day after the decision on basic income support (decisionOn).',
    },
  },
});

registerEnumType(NotificationChange, {
  name: 'NotificationChange',
  description: "What happened to a municipality's notifications (subscription `notificationsChanged`).",
  valuesConfig: {
    CREATED: {
      description:
        'New notifications (fi: uudet ilmoitukset, sv: nya anmälningar): the weekly run or an import.',
    },
    MOVED_TO_PROCESSING: {
      description: 'Moved to processing (fi: siirretty käsittelyyn, sv: flyttade till behandling).',
    },
    RETURNED_TO_NEW: {
      description: 'Returned to the new list (fi: palautettu uusiin, sv: återförda till nya).',
    },
    TRANSFERRED_IN: {
      description: 'Transferred here from another municipality (fi: siirretty tänne, sv: överförda hit).',
    },
    TRANSFERRED_OUT: {
      description: 'Transferred to another municipality (fi: siirretty pois, sv: överförda härifrån).',
    },
    REMOVED: {
      description:
        'Removed from the service (fi: poistettu, sv: borttagna): the 30-day rule or the retention purge.',
    },
  },
});
