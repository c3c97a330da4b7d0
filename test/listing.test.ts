import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NotificationStatus } from '../src/domain/enums';
import { NotificationIdsDocument, NotificationsDocument } from './generated/graphql';
import { startTestApp, type TestApp } from './support/app';

const MINUTE = 60_000;
const HOUR = 3_600_000;

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => {
  await app?.close();
});

function ago(ms: number): Date {
  return new Date(app.clock.now().getTime() - ms);
}

describe('the notification lists', () => {
  it('lists newest first', async () => {
    const token = await app.tokens.handler(['946']);
    const ages = [5 * HOUR, 1 * MINUTE, 30 * HOUR, 2 * HOUR, 10 * 24 * HOUR];
    const created = [];
    for (const age of ages)
      created.push(await app.given.notification({ municipalityCode: '946', createdAt: ago(age) }));

    const response = await app.request(NotificationsDocument, { filter: { status: 'NEW' } }, token);
    expect(response.errors).toBeUndefined();
    const expected = [...created].sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
    expect(response.data?.notifications.edges.map((e) => e.node.id)).toEqual(expected.map((n) => n.id));
    expect(response.data?.notifications.edges.map((e) => e.node.createdAt)).toEqual(
      expected.map((n) => n.createdAt.toISOString()),
    );
  });

  it('walks every page with first/after, without duplicates or gaps across rows created at the same instant', async () => {
    const token = await app.tokens.handler(['598']);
    const tie = ago(3 * HOUR);
    const created = [await app.given.notification({ municipalityCode: '598', createdAt: ago(1 * HOUR) })];
    for (let i = 0; i < 5; i += 1)
      created.push(await app.given.notification({ municipalityCode: '598', createdAt: tie }));
    for (let i = 0; i < 6; i += 1) {
      created.push(await app.given.notification({ municipalityCode: '598', createdAt: ago((4 + i) * HOUR) }));
    }
    // One notification in processing, which must not appear in the NEW list's pages or count.
    await app.given.notification({
      municipalityCode: '598',
      status: NotificationStatus.IN_PROCESSING,
      createdAt: tie,
    });

    for (const pageSize of [1, 2, 4, 5]) {
      const seen: string[] = [];
      const createdAts: string[] = [];
      let after: string | null | undefined;
      let pages = 0;
      for (;;) {
        const response = await app.request(
          NotificationsDocument,
          { filter: { status: 'NEW' }, first: pageSize, after },
          token,
        );
        expect(response.errors).toBeUndefined();
        const connection = response.data?.notifications;
        if (!connection) throw new Error('no connection');
        pages += 1;
        expect(connection.totalCount).toBe(12);
        expect(connection.edges.length).toBeLessThanOrEqual(pageSize);
        expect(connection.edges.length).toBeGreaterThan(0);
        seen.push(...connection.edges.map((e) => e.node.id));
        createdAts.push(...connection.edges.map((e) => e.node.createdAt));
        expect(connection.pageInfo.endCursor).toBe(connection.edges.at(-1)?.cursor);
        if (!connection.pageInfo.hasNextPage) break;
        after = connection.pageInfo.endCursor;
        expect(pages).toBeLessThan(20);
      }
      expect(pages).toBe(Math.ceil(12 / pageSize));
      expect(new Set(seen).size).toBe(seen.length);
      expect([...seen].sort()).toEqual(created.map((n) => n.id).sort());
      expect([...createdAts].sort().reverse()).toEqual(createdAts);
    }
  });

  it('counts every match of the filter, whatever the page', async () => {
    const token = await app.tokens.handler(['091']);
    for (let i = 0; i < 4; i += 1) {
      await app.given.notification({
        municipalityCode: '091',
        postalCode: '00100',
        createdAt: ago((i + 1) * HOUR),
      });
    }
    for (let i = 0; i < 3; i += 1) {
      await app.given.notification({
        municipalityCode: '091',
        postalCode: '00200',
        createdAt: ago((i + 1) * HOUR),
      });
    }

    const firstPage = await app.request(
      NotificationIdsDocument,
      { filter: { status: 'NEW' }, first: 2 },
      token,
    );
    expect(firstPage.data?.notifications).toMatchObject({ totalCount: 7, pageInfo: { hasNextPage: true } });
    expect(firstPage.data?.notifications.edges).toHaveLength(2);
    const lastPage = await app.request(
      NotificationIdsDocument,
      { filter: { status: 'NEW' }, first: 5, after: firstPage.data?.notifications.pageInfo.endCursor },
      token,
    );
    expect(lastPage.data?.notifications).toMatchObject({ totalCount: 7, pageInfo: { hasNextPage: false } });
    expect(lastPage.data?.notifications.edges).toHaveLength(5);

    const filtered = await app.request(
      NotificationIdsDocument,
      { filter: { status: 'NEW', postalCode: '00200' }, first: 1 },
      token,
    );
    expect(filtered.data?.notifications).toMatchObject({ totalCount: 3, pageInfo: { hasNextPage: true } });
    expect(filtered.data?.notifications.edges).toHaveLength(1);
  });

  it('filters by postal code', async () => {
    const token = await app.tokens.handler(['499']);
    const smedsby = [];
    for (let i = 0; i < 3; i += 1) {
      smedsby.push(
        await app.given.notification({
          municipalityCode: '499',
          postalCode: '65610',
          createdAt: ago((i + 1) * HOUR),
        }),
      );
    }
    for (let i = 0; i < 2; i += 1) {
      await app.given.notification({
        municipalityCode: '499',
        postalCode: '65630',
        createdAt: ago((i + 1) * HOUR),
      });
    }

    const response = await app.request(
      NotificationsDocument,
      { filter: { status: 'NEW', postalCode: '65610' } },
      token,
    );
    expect(response.errors).toBeUndefined();
    expect(response.data?.notifications.totalCount).toBe(3);
    expect(response.data?.notifications.edges.map((e) => e.node.id)).toEqual(smedsby.map((n) => n.id));
    for (const { node } of response.data?.notifications.edges ?? []) {
      expect(node.person?.address?.postalCode).toBe('65610');
    }

    const none = await app.request(
      NotificationIdsDocument,
      { filter: { status: 'NEW', postalCode: '65100' } },
      token,
    );
    expect(none.data?.notifications).toMatchObject({ totalCount: 0, edges: [] });
  });

  it('filters by personal identity code, accepting it in lower case', async () => {
    const token = await app.tokens.handler(['152']);
    const created = [];
    for (let i = 0; i < 6; i += 1) {
      created.push(await app.given.notification({ municipalityCode: '152', createdAt: ago((i + 1) * HOUR) }));
    }
    const target = created.find((n) => /[A-Z]/.test(n.personalIdentityCode));
    if (!target) throw new Error('no identity code with a letter among the fixtures');

    for (const code of [target.personalIdentityCode, target.personalIdentityCode.toLowerCase()]) {
      const response = await app.request(
        NotificationsDocument,
        { filter: { status: 'NEW', personalIdentityCode: code } },
        token,
      );
      expect(response.errors).toBeUndefined();
      expect(response.data?.notifications.totalCount).toBe(1);
      expect(response.data?.notifications.edges.map((e) => e.node.id)).toEqual([target.id]);
      expect(response.data?.notifications.edges[0]?.node.person?.personalIdentityCode).toBe(
        target.personalIdentityCode,
      );
    }
  });

  it('keeps the NEW and IN_PROCESSING lists disjoint', async () => {
    const token = await app.tokens.handler(['545']);
    const fresh = [];
    const inProcessing = [];
    for (let i = 0; i < 3; i += 1) {
      fresh.push(
        await app.given.notification({ municipalityCode: '545', createdAt: ago((2 * i + 1) * HOUR) }),
      );
      inProcessing.push(
        await app.given.notification({
          municipalityCode: '545',
          status: NotificationStatus.IN_PROCESSING,
          createdAt: ago((2 * i + 2) * HOUR),
        }),
      );
    }

    const newList = await app.request(NotificationIdsDocument, { filter: { status: 'NEW' } }, token);
    const processingList = await app.request(
      NotificationIdsDocument,
      { filter: { status: 'IN_PROCESSING' } },
      token,
    );
    const newIds = newList.data?.notifications.edges.map((e) => e.node.id) ?? [];
    const processingIds = processingList.data?.notifications.edges.map((e) => e.node.id) ?? [];
    expect(newIds).toEqual(fresh.map((n) => n.id));
    expect(processingIds).toEqual(inProcessing.map((n) => n.id));
    expect(newIds.filter((id) => processingIds.includes(id))).toEqual([]);
    expect(newList.data?.notifications.edges.every((e) => e.node.status === 'NEW')).toBe(true);
    expect(processingList.data?.notifications.edges.every((e) => e.node.status === 'IN_PROCESSING')).toBe(
      true,
    );
    expect(newList.data?.notifications.totalCount).toBe(3);
    expect(processingList.data?.notifications.totalCount).toBe(3);
  });

  it('returns 50 rows per page by default', async () => {
    const token = await app.tokens.handler(['020']);
    await app.given.notifications(55, { municipalityCode: '020' });

    const response = await app.request(NotificationIdsDocument, { filter: { status: 'NEW' } }, token);
    expect(response.errors).toBeUndefined();
    expect(response.data?.notifications.edges).toHaveLength(50);
    expect(response.data?.notifications).toMatchObject({ totalCount: 55, pageInfo: { hasNextPage: true } });
  });

  it("shows the person's data and the municipality's Finnish and Swedish names on each row", async () => {
    const token = await app.tokens.handler(['905']);
    const given = await app.given.notification({
      municipalityCode: '905',
      createdAt: ago(2 * 24 * HOUR + 3 * HOUR),
      firstNames: 'Amal Noor',
      lastName: 'Haddad',
      dateOfBirth: '1988-04-12',
      postalCode: '65200',
      postOffice: 'VAASA',
      additionalInfo: 'Tulkki tarvitaan',
    });

    const response = await app.request(NotificationsDocument, { filter: { status: 'NEW' } }, token);
    expect(response.errors).toBeUndefined();
    expect(response.data?.notifications.edges.map((e) => e.node)).toEqual([
      {
        id: given.id,
        kind: 'IMMIGRANT',
        status: 'NEW',
        additionalInfo: 'Tulkki tarvitaan',
        createdAt: given.createdAt.toISOString(),
        pendingDays: 2,
        processingStartedAt: null,
        // Created on 31 October (Helsinki): gone from 00:00 EET on 1 December, pending day 31.
        removalDue: '2026-11-30T22:00:00.000Z',
        version: 1,
        municipality: { code: '905', nameFi: 'Vaasa', nameSv: 'Vasa' },
        person: {
          personalIdentityCode: given.personalIdentityCode,
          firstNames: 'Amal Noor',
          lastName: 'Haddad',
          dateOfBirth: '1988-04-12',
          nativeLanguage: 'ar',
          citizenship: 'SYR',
          address: { street: 'Kauppapuistikko 1', postalCode: '65200', postOffice: 'VAASA' },
          phoneNumber: '+358 40 1234567',
          firstResidencePermitStart: '2025-01-01',
          euEeaCitizen: false,
        },
        transfers: [],
      },
    ]);
    expect(given.personalIdentityCode.slice(0, 6)).toBe('120488');
  });
});
