import Negotiator from 'negotiator';
import { registerEnumType } from 'type-graphql';

/** The languages of the service's labels and messages: Kelmu's own content is Finnish only, ours is not. */
export enum Language {
  FI = 'FI',
  SV = 'SV',
  EN = 'EN',
}

registerEnumType(Language, {
  name: 'Language',
  description:
    "Language of labels and messages. Without a `language` argument the request's Accept-Language header decides (fi, sv or en); English when it names none of them.",
  valuesConfig: {
    FI: { description: 'Finnish (suomi).' },
    SV: { description: 'Swedish (svenska), e.g. for the handlers of Ostrobothnia.' },
    EN: { description: 'English.' },
  },
});

/** English is the API's own language (descriptions, codes), so it is the choice when the caller names no other. */
const DEFAULT_LANGUAGE = Language.EN;

const TAGS: Record<string, Language> = { en: Language.EN, fi: Language.FI, sv: Language.SV };

/** A language named by its code (`fi`, `sv`, `en`, any case), as in a download's `?lang=`; undefined for others. */
export function languageOfCode(code: string): Language | undefined {
  return Object.hasOwn(TAGS, code.toLowerCase()) ? TAGS[code.toLowerCase()] : undefined;
}

/**
 * The caller's preferred language of ours by RFC 9110 Accept-Language (`fi-FI`, `sv;q=0.8`, …). `fallback` is the
 * answer when the header names none of ours, and it is offered first: a wildcard (`*`, which Node's fetch sends by
 * default) or a tie then means the fallback.
 */
export function negotiateLanguage(
  acceptLanguage: string | string[] | undefined | null,
  fallback: Language = DEFAULT_LANGUAGE,
): Language {
  const header = Array.isArray(acceptLanguage) ? acceptLanguage.join(',') : acceptLanguage;
  if (!header) return fallback;
  const offered = Object.keys(TAGS).sort(
    (a, b) => Number(TAGS[b] === fallback) - Number(TAGS[a] === fallback),
  );
  const [best] = new Negotiator({ headers: { 'accept-language': header } }).languages(offered);
  return (best === undefined ? undefined : TAGS[best]) ?? fallback;
}
