import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NotificationsDocument, NotificationsInOrderDocument } from './generated/graphql';
import { startTestApp, type TestApp } from './support/app';

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

type Order = 'NEWEST_FIRST' | 'OLDEST_FIRST';

/** Walks every page of the NEW list in `orderBy`, returning the ids and creation times in the order read. */
async function walk(token: string, orderBy: Order | undefined, first: number) {
  const ids: string[] = [];
  const createdAts: string[] = [];
  let after: string | null | undefined;
  for (let pages = 1; ; pages += 1) {
    const response = await app.request(
      NotificationsInOrderDocument,
      { filter: { status: 'NEW' }, first, after, ...(orderBy ? { orderBy } : {}) },
      token,
    );
    expect(response.errors).toBeUndefined();
    const connection = response.data?.notifications;
    if (!connection) throw new Error('no connection');
    ids.push(...connection.edges.map((e) => e.node.id));
    createdAts.push(...connection.edges.map((e) => e.node.createdAt));
    if (!connection.pageInfo.hasNextPage) return { ids, createdAts, pages };
    after = connection.pageInfo.endCursor;
    expect(pages).toBeLessThan(30);
  }
}

/** Notifications in `codes`, several created at the same instant, so that ties must be broken by id. */
async function givenTies(municipalityCodes: string[]) {
  const tie = ago(3 * HOUR);
  const created = [];
  for (const [i, municipalityCode] of municipalityCodes.entries()) {
    created.push(await app.given.notification({ municipalityCode, createdAt: ago((1 + i) * HOUR) }));
    for (let j = 0; j < 3; j += 1)
      created.push(await app.given.notification({ municipalityCode, createdAt: tie }));
    created.push(await app.given.notification({ municipalityCode, createdAt: ago((10 + i) * HOUR) }));
  }
  return created;
}

/** Oldest first: creation time ascending, then id ascending (PostgreSQL compares uuids bytewise, as hex text sorts). */
function oldestFirst(notifications: { id: string; createdAt: Date }[]): string[] {
  return [...notifications]
    .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .map((n) => n.id);
}

