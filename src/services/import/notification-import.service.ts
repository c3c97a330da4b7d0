import type { DataSource } from 'typeorm';
import { columnList, fromExcluded, PERSON_DATA_COLUMNS, placeholders } from '../../db/person-columns';
import { personKeySql } from '../../db/person-key';
import { NotificationCriterion, NotificationStatus } from '../../domain/enums';
import { Notification } from '../../entities/notification.entity';
import { type Actor, recordAudit, SYSTEM_ACTORS } from '../audit.service';
import type { MunicipalityService } from '../municipality.service';
import { type ImportProblem, importNdjson, type NdjsonReport, type RecordOutcome } from './ndjson-import';
import { type NotificationRecord, notificationRecordSchema } from './notification-record';
import { personValues } from './person-record';

export interface ImportReport extends NdjsonReport {
  /** Kela: as a rule one notification per person; a second one for the same person and kind is skipped. */
  duplicatePerson: ImportProblem[];
}

/**
 * Loads notifications as Kela's weekly run delivers them, one JSON object a line. Each record is its own
 * transaction (person, notification and audit row together), and a rerun skips what is already there
 * (idempotent on sourceId).
 */
export class NotificationImportService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly municipalities: MunicipalityService,
  ) {}

  async importLines(
    lines: AsyncIterable<string> | Iterable<string>,
    actor: Actor = SYSTEM_ACTORS.import,
  ): Promise<ImportReport> {
    const report = await importNdjson(lines, {
      schema: notificationRecordSchema,
      keyOf: (record) => record.sourceId,
      importRecord: (record) =>
        this.municipalities.isKnown(record.municipalityCode)
          ? this.importRecord(record, actor)
          : Promise.resolve({
              kind: 'invalid' as const,
              message: `municipalityCode: no municipality has the code ${record.municipalityCode}`,
            }),
    });
    return { ...report, duplicatePerson: report.skipped };
  }

  private importRecord(record: NotificationRecord, actor: Actor): Promise<RecordOutcome> {
    return this.dataSource.transaction(async (manager) => {
      const known = await manager.query('SELECT 1 FROM notification WHERE source_id = $1', [record.sourceId]);
      if (known.length > 0) return { kind: 'alreadyImported' };
      const { person } = record;
      // Kela: one notification per person, also after an earlier one was handled and removed (the ledger remembers).
      const existing = await manager.query(
        `SELECT 1 FROM notification n JOIN person p ON p.id = n.person_id
          WHERE p.personal_identity_code = $1 AND n.kind = $2
         UNION ALL
         SELECT 1 FROM notification_ledger l
          WHERE l.kind = $2
            AND l.person_key = ${personKeySql('$1')}`,
        [person.personalIdentityCode, record.kind],
      );
      if (existing.length > 0) {
        return { kind: 'skipped', message: 'the person already has a notification of this kind; skipped' };
      }
      // A person without a notification may come back with newer data: keep the latest delivery's.
      const [personRow]: { id: string }[] = await manager.query(
        `INSERT INTO person (${columnList(PERSON_DATA_COLUMNS)})
         VALUES (${placeholders(PERSON_DATA_COLUMNS.length)})
         ON CONFLICT (personal_identity_code) DO UPDATE SET ${fromExcluded(PERSON_DATA_COLUMNS.slice(1))}
         RETURNING id`,
        personValues(person),
      );
      const personId = (personRow as { id: string }).id;
      const inserted = await manager.insert(Notification, {
        sourceId: record.sourceId,
        kind: record.kind,
        status: NotificationStatus.NEW,
        personId,
        municipalityCode: record.municipalityCode,
        additionalInfo: record.additionalInfo ?? null,
        // In the enum's order, as the weekly run stores them.
        criteria: Object.values(NotificationCriterion).filter((c) => record.criteria?.includes(c)),
        residenceBasis: record.residenceBasis ?? null,
        createdAt: record.createdAt,
        processingStartedAt: null,
        version: 1,
        updatedAt: record.createdAt,
      });
      const id = String(inserted.identifiers[0]?.id);
      await manager.query(
        `INSERT INTO notification_ledger (person_key, kind, notified_at)
         VALUES (${personKeySql('$1')}, $2, $3)
         ON CONFLICT DO NOTHING`,
        [person.personalIdentityCode, record.kind, record.createdAt],
      );
      await recordAudit(manager, actor, {
        action: 'IMPORT',
        occurredAt: new Date(),
        organisation: record.municipalityCode,
        notificationId: id,
        toStatus: NotificationStatus.NEW,
        toMunicipalityCode: record.municipalityCode,
      });
      return { kind: 'imported', id };
    });
  }
}
