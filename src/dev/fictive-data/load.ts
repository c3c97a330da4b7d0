import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { DataSource } from 'typeorm';
import { NotificationCriterion, NotificationKind, SocialCareNoticeKind } from '../../domain/enums';
import { kindRule } from '../../domain/social-care';
import {
  ELIGIBLE_CTES,
  type EligibilityRule,
  eligibilityParameters,
} from '../../services/immigrant-notification-run.service';
import {
  criteriaCheck,
  eligibilityCheck,
  type FictivePerson,
  type GenerateOptions,
  generatePersons,
  type SocialCareRunKind,
  socialCareRunCheck,
} from './generate';

export interface WriteOptions extends GenerateOptions {
  /** Empty the benefit-fact tables first; without it a non-empty benefit_person is refused. */
  truncate: boolean;
  /** The weekly run's thresholds, to report how many of the generated persons it would notify. */
  rule: EligibilityRule;
}

export interface WriteReport {
  persons: number;
  decisions: number;
  payments: number;
  /** Rows of unemployment_month. */
  unemploymentMonths: number;
  /** Rows of unemployment_benefit_payment. */
  unemploymentPayments: number;
  /** Foreign citizens (with a residence permit or EU/EEA citizenship). */
  immigrants: number;
  euEeaCitizens: number;
  withBasicIncomeSupport: number;
  withHomeCareAllowance: number;
  withUnemploymentBenefit: number;
  /** Eligible by the generator's rule and meeting each criterion (a person meeting both counts in both). */
  eligibleByBasicIncomeSupport: number;
  eligibleByUnemploymentBenefit: number;
  /** Eligible by the rule as the generator applies it to its own rows. */
  expectedEligible: number;
  /** Eligible by the rule as counted in the database after the load (the weekly run's query, counting). */
  eligible: number;
  /** Of those, already notified according to the ledger or an existing notification: the run skips them. */
  alreadyNotified: number;
  /** Persons due for each of the daily social-care run's kinds as of asOf, by the generator's own rows. */
  expectedSocialCare: Record<SocialCareRunKind, number>;
  /** Milliseconds: the whole transaction; of it, generating and copying, then building keys and indexes; ANALYZE. */
  totalMs: number;
  copyMs: number;
  keysMs: number;
  analyzeMs: number;
}

export class BenefitFactsNotEmptyError extends Error {
  constructor() {
    super(
      'benefit_person already has rows: run with --truncate to replace the benefit facts ' +
        '(benefit_person, basic_income_support_decision, home_care_allowance_payment, unemployment_month, ' +
        'unemployment_benefit_payment).',
    );
    this.name = 'BenefitFactsNotEmptyError';
  }
}

const PERSON_COLUMNS = [
  'personal_identity_code',
  'first_names',
  'last_name',
  'date_of_birth',
  'street',
  'postal_code',
  'post_office',
  'municipality_code',
  'native_language',
  'citizenship',
  'first_residence_permit_start',
  'eu_eea_citizen',
  'phone_number',
].join(', ');

// biome-ignore lint/suspicious/noControlCharactersInRegex: the characters COPY's text format gives a meaning to
const COPY_SPECIAL = /[\\\t\n\r\u0008\u000b\u000c]/;
const COPY_SPECIALS = new RegExp(COPY_SPECIAL.source, 'g');
const COPY_ESCAPES: Readonly<Record<string, string>> = {
  '\\': '\\\\',
  '\t': '\\t',
  '\n': '\\n',
  '\r': '\\r',
  '\b': '\\b',
  '\v': '\\v',
  '\f': '\\f',
};

/** A value in PostgreSQL COPY text format: \N for null, backslash escapes for the delimiter, newlines and backslash. */
export function copyText(value: string | null): string {
  if (value === null) return '\\N';
  if (!COPY_SPECIAL.test(value)) return value;
  return value.replace(COPY_SPECIALS, (character) => COPY_ESCAPES[character] as string);
}

