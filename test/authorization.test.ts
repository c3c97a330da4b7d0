import { randomUUID } from 'node:crypto';
import { type JWTPayload, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSigningKey } from '../src/auth/signing-key';
import { NotificationStatus } from '../src/domain/enums';
import {
  HomeCareAllowanceListsDocument,
  MoveToProcessingDocument,
  MunicipalitiesDocument,
  NotificationDocument,
  NotificationIdsDocument,
  NotificationsDocument,
  ReturnToNewDocument,
  TransferToMunicipalityDocument,
  ViewerDocument,
} from './generated/graphql';
import {
  AUDIENCE,
  type GraphQLResponse,
  ISSUER,
  MAX_TOKEN_LIFETIME_SECONDS,
  STRONG_ACR,
  startTestApp,
  type TestApp,
  TokenFactory,
  WEAK_ACR,
} from './support/app';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => {
  await app?.close();
});

const INTEGRATION = ['INTEGRATION_CLIENT_DATA'];

function codes(response: GraphQLResponse<unknown>) {
  return response.errors?.map((error) => error.extensions?.code);
}

/** The columns a handler's change would touch, plus everything written beside it. */
async function stateOf(id: string) {
  const [notification] = await app.dataSource.query(
    'SELECT status, municipality_code, version, processing_started_at, updated_at FROM notification WHERE id = $1',
    [id],
  );
  const transfers = await app.dataSource.query(
    'SELECT * FROM notification_transfer WHERE notification_id = $1',
    [id],
  );
  const audit = await app.dataSource.query('SELECT * FROM audit_event WHERE notification_id = $1', [id]);
  return { notification, transfers, audit };
}

/** All three handler changes on one notification, each as a separate request. */
async function everyMutation(id: string, token?: string) {
  return {
    moveToProcessing: await app.request(MoveToProcessingDocument, { id }, token),
    returnToNew: await app.request(ReturnToNewDocument, { id }, token),
    transferToMunicipality: await app.request(
      TransferToMunicipalityDocument,
      { id, municipalityCode: '091', reason: 'Asuu Helsingissä' },
      token,
    ),
  };
}

describe('without a token', () => {
  it('notifications, notification, the mutations and viewer answer UNAUTHENTICATED and show nothing', async () => {
    const { id } = await app.given.notification({ municipalityCode: '905' });
    const before = await stateOf(id);

    const list = await app.request(NotificationIdsDocument, { filter: { status: 'NEW' } });
    expect(codes(list)).toEqual(['UNAUTHENTICATED']);
    expect(list.data).toBeNull();

    const one = await app.request(NotificationDocument, { id });
    expect(codes(one)).toEqual(['UNAUTHENTICATED']);
    expect(one.data).toEqual({ notification: null });

    const mutations = await everyMutation(id);
    for (const response of Object.values(mutations)) {
      expect(codes(response)).toEqual(['UNAUTHENTICATED']);
      expect(response.data).toBeNull();
    }
    expect(await stateOf(id)).toEqual(before);

    const viewer = await app.request(ViewerDocument, {});
    expect(codes(viewer)).toEqual(['UNAUTHENTICATED']);
    expect(viewer.data).toBeNull();

    const municipalities = await app.request(MunicipalitiesDocument, {});
    expect(codes(municipalities)).toEqual(['UNAUTHENTICATED']);
    expect(municipalities.data).toBeNull();
  });

  it('a municipality filter answers UNAUTHENTICATED too, never FORBIDDEN', async () => {
    for (const municipalityCode of ['905', '091']) {
      const list = await app.request(NotificationIdsDocument, {
        filter: { status: 'NEW', municipalityCode },
      });
      expect(codes(list)).toEqual(['UNAUTHENTICATED']);
      expect(list.data).toBeNull();
      const lists = await app.request(HomeCareAllowanceListsDocument, { municipalityCode });
      expect(codes(lists)).toEqual(['UNAUTHENTICATED']);
      expect(lists.data).toBeNull();
    }
  });
});

