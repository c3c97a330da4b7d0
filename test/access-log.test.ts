import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ACCESS_LOG_BATCH_MARKER, createDataSource } from '../src/db/data-source';
import { DataContent, NotificationStatus } from '../src/domain/enums';
import { fictivePersonalIdentityCode } from '../src/domain/personal-identity-code';
import { type AccessEntry, AccessLogService, appendAccessLog } from '../src/services/access-log.service';
import { PurgeService } from '../src/services/purge.service';
import { recipient } from './fixtures/home-care-allowance';
import {
  AccessLogDocument,
  type AccessLogFilter,
  HomeCareAllowanceListDocument,
  HomeCareAllowanceListsDocument,
  MoveToProcessingDocument,
  NotificationDocument,
  NotificationIdsDocument,
  ReturnToNewDocument,
  TransferToMunicipalityDocument,
} from './generated/graphql';
import { TEST_ACCESS_LOG_KEY } from './support/access-log-key';
import { type GraphQLResponse, startTestApp, type TestApp, TestClock } from './support/app';
import { createTestDatabase } from './support/database';
import type { GivenNotification } from './support/given';

/** The instant TestClock starts at. */
const START = new Date('2026-11-02T09:00:00.000Z');
const ROOT = path.resolve(__dirname, '..');

const VAASA_SUBJECT = 'aino.kasittelija@vaasa';
const REVIEWER_SUBJECT = 'tietosuojavastaava@vaasa';

let app: TestApp;
let vaasa: string;
let reviewer: string;
let vaasaNew: GivenNotification[];
let korsholmNew: GivenNotification;
let listIds: Record<'905' | '499', string>;

interface LogRow {
  chainSeq: number;
  occurredAt: Date;
  actorKind: string;
  actorId: string;
  organisation: string | null;
  dataContent: string | null;
  purpose: string | null;
  operation: string;
  notificationIds: string[];
  listIds: string[];
  personKeys: number;
  xmin: string;
}

const LOG_COLUMNS = `chain_seq::int AS "chainSeq", occurred_at AS "occurredAt", actor_kind AS "actorKind",
  actor_id AS "actorId", organisation, data_content AS "dataContent", purpose, operation,
  notification_ids::text[] AS "notificationIds", list_ids::text[] AS "listIds",
  cardinality(person_keys) AS "personKeys", xmin::text AS xmin`;

const accessLog = () => app.server.services.accessLog;
const base = () => app.url.replace(/\/graphql$/, '');
const sorted = (values: readonly string[]) => [...values].sort();

function codes(response: GraphQLResponse<unknown>) {
  return response.errors?.map((error) => error.extensions?.code);
}

function download(pathname: string, token: string) {
  return fetch(base() + pathname, { headers: { authorization: `Bearer ${token}` } });
}

async function csvIds(response: Response): Promise<string[]> {
  const bytes = Buffer.from(await response.arrayBuffer());
  if (response.status !== 200) throw new Error(`${response.status} ${bytes.toString('utf8')}`);
  // The first column is the notification's id, under a header in the download's language.
  const [, ...rows] = parse(bytes, { bom: true, delimiter: ';' }) as string[][];
  return rows.map((row) => row[0] as string);
}

/** Entries after a chain position as they are in the database now, without forcing the batch out. */
function rowsSince(mark: number, dataSource: DataSource = app.dataSource): Promise<LogRow[]> {
  return dataSource.query(`SELECT ${LOG_COLUMNS} FROM access_log WHERE chain_seq > $1 ORDER BY chain_seq`, [
    mark,
  ]);
}

/** Forces queued reads out, then returns the entries written after `mark`. */
async function entriesSince(mark: number): Promise<LogRow[]> {
  await accessLog().flush();
  return rowsSince(mark);
}

/** The last chain position once everything queued so far is written. */
async function mark(): Promise<number> {
  await accessLog().flush();
  const [row]: { seq: number }[] = await app.dataSource.query(
    'SELECT coalesce(max(chain_seq), 0)::int AS seq FROM access_log',
  );
  return row?.seq ?? 0;
}

beforeAll(async () => {
  app = await startTestApp();
  vaasa = await app.tokens.handler(['905'], { subject: VAASA_SUBJECT });
  reviewer = await app.tokens.handler(['905'], { issues: ['ACCESS_LOG_REVIEW'], subject: REVIEWER_SUBJECT });
  vaasaNew = await app.given.notifications(4, {
    municipalityCode: '905',
    lastName: 'Virtanen-Haddad',
    firstNames: 'Amira Sofia',
  });
  korsholmNew = await app.given.notification({ municipalityCode: '499', postalCode: '65610' });
  const report = await app.server.services.recipientImport.importLines([
    recipient({ municipalityCode: '905', lastName: 'Hämäläinen-Ahmadi', street: 'Rauhankatu 19 B 7' }).line,
    recipient({ municipalityCode: '905', lastName: 'Åström-Karimi' }).line,
    recipient({ municipalityCode: '499', lastName: 'Berg-Nasser', postalCode: '65610' }).line,
  ]);
  expect(report.invalid).toEqual([]);
  // 30 October 2026 is the last weekday of October: one list each for Vaasa and Mustasaari.
  await app.server.services.homeCareAllowanceGeneration.generateMonth(
    '2026-10-30',
    new Date('2026-10-30T04:00:00Z'),
  );
  const lists: { id: string; municipality_code: '905' | '499' }[] = await app.dataSource.query(
    "SELECT id, municipality_code FROM home_care_allowance_list WHERE month = '2026-10-01' AND row_count > 0",
  );
  listIds = Object.fromEntries(lists.map((l) => [l.municipality_code, l.id])) as typeof listIds;
  expect(Object.keys(listIds).sort()).toEqual(['499', '905']);
});

afterAll(async () => {
  await app?.close();
});

