import { NotificationCriterion } from '../../domain/enums';
import { FINNISH_CITIZENSHIP } from '../../domain/immigrant';
import { checkCharacter } from '../../domain/personal-identity-code';
import type { EligibilityRule } from '../../services/immigrant-notification-run.service';
import {
  EU_EEA_CITIZENSHIPS,
  FINLAND_SWEDISH,
  FINNISH,
  type NameGroup,
  ORIGIN_GROUPS,
  STREETS_FI,
  STREETS_SV,
  surnameFor,
} from './names';
import { cumulativeWeights, pickWeighted, randomSource } from './random';
import type { MunicipalityInput, PostalCodeInput } from './reference';

export interface GenerateOptions {
  seed: number;
  count: number;
  /** Reference date YYYY-MM-DD: nobody is born after it, benefit months end in its month. */
  asOf: string;
  municipalities: readonly MunicipalityInput[];
  postalCodes: readonly PostalCodeInput[];
}

export interface HomeCareAllowanceMonth {
  /** First day of the month, YYYY-MM-01. */
  month: string;
  childrenCount: number;
}

/** One row of benefit_person with the person's benefit history (rows of the two fact tables). */
export interface FictivePerson {
  personalIdentityCode: string;
  firstNames: string;
  lastName: string;
  dateOfBirth: string;
  street: string;
  postalCode: string;
  postOffice: string;
  municipalityCode: string;
  nativeLanguage: string;
  citizenship: string;
  firstResidencePermitStart: string | null;
  euEeaCitizen: boolean;
  phoneNumber: string | null;
  /** Months (YYYY-MM-01, ascending) with a basic income support decision, within the 12 months ending in asOf's. */
  basicIncomeSupportMonths: readonly string[];
  /** Months (ascending) of child home care allowance payments, within the 24 months ending in asOf's. */
  homeCareAllowance: readonly HomeCareAllowanceMonth[];
  /** Months (YYYY-MM-01, ascending) as an unemployed job seeker, within the 12 months ending in asOf's. */
  unemploymentMonths: readonly string[];
  /** Months (YYYY-MM-01, ascending) with unemployment benefit paid, within the 18 months ending in asOf's. */
  unemploymentBenefitMonths: readonly string[];
}

/** Overall shares of persons; the immigrant share varies by municipality (more in the cities), these are the means. */
const IMMIGRANT_SHARE = 0.08;
/** Finnish citizens of foreign origin (naturalised, or born in Finland): never eligible, but realistic names. */
const NATURALISED_SHARE = 0.025;
const PHONE_SHARE = 0.6;
const SUPPORT_MONTHS_BACK = 12;
const HOME_CARE_MONTHS_BACK = 24;
const UNEMPLOYMENT_MONTHS_BACK = 18;
/**
 * Its own random stream, so that adding unemployment benefit left every other generated value as it was (the demo's
 * and bench's persons, support histories and allowances).
 */
const UNEMPLOYMENT_SEED_SALT = 0x0e1b_2c3d;

/** Age structure in five-year bands 0–4 … 95–99 (Finland 2021, thousands, rounded). */
const NATIVE_AGE_WEIGHTS = [
  240, 290, 305, 300, 320, 350, 360, 350, 340, 320, 340, 360, 370, 360, 360, 250, 170, 100, 40, 8,
];
/** Immigrants are mostly of working age. */
const IMMIGRANT_AGE_WEIGHTS = [
  40, 45, 40, 35, 60, 95, 110, 100, 80, 60, 45, 30, 20, 12, 8, 4, 2, 1, 0.3, 0.1,
];

/**
 * Approximate share of Swedish speakers (Statistics Finland 2021, rounded) in the bilingual municipalities;
 * Posti's language-ratio code decides the rest (4 = Swedish: Åland and Närpes). Pedersöre (599) is listed although
 * Posti's file codes it 1 (Finnish): it is bilingual with a nine-in-ten Swedish majority, so without this line its
 * people would get Finnish names and post offices.
 */
