import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DataContent, NotificationStatus } from '../src/domain/enums';
import { AgreementError, type NewAgreement } from '../src/services/agreement.service';
import { recipient } from './fixtures/home-care-allowance';
import {
  HomeCareAllowanceListDocument,
  HomeCareAllowanceListsDocument,
  MoveToProcessingDocument,
  NotificationDocument,
  NotificationsDocument,
  PartnerViewerDocument,
  ReturnToNewDocument,
  TransferToMunicipalityDocument,
} from './generated/graphql';
import { type GraphQLResponse, STRONG_ACR, startTestApp, type TestApp } from './support/app';
import { createTestDatabase } from './support/database';
import type { GivenNotification } from './support/given';

/** The instant TestClock starts at: 2 November 2026 in Finland. */
const START = new Date('2026-11-02T09:00:00.000Z');

let app: TestApp;
let vaasaNew: GivenNotification[];
let korsholmNew: GivenNotification;
let helsinkiNew: GivenNotification;
let listIds: Record<'905' | '499', string>;

const agreements = () => app.server.services.agreements;
const base = () => app.url.replace(/\/graphql$/, '');

function codes(response: GraphQLResponse<unknown>) {
  return response.errors?.map((error) => error.extensions?.code);
}

function download(pathname: string, token: string) {
  return fetch(base() + pathname, { headers: { authorization: `Bearer ${token}` } });
}

/** A fresh client id per test, so that one test's agreements never give another test's client rights. */
function newClientId(): string {
  return `vaasa-crm-${randomUUID()}`;
}

function agreement(overrides: Partial<NewAgreement> = {}): NewAgreement {
  return {
    clientId: newClientId(),
    organisationName: 'Vaasan kaupunki',
    businessId: '0209602-6',
    legalBasis: 'Laki kotoutumisen edistämisestä (681/2023) 84 §',
    dataContents: [DataContent.INTEGRATION_SERVICES],
    municipalityCodes: ['905'],
    validFrom: '2026-01-01',
    validTo: null,
    ...overrides,
  };
}

/** A partner system's token as the token contract describes it: client_id, no acr, no mandates. */
function partnerToken(clientId: string, extraClaims: Record<string, unknown> = {}) {
  return app.tokens.sign({ client_id: clientId, name: 'Vaasa CRM', ...extraClaims }, { subject: clientId });
}

async function countNew(municipalityCodes: string[]): Promise<number> {
  const [{ count }] = await app.dataSource.query(
    "SELECT count(*)::int AS count FROM notification WHERE status = 'NEW' AND municipality_code = ANY($1)",
    [municipalityCodes],
  );
  return count;
}

async function notificationRow(id: string) {
  const [row] = await app.dataSource.query(
    'SELECT status, municipality_code, version, processing_started_at, updated_at FROM notification WHERE id = $1',
    [id],
  );
  return row;
}

async function agreementCount(): Promise<number> {
  const [{ count }] = await app.dataSource.query('SELECT count(*)::int AS count FROM partner_agreement');
  return count;
}