describe('every read of personal data is logged', () => {
  it('a notifications list: who, organisation, data content, purpose and the ids of the page returned', async () => {
    const before = await mark();
    const page = await app.request(
      NotificationIdsDocument,
      { filter: { status: 'NEW', municipalityCode: '905' }, first: 2 },
      vaasa,
    );
    expect(page.errors).toBeUndefined();
    const ids = page.data?.notifications.edges.map((edge) => edge.node.id) ?? [];
    expect(ids).toHaveLength(2);
    expect(page.data?.notifications.totalCount).toBeGreaterThan(2);

    const entries = await entriesSince(before);
    expect(entries).toEqual([
      expect.objectContaining({
        actorKind: 'PERSON',
        actorId: VAASA_SUBJECT,
        organisation: '905',
        dataContent: DataContent.INTEGRATION_SERVICES,
        purpose: 'INTEGRATION_CLIENT_DATA',
        operation: 'notifications',
        listIds: [],
      }),
    ]);
    // Only what was returned: the page, not the whole list behind totalCount.
    expect(sorted(entries[0]?.notificationIds ?? [])).toEqual(sorted(ids));
    expect(entries[0]?.occurredAt.toISOString()).toBe(START.toISOString());
  });

  it('a list across municipalities: one entry per municipality with its own notifications', async () => {
    const both = await app.tokens.handler(['905', '499'], { subject: 'both.handler' });
    const before = await mark();
    const page = await app.request(NotificationIdsDocument, { filter: { status: 'NEW' }, first: 200 }, both);
    expect(page.errors).toBeUndefined();
    const ids = page.data?.notifications.edges.map((edge) => edge.node.id) ?? [];
    expect(ids).toContain(korsholmNew.id);
    expect(ids).toContain(vaasaNew[0]?.id);

    const entries = await entriesSince(before);
    expect(entries.map((e) => [e.operation, e.organisation, e.actorId, e.purpose]).sort()).toEqual([
      ['notifications', '499', 'both.handler', 'INTEGRATION_CLIENT_DATA'],
      ['notifications', '905', 'both.handler', 'INTEGRATION_CLIENT_DATA'],
    ]);
    const byOrganisation = Object.fromEntries(entries.map((e) => [e.organisation, e.notificationIds]));
    expect(byOrganisation['499']).toEqual([korsholmNew.id]);
    expect(sorted([...(byOrganisation['905'] ?? []), ...(byOrganisation['499'] ?? [])])).toEqual(sorted(ids));
  });

  it('a notification by id', async () => {
    const before = await mark();
    const id = vaasaNew[1]?.id as string;
    const read = await app.request(NotificationDocument, { id }, vaasa);
    expect(read.data?.notification?.id).toBe(id);
    expect(await entriesSince(before)).toEqual([
      expect.objectContaining({
        actorId: VAASA_SUBJECT,
        organisation: '905',
        dataContent: DataContent.INTEGRATION_SERVICES,
        purpose: 'INTEGRATION_CLIENT_DATA',
        operation: 'notification',
        notificationIds: [id],
      }),
    ]);
  });

  it('nothing for a notification that is not returned (another municipality’s or unknown)', async () => {
    const before = await mark();
    const other = await app.request(NotificationDocument, { id: korsholmNew.id }, vaasa);
    expect(other.data?.notification).toBeNull();
    expect(await entriesSince(before)).toEqual([]);
  });

  it('a search by person, with the person as a key and the notification found', async () => {
    const target = vaasaNew[2] as GivenNotification;
    const before = await mark();
    const found = await app.request(
      NotificationIdsDocument,
      { filter: { status: 'NEW', personalIdentityCode: target.personalIdentityCode } },
      vaasa,
    );
    expect(found.data?.notifications.edges.map((e) => e.node.id)).toEqual([target.id]);
    expect(await entriesSince(before)).toEqual([
      expect.objectContaining({
        actorId: VAASA_SUBJECT,
        organisation: '905',
        purpose: 'INTEGRATION_CLIENT_DATA',
        dataContent: DataContent.INTEGRATION_SERVICES,
        operation: 'notifications:byPerson',
        notificationIds: [target.id],
        personKeys: 1,
      }),
    ]);
  });

  it('a search by person that finds nothing is still logged', async () => {
    const nobody = fictivePersonalIdentityCode('1988-04-21', 77);
    const before = await mark();
    const found = await app.request(
      NotificationIdsDocument,
      { filter: { status: 'NEW', personalIdentityCode: nobody } },
      vaasa,
    );
    expect(found.errors).toBeUndefined();
    expect(found.data?.notifications.totalCount).toBe(0);
    expect(await entriesSince(before)).toEqual([
      expect.objectContaining({
        actorKind: 'PERSON',
        actorId: VAASA_SUBJECT,
        dataContent: DataContent.INTEGRATION_SERVICES,
        operation: 'notifications:byPerson',
        notificationIds: [],
        personKeys: 1,
      }),
    ]);
  });

  it('a search by person that finds nothing records the organisation and purpose, so the organisation can review it', async () => {
    const nobody = fictivePersonalIdentityCode('1987-03-14', 78);
    const before = await mark();
    const found = await app.request(
      NotificationIdsDocument,
      { filter: { status: 'NEW', personalIdentityCode: nobody } },
      vaasa,
    );
    expect(found.data?.notifications.totalCount).toBe(0);
    const entries = await entriesSince(before);
    expect(entries).toEqual([
      expect.objectContaining({
        operation: 'notifications:byPerson',
        organisation: '905',
        purpose: 'INTEGRATION_CLIENT_DATA',
      }),
    ]);
    // Vaasa's reviewer finds that someone looked this person up in Vaasa's data.
    const review = await app.request(
      AccessLogDocument,
      { filter: { personalIdentityCode: nobody, userId: VAASA_SUBJECT } },
      reviewer,
    );
    expect(review.errors).toBeUndefined();
    expect(review.data?.accessLog.edges.map((e) => e.node.operation)).toEqual(['notifications:byPerson']);
  });

  it('home care allowance lists, and one list by id', async () => {
    const before = await mark();
    const lists = await app.request(HomeCareAllowanceListsDocument, { municipalityCode: '905' }, vaasa);
    expect(lists.errors).toBeUndefined();
    const returned = lists.data?.homeCareAllowanceLists.edges.map((e) => e.node.id) ?? [];
    expect(returned).toEqual([listIds['905']]);
    const one = await app.request(HomeCareAllowanceListDocument, { id: listIds['905'], first: 50 }, vaasa);
    expect(one.data?.homeCareAllowanceList?.rows.totalCount).toBe(2);

    const common = {
      actorKind: 'PERSON',
      actorId: VAASA_SUBJECT,
      organisation: '905',
      dataContent: DataContent.INTEGRATION_SERVICES_HOME_CARE_ALLOWANCE,
      purpose: 'INTEGRATION_CLIENT_DATA',
      listIds: [listIds['905']],
      notificationIds: [],
    };
    expect(await entriesSince(before)).toEqual([
      expect.objectContaining({ ...common, operation: 'homeCareAllowanceLists' }),
      expect.objectContaining({ ...common, operation: 'homeCareAllowanceList' }),
    ]);
  });

  it('a partner system’s reads and changes carry its agreement as the purpose', async () => {
    const clientId = 'vaasa-crm-access-log';
    const agreement = await app.server.services.agreements.add({
      clientId,
      organisationName: 'Vaasan kaupunki',
      businessId: '0209602-6',
      legalBasis: 'Laki kotoutumisen edistämisestä (681/2023) 84 §',
      dataContents: [DataContent.INTEGRATION_SERVICES, DataContent.INTEGRATION_SERVICES_HOME_CARE_ALLOWANCE],
      municipalityCodes: ['905'],
      validFrom: '2026-01-01',
      validTo: null,
    });
    const partner = await app.tokens.sign({ client_id: clientId, name: 'Vaasa CRM' }, { subject: clientId });
    const { id } = await app.given.notification({ municipalityCode: '905', ageDays: 1 });

    const before = await mark();
    const list = await app.request(
      NotificationIdsDocument,
      { filter: { status: 'NEW' }, first: 200 },
      partner,
    );
    expect(list.errors).toBeUndefined();
    const lists = await app.request(HomeCareAllowanceListsDocument, {}, partner);
    expect(lists.errors).toBeUndefined();
    const moved = await app.request(MoveToProcessingDocument, { id }, partner);
    expect(moved.data?.moveToProcessing.__typename).toBe('Notification');

    const entries = await entriesSince(before);
    expect(entries.map((e) => e.operation).sort()).toEqual([
      'MOVE_TO_PROCESSING',
      'homeCareAllowanceLists',
      'notifications',
    ]);
    for (const entry of entries) {
      expect(entry).toMatchObject({
        actorKind: 'PARTNER_SYSTEM',
        actorId: clientId,
        organisation: '905',
        purpose: `agreement:${agreement.id}`,
      });
    }
    expect(entries.find((e) => e.operation === 'notifications')?.notificationIds).toContain(id);
  });
});

