import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NotificationStatus } from '../src/domain/enums';
import { DOWNLOAD_COLUMN_LABELS } from '../src/i18n/download-labels';
import {
  MoveToProcessingDocument,
  NotificationDaysByIdDocument,
  NotificationDaysListDocument,
} from './generated/graphql';
import { startTestApp, type TestApp } from './support/app';

/**
 * Kela: a notification in processing is removed once it has been pending more than 30 days. Handlers count days on
 * the calendar in Finland: it is shown through pending day 30 and gone from 00:00 Helsinki time of day 31, whatever
 * the season and however many summer-time changes lie between.
 */
const CASES = [
  {
    season: 'in winter time',
    created: '2026-01-10T14:00:00+02:00',
    createdOn: '2026-01-10',
    removalDueOn: '2026-02-09',
    lastSecondShown: '2026-02-09T23:59:59+02:00',
    gone: '2026-02-10T00:00:00+02:00',
  },
  {
    season: 'in summer time',
    created: '2026-06-10T09:00:00+03:00',
    createdOn: '2026-06-10',
    removalDueOn: '2026-07-10',
    lastSecondShown: '2026-07-10T23:59:59+03:00',
    gone: '2026-07-11T00:00:00+03:00',
  },
  {
    season: 'across the change to summer time (Sunday 29 March)',
    created: '2026-03-10T00:00:00+02:00',
    createdOn: '2026-03-10',
    removalDueOn: '2026-04-09',
    lastSecondShown: '2026-04-09T23:59:59+03:00',
    gone: '2026-04-10T00:00:00+03:00',
  },
  {
    season: 'with pending day 30 on the 23-hour day of the change to summer time',
    created: '2026-02-27T23:59:59+02:00',
    createdOn: '2026-02-27',
    removalDueOn: '2026-03-29',
    lastSecondShown: '2026-03-29T23:59:59+03:00',
    gone: '2026-03-30T00:00:00+03:00',
  },
  {
    season: 'across the change to winter time (Sunday 25 October)',
    created: '2026-10-01T00:30:00+03:00',
    createdOn: '2026-10-01',
    removalDueOn: '2026-10-31',
    lastSecondShown: '2026-10-31T23:59:59+02:00',
    gone: '2026-11-01T00:00:00+02:00',
  },
  {
    season: 'with pending day 30 on the 25-hour day of the change to winter time',
    created: '2026-09-25T12:00:00+03:00',
    createdOn: '2026-09-25',
    removalDueOn: '2026-10-25',
    lastSecondShown: '2026-10-25T23:59:59+02:00',
    gone: '2026-10-26T00:00:00+02:00',
  },
] as const;

let app: TestApp;
let token: string;
beforeAll(async () => {
  app = await startTestApp();
  token = await app.tokens.handler(['905'], { subject: 'handler-calendar-days' });
});
afterAll(async () => {
  await app?.close();
});

const base = () => app.url.replace(/\/graphql$/, '');

async function csvRows(path: string): Promise<{ status: number; rows: Record<string, string>[] }> {
  const response = await fetch(base() + path, { headers: { authorization: `Bearer ${token}` } });
  const bytes = Buffer.from(await response.arrayBuffer());
  if (response.status !== 200) return { status: response.status, rows: [] };
  // Headers in the download's default language (Finnish), read back as the column keys.
  const keys = new Map(
    Object.entries(DOWNLOAD_COLUMN_LABELS).map(([key, label]) => [label.FI as string, key]),
  );
  const columns = (header: string[]) => header.map((label) => keys.get(label) ?? label);
  return { status: 200, rows: parse(bytes, { bom: true, delimiter: ';', columns }) };
}

/** An instant as the downloads write it: Helsinki wall-clock time. */
function helsinkiText(instant: string): string {
  return new Date(instant).toLocaleString('sv-SE', { timeZone: 'Europe/Helsinki' });
}

