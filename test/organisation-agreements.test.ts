import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DataContent } from '../src/domain/enums';
import type { NewOrganisationAgreement } from '../src/services/organisation-agreement.service';
import { NotificationsDocument, PartnerViewerDocument, PersonViewerDocument } from './generated/graphql';
import { type GraphQLResponse, startTestApp, type TestApp } from './support/app';
import { createTestDatabase } from './support/database';
import type { GivenNotification } from './support/given';
import { poll, runCommand } from './support/processes';

/** The instant TestClock starts at: 2 November 2026, 11:00 in Finland. */
const START = new Date('2026-11-02T09:00:00.000Z');

let app: TestApp;
let vaasa: GivenNotification[];

const organisationAgreements = () => app.server.services.organisationAgreements;
const base = () => app.url.replace(/\/graphql$/, '');

function codes(response: GraphQLResponse<unknown>) {
  return response.errors?.map((error) => error.extensions?.code);
}

function organisationAgreement(overrides: Partial<NewOrganisationAgreement> = {}): NewOrganisationAgreement {
  return {
    organisationName: 'Vaasan kaupunki',
    businessId: '0209602-6',
    legalBasis: 'Laki kotoutumisen edistämisestä (681/2023) 84 §',
    dataContents: [DataContent.INTEGRATION_SERVICES, DataContent.INTEGRATION_SERVICES_HOME_CARE_ALLOWANCE],
    municipalityCodes: ['905'],
    validFrom: '2026-01-01',
    validTo: null,
    ...overrides,
  };
}

/** Ends every organisation agreement of the app's database (the test databases start with one for all). */
async function endAllOrganisationAgreements(target: TestApp): Promise<void> {
  await target.dataSource.query('UPDATE organisation_agreement SET ended_at = now() WHERE ended_at IS NULL');
  await target.server.services.organisationAgreements.refresh();
}

async function vaasaNotificationIds(token: string): Promise<string[] | undefined> {
  const list = await app.request(
    NotificationsDocument,
    { filter: { status: 'NEW', municipalityCode: '905' }, first: 50 },
    token,
  );
  if (list.errors) return undefined;
  return list.data?.notifications.edges.map((edge) => edge.node.id).sort();
}

beforeAll(async () => {
  // Refreshed every second, so that the test of an ended agreement can wait for a refresh of the process's own.
  app = await startTestApp({ organisationAgreementRefreshSeconds: 1 });
  vaasa = await app.given.notifications(3, { municipalityCode: '905' });
  await app.given.notification({ municipalityCode: '499', postalCode: '65610' });
  await endAllOrganisationAgreements(app);
});
afterEach(async () => {
  app.clock.set(START);
  await endAllOrganisationAgreements(app);
});
afterAll(async () => {
  await app?.close();
});

