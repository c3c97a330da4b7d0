import { randomUUID } from 'node:crypto';
import { print } from 'graphql';
import { type Client, createClient } from 'graphql-ws';
import { createLocalJWKSet } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { jwksOf } from '../src/auth/signing-key';
import { createTokenVerifier } from '../src/auth/token-verifier';
import { createDataSource } from '../src/db/data-source';
import { DataContent } from '../src/domain/enums';
import { fictivePersonalIdentityCode } from '../src/domain/personal-identity-code';
import { createHttpServer, type HttpServer } from '../src/http/app';
import {
  MoveToProcessingDocument,
  NotificationsChangedDocument,
  type NotificationsChangedSubscription,
  ReturnToNewDocument,
  TransferToMunicipalityDocument,
} from './generated/graphql';
import { AUDIENCE, ISSUER, MAX_TOKEN_LIFETIME_SECONDS, startTestApp, type TestApp } from './support/app';

type Event = NotificationsChangedSubscription['notificationsChanged'];

interface Subscription {
  events: Event[];
  errors: { message: string; extensions?: { code?: string } }[];
  completed: boolean;
  /** The socket's close, when the client reported it as the subscription's error. */
  closeCode?: number;
  dispose(): void;
}

let app: TestApp;
/** A second API process on the same database: its own pool, its own LISTEN connection, its own HTTP port. */
let second: { server: HttpServer; url: string; close(): Promise<void> };
let secondClosed = false;
const clients: Client[] = [];

function wsUrl(httpUrl: string): string {
  return httpUrl.replace(/^http/, 'ws');
}

function connect(url: string, token: string | undefined): Client {
  const client = createClient({
    url: wsUrl(url),
    webSocketImpl: WebSocket,
    connectionParams: token === undefined ? {} : { authorization: `Bearer ${token}` },
    retryAttempts: 0,
    lazy: true,
  });
  clients.push(client);
  return client;
}

