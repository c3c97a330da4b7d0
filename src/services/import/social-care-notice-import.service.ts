import type { DataSource } from 'typeorm';
import { columnList, fromExcluded, PERSON_DATA_COLUMNS, placeholders } from '../../db/person-columns';
import { kindRule, noticeVisibleFrom } from '../../domain/social-care';
import { type Actor, recordAudit, SYSTEM_ACTORS } from '../audit.service';
import type { MunicipalityService } from '../municipality.service';
import { importNdjson, type NdjsonReport, type RecordOutcome } from './ndjson-import';
import { personValues } from './person-record';
import { type SocialCareNoticeRecord, socialCareNoticeRecordSchema } from './social-care-notice-record';

/**
 * Loads Kela's social-care notices, one JSON object a line (`npm run import -- --kind social-care`). Each record is
 * its own transaction (person, notice and audit row together); a rerun skips what is already there (idempotent on
 * sourceId). When the notice becomes visible follows from its kind (src/domain/social-care.ts).
 */
export class SocialCareNoticeImportService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly municipalities: MunicipalityService,
  ) {}

  importLines(
    lines: AsyncIterable<string> | Iterable<string>,
    actor: Actor = SYSTEM_ACTORS.socialCareImport,
  ): Promise<NdjsonReport> {
    return importNdjson(lines, {
      schema: socialCareNoticeRecordSchema,
      keyOf: (record) => record.sourceId,
      importRecord: (record) =>
        this.municipalities.isKnown(record.municipalityCode)
          ? this.importRecord(record, actor)
          : Promise.resolve({
              kind: 'invalid' as const,
              message: `municipalityCode: no municipality has the code ${record.municipalityCode}`,
            }),
    });
  }

  private importRecord(record: SocialCareNoticeRecord, actor: Actor): Promise<RecordOutcome> {
    return this.dataSource.transaction(async (manager) => {
      const known = await manager.query('SELECT 1 FROM social_care_notice WHERE source_id = $1', [
        record.sourceId,
      ]);
      if (known.length > 0) return { kind: 'alreadyImported' };
      // The same person table as the notifications: the latest delivery's data is kept.
      const [personRow]: { id: string }[] = await manager.query(
        `INSERT INTO person (${columnList(PERSON_DATA_COLUMNS)})
         VALUES (${placeholders(PERSON_DATA_COLUMNS.length)})
         ON CONFLICT (personal_identity_code) DO UPDATE SET ${fromExcluded(PERSON_DATA_COLUMNS.slice(1))}
         RETURNING id`,
        personValues(record.person),
      );
      const decisionOn = record.decisionOn ?? null;
      const rule = kindRule(record.kind);
      const [notice]: { id: string }[] = await manager.query(
        `INSERT INTO social_care_notice (source_id, kind, person_id, municipality_code, received_at, decision_on,
                                         visible_from, support_months, additional_info, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $5)
         RETURNING id`,
        [
          record.sourceId,
          record.kind,
          (personRow as { id: string }).id,
          record.municipalityCode,
          record.receivedAt,
          decisionOn,
          noticeVisibleFrom(record.kind, record.receivedAt, decisionOn),
          rule.supportMonths === null ? null : (record.supportMonths ?? rule.supportMonths),
          record.additionalInfo ?? null,
        ],
      );
      const id = (notice as { id: string }).id;
      await recordAudit(manager, actor, {
        action: 'IMPORT_SOCIAL_CARE_NOTICE',
        occurredAt: new Date(),
        organisation: record.municipalityCode,
        socialCareNoticeId: id,
        toMunicipalityCode: record.municipalityCode,
      });
      return { kind: 'imported', id };
    });
  }
}