describe('a token the service must not trust', () => {
  const claims = {
    acr: STRONG_ACR,
    name: 'Test Handler',
    mandates: [{ municipality: '905', issues: INTEGRATION }],
  };

  const cases: [string, () => Promise<string>][] = [
    [
      'signed by a key the gateway does not publish',
      async () => new TokenFactory((await generateSigningKey()).key).handler(['905']),
    ],
    [
      "signed by another key under the trusted key's kid",
      async () => {
        const { key } = await generateSigningKey();
        return new TokenFactory({ ...key, kid: app.tokens.key.kid }).handler(['905']);
      },
    ],
    [
      'with its payload changed after signing (a mandate added)',
      async () => {
        const [header, , signature] = (await app.tokens.handler(['905'])).split('.');
        const forged = Buffer.from(
          JSON.stringify({
            iss: ISSUER,
            aud: AUDIENCE,
            sub: 'handler-905',
            exp: Math.floor(Date.now() / 1000) + 3600,
            ...claims,
            mandates: [...claims.mandates, { municipality: '499', issues: INTEGRATION }],
          }),
        ).toString('base64url');
        return `${header}.${forged}.${signature}`;
      },
    ],
    ['unsigned (alg none)', async () => unsigned(claims)],
    ['expired a minute ago', () => app.tokens.handler(['905'], { expiresIn: '-1m' })],
    ['for another audience', () => app.tokens.sign(claims, { audience: 'some-other-service' })],
    ['from another issuer', () => app.tokens.sign(claims, { issuer: 'https://evil-gateway.test' })],
    ['living 100 years', () => app.tokens.sign(claims, { expiresIn: '100y' })],
    [
      'living a second longer than the maximum lifetime',
      () => app.tokens.sign(claims, { expiresIn: `${MAX_TOKEN_LIFETIME_SECONDS + 1}s` }),
    ],
    ['without iat', () => signedWithout('iat', claims)],
    ['without exp', () => signedWithout('exp', claims)],
  ];

  it.each(cases)('%s: HTTP 401, UNAUTHENTICATED, no data', async (_name, makeToken) => {
    const { id } = await app.given.notification({ municipalityCode: '905' });
    const before = await stateOf(id);
    const token = await makeToken();

    for (const response of [
      await app.request(NotificationIdsDocument, { filter: { status: 'NEW' } }, token),
      await app.request(NotificationDocument, { id }, token),
      await app.request(ViewerDocument, {}, token),
      ...Object.values(await everyMutation(id, token)),
    ]) {
      expect(response.status).toBe(401);
      expect(codes(response)).toEqual(['UNAUTHENTICATED']);
      expect(response.data ?? null).toBeNull();
    }
    expect(await stateOf(id)).toEqual(before);
  });
});

/** Signed by the trusted key like the gateway's tokens, but missing one of the time claims. */
function signedWithout(claim: 'iat' | 'exp', payload: JWTPayload): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const jwt = new SignJWT(payload)
    .setProtectedHeader({ alg: 'ES256', kid: app.tokens.key.kid, typ: 'JWT' })
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setSubject('handler-905');
  if (claim !== 'iat') jwt.setIssuedAt(now);
  if (claim !== 'exp') jwt.setExpirationTime(now + 3600);
  return jwt.sign(app.tokens.key.privateKey);
}

function unsigned(payload: object): string {
  const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
  const body = Buffer.from(
    JSON.stringify({
      iss: ISSUER,
      aud: AUDIENCE,
      sub: 'handler-905',
      exp: Math.floor(Date.now() / 1000) + 3600,
      ...payload,
    }),
  ).toString('base64url');
  return `${header}.${body}.`;
}

