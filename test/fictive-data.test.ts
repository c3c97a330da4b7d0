import { isValidPhoneNumber } from '../src/domain/phone-number';
import 'reflect-metadata';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDataSource } from '../src/db/data-source';
import {
  BenefitFactsNotEmptyError,
  copyText,
  criteriaCheck,
  eligibilityCheck,
  type FictivePerson,
  type GenerateOptions,
  generatePersons,
  loadReferenceInputs,
  monthsBack,
  personLine,
  socialCareRunCheck,
  writeFictiveData,
  yearsBefore,
} from '../src/dev/fictive-data';
import { EU_EEA_CITIZENSHIPS, FINLAND_SWEDISH, ORIGIN_GROUPS } from '../src/dev/fictive-data/names';
import { dateOfBirthOf, isValidPersonalIdentityCode } from '../src/domain/personal-identity-code';
import {
  DEFAULT_ELIGIBILITY,
  ImmigrantNotificationRunService,
} from '../src/services/immigrant-notification-run.service';
import { SocialCareNoticeRunService } from '../src/services/social-care-notice-run.service';
import { createTestDatabase } from './support/database';

const AS_OF = '2026-11-02';
const reference = loadReferenceInputs();

function options(seed: number, count: number): GenerateOptions {
  return { seed, count, asOf: AS_OF, ...reference };
}

function generate(seed: number, count: number): FictivePerson[] {
  return [...generatePersons(options(seed, count))];
}

