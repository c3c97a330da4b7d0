import type { DataSource } from 'typeorm';
import { NotificationStatus } from '../../domain/enums';
import { Notification } from '../../entities/notification.entity';
import { type Actor, recordAudit, SYSTEM_ACTORS } from '../audit.service';
import type { MunicipalityService } from '../municipality.service';
import { type NotificationRecord, notificationRecordSchema } from './notification-record';

export interface ImportProblem {
  line: number;
  sourceId?: string;
  message: string;
}

export interface ImportReport {
  imported: number;
  alreadyImported: number;
  /** Kela: as a rule one notification per person; a second one for the same person and kind is skipped. */
  duplicatePerson: ImportProblem[];
  invalid: ImportProblem[];
  /** Ids of the notifications this run created, by source id. */
  createdIds: Map<string, string>;
}

type Outcome = { kind: 'imported'; id: string } | { kind: 'alreadyImported' } | { kind: 'duplicatePerson' };

function describeIssues(error: { issues: { path: PropertyKey[]; message: string }[] }): string {
  return error.issues.map((issue) => `${issue.path.join('.') || 'line'}: ${issue.message}`).join('; ');
}

/**
 * Loads notifications as Kela's weekly run delivers them, one JSON object a line. Each record is its own
 * transaction (person and notification together), so an interrupted import leaves nothing half-written,
 * and a rerun skips what is already there (idempotent on sourceId).
 */
export class NotificationImportService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly municipalities: MunicipalityService,
  ) {}

  async importLines(lines: AsyncIterable<string> | Iterable<string>, actor: Actor = SYSTEM_ACTORS.import) {
    const report: ImportReport = {
      imported: 0,
      alreadyImported: 0,
      duplicatePerson: [],
      invalid: [],
      createdIds: new Map(),
    };
    let lineNumber = 0;
    for await (const line of lines) {
      lineNumber += 1;
      if (line.trim() === '') continue;
      let json: unknown;
      try {
        json = JSON.parse(line);
      } catch {
        report.invalid.push({ line: lineNumber, message: 'not a JSON object' });
        continue;
      }
      const parsed = notificationRecordSchema.safeParse(json);
      if (!parsed.success) {
        const sourceId = (json as { sourceId?: unknown } | null)?.sourceId;
        report.invalid.push({
          line: lineNumber,
          ...(typeof sourceId === 'string' ? { sourceId } : {}),
          message: describeIssues(parsed.error),
        });
        continue;
      }
      const record = parsed.data;
      if (!this.municipalities.isKnown(record.municipalityCode)) {
        report.invalid.push({
          line: lineNumber,
          sourceId: record.sourceId,
          message: `municipalityCode: no municipality has the code ${record.municipalityCode}`,
        });
        continue;
      }
      let outcome: Outcome;
      try {
        outcome = await this.importRecord(record, actor);
      } catch (error) {
        // Another import committed the same source id or person meanwhile; this record was rolled back whole.
        if ((error as { driverError?: { code?: string } }).driverError?.code !== '23505') throw error;
        report.invalid.push({
          line: lineNumber,
          sourceId: record.sourceId,
          message: 'conflicts with a concurrent import; run again',
        });
        continue;
      }
      if (outcome.kind === 'imported') {
        report.imported += 1;
        report.createdIds.set(record.sourceId, outcome.id);
      } else if (outcome.kind === 'alreadyImported') {
        report.alreadyImported += 1;
      } else {
        report.duplicatePerson.push({
          line: lineNumber,
          sourceId: record.sourceId,
          message: 'the person already has a notification of this kind; skipped',
        });
      }
    }
    return report;
  }

  private importRecord(record: NotificationRecord, actor: Actor): Promise<Outcome> {
    return this.dataSource.transaction(async (manager) => {
      const known = await manager.query('SELECT 1 FROM notification WHERE source_id = $1', [record.sourceId]);
      if (known.length > 0) return { kind: 'alreadyImported' };
      const { person } = record;
      const existing = await manager.query(
        `SELECT 1 FROM notification n JOIN person p ON p.id = n.person_id
          WHERE p.personal_identity_code = $1 AND n.kind = $2`,
        [person.personalIdentityCode, record.kind],
      );
      if (existing.length > 0) return { kind: 'duplicatePerson' };
      // A person without a notification may come back with newer data: keep the latest delivery's.
      const [personRow]: { id: string }[] = await manager.query(
        `INSERT INTO person (personal_identity_code, first_names, last_name, date_of_birth, native_language, citizenship,
                             street, postal_code, post_office, phone_number, first_residence_permit_start, eu_eea_citizen)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
         ON CONFLICT (personal_identity_code) DO UPDATE SET
           first_names = excluded.first_names, last_name = excluded.last_name, date_of_birth = excluded.date_of_birth,
           native_language = excluded.native_language, citizenship = excluded.citizenship, street = excluded.street,
           postal_code = excluded.postal_code, post_office = excluded.post_office, phone_number = excluded.phone_number,
           first_residence_permit_start = excluded.first_residence_permit_start, eu_eea_citizen = excluded.eu_eea_citizen
         RETURNING id`,
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
          person.phoneNumber ?? null,
          person.firstResidencePermitStart ?? null,
          person.euEeaCitizen,
        ],
      );
      const personId = (personRow as { id: string }).id;
      const inserted = await manager.insert(Notification, {
        sourceId: record.sourceId,
        kind: record.kind,
        status: NotificationStatus.NEW,
        personId,
        municipalityCode: record.municipalityCode,
        additionalInfo: record.additionalInfo ?? null,
        createdAt: record.createdAt,
        processingStartedAt: null,
        version: 1,
        updatedAt: record.createdAt,
      });
      const id = String(inserted.identifiers[0]?.id);
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
