import DataLoader from 'dataloader';
import type { DataSource } from 'typeorm';
import type { Municipality } from '../entities/municipality.entity';
import { NotificationTransfer } from '../entities/notification-transfer.entity';
import { Person } from '../entities/person.entity';
import type { MunicipalityService } from '../services/municipality.service';

export interface Loaders {
  person: DataLoader<string, Person | null>;
  municipality: DataLoader<string, Municipality | null>;
  transfers: DataLoader<string, NotificationTransfer[]>;
}

/**
 * Persons as the entity names their fields; dates as ISO strings, as TypeORM gives `date` columns. Plain SQL: every
 * list page loads fifty persons, and TypeORM's generic hydration of them was a tenth of the request's CPU.
 */
const PERSONS_BY_ID = `SELECT id,
  personal_identity_code AS "personalIdentityCode",
  first_names AS "firstNames",
  last_name AS "lastName",
  date_of_birth::text AS "dateOfBirth",
  native_language AS "nativeLanguage",
  citizenship,
  street,
  postal_code AS "postalCode",
  post_office AS "postOffice",
  phone_number AS "phoneNumber",
  first_residence_permit_start::text AS "firstResidencePermitStart",
  eu_eea_citizen AS "euEeaCitizen"
FROM person WHERE id = ANY($1)`;

/** Created per request, so that nothing cached outlives the request or crosses viewers. One query per batch. */
export function createLoaders(dataSource: DataSource, municipalities: MunicipalityService): Loaders {
  return {
    person: new DataLoader(async (ids) => {
      const rows: Person[] = await dataSource.query(PERSONS_BY_ID, [[...ids]]);
      const byId = new Map(rows.map((row) => [row.id, Object.assign(new Person(), row)]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
    // Municipalities are held in memory (reference data); the loader keeps the access pattern uniform.
    municipality: new DataLoader(async (codes) => codes.map((code) => municipalities.get(code) ?? null)),
    transfers: new DataLoader(async (notificationIds) => {
      const rows = await dataSource
        .getRepository(NotificationTransfer)
        .createQueryBuilder('t')
        .where('t.notification_id = ANY(:ids)', { ids: [...notificationIds] })
        .orderBy('t.transferred_at', 'ASC')
        .getMany();
      const grouped = new Map<string, NotificationTransfer[]>();
      for (const row of rows)
        grouped.set(row.notificationId, [...(grouped.get(row.notificationId) ?? []), row]);
      return notificationIds.map((id) => grouped.get(id) ?? []);
    }),
  };
}