/** The benefit_person row of a person as a COPY text-format line, columns in PERSON_COLUMNS order. */
export function personLine(person: FictivePerson): string {
  return (
    `${copyText(person.personalIdentityCode)}\t${copyText(person.firstNames)}\t${copyText(person.lastName)}\t` +
    `${person.dateOfBirth}\t${copyText(person.street)}\t${copyText(person.postalCode)}\t` +
    `${copyText(person.postOffice)}\t${copyText(person.municipalityCode)}\t${copyText(person.nativeLanguage)}\t` +
    `${copyText(person.citizenship)}\t${person.firstResidencePermitStart ?? '\\N'}\t${person.euEeaCitizen ? 't' : 'f'}\t` +
    `${copyText(person.phoneNumber)}\n`
  );
}

/** Collects lines into chunks of about 64 kB, so that the streams move few large strings rather than many small. */
class ChunkBuffer {
  readonly chunks: string[] = [];
  private current = '';
  rows = 0;
  add(line: string): string | undefined {
    this.current += line;
    this.rows += 1;
    if (this.current.length < 65_536) return undefined;
    const full = this.current;
    this.current = '';
    return full;
  }
  keep(line: string): void {
    const full = this.add(line);
    if (full !== undefined) this.chunks.push(full);
  }
  rest(): string {
    const rest = this.current;
    this.current = '';
    return rest;
  }
}

const TABLES = [
  'benefit_person',
  'basic_income_support_decision',
  'home_care_allowance_payment',
  'unemployment_month',
  'unemployment_benefit_payment',
];
const TABLE_LIST = TABLES.join(', ');

/**
 * Drops the keys, indexes and foreign keys of the (just truncated) tables and returns the statements that put them
 * back exactly as they were, read from the catalogue. PostgreSQL's advice for populating a database: building an
 * index over loaded rows and validating a foreign key in one set-based check are many times faster than maintaining
 * them row by row. Inside the loading transaction nobody else ever sees the tables without them.
 */
async function dropKeysAndIndexes(client: PoolClient): Promise<string[]> {
  // Only a table's owner may alter it: anyone else loads with the keys in place, just more slowly.
  const { rows: ownership } = await client.query<{ owned: boolean }>(
    `SELECT bool_and(pg_has_role(relowner, 'USAGE')) AS owned FROM pg_class WHERE oid = ANY ($1::regclass[])`,
    [TABLES],
  );
  if (!ownership[0]?.owned) return [];
  const { rows: constraints } = await client.query<{
    table_name: string;
    name: string;
    kind: string;
    definition: string;
  }>(
    `SELECT c.conrelid::regclass::text AS table_name, quote_ident(c.conname) AS name, c.contype AS kind,
            pg_get_constraintdef(c.oid) AS definition
       FROM pg_constraint c
      WHERE c.contype IN ('p', 'u', 'f') AND c.conrelid = ANY ($1::regclass[])
      ORDER BY c.contype = 'f' DESC, c.conname`,
    [TABLES],
  );
  const { rows: indexes } = await client.query<{ name: string; definition: string }>(
    `SELECT i.indexrelid::regclass::text AS name, pg_get_indexdef(i.indexrelid) AS definition
       FROM pg_index i
      WHERE i.indrelid = ANY ($1::regclass[])
        AND NOT EXISTS (SELECT 1 FROM pg_constraint c
                         WHERE c.conindid = i.indexrelid AND c.conrelid = i.indrelid AND c.contype IN ('p', 'u', 'x'))
      ORDER BY 1`,
    [TABLES],
  );
  // Foreign keys first (they depend on the primary keys), then keys, then plain indexes; restored the other way round.
  for (const constraint of constraints) {
    await client.query(`ALTER TABLE ${constraint.table_name} DROP CONSTRAINT ${constraint.name}`);
  }
  for (const index of indexes) await client.query(`DROP INDEX ${index.name}`);
  const add = (constraint: (typeof constraints)[number]) =>
    `ALTER TABLE ${constraint.table_name} ADD CONSTRAINT ${constraint.name} ${constraint.definition}`;
  return [
    ...constraints.filter((constraint) => constraint.kind !== 'f').map(add),
    ...indexes.map((index) => index.definition),
    ...constraints.filter((constraint) => constraint.kind === 'f').map(add),
  ];
}

async function copyInto(client: PoolClient, sql: string, chunks: Iterable<string>): Promise<void> {
  await pipeline(Readable.from(chunks), client.query(copyFrom(sql)));
}

/** The months of income support that make a notice of `kind` (SOCIAL_CARE_NOTICE_KINDS). */
function monthsOf(kind: SocialCareNoticeKind): number {
  return kindRule(kind).supportMonths as number;
}