describe('an authenticated caller without the right to integration-service data', () => {
  it('weak authentication (loa1): FORBIDDEN on notifications and changes; viewer says not strong, no grants', async () => {
    const weak = await app.tokens.handler(['905'], { acr: WEAK_ACR });
    const { id } = await app.given.notification({ municipalityCode: '905' });
    const before = await stateOf(id);

    const list = await app.request(NotificationIdsDocument, { filter: { status: 'NEW' } }, weak);
    expect(codes(list)).toEqual(['FORBIDDEN']);
    expect(list.data).toBeNull();

    const one = await app.request(NotificationDocument, { id }, weak);
    expect(codes(one)).toEqual(['FORBIDDEN']);
    expect(one.data).toEqual({ notification: null });

    const moved = await app.request(MoveToProcessingDocument, { id }, weak);
    expect(codes(moved)).toEqual(['FORBIDDEN']);
    expect(moved.data).toBeNull();
    expect(await stateOf(id)).toEqual(before);

    const viewer = await app.request(ViewerDocument, {}, weak);
    expect(viewer.errors).toBeUndefined();
    expect(viewer.data?.viewer).toMatchObject({
      kind: 'PERSON',
      stronglyAuthenticated: false,
      grants: [],
      dataContents: [],
      municipalities: [],
    });
  });

  it('a token without acr counts as weak', async () => {
    const token = await app.tokens.sign({
      name: 'No Acr',
      mandates: [{ municipality: '905', issues: INTEGRATION }],
    });
    const list = await app.request(NotificationIdsDocument, { filter: { status: 'NEW' } }, token);
    expect(codes(list)).toEqual(['FORBIDDEN']);
    const viewer = await app.request(ViewerDocument, {}, token);
    expect(viewer.data?.viewer).toMatchObject({ stronglyAuthenticated: false, grants: [] });
  });

  it('no mandates at all: FORBIDDEN on notifications, notification and changes', async () => {
    const token = await app.tokens.handler([]);
    const { id } = await app.given.notification({ municipalityCode: '905' });
    const before = await stateOf(id);

    const list = await app.request(NotificationIdsDocument, { filter: { status: 'NEW' } }, token);
    expect(codes(list)).toEqual(['FORBIDDEN']);
    expect(list.data).toBeNull();
    const one = await app.request(NotificationDocument, { id }, token);
    expect(codes(one)).toEqual(['FORBIDDEN']);
    expect(one.data).toEqual({ notification: null });
    for (const response of Object.values(await everyMutation(id, token))) {
      expect(codes(response)).toEqual(['FORBIDDEN']);
      expect(response.data).toBeNull();
    }
    expect(await stateOf(id)).toEqual(before);

    const viewer = await app.request(ViewerDocument, {}, token);
    expect(viewer.data?.viewer).toMatchObject({
      stronglyAuthenticated: true,
      grants: [],
      municipalities: [],
    });
  });

  it('a mandate for another issue (social assistance) in the same municipality: FORBIDDEN', async () => {
    const token = await app.tokens.handler(['905'], { issues: ['SOCIAL_ASSISTANCE_CLIENT_DATA'] });
    const { id } = await app.given.notification({ municipalityCode: '905' });
    const before = await stateOf(id);

    const list = await app.request(NotificationIdsDocument, { filter: { status: 'NEW' } }, token);
    expect(codes(list)).toEqual(['FORBIDDEN']);
    expect(list.data).toBeNull();
    const filtered = await app.request(
      NotificationIdsDocument,
      { filter: { status: 'NEW', municipalityCode: '905' } },
      token,
    );
    expect(codes(filtered)).toEqual(['FORBIDDEN']);
    const one = await app.request(NotificationDocument, { id }, token);
    expect(codes(one)).toEqual(['FORBIDDEN']);
    expect(one.data).toEqual({ notification: null });
    const moved = await app.request(MoveToProcessingDocument, { id }, token);
    expect(codes(moved)).toEqual(['FORBIDDEN']);
    expect(await stateOf(id)).toEqual(before);

    const viewer = await app.request(ViewerDocument, {}, token);
    expect(viewer.data?.viewer.grants).toEqual([
      {
        municipalityCode: '905',
        dataContents: ['SOCIAL_ASSISTANCE'],
        purpose: 'SOCIAL_ASSISTANCE_CLIENT_DATA',
      },
    ]);
  });

  it.each(['constructor', '__proto__', 'hasOwnProperty', 'toString'])(
    'a mandate issue named %s is an unknown issue: ignored, the token and its other mandates work',
    async (issue) => {
      const { id } = await app.given.notification({ municipalityCode: '905' });
      const token = await app.tokens.sign({
        acr: STRONG_ACR,
        name: 'Test Handler',
        mandates: [
          { municipality: '905', issues: [issue, ...INTEGRATION] },
          { municipality: '499', issues: [issue] },
        ],
      });
      const viewer = await app.request(ViewerDocument, {}, token);
      expect(viewer.status).toBe(200);
      expect(viewer.errors).toBeUndefined();
      expect(viewer.data?.viewer.grants).toEqual([
        {
          municipalityCode: '905',
          dataContents: ['INTEGRATION_SERVICES', 'INTEGRATION_SERVICES_HOME_CARE_ALLOWANCE'],
          purpose: 'INTEGRATION_CLIENT_DATA',
        },
      ]);
      const one = await app.request(NotificationDocument, { id }, token);
      expect(one.data?.notification).toMatchObject({ id });
    },
  );

  it('a partner system without an agreement: FORBIDDEN, even when its token carries mandate claims', async () => {
    const { id } = await app.given.notification({ municipalityCode: '905' });
    const before = await stateOf(id);
    const plain = await app.tokens.sign({ client_id: 'vaasa-case-system' }, { subject: 'vaasa-case-system' });
    const withClaims = await app.tokens.sign(
      {
        client_id: 'vaasa-case-system',
        acr: STRONG_ACR,
        mandates: [{ municipality: '905', issues: INTEGRATION }],
      },
      { subject: 'vaasa-case-system' },
    );

    for (const token of [plain, withClaims]) {
      const list = await app.request(NotificationIdsDocument, { filter: { status: 'NEW' } }, token);
      expect(codes(list)).toEqual(['FORBIDDEN']);
      expect(list.data).toBeNull();
      const one = await app.request(NotificationDocument, { id }, token);
      expect(codes(one)).toEqual(['FORBIDDEN']);
      expect(one.data).toEqual({ notification: null });
      for (const response of Object.values(await everyMutation(id, token))) {
        expect(codes(response)).toEqual(['FORBIDDEN']);
        expect(response.data).toBeNull();
      }
      const viewer = await app.request(ViewerDocument, {}, token);
      expect(viewer.data?.viewer).toMatchObject({ kind: 'PARTNER_SYSTEM', grants: [], municipalities: [] });
    }
    expect(await stateOf(id)).toEqual(before);
  });
});