describe('each download is logged', () => {
  it('a home care allowance list: the list id, its organisation and purpose', async () => {
    const before = await mark();
    const response = await download(`/downloads/home-care-allowance-lists/${listIds['905']}.csv`, vaasa);
    expect(response.status).toBe(200);
    await response.arrayBuffer();
    const entries = await entriesSince(before);
    expect(entries.filter((e) => e.operation === 'DOWNLOAD_HOME_CARE_ALLOWANCE_LIST')).toEqual([
      expect.objectContaining({
        actorKind: 'PERSON',
        actorId: VAASA_SUBJECT,
        organisation: '905',
        dataContent: DataContent.INTEGRATION_SERVICES_HOME_CARE_ALLOWANCE,
        purpose: 'INTEGRATION_CLIENT_DATA',
        listIds: [listIds['905']],
      }),
    ]);
  });

  it('one notification: its id', async () => {
    const id = vaasaNew[0]?.id as string;
    const before = await mark();
    const response = await download(`/downloads/notifications/${id}.csv`, vaasa);
    expect(await csvIds(response)).toEqual([id]);
    const entries = await entriesSince(before);
    expect(entries.filter((e) => e.operation === 'DOWNLOAD_NOTIFICATIONS')).toEqual([
      expect.objectContaining({
        actorId: VAASA_SUBJECT,
        organisation: '905',
        dataContent: DataContent.INTEGRATION_SERVICES,
        purpose: 'INTEGRATION_CLIENT_DATA',
        notificationIds: [id],
      }),
    ]);
  });

  it('notifications.csv of a municipality: the ids of every notification in the file', async () => {
    const before = await mark();
    const response = await download('/downloads/notifications.csv?status=NEW&municipalityCode=905', vaasa);
    const ids = await csvIds(response);
    expect(ids.length).toBeGreaterThan(2);
    const entries = (await entriesSince(before)).filter((e) => e.operation === 'DOWNLOAD_NOTIFICATIONS');
    expect(entries).toEqual([
      expect.objectContaining({
        actorId: VAASA_SUBJECT,
        organisation: '905',
        dataContent: DataContent.INTEGRATION_SERVICES,
        purpose: 'INTEGRATION_CLIENT_DATA',
      }),
    ]);
    expect(sorted(entries[0]?.notificationIds ?? [])).toEqual(sorted(ids));
  });

  it('notifications.csv without a municipality: attributed to the municipality whose data it holds', async () => {
    const before = await mark();
    const response = await download('/downloads/notifications.csv?status=NEW', vaasa);
    const ids = await csvIds(response);
    expect(ids.length).toBeGreaterThan(2);
    const entries = (await entriesSince(before)).filter((e) => e.operation === 'DOWNLOAD_NOTIFICATIONS');
    expect(entries.map((e) => [e.organisation, e.purpose])).toEqual([['905', 'INTEGRATION_CLIENT_DATA']]);
    expect(sorted(entries.flatMap((e) => e.notificationIds))).toEqual(sorted(ids));
  });

  it('once: a download writes its own entry and no read entry besides', async () => {
    const id = vaasaNew[1]?.id as string;
    for (const [path, operation] of [
      [`/downloads/home-care-allowance-lists/${listIds['905']}.csv`, 'DOWNLOAD_HOME_CARE_ALLOWANCE_LIST'],
      [`/downloads/notifications/${id}.csv`, 'DOWNLOAD_NOTIFICATIONS'],
      ['/downloads/notifications.csv?status=NEW&municipalityCode=905', 'DOWNLOAD_NOTIFICATIONS'],
    ] as const) {
      const before = await mark();
      const response = await download(path, vaasa);
      expect(response.status, path).toBe(200);
      await response.arrayBuffer();
      expect(
        (await entriesSince(before)).map((e) => e.operation),
        path,
      ).toEqual([operation]);
    }
  });
});