async function inProcessingList() {
  const response = await app.request(
    NotificationDaysListDocument,
    { filter: { status: 'IN_PROCESSING', municipalityCode: '905' } },
    token,
  );
  expect(response.errors).toBeUndefined();
  return response.data?.notifications.edges.map((e) => e.node) ?? [];
}

async function exists(id: string): Promise<boolean> {
  const rows: unknown[] = await app.dataSource.query('SELECT 1 FROM notification WHERE id = $1', [id]);
  return rows.length === 1;
}

describe.each(CASES)('in processing, created $created ($season)', (c) => {
  it('is shown on pending day 30 at 23:59:59 Helsinki time in the list, by id and in downloads, and kept by the purge', async () => {
    app.clock.set(new Date(c.created));
    const given = await app.given.notification({
      municipalityCode: '905',
      status: NotificationStatus.IN_PROCESSING,
      createdAt: new Date(c.created),
    });
    const expected = {
      id: given.id,
      status: 'IN_PROCESSING',
      createdAt: new Date(c.created).toISOString(),
      createdOn: c.createdOn,
      pendingDays: 30,
      removalDue: new Date(c.gone).toISOString(),
      removalDueOn: c.removalDueOn,
    };

    app.clock.set(new Date(c.lastSecondShown));
    expect(await inProcessingList()).toContainEqual(expected);
    const byId = await app.request(NotificationDaysByIdDocument, { id: given.id }, token);
    expect(byId.data?.notification).toEqual(expected);

    const single = await csvRows(`/downloads/notifications/${given.id}.csv`);
    expect(single.rows).toEqual([
      expect.objectContaining({
        id: given.id,
        pendingDays: '30',
        removalDue: helsinkiText(c.gone),
      }),
    ]);
    const list = await csvRows('/downloads/notifications.csv?status=IN_PROCESSING&municipalityCode=905');
    expect(list.rows.find((row) => row.id === given.id)).toMatchObject({
      pendingDays: '30',
      removalDue: helsinkiText(c.gone),
    });

    await app.server.services.purge.purgeExpired();
    expect(await exists(given.id)).toBe(true);
  });

  it('is gone from 00:00:00 Helsinki time of pending day 31 from the list, by id, downloads and the purge', async () => {
    const given = await app.given.notification({
      municipalityCode: '905',
      status: NotificationStatus.IN_PROCESSING,
      createdAt: new Date(c.created),
    });

    app.clock.set(new Date(c.gone));
    expect((await inProcessingList()).map((n) => n.id)).not.toContain(given.id);
    const byId = await app.request(NotificationDaysByIdDocument, { id: given.id }, token);
    expect(byId.errors).toBeUndefined();
    expect(byId.data?.notification).toBeNull();

    expect((await csvRows(`/downloads/notifications/${given.id}.csv`)).status).toBe(404);
    const list = await csvRows('/downloads/notifications.csv?status=IN_PROCESSING&municipalityCode=905');
    expect(list.rows.map((row) => row.id)).not.toContain(given.id);

    await app.server.services.purge.purgeExpired();
    expect(await exists(given.id)).toBe(false);
  });

  it('moves a New one on pending day 30 at 23:59:59, and removes one moved at 00:00:00 of day 31', async () => {
    const onTime = await app.given.notification({ municipalityCode: '905', createdAt: new Date(c.created) });
    const late = await app.given.notification({ municipalityCode: '905', createdAt: new Date(c.created) });

    app.clock.set(new Date(c.lastSecondShown));
    const moved = await app.request(MoveToProcessingDocument, { id: onTime.id }, token);
    expect(moved.data?.moveToProcessing).toMatchObject({
      __typename: 'Notification',
      status: 'IN_PROCESSING',
    });

    app.clock.set(new Date(c.gone));
    const removed = await app.request(MoveToProcessingDocument, { id: late.id }, token);
    expect(removed.data?.moveToProcessing).toEqual({
      __typename: 'NotificationRemoved',
      notificationId: late.id,
      pendingDays: 31,
      removedAt: new Date(c.gone).toISOString(),
    });
    expect(await exists(late.id)).toBe(false);
  });
});
