import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import type { ErrorCode } from '../domain/errors';
import type { Translations } from './labels';
import { Language } from './language';

/**
 * What each stable `extensions.code` tells a user, in the service's three languages. English responses keep the
 * detailed English message; Finnish and Swedish ones get these texts and keep the English detail in
 * `extensions.detail`, so nothing is lost for whoever reads the logs or reports the fault.
 */
export const ERROR_MESSAGES = {
  UNAUTHENTICATED: {
    FI: 'Tunnistautuminen vaaditaan: lähetä voimassa oleva tunniste (bearer token).',
    SV: 'Autentisering krävs: skicka en giltig token (bearer token).',
    EN: 'Authentication required: send a valid bearer token.',
  },
  FORBIDDEN: {
    FI: 'Ei sallittu: valtuutesi tai organisaatiosi sopimus eivät kata näitä tietoja.',
    SV: 'Inte tillåtet: dina fullmakter eller organisationens avtal omfattar inte dessa uppgifter.',
    EN: 'Not allowed: your mandates or agreement do not cover this data.',
  },
  NOT_FOUND: {
    FI: 'Ei löytynyt, tai sinulla ei ole oikeutta nähdä sitä.',
    SV: 'Hittades inte, eller så har du inte rätt att se det.',
    EN: 'Not found, or not visible to you.',
  },
  BAD_USER_INPUT: {
    FI: 'Virheellinen syöte.',
    SV: 'Ogiltig indata.',
    EN: 'Invalid input.',
  },
  BAD_REQUEST: {
    FI: 'Virheellinen pyyntö.',
    SV: 'Felaktig begäran.',
    EN: 'Bad request.',
  },
  GRAPHQL_PARSE_FAILED: {
    FI: 'Kyselyn syntaksi on virheellinen.',
    SV: 'Frågans syntax är felaktig.',
    EN: 'The query has a syntax error.',
  },
  GRAPHQL_VALIDATION_FAILED: {
    FI: 'Kysely ei vastaa skeemaa tai ylittää kyselyjen rajat.',
    SV: 'Frågan stämmer inte med schemat eller överskrider gränserna för frågor.',
    EN: 'The query does not match the schema or exceeds the query limits.',
  },
  OPERATION_RESOLUTION_FAILURE: {
    FI: 'Nimettyä operaatiota ei löydy kyselystä.',
    SV: 'Den namngivna operationen finns inte i frågan.',
    EN: 'The named operation is not in the document.',
  },
  PERSISTED_QUERY_NOT_FOUND: {
    FI: 'Tallennettua kyselyä ei löydy: lähetä koko kysely.',
    SV: 'Den sparade frågan hittades inte: skicka hela frågan.',
    EN: 'Persisted query not found: send the whole query.',
  },
  PAYLOAD_TOO_LARGE: {
    FI: 'Pyyntö on liian suuri.',
    SV: 'Begäran är för stor.',
    EN: 'Request body too large.',
  },
  RATE_LIMITED: {
    FI: 'Liikaa pyyntöjä: yritä hetken kuluttua uudelleen.',
    SV: 'För många förfrågningar: försök igen om en stund.',
    EN: 'Too many requests: try again shortly.',
  },
  SERVICE_UNAVAILABLE: {
    FI: 'Palvelu ei ole tilapäisesti käytettävissä: yritä hetken kuluttua uudelleen.',
    SV: 'Tjänsten är tillfälligt otillgänglig: försök igen om en stund.',
    EN: 'Service temporarily unavailable: try again shortly.',
  },
  INTERNAL: {
    FI: 'Sisäinen virhe. Pyyntöä ei suoritettu; yritä myöhemmin uudelleen.',
    SV: 'Internt fel. Begäran utfördes inte; försök igen senare.',
    EN: 'Internal error. The request was not completed; try again later.',
  },
} as const satisfies Record<ErrorCode, Translations>;

export type LocalizedErrorCode = keyof typeof ERROR_MESSAGES;

function isLocalized(code: unknown): code is LocalizedErrorCode {
  return typeof code === 'string' && Object.hasOwn(ERROR_MESSAGES, code);
}

/**
 * The user-facing text for one code; an input error names the argument or the variable (`$name`), which are the same
 * in every language.
 */
export function errorMessage(code: LocalizedErrorCode, language: Language, extensions: object = {}): string {
  const text = ERROR_MESSAGES[code][language];
  const { argumentName, variableName } = extensions as { argumentName?: unknown; variableName?: unknown };
  if (typeof argumentName === 'string') return `${text.slice(0, -1)} (${argumentName}).`;
  if (typeof variableName === 'string') return `${text.slice(0, -1)} ($${variableName}).`;
  return text;
}

/** An error as the caller's language shows it; English and uncatalogued codes are returned unchanged. */
export function localizeError<E extends GraphQLFormattedError>(error: E, language: Language): E {
  const code = error.extensions?.code;
  if (language === Language.EN || !isLocalized(code)) return error;
  return {
    ...error,
    message: errorMessage(code, language, error.extensions ?? {}),
    extensions: { ...error.extensions, detail: error.message },
  };
}

/** The same for an error not yet formatted (one thrown where Apollo runs no plugin), keeping its HTTP status. */
export function localizeGraphQLError(error: GraphQLError, language: Language): GraphQLError {
  if (language === Language.EN || !isLocalized(error.extensions.code)) return error;
  const { message, extensions } = localizeError(
    { message: error.message, extensions: error.extensions },
    language,
  );
  return new GraphQLError(message, { extensions });
}