describe('each change is logged in its own transaction', () => {
  it('moveToProcessing, returnToNew and transfer each write their entry at once, in the change’s transaction', async () => {
    const { id } = await app.given.notification({ municipalityCode: '905', ageDays: 2 });
    const before = await mark();
    // Hold the read batch: whatever appears now was written by the change itself.
    const held = vi.spyOn(accessLog(), 'flush').mockResolvedValue(undefined);
    try {
      const moved = await app.request(MoveToProcessingDocument, { id }, vaasa);
      expect(moved.data?.moveToProcessing).toMatchObject({
        __typename: 'Notification',
        status: 'IN_PROCESSING',
      });
      const afterMove = await rowsSince(before);
      expect(afterMove).toEqual([
        expect.objectContaining({
          operation: 'MOVE_TO_PROCESSING',
          actorKind: 'PERSON',
          actorId: VAASA_SUBJECT,
          organisation: '905',
          dataContent: DataContent.INTEGRATION_SERVICES,
          purpose: 'INTEGRATION_CLIENT_DATA',
          notificationIds: [id],
          personKeys: 1,
        }),
      ]);
      // Same transaction: the notification's new version, the audit row and the entry were committed together.
      const [notification]: { xmin: string }[] = await app.dataSource.query(
        'SELECT xmin::text AS xmin FROM notification WHERE id = $1',
        [id],
      );
      const [audit]: { xmin: string }[] = await app.dataSource.query(
        "SELECT xmin::text AS xmin FROM audit_event WHERE notification_id = $1 AND action = 'MOVE_TO_PROCESSING'",
        [id],
      );
      expect(afterMove[0]?.xmin).toBe(notification?.xmin);
      expect(afterMove[0]?.xmin).toBe(audit?.xmin);

      const returned = await app.request(ReturnToNewDocument, { id }, vaasa);
      expect(returned.data?.returnToNew).toMatchObject({ __typename: 'Notification', status: 'NEW' });
      const transferred = await app.request(
        TransferToMunicipalityDocument,
        { id, municipalityCode: '499', reason: 'Asuu Mustasaaressa' },
        vaasa,
      );
      expect(transferred.data?.transferToMunicipality.__typename).toBe('TransferReceipt');

      const entries = await rowsSince(before);
      expect(entries.map((e) => [e.operation, e.organisation, e.notificationIds])).toEqual([
        ['MOVE_TO_PROCESSING', '905', [id]],
        ['RETURN_TO_NEW', '905', [id]],
        ['TRANSFER_TO_MUNICIPALITY', '905', [id]],
      ]);
      expect(new Set(entries.map((e) => e.xmin)).size).toBe(3);
    } finally {
      held.mockRestore();
    }
  });

  it('a notification removed when moved past 30 days is logged as its removal', async () => {
    const { id } = await app.given.notification({ municipalityCode: '905', ageDays: 31 });
    const before = await mark();
    const moved = await app.request(MoveToProcessingDocument, { id }, vaasa);
    expect(moved.data?.moveToProcessing.__typename).toBe('NotificationRemoved');
    expect(await entriesSince(before)).toEqual([
      expect.objectContaining({
        operation: 'REMOVE_EXPIRED_ON_MOVE',
        actorId: VAASA_SUBJECT,
        organisation: '905',
        purpose: 'INTEGRATION_CLIENT_DATA',
        notificationIds: [id],
      }),
    ]);
  });

  it('a change that is refused writes no entry: InvalidTransition, NOT_FOUND, bad input', async () => {
    const { id } = await app.given.notification({ municipalityCode: '905', ageDays: 2 });
    const before = await mark();

    const invalid = await app.request(ReturnToNewDocument, { id }, vaasa);
    expect(invalid.data?.returnToNew.__typename).toBe('InvalidTransition');
    const elsewhere = await app.request(MoveToProcessingDocument, { id: korsholmNew.id }, vaasa);
    expect(codes(elsewhere)).toEqual(['NOT_FOUND']);
    const unknown = await app.request(
      MoveToProcessingDocument,
      { id: '0b5a3c4e-8d52-4c8e-9d2a-6f1e2b3c4d5e' },
      vaasa,
    );
    expect(codes(unknown)).toEqual(['NOT_FOUND']);
    const sameMunicipality = await app.request(
      TransferToMunicipalityDocument,
      { id, municipalityCode: '905', reason: 'Ei siirretä' },
      vaasa,
    );
    expect(codes(sameMunicipality)).toEqual(['BAD_USER_INPUT']);

    expect(await entriesSince(before)).toEqual([]);
  });

  it('a change that rolls back after its entry was written leaves no entry', async () => {
    const { id } = await app.given.notification({ municipalityCode: '905', ageDays: 2 });
    // Refuse this one notification's update at commit: after the change, its audit row and its entry were written.
    await app.dataSource.query(`
      CREATE FUNCTION test_refuse_at_commit() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'test: refused at commit'; END $$`);
    await app.dataSource.query(`
      CREATE CONSTRAINT TRIGGER test_refuse_at_commit AFTER UPDATE ON notification
      DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (NEW.id = '${id}'::uuid)
      EXECUTE FUNCTION test_refuse_at_commit()`);
    try {
      const before = await mark();
      const moved = await app.request(MoveToProcessingDocument, { id }, vaasa);
      expect(moved.errors).toBeDefined();
      expect(await entriesSince(before)).toEqual([]);
      const [row]: { status: string }[] = await app.dataSource.query(
        'SELECT status FROM notification WHERE id = $1',
        [id],
      );
      expect(row?.status).toBe(NotificationStatus.NEW);
      const audit: unknown[] = await app.dataSource.query(
        'SELECT 1 FROM audit_event WHERE notification_id = $1',
        [id],
      );
      expect(audit).toEqual([]);
    } finally {
      await app.dataSource.query('DROP TRIGGER test_refuse_at_commit ON notification');
      await app.dataSource.query('DROP FUNCTION test_refuse_at_commit()');
    }
    // The same change goes through once nothing refuses it, and is logged.
    const before = await mark();
    const moved = await app.request(MoveToProcessingDocument, { id }, vaasa);
    expect(moved.data?.moveToProcessing.__typename).toBe('Notification');
    expect((await entriesSince(before)).map((e) => e.operation)).toEqual(['MOVE_TO_PROCESSING']);
  });
});

describe('reads do not wait for the log', () => {
  it('queues reads in memory and writes them at the next flush, several in one statement', async () => {
    const service = accessLog();
    const before = await mark();
    const held = vi.spyOn(service, 'flush').mockResolvedValue(undefined);
    const recordRead = vi.spyOn(service, 'recordRead');
    const query = vi.spyOn(app.dataSource.manager, 'query');
    try {
      try {
        const list = await app.request(
          NotificationIdsDocument,
          { filter: { status: 'NEW' }, first: 3 },
          vaasa,
        );
        expect(list.errors).toBeUndefined();
        const one = await app.request(NotificationDocument, { id: vaasaNew[3]?.id as string }, vaasa);
        expect(one.data?.notification?.id).toBe(vaasaNew[3]?.id);
        const lists = await app.request(HomeCareAllowanceListsDocument, {}, vaasa);
        expect(lists.errors).toBeUndefined();

        // The responses came back with the batch held: the reads were queued, nothing was written.
        expect(recordRead).toHaveBeenCalledTimes(3);
        expect(await rowsSince(before)).toEqual([]);
        expect(query.mock.calls.filter(([sql]) => String(sql).startsWith(ACCESS_LOG_BATCH_MARKER))).toEqual(
          [],
        );
      } finally {
        held.mockRestore();
        recordRead.mockRestore();
      }
      await service.flush();
      // Read before restoring: restoring a spy clears what it recorded.
      const batches = query.mock.calls.filter(([sql]) => String(sql).startsWith(ACCESS_LOG_BATCH_MARKER));
      expect(batches).toHaveLength(1);
    } finally {
      query.mockRestore();
    }

    const entries = await rowsSince(before);
    expect(entries.map((e) => e.operation)).toEqual([
      'notifications',
      'notification',
      'homeCareAllowanceLists',
    ]);
    // One statement, one transaction, consecutive chain positions.
    expect(entries.map((e) => e.chainSeq)).toEqual([before + 1, before + 2, before + 3]);
    expect(new Set(entries.map((e) => e.xmin)).size).toBe(1);
  });

  it('the flush interval writes a queued read without an explicit flush', async () => {
    const before = await mark();
    const one = await app.request(NotificationDocument, { id: vaasaNew[0]?.id as string }, vaasa);
    expect(one.data?.notification).not.toBeNull();
    await vi.waitFor(
      async () => {
        expect(await rowsSince(before)).toEqual([expect.objectContaining({ operation: 'notification' })]);
      },
      { timeout: 10_000, interval: 50 },
    );
  });
});

