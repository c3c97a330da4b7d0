import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { NotificationStatus } from '../src/domain/enums';
import {
  MoveToProcessingDocument,
  NotificationDocument,
  NotificationIdsDocument,
  NotificationsDocument,
  ReturnToNewDocument,
  TransferToMunicipalityWithNoticeDocument,
} from './generated/graphql';
import { startTestApp, type TestApp } from './support/app';

const SECOND = 1000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const START = new Date('2026-11-02T09:00:00.000Z');

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => {
  await app?.close();
});
beforeEach(() => {
  app.clock.set(START);
});

/** A creation time this long before the clock's now. */
function ago(ms: number): Date {
  return new Date(app.clock.now().getTime() - ms);
}

function later(ms: number): void {
  app.clock.set(new Date(app.clock.now().getTime() + ms));
}

async function notificationRow(id: string) {
  const rows: { status: string; version: number }[] = await app.dataSource.query(
    'SELECT status, version FROM notification WHERE id = $1',
    [id],
  );
  return rows[0];
}

async function personExists(personId: string): Promise<boolean> {
  const rows: unknown[] = await app.dataSource.query('SELECT 1 FROM person WHERE id = $1', [personId]);
  return rows.length === 1;
}

async function auditRows(id: string) {
  const rows: {
    action: string;
    actor_kind: string;
    actor_id: string;
    organisation: string;
    from_status: string | null;
    occurred_at: Date;
  }[] = await app.dataSource.query(
    'SELECT action, actor_kind, actor_id, organisation, from_status, occurred_at FROM audit_event WHERE notification_id = $1 ORDER BY id',
    [id],
  );
  return rows;
}

async function listedIds(
  token: string,
  status: 'NEW' | 'IN_PROCESSING',
  extra: { postalCode?: string; personalIdentityCode?: string } = {},
) {
  const response = await app.request(NotificationIdsDocument, { filter: { status, ...extra } }, token);
  expect(response.errors).toBeUndefined();
  return response.data?.notifications;
}

