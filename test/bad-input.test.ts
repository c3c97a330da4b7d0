import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  MoveToProcessingDocument,
  NotificationDocument,
  type NotificationFilter,
  NotificationIdsDocument,
  NotificationsDocument,
  ReturnToNewDocument,
  TransferToMunicipalityDocument,
} from './generated/graphql';
import { type GraphQLResponse, startTestApp, type TestApp } from './support/app';
import type { GivenNotification } from './support/given';
import { type CapturedLogs, captureLogs } from './support/log-capture';

let app: TestApp;
let vaasa: string;
/** Everything the service logs while this suite runs, at every level. */
let logs: CapturedLogs;
beforeAll(async () => {
  logs = captureLogs();
  app = await startTestApp();
  vaasa = await app.tokens.handler(['905']);
  // Enough rows that a list and its cursors have something to page through.
  await app.given.notifications(3, { municipalityCode: '905' });
});
afterAll(async () => {
  await app?.close();
  logs?.restore();
});

/** Everything a request could change: if a bad input is refused, none of this moves. */
async function databaseState() {
  const query = (sql: string) => app.dataSource.query(sql);
  return {
    notifications: await query('SELECT * FROM notification ORDER BY id'),
    persons: await query('SELECT * FROM person ORDER BY id'),
    transfers: await query('SELECT * FROM notification_transfer ORDER BY id'),
    audit: await query('SELECT * FROM audit_event ORDER BY id'),
  };
}

/** Sends the request and checks that the database is as it was before. */
async function withoutChange<T>(send: () => Promise<GraphQLResponse<T>>): Promise<GraphQLResponse<T>> {
  const before = await databaseState();
  const response = await send();
  expect(await databaseState()).toEqual(before);
  return response;
}

function expectBadInput(response: GraphQLResponse<unknown>, argumentName: string) {
  expect(response.status).toBeLessThan(500);
  expect(response.errors).toHaveLength(1);
  expect(response.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argumentName });
  expect(response.data).toBeNull();
}

function listWith(filter: Partial<NotificationFilter>, paging: { first?: number; after?: string } = {}) {
  return withoutChange(() =>
    app.request(NotificationIdsDocument, { filter: { status: 'NEW', ...filter }, ...paging }, vaasa),
  );
}

describe('the list filter', () => {
  it.each([
    ['a wrong check character', '100190-999Q'],
    ['a check character of the right alphabet that does not match', '100190-999R'],
    ['31 February (check character right for the digits)', '310290-9992'],
    ['29 February in a common year (check character right for the digits)', '290290-999S'],
    ['an unknown century sign G', '100190G999P'],
    ['too short', '100190-999'],
  ])('personal identity code with %s (%s) is BAD_USER_INPUT', async (_name, personalIdentityCode) => {
    expectBadInput(await listWith({ personalIdentityCode }), 'filter.personalIdentityCode');
  });

  it('accepts the 2023 century signs, and tells people apart by them', async () => {
    // finnish-ssn style codes with the new signs: Y for the 1900s, B for the 2000s.
    const born1990 = await personWithCode(
      await app.given.notification({ municipalityCode: '905' }),
      '100190Y999P',
    );
    const born2000 = await personWithCode(
      await app.given.notification({ municipalityCode: '905', dateOfBirth: '2000-02-29' }),
      '290200B999J',
    );

    for (const [given, code] of [
      [born1990, '100190Y999P'],
      [born1990, '100190y999p'],
      [born2000, '290200B999J'],
    ] as const) {
      const response = await app.request(
        NotificationsDocument,
        { filter: { status: 'NEW', personalIdentityCode: code } },
        vaasa,
      );
      expect(response.errors).toBeUndefined();
      expect(response.data?.notifications.totalCount).toBe(1);
      expect(response.data?.notifications.edges[0]?.node).toMatchObject({
        id: given.id,
        person: { personalIdentityCode: code.toUpperCase() },
      });
    }

    // Same digits, classic sign: a different person, who is not in the data.
    const other = await app.request(
      NotificationIdsDocument,
      { filter: { status: 'NEW', personalIdentityCode: '100190-999P' } },
      vaasa,
    );
    expect(other.errors).toBeUndefined();
    expect(other.data?.notifications).toMatchObject({ totalCount: 0, edges: [] });
  });

  it.each(['6510', '65100a', '651000', 'VAASA'])('postal code %s is BAD_USER_INPUT', async (postalCode) => {
    expectBadInput(await listWith({ postalCode }), 'filter.postalCode');
  });

  it('a five-digit postal code is accepted', async () => {
    const { id } = await app.given.notification({ municipalityCode: '905', postalCode: '65320' });
    const response = await listWith({ postalCode: '65320' });
    expect(response.errors).toBeUndefined();
    expect(response.data?.notifications.edges.map((edge) => edge.node.id)).toEqual([id]);
  });

  it.each([
    ['unknown', '999'],
    ['malformed (two digits)', '90'],
    ['malformed (letters)', 'abc'],
  ])('municipality code %s (%s) is BAD_USER_INPUT', async (_name, municipalityCode) => {
    expectBadInput(await listWith({ municipalityCode }), 'filter.municipalityCode');
  });
});