describe("a person's mandate without the organisation's agreement", () => {
  it('sees nothing, on the API and in downloads, and `viewer` says why in the request language', async () => {
    const token = await app.tokens.handler(['905', '499']);

    const list = await app.request(NotificationsDocument, { filter: { status: 'NEW' } }, token);
    expect(codes(list)).toEqual(['FORBIDDEN']);
    expect(list.data).toBeNull();
    const csv = await fetch(`${base()}/downloads/notifications.csv?status=NEW&municipalityCode=905`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(csv.status).toBe(403);
    await csv.arrayBuffer();

    const viewer = await app.request(PersonViewerDocument, {}, token, { 'accept-language': 'fi' });
    expect(viewer.errors).toBeUndefined();
    expect(viewer.data?.viewer).toMatchObject({
      kind: 'PERSON',
      grants: [],
      dataContents: [],
      municipalities: [],
    });
    const withheld = viewer.data?.viewer.withheldGrants ?? [];
    expect(withheld.map(({ message, swedish, ...rest }) => rest)).toEqual(
      ['905', '499'].map((code) => ({
        municipalityCode: code,
        dataContents: ['INTEGRATION_SERVICES', 'INTEGRATION_SERVICES_HOME_CARE_ALLOWANCE'],
        purpose: 'INTEGRATION_CLIENT_DATA',
        reason: 'NO_ORGANISATION_AGREEMENT',
        municipality: { code },
      })),
    );
    expect(withheld[0]?.message).toMatch(/Organisaatiollasi ei ole Kelan kanssa voimassa olevaa/);
    expect(withheld[0]?.swedish).toMatch(/Din organisation har inget gällande avtal med FPA/);
  });
});

describe("with the organisation's agreement in force", () => {
  it('the same (cached) token sees the data the agreement covers; the rest stays withheld', async () => {
    const token = await app.tokens.handler(['905', '499']);
    expect(await vaasaNotificationIds(token)).toBeUndefined();

    await organisationAgreements().add(
      organisationAgreement({ dataContents: [DataContent.INTEGRATION_SERVICES] }),
    );
    await organisationAgreements().refresh();

    expect(await vaasaNotificationIds(token)).toEqual(vaasa.map((n) => n.id).sort());
    const list = await app.request(NotificationsDocument, { filter: { status: 'NEW' }, first: 50 }, token);
    expect(new Set(list.data?.notifications.edges.map((edge) => edge.node.municipality.code))).toEqual(
      new Set(['905']),
    );
    const csv = await fetch(`${base()}/downloads/notifications.csv?status=NEW&municipalityCode=905`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(csv.status).toBe(200);
    await csv.arrayBuffer();

    const viewer = await app.request(PersonViewerDocument, {}, token);
    expect(viewer.data?.viewer.grants).toEqual([
      { municipalityCode: '905', dataContents: ['INTEGRATION_SERVICES'], purpose: 'INTEGRATION_CLIENT_DATA' },
    ]);
    expect(
      viewer.data?.viewer.withheldGrants.map((g) => [
        g.municipalityCode,
        g.dataContents,
        g.reason,
        g.message,
      ]),
    ).toEqual([
      [
        '905',
        ['INTEGRATION_SERVICES_HOME_CARE_ALLOWANCE'],
        'NO_ORGANISATION_AGREEMENT',
        expect.stringMatching(/^Your organisation has no agreement with Kela/),
      ],
      [
        '499',
        ['INTEGRATION_SERVICES', 'INTEGRATION_SERVICES_HOME_CARE_ALLOWANCE'],
        'NO_ORGANISATION_AGREEMENT',
        expect.any(String),
      ],
    ]);
  });

  it('an ended agreement closes the data within the refresh time, without anyone refreshing by hand', async () => {
    const token = await app.tokens.handler(['905']);
    const created = await organisationAgreements().add(organisationAgreement());
    await organisationAgreements().refresh();
    expect(await vaasaNotificationIds(token)).toEqual(vaasa.map((n) => n.id).sort());

    const ended = await organisationAgreements().end(created.id, app.clock.now());
    expect(ended?.endedAt).toBeInstanceOf(Date);
    // Refreshed every second: within a few refresh intervals (the machine may be busy), never at some later time.
    await poll('the ended agreement to take effect', 5000, async () => {
      return (await vaasaNotificationIds(token)) === undefined;
    });
    const viewer = await app.request(PersonViewerDocument, {}, token);
    expect(viewer.data?.viewer.withheldGrants.map((g) => g.municipalityCode)).toEqual(['905']);
  });

  it('an agreement expires at the Finnish midnight after its last day; one not yet valid opens nothing', async () => {
    const token = await app.tokens.handler(['905']);
    await organisationAgreements().add(organisationAgreement({ validTo: '2026-11-02' }));
    await organisationAgreements().add(
      organisationAgreement({ municipalityCodes: ['499'], validFrom: '2026-11-03' }),
    );
    await organisationAgreements().refresh();
    const korsholm = await app.tokens.handler(['499']);

    // 23:59 on 2 November in Finland: the last day.
    app.clock.set(new Date('2026-11-02T21:59:00.000Z'));
    expect(await vaasaNotificationIds(token)).toEqual(vaasa.map((n) => n.id).sort());
    let viewer = await app.request(PersonViewerDocument, {}, korsholm);
    expect(viewer.data?.viewer.grants).toEqual([]);
    expect(viewer.data?.viewer.withheldGrants.map((g) => g.municipalityCode)).toEqual(['499']);

    // 00:00 on 3 November in Finland: Vaasa's has expired, Korsholm's is in force; no refresh needed.
    app.clock.set(new Date('2026-11-02T22:00:00.000Z'));
    expect(await vaasaNotificationIds(token)).toBeUndefined();
    viewer = await app.request(PersonViewerDocument, {}, korsholm);
    expect(viewer.data?.viewer.grants.map((g) => g.municipalityCode)).toEqual(['499']);
    expect(viewer.data?.viewer.withheldGrants).toEqual([]);
  });

  it("an agreement of another municipality opens nothing of this one's", async () => {
    await organisationAgreements().add(organisationAgreement({ municipalityCodes: ['499', '091'] }));
    await organisationAgreements().refresh();
    expect(await vaasaNotificationIds(await app.tokens.handler(['905']))).toBeUndefined();
  });
});

describe('partner systems', () => {
  it('are unaffected: their own agreement is their organisation agreement', async () => {
    const partner = await app.server.services.agreements.add({
      ...organisationAgreement({ dataContents: [DataContent.INTEGRATION_SERVICES] }),
      clientId: 'vaasa-crm-organisation-agreements',
    });
    const token = await app.tokens.sign(
      { client_id: partner.clientId, name: 'Vaasa CRM' },
      { subject: partner.clientId },
    );
    expect(await vaasaNotificationIds(token)).toEqual(vaasa.map((n) => n.id).sort());
    const viewer = await app.request(PartnerViewerDocument, {}, token);
    expect(viewer.data?.viewer.grants.map((g) => g.municipalityCode)).toEqual(['905']);
  });
});

describe('REQUIRE_ORGANISATION_AGREEMENT=false', () => {
  it("opens persons' mandates without any organisation agreement", async () => {
    const open = await startTestApp({ requireOrganisationAgreement: false });
    try {
      await endAllOrganisationAgreements(open);
      const notifications = await open.given.notifications(2, { municipalityCode: '905' });
      const token = await open.tokens.handler(['905']);
      const list = await open.request(NotificationsDocument, { filter: { status: 'NEW' } }, token);
      expect(list.errors).toBeUndefined();
      expect(list.data?.notifications.edges.map((edge) => edge.node.id).sort()).toEqual(
        notifications.map((n) => n.id).sort(),
      );
      const viewer = await open.request(PersonViewerDocument, {}, token);
      expect(viewer.data?.viewer.withheldGrants).toEqual([]);
      expect(viewer.data?.viewer.grants.map((g) => g.municipalityCode)).toEqual(['905']);
    } finally {
      await open.close();
    }
  });
});

describe('npm run agreements for organisation agreements', () => {
  it('adds (without --client-id), lists both kinds and ends one; bad input exits 2 with a clear message', async () => {
    const database = await createTestDatabase();
    const run = (...args: string[]) =>
      runCommand('src/cli/agreements.ts', { DATABASE_URL: database.url, LOG_LEVEL: 'warn' }, args);
    try {
      const added = await run(
        'add',
        '--organisation',
        'Mustasaaren kunta',
        '--business-id',
        '0209602-6',
        '--legal-basis',
        'Laki kotoutumisen edistämisestä (681/2023) 84 §',
        '--data-content',
        'INTEGRATION_SERVICES',
        '--municipality',
        '499',
        '--valid-from',
        '2026-01-01',
      );
      expect(added.stderr).toBe('');
      expect(added.code).toBe(0);
      const id = /^Added organisation agreement ([0-9a-f-]{36}) for Mustasaaren kunta\.\n$/.exec(
        added.stdout,
      )?.[1];
      expect(id, added.stdout).toBeDefined();

      const invalid = await run(
        'add',
        '--organisation',
        'Mustasaaren kunta',
        '--business-id',
        '1234567-2',
        '--legal-basis',
        'Laki',
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

      const listed = await run('list');
      expect(listed.code).toBe(0);
      const line = listed.stdout.split('\n').find((l) => l.startsWith(id as string));
      expect(line).toMatch(
        / {2}organisation {2}- {2}Mustasaaren kunta \(0209602-6\) {2}INTEGRATION_SERVICES {2}499 {2}2026-01-01 – open$/,
      );

      const ended = await run('end', '--id', id as string);
      expect(ended.code).toBe(0);
      expect(ended.stdout).toBe(`Ended organisation agreement ${id} of Mustasaaren kunta.\n`);
      const listedAfter = await run('list');
      expect(listedAfter.stdout.split('\n').find((l) => l.startsWith(id as string))).toMatch(
        / ended \d{4}-\d{2}-\d{2}T[\d:.]+Z$/,
      );
      const endedAgain = await run('end', '--id', id as string);
      expect(endedAgain.code).toBe(2);
      expect(endedAgain.stderr).toMatch(/No agreement in force with id/);
    } finally {
      await database.drop();
    }
  }, 180_000);
});
