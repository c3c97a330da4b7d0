import 'reflect-metadata';
import { BenefitFactsNotEmptyError, loadReferenceInputs, writeFictiveData } from '../dev/fictive-data';
import { finnishDate, systemClock } from '../domain/clock';
import { isCalendarDate } from '../domain/validation';
import { parseCommandLine } from './args';
import { type OpenCommand, runCommand } from './run-command';

const MAX_PERSONS = 10_000_000;

const USAGE = `Usage: npm run generate -- --persons N [--seed S] [--as-of YYYY-MM-DD] [--truncate]

Fills the benefit facts that Kela's runs read (benefit_person, basic_income_support_decision,
home_care_allowance_payment, unemployment_month) with N fictive persons: spread over the 308 municipalities by
population, names of Finland and of its largest immigrant groups, identity codes in the temporary range 900–999, real
street-address postal codes, and benefit histories up to the month of --as-of (default today in Finland) that make
some of them eligible for the weekly immigrant notification run and due for each kind of the daily social-care run.
The same --persons, --seed (default 1) and --as-of give the same rows. Written with COPY in one transaction.

--truncate  empty the four tables first; without it the command refuses a non-empty benefit_person.`;

function integer(value: string | undefined, name: string, min: number, max: number): number | string {
  if (value === undefined || !/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
    return `--${name} must be a whole number from ${min} to ${max}`;
  }
  return Number(value);
}

async function main(open: OpenCommand): Promise<number> {
  const { values, positionals } = parseCommandLine(USAGE, {
    persons: { type: 'string' },
    seed: { type: 'string' },
    'as-of': { type: 'string' },
    truncate: { type: 'boolean' },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (positionals.length > 0 || values.persons === undefined) {
    console.error(USAGE);
    return 2;
  }
  const persons = integer(values.persons as string, 'persons', 1, MAX_PERSONS);
  const seed = integer((values.seed as string | undefined) ?? '1', 'seed', 0, 4_294_967_295);
  const asOf = (values['as-of'] as string | undefined) ?? finnishDate(systemClock.now());
  for (const problem of [persons, seed]) {
    if (typeof problem === 'string') {
      console.error(problem);
      return 2;
    }
  }
  // finnish-ssn, which validates identity codes everywhere in the service, knows no births after 2029.
  if (!isCalendarDate(asOf) || asOf < '2000-01-01' || asOf > '2029-12-31') {
    console.error(`--as-of must be a date YYYY-MM-DD from 2000-01-01 to 2029-12-31, not ${asOf}`);
    return 2;
  }
  // The owner's connection: the load truncates the tables and rebuilds their keys and indexes.
  const { config, database } = await open({ role: 'owner' });
  try {
    const report = await writeFictiveData(database.dataSource, {
      ...loadReferenceInputs(),
      seed: seed as number,
      count: persons as number,
      asOf,
      truncate: values.truncate === true,
      rule: config.eligibility,
    });
    const n = (value: number) => value.toLocaleString('en-US');
    const seconds = (ms: number) => (ms / 1000).toFixed(1);
    console.log(
      [
        `Wrote ${n(report.persons)} persons, ${n(report.decisions)} basic income support decisions, ` +
          `${n(report.unemploymentPayments)} unemployment benefit payments, ${n(report.unemploymentMonths)} months of ` +
          `unemployment and ${n(report.payments)} child home care allowance payments in ${seconds(report.totalMs)} s ` +
          `(${n(Math.round(report.persons / (report.totalMs / 1000)))} persons/s; generating and COPY ` +
          `${seconds(report.copyMs)} s, keys and indexes ${seconds(report.keysMs)} s; then ANALYZE ${seconds(report.analyzeMs)} s).`,
        `Immigrants: ${n(report.immigrants)} (EU/EEA citizens ${n(report.euEeaCitizens)}); with basic income support: ` +
          `${n(report.withBasicIncomeSupport)}; with unemployment benefit: ${n(report.withUnemploymentBenefit)}; ` +
          `with home care allowance: ${n(report.withHomeCareAllowance)}.`,
        `Eligible for the weekly run as of ${asOf} (support in ${config.eligibility.consecutiveSupportMonths} ` +
          `or unemployment benefit in ${config.eligibility.consecutiveUnemploymentMonths} consecutive months, ` +
          `permit under ${config.eligibility.residencePermitMaxYears} years or EU/EEA): ` +
          `${n(report.eligible)} by the database (${n(report.expectedEligible)} by the generator; ` +
          `${n(report.eligibleByBasicIncomeSupport)} by support, ${n(report.eligibleByUnemploymentBenefit)} by ` +
          `unemployment benefit)` +
          (report.alreadyNotified > 0
            ? `, of whom ${n(report.alreadyNotified)} were notified before and will be skipped.`
            : '.'),
        `Due for the daily social-care run as of ${asOf} (by the generator; the ledger skips episodes notified ` +
          `before): under 25, 4 months unemployed on support ${n(report.expectedSocialCare.UNEMPLOYED_UNDER_25_FOUR_MONTHS)}; ` +
          `25 or over, 12 months ${n(report.expectedSocialCare.UNEMPLOYED_25_OR_OVER_TWELVE_MONTHS)}; immigrants, ` +
          `2 months ${n(report.expectedSocialCare.IMMIGRANT_TWO_MONTHS)}.`,
      ].join('\n'),
    );
    return 0;
  } catch (error) {
    if (error instanceof BenefitFactsNotEmptyError) {
      console.error(error.message);
      return 3;
    }
    throw error;
  }
}

runCommand(main);