describe('paging', () => {
  it.each([0, -1, 201])('first: %i is BAD_USER_INPUT', async (first) => {
    expectBadInput(await listWith({}, { first }), 'first');
  });

  it('first: 200 is accepted', async () => {
    const response = await listWith({}, { first: 200 });
    expect(response.errors).toBeUndefined();
    expect(response.data?.notifications.edges.length).toBeGreaterThan(0);
  });

  const base64url = (text: string) => Buffer.from(text).toString('base64url');
  it.each([
    ['not base64 of anything', 'not-a-cursor'],
    ['base64 of garbage bytes', Buffer.from([0xde, 0xad, 0xbe, 0xef, 0x00, 0xff]).toString('base64')],
    ['base64 of plain text', base64url('page 2 please')],
    ['base64 of JSON of the wrong shape', base64url('{"createdAt":"2026-11-01T00:00:00.000Z"}')],
    ['a date that is not a date', base64url('["yesterday","6f1c1b5e-3c1a-4c7e-9b7e-2f6f0f6d8a11"]')],
    ['an id that is not an id', base64url('["2026-11-01T00:00:00.000Z","../../etc/passwd"]')],
    ['an id of 36 dashes', base64url(`["2026-11-01T00:00:00.000Z","${'-'.repeat(36)}"]`)],
    [
      'a date out of the database range',
      base64url('["-271821-04-20T00:00:00.000Z","6f1c1b5e-3c1a-4c7e-9b7e-2f6f0f6d8a11"]'),
    ],
  ])('a cursor that is %s is BAD_USER_INPUT', async (_name, after) => {
    expectBadInput(await listWith({}, { first: 1, after }), 'after');
  });

  it('a cursor the API returned is accepted', async () => {
    const first = await listWith({}, { first: 1 });
    const after = first.data?.notifications.pageInfo.endCursor ?? '';
    const second = await listWith({}, { first: 1, after });
    expect(second.errors).toBeUndefined();
    expect(second.data?.notifications.edges).toHaveLength(1);
    expect(second.data?.notifications.edges[0]?.node.id).not.toBe(
      first.data?.notifications.edges[0]?.node.id,
    );
  });
});

describe('transfer', () => {
  const transfer = (id: string, municipalityCode: string, reason: string) =>
    withoutChange(() => app.request(TransferToMunicipalityDocument, { id, municipalityCode, reason }, vaasa));

  it.each([
    ['empty', ''],
    ['whitespace only', '  \t\n  '],
    ['1001 characters', 'x'.repeat(1001)],
    ['1001 characters inside whitespace', `  ${'x'.repeat(1001)}  `],
  ])('a reason that is %s is BAD_USER_INPUT', async (_name, reason) => {
    const { id } = await app.given.notification({ municipalityCode: '905' });
    expectBadInput(await transfer(id, '499', reason), 'reason');
  });

  it('a reason of 1000 characters is accepted, also with whitespace around it', async () => {
    for (const reason of ['ä'.repeat(1000), `  ${'x'.repeat(1000)}\n`]) {
      const { id } = await app.given.notification({ municipalityCode: '905' });
      const response = await app.request(
        TransferToMunicipalityDocument,
        { id, municipalityCode: '499', reason },
        vaasa,
      );
      expect(response.errors).toBeUndefined();
      expect(response.data?.transferToMunicipality).toMatchObject({
        __typename: 'TransferReceipt',
        toMunicipalityCode: '499',
        reason: reason.trim(),
      });
      const [stored] = await app.dataSource.query(
        'SELECT reason FROM notification_transfer WHERE notification_id = $1',
        [id],
      );
      expect(stored.reason).toHaveLength(1000);
    }
  });

  it('a reason containing a NUL character is BAD_USER_INPUT, not an internal error', async () => {
    const { id } = await app.given.notification({ municipalityCode: '905' });
    expectBadInput(await transfer(id, '499', 'Asuu\u0000 Mustasaaressa'), 'reason');
  });

  it.each([
    ['unknown', '999'],
    ['malformed (two digits)', '90'],
    ['malformed (four digits)', '0905'],
  ])('a municipality code that is %s (%s) is BAD_USER_INPUT', async (_name, municipalityCode) => {
    const { id } = await app.given.notification({ municipalityCode: '905' });
    expectBadInput(await transfer(id, municipalityCode, 'Väärä kunta'), 'municipalityCode');
  });

  it("to the notification's own municipality is BAD_USER_INPUT", async () => {
    const { id } = await app.given.notification({ municipalityCode: '905' });
    expectBadInput(await transfer(id, '905', 'Ei muutosta'), 'municipalityCode');
  });
});