describe('entries hold ids, never personal data', () => {
  it('no identity code, name, address or phone number appears in any column of any entry', async () => {
    const target = vaasaNew[1] as GivenNotification;
    // Reads that return or search for persons: lists, by id, by person, list rows, downloads, review by person.
    await app.request(NotificationIdsDocument, { filter: { status: 'NEW' }, first: 200 }, vaasa);
    await app.request(
      NotificationIdsDocument,
      { filter: { status: 'NEW', personalIdentityCode: target.personalIdentityCode } },
      vaasa,
    );
    await app.request(HomeCareAllowanceListDocument, { id: listIds['905'], first: 50 }, vaasa);
    await csvIds(await download('/downloads/notifications.csv?status=NEW&municipalityCode=905', vaasa));
    await (await download(`/downloads/home-care-allowance-lists/${listIds['905']}.csv`, vaasa)).arrayBuffer();
    const review = await app.request(
      AccessLogDocument,
      { filter: { personalIdentityCode: target.personalIdentityCode } },
      reviewer,
    );
    expect(review.errors).toBeUndefined();
    await accessLog().flush();

    const people: { value: string }[] = await app.dataSource.query(`
      SELECT DISTINCT value FROM (
        SELECT unnest(ARRAY[personal_identity_code, first_names, last_name, street, post_office, phone_number,
                            date_of_birth::text]) AS value FROM person
        UNION ALL
        SELECT unnest(ARRAY[personal_identity_code, first_names, last_name, street, post_office,
                            date_of_birth::text]) FROM home_care_allowance_list_row
      ) v WHERE value IS NOT NULL`);
    const needles = people.map((p) => p.value);
    expect(needles).toContain(target.personalIdentityCode);
    expect(needles).toContain('Hämäläinen-Ahmadi');
    expect(needles).toContain('Rauhankatu 19 B 7');

    const [total]: { entries: number }[] = await app.dataSource.query(
      'SELECT count(*)::int AS entries FROM access_log',
    );
    expect(total?.entries).toBeGreaterThan(10);
    // The whole row as text (bytea as hex), and the hex of each value in case it was stored as raw bytes.
    const leaks: { needle: string; chainSeq: number }[] = await app.dataSource.query(
      `SELECT n AS needle, a.chain_seq::int AS "chainSeq"
         FROM unnest($1::text[]) AS n, access_log a
        WHERE strpos(a::text, n) > 0 OR strpos(a::text, encode(convert_to(n, 'UTF8'), 'hex')) > 0`,
      [needles],
    );
    expect(leaks).toEqual([]);
  });
});

describe('the access log is append-only', () => {
  it('the database refuses UPDATE, DELETE and TRUNCATE, and the entries stay as they were', async () => {
    await app.request(NotificationDocument, { id: vaasaNew[0]?.id as string }, vaasa);
    const last = await mark();
    expect(last).toBeGreaterThan(0);
    const snapshot = async () =>
      app.dataSource.query('SELECT chain_seq, actor_id, operation, hash FROM access_log ORDER BY chain_seq');
    const before = await snapshot();

    await expect(
      app.dataSource.query("UPDATE access_log SET actor_id = 'someone-else' WHERE chain_seq = $1", [last]),
    ).rejects.toThrow(/append-only/);
    await expect(app.dataSource.query('UPDATE access_log SET operation = operation')).rejects.toThrow(
      /append-only/,
    );
    await expect(app.dataSource.query('DELETE FROM access_log WHERE chain_seq = $1', [last])).rejects.toThrow(
      /append-only/,
    );
    await expect(app.dataSource.query('DELETE FROM access_log')).rejects.toThrow(/append-only/);
    await expect(app.dataSource.query('TRUNCATE access_log')).rejects.toThrow(/append-only/);

    expect(await snapshot()).toEqual(before);
  });
});

describe('the hash chain of the application’s log', () => {
  it('verifies over every entry written by reads, downloads and changes', async () => {
    await app.request(NotificationIdsDocument, { filter: { status: 'NEW' } }, vaasa);
    const last = await mark();
    const report = await accessLog().verify();
    const [total]: { count: number }[] = await app.dataSource.query(
      'SELECT count(*)::int AS count FROM access_log',
    );
    expect(report).toEqual({ entries: total?.count, firstSeq: 1, lastSeq: last, broken: [] });
    expect(total?.count).toBe(last);
  });
});

