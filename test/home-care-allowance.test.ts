import { execFile } from 'node:child_process';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recipient } from './fixtures/home-care-allowance';
import {
  HomeCareAllowanceListDocument,
  type HomeCareAllowanceListQuery,
  HomeCareAllowanceListsDocument,
  type HomeCareAllowanceListsQuery,
} from './generated/graphql';
import { type GraphQLResponse, startTestApp, type TestApp, WEAK_ACR } from './support/app';
import { createTestDatabase } from './support/database';

type ListNode = NonNullable<HomeCareAllowanceListQuery['homeCareAllowanceList']>;

const downloadUrl = (app: TestApp, path: string) => app.url.replace(/\/graphql$/, '') + path;

async function download(app: TestApp, path: string, token?: string) {
  return fetch(downloadUrl(app, path), {
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
}

async function importRecipients(app: TestApp, lines: string[]) {
  const report = await app.server.services.recipientImport.importLines(lines);
  expect(report.invalid).toEqual([]);
  return report;
}

/** Every list the token may see, following the cursors. */
async function allLists(app: TestApp, token: string, municipalityCode?: string) {
  const nodes: ListNode[] = [];
  let after: string | null = null;
  for (;;) {
    const page: GraphQLResponse<HomeCareAllowanceListsQuery> = await app.request(
      HomeCareAllowanceListsDocument,
      { first: 200, ...(municipalityCode ? { municipalityCode } : {}), ...(after ? { after } : {}) },
      token,
    );
    expect(page.errors).toBeUndefined();
    const connection = page.data?.homeCareAllowanceLists;
    if (!connection) throw new Error('no lists');
    nodes.push(...(connection.edges.map((edge) => edge.node) as ListNode[]));
    if (!connection.pageInfo.hasNextPage) return nodes;
    after = connection.pageInfo.endCursor;
  }
}

async function rowLastNames(app: TestApp, token: string, id: string): Promise<(string | null)[]> {
  const list = await app.request(HomeCareAllowanceListDocument, { id, first: 200 }, token);
  expect(list.errors).toBeUndefined();
  return list.data?.homeCareAllowanceList?.rows.edges.map((edge) => edge.node.lastName) ?? [];
}

async function tableCounts(app: TestApp) {
  const [counts]: { lists: string; rows: string }[] = await app.dataSource.query(
    'SELECT (SELECT count(*) FROM home_care_allowance_list) AS lists, (SELECT count(*) FROM home_care_allowance_list_row) AS rows',
  );
  return { lists: Number(counts?.lists), rows: Number(counts?.rows) };
}

/** Every municipality of the reference data gets a list each month, empty when it has no recipients. */
async function municipalityCount(app: TestApp): Promise<number> {
  const [row]: { n: number }[] = await app.dataSource.query('SELECT count(*)::int AS n FROM municipality');
  return (row as { n: number }).n;
}

describe('the monthly run', () => {
  let app: TestApp;
  let token: string;
  beforeAll(async () => {
    app = await startTestApp();
    token = await app.tokens.handler(['905', '499', '946']);
  });
  afterAll(async () => {
    await app?.close();
  });

  it('lists, per municipality, the immigrant recipients whose allowance is in force on the last weekday, by last name', async () => {
    await importRecipients(app, [
      // Vaasa: four on the list.
      recipient({
        lastName: 'Virtanen',
        euEeaCitizen: true,
        firstResidencePermitStart: null,
        citizenship: 'EST',
      }).line,
      recipient({ lastName: 'Ahmadi', firstResidencePermitStart: '2024-05-01' }).line,
      recipient({ lastName: 'Haddad', allowanceStartDate: '2026-11-30' }).line,
      recipient({ lastName: 'Nguyen', allowanceStartDate: '2025-06-01', allowanceEndDate: '2026-11-30' })
        .line,
      // Vaasa: not on the list.
      recipient({
        lastName: 'Korhonen',
        euEeaCitizen: false,
        firstResidencePermitStart: null,
        citizenship: 'FIN',
      }).line,
      recipient({ lastName: 'Lahtinen', allowanceStartDate: '2025-01-01', allowanceEndDate: '2026-11-29' })
        .line,
      recipient({ lastName: 'Mansour', allowanceStartDate: '2026-12-01' }).line,
      // Mustasaari: one on the list.
      recipient({
        municipalityCode: '499',
        lastName: 'Berg',
        euEeaCitizen: true,
        firstResidencePermitStart: null,
        citizenship: 'SWE',
      }).line,
      // Vöyri: only a non-immigrant, so an empty list.
      recipient({
        municipalityCode: '946',
        lastName: 'Nyman',
        euEeaCitizen: false,
        firstResidencePermitStart: null,
      }).line,
    ]);

    const early = await app.server.services.homeCareAllowanceGeneration.generateMonth(
      '2026-11-20',
      new Date('2026-11-20T04:00:00Z'),
    );
    expect(early).toEqual({
      month: '2026-11',
      generationDay: '2026-11-30',
      due: false,
      listsCreated: 0,
      rowsCreated: 0,
    });
    expect(await tableCounts(app)).toEqual({ lists: 0, rows: 0 });

    const now = new Date('2026-11-30T04:00:00.000Z');
    const result = await app.server.services.homeCareAllowanceGeneration.generateMonth('2026-11-30', now);
    expect(result).toEqual({
      month: '2026-11',
      generationDay: '2026-11-30',
      due: true,
      listsCreated: await municipalityCount(app),
      rowsCreated: 5,
    });

    const lists = await allLists(app, token);
    expect(lists.map((list) => [list.municipalityCode, list.month, list.rowCount, list.generatedOn])).toEqual(
      [
        ['499', '2026-11', 1, '2026-11-30'],
        ['905', '2026-11', 4, '2026-11-30'],
        ['946', '2026-11', 0, '2026-11-30'],
      ],
    );
    expect(lists[0]?.generatedAt).toBe(now.toISOString());
    const vaasa = lists.find((list) => list.municipalityCode === '905') as ListNode;
    expect(await rowLastNames(app, token, vaasa.id)).toEqual(['Ahmadi', 'Haddad', 'Nguyen', 'Virtanen']);
    const korsholm = lists.find((list) => list.municipalityCode === '499') as ListNode;
    expect(await rowLastNames(app, token, korsholm.id)).toEqual(['Berg']);
  });

  it('changes nothing when run again for the same month, even when recipients have changed since', async () => {
    const before = await allLists(app, token);
    const countsBefore = await tableCounts(app);
    expect(countsBefore).toEqual({ lists: await municipalityCount(app), rows: 5 });

    await importRecipients(app, [recipient({ lastName: 'Aalto' }).line]);
    const again = await app.server.services.homeCareAllowanceGeneration.generateMonth(
      '2026-11-30',
      new Date('2026-11-30T12:00:00Z'),
    );
    expect(again).toMatchObject({ due: true, listsCreated: 0, rowsCreated: 0 });
    const later = await app.server.services.homeCareAllowanceGeneration.generateMonth(
      '2026-11-30',
      new Date('2026-12-01T04:00:00Z'),
    );
    expect(later).toMatchObject({ listsCreated: 0, rowsCreated: 0 });

    expect(await allLists(app, token)).toEqual(before);
    expect(await tableCounts(app)).toEqual(countsBefore);
    const vaasa = before.find((list) => list.municipalityCode === '905') as ListNode;
    expect(await rowLastNames(app, token, vaasa.id)).toEqual(['Ahmadi', 'Haddad', 'Nguyen', 'Virtanen']);
  });

  it('writes one audit row for the run that created lists, none for reruns', async () => {
    const audit = await app.dataSource.query(
      `SELECT actor_kind, actor_id, details FROM audit_event
        WHERE action = 'GENERATE_HOME_CARE_ALLOWANCE_LISTS' AND details->>'month' = '2026-11'`,
    );
    expect(audit).toEqual([
      {
        actor_kind: 'SYSTEM',
        actor_id: 'home-care-allowance-lists',
        details: {
          month: '2026-11',
          generationDay: '2026-11-30',
          lists: await municipalityCount(app),
          rows: 5,
        },
      },
    ]);
  });

  it('creates nothing before the month’s generation day', async () => {
    const december = await app.server.services.homeCareAllowanceGeneration.generateMonth(
      '2026-12-30',
      new Date('2026-12-30T04:00:00Z'),
    );
    expect(december).toEqual({
      month: '2026-12',
      generationDay: '2026-12-31',
      due: false,
      listsCreated: 0,
      rowsCreated: 0,
    });
    expect((await allLists(app, token)).map((list) => list.month)).not.toContain('2026-12');
  });
});

describe('who is on a list: immigrants, as Kela describes them', () => {
  let app: TestApp;
  let token: string;
  beforeAll(async () => {
    app = await startTestApp();
    token = await app.tokens.handler(['905']);
  });
  afterAll(async () => {
    await app?.close();
  });

  it('never lists a Finnish citizen, however they once got their first permit; EU/EEA status follows citizenship', async () => {
    await importRecipients(app, [
      // A naturalised Finnish citizen keeps the old first residence permit: not an immigrant for the lists.
      recipient({ lastName: 'Naturalised', citizenship: 'FIN', firstResidencePermitStart: '2010-03-01' })
        .line,
      // A Finnish citizen delivered with the EU/EEA flag set: still not an immigrant.
      recipient({
        lastName: 'Flagged',
        citizenship: 'FIN',
        euEeaCitizen: true,
        firstResidencePermitStart: null,
      }).line,
      // A citizen of an EU state whose flag says otherwise is an EU/EEA citizen, and listed without a permit.
      recipient({
        lastName: 'Kask',
        citizenship: 'EST',
        euEeaCitizen: false,
        firstResidencePermitStart: null,
      }).line,
      // A non-EU citizen whose flag claims EU/EEA but who holds no permit is not.
      recipient({
        lastName: 'Claimed',
        citizenship: 'SYR',
        euEeaCitizen: true,
        firstResidencePermitStart: null,
      }).line,
      // A non-EU citizen with a residence permit is.
      recipient({ lastName: 'Ahmadi', citizenship: 'SYR', firstResidencePermitStart: '2024-05-01' }).line,
    ]);
    await app.server.services.homeCareAllowanceGeneration.generateMonth(
      '2026-11-30',
      new Date('2026-11-30T04:00:00Z'),
    );
    const vaasa = (await allLists(app, token, '905'))[0] as ListNode;
    expect(await rowLastNames(app, token, vaasa.id)).toEqual(['Ahmadi', 'Kask']);
  });

  it('gives each row the recipient’s phone number: the lists exist so that the client can be reached', async () => {
    await importRecipients(app, [
      recipient({ municipalityCode: '905', lastName: 'Reachable', phoneNumber: '+358 40 7654321' }).line,
      recipient({ municipalityCode: '905', lastName: 'Unknown', phoneNumber: null }).line,
    ]);
    await app.server.services.homeCareAllowanceGeneration.generateMonth(
      '2026-12-31',
      new Date('2026-12-31T04:00:00Z'),
    );
    const december = (await allLists(app, token, '905')).find((list) => list.month === '2026-12') as ListNode;
    const list = await app.request(HomeCareAllowanceListDocument, { id: december.id, first: 10 }, token);
    expect(list.errors).toBeUndefined();
    const phones = Object.fromEntries(
      list.data?.homeCareAllowanceList?.rows.edges.map((edge) => [
        edge.node.lastName,
        edge.node.phoneNumber,
      ]) ?? [],
    );
    expect(phones).toMatchObject({ Reachable: '+358 40 7654321', Unknown: null });
  });
});

describe('a month that ends on a weekend', () => {
  let app: TestApp;
  let token: string;
  beforeAll(async () => {
    app = await startTestApp();
    token = await app.tokens.handler(['905']);
  });
  afterAll(async () => {
    await app?.close();
  });

  it('is generated on its last weekday, Friday 29 May 2026, with the recipients in force that day', async () => {
    await importRecipients(app, [
      recipient({ lastName: 'Ekström', allowanceStartDate: '2025-09-01', allowanceEndDate: '2026-05-29' })
        .line,
      recipient({ lastName: 'Forsman', allowanceStartDate: '2026-05-29' }).line,
      recipient({ lastName: 'Lindqvist', allowanceStartDate: '2026-05-30' }).line,
      recipient({ lastName: 'Sundström', allowanceStartDate: '2025-09-01', allowanceEndDate: '2026-05-28' })
        .line,
    ]);

    const thursday = await app.server.services.homeCareAllowanceGeneration.generateMonth(
      '2026-05-28',
      new Date('2026-05-28T04:00:00Z'),
    );
    expect(thursday).toMatchObject({ generationDay: '2026-05-29', due: false, listsCreated: 0 });

    const sunday = await app.server.services.homeCareAllowanceGeneration.generateMonth(
      '2026-05-31',
      new Date('2026-05-31T04:00:00Z'),
    );
    expect(sunday).toEqual({
      month: '2026-05',
      generationDay: '2026-05-29',
      due: true,
      listsCreated: await municipalityCount(app),
      rowsCreated: 2,
    });
    const [list] = await allLists(app, token);
    expect(list).toMatchObject({ month: '2026-05', generatedOn: '2026-05-29', rowCount: 2 });
    expect(await rowLastNames(app, token, (list as ListNode).id)).toEqual(['Ekström', 'Forsman']);
  });
});

describe('lists through GraphQL', () => {
  let app: TestApp;
  let token: string;
  const idOf = new Map<string, string>();
  beforeAll(async () => {
    app = await startTestApp();
    token = await app.tokens.handler(['905', '499']);
    await importRecipients(app, [
      recipient({ municipalityCode: '905', lastName: 'Virtanen' }).line,
      recipient({ municipalityCode: '905', lastName: 'Ahmadi' }).line,
      recipient({ municipalityCode: '905', lastName: 'Mansour' }).line,
      recipient({ municipalityCode: '499', lastName: 'Berg' }).line,
      recipient({ municipalityCode: '499', lastName: 'Holm' }).line,
      recipient({ municipalityCode: '946', lastName: 'Nyman' }).line,
    ]);
    for (const asOf of ['2026-09-30', '2026-10-31', '2026-11-30']) {
      await app.server.services.homeCareAllowanceGeneration.generateMonth(
        asOf,
        new Date(`${asOf}T04:00:00Z`),
      );
    }
    const rows: { id: string; municipality_code: string; month: string }[] = await app.dataSource.query(
      "SELECT id, municipality_code, to_char(month, 'YYYY-MM') AS month FROM home_care_allowance_list",
    );
    for (const row of rows) idOf.set(`${row.municipality_code}/${row.month}`, row.id);
    app.clock.set(new Date('2026-12-01T08:00:00Z'));
  });
  afterAll(async () => {
    await app?.close();
  });

  it('lists the mandate’s municipalities newest month first, in pages that join up', async () => {
    const expected = [
      '499/2026-11',
      '905/2026-11',
      '499/2026-10',
      '905/2026-10',
      '499/2026-09',
      '905/2026-09',
    ];
    const first = await app.request(HomeCareAllowanceListsDocument, { first: 4 }, token);
    expect(first.errors).toBeUndefined();
    const page1 = first.data?.homeCareAllowanceLists;
    expect(page1?.totalCount).toBe(6);
    expect(page1?.pageInfo.hasNextPage).toBe(true);
    expect(page1?.edges.map((e) => `${e.node.municipalityCode}/${e.node.month}`)).toEqual(
      expected.slice(0, 4),
    );

    const second = await app.request(
      HomeCareAllowanceListsDocument,
      { first: 4, after: page1?.pageInfo.endCursor ?? null },
      token,
    );
    const page2 = second.data?.homeCareAllowanceLists;
    expect(page2?.totalCount).toBe(6);
    expect(page2?.pageInfo.hasNextPage).toBe(false);
    expect(page2?.edges.map((e) => `${e.node.municipalityCode}/${e.node.month}`)).toEqual(expected.slice(4));
    expect(page1?.edges.map((e) => e.node.id)).toEqual(expected.slice(0, 4).map((key) => idOf.get(key)));
  });

  it('filters by municipality', async () => {
    const result = await app.request(HomeCareAllowanceListsDocument, { municipalityCode: '905' }, token);
    expect(result.errors).toBeUndefined();
    expect(result.data?.homeCareAllowanceLists.totalCount).toBe(3);
    expect(
      result.data?.homeCareAllowanceLists.edges.map((e) => [e.node.municipalityCode, e.node.month]),
    ).toEqual([
      ['905', '2026-11'],
      ['905', '2026-10'],
      ['905', '2026-09'],
    ]);
  });

  it('shows one list with its rows in pages, its municipality, download path and file name', async () => {
    const id = idOf.get('905/2026-10') as string;
    const first = await app.request(HomeCareAllowanceListDocument, { id, first: 2 }, token);
    expect(first.errors).toBeUndefined();
    const list = first.data?.homeCareAllowanceList;
    expect(list).toMatchObject({
      id,
      municipalityCode: '905',
      month: '2026-10',
      generatedOn: '2026-10-30',
      rowCount: 3,
      municipality: { code: '905', nameFi: 'Vaasa', nameSv: 'Vasa' },
      downloadPath: `/downloads/home-care-allowance-lists/${id}.csv`,
    });
    expect(list?.fileName).toMatch(/905.*2026-10.*\.csv$/);
    expect(list?.rows.totalCount).toBe(3);
    expect(list?.rows.pageInfo.hasNextPage).toBe(true);
    expect(list?.rows.edges.map((e) => [e.node.rowNumber, e.node.lastName])).toEqual([
      [1, 'Ahmadi'],
      [2, 'Mansour'],
    ]);

    const rest = await app.request(
      HomeCareAllowanceListDocument,
      { id, first: 2, after: list?.rows.pageInfo.endCursor ?? null },
      token,
    );
    const rows = rest.data?.homeCareAllowanceList?.rows;
    expect(rows?.pageInfo.hasNextPage).toBe(false);
    expect(rows?.edges.map((e) => [e.node.rowNumber, e.node.lastName])).toEqual([[3, 'Virtanen']]);
    expect(rows?.edges[0]?.node).toMatchObject({
      personalIdentityCode: expect.stringMatching(/^\d{6}[-+A-FU-Y]9\d\d[0-9A-Y]$/),
      dateOfBirth: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
      allowanceStartDate: '2026-01-01',
      childrenCount: 1,
      address: { street: 'Kauppapuistikko 1 A 2', postalCode: '65100', postOffice: 'VAASA' },
    });
  });

  it('answers null for another municipality’s list', async () => {
    const id = idOf.get('946/2026-11') as string;
    expect(id).toBeDefined();
    const outside = await app.request(HomeCareAllowanceListDocument, { id }, token);
    expect(outside.errors).toBeUndefined();
    expect(outside.data?.homeCareAllowanceList).toBeNull();
    const owner = await app.request(HomeCareAllowanceListDocument, { id }, await app.tokens.handler(['946']));
    expect(owner.data?.homeCareAllowanceList?.id).toBe(id);
  });

  it('refuses a filter naming another real municipality', async () => {
    const result = await app.request(HomeCareAllowanceListsDocument, { municipalityCode: '946' }, token);
    expect(result.data?.homeCareAllowanceLists).toBeUndefined();
    expect(result.errors?.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
  });

  it('reports an unknown municipality code and a foreign cursor as bad input', async () => {
    const unknown = await app.request(HomeCareAllowanceListsDocument, { municipalityCode: '000' }, token);
    expect(unknown.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      argumentName: 'municipalityCode',
    });
    const list = await app.request(
      HomeCareAllowanceListDocument,
      { id: idOf.get('905/2026-11') as string, first: 1 },
      token,
    );
    const rowCursor = list.data?.homeCareAllowanceList?.rows.pageInfo.endCursor as string;
    const foreign = await app.request(HomeCareAllowanceListsDocument, { after: rowCursor }, token);
    expect(foreign.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argumentName: 'after' });
  });

  const forged = (keys: unknown[]) => Buffer.from(JSON.stringify(keys)).toString('base64url');
  it.each([
    ['a month that does not exist', ['2026-13-01', '905']],
    ['a day that does not exist', ['2026-02-30', '905']],
    ['a year PostgreSQL has no date for', ['0000-01-01', '905']],
    ['a month that is not its first day', ['2026-11-02', '905']],
    ['a municipality code with a NUL', ['2026-11-01', '9\u00000']],
    ['a municipality code that is not one', ['2026-11-01', 905]],
  ])('a forged list cursor with %s is BAD_USER_INPUT', async (_name, keys) => {
    const result = await app.request(HomeCareAllowanceListsDocument, { after: forged(keys) }, token);
    expect(result.errors?.map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT']);
    expect(result.errors?.[0]?.extensions).toMatchObject({ argumentName: 'after' });
  });

  it.each([
    ['beyond any integer', '[1e20]'],
    ['beyond PostgreSQL integer', `[${2 ** 31}]`],
    ['below PostgreSQL integer', `[${-(2 ** 31) - 1}]`],
    ['a fraction', '[1.5]'],
  ])('a forged row cursor %s is BAD_USER_INPUT', async (_name, json) => {
    const id = idOf.get('905/2026-10') as string;
    const after = Buffer.from(json).toString('base64url');
    const result = await app.request(HomeCareAllowanceListDocument, { id, first: 2, after }, token);
    expect(result.errors?.map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT']);
    expect(result.errors?.[0]?.extensions).toMatchObject({ argumentName: 'after' });
  });

  it('a row cursor at the largest PostgreSQL integer is accepted: no rows after it', async () => {
    const id = idOf.get('905/2026-10') as string;
    const after = Buffer.from(`[${2 ** 31 - 1}]`).toString('base64url');
    const result = await app.request(HomeCareAllowanceListDocument, { id, first: 2, after }, token);
    expect(result.errors).toBeUndefined();
    expect(result.data?.homeCareAllowanceList?.rows.edges).toEqual([]);
  });

  it('is forbidden without the integration-services mandate or with weak authentication', async () => {
    const id = idOf.get('905/2026-11') as string;
    for (const other of [
      await app.tokens.handler(['905'], { issues: ['SOCIAL_ASSISTANCE_CLIENT_DATA'] }),
      await app.tokens.handler(['905'], { acr: WEAK_ACR }),
    ]) {
      const lists = await app.request(HomeCareAllowanceListsDocument, {}, other);
      expect(lists.data?.homeCareAllowanceLists).toBeUndefined();
      expect(lists.errors?.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
      const one = await app.request(HomeCareAllowanceListDocument, { id }, other);
      expect(one.data?.homeCareAllowanceList ?? null).toBeNull();
      expect(one.errors?.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
    }
  });

  it('needs a token', async () => {
    const lists = await app.request(HomeCareAllowanceListsDocument, {});
    expect(lists.errors?.map((e) => e.extensions?.code)).toEqual(['UNAUTHENTICATED']);
    expect(lists.data?.homeCareAllowanceLists).toBeUndefined();
    const one = await app.request(HomeCareAllowanceListDocument, { id: idOf.get('905/2026-11') as string });
    expect(one.errors?.map((e) => e.extensions?.code)).toEqual(['UNAUTHENTICATED']);
    expect(one.data?.homeCareAllowanceList ?? null).toBeNull();
  });
});

describe('24-month retention', () => {
  let app: TestApp;
  let token: string;
  let id: string;
  const generatedAt = new Date('2026-11-30T04:00:00.000Z');
  const expiresAt = new Date('2028-11-30T04:00:00.000Z');

  beforeAll(async () => {
    app = await startTestApp();
    token = await app.tokens.handler(['905']);
    await importRecipients(app, [
      recipient({ lastName: 'Ahmadi' }).line,
      recipient({ lastName: 'Berg' }).line,
    ]);
    app.clock.set(generatedAt);
    await app.server.services.homeCareAllowanceGeneration.generateMonth('2026-11-30', generatedAt);
    const [row]: { id: string }[] = await app.dataSource.query(
      "SELECT id FROM home_care_allowance_list WHERE municipality_code = '905'",
    );
    id = (row as { id: string }).id;
  });
  afterAll(async () => {
    await app?.close();
  });

  it('expires 24 calendar months after generation', async () => {
    const list = await app.request(HomeCareAllowanceListDocument, { id }, token);
    expect(list.data?.homeCareAllowanceList).toMatchObject({
      generatedAt: generatedAt.toISOString(),
      expiresAt: expiresAt.toISOString(),
    });
  });

  it('is visible, downloadable and kept by the purge one millisecond before', async () => {
    app.clock.set(new Date(expiresAt.getTime() - 1));
    const byId = await app.request(HomeCareAllowanceListDocument, { id }, token);
    expect(byId.data?.homeCareAllowanceList?.id).toBe(id);
    const lists = await app.request(HomeCareAllowanceListsDocument, {}, token);
    expect(lists.data?.homeCareAllowanceLists.edges.map((e) => e.node.id)).toEqual([id]);
    const response = await download(app, `/downloads/home-care-allowance-lists/${id}.csv`, token);
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('Ahmadi');

    expect(await app.server.services.purge.purgeExpiredLists()).toBe(0);
    expect(await tableCounts(app)).toEqual({ lists: await municipalityCount(app), rows: 2 });
  });

  it('is gone at exactly 24 months, and only then purged with its rows and an audit row', async () => {
    app.clock.set(expiresAt);
    const byId = await app.request(HomeCareAllowanceListDocument, { id }, token);
    expect(byId.errors).toBeUndefined();
    expect(byId.data?.homeCareAllowanceList).toBeNull();
    const lists = await app.request(HomeCareAllowanceListsDocument, {}, token);
    expect(lists.data?.homeCareAllowanceLists).toMatchObject({ totalCount: 0, edges: [] });
    const response = await download(app, `/downloads/home-care-allowance-lists/${id}.csv`, token);
    expect(response.status).toBe(404);

    const municipalities = await municipalityCount(app);
    expect(await app.server.services.purge.purgeExpiredLists()).toBe(municipalities);
    expect(await tableCounts(app)).toEqual({ lists: 0, rows: 0 });
    const audit = await app.dataSource.query(
      `SELECT occurred_at, actor_kind, actor_id, organisation, list_id, details FROM audit_event
        WHERE action = 'PURGE_EXPIRED_HOME_CARE_ALLOWANCE_LISTS' AND list_id = $1`,
      [id],
    );
    expect(audit).toEqual([
      {
        occurred_at: expiresAt,
        actor_kind: 'SYSTEM',
        actor_id: 'purge',
        organisation: '905',
        list_id: id,
        details: { month: '2026-11' },
      },
    ]);
    expect(await app.server.services.purge.purgeExpiredLists()).toBe(0);
  });
});

describe('recipient import', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(async () => {
    await app?.close();
  });

  const recipientCount = async () =>
    Number(
      (
        (await app.dataSource.query('SELECT count(*) AS n FROM home_care_allowance_recipient')) as {
          n: string;
        }[]
      )[0]?.n,
    );

  const first = recipient({ lastName: 'Ahmadi', childrenCount: 2 });
  const second = recipient({ lastName: 'Berg', municipalityCode: '499' });
  const wrongCheck = JSON.parse(recipient().line);
  wrongCheck.person.personalIdentityCode = wrongCheck.person.personalIdentityCode.replace(
    /.$/,
    (c: string) => (c === 'A' ? 'B' : 'A'),
  );
  const wrongBirthDate = JSON.parse(recipient().line);
  wrongBirthDate.person.dateOfBirth = '2001-01-01';
  const lines = [
    first.line,
    '{ not json',
    JSON.stringify(wrongCheck),
    second.line,
    '',
    recipient({ municipalityCode: '000' }).line,
    recipient({ allowanceStartDate: '2026-06-01', allowanceEndDate: '2026-05-31' }).line,
    JSON.stringify(wrongBirthDate),
    recipient({ childrenCount: 0 }).line,
  ];
  const expectedInvalid = [
    { line: 2, message: expect.any(String) },
    { line: 3, message: expect.stringContaining('person.personalIdentityCode') },
    { line: 6, message: expect.stringContaining('municipalityCode') },
    { line: 7, message: expect.stringContaining('allowanceEndDate') },
    { line: 8, message: expect.stringContaining('person.dateOfBirth') },
    { line: 9, message: expect.stringContaining('childrenCount') },
  ];

  it('reports invalid lines by number and keeps the valid ones', async () => {
    const report = await app.server.services.recipientImport.importLines(lines);
    expect(report.imported).toBe(2);
    expect(report.alreadyImported).toBe(0);
    expect(report.invalid).toEqual(expectedInvalid);
    const stored = await app.dataSource.query(
      'SELECT personal_identity_code, last_name, municipality_code, children_count FROM home_care_allowance_recipient ORDER BY last_name',
    );
    expect(stored).toEqual([
      {
        personal_identity_code: first.personalIdentityCode,
        last_name: 'Ahmadi',
        municipality_code: '905',
        children_count: 2,
      },
      {
        personal_identity_code: second.personalIdentityCode,
        last_name: 'Berg',
        municipality_code: '499',
        children_count: 1,
      },
    ]);
  });

  it('is idempotent when run again, and a corrected line updates instead of adding', async () => {
    const again = await app.server.services.recipientImport.importLines(lines);
    expect(again.imported).toBe(0);
    expect(again.alreadyImported).toBe(2);
    expect(again.invalid).toEqual(expectedInvalid);
    expect(await recipientCount()).toBe(2);

    const corrected = JSON.parse(first.line);
    corrected.childrenCount = 3;
    const update = await app.server.services.recipientImport.importLines([JSON.stringify(corrected)]);
    expect(update).toMatchObject({ imported: 0, alreadyImported: 1, invalid: [] });
    expect(await recipientCount()).toBe(2);
    const [row] = await app.dataSource.query(
      'SELECT children_count FROM home_care_allowance_recipient WHERE personal_identity_code = $1',
      [first.personalIdentityCode],
    );
    expect(row).toEqual({ children_count: 3 });
  });
});

describe('the jobs command', () => {
  let database: { url: string; drop: () => Promise<void> };
  let municipalities = 0;
  beforeAll(async () => {
    database = await createTestDatabase();
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      municipalities = (await client.query('SELECT count(*)::int AS n FROM municipality')).rows[0].n;
      for (const [code, lastName, dateOfBirth] of [
        ['905', 'Ahmadi', '1990-01-10'],
        ['905', 'Berg', '1991-02-11'],
        ['499', 'Holm', '1992-03-12'],
      ] as const) {
        const line = JSON.parse(recipient({ municipalityCode: code, lastName, dateOfBirth }).line);
        await client.query(
          `INSERT INTO home_care_allowance_recipient
             (personal_identity_code, first_names, last_name, date_of_birth, street, postal_code, post_office,
              municipality_code, first_residence_permit_start, eu_eea_citizen, allowance_start, children_count)
           VALUES ($1, 'Test', $2, $3, 'Kauppapuistikko 1', '65100', 'VAASA', $4, '2024-05-01', false, '2026-01-01', 1)`,
          [line.person.personalIdentityCode, lastName, dateOfBirth, code],
        );
      }
    } finally {
      await client.end();
    }
  });
  afterAll(async () => {
    await database?.drop();
  });

  function jobs(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      execFile(
        process.execPath,
        ['-r', '@swc-node/register', 'src/cli/jobs.ts', ...args],
        {
          cwd: process.cwd(),
          env: { ...process.env, DATABASE_URL: database.url, LOG_LEVEL: 'silent', NODE_ENV: 'test' },
        },
        (error, stdout, stderr) => {
          resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr });
        },
      );
    });
  }

  async function listsInDatabase() {
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      const { rows } = await client.query(
        "SELECT municipality_code, to_char(month, 'YYYY-MM') AS month, to_char(generated_on, 'YYYY-MM-DD') AS generated_on, row_count FROM home_care_allowance_list ORDER BY municipality_code",
      );
      return rows;
    } finally {
      await client.end();
    }
  }

  it('generates the month’s lists, prints a summary and exits 0; a rerun creates nothing', async () => {
    const run = await jobs('home-care-lists', '--as-of', '2026-11-30');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(
      `Lists of 2026-11 (generation day 2026-11-30): created ${municipalities} list(s) with 3 row(s).`,
    );
    const lists = await listsInDatabase();
    expect(lists).toHaveLength(municipalities);
    expect(lists.filter((list) => list.row_count > 0)).toEqual([
      { municipality_code: '499', month: '2026-11', generated_on: '2026-11-30', row_count: 1 },
      { municipality_code: '905', month: '2026-11', generated_on: '2026-11-30', row_count: 2 },
    ]);

    const rerun = await jobs('home-care-lists', '--as-of', '2026-11-30');
    expect(rerun.code).toBe(0);
    expect(rerun.stdout).toContain('created 0 list(s) with 0 row(s).');
    expect(await listsInDatabase()).toHaveLength(municipalities);
  }, 120_000);

  it('says there is nothing to do before the generation day', async () => {
    const run = await jobs('home-care-lists', '--as-of', '2026-10-29');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Nothing to do: the lists of 2026-10 are generated on 2026-10-30.');
    expect((await listsInDatabase()).map((row) => row.month)).not.toContain('2026-10');
  }, 60_000);

  it('refuses a date in the future, which would date lists before their day', async () => {
    const run = await jobs('home-care-lists', '--as-of', '2099-01-30');
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      /^--as-of 2099-01-30 is in the future \(today is \d{4}-\d{2}-\d{2} in Finland\)/,
    );
    expect(run.stdout).toBe('');
  }, 60_000);

  it('exits 2 on a malformed --as-of', async () => {
    const run = await jobs('home-care-lists', '--as-of', '30.11.2026');
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--as-of must be a date YYYY-MM-DD');
    expect(run.stdout).toBe('');
  }, 60_000);

  it('exits 2 on an --as-of that is no calendar date', async () => {
    const run = await jobs('home-care-lists', '--as-of', '2026-02-30');
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--as-of');
    expect(run.stdout).toBe('');
  }, 60_000);
});

describe('the order of a list', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(async () => {
    await app?.close();
  });

  it('follows the Finnish and Swedish alphabet: Å, Ä and Ö come after Z', async () => {
    await importRecipients(
      app,
      ['Öhman', 'Zetterberg', 'Ärling', 'Åberg', 'Aalto'].map((lastName) => recipient({ lastName }).line),
    );
    await app.server.services.homeCareAllowanceGeneration.generateMonth(
      '2026-11-30',
      new Date('2026-11-30T04:00:00Z'),
    );
    const token = await app.tokens.handler(['905']);
    const [list] = await allLists(app, token);
    expect(await rowLastNames(app, token, (list as ListNode).id)).toEqual([
      'Aalto',
      'Zetterberg',
      'Åberg',
      'Ärling',
      'Öhman',
    ]);
  });
});