describe('orderBy on the notification lists', () => {
  it.each([
    ['one municipality', ['005']],
    ['several municipalities', ['009', '010', '016']],
  ])(
    'OLDEST_FIRST lists the oldest first and pages through all without gaps or repeats (%s)',
    async (_name, municipalityCodes) => {
      const token = await app.tokens.handler(municipalityCodes);
      const created = await givenTies(municipalityCodes);
      const expected = oldestFirst(created);
      for (const first of [1, 2, 3, 50]) {
        const { ids, createdAts, pages } = await walk(token, 'OLDEST_FIRST', first);
        expect(ids).toEqual(expected);
        expect([...createdAts].sort()).toEqual(createdAts);
        expect(pages).toBe(Math.max(1, Math.ceil(created.length / first)));
      }
      // The same rows newest first are exactly the reverse.
      expect((await walk(token, 'NEWEST_FIRST', 2)).ids).toEqual([...expected].reverse());
    },
  );

  it('stays NEWEST_FIRST by default, and cursors issued without orderBy work with NEWEST_FIRST', async () => {
    const token = await app.tokens.handler(['018']);
    const created = await givenTies(['018']);
    const expected = oldestFirst(created).reverse();
    expect((await walk(token, undefined, 2)).ids).toEqual(expected);

    // A cursor from the query without orderBy (the earlier operation) pages on under an explicit NEWEST_FIRST.
    const first = await app.request(NotificationsDocument, { filter: { status: 'NEW' }, first: 2 }, token);
    const after = first.data?.notifications.pageInfo.endCursor;
    const next = await app.request(
      NotificationsInOrderDocument,
      { filter: { status: 'NEW' }, first: 2, after, orderBy: 'NEWEST_FIRST' },
      token,
    );
    expect(next.errors).toBeUndefined();
    expect(next.data?.notifications.edges.map((e) => e.node.id)).toEqual(expected.slice(2, 4));
  });

  it.each([
    ['NEWEST_FIRST', 'OLDEST_FIRST'],
    ['OLDEST_FIRST', 'NEWEST_FIRST'],
  ] as const)(
    'refuses a %s cursor used with %s as BAD_USER_INPUT naming `after`',
    async (issuedIn, usedIn) => {
      const token = await app.tokens.handler(['019']);
      await givenTies(['019']);
      const page = await app.request(
        NotificationsInOrderDocument,
        { filter: { status: 'NEW' }, first: 2, orderBy: issuedIn },
        token,
      );
      const after = page.data?.notifications.pageInfo.endCursor;
      expect(after).toBeTruthy();
      const result = await app.request(
        NotificationsInOrderDocument,
        { filter: { status: 'NEW' }, first: 2, after, orderBy: usedIn },
        token,
      );
      expect(result.errors?.map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT']);
      expect(result.errors?.[0]?.extensions).toMatchObject({ argumentName: 'after' });
      expect(result.errors?.[0]?.message).toContain(issuedIn);
    },
  );

  it('keeps one statement per page, persons and total included, first page or later', async () => {
    for (const municipalityCodes of [['049'], ['092', '853']]) {
      const token = await app.tokens.handler(municipalityCodes);
      const created = await givenTies(municipalityCodes);
      const expected = oldestFirst(created);
      let after: string | null | undefined;
      for (const slice of [expected.slice(0, 3), expected.slice(3, 6)]) {
        const before = app.statements.count;
        const response = await app.request(
          NotificationsInOrderDocument,
          { filter: { status: 'NEW' }, first: 3, after, orderBy: 'OLDEST_FIRST' },
          token,
        );
        expect(app.statements.count - before).toBe(1);
        expect(response.errors).toBeUndefined();
        expect(response.data?.notifications.totalCount).toBe(created.length);
        expect(response.data?.notifications.edges.map((e) => e.node.id)).toEqual(slice);
        expect(response.data?.notifications.edges.every((e) => e.node.person?.lastName)).toBe(true);
        after = response.data?.notifications.pageInfo.endCursor;
      }
    }
  });

  it('refuses a forged cursor that names NEWEST_FIRST (newest-first cursors never name their order)', async () => {
    const token = await app.tokens.handler(['020']);
    const forged = Buffer.from(
      JSON.stringify([new Date().toISOString(), '00000000-0000-4000-8000-000000000000', 'NEWEST_FIRST']),
    ).toString('base64url');
    for (const orderBy of ['NEWEST_FIRST', 'OLDEST_FIRST'] as const) {
      const result = await app.request(
        NotificationsInOrderDocument,
        { filter: { status: 'NEW' }, first: 2, after: forged, orderBy },
        token,
      );
      expect(result.errors?.map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT']);
    }
  });

  it('orders the download of the list the same way, and refuses an unknown orderBy', async () => {
    const token = await app.tokens.handler(['091']);
    const created = await givenTies(['091']);
    const base = app.url.replace(/\/graphql$/, '');
    const csv = async (query: string) => {
      const response = await fetch(`${base}/downloads/notifications.csv?status=NEW${query}`, {
        headers: { authorization: `Bearer ${token}` },
      });
      return { status: response.status, body: await response.text() };
    };
    // The ids in the order the file holds them.
    const idsIn = (body: string) =>
      created
        .map((n) => n.id)
        .filter((id) => body.includes(id))
        .sort((a, b) => body.indexOf(a) - body.indexOf(b));
    const expected = oldestFirst(created);
    for (const [query, ids] of [
      ['&orderBy=OLDEST_FIRST', expected],
      ['&orderBy=NEWEST_FIRST', [...expected].reverse()],
      ['', [...expected].reverse()],
    ] as const) {
      const { status, body } = await csv(query);
      expect(status, query).toBe(200);
      expect(idsIn(body), query).toEqual(ids);
    }
    const bad = await csv('&orderBy=SIDEWAYS');
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body)).toMatchObject({ errors: [{ extensions: { code: 'BAD_USER_INPUT' } }] });
  });
});