describe('reviewing use (ACCESS_LOG_REVIEW)', () => {
  const T1 = new Date('2026-11-03T08:00:00.000Z');
  const T2 = new Date('2026-11-03T10:00:00.000Z');
  const T3 = new Date('2026-11-03T12:00:00.000Z');
  let n1: GivenNotification;
  let n2: GivenNotification;

  const review = (filter: AccessLogFilter, first?: number, after?: string, token = reviewer) =>
    app.request(
      AccessLogDocument,
      { filter, ...(first ? { first } : {}), ...(after ? { after } : {}) },
      token,
    );

  async function dbCount(where: string, parameters: unknown[] = []): Promise<number> {
    await accessLog().flush();
    const [row]: { count: number }[] = await app.dataSource.query(
      `SELECT count(*)::int AS count FROM access_log WHERE ${where}`,
      parameters,
    );
    return row?.count ?? 0;
  }

  beforeAll(async () => {
    app.clock.set(T1);
    n1 = await app.given.notification({ municipalityCode: '905', ageDays: 1 });
    n2 = await app.given.notification({ municipalityCode: '905', ageDays: 1 });
    const readerA = await app.tokens.handler(['905'], { subject: 'reader-a' });
    const readerB = await app.tokens.handler(['905'], { subject: 'reader-b' });
    const readerC = await app.tokens.handler(['499'], { subject: 'reader-c' });
    expect((await app.request(NotificationDocument, { id: n1.id }, readerA)).data?.notification?.id).toBe(
      n1.id,
    );
    await accessLog().flush();
    app.clock.set(T2);
    const list = await app.request(
      NotificationIdsDocument,
      { filter: { status: 'NEW' }, first: 200 },
      readerB,
    );
    expect(list.data?.notifications.edges.map((e) => e.node.id)).toEqual(
      expect.arrayContaining([n1.id, n2.id]),
    );
    expect((await app.request(NotificationDocument, { id: n2.id }, readerB)).data?.notification?.id).toBe(
      n2.id,
    );
    const korsholmRead = await app.request(NotificationDocument, { id: korsholmNew.id }, readerC);
    expect(korsholmRead.data?.notification?.id).toBe(korsholmNew.id);
    await accessLog().flush();
    app.clock.set(T3);
  });

  afterAll(() => {
    app.clock.set(START);
  });

  it("returns the organisation's own entries only, newest first, with totalCount and pagination", async () => {
    const expected: { id: number }[] = await (async () => {
      await accessLog().flush();
      return app.dataSource.query(
        "SELECT chain_seq::int AS id FROM access_log WHERE organisation = '905' ORDER BY chain_seq DESC",
      );
    })();
    expect(expected.length).toBeGreaterThan(10);
    expect(await dbCount("organisation = '499'")).toBeGreaterThan(0);

    const seen: { id: string; organisation: string | null; occurredAt: string }[] = [];
    let after: string | undefined;
    for (let page = 0; page < 100; page += 1) {
      const result = await review({}, 7, after);
      expect(result.errors).toBeUndefined();
      const connection = result.data?.accessLog;
      expect(connection?.totalCount).toBe(expected.length);
      seen.push(...(connection?.edges.map((edge) => edge.node) ?? []));
      if (!connection?.pageInfo.hasNextPage) break;
      expect(connection.edges).toHaveLength(7);
      after = connection.pageInfo.endCursor ?? undefined;
    }
    expect(seen.map((entry) => entry.id)).toEqual(expected.map((row) => String(row.id)));
    expect(seen.every((entry) => entry.organisation === '905')).toBe(true);
    const times = seen.map((entry) => new Date(entry.occurredAt).getTime());
    expect(times).toEqual([...times].sort((a, b) => b - a));
  });

  it("never shows another municipality's entries, even asked for by user or notification", async () => {
    expect(await dbCount("actor_id = 'reader-c'")).toBe(1);
    const byUser = await review({ userId: 'reader-c' });
    expect(byUser.errors).toBeUndefined();
    expect(byUser.data?.accessLog).toMatchObject({ totalCount: 0, edges: [] });
    const byNotification = await review({ notificationId: korsholmNew.id });
    expect(byNotification.data?.accessLog.edges.every((e) => e.node.organisation === '905')).toBe(true);
    expect(byNotification.data?.accessLog.edges.map((e) => e.node.actorId)).not.toContain('reader-c');

    const korsholmReviewer = await app.tokens.handler(['499'], {
      issues: ['ACCESS_LOG_REVIEW'],
      subject: 'dpo-korsholm',
    });
    const theirs = await review({ userId: 'reader-c' }, undefined, undefined, korsholmReviewer);
    expect(theirs.data?.accessLog.edges.map((e) => [e.node.operation, e.node.notificationIds])).toEqual([
      ['notification', [korsholmNew.id]],
    ]);
  });

  it('filters by time: from inclusive, to exclusive', async () => {
    const early = await review({ from: T1.toISOString(), to: T2.toISOString() }, 200);
    expect(early.errors).toBeUndefined();
    const earlyEntries = early.data?.accessLog.edges.map((e) => e.node) ?? [];
    expect(earlyEntries.map((e) => [e.actorId, e.operation, e.notificationIds])).toEqual([
      ['reader-a', 'notification', [n1.id]],
    ]);
    expect(early.data?.accessLog.totalCount).toBe(1);

    const late = await review({ from: T2.toISOString() }, 200);
    const lateEntries = late.data?.accessLog.edges.map((e) => e.node) ?? [];
    expect(lateEntries.every((e) => new Date(e.occurredAt) >= T2)).toBe(true);
    expect(lateEntries.map((e) => e.actorId)).toContain('reader-b');
    expect(lateEntries.map((e) => e.actorId)).not.toContain('reader-a');
    expect(late.data?.accessLog.totalCount).toBe(
      await dbCount("organisation = '905' AND occurred_at >= $1", [T2]),
    );

    const beforeT1 = await review({ to: T1.toISOString() }, 200);
    expect(beforeT1.data?.accessLog.totalCount).toBe(
      await dbCount("organisation = '905' AND occurred_at < $1", [T1]),
    );
    expect(beforeT1.data?.accessLog.edges.every((e) => new Date(e.node.occurredAt) < T1)).toBe(true);
  });

  it('filters by user and by notification', async () => {
    const byUser = await review({ userId: 'reader-b' }, 200);
    expect(byUser.data?.accessLog.edges.map((e) => e.node.operation)).toEqual([
      'notification',
      'notifications',
    ]);
    expect(byUser.data?.accessLog.edges[0]?.node).toMatchObject({
      actorKind: 'PERSON',
      actorId: 'reader-b',
      organisation: '905',
      dataContent: DataContent.INTEGRATION_SERVICES,
      purpose: 'INTEGRATION_CLIENT_DATA',
      notificationIds: [n2.id],
      occurredAt: T2.toISOString(),
    });

    const byNotification = await review({ notificationId: n2.id }, 200);
    const entries = byNotification.data?.accessLog.edges.map((e) => e.node) ?? [];
    expect(entries.map((e) => [e.actorId, e.operation])).toEqual([
      ['reader-b', 'notification'],
      ['reader-b', 'notifications'],
    ]);
    expect(entries.every((e) => e.notificationIds.includes(n2.id))).toBe(true);
  });

  it("filters by person: finds reads of that person's notifications, and the search is itself logged", async () => {
    const before = await mark();
    const result = await review({ personalIdentityCode: n1.personalIdentityCode.toLowerCase() }, 200);
    expect(result.errors).toBeUndefined();
    const entries = result.data?.accessLog.edges.map((e) => e.node) ?? [];
    const reads = entries.filter((e) => e.operation !== 'accessLog:byPerson');
    expect(reads.map((e) => [e.actorId, e.operation])).toEqual([
      ['reader-b', 'notifications'],
      ['reader-a', 'notification'],
    ]);
    expect(reads.every((e) => e.notificationIds.includes(n1.id))).toBe(true);
    expect(entries.map((e) => e.actorId)).not.toContain('reader-c');
    expect(result.data?.accessLog.totalCount).toBe(entries.length);

    // The search itself, written before it ran: so it finds itself.
    const logged = await entriesSince(before);
    expect(logged).toEqual([
      expect.objectContaining({
        actorKind: 'PERSON',
        actorId: REVIEWER_SUBJECT,
        organisation: '905',
        dataContent: DataContent.ACCESS_LOG,
        purpose: 'ACCESS_LOG_REVIEW',
        operation: 'accessLog:byPerson',
        notificationIds: [],
        personKeys: 1,
        occurredAt: T3,
      }),
    ]);
    expect(entries[0]).toMatchObject({ id: String(logged[0]?.chainSeq), operation: 'accessLog:byPerson' });

    const searches = await review({ userId: REVIEWER_SUBJECT }, 200);
    expect(searches.data?.accessLog.edges.map((e) => e.node.operation)).toContain('accessLog:byPerson');
  });

  it("filters by person: finds the removal of that person's notification", async () => {
    const expired = await app.given.notification({ municipalityCode: '905', ageDays: 31 });
    const removed = await app.request(MoveToProcessingDocument, { id: expired.id }, vaasa);
    expect(removed.data?.moveToProcessing.__typename).toBe('NotificationRemoved');
    const result = await review({ personalIdentityCode: expired.personalIdentityCode }, 200);
    expect(result.errors).toBeUndefined();
    expect(
      result.data?.accessLog.edges
        .map((e) => [e.node.operation, e.node.notificationIds])
        .filter(([op]) => op !== 'accessLog:byPerson'),
    ).toEqual([['REMOVE_EXPIRED_ON_MOVE', [expired.id]]]);
  });

  it('refuses a handler without ACCESS_LOG_REVIEW (FORBIDDEN) and a caller without a token (UNAUTHENTICATED)', async () => {
    const handler = await review({}, undefined, undefined, vaasa);
    expect(codes(handler)).toEqual(['FORBIDDEN']);
    expect(handler.data ?? null).toBeNull();
    const weak = await app.tokens.handler(['905'], {
      issues: ['ACCESS_LOG_REVIEW'],
      acr: 'http://ftn.ficora.fi/2017/loa1',
    });
    expect(codes(await review({}, undefined, undefined, weak))).toEqual(['FORBIDDEN']);
    const anonymous = await app.request(AccessLogDocument, { filter: {} });
    expect(codes(anonymous)).toEqual(['UNAUTHENTICATED']);
    expect(anonymous.data ?? null).toBeNull();
  });

  it('answers BAD_USER_INPUT for a bad identity code or notification id, and logs no search', async () => {
    const before = await mark();
    for (const filter of [
      { personalIdentityCode: '010170-1234' },
      { personalIdentityCode: 'Virtanen' },
      { notificationId: 'not-a-uuid' },
    ]) {
      const result = await review(filter);
      expect(codes(result), JSON.stringify(filter)).toEqual(['BAD_USER_INPUT']);
    }
    expect(await entriesSince(before)).toEqual([]);
  });

  it.each([
    ['beyond any integer', '[1e20]'],
    ['beyond the integers a number carries exactly', `[${2 ** 53}]`],
    ['a fraction', '[1.5]'],
    ['a string', '["12"]'],
  ])('answers BAD_USER_INPUT for a forged cursor %s', async (_name, json) => {
    const result = await review({}, 5, Buffer.from(json).toString('base64url'));
    expect(codes(result)).toEqual(['BAD_USER_INPUT']);
    expect(result.errors?.[0]?.extensions).toMatchObject({ argumentName: 'after' });
  });

  it('accepts a cursor at the largest integer a number carries exactly', async () => {
    const result = await review({}, 5, Buffer.from(`[${Number.MAX_SAFE_INTEGER}]`).toString('base64url'));
    expect(result.errors).toBeUndefined();
    // Every entry is before it: the same page as without a cursor.
    const fromStart = await review({}, 5);
    expect(result.data?.accessLog.edges.length).toBeGreaterThan(0);
    expect(result.data?.accessLog.edges).toEqual(fromStart.data?.accessLog.edges);
  });
});