/**
 * Generates fictive persons with their benefit histories and streams them into benefit_person,
 * basic_income_support_decision, home_care_allowance_payment, unemployment_month and unemployment_benefit_payment with
 * COPY, in one transaction: persons first
 * (generated while PostgreSQL ingests them), then the decisions and payments collected on the way. The tables are
 * truncated in the same transaction, which lets COPY write the rows frozen, and their keys and indexes are built
 * once after the rows are in; a duplicate key or a dangling reference fails the whole load.
 */
export async function writeFictiveData(dataSource: DataSource, options: WriteOptions): Promise<WriteReport> {
  const runner = dataSource.createQueryRunner();
  const client = (await runner.connect()) as PoolClient;
  const decisions = new ChunkBuffer();
  const payments = new ChunkBuffer();
  const unemployment = new ChunkBuffer();
  const socialCareKinds = socialCareRunCheck(options.asOf, options.rule.residencePermitMaxYears, {
    UNEMPLOYED_UNDER_25_FOUR_MONTHS: monthsOf(SocialCareNoticeKind.UNEMPLOYED_UNDER_25_FOUR_MONTHS),
    UNEMPLOYED_25_OR_OVER_TWELVE_MONTHS: monthsOf(SocialCareNoticeKind.UNEMPLOYED_25_OR_OVER_TWELVE_MONTHS),
    IMMIGRANT_TWO_MONTHS: monthsOf(SocialCareNoticeKind.IMMIGRANT_TWO_MONTHS),
  });
  const expectedSocialCare: Record<SocialCareRunKind, number> = {
    UNEMPLOYED_UNDER_25_FOUR_MONTHS: 0,
    UNEMPLOYED_25_OR_OVER_TWELVE_MONTHS: 0,
    IMMIGRANT_TWO_MONTHS: 0,
  };
  const unemploymentPayments = new ChunkBuffer();
  const isEligible = eligibilityCheck(options.asOf, options.rule);
  const criteriaOf = criteriaCheck(options.asOf, options.rule);
  const counts = {
    immigrants: 0,
    euEeaCitizens: 0,
    withBasicIncomeSupport: 0,
    withHomeCareAllowance: 0,
    withUnemploymentBenefit: 0,
    eligible: 0,
    eligibleByBasicIncomeSupport: 0,
    eligibleByUnemploymentBenefit: 0,
  };
  let persons = 0;
  const started = performance.now();
  let copyStarted = started;
  let keysStarted = started;
  try {
    await client.query('BEGIN');
    await client.query(`LOCK TABLE ${TABLE_LIST} IN ACCESS EXCLUSIVE MODE`);
    if (!options.truncate) {
      const { rows } = await client.query<{ found: boolean }>(
        'SELECT EXISTS (SELECT 1 FROM benefit_person) AS found',
      );
      if (rows[0]?.found) throw new BenefitFactsNotEmptyError();
    }
    await client.query(`TRUNCATE ${TABLE_LIST}`);
    const restore = await dropKeysAndIndexes(client);
    copyStarted = performance.now();

    const personChunks = function* () {
      const buffer = new ChunkBuffer();
      for (const person of generatePersons(options)) {
        const code = person.personalIdentityCode;
        for (const month of person.basicIncomeSupportMonths) decisions.keep(`${code}\t${month}\n`);
        for (const payment of person.homeCareAllowance) {
          payments.keep(`${code}\t${payment.month}\t${payment.childrenCount}\n`);
        }
        for (const month of person.unemploymentMonths) unemployment.keep(`${code}\t${month}\n`);
        for (const kind of socialCareKinds(person)) expectedSocialCare[kind] += 1;
        for (const month of person.unemploymentBenefitMonths)
          unemploymentPayments.keep(`${code}\t${month}\n`);
        if (person.citizenship !== 'FIN') counts.immigrants += 1;
        if (person.euEeaCitizen) counts.euEeaCitizens += 1;
        if (person.basicIncomeSupportMonths.length > 0) counts.withBasicIncomeSupport += 1;
        if (person.homeCareAllowance.length > 0) counts.withHomeCareAllowance += 1;
        if (person.unemploymentBenefitMonths.length > 0) counts.withUnemploymentBenefit += 1;
        if (isEligible(person)) {
          counts.eligible += 1;
          const criteria = criteriaOf(person);
          if (criteria.includes(NotificationCriterion.BASIC_INCOME_SUPPORT_TWO_MONTHS))
            counts.eligibleByBasicIncomeSupport += 1;
          if (criteria.includes(NotificationCriterion.UNEMPLOYMENT_BENEFIT_TWELVE_MONTHS))
            counts.eligibleByUnemploymentBenefit += 1;
        }
        const full = buffer.add(personLine(person));
        if (full !== undefined) yield full;
      }
      persons = buffer.rows;
      yield buffer.rest();
    };
    await copyInto(
      client,
      `COPY benefit_person (${PERSON_COLUMNS}) FROM STDIN WITH (FREEZE)`,
      personChunks(),
    );
    decisions.chunks.push(decisions.rest());
    payments.chunks.push(payments.rest());
    unemployment.chunks.push(unemployment.rest());
    unemploymentPayments.chunks.push(unemploymentPayments.rest());
    await copyInto(
      client,
      'COPY basic_income_support_decision (personal_identity_code, month) FROM STDIN WITH (FREEZE)',
      decisions.chunks,
    );
    await copyInto(
      client,
      'COPY home_care_allowance_payment (personal_identity_code, month, children_count) FROM STDIN WITH (FREEZE)',
      payments.chunks,
    );
    await copyInto(
      client,
      'COPY unemployment_month (personal_identity_code, month) FROM STDIN WITH (FREEZE)',
      unemployment.chunks,
    );
    await copyInto(
      client,
      'COPY unemployment_benefit_payment (personal_identity_code, month) FROM STDIN WITH (FREEZE)',
      unemploymentPayments.chunks,
    );
    keysStarted = performance.now();
    await client.query("SET LOCAL maintenance_work_mem = '256MB'");
    for (const statement of restore) await client.query(statement);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    await runner.release();
  }
  const finished = performance.now();
  const analyzeStarted = performance.now();
  await dataSource.query(`ANALYZE ${TABLE_LIST}`);
  const analyzeMs = performance.now() - analyzeStarted;
  const eligible = await countEligible(dataSource, options.asOf, options.rule);
  return {
    persons,
    decisions: decisions.rows,
    payments: payments.rows,
    unemploymentMonths: unemployment.rows,
    unemploymentPayments: unemploymentPayments.rows,
    immigrants: counts.immigrants,
    euEeaCitizens: counts.euEeaCitizens,
    withBasicIncomeSupport: counts.withBasicIncomeSupport,
    withHomeCareAllowance: counts.withHomeCareAllowance,
    withUnemploymentBenefit: counts.withUnemploymentBenefit,
    eligibleByBasicIncomeSupport: counts.eligibleByBasicIncomeSupport,
    eligibleByUnemploymentBenefit: counts.eligibleByUnemploymentBenefit,
    expectedEligible: counts.eligible,
    eligible: eligible.eligible,
    alreadyNotified: eligible.alreadyNotified,
    expectedSocialCare,
    totalMs: finished - started,
    copyMs: keysStarted - copyStarted,
    keysMs: finished - keysStarted,
    analyzeMs,
  };
}

/**
 * Counts the persons the weekly run would pick as of a date: the eligibility part of
 * ImmigrantNotificationRunService's statement (ELIGIBLE_CTES), and of those how many it skips because they were
 * notified before.
 */
async function countEligible(
  dataSource: DataSource,
  asOf: string,
  rule: EligibilityRule,
): Promise<{ eligible: number; alreadyNotified: number }> {
  const [row]: { eligible: string; already_notified: string }[] = await dataSource.query(
    `WITH ${ELIGIBLE_CTES}
     SELECT count(*) AS eligible,
            count(*) FILTER (WHERE EXISTS (
              SELECT 1 FROM notification_ledger l WHERE l.person_key = e.person_key AND l.kind = $7)
              OR EXISTS (SELECT 1 FROM notification n JOIN person p ON p.id = n.person_id
                          WHERE p.personal_identity_code = e.personal_identity_code AND n.kind = $7)
            ) AS already_notified
       FROM eligible e`,
    [...eligibilityParameters(asOf, rule), NotificationKind.IMMIGRANT],
  );
  return { eligible: Number(row?.eligible ?? 0), alreadyNotified: Number(row?.already_notified ?? 0) };
}