describe('an id that is not a UUID', () => {
  it.each([
    'not-a-uuid',
    '905',
    '',
    "1'; DROP TABLE notification; --",
    '6f1c1b5e-3c1a-4c7e-9b7e-2f6f0f6d8a1',
  ])('%j: NOT_FOUND on every change, null from notification(id)', async (id) => {
    const sends: (() => Promise<GraphQLResponse<unknown>>)[] = [
      () => app.request(MoveToProcessingDocument, { id }, vaasa),
      () => app.request(ReturnToNewDocument, { id }, vaasa),
      () =>
        app.request(
          TransferToMunicipalityDocument,
          { id, municipalityCode: '499', reason: 'Väärä kunta' },
          vaasa,
        ),
    ];
    for (const send of sends) {
      const response = await withoutChange(send);
      expect(response.status).toBeLessThan(500);
      expect(response.errors?.map((error) => error.extensions?.code)).toEqual(['NOT_FOUND']);
      expect(response.data).toBeNull();
    }
    const one = await app.request(NotificationDocument, { id }, vaasa);
    expect(one.status).toBe(200);
    expect(one.errors).toBeUndefined();
    expect(one.data).toEqual({ notification: null });
  });
});

async function personWithCode(given: GivenNotification, code: string): Promise<GivenNotification> {
  await app.dataSource.query('UPDATE person SET personal_identity_code = $1 WHERE id = $2', [
    code,
    given.personId,
  ]);
  return { ...given, personalIdentityCode: code };
}

