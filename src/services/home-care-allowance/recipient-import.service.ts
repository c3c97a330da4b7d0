import type { DataSource } from 'typeorm';
import { importNdjson, type NdjsonReport } from '../import/ndjson-import';
import type { MunicipalityService } from '../municipality.service';
import { type RecipientRecord, recipientRecordSchema } from './recipient-record';

/**
 * Loads child home care allowance recipients. Idempotent on (person, allowance start): a rerun, or a later file
 * with corrected data for the same period, updates the row instead of adding one.
 */
export class RecipientImportService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly municipalities: MunicipalityService,
  ) {}

  importLines(lines: AsyncIterable<string> | Iterable<string>): Promise<NdjsonReport> {
    return importNdjson(lines, {
      schema: recipientRecordSchema,
      keyOf: () => undefined,
      importRecord: async (record) =>
        this.municipalities.isKnown(record.municipalityCode)
          ? this.upsert(record)
          : {
              kind: 'invalid',
              message: `municipalityCode: no municipality has the code ${record.municipalityCode}`,
            },
    });
  }

  private async upsert(record: RecipientRecord) {
    const { person } = record;
    const [row]: { id: string; inserted: boolean }[] = await this.dataSource.query(
      `INSERT INTO home_care_allowance_recipient
         (personal_identity_code, first_names, last_name, date_of_birth, native_language, citizenship, street, postal_code,
          post_office, municipality_code, first_residence_permit_start, eu_eea_citizen, allowance_start, allowance_end,
          children_count)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
       ON CONFLICT (personal_identity_code, allowance_start) DO UPDATE SET
         first_names = excluded.first_names, last_name = excluded.last_name, native_language = excluded.native_language,
         citizenship = excluded.citizenship, street = excluded.street, postal_code = excluded.postal_code,
         post_office = excluded.post_office, municipality_code = excluded.municipality_code,
         first_residence_permit_start = excluded.first_residence_permit_start, eu_eea_citizen = excluded.eu_eea_citizen,
         allowance_end = excluded.allowance_end, children_count = excluded.children_count, imported_at = now()
       RETURNING id, (xmax = 0) AS inserted`,
      [
        person.personalIdentityCode,
        person.firstNames,
        person.lastName,
        person.dateOfBirth,
        person.nativeLanguage ?? null,
        person.citizenship ?? null,
        person.address.street,
        person.address.postalCode,
        person.address.postOffice,
        record.municipalityCode,
        person.firstResidencePermitStart ?? null,
        person.euEeaCitizen,
        record.allowanceStartDate,
        record.allowanceEndDate ?? null,
        record.childrenCount,
      ],
    );
    return row?.inserted ? { kind: 'imported' as const, id: row.id } : { kind: 'alreadyImported' as const };
  }
}
