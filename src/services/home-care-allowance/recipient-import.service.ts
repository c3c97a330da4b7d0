import type { DataSource } from 'typeorm';
import { fromExcluded, personColumns, placeholders } from '../../db/person-columns';
import { importNdjson, type NdjsonReport } from '../import/ndjson-import';
import { personValues } from '../import/person-record';
import type { MunicipalityService } from '../municipality.service';
import { type RecipientRecord, recipientRecordSchema } from './recipient-record';

const RECIPIENT_COLUMNS = [
  ...personColumns(),
  'municipality_code',
  'allowance_start',
  'allowance_end',
  'children_count',
];
/** A newer delivery of the same allowance replaces all but its key and the birth date. */
const RECIPIENT_UPDATE = fromExcluded(
  RECIPIENT_COLUMNS.filter(
    (column) => !['personal_identity_code', 'allowance_start', 'date_of_birth'].includes(column),
  ),
);

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
      `INSERT INTO home_care_allowance_recipient (${RECIPIENT_COLUMNS.join(', ')})
       VALUES (${placeholders(RECIPIENT_COLUMNS.length)})
       ON CONFLICT (personal_identity_code, allowance_start) DO UPDATE SET ${RECIPIENT_UPDATE}, imported_at = now()
       RETURNING id, (xmax = 0) AS inserted`,
      [
        ...personValues(person),
        record.municipalityCode,
        record.allowanceStartDate,
        record.allowanceEndDate ?? null,
        record.childrenCount,
      ],
    );
    return row?.inserted ? { kind: 'imported' as const, id: row.id } : { kind: 'alreadyImported' as const };
  }
}