describe('in processing: removed once pending over 30 days from creation', () => {
  it('created 30 calendar days ago (3 October, now 2 November) is still listed, returned by id and kept by the purge', async () => {
    const vaasa = await app.tokens.handler(['905']);
    const created = ago(30 * DAY);
    const given = await app.given.notification({
      municipalityCode: '905',
      status: NotificationStatus.IN_PROCESSING,
      createdAt: created,
    });

    const list = await listedIds(vaasa, 'IN_PROCESSING');
    expect(list?.edges.map((e) => e.node)).toContainEqual({
      id: given.id,
      status: 'IN_PROCESSING',
      pendingDays: 30,
    });

    const byId = await app.request(NotificationDocument, { id: given.id }, vaasa);
    expect(byId.data?.notification).toMatchObject({
      id: given.id,
      status: 'IN_PROCESSING',
      pendingDays: 30,
      // Gone from 00:00 Helsinki time (EET) on 3 November, pending day 31.
      removalDue: '2026-11-02T22:00:00.000Z',
    });

    await app.server.services.purge.purgeExpired();
    expect(await notificationRow(given.id)).toMatchObject({ status: 'IN_PROCESSING' });
    expect(await personExists(given.personId)).toBe(true);
    expect(await auditRows(given.id)).toEqual([]);
  });

  it('created 31 calendar days ago (2 October 23:59:59) is in no list, not returned by id, and deleted by the purge with its person; one from 3 October 00:00:00 stays', async () => {
    const korsholm = await app.tokens.handler(['499']);
    const expired = await app.given.notification({
      municipalityCode: '499',
      status: NotificationStatus.IN_PROCESSING,
      createdAt: new Date('2026-10-02T23:59:59+03:00'),
      postalCode: '65610',
    });
    const kept = await app.given.notification({
      municipalityCode: '499',
      status: NotificationStatus.IN_PROCESSING,
      createdAt: new Date('2026-10-03T00:00:00+03:00'),
      postalCode: '65610',
    });

    const list = await listedIds(korsholm, 'IN_PROCESSING');
    expect(list?.edges.map((e) => e.node.id)).toEqual([kept.id]);
    expect(list?.totalCount).toBe(1);
    expect((await listedIds(korsholm, 'NEW'))?.edges.map((e) => e.node.id)).not.toContain(expired.id);
    const byPostalCode = await listedIds(korsholm, 'IN_PROCESSING', { postalCode: '65610' });
    expect(byPostalCode?.edges.map((e) => e.node.id)).toEqual([kept.id]);
    const byPerson = await listedIds(korsholm, 'IN_PROCESSING', {
      personalIdentityCode: expired.personalIdentityCode,
    });
    expect(byPerson).toMatchObject({ totalCount: 0, edges: [] });

    const byId = await app.request(NotificationDocument, { id: expired.id }, korsholm);
    expect(byId.errors).toBeUndefined();
    expect(byId.data?.notification).toBeNull();

    const removed = await app.server.services.purge.purgeExpired();
    expect(removed).toBeGreaterThanOrEqual(1);
    expect(await notificationRow(expired.id)).toBeUndefined();
    expect(await personExists(expired.personId)).toBe(false);
    expect(await auditRows(expired.id)).toEqual([
      expect.objectContaining({
        action: 'PURGE_EXPIRED',
        actor_kind: 'SYSTEM',
        actor_id: 'purge',
        organisation: '499',
        from_status: 'IN_PROCESSING',
        occurred_at: START,
      }),
    ]);
    expect(await notificationRow(kept.id)).toMatchObject({ status: 'IN_PROCESSING' });
    expect(await personExists(kept.personId)).toBe(true);
  });

  it('disappears from every query at 00:00 Helsinki time of pending day 31, before any purge has run', async () => {
    const voyri = await app.tokens.handler(['946']);
    const given = await app.given.notification({
      municipalityCode: '946',
      status: NotificationStatus.IN_PROCESSING,
      createdAt: ago(29 * DAY),
    });
    expect((await listedIds(voyri, 'IN_PROCESSING'))?.edges.map((e) => e.node.id)).toEqual([given.id]);

    // Created on 4 October (Helsinki): pending day 30 is 3 November, to its last second.
    app.clock.set(new Date('2026-11-03T23:59:59+02:00'));
    expect((await listedIds(voyri, 'IN_PROCESSING'))?.edges.map((e) => e.node.id)).toEqual([given.id]);
    expect(
      (await app.request(NotificationDocument, { id: given.id }, voyri)).data?.notification,
    ).toMatchObject({ id: given.id, pendingDays: 30 });

    later(SECOND);
    expect(await listedIds(voyri, 'IN_PROCESSING')).toMatchObject({ totalCount: 0, edges: [] });
    expect(await listedIds(voyri, 'NEW')).toMatchObject({ totalCount: 0, edges: [] });
    expect((await app.request(NotificationDocument, { id: given.id }, voyri)).data?.notification).toBeNull();

    // It cannot be rescued to New either: it is gone as far as handlers are concerned.
    const rescue = await app.request(ReturnToNewDocument, { id: given.id }, voyri);
    expect(rescue.data?.returnToNew ?? null).toBeNull();
    expect(rescue.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');

    await app.server.services.purge.purgeExpired();
    expect(await notificationRow(given.id)).toBeUndefined();
    expect((await auditRows(given.id)).map((row) => row.action)).toEqual(['PURGE_EXPIRED']);
  });
});

describe('new notifications are never removed automatically', () => {
  it('keeps a NEW notification 45 days old in the list, by id and through the purge', async () => {
    const jakobstad = await app.tokens.handler(['598']);
    const old = await app.given.notification({
      municipalityCode: '598',
      status: NotificationStatus.NEW,
      ageDays: 45,
    });
    const justOver = await app.given.notification({
      municipalityCode: '598',
      status: NotificationStatus.NEW,
      createdAt: ago(30 * DAY + SECOND),
    });

    await app.server.services.purge.purgeExpired();

    const list = await listedIds(jakobstad, 'NEW');
    expect(list?.edges.map((e) => e.node)).toEqual([
      { id: justOver.id, status: 'NEW', pendingDays: 30 },
      { id: old.id, status: 'NEW', pendingDays: 45 },
    ]);
    expect(
      (await app.request(NotificationDocument, { id: old.id }, jakobstad)).data?.notification,
    ).toMatchObject({ id: old.id, status: 'NEW', pendingDays: 45 });
    expect(await notificationRow(old.id)).toMatchObject({ status: 'NEW', version: 1 });
    expect(await notificationRow(justOver.id)).toMatchObject({ status: 'NEW', version: 1 });
    expect(await personExists(old.personId)).toBe(true);
    expect(await auditRows(old.id)).toEqual([]);
    expect(await auditRows(justOver.id)).toEqual([]);
  });
});

describe('moving to processing near the 30-day limit', () => {
  it('moves a NEW notification created 30 calendar days ago, which then expires at 00:00 Helsinki time', async () => {
    const vaasa = await app.tokens.handler(['905'], { subject: 'handler-move-at-30' });
    const given = await app.given.notification({ municipalityCode: '905', createdAt: ago(30 * DAY) });

    const moved = await app.request(MoveToProcessingDocument, { id: given.id }, vaasa);
    expect(moved.errors).toBeUndefined();
    expect(moved.data?.moveToProcessing).toEqual({
      __typename: 'Notification',
      id: given.id,
      status: 'IN_PROCESSING',
      processingStartedAt: START.toISOString(),
      version: 2,
    });
    expect((await listedIds(vaasa, 'IN_PROCESSING'))?.edges.map((e) => e.node.id)).toContain(given.id);
    expect((await auditRows(given.id)).map((row) => row.action)).toEqual(['MOVE_TO_PROCESSING']);

    app.clock.set(new Date('2026-11-02T23:59:59+02:00'));
    expect((await listedIds(vaasa, 'IN_PROCESSING'))?.edges.map((e) => e.node.id)).toContain(given.id);
    later(SECOND);
    expect((await listedIds(vaasa, 'IN_PROCESSING'))?.edges.map((e) => e.node.id)).not.toContain(given.id);
    expect((await app.request(NotificationDocument, { id: given.id }, vaasa)).data?.notification).toBeNull();
  });

  it('removes a NEW notification created 31 calendar days ago (2 October 23:59:59) instead of moving it', async () => {
    const vaasa = await app.tokens.handler(['905'], { subject: 'handler-move-late' });
    const given = await app.given.notification({
      municipalityCode: '905',
      createdAt: new Date('2026-10-02T23:59:59+03:00'),
    });

    const moved = await app.request(MoveToProcessingDocument, { id: given.id }, vaasa);
    expect(moved.errors).toBeUndefined();
    expect(moved.data?.moveToProcessing).toEqual({
      __typename: 'NotificationRemoved',
      notificationId: given.id,
      pendingDays: 31,
      removedAt: START.toISOString(),
    });

    expect(await notificationRow(given.id)).toBeUndefined();
    expect(await personExists(given.personId)).toBe(false);
    expect(await auditRows(given.id)).toEqual([
      expect.objectContaining({
        action: 'REMOVE_EXPIRED_ON_MOVE',
        actor_kind: 'PERSON',
        actor_id: 'handler-move-late',
        organisation: '905',
        from_status: 'NEW',
      }),
    ]);
    expect((await listedIds(vaasa, 'NEW'))?.edges.map((e) => e.node.id)).not.toContain(given.id);
    expect((await listedIds(vaasa, 'IN_PROCESSING'))?.edges.map((e) => e.node.id)).not.toContain(given.id);
    expect((await app.request(NotificationDocument, { id: given.id }, vaasa)).data?.notification).toBeNull();

    const again = await app.request(MoveToProcessingDocument, { id: given.id }, vaasa);
    expect(again.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect(await auditRows(given.id)).toHaveLength(1);
  });

  it('reports the whole days pending of a much older NEW notification it removes', async () => {
    const vaasa = await app.tokens.handler(['905']);
    const given = await app.given.notification({
      municipalityCode: '905',
      createdAt: ago(45 * DAY + 5 * HOUR),
    });

    const moved = await app.request(MoveToProcessingDocument, { id: given.id }, vaasa);
    expect(moved.data?.moveToProcessing).toMatchObject({
      __typename: 'NotificationRemoved',
      pendingDays: 45,
    });
    expect(await notificationRow(given.id)).toBeUndefined();
  });
});

/** A NEW notification in Vaasa created at `createdAt`, transferred to Mustasaari by a Vaasa handler. */
async function transferredFromVaasa(createdAt: Date, language: 'FI' | 'SV', reason: string) {
  const vaasa = await app.tokens.handler(['905']);
  const given = await app.given.notification({ municipalityCode: '905', createdAt });
  const response = await app.request(
    TransferToMunicipalityWithNoticeDocument,
    { id: given.id, municipalityCode: '499', reason, language },
    vaasa,
  );
  expect(response.errors).toBeUndefined();
  return { id: given.id, receipt: response.data?.transferToMunicipality };
}

describe('transferring a NEW notification near the 30-day limit', () => {
  it('transfers one pending 31 days, and the receipt says the receiving municipality cannot move it to processing, which then removes it', async () => {
    const mustasaari = await app.tokens.handler(['499'], { subject: 'handler-receives-old' });
    const given = await transferredFromVaasa(
      new Date('2026-10-02T23:59:59+03:00'),
      'FI',
      'Asuu Mustasaaressa',
    );

    expect(given.receipt).toEqual({
      __typename: 'TransferReceipt',
      notificationId: given.id,
      pendingDays: 31,
      canMoveToProcessing: false,
      notice:
        'Ilmoitus on odottanut 31 päivää: vastaanottava kunta ei voi siirtää sitä käsittelyyn, vaan siirto poistaa sen (yli 30 päivää odottaneet poistetaan).',
    });
    expect(await notificationRow(given.id)).toMatchObject({ status: 'NEW' });

    const moved = await app.request(MoveToProcessingDocument, { id: given.id }, mustasaari);
    expect(moved.errors).toBeUndefined();
    expect(moved.data?.moveToProcessing).toMatchObject({
      __typename: 'NotificationRemoved',
      notificationId: given.id,
      pendingDays: 31,
    });
    expect(await notificationRow(given.id)).toBeUndefined();
  });

  it('says nothing of the kind for one pending 30 days, which the receiving municipality then moves to processing', async () => {
    const mustasaari = await app.tokens.handler(['499']);
    const given = await transferredFromVaasa(
      new Date('2026-10-03T00:00:00+03:00'),
      'FI',
      'Asuu Mustasaaressa',
    );

    expect(given.receipt).toEqual({
      __typename: 'TransferReceipt',
      notificationId: given.id,
      pendingDays: 30,
      canMoveToProcessing: true,
      notice: null,
    });

    const moved = await app.request(MoveToProcessingDocument, { id: given.id }, mustasaari);
    expect(moved.data?.moveToProcessing).toMatchObject({
      __typename: 'Notification',
      status: 'IN_PROCESSING',
    });
  });

  it("gives the notice in the caller's language", async () => {
    const given = await transferredFromVaasa(ago(40 * DAY), 'SV', 'Bor i Korsholm');

    expect(given.receipt).toMatchObject({
      pendingDays: 40,
      canMoveToProcessing: false,
      notice:
        'Anmälan har väntat i 40 dagar: den mottagande kommunen kan inte flytta den till behandling, utan flytten tar bort den (anmälningar som väntat över 30 dagar tas bort).',
    });
  });
});

describe('returning to New keeps the 30 days counting from creation', () => {
  it('keeps removalDue at 00:00 Helsinki time of pending day 31 from creation and expires on that schedule, not from when processing started', async () => {
    const vaasa = await app.tokens.handler(['905'], { subject: 'handler-return' });
    const createdAt = ago(10 * DAY + 5 * HOUR);
    const given = await app.given.notification({ municipalityCode: '905', createdAt });
    // Created on 23 October (Helsinki, summer time): gone from 23 November 00:00 (winter time).
    const due = '2026-11-22T22:00:00.000Z';

    expect(
      (await app.request(MoveToProcessingDocument, { id: given.id }, vaasa)).data?.moveToProcessing,
    ).toMatchObject({ __typename: 'Notification', status: 'IN_PROCESSING' });

    later(5 * DAY);
    const returned = await app.request(ReturnToNewDocument, { id: given.id }, vaasa);
    expect(returned.data?.returnToNew).toEqual({
      __typename: 'Notification',
      id: given.id,
      status: 'NEW',
      processingStartedAt: null,
      version: 3,
    });
    const afterReturn = await app.request(NotificationDocument, { id: given.id }, vaasa);
    expect(afterReturn.data?.notification).toMatchObject({
      status: NotificationStatus.NEW,
      createdAt: createdAt.toISOString(),
      pendingDays: 15,
      removalDue: due,
    });

    // Moved to processing again on day 29: the limit is still day 30 from creation.
    app.clock.set(new Date(createdAt.getTime() + 29 * DAY));
    const movedAgain = await app.request(MoveToProcessingDocument, { id: given.id }, vaasa);
    expect(movedAgain.data?.moveToProcessing).toMatchObject({
      __typename: 'Notification',
      status: 'IN_PROCESSING',
      processingStartedAt: app.clock.now().toISOString(),
      version: 4,
    });
    expect(
      (await app.request(NotificationDocument, { id: given.id }, vaasa)).data?.notification,
    ).toMatchObject({
      pendingDays: 29,
      removalDue: due,
    });

    app.clock.set(new Date('2026-11-22T23:59:59+02:00'));
    expect((await listedIds(vaasa, 'IN_PROCESSING'))?.edges.map((e) => e.node.id)).toContain(given.id);

    app.clock.set(new Date('2026-11-23T00:00:00+02:00'));
    expect((await listedIds(vaasa, 'IN_PROCESSING'))?.edges.map((e) => e.node.id)).not.toContain(given.id);
    expect((await app.request(NotificationDocument, { id: given.id }, vaasa)).data?.notification).toBeNull();

    await app.server.services.purge.purgeExpired();
    expect(await notificationRow(given.id)).toBeUndefined();
    expect((await auditRows(given.id)).map((row) => row.action)).toEqual([
      'MOVE_TO_PROCESSING',
      'RETURN_TO_NEW',
      'MOVE_TO_PROCESSING',
      'PURGE_EXPIRED',
    ]);
  });
});

describe('pending days', () => {
  it('counts calendar days in Finland from the creation date to today, in the list and by id', async () => {
    const helsinki = await app.tokens.handler(['091']);
    // Now: Monday 2 November 11:00 Helsinki time.
    const lateOnFriday = await app.given.notification({
      municipalityCode: '091',
      createdAt: new Date('2026-10-30T23:30:00+02:00'),
    });
    const sundayEvening = await app.given.notification({
      municipalityCode: '091',
      createdAt: new Date('2026-11-01T23:59:59+02:00'),
    });
    const thisMidnight = await app.given.notification({
      municipalityCode: '091',
      createdAt: new Date('2026-11-02T00:00:00+02:00'),
    });

    const list = await app.request(NotificationsDocument, { filter: { status: 'NEW' } }, helsinki);
    const pending = new Map(list.data?.notifications.edges.map((e) => [e.node.id, e.node.pendingDays]));
    expect(pending.get(lateOnFriday.id)).toBe(3);
    expect(pending.get(sundayEvening.id)).toBe(1);
    expect(pending.get(thisMidnight.id)).toBe(0);

    const byId = await app.request(NotificationDocument, { id: sundayEvening.id }, helsinki);
    expect(byId.data?.notification?.pendingDays).toBe(1);

    // Still Monday at 23:59:59, Tuesday from 00:00 in Helsinki (22:00 UTC).
    app.clock.set(new Date('2026-11-02T23:59:59+02:00'));
    expect(
      (await app.request(NotificationDocument, { id: thisMidnight.id }, helsinki)).data?.notification
        ?.pendingDays,
    ).toBe(0);
    later(SECOND);
    expect(
      (await app.request(NotificationDocument, { id: thisMidnight.id }, helsinki)).data?.notification
        ?.pendingDays,
    ).toBe(1);
  });

  it('counts a notification created at 23:30 Helsinki time as pending 1 day at 00:30 the next day', async () => {
    const helsinki = await app.tokens.handler(['091']);
    for (const [created, halfPastMidnight] of [
      ['2026-01-14T23:30:00+02:00', '2026-01-15T00:30:00+02:00'], // winter time
      ['2026-07-14T23:30:00+03:00', '2026-07-15T00:30:00+03:00'], // summer time
    ]) {
      app.clock.set(new Date(created as string));
      const given = await app.given.notification({
        municipalityCode: '091',
        createdAt: new Date(created as string),
      });
      expect(
        (await app.request(NotificationDocument, { id: given.id }, helsinki)).data?.notification?.pendingDays,
      ).toBe(0);
      app.clock.set(new Date(halfPastMidnight as string));
      expect(
        (await app.request(NotificationDocument, { id: given.id }, helsinki)).data?.notification?.pendingDays,
      ).toBe(1);
    }
  });
});
