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

/** Created per request, so that nothing cached outlives the request or crosses viewers. One query per batch. */
export function createLoaders(dataSource: DataSource, municipalities: MunicipalityService): Loaders {
  return {
    person: new DataLoader(async (ids) => {
      const rows = await dataSource
        .getRepository(Person)
        .createQueryBuilder('p')
        .where('p.id = ANY(:ids)', { ids: [...ids] })
        .getMany();
      const byId = new Map(rows.map((row) => [row.id, row]));
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
