import { registerEnumType } from 'type-graphql';
import { AgeSignal } from '../domain/age-signal';
import {
  DataContent,
  GrantWithheldReason,
  NotificationKind,
  NotificationOrder,
  NotificationStatus,
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