describe("another municipality's notification", () => {
  it('by id: notification(id) is null without an error, as for an id that does not exist', async () => {
    const vaasa = await app.tokens.handler(['905']);
    const korsholm = await app.tokens.handler(['499']);
    const { id } = await app.given.notification({ municipalityCode: '499' });

    const seen = await app.request(NotificationDocument, { id }, vaasa);
    expect(seen.errors).toBeUndefined();
    expect(seen.data).toEqual({ notification: null });

    const missing = await app.request(NotificationDocument, { id: randomUUID() }, vaasa);
    expect(missing).toEqual(seen);

    const own = await app.request(NotificationDocument, { id }, korsholm);
    expect(own.data?.notification).toMatchObject({ id, municipality: { code: '499' } });
  });

  it('by filter: a real municipality outside the mandates is FORBIDDEN', async () => {
    const vaasa = await app.tokens.handler(['905']);
    await app.given.notification({ municipalityCode: '499' });
    for (const municipalityCode of ['499', '091']) {
      const response = await app.request(
        NotificationIdsDocument,
        { filter: { status: 'NEW', municipalityCode } },
        vaasa,
      );
      expect(codes(response)).toEqual(['FORBIDDEN']);
      expect(response.data).toBeNull();
    }
  });

  it('by filter: the identity code of a person in another municipality gives an empty list', async () => {
    const vaasa = await app.tokens.handler(['905']);
    const korsholm = await app.tokens.handler(['499']);
    const { id, personalIdentityCode } = await app.given.notification({ municipalityCode: '499' });

    for (const status of ['NEW', 'IN_PROCESSING'] as const) {
      const response = await app.request(
        NotificationsDocument,
        { filter: { status, personalIdentityCode } },
        vaasa,
      );
      expect(response.errors).toBeUndefined();
      expect(response.data?.notifications).toEqual({
        totalCount: 0,
        pageInfo: { hasNextPage: false, endCursor: null },
        edges: [],
      });
    }

    const atHome = await app.request(
      NotificationsDocument,
      { filter: { status: 'NEW', personalIdentityCode } },
      korsholm,
    );
    expect(atHome.data?.notifications.totalCount).toBe(1);
    expect(atHome.data?.notifications.edges[0]?.node).toMatchObject({ id, person: { personalIdentityCode } });
  });

  it('by mutation: every change is NOT_FOUND and the row stays as it was', async () => {
    const vaasa = await app.tokens.handler(['905']);
    const fresh = await app.given.notification({ municipalityCode: '499', ageDays: 2 });
    const inProcessing = await app.given.notification({
      municipalityCode: '499',
      ageDays: 2,
      status: NotificationStatus.IN_PROCESSING,
    });
    const freshBefore = await stateOf(fresh.id);
    const inProcessingBefore = await stateOf(inProcessing.id);

    const moved = await app.request(MoveToProcessingDocument, { id: fresh.id }, vaasa);
    const returned = await app.request(ReturnToNewDocument, { id: inProcessing.id }, vaasa);
    // Pulling it into the handler's own municipality, and sending it on to a third one.
    const pulled = await app.request(
      TransferToMunicipalityDocument,
      { id: fresh.id, municipalityCode: '905', reason: 'Kuuluu meille' },
      vaasa,
    );
    const sent = await app.request(
      TransferToMunicipalityDocument,
      { id: fresh.id, municipalityCode: '091', reason: 'Asuu Helsingissä' },
      vaasa,
    );
    // A NEW one cannot be returned to NEW, but that must not be told to someone who cannot see it.
    const returnedNew = await app.request(ReturnToNewDocument, { id: fresh.id }, vaasa);

    for (const response of [moved, returned, pulled, sent, returnedNew]) {
      expect(codes(response)).toEqual(['NOT_FOUND']);
      expect(response.data).toBeNull();
    }
    expect(await stateOf(fresh.id)).toEqual(freshBefore);
    expect(await stateOf(inProcessing.id)).toEqual(inProcessingBefore);
    expect(freshBefore.notification).toMatchObject({ status: 'NEW', municipality_code: '499', version: 1 });
    expect(inProcessingBefore.notification).toMatchObject({
      status: 'IN_PROCESSING',
      municipality_code: '499',
    });
  });
});

