import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NotificationsDocument, TransferToMunicipalityDocument } from './generated/graphql';
import { startTestApp, type TestApp } from './support/app';

const HOUR = 3_600_000;
/** Issue 11: at most 3 SQL statements per request whatever the page size (the page, the total, the transfers). */
const MAX_STATEMENTS = 3;

let app: TestApp;
let vaasa: string;
let helsinki: string;
let both: string;

beforeAll(async () => {
  app = await startTestApp();
  vaasa = await app.tokens.handler(['905']);
  helsinki = await app.tokens.handler(['091']);
  both = await app.tokens.handler(['905', '499']);
  const now = app.clock.now().getTime();

  // 50 notifications in Vaasa. The 12 newest arrive by transfer: 8 from Korsholm once, 4 from Vaasa to
  // Korsholm and back (two transfers each), so every page size below includes rows with transfers.
  const viaKorsholm = [];
  for (let i = 0; i < 8; i += 1) {
    viaKorsholm.push(
      await app.given.notification({ municipalityCode: '499', createdAt: new Date(now - (i + 1) * HOUR) }),
    );
  }
  const roundTrip = [];
  for (let i = 0; i < 4; i += 1) {
    roundTrip.push(
      await app.given.notification({ municipalityCode: '905', createdAt: new Date(now - (i + 9) * HOUR) }),
    );
  }
  for (let i = 0; i < 38; i += 1) {
    await app.given.notification({ municipalityCode: '905', createdAt: new Date(now - (i + 13) * HOUR) });
  }
  const transfer = async (id: string, municipalityCode: string) => {
    const response = await app.request(
      TransferToMunicipalityDocument,
      { id, municipalityCode, reason: 'Väärä kunta' },
      both,
    );
    expect(response.data?.transferToMunicipality?.__typename).toBe('TransferReceipt');
  };
  for (const { id } of viaKorsholm) await transfer(id, '905');
  for (const { id } of roundTrip) {
    await transfer(id, '499');
    await transfer(id, '905');
  }

  // Korsholm: 6 New between Vaasa's, for a viewer of both municipalities.
  for (let i = 0; i < 6; i += 1) {
    await app.given.notification({
      municipalityCode: '499',
      createdAt: new Date(now - (i * 7 + 0.5) * HOUR),
    });
  }

  // Helsinki: 3 in postal code 00100 among 5, for the filtered list.
  for (let i = 0; i < 5; i += 1) {
    await app.given.notification({
      municipalityCode: '091',
      postalCode: i % 2 === 0 ? '00100' : '00200',
      createdAt: new Date(now - (i + 1) * HOUR),
    });
  }
});
afterAll(async () => {
  await app?.close();
});

/** Runs the full list query and returns the response and how many SQL statements the service ran for it. */
async function measuredList(first: number) {
  const before = app.statements.count;
  const response = await app.request(NotificationsDocument, { filter: { status: 'NEW' }, first }, vaasa);
  const statements = app.statements.count - before;
  expect(response.errors).toBeUndefined();
  return { response, statements };
}

describe('the list query asking every field', () => {
  it('runs as many SQL statements for 50 rows as for 5, and only a few', async () => {
    const five = await measuredList(5);
    const fifty = await measuredList(50);

    const fiveEdges = five.response.data?.notifications.edges ?? [];
    const fiftyEdges = fifty.response.data?.notifications.edges ?? [];
    expect(fiveEdges).toHaveLength(5);
    expect(fiftyEdges).toHaveLength(50);
    expect(fifty.response.data?.notifications.totalCount).toBe(50);

    // Every nested field was actually resolved: persons, municipalities and transfers with their names.
    for (const { node } of fiftyEdges) {
      expect(node.person?.personalIdentityCode).toMatch(/^\d{6}[-+A-FU-Y]\d{3}[0-9A-Y]$/);
      expect(node.municipality).toEqual({ code: '905', nameFi: 'Vaasa', nameSv: 'Vasa' });
    }
    const transferCounts = fiftyEdges.map(({ node }) => node.transfers.length);
    expect(transferCounts.filter((n) => n === 1)).toHaveLength(8);
    expect(transferCounts.filter((n) => n === 2)).toHaveLength(4);
    expect(transferCounts.filter((n) => n === 0)).toHaveLength(38);
    expect(fiftyEdges[0]?.node.transfers).toEqual([
      expect.objectContaining({
        fromMunicipalityCode: '499',
        toMunicipalityCode: '905',
        fromMunicipality: { nameFi: 'Mustasaari' },
        toMunicipality: { nameFi: 'Vaasa' },
      }),
    ]);
    expect(fiveEdges.every(({ node }) => node.transfers.length === 1)).toBe(true);

    expect(fifty.statements).toBe(five.statements);
    expect(fifty.statements).toBeLessThanOrEqual(MAX_STATEMENTS);
  });

  it('runs as many statements for a later page as for the first', async () => {
    const first = await measuredList(10);
    const before = app.statements.count;
    const next = await app.request(
      NotificationsDocument,
      { filter: { status: 'NEW' }, first: 40, after: first.response.data?.notifications.pageInfo.endCursor },
      vaasa,
    );
    const statements = app.statements.count - before;
    expect(next.errors).toBeUndefined();
    expect(next.data?.notifications.edges).toHaveLength(40);
    expect(statements).toBe(first.statements);
  });
});