beforeAll(async () => {
  app = await startTestApp();
  vaasaNew = await app.given.notifications(3, { municipalityCode: '905' });
  await app.given.notification({
    municipalityCode: '905',
    status: NotificationStatus.IN_PROCESSING,
    ageDays: 2,
  });
  korsholmNew = await app.given.notification({ municipalityCode: '499', postalCode: '65610' });
  helsinkiNew = await app.given.notification({ municipalityCode: '091', postalCode: '00100' });

  const report = await app.server.services.recipientImport.importLines([
    recipient({ municipalityCode: '905', lastName: 'Hämäläinen' }).line,
    recipient({ municipalityCode: '499', lastName: 'Åström', postalCode: '65610' }).line,
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

afterEach(() => {
  app.clock.set(START);
});

describe('a partner with an agreement for integration services in Vaasa (905)', () => {
  it("sees Vaasa's notifications, as a list and by id, with the person's data", async () => {
    const created = await agreements().add(agreement());
    const token = await partnerToken(created.clientId);

    const list = await app.request(NotificationsDocument, { filter: { status: 'NEW' }, first: 200 }, token);
    expect(list.errors).toBeUndefined();
    const connection = list.data?.notifications;
    const ids = connection?.edges.map((edge) => edge.node.id) ?? [];
    for (const given of vaasaNew) expect(ids).toContain(given.id);
    expect(connection?.totalCount).toBe(await countNew(['905']));
    expect(ids).toHaveLength(await countNew(['905']));
    const first = connection?.edges.find((edge) => edge.node.id === vaasaNew[0]?.id)?.node;
    expect(first).toMatchObject({
      status: 'NEW',
      municipality: { code: '905' },
      person: {
        personalIdentityCode: vaasaNew[0]?.personalIdentityCode,
        lastName: expect.any(String),
        address: { street: 'Kauppapuistikko 1', postalCode: '65100' },
      },
    });

    const filtered = await app.request(
      NotificationsDocument,
      { filter: { status: 'NEW', municipalityCode: '905' }, first: 200 },
      token,
    );
    expect(filtered.errors).toBeUndefined();
    expect(filtered.data?.notifications.totalCount).toBe(await countNew(['905']));

    const one = await app.request(NotificationDocument, { id: vaasaNew[1]?.id as string }, token);
    expect(one.errors).toBeUndefined();
    expect(one.data?.notification).toMatchObject({
      id: vaasaNew[1]?.id,
      municipality: { code: '905' },
      person: { personalIdentityCode: vaasaNew[1]?.personalIdentityCode, firstNames: 'Test' },
    });
  });

  it('can move a Vaasa notification to processing, recorded under its client id', async () => {
    const created = await agreements().add(agreement());
    const token = await partnerToken(created.clientId);
    const { id } = await app.given.notification({ municipalityCode: '905', ageDays: 3 });

    const moved = await app.request(MoveToProcessingDocument, { id }, token);
    expect(moved.errors).toBeUndefined();
    expect(moved.data?.moveToProcessing).toMatchObject({
      __typename: 'Notification',
      id,
      status: 'IN_PROCESSING',
    });
    expect(await notificationRow(id)).toMatchObject({ status: 'IN_PROCESSING', municipality_code: '905' });
    const audit = await app.dataSource.query(
      'SELECT actor_kind, actor_id, action FROM audit_event WHERE notification_id = $1',
      [id],
    );
    expect(audit).toEqual([
      { actor_kind: 'PARTNER_SYSTEM', actor_id: created.clientId, action: 'MOVE_TO_PROCESSING' },
    ]);
  });

  it("does not see Mustasaari's (499) notifications: the list spans only 905, a 499 filter is FORBIDDEN, by id null", async () => {
    const created = await agreements().add(agreement());
    const token = await partnerToken(created.clientId);

    const list = await app.request(NotificationsDocument, { filter: { status: 'NEW' }, first: 200 }, token);
    expect(list.errors).toBeUndefined();
    const edges = list.data?.notifications.edges ?? [];
    expect(edges.length).toBeGreaterThan(0);
    expect(new Set(edges.map((edge) => edge.node.municipality.code))).toEqual(new Set(['905']));
    expect(edges.map((edge) => edge.node.id)).not.toContain(korsholmNew.id);
    expect(edges.map((edge) => edge.node.id)).not.toContain(helsinkiNew.id);

    for (const municipalityCode of ['499', '091']) {
      const filtered = await app.request(
        NotificationsDocument,
        { filter: { status: 'NEW', municipalityCode } },
        token,
      );
      expect(codes(filtered)).toEqual(['FORBIDDEN']);
      expect(filtered.data).toBeNull();
    }

    const byPerson = await app.request(
      NotificationsDocument,
      { filter: { status: 'NEW', personalIdentityCode: korsholmNew.personalIdentityCode } },
      token,
    );
    expect(byPerson.errors).toBeUndefined();
    expect(byPerson.data?.notifications.totalCount).toBe(0);

    const one = await app.request(NotificationDocument, { id: korsholmNew.id }, token);
    expect(one.errors).toBeUndefined();
    expect(one.data).toEqual({ notification: null });

    const before = await notificationRow(korsholmNew.id);
    const moved = await app.request(MoveToProcessingDocument, { id: korsholmNew.id }, token);
    expect(codes(moved)).toEqual(['NOT_FOUND']);
    expect(moved.data).toBeNull();
    expect(await notificationRow(korsholmNew.id)).toEqual(before);
  });

  it('gets FORBIDDEN on the child home care allowance lists until a second agreement adds that data content', async () => {
    const created = await agreements().add(agreement());
    const token = await partnerToken(created.clientId);

    const lists = await app.request(HomeCareAllowanceListsDocument, {}, token);
    expect(codes(lists)).toEqual(['FORBIDDEN']);
    expect(lists.data).toBeNull();
    const vaasaLists = await app.request(HomeCareAllowanceListsDocument, { municipalityCode: '905' }, token);
    expect(codes(vaasaLists)).toEqual(['FORBIDDEN']);
    const one = await app.request(HomeCareAllowanceListDocument, { id: listIds['905'] }, token);
    expect(codes(one)).toEqual(['FORBIDDEN']);
    expect(one.data?.homeCareAllowanceList ?? null).toBeNull();
    const refused = await download(`/downloads/home-care-allowance-lists/${listIds['905']}.csv`, token);
    expect([403, 404]).toContain(refused.status);
    expect(refused.headers.get('content-type')).not.toMatch(/text\/csv/);
    expect(await refused.text()).not.toContain('Hämäläinen');

    const second = await agreements().add(
      agreement({
        clientId: created.clientId,
        dataContents: [DataContent.INTEGRATION_SERVICES_HOME_CARE_ALLOWANCE],
        validFrom: '2026-06-01',
      }),
    );
    expect(second.id).not.toBe(created.id);

    const visible = await app.request(HomeCareAllowanceListsDocument, {}, token);
    expect(visible.errors).toBeUndefined();
    expect(visible.data?.homeCareAllowanceLists.edges.map((edge) => edge.node.id)).toEqual([listIds['905']]);
    const list = await app.request(HomeCareAllowanceListDocument, { id: listIds['905'], first: 10 }, token);
    expect(list.errors).toBeUndefined();
    expect(list.data?.homeCareAllowanceList?.rows.edges.map((edge) => edge.node.lastName)).toEqual([
      'Hämäläinen',
    ]);
    const csv = await download(`/downloads/home-care-allowance-lists/${listIds['905']}.csv`, token);
    expect(csv.status).toBe(200);
    expect(await csv.text()).toContain('Hämäläinen');

    // Mustasaari's list stays out of reach: the second agreement covers Vaasa only.
    const korsholm = await app.request(HomeCareAllowanceListsDocument, { municipalityCode: '499' }, token);
    expect(codes(korsholm)).toEqual(['FORBIDDEN']);
    const korsholmList = await app.request(HomeCareAllowanceListDocument, { id: listIds['499'] }, token);
    expect(korsholmList.data?.homeCareAllowanceList ?? null).toBeNull();
    const korsholmCsv = await download(`/downloads/home-care-allowance-lists/${listIds['499']}.csv`, token);
    expect(korsholmCsv.status).toBe(404);
  });
});

describe('viewer for a partner system', () => {
  it('shows kind PARTNER_SYSTEM, the grants per municipality with the agreements as purpose, and the agreements in force', async () => {
    const clientId = newClientId();
    const integration = await agreements().add(
      agreement({
        clientId,
        municipalityCodes: ['905', '946'],
        validFrom: '2026-01-01',
        validTo: '2027-12-31',
      }),
    );
    const homeCare = await agreements().add(
      agreement({
        clientId,
        organisationName: 'Pohjanmaan hyvinvointialue',
        businessId: '1234567-1',
        legalBasis: 'Laki kotoutumisen edistämisestä (681/2023) 14 §',
        dataContents: [DataContent.INTEGRATION_SERVICES_HOME_CARE_ALLOWANCE],
        municipalityCodes: ['905'],
        validFrom: '2026-03-01',
      }),
    );
    // Not in force today, or another client's: none of these may show.
    const ended = await agreements().add(agreement({ clientId, municipalityCodes: ['091'] }));
    await agreements().end(ended.id, app.clock.now());
    await agreements().add(agreement({ clientId, municipalityCodes: ['598'], validTo: '2026-10-31' }));
    await agreements().add(agreement({ clientId, municipalityCodes: ['499'], validFrom: '2026-11-03' }));
    await agreements().add(agreement({ municipalityCodes: ['598'] }));

    const response = await app.request(PartnerViewerDocument, {}, await partnerToken(clientId));
    expect(response.errors).toBeUndefined();
    const viewer = response.data?.viewer;
    expect(viewer).toMatchObject({
      kind: 'PARTNER_SYSTEM',
      name: 'Vaasa CRM',
      stronglyAuthenticated: true,
      dataContents: ['INTEGRATION_SERVICES', 'INTEGRATION_SERVICES_HOME_CARE_ALLOWANCE'],
    });
    const grants = [...(viewer?.grants ?? [])].sort((a, b) =>
      a.municipalityCode.localeCompare(b.municipalityCode),
    );
    expect(grants).toEqual([
      {
        municipalityCode: '905',
        dataContents: ['INTEGRATION_SERVICES', 'INTEGRATION_SERVICES_HOME_CARE_ALLOWANCE'],
        purpose: [`agreement:${integration.id}`, `agreement:${homeCare.id}`].sort().join(','),
      },
      {
        municipalityCode: '946',
        dataContents: ['INTEGRATION_SERVICES'],
        purpose: `agreement:${integration.id}`,
      },
    ]);
    expect(new Set(viewer?.municipalities.map((m) => m.code))).toEqual(new Set(['905', '946']));
    expect(viewer?.agreements).toEqual([
      {
        id: integration.id,
        organisationName: 'Vaasan kaupunki',
        businessId: '0209602-6',
        legalBasis: 'Laki kotoutumisen edistämisestä (681/2023) 84 §',
        dataContents: ['INTEGRATION_SERVICES'],
        municipalityCodes: ['905', '946'],
        validFrom: '2026-01-01',
        validTo: '2027-12-31',
      },
      {
        id: homeCare.id,
        organisationName: 'Pohjanmaan hyvinvointialue',
        businessId: '1234567-1',
        legalBasis: 'Laki kotoutumisen edistämisestä (681/2023) 14 §',
        dataContents: ['INTEGRATION_SERVICES_HOME_CARE_ALLOWANCE'],
        municipalityCodes: ['905'],
        validFrom: '2026-03-01',
        validTo: null,
      },
    ]);
  });

  it('a person has no agreements, even with a subject equal to a partner client id', async () => {
    const created = await agreements().add(agreement());
    const person = await app.tokens.handler(['499'], { subject: created.clientId });
    const response = await app.request(PartnerViewerDocument, {}, person);
    expect(response.errors).toBeUndefined();
    expect(response.data?.viewer).toMatchObject({
      kind: 'PERSON',
      agreements: [],
      grants: [{ municipalityCode: '499', purpose: 'INTEGRATION_CLIENT_DATA' }],
    });
  });
});

/** Everything a partner could ask for, each of which must be FORBIDDEN without a valid agreement. */
async function expectForbiddenEverywhere(token: string) {
  const list = await app.request(NotificationsDocument, { filter: { status: 'NEW' } }, token);
  expect(codes(list)).toEqual(['FORBIDDEN']);
  expect(list.data).toBeNull();
  const filtered = await app.request(
    NotificationsDocument,
    { filter: { status: 'NEW', municipalityCode: '905' } },
    token,
  );
  expect(codes(filtered)).toEqual(['FORBIDDEN']);
  expect(filtered.data).toBeNull();

  const target = vaasaNew[2] as GivenNotification;
  const one = await app.request(NotificationDocument, { id: target.id }, token);
  expect(codes(one)).toEqual(['FORBIDDEN']);
  expect(one.data).toEqual({ notification: null });

  const before = await notificationRow(target.id);
  for (const response of [
    await app.request(MoveToProcessingDocument, { id: target.id }, token),
    await app.request(ReturnToNewDocument, { id: target.id }, token),
    await app.request(
      TransferToMunicipalityDocument,
      { id: target.id, municipalityCode: '091', reason: 'Asuu Helsingissä' },
      token,
    ),
  ]) {
    expect(codes(response)).toEqual(['FORBIDDEN']);
    expect(response.data).toBeNull();
  }
  expect(await notificationRow(target.id)).toEqual(before);

  const lists = await app.request(HomeCareAllowanceListsDocument, {}, token);
  expect(codes(lists)).toEqual(['FORBIDDEN']);
  expect(lists.data).toBeNull();
  const oneList = await app.request(HomeCareAllowanceListDocument, { id: listIds['905'] }, token);
  expect(codes(oneList)).toEqual(['FORBIDDEN']);
  expect(oneList.data?.homeCareAllowanceList ?? null).toBeNull();

  for (const pathname of [
    `/downloads/home-care-allowance-lists/${listIds['905']}.csv`,
    '/downloads/notifications.csv?status=NEW&municipalityCode=905',
    '/downloads/notifications.csv?status=NEW',
    `/downloads/notifications/${target.id}.csv`,
  ]) {
    const response = await download(pathname, token);
    expect(response.status, pathname).toBe(403);
    expect(response.headers.get('content-type'), pathname).not.toMatch(/text\/csv/);
    await response.arrayBuffer();
  }

  const viewer = await app.request(PartnerViewerDocument, {}, token);
  expect(viewer.errors).toBeUndefined();
  expect(viewer.data?.viewer).toMatchObject({
    kind: 'PARTNER_SYSTEM',
    grants: [],
    dataContents: [],
    municipalities: [],
    agreements: [],
  });
}

describe('a partner without a valid agreement is FORBIDDEN on everything', () => {
  const cases: [string, (clientId: string) => Promise<unknown>][] = [
    ['no agreement at all', async () => {}],
    [
      'an agreement not yet valid (valid from tomorrow)',
      (clientId) => agreements().add(agreement({ clientId, validFrom: '2026-11-03' })),
    ],
    [
      'an expired agreement (valid to yesterday)',
      (clientId) => agreements().add(agreement({ clientId, validTo: '2026-11-01' })),
    ],
    [
      'an ended agreement',
      async (clientId) => {
        const created = await agreements().add(agreement({ clientId }));
        await agreements().end(created.id, app.clock.now());
      },
    ],
    [
      "another client's agreement (the same organisation)",
      () => agreements().add(agreement({ clientId: newClientId() })),
    ],
  ];

  it.each(cases)('%s', async (_name, arrange) => {
    const clientId = newClientId();
    await arrange(clientId);
    await expectForbiddenEverywhere(await partnerToken(clientId));
  });

  it('an agreement for social assistance only gives no integration-service data', async () => {
    const created = await agreements().add(agreement({ dataContents: [DataContent.SOCIAL_ASSISTANCE] }));
    const token = await partnerToken(created.clientId);
    const list = await app.request(NotificationsDocument, { filter: { status: 'NEW' } }, token);
    expect(codes(list)).toEqual(['FORBIDDEN']);
    const one = await app.request(NotificationDocument, { id: vaasaNew[0]?.id as string }, token);
    expect(codes(one)).toEqual(['FORBIDDEN']);
    const moved = await app.request(MoveToProcessingDocument, { id: vaasaNew[0]?.id as string }, token);
    expect(codes(moved)).toEqual(['FORBIDDEN']);
    const lists = await app.request(HomeCareAllowanceListsDocument, {}, token);
    expect(codes(lists)).toEqual(['FORBIDDEN']);
  });
});

describe('the validity period, by Finnish date', () => {
  async function sees(token: string): Promise<boolean> {
    const response = await app.request(
      NotificationsDocument,
      { filter: { status: 'NEW', municipalityCode: '905' } },
      token,
    );
    if (response.errors === undefined) {
      expect(response.data?.notifications.totalCount).toBeGreaterThan(0);
      return true;
    }
    expect(codes(response)).toEqual(['FORBIDDEN']);
    return false;
  }

  async function agreementIdsInViewer(token: string): Promise<string[]> {
    const response = await app.request(PartnerViewerDocument, {}, token);
    expect(response.errors).toBeUndefined();
    return response.data?.viewer.agreements.map((a) => a.id) ?? [];
  }

  it('in force from the first instant of validFrom to the last instant of validTo in Finland (EET, winter)', async () => {
    const starting = await agreements().add(agreement({ validFrom: '2026-12-01' }));
    const ending = await agreements().add(agreement({ validFrom: '2026-11-01', validTo: '2026-11-30' }));
    const startingToken = await partnerToken(starting.clientId);
    const endingToken = await partnerToken(ending.clientId);

    // 30 November 00:00 in Finland: the last day of `ending` begins.
    app.clock.set(new Date('2026-11-29T22:00:00Z'));
    expect(await sees(endingToken)).toBe(true);
    expect(await sees(startingToken)).toBe(false);

    // 30 November 23:59:59 in Finland (21:59:59 UTC): still the last day of `ending`, not yet `starting`.
    app.clock.set(new Date('2026-11-30T21:59:59Z'));
    expect(await sees(endingToken)).toBe(true);
    expect(await agreementIdsInViewer(endingToken)).toEqual([ending.id]);
    expect(await sees(startingToken)).toBe(false);
    expect(await agreementIdsInViewer(startingToken)).toEqual([]);

    // 1 December 00:00 in Finland (22:00 UTC on 30 November).
    app.clock.set(new Date('2026-11-30T22:00:00Z'));
    expect(await sees(endingToken)).toBe(false);
    expect(await agreementIdsInViewer(endingToken)).toEqual([]);
    expect(await sees(startingToken)).toBe(true);
    expect(await agreementIdsInViewer(startingToken)).toEqual([starting.id]);
  });

  it('the same in summer time (EEST, UTC+3)', async () => {
    const starting = await agreements().add(agreement({ validFrom: '2027-06-01' }));
    const ending = await agreements().add(agreement({ validFrom: '2027-01-01', validTo: '2027-05-31' }));
    const startingToken = await partnerToken(starting.clientId);
    const endingToken = await partnerToken(ending.clientId);

    app.clock.set(new Date('2027-05-31T20:59:59Z'));
    expect(await sees(endingToken)).toBe(true);
    expect(await sees(startingToken)).toBe(false);

    app.clock.set(new Date('2027-05-31T21:00:00Z'));
    expect(await sees(endingToken)).toBe(false);
    expect(await sees(startingToken)).toBe(true);
  });
});

describe('ending an agreement', () => {
  it('takes effect on the next request: the request before succeeds, the one after is FORBIDDEN', async () => {
    const created = await agreements().add(agreement());
    const token = await partnerToken(created.clientId);
    const listPath = '/downloads/notifications.csv?status=NEW&municipalityCode=905';

    const before = await app.request(NotificationsDocument, { filter: { status: 'NEW' } }, token);
    expect(before.errors).toBeUndefined();
    expect(before.data?.notifications.totalCount).toBe(await countNew(['905']));
    const csvBefore = await download(listPath, token);
    expect(csvBefore.status).toBe(200);
    await csvBefore.arrayBuffer();

    const ended = await agreements().end(created.id, app.clock.now());
    expect(ended).toMatchObject({ id: created.id, endedAt: app.clock.now() });

    const after = await app.request(NotificationsDocument, { filter: { status: 'NEW' } }, token);
    expect(codes(after)).toEqual(['FORBIDDEN']);
    expect(after.data).toBeNull();
    const one = await app.request(NotificationDocument, { id: vaasaNew[0]?.id as string }, token);
    expect(codes(one)).toEqual(['FORBIDDEN']);
    const csvAfter = await download(listPath, token);
    expect(csvAfter.status).toBe(403);
    await csvAfter.arrayBuffer();
    const viewer = await app.request(PartnerViewerDocument, {}, token);
    expect(viewer.data?.viewer).toMatchObject({ grants: [], agreements: [] });

    // Stored, not deleted: the list keeps it with its end time.
    const [stored] = await agreements().list(created.clientId);
    expect(stored).toMatchObject({ id: created.id, endedAt: app.clock.now() });

    // Nothing remembers the refusal either: a new agreement gives the rights back at once.
    await agreements().add(agreement({ clientId: created.clientId }));
    const again = await app.request(NotificationsDocument, { filter: { status: 'NEW' } }, token);
    expect(again.errors).toBeUndefined();
    expect(again.data?.notifications.totalCount).toBe(await countNew(['905']));
  });

  it('an agreement can be ended once; an unknown id is an AgreementError', async () => {
    const created = await agreements().add(agreement());
    await agreements().end(created.id, app.clock.now());
    await expect(agreements().end(created.id, app.clock.now())).rejects.toThrow(AgreementError);
    await expect(agreements().end(randomUUID(), app.clock.now())).rejects.toThrow(
      /No agreement in force with id/,
    );
    await expect(agreements().end('not-a-uuid', app.clock.now())).rejects.toThrow(AgreementError);
  });
});

describe('token claims cannot widen a partner’s rights', () => {
  it('a partner token carrying acr and mandates for 091 and 499 still sees only its agreement’s 905', async () => {
    const created = await agreements().add(agreement());
    const token = await partnerToken(created.clientId, {
      acr: STRONG_ACR,
      mandates: [
        { municipality: '091', issues: ['INTEGRATION_CLIENT_DATA'] },
        { municipality: '499', issues: ['INTEGRATION_CLIENT_DATA'] },
      ],
    });

    const list = await app.request(NotificationsDocument, { filter: { status: 'NEW' }, first: 200 }, token);
    expect(list.errors).toBeUndefined();
    const edges = list.data?.notifications.edges ?? [];
    expect(new Set(edges.map((edge) => edge.node.municipality.code))).toEqual(new Set(['905']));
    expect(list.data?.notifications.totalCount).toBe(await countNew(['905']));

    for (const municipalityCode of ['091', '499']) {
      const filtered = await app.request(
        NotificationsDocument,
        { filter: { status: 'NEW', municipalityCode } },
        token,
      );
      expect(codes(filtered)).toEqual(['FORBIDDEN']);
    }
    for (const id of [helsinkiNew.id, korsholmNew.id]) {
      const one = await app.request(NotificationDocument, { id }, token);
      expect(one.errors).toBeUndefined();
      expect(one.data).toEqual({ notification: null });
    }
    const lists = await app.request(HomeCareAllowanceListsDocument, {}, token);
    expect(codes(lists)).toEqual(['FORBIDDEN']);

    const viewer = await app.request(PartnerViewerDocument, {}, token);
    expect(viewer.data?.viewer).toMatchObject({
      kind: 'PARTNER_SYSTEM',
      grants: [
        {
          municipalityCode: '905',
          dataContents: ['INTEGRATION_SERVICES'],
          purpose: `agreement:${created.id}`,
        },
      ],
    });
  });

  it('the same token without an agreement: FORBIDDEN, the mandates count for nothing', async () => {
    const token = await partnerToken(newClientId(), {
      acr: STRONG_ACR,
      mandates: [{ municipality: '905', issues: ['INTEGRATION_CLIENT_DATA'] }],
    });
    await expectForbiddenEverywhere(token);
  });
});

describe('adding an agreement validates it', () => {
  const cases: [string, Partial<NewAgreement>, RegExp][] = [
    [
      'a business id with a wrong check digit',
      { businessId: '1234567-2' },
      /business id 1234567-2 is not a valid Y-tunnus/,
    ],
    ['a business id without the dash', { businessId: '12345671' }, /business id 12345671 is not a valid/],
    [
      'an unknown data content',
      { dataContents: ['SOCIAL_WORK' as DataContent] },
      /unknown data content SOCIAL_WORK/,
    ],
    ['no data content', { dataContents: [] }, /at least one data content/],
    ['an unknown municipality', { municipalityCodes: ['905', '999'] }, /unknown municipality 999/],
    ['no municipality', { municipalityCodes: [] }, /at least one municipality/],
    [
      'valid to before valid from',
      { validFrom: '2026-12-01', validTo: '2026-11-30' },
      /valid to must be a date YYYY-MM-DD on or after valid from/,
    ],
    ['an impossible valid-from date', { validFrom: '2026-02-30' }, /valid from must be a date/],
    ['an empty legal basis', { legalBasis: '' }, /legal basis is required/],
    ['a legal basis of spaces only', { legalBasis: '   ' }, /legal basis is required/],
    // The table allows 1–2,000 characters: a longer text must be refused by the service, not by the database.
    ['a legal basis over 2,000 characters', { legalBasis: 'x'.repeat(2001) }, /legal basis/],
    ['an empty organisation name', { organisationName: ' ' }, /organisation name is required/],
    ['an empty client id', { clientId: '' }, /client id is required/],
  ];

  it.each(cases)(
    'refuses %s with an AgreementError naming it, and stores nothing',
    async (_name, overrides, message) => {
      const before = await agreementCount();
      const invalid = agreement(overrides);
      const attempt = agreements().add(invalid);
      await expect(attempt).rejects.toThrow(AgreementError);
      await expect(attempt).rejects.toThrow(message);
      expect(await agreementCount()).toBe(before);
      expect(await agreements().list(invalid.clientId)).toEqual([]);
    },
  );

  it('names every problem at once', async () => {
    const invalid = agreement({
      businessId: '1234567-2',
      municipalityCodes: ['999'],
      legalBasis: '',
      validFrom: '2026-12-01',
      validTo: '2026-01-01',
    });
    const error = await agreements()
      .add(invalid)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AgreementError);
    const message = (error as Error).message;
    expect(message).toMatch(/1234567-2/);
    expect(message).toMatch(/unknown municipality 999/);
    expect(message).toMatch(/legal basis is required/);
    expect(message).toMatch(/valid to must be/);
    expect(await agreements().list(invalid.clientId)).toEqual([]);
  });

  it('accepts a valid agreement and lists it', async () => {
    const valid = agreement({ businessId: '1234567-1', validTo: '2026-12-31' });
    const created = await agreements().add(valid);
    expect(created).toMatchObject({ ...valid, endedAt: null });
    expect(created.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(await agreements().list(valid.clientId)).toEqual([created]);
    expect((await agreements().list()).map((a) => a.id)).toContain(created.id);
  });
});

describe('npm run agreements (the CLI)', () => {
  const ROOT = path.resolve(__dirname, '..');

  function run(databaseUrl: string, ...args: string[]) {
    return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        ['-r', '@swc-node/register', 'src/cli/agreements.ts', ...args],
        {
          cwd: ROOT,
          env: { ...process.env, DATABASE_URL: databaseUrl, LOG_LEVEL: 'warn' },
          timeout: 120_000,
        },
        (error, stdout, stderr) => {
          const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
          resolve({ code, stdout, stderr });
        },
      );
    });
  }

  it('adds, lists and ends an agreement; an invalid add exits 2 and stores nothing', async () => {
    const database = await createTestDatabase();
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      const added = await run(
        database.url,
        'add',
        '--client-id',
        'vaasa-crm',
        '--organisation',
        'Vaasan kaupunki',
        '--business-id',
        '0209602-6',
        '--legal-basis',
        'Laki kotoutumisen edistämisestä (681/2023) 84 §',
        '--data-content',
        'INTEGRATION_SERVICES',
        '--data-content',
        'INTEGRATION_SERVICES_HOME_CARE_ALLOWANCE',
        '--municipality',
        '905',
        '--municipality',
        '499',
        '--valid-from',
        '2026-01-01',
        '--valid-to',
        '2027-12-31',
      );
      expect(added.stderr).toBe('');
      expect(added.code).toBe(0);
      const id = /^Added agreement ([0-9a-f-]{36}) for client vaasa-crm\.\n$/.exec(added.stdout)?.[1];
      expect(id, added.stdout).toBeDefined();

      const invalid = await run(
        database.url,
        'add',
        '--client-id',
        'vaasa-crm',
        '--organisation',
        'Vaasan kaupunki',
        '--business-id',
        '1234567-2',
        '--legal-basis',
        'Laki kotoutumisen edistämisestä',
        '--data-content',
        'INTEGRATION_SERVICES',
        '--municipality',
        '999',
        '--valid-from',
        '2026-01-01',
      );
      expect(invalid.code).toBe(2);
      expect(invalid.stdout).toBe('');
      expect(invalid.stderr).toMatch(/business id 1234567-2 is not a valid Y-tunnus/);
      expect(invalid.stderr).toMatch(/unknown municipality 999/);

      const listed = await run(database.url, 'list');
      expect(listed.code).toBe(0);
      // The organisation agreement every test database starts with is listed too, as the other kind.
      const lines = listed.stdout
        .trimEnd()
        .split('\n')
        .filter((line) => /^\S+ {2}partner /.test(line));
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(id as string);
      expect(lines[0]).toContain('vaasa-crm');
      expect(lines[0]).toContain('Vaasan kaupunki (0209602-6)');
      expect(lines[0]).toContain('INTEGRATION_SERVICES,INTEGRATION_SERVICES_HOME_CARE_ALLOWANCE');
      expect(lines[0]).toContain('905,499');
      expect(lines[0]).toContain('2026-01-01 – 2027-12-31');

      const ended = await run(database.url, 'end', '--id', id as string);
      expect(ended.code).toBe(0);
      expect(ended.stdout).toBe(`Ended agreement ${id} of client vaasa-crm.\n`);

      const listedAfter = await run(database.url, 'list', '--client-id', 'vaasa-crm');
      expect(listedAfter.code).toBe(0);
      expect(listedAfter.stdout).toMatch(new RegExp(`^${id} .* ended \\d{4}-\\d{2}-\\d{2}T[\\d:.]+Z\\n$`));

      const endedAgain = await run(database.url, 'end', '--id', id as string);
      expect(endedAgain.code).toBe(2);
      expect(endedAgain.stderr).toMatch(/No agreement in force with id/);

      const unknownCommand = await run(database.url, 'remove');
      expect(unknownCommand.code).toBe(2);
      expect(unknownCommand.stderr).toMatch(/Usage: npm run agreements/);

      const { rows } = await client.query(
        'SELECT id, client_id, ended_at IS NOT NULL AS ended FROM partner_agreement ORDER BY created_at',
      );
      expect(rows).toEqual([{ id, client_id: 'vaasa-crm', ended: true }]);
    } finally {
      await client.end();
      await database.drop();
    }
  }, 180_000);
});