describe('lists and transfers across municipalities', () => {
  it("a list without municipalityCode spans exactly the viewer's municipalities", async () => {
    const vaasa = await app.given.notification({ municipalityCode: '905' });
    const korsholm = await app.given.notification({ municipalityCode: '499' });
    const helsinki = await app.given.notification({ municipalityCode: '091' });
    const token = await app.tokens.handler(['905', '499']);

    const response = await app.request(
      NotificationsDocument,
      { filter: { status: 'NEW' }, first: 200 },
      token,
    );
    expect(response.errors).toBeUndefined();
    const connection = response.data?.notifications;
    const ids = connection?.edges.map((edge) => edge.node.id) ?? [];
    expect(ids).toContain(vaasa.id);
    expect(ids).toContain(korsholm.id);
    expect(ids).not.toContain(helsinki.id);
    expect(new Set(connection?.edges.map((edge) => edge.node.municipality.code))).toEqual(
      new Set(['905', '499']),
    );

    const [{ count }] = await app.dataSource.query(
      "SELECT count(*)::int AS count FROM notification WHERE status = 'NEW' AND municipality_code IN ('905', '499')",
    );
    expect(connection?.totalCount).toBe(count);
    expect(ids).toHaveLength(count);

    const helsinkiList = await app.request(
      NotificationIdsDocument,
      { filter: { status: 'NEW' }, first: 200 },
      await app.tokens.handler(['091']),
    );
    const helsinkiIds = helsinkiList.data?.notifications.edges.map((edge) => edge.node.id);
    expect(helsinkiIds).toContain(helsinki.id);
    expect(helsinkiIds).not.toContain(vaasa.id);
    expect(helsinkiIds).not.toContain(korsholm.id);
  });

  it('a transfer target needs no mandate: a Vaasa-only handler transfers to Helsinki', async () => {
    const vaasa = await app.tokens.handler(['905']);
    const { id } = await app.given.notification({ municipalityCode: '905' });

    const transferred = await app.request(
      TransferToMunicipalityDocument,
      { id, municipalityCode: '091', reason: 'Muuttanut Helsinkiin' },
      vaasa,
    );
    expect(transferred.errors).toBeUndefined();
    expect(transferred.data?.transferToMunicipality).toMatchObject({
      __typename: 'TransferReceipt',
      notificationId: id,
      fromMunicipalityCode: '905',
      toMunicipalityCode: '091',
      toMunicipality: { nameFi: 'Helsinki', nameSv: 'Helsingfors' },
    });
    const [row] = await app.dataSource.query('SELECT municipality_code FROM notification WHERE id = $1', [
      id,
    ]);
    expect(row).toEqual({ municipality_code: '091' });

    expect((await app.request(NotificationDocument, { id }, vaasa)).data).toEqual({ notification: null });
    const atHelsinki = await app.request(NotificationDocument, { id }, await app.tokens.handler(['091']));
    expect(atHelsinki.data?.notification).toMatchObject({ id, status: 'NEW', municipality: { code: '091' } });
  });
});

describe('municipalities', () => {
  const viewers: [string, () => Promise<string>][] = [
    ['a handler with a mandate', () => app.tokens.handler(['905'])],
    ['a weakly authenticated person', () => app.tokens.handler(['905'], { acr: WEAK_ACR })],
    ['a person with no mandates', () => app.tokens.handler([])],
    [
      'a person with another mandate issue',
      () => app.tokens.handler(['905'], { issues: ['SOCIAL_ASSISTANCE_CLIENT_DATA'] }),
    ],
    ['a partner system without an agreement', () => app.tokens.sign({ client_id: 'partner' })],
  ];

  it.each(viewers)('%s gets all 308', async (_name, makeToken) => {
    const response = await app.request(MunicipalitiesDocument, {}, await makeToken());
    expect(response.errors).toBeUndefined();
    const municipalities = response.data?.municipalities ?? [];
    expect(municipalities).toHaveLength(308);
    expect(new Set(municipalities.map((m) => m.code)).size).toBe(308);
    expect(municipalities).toContainEqual(
      expect.objectContaining({ code: '905', nameFi: 'Vaasa', nameSv: 'Vasa' }),
    );
    expect(municipalities).toContainEqual(expect.objectContaining({ code: '091', nameFi: 'Helsinki' }));
  });
});