interface PersonFields {
  personalIdentityCode: string | null;
  firstNames: string | null;
  lastName: string | null;
  dateOfBirth: string | null;
  address: { postalCode: string } | null;
}
interface PageWithPersons {
  notifications: {
    totalCount?: number;
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
    edges: { node: { id: string; createdAt: string; person: PersonFields | null } }[];
  };
}
interface PageVariables {
  filter: { status: string; municipalityCode?: string; postalCode?: string };
  first: number;
  after?: string | null;
}

const PERSON_SELECTION =
  'person { personalIdentityCode firstNames lastName dateOfBirth address { postalCode } }';
const page = (withTotal: boolean) =>
  parse(`query ($filter: NotificationFilter!, $first: Int, $after: String) {
    notifications(filter: $filter, first: $first, after: $after) {
      ${withTotal ? 'totalCount' : ''}
      pageInfo { hasNextPage endCursor }
      edges { node { id createdAt ${PERSON_SELECTION} } }
    }
  }`) as TypedDocumentNode<PageWithPersons, PageVariables>;
const PAGE_WITH_PERSONS = page(false);
const PAGE_WITH_PERSONS_AND_TOTAL = page(true);
const NOTIFICATION_WITH_PERSON = parse(
  `query ($id: ID!) { notification(id: $id) { id createdAt ${PERSON_SELECTION} } }`,
) as TypedDocumentNode<{ notification: { id: string; person: PersonFields | null } | null }, { id: string }>;

/** Each notification's person as the database has it, to check the persons a page joined. */
async function personsOf(ids: string[]): Promise<Map<string, PersonFields>> {
  const rows: ({ id: string } & PersonFields & { postalCode: string })[] = await app.dataSource.query(
    `SELECT n.id, p.personal_identity_code AS "personalIdentityCode", p.first_names AS "firstNames",
            p.last_name AS "lastName", p.date_of_birth::text AS "dateOfBirth", p.postal_code AS "postalCode"
       FROM notification n JOIN person p ON p.id = n.person_id WHERE n.id = ANY($1)`,
    [ids],
  );
  return new Map(rows.map(({ id, postalCode, ...person }) => [id, { ...person, address: { postalCode } }]));
}

async function measured<TResult, TVariables>(
  document: TypedDocumentNode<TResult, TVariables>,
  variables: TVariables,
  token: string,
) {
  const before = app.statements.count;
  const response = await app.request(document, variables, token);
  const statements = app.statements.count - before;
  expect(response.errors).toBeUndefined();
  return { data: response.data as TResult, statements };
}

/** Every edge has its own person, as the database has it, newest first. */
async function expectOwnPersons(edges: PageWithPersons['notifications']['edges']) {
  const expected = await personsOf(edges.map(({ node }) => node.id));
  for (const { node } of edges) expect(node.person).toEqual(expected.get(node.id));
  const times = edges.map(({ node }) => Date.parse(node.createdAt));
  expect(times).toEqual([...times].sort((a, b) => b - a));
}