async function until(what: string, check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Subscribes and waits until the server holds the subscription (or refused it), so that no change is missed. */
async function subscribe(
  server: HttpServer,
  client: Client,
  municipalityCode: string,
): Promise<Subscription> {
  const before = server.services.notificationEvents.subscriberCount;
  const subscription: Subscription = { events: [], errors: [], completed: false, dispose: () => {} };
  subscription.dispose = client.subscribe<Event extends never ? never : NotificationsChangedSubscription>(
    { query: print(NotificationsChangedDocument), variables: { municipalityCode } },
    {
      next: (result) => {
        if (result.data) subscription.events.push(result.data.notificationsChanged);
        if (result.errors) subscription.errors.push(...(result.errors as Subscription['errors']));
      },
      error: (error) => {
        if (Array.isArray(error)) subscription.errors.push(...error);
        else if (typeof (error as { code?: unknown }).code === 'number')
          subscription.closeCode = (error as { code: number }).code;
        else subscription.errors.push({ message: String(error) });
      },
      complete: () => {
        subscription.completed = true;
      },
    },
  );
  await until(
    'the subscription to be held or refused',
    () =>
      server.services.notificationEvents.subscriberCount > before ||
      subscription.errors.length > 0 ||
      subscription.closeCode !== undefined ||
      subscription.completed,
  );
  return subscription;
}

function eventsOf(subscription: Subscription, change: string) {
  return subscription.events.filter((event) => event.change === change);
}

beforeAll(async () => {
  app = await startTestApp();
  const { url } = app.dataSource.options as { url: string };
  const dataSource = createDataSource({ url, poolSize: 5 });
  await dataSource.initialize();
  const server = await createHttpServer({
    dataSource,
    clock: app.clock,
    verifyToken: createTokenVerifier({
      keys: createLocalJWKSet(jwksOf(app.tokens.key)),
      issuer: ISSUER,
      audience: AUDIENCE,
      maxTokenLifetimeSeconds: MAX_TOKEN_LIFETIME_SECONDS,
    }),
  });
  const port = await server.listen(0, '127.0.0.1');
  second = {
    server,
    url: `http://127.0.0.1:${port}/graphql`,
    async close() {
      if (!secondClosed) await server.close({ drainMs: 1000 });
      await dataSource.destroy();
    },
  };
});

afterAll(async () => {
  await Promise.all(clients.map((client) => client.dispose()));
  await second?.close();
  await app?.close();
});

describe('notificationsChanged', () => {
  it("reports a move, a return and a transfer: out to the origin's subscriber, in to the target's", async () => {
    const notification = await app.given.notification({ municipalityCode: '905' });
    const vaasa = await subscribe(app.server, connect(app.url, await app.tokens.handler(['905'])), '905');
    const korsholm = await subscribe(app.server, connect(app.url, await app.tokens.handler(['499'])), '499');
    const handler = await app.tokens.handler(['905']);

    const moved = await app.request(MoveToProcessingDocument, { id: notification.id }, handler);
    expect(moved.errors).toBeUndefined();
    await until('MOVED_TO_PROCESSING', () => eventsOf(vaasa, 'MOVED_TO_PROCESSING').length === 1);
    const returned = await app.request(ReturnToNewDocument, { id: notification.id }, handler);
    expect(returned.errors).toBeUndefined();
    await until('RETURNED_TO_NEW', () => eventsOf(vaasa, 'RETURNED_TO_NEW').length === 1);
    const transferred = await app.request(
      TransferToMunicipalityDocument,
      { id: notification.id, municipalityCode: '499', reason: 'Asuu Mustasaaressa' },
      handler,
    );
    expect(transferred.errors).toBeUndefined();
    await until('TRANSFERRED_OUT', () => eventsOf(vaasa, 'TRANSFERRED_OUT').length === 1);
    await until('TRANSFERRED_IN', () => eventsOf(korsholm, 'TRANSFERRED_IN').length === 1);

    expect(
      vaasa.events.map((event) => [event.change, event.municipalityCode, event.notificationIds]),
    ).toEqual([
      ['MOVED_TO_PROCESSING', '905', [notification.id]],
      ['RETURNED_TO_NEW', '905', [notification.id]],
      ['TRANSFERRED_OUT', '905', [notification.id]],
    ]);
    expect(
      korsholm.events.map((event) => [event.change, event.municipalityCode, event.notificationIds]),
    ).toEqual([['TRANSFERRED_IN', '499', [notification.id]]]);
    expect(Number.isNaN(Date.parse(vaasa.events[0]?.at ?? ''))).toBe(false);
    vaasa.dispose();
    korsholm.dispose();
  });

  it('reports notifications an import creates, in its own municipality only', async () => {
    const vaasa = await subscribe(app.server, connect(app.url, await app.tokens.handler(['905'])), '905');
    const line = (municipalityCode: string, serial: number) =>
      JSON.stringify({
        sourceId: `subscription-test-${randomUUID()}`,
        kind: 'IMMIGRANT',
        municipalityCode,
        createdAt: '2026-10-30T10:15:00+02:00',
        additionalInfo: null,
        person: {
          personalIdentityCode: fictivePersonalIdentityCode('1951-02-03', 900 + serial),
          firstNames: 'Ahmed',
          lastName: `Haddad ${serial}`,
          dateOfBirth: '1951-02-03',
          nativeLanguage: 'ar',
          citizenship: 'SYR',
          phoneNumber: null,
          firstResidencePermitStart: '2025-03-01',
          euEeaCitizen: false,
          address: { street: 'Kauppapuistikko 1 A 2', postalCode: '65100', postOffice: 'VAASA' },
        },
      });
    const report = await app.server.services.notificationImport.importLines([line('905', 1), line('091', 2)]);
    expect(report.imported).toBe(2);
    await until('CREATED', () => eventsOf(vaasa, 'CREATED').length === 1);
    const ids = [...report.createdIds.values()];
    expect(eventsOf(vaasa, 'CREATED')[0]?.notificationIds).toHaveLength(1);
    expect(ids).toContain(eventsOf(vaasa, 'CREATED')[0]?.notificationIds[0]);
    // Helsinki's notification is not Vaasa's subscriber's business.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(vaasa.events).toHaveLength(1);
    vaasa.dispose();
  });

  it('sends a change of many notifications as messages of at most 100 ids', async () => {
    const given = await app.given.notifications(130, { municipalityCode: '092' });
    const vantaa = await subscribe(app.server, connect(app.url, await app.tokens.handler(['092'])), '092');
    await app.dataSource.query(
      `UPDATE notification SET status = 'IN_PROCESSING', processing_started_at = now() WHERE id = ANY($1)`,
      [given.map((notification) => notification.id)],
    );
    // Only the move: the notifications' own CREATED messages may still arrive from before the subscription.
    const moved = () => eventsOf(vantaa, 'MOVED_TO_PROCESSING');
    await until('two messages', () => moved().length === 2);
    expect(
      moved()
        .map((event) => event.notificationIds.length)
        .sort(),
    ).toEqual([100, 30]);
    expect(new Set(moved().flatMap((event) => event.notificationIds))).toEqual(
      new Set(given.map((notification) => notification.id)),
    );
    vantaa.dispose();
  });

  it('sends nothing for a change that is rolled back', async () => {
    const notification = await app.given.notification({ municipalityCode: '905' });
    const vaasa = await subscribe(app.server, connect(app.url, await app.tokens.handler(['905'])), '905');
    await app.dataSource
      .transaction(async (manager) => {
        await manager.query('DELETE FROM notification WHERE id = $1', [notification.id]);
        throw new Error('rolled back');
      })
      .catch(() => {});
    await app.dataSource.query(
      `UPDATE notification SET status = 'IN_PROCESSING', processing_started_at = now() WHERE id = $1`,
      [notification.id],
    );
    await until('MOVED_TO_PROCESSING', () =>
      vaasa.events.some((event) => event.change === 'MOVED_TO_PROCESSING'),
    );
    // The notification's own CREATED may still be on its way from before the subscription (the listener hears
    // every commit); what must not come is a REMOVED for the delete that rolled back.
    expect(vaasa.events.map((event) => event.change).filter((change) => change !== 'CREATED')).toEqual([
      'MOVED_TO_PROCESSING',
    ]);
    vaasa.dispose();
  });

  it('refuses a municipality outside the mandate, and an unknown one', async () => {
    const client = connect(app.url, await app.tokens.handler(['905']));
    const helsinki = await subscribe(app.server, client, '091');
    expect(helsinki.errors.map((error) => error.extensions?.code)).toEqual(['FORBIDDEN']);
    expect(helsinki.events).toEqual([]);
    const unknown = await subscribe(app.server, client, '000');
    expect(unknown.errors.map((error) => error.extensions?.code)).toEqual(['BAD_USER_INPUT']);
  });

  it('closes a connection without a token or with a bad one with 4401', async () => {
    const missing = await subscribe(app.server, connect(app.url, undefined), '905');
    expect(missing.closeCode).toBe(4401);
    const bad = await subscribe(app.server, connect(app.url, 'not-a-token'), '905');
    expect(bad.closeCode).toBe(4401);
    const foreign = await subscribe(
      app.server,
      connect(app.url, await app.tokens.sign({ acr: 'x' }, { issuer: 'https://elsewhere.test' })),
      '905',
    );
    expect(foreign.closeCode).toBe(4401);
  });

  it('closes the connection with 4403 when the token expires', async () => {
    const vaasa = await subscribe(
      app.server,
      connect(app.url, await app.tokens.handler(['905'], { expiresIn: '2s' })),
      '905',
    );
    expect(vaasa.errors).toEqual([]);
    await until('the close at expiry', () => vaasa.closeCode !== undefined, 5000);
    expect(vaasa.closeCode).toBe(4403);
  });

  it('delivers to a partner under its agreement, and stops once the agreement has ended', async () => {
    const clientId = `vaasa-crm-${randomUUID()}`;
    const agreement = await app.server.services.agreements.add({
      clientId,
      organisationName: 'Vaasan kaupunki',
      businessId: '0209602-6',
      legalBasis: 'Laki kotoutumisen edistämisestä (681/2023) 84 §',
      dataContents: [DataContent.INTEGRATION_SERVICES],
      municipalityCodes: ['905'],
      validFrom: '2026-01-01',
      validTo: null,
    });
    const token = await app.tokens.sign({ client_id: clientId, name: 'Vaasa CRM' }, { subject: clientId });
    const partner = await subscribe(app.server, connect(app.url, token), '905');
    const refused = await subscribe(app.server, connect(app.url, token), '499');
    expect(refused.errors.map((error) => error.extensions?.code)).toEqual(['FORBIDDEN']);

    const first = await app.given.notification({ municipalityCode: '905' });
    await until('CREATED', () => partner.events.length === 1);
    expect(partner.events[0]?.notificationIds).toEqual([first.id]);

    await app.server.services.agreements.end(agreement.id, app.clock.now());
    await app.given.notification({ municipalityCode: '905' });
    await until('the refusal', () => partner.errors.length > 0 && partner.completed);
    expect(partner.errors.map((error) => error.extensions?.code)).toEqual(['FORBIDDEN']);
    expect(partner.events).toHaveLength(1);
  });

  it('allows 20 subscriptions per connection', async () => {
    const client = connect(app.url, await app.tokens.handler(['905']));
    const held: Subscription[] = [];
    for (let i = 0; i < 20; i += 1) held.push(await subscribe(app.server, client, '905'));
    expect(held.flatMap((subscription) => subscription.errors)).toEqual([]);
    const extra = await subscribe(app.server, client, '905');
    expect(extra.errors.map((error) => error.extensions?.code)).toEqual(['RATE_LIMITED']);
    for (const subscription of held) subscription.dispose();
  });
});

describe('over WebSocket', () => {
  async function errorsOf(query: string): Promise<(string | undefined)[]> {
    const client = connect(app.url, await app.tokens.handler(['905']));
    const errors: { extensions?: { code?: string } }[] = [];
    await new Promise<void>((resolve) => {
      client.subscribe(
        { query },
        {
          next: (result) => errors.push(...((result.errors ?? []) as unknown as typeof errors)),
          error: (error) => {
            errors.push(...(Array.isArray(error) ? error : [{ extensions: { code: String(error) } }]));
            resolve();
          },
          complete: resolve,
        },
      );
    });
    return errors.map((error) => error.extensions?.code);
  }

  it('refuses queries and mutations (they go over HTTP), and documents over the limits', async () => {
    expect(await errorsOf('{ municipalities { code } }')).toEqual(['BAD_REQUEST']);
    expect(await errorsOf('subscription { notificationsChanged(municipalityCode: "905") { nope } }')).toEqual(
      ['GRAPHQL_VALIDATION_FAILED'],
    );
    const aliases = Array.from({ length: 20 }, (_, i) => `a${i}: change`).join(' ');
    expect(
      await errorsOf(`subscription { notificationsChanged(municipalityCode: "905") { ${aliases} } }`),
    ).toContain('GRAPHQL_VALIDATION_FAILED');
  });

  it('keeps delivering after the listening connection was cut', async () => {
    const vaasa = await subscribe(app.server, connect(app.url, await app.tokens.handler(['905'])), '905');
    const listeners = async (): Promise<number[]> =>
      (
        await app.dataSource.query(
          "SELECT pid FROM pg_stat_activity WHERE application_name = 'kelmu-graphql-listen' AND datname = current_database()",
        )
      ).map((row: { pid: number }) => row.pid);
    const before = await listeners();
    expect(before.length).toBeGreaterThan(0);
    await app.dataSource.query('SELECT pg_terminate_backend(pid) FROM unnest($1::int[]) AS pid', [before]);
    const deadline = Date.now() + 10_000;
    for (;;) {
      const now = await listeners();
      if (now.length === before.length && now.every((pid) => !before.includes(pid))) break;
      if (Date.now() > deadline) throw new Error('the listener did not reconnect');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const created = await app.given.notification({ municipalityCode: '905' });
    await until('CREATED after the reconnect', () => vaasa.events.length === 1);
    expect(vaasa.events[0]).toMatchObject({ change: 'CREATED', notificationIds: [created.id] });
    vaasa.dispose();
  });
});

describe('two API processes on one database', () => {
  it("a change made through one reaches the other's subscribers", async () => {
    const notification = await app.given.notification({ municipalityCode: '905' });
    const token = await app.tokens.handler(['905']);
    const onSecond = await subscribe(second.server, connect(second.url, token), '905');
    const onFirst = await subscribe(app.server, connect(app.url, token), '905');

    const moved = await app.request(MoveToProcessingDocument, { id: notification.id }, token);
    expect(moved.errors).toBeUndefined();
    await until('the event on both', () => onSecond.events.length === 1 && onFirst.events.length === 1);
    expect(onSecond.events[0]).toMatchObject({
      change: 'MOVED_TO_PROCESSING',
      municipalityCode: '905',
      notificationIds: [notification.id],
    });
  });

  it('a graceful close completes its subscriptions', async () => {
    const token = await app.tokens.handler(['905']);
    const onSecond = await subscribe(second.server, connect(second.url, token), '905');
    await second.server.close({ drainMs: 1000 });
    secondClosed = true;
    await until('the completion', () => onSecond.completed || onSecond.closeCode !== undefined);
    expect(onSecond.completed).toBe(true);
    expect(second.server.subscriptions.connections).toBe(0);
  });
});