describe('generatePersons', () => {
  const persons = generate(42, 50_000);
  const postalCodes = new Map(reference.postalCodes.map((postalCode) => [postalCode.code, postalCode]));
  /** The persons breaking a rule, as readable JSON (a failure shows the first few, not 50,000 assertions). */
  const offending = (rule: (person: FictivePerson) => boolean) =>
    persons
      .filter((person) => !rule(person))
      .slice(0, 5)
      .map((person) => JSON.stringify(person));

  it('is deterministic for a seed, and a longer run starts with the rows of a shorter one', () => {
    expect(generate(42, 2_000)).toEqual(persons.slice(0, 2_000));
    const other = generate(43, 2_000);
    expect(other).not.toEqual(persons.slice(0, 2_000));
    const same = other.filter(
      (person, index) => person.personalIdentityCode === persons[index]?.personalIdentityCode,
    );
    expect(same.length).toBeLessThan(20);
  });

  it('gives every person a valid fictive identity code (900–999) matching the birth date, all of them unique', () => {
    expect(
      offending(
        ({ personalIdentityCode: code, dateOfBirth }) =>
          isValidPersonalIdentityCode(code) &&
          Number(code.slice(7, 10)) >= 900 &&
          dateOfBirthOf(code) === dateOfBirth &&
          dateOfBirth <= AS_OF,
      ),
    ).toEqual([]);
    expect(new Set(persons.map((person) => person.personalIdentityCode)).size).toBe(persons.length);
  });

  it('uses all twelve century signs of the 1900s and 2000s', () => {
    const signs = new Set(persons.map((person) => person.personalIdentityCode[6]));
    expect([...signs].sort()).toEqual(['-', 'A', 'B', 'C', 'D', 'E', 'F', 'U', 'V', 'W', 'X', 'Y']);
  });

  it("uses street-address postal codes of the person's own municipality", () => {
    expect(
      offending((person) => {
        const postalCode = postalCodes.get(person.postalCode);
        return (
          postalCode?.municipalityCode === person.municipalityCode &&
          postalCode.typeCode === 1 &&
          [postalCode.postOfficeFi, postalCode.postOfficeSv].includes(person.postOffice) &&
          /^\D+ \d{1,2}( [A-D] \d{1,2})?$/.test(person.street)
        );
      }),
    ).toEqual([]);
  });

  it('spreads persons over the municipalities by population', () => {
    const perMunicipality = new Map<string, number>();
    for (const person of persons) {
      perMunicipality.set(person.municipalityCode, (perMunicipality.get(person.municipalityCode) ?? 0) + 1);
    }
    const ranked = [...perMunicipality].sort((a, b) => b[1] - a[1]);
    expect(ranked[0]?.[0]).toBe('091');
    expect(ranked.slice(1, 3).map(([code]) => code)).toEqual(expect.arrayContaining(['049']));
    const total = reference.municipalities.reduce((sum, municipality) => sum + municipality.population, 0);
    const helsinki =
      reference.municipalities.find((municipality) => municipality.code === '091')?.population ?? 0;
    expect((perMunicipality.get('091') ?? 0) / persons.length).toBeCloseTo(helsinki / total, 1);
    expect(perMunicipality.size).toBeGreaterThan(250);
  });

  it('keeps language, citizenship, EU/EEA flag and residence permit consistent', () => {
    const tenYearsBack = yearsBefore(AS_OF, 10);
    const sixYearsBack = yearsBefore(AS_OF, 6);
    expect(
      offending((person) => {
        const permit = person.firstResidencePermitStart;
        if (!/^[a-z]{2}$/.test(person.nativeLanguage) || !/^[A-Z]{3}$/.test(person.citizenship)) return false;
        // Finnish citizens are never immigrants for the run: naturalised ones had their first permit years ago.
        if (person.citizenship === 'FIN')
          return !person.euEeaCitizen && (permit === null || permit < sixYearsBack);
        if (EU_EEA_CITIZENSHIPS.has(person.citizenship)) return person.euEeaCitizen && permit === null;
        return (
          !person.euEeaCitizen &&
          permit !== null &&
          permit <= AS_OF &&
          permit >= tenYearsBack &&
          permit >= person.dateOfBirth
        );
      }),
    ).toEqual([]);
    const finnishNames = persons.filter((person) => person.nativeLanguage === 'fi');
    expect(finnishNames.every((person) => person.citizenship === 'FIN')).toBe(true);
    const immigrants = persons.filter((person) => person.citizenship !== 'FIN');
    expect(immigrants.length / persons.length).toBeGreaterThan(0.06);
    expect(immigrants.length / persons.length).toBeLessThan(0.1);
    const languages = new Set(immigrants.map((person) => person.nativeLanguage));
    expect([...languages]).toEqual(
      expect.arrayContaining(['ru', 'et', 'ar', 'so', 'uk', 'fa', 'vi', 'zh', 'th', 'tl', 'en', 'sv']),
    );
    const phones = persons.filter((person) => person.phoneNumber !== null);
    expect(phones.length / persons.length).toBeGreaterThan(0.5);
    expect(phones.every((person) => /^\+358 \d{2} \d{7}$/.test(person.phoneNumber ?? ''))).toBe(true);
    // Numbers the import would accept (it checks them with libphonenumber-js).
    expect(phones.filter((person) => !isValidPhoneNumber(person.phoneNumber ?? ''))).toEqual([]);
  });

  it('writes benefit months within the windows, and makes a realistic share eligible for the weekly run', () => {
    const supportMonths = new Set(monthsBack(AS_OF, 12));
    const homeCareMonths = new Set(monthsBack(AS_OF, 24));
    const unemploymentMonths = new Set(monthsBack(AS_OF, 18));
    const ascending = (months: readonly string[]) =>
      months.every((month, i) => i === 0 || (months[i - 1] as string) < month);
    expect(
      offending(
        ({ basicIncomeSupportMonths: months, homeCareAllowance: payments }) =>
          months.every((month) => supportMonths.has(month)) &&
          ascending(months) &&
          payments.every(
            ({ month, childrenCount }) =>
              homeCareMonths.has(month) && childrenCount >= 1 && childrenCount <= 3,
          ) &&
          ascending(payments.map(({ month }) => month)),
      ),
    ).toEqual([]);
    expect(
      offending(
        ({ unemploymentBenefitMonths: months }) =>
          months.every((month) => unemploymentMonths.has(month)) && ascending(months),
      ),
    ).toEqual([]);
    const isEligible = eligibilityCheck(AS_OF, DEFAULT_ELIGIBILITY);
    const eligible = persons.filter(isEligible);
    expect(eligible.length / persons.length).toBeGreaterThan(0.002);
    expect(eligible.length / persons.length).toBeLessThan(0.02);
    expect(eligible.some((person) => person.euEeaCitizen)).toBe(true);
    expect(eligible.some((person) => person.firstResidencePermitStart !== null)).toBe(true);
    // Not eligible for lack of a streak although supported this month and two months ago (a one-month gap), when
    // there is no unemployment benefit either.
    const [thisMonth, lastMonth, twoMonthsAgo] = monthsBack(AS_OF, 3);
    const gap = persons.filter(
      (person) =>
        person.unemploymentBenefitMonths.length === 0 &&
        person.basicIncomeSupportMonths.includes(thisMonth as string) &&
        !person.basicIncomeSupportMonths.includes(lastMonth as string) &&
        person.basicIncomeSupportMonths.includes(twoMonthsAgo as string),
    );
    expect(gap.length).toBeGreaterThan(0);
    expect(gap.some(isEligible)).toBe(false);
    expect(
      persons.some((person) => person.homeCareAllowance.length > 0 && person.citizenship !== 'FIN'),
    ).toBe(true);
  });

  it('writes unemployment months within the window and makes some persons due for each kind of the daily social-care run', () => {
    const window = new Set(monthsBack(AS_OF, 12));
    expect(
      offending(({ unemploymentMonths: months }) =>
        months.every((month, i) => window.has(month) && (i === 0 || (months[i - 1] as string) < month)),
      ),
    ).toEqual([]);
    // Unemployed without income support too: the run must not count them.
    expect(
      persons.some((p) => p.unemploymentMonths.length > 0 && p.basicIncomeSupportMonths.length === 0),
    ).toBe(true);
    const due = socialCareRunCheck(AS_OF, DEFAULT_ELIGIBILITY.residencePermitMaxYears, {
      UNEMPLOYED_UNDER_25_FOUR_MONTHS: 4,
      UNEMPLOYED_25_OR_OVER_TWELVE_MONTHS: 12,
      IMMIGRANT_TWO_MONTHS: 2,
    });
    const counts = new Map<string, number>();
    for (const person of persons) {
      for (const kind of due(person)) counts.set(kind, (counts.get(kind) ?? 0) + 1);
    }
    for (const kind of [
      'UNEMPLOYED_UNDER_25_FOUR_MONTHS',
      'UNEMPLOYED_25_OR_OVER_TWELVE_MONTHS',
      'IMMIGRANT_TWO_MONTHS',
    ]) {
      expect(counts.get(kind) ?? 0, kind).toBeGreaterThan(5);
    }
  });

  it('gives some immigrants twelve months of unemployment benefit, so that each criterion and both are met', () => {
    const isEligible = eligibilityCheck(AS_OF, DEFAULT_ELIGIBILITY);
    const criteriaOf = criteriaCheck(AS_OF, DEFAULT_ELIGIBILITY);
    const met = persons.filter(isEligible).map((person) => criteriaOf(person).join('+'));
    expect(new Set(met)).toEqual(
      new Set([
        'BASIC_INCOME_SUPPORT_TWO_MONTHS',
        'UNEMPLOYMENT_BENEFIT_TWELVE_MONTHS',
        'BASIC_INCOME_SUPPORT_TWO_MONTHS+UNEMPLOYMENT_BENEFIT_TWELVE_MONTHS',
      ]),
    );
    // Eleven months up to this month is not yet twelve; a Finnish citizen is never notified, whatever the benefit.
    const [thisMonth, lastMonth] = monthsBack(AS_OF, 2);
    const elevenMonths = persons.filter(
      (person) =>
        person.unemploymentBenefitMonths.length === 11 &&
        person.unemploymentBenefitMonths.at(-1) === thisMonth &&
        person.basicIncomeSupportMonths.length === 0,
    );
    expect(elevenMonths.length).toBeGreaterThan(0);
    expect(elevenMonths.some(isEligible)).toBe(false);
    const finnishUnemployed = persons.filter(
      (person) =>
        person.citizenship === 'FIN' &&
        person.unemploymentBenefitMonths.length >= 12 &&
        [thisMonth, lastMonth].includes(person.unemploymentBenefitMonths.at(-1)),
    );
    expect(finnishUnemployed.length).toBeGreaterThan(0);
    expect(finnishUnemployed.some(isEligible)).toBe(false);
  });

  /**
   * Swedish-majority municipalities (Statistics Finland 2021): the bilingual ones with a Swedish majority, among them
   * Pedersöre, which Posti's file codes as Finnish, and those Posti codes Swedish (Närpes and the 16 of Åland).
   */
  const swedishMajority = new Set([
    '149', // Inkoo / Ingå
    '280', // Korsnäs
    '287', // Kristiinankaupunki / Kristinestad
    '288', // Kruunupyy / Kronoby
    '322', // Kemiönsaari / Kimitoön
    '440', // Luoto / Larsmo
    '445', // Parainen / Pargas
    '475', // Maalahti / Malax
    '499', // Mustasaari / Korsholm
    '598', // Pietarsaari / Jakobstad
    '599', // Pedersöre
    '710', // Raasepori / Raseborg
    '893', // Uusikaarlepyy / Nykarleby
    '946', // Vöyri / Vörå
    ...reference.municipalities.filter((m) => m.languageRatioCode === 4).map((m) => m.code),
  ]);
  const swedishGroups = [FINLAND_SWEDISH, ...ORIGIN_GROUPS.filter((group) => group.key === 'swedish')].map(
    (group) => ({ first: new Set([...group.male, ...group.female]), last: new Set(group.last) }),
  );
  const hasSwedishName = (person: FictivePerson) =>
    swedishGroups.some(
      ({ first, last }) =>
        last.has(person.lastName) && person.firstNames.split(' ').every((name) => first.has(name)),
    );
  const hasSwedishPostOffice = (person: FictivePerson) =>
    person.postOffice === postalCodes.get(person.postalCode)?.postOfficeSv;

  it('gives the people of Pedersöre (599) Swedish names and the Swedish names of their post offices', () => {
    const pedersore = persons.filter((person) => person.municipalityCode === '599');
    const finnishCitizens = pedersore.filter(
      (person) => person.citizenship === 'FIN' && ['fi', 'sv'].includes(person.nativeLanguage),
    );
    const swedishSpeakers = finnishCitizens.filter((person) => person.nativeLanguage === 'sv');
    expect(pedersore.length).toBeGreaterThan(40);
    expect(swedishSpeakers.length / finnishCitizens.length).toBeGreaterThan(0.75);
    expect(
      swedishSpeakers.filter((person) => !hasSwedishName(person) || !hasSwedishPostOffice(person)),
    ).toEqual([]);
    // Where Posti gives the post office two names, they read the Swedish one: Esse, not Ähtävä; Kållby, not Kolppi.
    const twoNamed = swedishSpeakers.filter((person) => {
      const postalCode = postalCodes.get(person.postalCode);
      return postalCode !== undefined && postalCode.postOfficeFi !== postalCode.postOfficeSv;
    });
    expect(twoNamed.length).toBeGreaterThan(0);
    expect(twoNamed.map((person) => person.postOffice)).not.toEqual(
      expect.arrayContaining([expect.stringMatching(/^(ÄHTÄVÄ|KOLPPI|PÄNNÄINEN)$/)]),
    );
  });

  it('gives most people of the other Swedish-majority municipalities Swedish names and Swedish post offices', () => {
    const finnishCitizens = persons.filter(
      (person) =>
        swedishMajority.has(person.municipalityCode) &&
        person.citizenship === 'FIN' &&
        ['fi', 'sv'].includes(person.nativeLanguage),
    );
    const swedishSpeakers = finnishCitizens.filter((person) => person.nativeLanguage === 'sv');
    expect(swedishSpeakers.length / finnishCitizens.length).toBeGreaterThan(0.6);
    expect(swedishSpeakers.filter((person) => !hasSwedishName(person)).slice(0, 5)).toEqual([]);
    expect(
      offending(
        (person) =>
          !swedishMajority.has(person.municipalityCode) ||
          person.nativeLanguage !== 'sv' ||
          hasSwedishPostOffice(person),
      ),
    ).toEqual([]);
    // Every one of them is home to Swedish speakers in a sample this size.
    const municipalitiesWithSwedishSpeakers = new Set(
      swedishSpeakers.map((person) => person.municipalityCode),
    );
    expect(
      [...swedishMajority].filter(
        (code) =>
          !municipalitiesWithSwedishSpeakers.has(code) && persons.some((p) => p.municipalityCode === code),
      ),
    ).toEqual([]);
  });
});