describe('one statement per page (issue 11)', () => {
  it('a list of 5 or of 50 with persons and without totalCount is one statement', async () => {
    for (const first of [5, 50]) {
      const { data, statements } = await measured(
        PAGE_WITH_PERSONS,
        { filter: { status: 'NEW' }, first },
        vaasa,
      );
      expect(data.notifications.edges).toHaveLength(first);
      expect(data.notifications.totalCount).toBeUndefined();
      await expectOwnPersons(data.notifications.edges);
      expect(statements).toBe(1);
    }
  });

  it('a later page is one statement too, and continues where the first ended', async () => {
    const first = await measured(PAGE_WITH_PERSONS, { filter: { status: 'NEW' }, first: 20 }, vaasa);
    const next = await measured(
      PAGE_WITH_PERSONS,
      { filter: { status: 'NEW' }, first: 50, after: first.data.notifications.pageInfo.endCursor },
      vaasa,
    );
    expect(next.statements).toBe(1);
    expect(next.data.notifications.edges).toHaveLength(30);
    expect(next.data.notifications.pageInfo.hasNextPage).toBe(false);
    const ids = [...first.data.notifications.edges, ...next.data.notifications.edges].map(
      ({ node }) => node.id,
    );
    expect(new Set(ids).size).toBe(50);
    await expectOwnPersons([...first.data.notifications.edges, ...next.data.notifications.edges]);
  });

  it('with totalCount it is still one statement: the count rides on the page, once however often selected', async () => {
    const { data, statements } = await measured(
      PAGE_WITH_PERSONS_AND_TOTAL,
      { filter: { status: 'NEW' }, first: 5 },
      vaasa,
    );
    expect(data.notifications.totalCount).toBe(50);
    expect(data.notifications.edges).toHaveLength(5);
    await expectOwnPersons(data.notifications.edges);
    expect(statements).toBe(1);

    const twice = parse(`query ($filter: NotificationFilter!) {
      notifications(filter: $filter, first: 5) { a: totalCount ...Total edges { node { id } } }
    }
    fragment Total on NotificationConnection { ... on NotificationConnection { b: totalCount } }`) as TypedDocumentNode<
      { notifications: { a: number; b: number } },
      { filter: { status: string } }
    >;
    const aliased = await measured(twice, { filter: { status: 'NEW' } }, vaasa);
    expect(aliased.data.notifications).toMatchObject({ a: 50, b: 50 });
    expect(aliased.statements).toBe(1);
  });

  it('an empty page counts apart only when it is not the first: the total is then not zero', async () => {
    const all = await measured(PAGE_WITH_PERSONS, { filter: { status: 'NEW' }, first: 50 }, vaasa);
    const past = await measured(
      PAGE_WITH_PERSONS_AND_TOTAL,
      { filter: { status: 'NEW' }, first: 10, after: all.data.notifications.pageInfo.endCursor },
      vaasa,
    );
    expect(past.data.notifications.edges).toHaveLength(0);
    expect(past.data.notifications.totalCount).toBe(50);
    expect(past.statements).toBe(2);

    const none = await measured(
      PAGE_WITH_PERSONS_AND_TOTAL,
      { filter: { status: 'NEW', postalCode: '00990' }, first: 10 },
      helsinki,
    );
    expect(none.data.notifications.edges).toHaveLength(0);
    expect(none.data.notifications.totalCount).toBe(0);
    expect(none.statements).toBe(1);
  });

  it('the postal-code filtered list is one statement, with totalCount too', async () => {
    const filter = { status: 'NEW', postalCode: '00100' };
    const plain = await measured(PAGE_WITH_PERSONS, { filter, first: 50 }, helsinki);
    expect(plain.statements).toBe(1);
    expect(plain.data.notifications.edges).toHaveLength(3);
    for (const { node } of plain.data.notifications.edges)
      expect(node.person?.address?.postalCode).toBe('00100');
    await expectOwnPersons(plain.data.notifications.edges);

    const counted = await measured(PAGE_WITH_PERSONS_AND_TOTAL, { filter, first: 2 }, helsinki);
    expect(counted.statements).toBe(1);
    expect(counted.data.notifications.totalCount).toBe(3);
    expect(counted.data.notifications.edges).toHaveLength(2);
    expect(counted.data.notifications.pageInfo.hasNextPage).toBe(true);
  });

  it('notification(id) with its person is one statement', async () => {
    const listed = await measured(PAGE_WITH_PERSONS, { filter: { status: 'NEW' }, first: 1 }, vaasa);
    const id = listed.data.notifications.edges[0]?.node.id ?? '';
    const { data, statements } = await measured(NOTIFICATION_WITH_PERSON, { id }, vaasa);
    expect(statements).toBe(1);
    expect(data.notification?.id).toBe(id);
    expect(data.notification?.person).toEqual((await personsOf([id])).get(id));

    // Outside the viewer's municipalities: null, still one statement.
    const other = await measured(NOTIFICATION_WITH_PERSON, { id }, helsinki);
    expect(other.data.notification).toBeNull();
    expect(other.statements).toBe(1);
  });

  it('a viewer of two municipalities pages through both, newest first, one statement a page', async () => {
    const expected: { id: string }[] = await app.dataSource.query(
      `SELECT id FROM notification WHERE municipality_code IN ('905', '499') AND status = 'NEW'
        ORDER BY created_at DESC, id DESC`,
    );
    expect(expected).toHaveLength(56);
    const seen: PageWithPersons['notifications']['edges'] = [];
    let after: string | null = null;
    for (;;) {
      const { data, statements }: Awaited<ReturnType<typeof measured<PageWithPersons, PageVariables>>> =
        await measured(PAGE_WITH_PERSONS_AND_TOTAL, { filter: { status: 'NEW' }, first: 20, after }, both);
      expect(statements).toBe(1);
      expect(data.notifications.totalCount).toBe(56);
      seen.push(...data.notifications.edges);
      if (!data.notifications.pageInfo.hasNextPage) break;
      after = data.notifications.pageInfo.endCursor;
    }
    expect(seen.map(({ node }) => node.id)).toEqual(expected.map(({ id }) => id));
    await expectOwnPersons(seen);

    // With a postal code condition too (the given persons all live in 65100).
    const filtered = await measured(
      PAGE_WITH_PERSONS_AND_TOTAL,
      { filter: { status: 'NEW', postalCode: '65100' }, first: 10 },
      both,
    );
    expect(filtered.statements).toBe(1);
    expect(filtered.data.notifications.totalCount).toBe(56);
    expect(filtered.data.notifications.edges.map(({ node }) => node.id)).toEqual(
      expected.slice(0, 10).map(({ id }) => id),
    );
  });
});