const SWEDISH_SHARE: Readonly<Record<string, number>> = {
  '049': 0.065,
  '078': 0.42,
  '091': 0.055,
  '092': 0.022,
  '149': 0.53,
  '231': 0.29,
  '235': 0.32,
  '257': 0.15,
  '272': 0.12,
  '280': 0.95,
  '287': 0.55,
  '288': 0.88,
  '322': 0.68,
  '407': 0.33,
  '434': 0.41,
  '440': 0.89,
  '444': 0.04,
  '445': 0.54,
  '475': 0.88,
  '499': 0.67,
  '504': 0.08,
  '545': 0.9,
  '598': 0.54,
  '599': 0.9,
  '624': 0.04,
  '638': 0.28,
  '710': 0.64,
  '753': 0.33,
  '755': 0.32,
  '853': 0.05,
  '893': 0.87,
  '905': 0.23,
  '946': 0.81,
};

function swedishShareOf(municipality: MunicipalityInput): number {
  const known = SWEDISH_SHARE[municipality.code];
  if (known !== undefined) return known;
  if (municipality.languageRatioCode >= 3) return 0.87;
  if (municipality.languageRatioCode === 2) return 0.15;
  return 0.003;
}

interface Place {
  code: string;
  immigrantShare: number;
  naturalisedShare: number;
  swedishShare: number;
  apartmentShare: number;
  postalCodes: readonly PostalCodeInput[];
}

function places(
  municipalities: readonly MunicipalityInput[],
  postalCodes: readonly PostalCodeInput[],
): Place[] {
  const byMunicipality = new Map<string, PostalCodeInput[]>();
  for (const postalCode of postalCodes) {
    const list = byMunicipality.get(postalCode.municipalityCode) ?? [];
    list.push(postalCode);
    byMunicipality.set(postalCode.municipalityCode, list);
  }
  // Foreign-born residents concentrate in the cities: weight by log population, normalised to the overall shares.
  const concentration = (population: number) => Math.max(0.3, Math.log10(Math.max(population, 1)) - 2.5);
  const totalPopulation = municipalities.reduce((sum, m) => sum + m.population, 0);
  const meanConcentration =
    municipalities.reduce((sum, m) => sum + m.population * concentration(m.population), 0) / totalPopulation;
  return municipalities.map((municipality) => {
    const codes = [...(byMunicipality.get(municipality.code) ?? [])].sort((a, b) =>
      a.code.localeCompare(b.code),
    );
    const streetAddressCodes = codes.filter((postalCode) => postalCode.typeCode === 1);
    if (codes.length === 0) throw new Error(`Municipality ${municipality.code} has no postal code`);
    const factor = concentration(municipality.population) / meanConcentration;
    return {
      code: municipality.code,
      immigrantShare: IMMIGRANT_SHARE * factor,
      naturalisedShare: NATURALISED_SHARE * factor,
      swedishShare: swedishShareOf(municipality),
      apartmentShare: municipality.population > 50_000 ? 0.7 : municipality.population > 10_000 ? 0.45 : 0.2,
      postalCodes: streetAddressCodes.length > 0 ? streetAddressCodes : codes,
    };
  });
}

const DAY_MS = 86_400_000;
const EPOCH = Date.UTC(1900, 0, 1);
const DAYS_PER_YEAR = 365.2425;
/** Per birth date and sex: 6 century signs × 50 individual numbers of the right parity in 900–999. */
const CODES_PER_DAY_AND_SEX = 300;

function dayNumber(isoDate: string): number {
  return Math.round((Date.parse(`${isoDate}T00:00:00Z`) - EPOCH) / DAY_MS);
}

/** First days of the months ending in asOf's month, newest first: index = months back. */
export function monthsBack(asOf: string, count: number): string[] {
  const year = Number(asOf.slice(0, 4));
  const month = Number(asOf.slice(5, 7)) - 1;
  return Array.from({ length: count }, (_, back) =>
    new Date(Date.UTC(year, month - back, 1)).toISOString().slice(0, 10),
  );
}

/**
 * Fictive persons with benefit histories, one at a time so that a million can be streamed. Deterministic: the same
 * options give the same rows, and a longer run starts with the rows of a shorter one. Identity codes are unique by
 * construction: the k-th person of a sex born on a day gets the k-th of that day's 300 combinations of century sign
 * and individual number (odd for men, even for women, as in real codes), spread by a hash of the day; a full day
 * moves the birth to the day before.
 */