describe('COPY text format', () => {
  it('escapes backslashes, tabs and line breaks, and writes null as \\N', () => {
    expect(copyText('Kauppakatu 1')).toBe('Kauppakatu 1');
    expect(copyText('a\\b\tc\nd\re')).toBe('a\\\\b\\tc\\nd\\re');
    expect(copyText(null)).toBe('\\N');
  });

  it('writes a person as one line of thirteen columns', () => {
    const [person] = generate(7, 1) as [FictivePerson];
    const line = personLine({ ...person, street: 'Tab\tStreet 1', phoneNumber: null });
    expect(line.endsWith('\n')).toBe(true);
    const columns = line.slice(0, -1).split('\t');
    expect(columns).toHaveLength(13);
    expect(columns[4]).toBe('Tab\\tStreet 1');
    expect(columns[12]).toBe('\\N');
  });
});

describe('writeFictiveData', () => {
  let database: { url: string; drop: () => Promise<void> };
  let dataSource: DataSource;

  beforeAll(async () => {
    database = await createTestDatabase();
    dataSource = createDataSource({ url: database.url });
    await dataSource.initialize();
  });
  afterAll(async () => {
    if (dataSource?.isInitialized) await dataSource.destroy();
    await database?.drop();
  });

  async function count(table: string): Promise<number> {
    const [row]: { count: string }[] = await dataSource.query(`SELECT count(*) FROM ${table}`);
    return Number(row?.count);
  }

  async function schema(): Promise<string[]> {
    const rows: { definition: string }[] = await dataSource.query(
      `SELECT conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(oid) AS definition
         FROM pg_constraint
        WHERE conrelid = ANY ('{benefit_person,basic_income_support_decision,home_care_allowance_payment,unemployment_month,unemployment_benefit_payment}'::regclass[])
       UNION ALL
       SELECT pg_get_indexdef(indexrelid) FROM pg_index
        WHERE indrelid = ANY ('{benefit_person,basic_income_support_decision,home_care_allowance_payment,unemployment_month,unemployment_benefit_payment}'::regclass[])
       ORDER BY 1`,
    );
    return rows.map((row) => row.definition);
  }

  it('streams persons, decisions, payments and unemployment months into an empty database and counts the eligible like the runs', async () => {
    const before = await schema();
    const report = await writeFictiveData(dataSource, {
      ...options(42, 2_000),
      truncate: false,
      rule: DEFAULT_ELIGIBILITY,
    });
    const persons = generate(42, 2_000);
    const decisions = persons.reduce((sum, person) => sum + person.basicIncomeSupportMonths.length, 0);
    const payments = persons.reduce((sum, person) => sum + person.homeCareAllowance.length, 0);
    const unemploymentMonths = persons.reduce((sum, person) => sum + person.unemploymentMonths.length, 0);
    const unemploymentPayments = persons.reduce(
      (sum, person) => sum + person.unemploymentBenefitMonths.length,
      0,
    );
    expect(report).toMatchObject({
      persons: 2_000,
      decisions,
      payments,
      unemploymentMonths,
      unemploymentPayments,
    });
    expect(await count('unemployment_month')).toBe(unemploymentMonths);
    expect(await count('unemployment_benefit_payment')).toBe(unemploymentPayments);
    expect(unemploymentPayments).toBeGreaterThan(0);
    expect(await count('benefit_person')).toBe(2_000);
    expect(await count('basic_income_support_decision')).toBe(decisions);
    expect(await count('home_care_allowance_payment')).toBe(payments);
    expect(decisions).toBeGreaterThan(0);
    expect(payments).toBeGreaterThan(0);
    expect(report.eligible).toBe(report.expectedEligible);
    expect(report.eligible).toBeGreaterThan(0);
    expect(report.alreadyNotified).toBe(0);
    // Keys, indexes and foreign keys are back exactly as the migrations made them.
    expect(await schema()).toEqual(before);

    const [stored]: Record<string, unknown>[] = await dataSource.query(
      `SELECT personal_identity_code, first_names, last_name, date_of_birth, street, postal_code, post_office,
              municipality_code, native_language, citizenship, first_residence_permit_start, eu_eea_citizen,
              phone_number
         FROM benefit_person WHERE personal_identity_code = $1`,
      [persons[0]?.personalIdentityCode],
    );
    const first = persons[0] as FictivePerson;
    expect(stored).toEqual({
      personal_identity_code: first.personalIdentityCode,
      first_names: first.firstNames,
      last_name: first.lastName,
      date_of_birth: first.dateOfBirth,
      street: first.street,
      postal_code: first.postalCode,
      post_office: first.postOffice,
      municipality_code: first.municipalityCode,
      native_language: first.nativeLanguage,
      citizenship: first.citizenship,
      first_residence_permit_start: first.firstResidencePermitStart,
      eu_eea_citizen: first.euEeaCitizen,
      phone_number: first.phoneNumber,
    });

    // The weekly run notifies exactly the eligible; afterwards the count reports them as already notified.
    const run = await new ImmigrantNotificationRunService(dataSource, DEFAULT_ELIGIBILITY).run(AS_OF);
    expect(run.created).toBe(report.eligible);
    // Each notification names the criteria the generator says its person met.
    const criteriaOf = criteriaCheck(AS_OF, DEFAULT_ELIGIBILITY);
    const expected = new Map(persons.map((person) => [person.personalIdentityCode, criteriaOf(person)]));
    const notified: { code: string; criteria: string[] }[] = await dataSource.query(
      `SELECT p.personal_identity_code AS code, n.criteria FROM notification n JOIN person p ON p.id = n.person_id`,
    );
    expect(notified).toHaveLength(report.eligible);
    expect(notified.filter(({ code, criteria }) => criteria.join() !== expected.get(code)?.join())).toEqual(
      [],
    );
    expect(report.eligibleByUnemploymentBenefit).toBeGreaterThan(0);
    // The daily social-care run creates what the generator counted as due, kind by kind.
    const daily = await new SocialCareNoticeRunService(dataSource, DEFAULT_ELIGIBILITY).run(AS_OF);
    expect(daily.createdByKind).toEqual(report.expectedSocialCare);
    expect(daily.created).toBeGreaterThan(0);
  });

  it('refuses a non-empty benefit_person without truncate, and replaces the facts with it', async () => {
    await expect(
      writeFictiveData(dataSource, { ...options(5, 100), truncate: false, rule: DEFAULT_ELIGIBILITY }),
    ).rejects.toBeInstanceOf(BenefitFactsNotEmptyError);
    expect(await count('benefit_person')).toBe(2_000);

    const report = await writeFictiveData(dataSource, {
      ...options(42, 500),
      truncate: true,
      rule: DEFAULT_ELIGIBILITY,
    });
    expect(await count('benefit_person')).toBe(500);
    expect(report.eligible).toBe(report.expectedEligible);
    // The same seed gives the same persons: those notified by the run above are known to the ledger.
    expect(report.alreadyNotified).toBe(report.eligible);
  });

  it('rolls everything back when a row breaks a constraint', async () => {
    const before = await schema();
    const municipalities = [
      ...reference.municipalities,
      { code: '998', population: 10_000_000, languageRatioCode: 1 },
    ];
    const postalCodes = [
      ...reference.postalCodes,
      {
        code: '99800',
        municipalityCode: '998',
        postOfficeFi: 'EI OLE',
        postOfficeSv: 'FINNS INTE',
        typeCode: 1,
      },
    ];
    await expect(
      writeFictiveData(dataSource, {
        ...options(1, 1_000),
        municipalities,
        postalCodes,
        truncate: true,
        rule: DEFAULT_ELIGIBILITY,
      }),
    ).rejects.toThrow(/foreign key/);
    expect(await count('benefit_person')).toBe(500);
    expect(await schema()).toEqual(before);
  });
});