/** A database of its own for tests that alter or remove entries behind the service's back. */
async function logDatabase() {
  const database = await createTestDatabase();
  const dataSource = createDataSource({ url: database.url });
  await dataSource.initialize();
  const service = new AccessLogService(dataSource, { flushIntervalMs: 600_000, maxBatch: 500 });
  return {
    url: database.url,
    dataSource,
    service,
    async close() {
      await service.close();
      await dataSource.destroy();
      await database.drop();
    },
  };
}

function entry(occurredAt: Date, overrides: Partial<AccessEntry> = {}): AccessEntry {
  return {
    occurredAt,
    actorKind: 'PERSON',
    actorId: 'handler-905',
    organisation: '905',
    dataContent: DataContent.INTEGRATION_SERVICES,
    purpose: 'INTEGRATION_CLIENT_DATA',
    operation: 'notification',
    notificationIds: ['0b5a3c4e-8d52-4c8e-9d2a-6f1e2b3c4d5e'],
    ...overrides,
  };
}

/** Writes entries one transaction each, in the given order (the chain's order). */
async function append(dataSource: DataSource, entries: AccessEntry[]): Promise<void> {
  for (const one of entries) await dataSource.transaction((manager) => appendAccessLog(manager, [one]));
}

/** What only the database owner can do: alter the log with its append-only trigger switched off. */
function tamper(dataSource: DataSource, sql: string, parameters: unknown[] = []) {
  return dataSource.transaction(async (manager) => {
    await manager.query('ALTER TABLE access_log DISABLE TRIGGER access_log_append_only');
    await manager.query(sql, parameters);
    await manager.query('ALTER TABLE access_log ENABLE TRIGGER access_log_append_only');
  });
}

const FIVE_ENTRIES = [0, 1, 2, 3, 4].map((i) =>
  entry(new Date(START.getTime() + i * 60_000), { actorId: `handler-${i}` }),
);