export function* generatePersons(options: GenerateOptions): Generator<FictivePerson> {
  const { seed, count, asOf } = options;
  const random = randomSource(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const chance = (probability: number) => random() < probability;

  const allPlaces = places(options.municipalities, options.postalCodes);
  const placeWeights = cumulativeWeights(options.municipalities.map((m) => m.population));
  const groupWeights = cumulativeWeights(ORIGIN_GROUPS.map((group) => group.weight));
  const citizenshipsOf = new Map(
    ORIGIN_GROUPS.map((group) => [
      group,
      {
        codes: group.citizenships.map(([code]) => code),
        weights: cumulativeWeights(group.citizenships.map(([, weight]) => weight)),
      },
    ]),
  );
  const nativeAges = cumulativeWeights(NATIVE_AGE_WEIGHTS);
  const immigrantAges = cumulativeWeights(IMMIGRANT_AGE_WEIGHTS);
  const bands = NATIVE_AGE_WEIGHTS.map((_, band) => band);

  const asOfDay = dayNumber(asOf);
  if (!(asOfDay > 0)) throw new RangeError(`asOf must be a date after 1900-01-01, not ${asOf}`);
  const isoOfDay: string[] = new Array(asOfDay + 1);
  for (let day = 0; day <= asOfDay; day += 1)
    isoOfDay[day] = new Date(EPOCH + day * DAY_MS).toISOString().slice(0, 10);
  const issued = new Uint16Array((asOfDay + 1) * 2);
  let capacityLeft = (asOfDay + 1) * 2 * CODES_PER_DAY_AND_SEX;
  const supportMonths = monthsBack(asOf, SUPPORT_MONTHS_BACK);
  const recentPermitLimit = yearsBefore(asOf, 3);
  const homeCareMonths = monthsBack(asOf, HOME_CARE_MONTHS_BACK);
  const unemploymentMonths = monthsBack(asOf, UNEMPLOYMENT_MONTHS_BACK);
  const unemploymentRandom = randomSource(seed ^ UNEMPLOYMENT_SEED_SALT);

  const identityCode = (birthDay: number, female: boolean): [number, string] => {
    if (capacityLeft <= 0) throw new RangeError('No identity codes left in the 900–999 range');
    let day = birthDay;
    const sex = female ? 0 : 1;
    while ((issued[day * 2 + sex] as number) >= CODES_PER_DAY_AND_SEX) day = day > 0 ? day - 1 : asOfDay;
    const k = issued[day * 2 + sex] as number;
    issued[day * 2 + sex] = k + 1;
    capacityLeft -= 1;
    const hash = Math.imul(day ^ 0x5bd1e995, 0x9e3779b1) >>> 0;
    const signIndex = ((k % 6) + (hash % 6)) % 6;
    const numberOffset = 2 * ((Math.floor(k / 6) + ((hash >>> 8) % 50)) % 50) + sex;
    return [day, fictiveCode(day, numberOffset * 6 + signIndex)];
  };
  // fictivePersonalIdentityCode(date, variant) without parsing the date a million times; same check character.
  const datePartOfDay: string[] = new Array(asOfDay + 1);
  const fictiveCode = (day: number, variant: number): string => {
    let datePart = datePartOfDay[day];
    const iso = isoOfDay[day] as string;
    if (datePart === undefined) {
      datePart = iso.slice(8, 10) + iso.slice(5, 7) + iso.slice(2, 4);
      datePartOfDay[day] = datePart;
    }
    const signs = iso < '2000' ? SIGNS_1900 : SIGNS_2000;
    const individualNumber = String(900 + (Math.floor(variant / 6) % 100));
    return datePart + signs[variant % 6] + individualNumber + checkCharacter(datePart, individualNumber);
  };

  const birthDayFor = (ages: Float64Array): number => {
    const years = pickWeighted(bands, ages, random) * 5 + random() * 5;
    return Math.max(0, asOfDay - Math.floor(years * DAYS_PER_YEAR));
  };

  const firstNamesFor = (group: NameGroup, female: boolean): string => {
    const pool = female ? group.female : group.male;
    const counts =
      group === FINNISH
        ? FINNISH_NAME_COUNTS
        : group === FINLAND_SWEDISH
          ? SWEDISH_NAME_COUNTS
          : FOREIGN_NAME_COUNTS;
    const wanted = pickWeighted(NAME_COUNTS, counts, random);
    const names: string[] = [pick(pool)];
    for (let attempt = 0; names.length < wanted && attempt < 6; attempt += 1) {
      const name = pick(pool);
      if (!names.includes(name)) names.push(name);
    }
    return names.join(' ');
  };

  const streetFor = (place: Place, swedish: boolean): string => {
    const number = 1 + Math.floor(random() ** 1.6 * 80);
    const base = `${pick(swedish ? STREETS_SV : STREETS_FI)} ${number}`;
    if (!chance(place.apartmentShare)) return base;
    return `${base} ${'ABCD'[Math.floor(random() ** 2 * 4)]} ${1 + Math.floor(random() * 40)}`;
  };

  const supportHistory = (): string[] => {
    // Bit b set = support in the month b months back (0 = asOf's month).
    let mask = 0;
    const shape = random();
    if (shape < 0.35) {
      // Some receive it for a year or more (long-term recipients).
      mask = chance(0.2) ? streak(0, SUPPORT_MONTHS_BACK) : streak(0, 1 + Math.floor(random() ** 1.5 * 12));
    } else if (shape < 0.6) {
      mask = streak(1, 1 + Math.floor(random() ** 1.5 * 11));
    } else if (shape < 0.75) {
      // A one-month gap: never two consecutive months at the end.
      const end = Math.floor(random() * 2);
      mask = (1 << end) | streak(end + 2, 1 + Math.floor(random() * (SUPPORT_MONTHS_BACK - end - 2)));
    } else if (shape < 0.9) {
      const end = 2 + Math.floor(random() * 9);
      mask = streak(end, 1 + Math.floor(random() * (SUPPORT_MONTHS_BACK - end)));
    } else {
      for (let back = 0; back < SUPPORT_MONTHS_BACK; back += 1) if (chance(0.3)) mask |= 1 << back;
      if (mask === 0) mask = 1 << Math.floor(random() * SUPPORT_MONTHS_BACK);
    }
    const months: string[] = [];
    for (let back = SUPPORT_MONTHS_BACK - 1; back >= 0; back -= 1) {
      if (mask & (1 << back)) months.push(supportMonths[back] as string);
    }
    return months;
  };

  // Unemployment: most people of working age on basic income support are unemployed job seekers, in all their
  // support months or some; others are unemployed without income support (the daily social-care run skips them).
  const unemploymentHistory = (support: readonly string[]): readonly string[] => {
    if (support.length > 0) {
      const shape = random();
      if (shape < 0.6) return support;
      if (shape < 0.8) return support.filter(() => chance(0.7));
      return NO_SUPPORT;
    }
    if (!chance(0.05)) return NO_SUPPORT;
    const end = Math.floor(random() * 6);
    const length = 1 + Math.floor(random() * 6);
    return supportMonths.slice(end, end + length).reverse();
  };

  const homeCareHistory = (): HomeCareAllowanceMonth[] => {
    const end = chance(0.55) ? 0 : 1 + Math.floor(random() * 12);
    const length = 1 + Math.floor(random() * Math.min(18, HOME_CARE_MONTHS_BACK - end));
    let children = pickWeighted([1, 2, 3], CHILDREN_WEIGHTS, random);
    // Sometimes a baby is born during the allowance: one child more from some month on.
    const growsAt = children < 3 && length > 2 && chance(0.15) ? 1 + Math.floor(random() * (length - 1)) : -1;
    const payments: HomeCareAllowanceMonth[] = [];
    for (let i = 0; i < length; i += 1) {
      if (i === growsAt) children += 1;
      payments.push({ month: homeCareMonths[end + length - 1 - i] as string, childrenCount: children });
    }
    return payments;
  };

  const unemploymentBenefitHistory = (): string[] => {
    const next = unemploymentRandom;
    const shape = next();
    let end: number;
    let length: number;
    if (shape < 0.5) {
      // Twelve months or more up to this month or the last: Kela's second criterion.
      end = Math.floor(next() * 2);
      length = 12 + Math.floor(next() * (UNEMPLOYMENT_MONTHS_BACK - end - 11));
    } else if (shape < 0.75) {
      // Recently unemployed: under twelve months so far.
      end = Math.floor(next() * 2);
      length = 1 + Math.floor(next() * 11);
    } else {
      // An earlier spell, ended two or more months ago.
      end = 2 + Math.floor(next() * 6);
      length = 1 + Math.floor(next() * (UNEMPLOYMENT_MONTHS_BACK - end));
    }
    const months: string[] = [];
    for (let back = end + length - 1; back >= end; back -= 1) months.push(unemploymentMonths[back] as string);
    return months;
  };

  for (let index = 0; index < count; index += 1) {
    const place = pickWeighted(allPlaces, placeWeights, random);
    const kind = random();
    const immigrant = kind < place.immigrantShare;
    const naturalised = !immigrant && kind < place.immigrantShare + place.naturalisedShare;
    let group: NameGroup;
    let citizenship: string;
    let language: string;
    if (immigrant || naturalised) {
      group = pickWeighted(ORIGIN_GROUPS, groupWeights, random);
      const citizenships = citizenshipsOf.get(group) as { codes: string[]; weights: Float64Array };
      citizenship = immigrant ? pickWeighted(citizenships.codes, citizenships.weights, random) : 'FIN';
      language = group.language;
    } else {
      group = chance(place.swedishShare) ? FINLAND_SWEDISH : FINNISH;
      citizenship = 'FIN';
      language = group.language;
    }
    const female = chance(group.femaleShare);
    const [birthDay, personalIdentityCode] = identityCode(
      birthDayFor(immigrant ? immigrantAges : nativeAges),
      female,
    );
    const ageYears = (asOfDay - birthDay) / DAYS_PER_YEAR;

    let permitStart: string | null = null;
    const euEeaCitizen = immigrant && EU_EEA_CITIZENSHIPS.has(citizenship);
    if (immigrant && !euEeaCitizen) {
      // Recent arrivals are the most numerous (record immigration 2022–2024): skewed towards the last years.
      const permitDay = asOfDay - Math.floor(10 * random() ** 1.3 * DAYS_PER_YEAR);
      permitStart = isoOfDay[Math.max(permitDay, birthDay)] as string;
    } else if (naturalised) {
      // Naturalisation needs years of residence; the younger ones were born in Finland and speak Finnish.
      const permitDay = asOfDay - Math.floor((6 + random() * 24) * DAYS_PER_YEAR);
      if (permitDay >= birthDay) permitStart = isoOfDay[permitDay] as string;
      else if (chance(0.5)) language = 'fi';
    }

    // Swedish speakers use the Swedish street names of bilingual municipalities; in Swedish-majority ones most do.
    const swedishStreet =
      language === 'sv' ? place.swedishShare > 0.01 : place.swedishShare > 0.5 && chance(place.swedishShare);
    const postal = pick(place.postalCodes);
    const firstNames = firstNamesFor(group, female);
    const lastName = surnameFor(group, pick(group.last), female);
    const street = streetFor(place, swedishStreet);
    const phoneNumber = chance(PHONE_SHARE)
      ? `+358 ${pick(MOBILE_PREFIXES)} ${String(Math.floor(random() * 10_000_000)).padStart(7, '0')}`
      : null;

    // Basic income support: most common among recent arrivals, rarer among EU citizens and the native-born (young
    // adults more often than their elders).
    let supportProbability = 0;
    if (ageYears >= 18) {
      if (immigrant && euEeaCitizen) supportProbability = 0.08;
      else if (immigrant) supportProbability = (permitStart ?? '') > recentPermitLimit ? 0.5 : 0.25;
      else if (naturalised) supportProbability = 0.08;
      else supportProbability = ageYears < 25 ? 0.08 : 0.04;
    }
    const basicIncomeSupportMonths =
      supportProbability > 0 && chance(supportProbability) ? supportHistory() : NO_SUPPORT;
    const unemploymentMonths =
      ageYears >= 17 && ageYears < 65 ? unemploymentHistory(basicIncomeSupportMonths) : NO_SUPPORT;

    // Child home care allowance: parents of children under three, mostly mothers.
    let homeCareProbability = 0;
    if (ageYears >= 19 && ageYears < 46) {
      const base = immigrant ? 0.09 : naturalised ? 0.05 : 0.035;
      homeCareProbability = female ? base : base / 9;
    }
    const homeCareAllowance =
      homeCareProbability > 0 && chance(homeCareProbability) ? homeCareHistory() : NO_HOME_CARE;

    // Unemployment benefit: working-age people, more often immigrants than the native-born.
    let unemploymentProbability = 0;
    if (ageYears >= 18 && ageYears < 65) {
      if (immigrant) unemploymentProbability = euEeaCitizen ? 0.1 : 0.15;
      else unemploymentProbability = naturalised ? 0.08 : 0.05;
    }
    const unemploymentBenefitMonths =
      unemploymentProbability > 0 && unemploymentRandom() < unemploymentProbability
        ? unemploymentBenefitHistory()
        : NO_SUPPORT;

    yield {
      personalIdentityCode,
      firstNames,
      lastName,
      dateOfBirth: isoOfDay[birthDay] as string,
      street,
      postalCode: postal.code,
      postOffice: swedishStreet ? postal.postOfficeSv : postal.postOfficeFi,
      municipalityCode: place.code,
      nativeLanguage: language,
      citizenship,
      firstResidencePermitStart: permitStart,
      euEeaCitizen,
      phoneNumber,
      basicIncomeSupportMonths,
      homeCareAllowance,
      unemploymentMonths,
      unemploymentBenefitMonths,
    };
  }
}

const NO_SUPPORT: readonly string[] = Object.freeze([]);
const NO_HOME_CARE: readonly HomeCareAllowanceMonth[] = Object.freeze([]);
/** Century signs in the order of fictivePersonalIdentityCode's variants (its CENTURY_SIGNS). */
const SIGNS_1900 = ['-', 'Y', 'X', 'W', 'V', 'U'];
const SIGNS_2000 = ['A', 'B', 'C', 'D', 'E', 'F'];
const MOBILE_PREFIXES = ['40', '41', '44', '45', '46', '50'];
const CHILDREN_WEIGHTS = cumulativeWeights([70, 25, 5]);
/** How many first names: Finns usually have two or three, most immigrants one. */
const NAME_COUNTS = [1, 2, 3];
const FINNISH_NAME_COUNTS = cumulativeWeights([25, 55, 20]);
const SWEDISH_NAME_COUNTS = cumulativeWeights([35, 50, 15]);
const FOREIGN_NAME_COUNTS = cumulativeWeights([88, 12, 0]);

/** Bits for `length` consecutive months ending `end` months back. */
function streak(end: number, length: number): number {
  let mask = 0;
  for (let back = end; back < Math.min(end + length, SUPPORT_MONTHS_BACK); back += 1) mask |= 1 << back;
  return mask;
}

/** The date `years` years before, as PostgreSQL computes `date - interval 'n years'` (29 Feb → 28 Feb). */
export function yearsBefore(isoDate: string, years: number): string {
  const year = Number(isoDate.slice(0, 4)) - years;
  const month = Number(isoDate.slice(5, 7));
  const lastDay = new Date(Date.UTC(year, month, 0)).getUTCDate();
  const day = Math.min(Number(isoDate.slice(8, 10)), lastDay);
  return `${String(year).padStart(4, '0')}-${isoDate.slice(5, 7)}-${String(day).padStart(2, '0')}`;
}

/** Whether `months` (ascending, YYYY-MM-01) hold `length` consecutive months ending in asOf's month or the one before. */
function streakCheck(asOf: string, length: number): (months: readonly string[]) => boolean {
  const recent = monthsBack(asOf, length + 1);
  const streaks = [0, 1].map((end) => recent.slice(end, end + length));
  return (months) =>
    months.length >= length && streaks.some((streak) => streak.every((month) => months.includes(month)));
}

/** The weekly run's criteria a generated person meets, in the enum's order (empty: none). */
export function criteriaCheck(
  asOf: string,
  rule: EligibilityRule,
): (person: FictivePerson) => NotificationCriterion[] {
  const supported = streakCheck(asOf, rule.consecutiveSupportMonths);
  const unemployed = streakCheck(asOf, rule.consecutiveUnemploymentMonths);
  return (person) => [
    ...(supported(person.basicIncomeSupportMonths)
      ? [NotificationCriterion.BASIC_INCOME_SUPPORT_TWO_MONTHS]
      : []),
    ...(unemployed(person.unemploymentBenefitMonths)
      ? [NotificationCriterion.UNEMPLOYMENT_BENEFIT_TWELVE_MONTHS]
      : []),
  ];
}

/**
 * The weekly run's rule (ImmigrantNotificationRunService) applied to a generated person: an immigrant (never a Finnish
 * citizen; an EU/EEA citizen by citizenship, or a first residence permit that started on or before asOf and less than
 * `residencePermitMaxYears` years before it) who meets a criterion: basic income support in
 * `consecutiveSupportMonths` or unemployment benefit in `consecutiveUnemploymentMonths` consecutive months, ending in
 * asOf's month or the month before.
 */
export function eligibilityCheck(asOf: string, rule: EligibilityRule): (person: FictivePerson) => boolean {
  const permitLimit = yearsBefore(asOf, rule.residencePermitMaxYears);
  const criteria = criteriaCheck(asOf, rule);
  return (person) => {
    if (person.citizenship === FINNISH_CITIZENSHIP) return false;
    const permit = person.firstResidencePermitStart;
    const permitted =
      EU_EEA_CITIZENSHIPS.has(person.citizenship) ||
      (permit !== null && permit <= asOf && permit > permitLimit);
    return permitted && criteria(person).length > 0;
  };
}

/** The daily social-care run's kinds for which `person` is due as of `asOf` (SocialCareNoticeRunService's rule). */
export type SocialCareRunKind =
  | 'UNEMPLOYED_UNDER_25_FOUR_MONTHS'
  | 'UNEMPLOYED_25_OR_OVER_TWELVE_MONTHS'
  | 'IMMIGRANT_TWO_MONTHS';

/**
 * The daily social-care run's rule applied to a generated person: a streak of months of basic income support (for
 * the unemployed kinds, of months both on support and unemployed) ending in asOf's month or the month before, at
 * least 4 long under 25 on asOf, 12 from 25, and 2 for immigrants as the integration criteria define them.
 * `thresholds` are SOCIAL_CARE_NOTICE_KINDS' supportMonths.
 */
export function socialCareRunCheck(
  asOf: string,
  residencePermitMaxYears: number,
  thresholds: Readonly<Record<SocialCareRunKind, number>>,
): (person: FictivePerson) => SocialCareRunKind[] {
  const permitLimit = yearsBefore(asOf, residencePermitMaxYears);
  const adultBornBy = yearsBefore(asOf, 25);
  const recent = monthsBack(asOf, SUPPORT_MONTHS_BACK + 1);
  /** Length of the streak of months in `months` ending in asOf's month, else in the month before. */
  const streakLength = (months: ReadonlySet<string>): number => {
    const end = months.has(recent[0] as string) ? 0 : 1;
    let length = 0;
    while (months.has(recent[end + length] as string)) length += 1;
    return length;
  };
  return (person) => {
    const kinds: SocialCareRunKind[] = [];
    if (person.basicIncomeSupportMonths.length === 0) return kinds;
    const support = new Set(person.basicIncomeSupportMonths);
    const unemployed = new Set(person.unemploymentMonths.filter((month) => support.has(month)));
    const unemployedStreak = streakLength(unemployed);
    if (person.dateOfBirth > adultBornBy) {
      if (unemployedStreak >= thresholds.UNEMPLOYED_UNDER_25_FOUR_MONTHS) {
        kinds.push('UNEMPLOYED_UNDER_25_FOUR_MONTHS');
      }
    } else if (unemployedStreak >= thresholds.UNEMPLOYED_25_OR_OVER_TWELVE_MONTHS) {
      kinds.push('UNEMPLOYED_25_OR_OVER_TWELVE_MONTHS');
    }
    const permit = person.firstResidencePermitStart;
    // As integrationImmigrantSql: EU/EEA status from the citizenship, and never a Finnish citizen.
    const immigrant =
      person.citizenship !== FINNISH_CITIZENSHIP &&
      (EU_EEA_CITIZENSHIPS.has(person.citizenship) ||
        (permit !== null && permit <= asOf && permit > permitLimit));
    if (immigrant && streakLength(support) >= thresholds.IMMIGRANT_TWO_MONTHS)
      kinds.push('IMMIGRANT_TWO_MONTHS');
    return kinds;
  };
}
