import type { DataSource } from 'typeorm';
import { columnList, fromExcluded, PERSON_DATA_COLUMNS, placeholders } from '../../db/person-columns';
import { importNdjson, type NdjsonReport, type RecordOutcome } from '../import/ndjson-import';
import { personValues } from '../import/person-record';
import type { MunicipalityService } from '../municipality.service';
import { type BenefitFactRecord, benefitFactRecordSchema } from './benefit-fact-record';

const BENEFIT_PERSON_COLUMNS = columnList([...PERSON_DATA_COLUMNS, 'municipality_code']);
/** A newer delivery replaces all but the identity code and the birth date. */
const BENEFIT_PERSON_UPDATE = fromExcluded(
  [...PERSON_DATA_COLUMNS, 'municipality_code'].filter(
    (column) => column !== 'personal_identity_code' && column !== 'date_of_birth',
  ),
);

type Upsert = { inserted: boolean }[];

/** The facts that only say a benefit was paid (or decided) for a month: a row per person and month. */
const MONTHLY_FACT_TABLES = {
  basicIncomeSupport: 'basic_income_support_decision',
  unemploymentBenefit: 'unemployment_benefit_payment',
  unemployment: 'unemployment_month',
} as const;

/**
 * Loads benefit facts: persons (upserted by identity code), monthly basic income support decisions, unemployment
 * benefit payments, months of unemployment and child home care allowance payments (upserted by person and month).
 * Each line is one statement, so nothing is half-written; a rerun changes nothing. A fact about a person the file has
 * not introduced is reported as invalid.
 */
export class BenefitFactImportService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly municipalities: MunicipalityService,
  ) {}

  importLines(lines: AsyncIterable<string> | Iterable<string>): Promise<NdjsonReport> {
    return importNdjson(lines, {
      schema: benefitFactRecordSchema,
      keyOf: () => undefined,
      importRecord: (record) => this.write(record),
    });
  }

  private async write(record: BenefitFactRecord): Promise<RecordOutcome> {
    let rows: Upsert;
    switch (record.type) {
      case 'person': {
        if (!this.municipalities.isKnown(record.municipalityCode)) {
          return {
            kind: 'invalid',
            message: `municipalityCode: no municipality has the code ${record.municipalityCode}`,
          };
        }
        const { person } = record;
        rows = await this.dataSource.query(
          `INSERT INTO benefit_person (${BENEFIT_PERSON_COLUMNS})
           VALUES (${placeholders(PERSON_DATA_COLUMNS.length + 1)})
           ON CONFLICT (personal_identity_code) DO UPDATE SET ${BENEFIT_PERSON_UPDATE}, updated_at = now()
           RETURNING (xmax = 0) AS inserted`,
          [...personValues(person), record.municipalityCode],
        );
        break;
      }
      case 'basicIncomeSupport':
      case 'unemploymentBenefit':
      case 'unemployment':
        rows = await this.dataSource.query(
          `INSERT INTO ${MONTHLY_FACT_TABLES[record.type]} (personal_identity_code, month)
           SELECT $1, $2 WHERE EXISTS (SELECT 1 FROM benefit_person WHERE personal_identity_code = $1)
           ON CONFLICT DO NOTHING
           RETURNING true AS inserted`,
          [record.personalIdentityCode, record.month],
        );
        if (rows.length === 0)
          return this.unknownPersonOr(record.personalIdentityCode, { kind: 'alreadyImported' });
        break;
      case 'homeCareAllowance':
        rows = await this.dataSource.query(
          `INSERT INTO home_care_allowance_payment (personal_identity_code, month, children_count)
           SELECT $1, $2, $3 WHERE EXISTS (SELECT 1 FROM benefit_person WHERE personal_identity_code = $1)
           ON CONFLICT (personal_identity_code, month) DO UPDATE SET children_count = excluded.children_count
           RETURNING (xmax = 0) AS inserted`,
          [record.personalIdentityCode, record.month, record.childrenCount],
        );
        if (rows.length === 0)
          return this.unknownPersonOr(record.personalIdentityCode, { kind: 'alreadyImported' });
        break;
    }
    return rows[0]?.inserted ? { kind: 'imported', id: record.type } : { kind: 'alreadyImported' };
  }

  private async unknownPersonOr(
    personalIdentityCode: string,
    otherwise: RecordOutcome,
  ): Promise<RecordOutcome> {
    const known = await this.dataSource.query(
      'SELECT 1 FROM benefit_person WHERE personal_identity_code = $1',
      [personalIdentityCode],
    );
    return known.length > 0
      ? otherwise
      : {
          kind: 'invalid',
          message: 'personalIdentityCode: no person line for this code (put persons first)',
        };
  }
}