describe('the hash chain detects altered and removed entries', () => {
  it('verifies a clean chain', async () => {
    const db = await logDatabase();
    try {
      expect(await db.service.verify()).toEqual({ entries: 0, firstSeq: null, lastSeq: null, broken: [] });
      await append(db.dataSource, FIVE_ENTRIES);
      expect(await db.service.verify()).toEqual({ entries: 5, firstSeq: 1, lastSeq: 5, broken: [] });
    } finally {
      await db.close();
    }
  });

  it('names the chain position of an altered entry', async () => {
    const db = await logDatabase();
    try {
      await append(db.dataSource, FIVE_ENTRIES);
      await tamper(db.dataSource, "UPDATE access_log SET actor_id = 'someone-else' WHERE chain_seq = 3");
      const report = await db.service.verify();
      expect(report.broken).toEqual([{ chainSeq: 3, problem: expect.stringMatching(/altered/) }]);
      expect(report.entries).toBe(5);
    } finally {
      await db.close();
    }
  });

  it('an altered entry whose hash was recomputed breaks the next link', async () => {
    const db = await logDatabase();
    try {
      await append(db.dataSource, FIVE_ENTRIES);
      // Alter the entry, then give it a hash that matches its new content (this session holds ACCESS_LOG_KEY).
      await db.dataSource.transaction(async (manager) => {
        await manager.query('ALTER TABLE access_log DISABLE TRIGGER access_log_append_only');
        await manager.query("UPDATE access_log SET notification_ids = '{}' WHERE chain_seq = 2");
        await manager.query(
          'UPDATE access_log a SET hash = access_log_mac(a.prev_hash, a) WHERE chain_seq = 2',
        );
        await manager.query('ALTER TABLE access_log ENABLE TRIGGER access_log_append_only');
      });
      const report = await db.service.verify();
      expect(report.broken.map((b) => b.chainSeq)).toEqual([3]);
      expect(report.broken[0]?.problem).toMatch(/previous entry/);
    } finally {
      await db.close();
    }
  });

  it('a removed entry breaks the link and sequence of the next one', async () => {
    const db = await logDatabase();
    try {
      await append(db.dataSource, FIVE_ENTRIES);
      await tamper(db.dataSource, 'DELETE FROM access_log WHERE chain_seq = 3');
      const report = await db.service.verify();
      expect(report.entries).toBe(4);
      expect(report.broken).toEqual([
        { chainSeq: 4, problem: expect.stringMatching(/previous entry/) },
        { chainSeq: 4, problem: expect.stringMatching(/gap/) },
      ]);
    } finally {
      await db.close();
    }
  });
});

describe('npm run audit:verify', () => {
  function auditVerify(
    databaseUrl: string,
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kelmu-audit-')),
  ) {
    return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        ['-r', '@swc-node/register', 'src/cli/audit-verify.ts'],
        {
          cwd: ROOT,
          env: {
            ...process.env,
            DATABASE_URL: databaseUrl,
            ACCESS_LOG_KEY: TEST_ACCESS_LOG_KEY,
            DATA_DIR: dataDir,
            LOG_LEVEL: 'warn',
          },
          timeout: 120_000,
        },
        (error, stdout, stderr) => {
          const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
          resolve({ code, stdout, stderr });
        },
      );
    });
  }

  it('exits 0 on a clean log and 1 after tampering, naming the entry', { timeout: 240_000 }, async () => {
    const db = await logDatabase();
    try {
      await append(db.dataSource, FIVE_ENTRIES);
      const clean = await auditVerify(db.url);
      expect(clean.code, clean.stderr).toBe(0);
      expect(clean.stdout).toMatch(/5 entries/);
      expect(clean.stdout).toMatch(/all verify/);

      await tamper(db.dataSource, "UPDATE access_log SET operation = 'nothing' WHERE chain_seq = 2");
      const tampered = await auditVerify(db.url);
      expect(tampered.code).toBe(1);
      expect(tampered.stderr).toMatch(/entry 2\b.*altered/);
      expect(tampered.stderr).not.toMatch(/entry [13-5]\b/);
    } finally {
      await db.close();
    }
  });
});

describe('retention', () => {
  /** Cutoff at the clock's START with the default 5 years: 2021-11-02T09:00:00Z. */
  const CUTOFF = new Date('2021-11-02T09:00:00.000Z');
  const at = (iso: string) => new Date(iso);

  async function remaining(dataSource: DataSource): Promise<string[]> {
    const rows: { occurredAt: Date }[] = await dataSource.query(
      'SELECT occurred_at AS "occurredAt" FROM access_log ORDER BY chain_seq',
    );
    return rows.map((row) => row.occurredAt.toISOString());
  }

  it('purgeAll deletes entries older than the retention period (default 5 years) and the rest still verifies', async () => {
    const db = await logDatabase();
    try {
      const clock = new TestClock();
      await append(db.dataSource, [
        entry(at('2019-03-01T10:00:00.000Z')),
        entry(at('2021-06-01T10:00:00.000Z')),
        entry(at('2021-11-01T09:00:00.000Z')),
        entry(at('2021-11-03T09:00:00.000Z')),
        entry(at('2024-01-01T10:00:00.000Z')),
        entry(clock.now()),
      ]);
      const result = await new PurgeService(db.dataSource, clock).purgeAll();
      expect(result.accessLogEntries).toBe(3);
      expect(await remaining(db.dataSource)).toEqual([
        '2021-11-03T09:00:00.000Z',
        '2024-01-01T10:00:00.000Z',
        START.toISOString(),
      ]);
      expect(await db.service.verify()).toEqual({ entries: 3, firstSeq: 4, lastSeq: 6, broken: [] });

      // The chain goes on from what remains.
      await append(db.dataSource, [entry(clock.now(), { operation: 'notifications' })]);
      expect((await db.service.verify()).broken).toEqual([]);

      // Configurable: a shorter period removes more, and the chain still verifies.
      expect((await new PurgeService(db.dataSource, clock, 2).purgeAll()).accessLogEntries).toBe(2);
      expect(await db.service.verify()).toEqual({ entries: 2, firstSeq: 6, lastSeq: 7, broken: [] });
      // Outside the purge, deletion is still refused.
      await expect(db.dataSource.query('DELETE FROM access_log')).rejects.toThrow(/append-only/);
    } finally {
      await db.close();
    }
  });

  it('a read written by the batch after a later change: purging at the boundary leaves a chain that verifies', async () => {
    const db = await logDatabase();
    try {
      const clock = new TestClock();
      await append(db.dataSource, [
        entry(at('2020-01-01T10:00:00.000Z')),
        // A change, written at once, just inside the retention period...
        entry(new Date(CUTOFF.getTime() + 2_000), { operation: 'MOVE_TO_PROCESSING' }),
        // ...then a read that happened just before it, written by the next batch (or once the database was back).
        entry(new Date(CUTOFF.getTime() - 2_000), { operation: 'notification' }),
        entry(clock.now()),
      ]);
      await new PurgeService(db.dataSource, clock).purgeAll();
      const left = await remaining(db.dataSource);
      // Nothing inside the retention period is deleted...
      expect(left).toContain(new Date(CUTOFF.getTime() + 2_000).toISOString());
      expect(left).toContain(START.toISOString());
      // ...and the retention purge is not reported as tampering.
      expect((await db.service.verify()).broken).toEqual([]);
    } finally {
      await db.close();
    }
  });
});