describe('which operation to run', () => {
  const post = async (body: object) => {
    const response = await fetch(app.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${vaasa}` },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as GraphQLResponse<unknown> };
  };

  it.each([
    ['an operationName the document lacks', { query: 'query A { viewer { name } }', operationName: 'B' }],
    [
      'no operationName for a document of two',
      { query: 'query A { viewer { name } } query B { labels { language } }' },
    ],
  ])('%s is OPERATION_RESOLUTION_FAILURE (400), not an internal error', async (_case, body) => {
    const before = await databaseState();
    const { status, body: result } = await post(body);
    expect(status).toBe(400);
    expect(result.errors?.[0]?.extensions?.code).toBe('OPERATION_RESOLUTION_FAILURE');
    expect(await databaseState()).toEqual(before);
  });

  it('the operation named is the one that runs', async () => {
    const { status, body } = await post({
      query: 'query A { viewer { name } } query B { labels { language } }',
      operationName: 'B',
    });
    expect(status).toBe(200);
    expect(body.data).toEqual({ labels: { language: 'EN' } });
  });
});

describe('variables that do not fit their declared types', () => {
  const post = async (body: object, headers: Record<string, string> = {}, token?: string) => {
    const response = await fetch(app.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...headers,
      },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as GraphQLResponse<unknown> };
  };
  const page = 'query ($f: Int!) { notifications(filter: { status: NEW }, first: $f) { totalCount } }';

  // graphql-jit runs every operation: its own coercion refuses these before any resolver runs.
  it.each([
    ['a null ID!', 'query ($id: ID!) { notification(id: $id) { id } }', { id: null }, 'id'],
    [
      'an unknown enum value',
      'query ($s: NotificationStatus!) { notifications(filter: { status: $s }) { totalCount } }',
      { s: 'NOPE' },
      's',
    ],
    [
      'an unknown enum value inside an input object',
      'query ($filter: NotificationFilter!) { notifications(filter: $filter) { totalCount } }',
      { filter: { status: 'NOPE' } },
      'filter',
    ],
    ['first of 1.5', page, { f: 1.5 }, 'f'],
    ['first of "10"', page, { f: '10' }, 'f'],
    ['first of null', page, { f: null }, 'f'],
    ['first of 2^31', page, { f: 2 ** 31 }, 'f'],
    ['a Language of "XX"', 'query ($l: Language) { labels(language: $l) { language } }', { l: 'XX' }, 'l'],
    [
      'an invalid DateTimeISO',
      'query ($from: DateTimeISO) { accessLog(filter: { from: $from }) { totalCount } }',
      { from: 'yesterday' },
      'from',
    ],
    ['a required variable left out', 'query ($id: ID!) { notification(id: $id) { id } }', {}, 'id'],
  ])(
    '%s is BAD_USER_INPUT (400) naming the variable, anonymously and signed in',
    async (_case, query, variables, name) => {
      for (const token of [undefined, vaasa]) {
        const before = await databaseState();
        const { status, body } = await post({ query, variables }, {}, token);
        expect(status).toBe(400);
        expect(body.data).toBeUndefined();
        expect(body.errors?.length).toBeGreaterThan(0);
        for (const error of body.errors ?? []) {
          expect(error.extensions).toMatchObject({ code: 'BAD_USER_INPUT', variableName: name });
          expect(error.message).toContain(`"$${name}"`);
        }
        expect(await databaseState()).toEqual(before);
      }
    },
  );

  it('says where inside an input object and which type was expected', async () => {
    const { body } = await post({
      query: 'query ($filter: NotificationFilter!) { notifications(filter: $filter) { totalCount } }',
      variables: { filter: { status: 'NOPE' } },
    });
    expect(body.errors?.[0]?.message).toBe(
      'Variable "$filter" got an invalid value at "filter.status"; Expected type "NotificationStatus!".',
    );
  });

  it('never quotes the value: an identity code sent as a wrongly typed variable is not echoed', async () => {
    const { status, body } = await post({ query: page, variables: { f: '180280-900W' } }, {}, vaasa);
    expect(status).toBe(400);
    expect(body.errors?.[0]?.message).toBe('Variable "$f" got an invalid value; Expected type "Int!".');
    expect(JSON.stringify(body)).not.toContain('180280');
  });

  it('is named in Finnish too, with the English detail beside it', async () => {
    const { body } = await post({ query: page, variables: { f: 1.5 } }, { 'accept-language': 'fi' });
    expect(body.errors?.[0]).toMatchObject({
      message: 'Virheellinen syöte ($f).',
      extensions: {
        code: 'BAD_USER_INPUT',
        variableName: 'f',
        detail: 'Variable "$f" got an invalid value; Expected type "Int!".',
      },
    });
  });

  it('is answered 200 with the errors when the client asks for application/json by name', async () => {
    const { status, body } = await post(
      { query: page, variables: { f: 1.5 } },
      { accept: 'application/json' },
    );
    expect(status).toBe(200);
    expect(body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });
});

describe('first beyond its range in an operation over the cost limit', () => {
  const send = (query: string, first: number) =>
    withoutChange(async () => {
      const response = await fetch(app.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${vaasa}` },
        body: JSON.stringify({ query, variables: { first } }),
      });
      return { status: response.status, ...((await response.json()) as object) } as GraphQLResponse<unknown>;
    });
  const notifications =
    'query ($first: Int!) { notifications(filter: { status: NEW }, first: $first) { edges { node { id status createdAt person { lastName firstNames personalIdentityCode dateOfBirth } } } } }';
  const nestedLists =
    'query ($first: Int!) { homeCareAllowanceLists(first: $first) { edges { node { rows(first: 200) { edges { node { lastName firstNames } } } } } } }';

  it.each([
    ['notifications', 1000],
    ['lists of 200 rows', 1000],
    ['lists of 200 rows', 201],
  ])('%s, first: %i is BAD_USER_INPUT (400) naming first, not the cost limit', async (operation, first) => {
    const response = await send(operation === 'notifications' ? notifications : nestedLists, first);
    expect(response.status).toBe(400);
    expect(response.errors).toEqual([
      {
        message: 'Invalid first: must be between 1 and 200.',
        extensions: { code: 'BAD_USER_INPUT', argumentName: 'first' },
      },
    ]);
  });

  it('a first within range over the cost limit is still the cost limit', async () => {
    const response = await send(nestedLists, 200);
    expect(response.status).toBe(400);
    expect(response.errors?.[0]?.extensions).toEqual({ code: 'GRAPHQL_VALIDATION_FAILED', limit: 'maxCost' });
  });
});

// Last in the file: it reads what every request above logged.
describe('the log of this suite', () => {
  it('holds no identity code and no error-level line for any of these client mistakes', () => {
    expect(logs.lines.filter((line) => line.includes('"request completed"')).length).toBeGreaterThan(80);
    expect(logs.identityCodes()).toEqual([]);
    expect(logs.errors()).toEqual([]);
  });
});
