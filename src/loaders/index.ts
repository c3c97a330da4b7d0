import DataLoader from 'dataloader';
import type { DataSource } from 'typeorm';
import {
  assignColumns,
  PERSON_COLUMNS,
  type PreparedStatement,
  queryPrepared,
  selectList,
} from '../db/prepared';
import type { Municipality } from '../entities/municipality.entity';
import { NotificationTransfer } from '../entities/notification-transfer.entity';
import { Person } from '../entities/person.entity';
import { SocialCareNoticeTransfer } from '../entities/social-care-notice.entity';

export interface Loaders {
  person: PersonLoader;
  municipality: MunicipalityLoader;
  transfers: DataLoader<string, NotificationTransfer[]>;
  /** A social-care notice's transfers, oldest first. */
  socialCareTransfers: DataLoader<string, SocialCareNoticeTransfer[]>;
}

/**
 * Persons by id: those a list or lookup statement already read (primed) are answered at once, without a promise each,
 * the rest batched into one statement.
 */
export class PersonLoader {
  private readonly primed = new Map<string, Person | null>();

  constructor(private readonly batch: DataLoader<string, Person | null>) {}

  prime(id: string, person: Person | null): void {
    this.primed.set(id, person);
  }

  load(id: string): Person | null | Promise<Person | null> {
    const person = this.primed.get(id);
    return person !== undefined ? person : this.batch.load(id);
  }
}

/** Municipalities are reference data held in memory: answered at once. */
export interface MunicipalityLoader {
  load(code: string): Municipality | null;
  loadMany(codes: readonly string[]): (Municipality | null)[];
}

/** Persons as the entity names their fields, read as plain rows: every list page without the join loads fifty. */
const PERSONS_BY_ID: PreparedStatement = {
  name: 'persons_by_id',
  text: `SELECT ${selectList(PERSON_COLUMNS, 'p')} FROM person p WHERE p.id = ANY($1::uuid[])`,
};

/** A person from a row whose person columns start at `offset` (PERSON_COLUMNS' order). */
export function personFromRow(row: readonly unknown[], offset = 0): Person {
  const person = new Person();
  assignColumns(person, PERSON_COLUMNS, row, offset);
  return person;
}

/** Where the municipality loader reads municipalities (the in-memory reference data); loaders need no service. */
export interface MunicipalityLookup {
  get(code: string): Municipality | undefined;
}

/** Created per request, so that nothing cached outlives the request or crosses viewers. One query per batch. */
export function createLoaders(dataSource: DataSource, municipalities: MunicipalityLookup): Loaders {
  return {
    person: new PersonLoader(
      new DataLoader(async (ids) => {
        const rows = await queryPrepared(dataSource, PERSONS_BY_ID, [[...ids]]);
        const byId = new Map(
          rows.map((row) => {
            const person = personFromRow(row);
            return [person.id, person];
          }),
        );
        return ids.map((id) => byId.get(id) ?? null);
      }),
    ),
    municipality: {
      load: (code) => municipalities.get(code) ?? null,
      loadMany: (codes) => codes.map((code) => municipalities.get(code) ?? null),
    },
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
    socialCareTransfers: new DataLoader(async (noticeIds) => {
      const rows = await dataSource
        .getRepository(SocialCareNoticeTransfer)
        .createQueryBuilder('t')
        .where('t.notice_id = ANY(:ids)', { ids: [...noticeIds] })
        .orderBy('t.transferred_at', 'ASC')
        .addOrderBy('t.id', 'ASC')
        .getMany();
      const grouped = new Map<string, SocialCareNoticeTransfer[]>();
      for (const row of rows) grouped.set(row.noticeId, [...(grouped.get(row.noticeId) ?? []), row]);
      return noticeIds.map((id) => grouped.get(id) ?? []);
    }),
  };
}
