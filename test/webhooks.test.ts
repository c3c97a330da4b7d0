import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import path from 'node:path';
import { parseCrontab } from 'graphile-worker';
import pino from 'pino';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataContent } from '../src/domain/enums';
import { fictivePersonalIdentityCode } from '../src/domain/personal-identity-code';
import { WEBHOOK_CRONTAB } from '../src/jobs/schedule';
import { startWorker, type WorkerHandle } from '../src/jobs/worker';
import { WebhookDispatchService } from '../src/services/webhooks/webhook-dispatch.service';
import { TransferToMunicipalityDocument, WebhookDeliveriesDocument } from './generated/graphql';
import { startTestApp, type TestApp } from './support/app';
import { createTestDatabase } from './support/database';
import { poll } from './support/processes';

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;
const IDENTITY_CODE = /\d{6}[-+A-FU-Y]\d{3}[0-9A-Y]/i;

interface Received {
  path: string;
  id: string;
  /** Whether the Standard Webhooks library accepted the signature with the endpoint's secret. */
  verified: boolean;
  raw: string;
  payload: {
    type: string;
    timestamp: string;
    data: { ids: string[]; municipalityCode: string } & Record<string, unknown>;
  };
}

/** A partner's receiver on loopback, verifying every request with an independent implementation of the spec. */
class Receiver {
  readonly received: Received[] = [];
  readonly secrets = new Map<string, string>();
  private server: http.Server | undefined;
  port = 0;

  async start(): Promise<void> {
    const server = http.createServer((req, res) => {
      let raw = '';
      req.on('data', (chunk: Buffer) => {
        raw += chunk.toString();
      });
      req.on('end', () => {
        const secret = this.secrets.get(req.url ?? '');
        let verified = false;
        try {
          if (secret) {
            new Webhook(secret).verify(raw, req.headers as Record<string, string>);
            verified = true;
          }
        } catch {
          verified = false;
        }
        this.received.push({
          path: req.url ?? '',
          id: String(req.headers['webhook-id']),
          verified,
          raw,
          payload: JSON.parse(raw),
        });
        res.writeHead(verified ? 204 : 401).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.port = (server.address() as { port: number }).port;
    this.server = server;
  }

  /** Closes the port: the next attempts are refused connections. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    server?.closeAllConnections();
    await new Promise<void>((resolve) => server?.close(() => resolve()) ?? resolve());
  }

  url(name: string): string {
    return `http://127.0.0.1:${this.port}/${name}`;
  }

  at(name: string, type?: string): Received[] {
    return this.received.filter((r) => r.path === `/${name}` && (!type || r.payload.type === type));
  }
}

let app: TestApp;
let worker: WorkerHandle;
const receiver = new Receiver();
const clients = {
  vaasa: `vaasa-crm-${randomUUID()}`,
  korsholm: `korsholm-crm-${randomUUID()}`,
  outsider: `outsider-crm-${randomUUID()}`,
};
const endpointIds: Record<string, string> = {};

const services = () => app.server.services;
const dispatch = () => new WebhookDispatchService(app.dataSource).dispatch(app.clock.now());

function partnerToken(clientId: string) {
  return app.tokens.sign({ client_id: clientId, name: clientId }, { subject: clientId });
}

function agreement(clientId: string, municipalityCodes: string[], dataContents: DataContent[]) {
  return services().agreements.add({
    clientId,
    organisationName: 'Test organisation',
    businessId: '0209602-6',
    legalBasis: 'Laki kotoutumisen edistämisestä (681/2023) 84 §',
    dataContents,
    municipalityCodes,
    validFrom: '2026-01-01',
    validTo: null,
  });
}

let serial = 0;
function importLine(municipalityCode: string): string {
  serial += 1;
  const dateOfBirth = `1961-0${1 + (serial % 9)}-1${serial % 10}`;
  return JSON.stringify({
    sourceId: `webhook-test-${serial}`,
    kind: 'IMMIGRANT',
    municipalityCode,
    createdAt: '2026-11-02T08:00:00+02:00',
    additionalInfo: null,
    person: {
      personalIdentityCode: fictivePersonalIdentityCode(dateOfBirth, serial),
      firstNames: 'Ahmed',
      lastName: `Webhookinen ${serial}`,
      dateOfBirth,
      nativeLanguage: 'ar',
      citizenship: 'SYR',
      phoneNumber: '+358 40 1234567',
      firstResidencePermitStart: '2025-03-01',
      euEeaCitizen: false,
      address: { street: 'Kauppapuistikko 1 A 2', postalCode: '65100', postOffice: 'VAASA' },
    },
  });
}

async function deliveriesOf(endpointId: string) {
  return app.dataSource.query(
    `SELECT d.status, d.attempts, d.last_error AS "lastError", ev.type
       FROM webhook_delivery d JOIN webhook_event ev ON ev.id = d.event_id WHERE d.endpoint_id = $1
      ORDER BY d.created_at, ev.occurred_at`,
    [endpointId],
  ) as Promise<{ status: string; attempts: number; lastError: string | null; type: string }[]>;
}

beforeAll(async () => {
  app = await startTestApp();
  await receiver.start();
  await agreement(
    clients.vaasa,
    ['905'],
    [DataContent.INTEGRATION_SERVICES, DataContent.INTEGRATION_SERVICES_HOME_CARE_ALLOWANCE],
  );
  await agreement(clients.korsholm, ['499'], [DataContent.INTEGRATION_SERVICES]);
  // The outsider's agreement covers another municipality only.
  await agreement(clients.outsider, ['946'], [DataContent.INTEGRATION_SERVICES]);
  const add = async (name: string, clientId: string, events: string[]) => {
    const { endpoint, warning } = await services().webhooks.add({
      clientId,
      url: receiver.url(name),
      events,
    });
    expect(warning).toBeNull();
    expect(endpoint.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    receiver.secrets.set(`/${name}`, endpoint.secret);
    endpointIds[name] = endpoint.id;
  };
  await add('vaasa', clients.vaasa, [
    'notification.created',
    'notification.transferred',
    'home_care_allowance_list.created',
  ]);
  await add('korsholm', clients.korsholm, ['notification.created', 'notification.transferred']);
  await add('outsider', clients.outsider, ['notification.created', 'notification.transferred']);
  const url = (app.dataSource.options as { url: string }).url;
  worker = await startWorker({
    connectionString: url,
    dataSource: app.dataSource,
    logger: pino({ level: 'silent' }),
    crontab: false,
    pollInterval: 200,
    clock: app.clock,
  });
}, 60_000);

afterAll(async () => {
  await worker?.stop();
  await receiver.stop();
  await app?.close();
});

describe('webhooks for partner systems', () => {
  it('delivers notification.created after an import, signed, with ids and no personal data, to the entitled only', async () => {
    const lines = [importLine('905'), importLine('905'), importLine('499')];
    const report = await services().notificationImport.importLines(lines);
    expect(report.imported).toBe(3);
    const vaasaIds = [...report.createdIds.values()].slice(0, 2).sort();
    const korsholmIds = [...report.createdIds.values()].slice(2);

    // The import commits record by record: an event each.
    expect(await dispatch()).toMatchObject({ events: 3, deliveries: 3 });
    await poll(
      'notification.created at both partners',
      20_000,
      async () => receiver.at('vaasa').length === 2 && receiver.at('korsholm').length === 1,
    );
    const vaasa = receiver.at('vaasa');
    for (const received of vaasa) {
      expect(received.verified).toBe(true);
      expect(received.payload).toEqual({
        type: 'notification.created',
        timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
        data: { ids: expect.any(Array), municipalityCode: '905', kinds: ['IMMIGRANT'] },
      });
      expect(Object.keys(received.payload)).toEqual(['type', 'timestamp', 'data']);
      expect(received.raw.replace(UUID, 'UUID')).not.toMatch(IDENTITY_CODE);
      expect(received.raw).not.toContain('Webhookinen');
    }
    expect(vaasa.flatMap((r) => r.payload.data.ids).sort()).toEqual(vaasaIds);
    const [korsholm] = receiver.at('korsholm');
    expect(korsholm?.verified).toBe(true);
    expect(korsholm?.payload.data).toEqual({
      ids: korsholmIds,
      municipalityCode: '499',
      kinds: ['IMMIGRANT'],
    });
    // The webhook-id is the event's id; the partner without an agreement for 905 or 499 got nothing.
    expect(new Set([...vaasa, korsholm].map((r) => r?.id)).size).toBe(3);
    expect(receiver.at('outsider')).toEqual([]);
    expect(await deliveriesOf(endpointIds.outsider as string)).toEqual([]);
    expect(await deliveriesOf(endpointIds.vaasa as string)).toEqual([
      { status: 'DELIVERED', attempts: 1, lastError: null, type: 'notification.created' },
      { status: 'DELIVERED', attempts: 1, lastError: null, type: 'notification.created' },
    ]);
  });

  it('groups the ids of one statement per municipality (the weekly run inserts thousands at once)', async () => {
    const { length: before } = await app.dataSource.query('SELECT id FROM webhook_event');
    const people = await Promise.all(
      [1, 2, 3].map(() => app.given.notification({ municipalityCode: '946' })),
    );
    await app.dataSource.query(
      `WITH gone AS (DELETE FROM notification WHERE id = ANY ($1::uuid[]) RETURNING *)
       INSERT INTO notification (source_id, kind, person_id, municipality_code, created_at)
       SELECT 'grouped-' || id, kind, person_id, municipality_code, created_at FROM gone`,
      [people.map((p) => p.id)],
    );
    const events: { type: string; municipalityCode: string; count: number }[] = await app.dataSource.query(
      `SELECT type, municipality_code AS "municipalityCode", jsonb_array_length(data->'ids') AS count
         FROM webhook_event ORDER BY occurred_at, id OFFSET $1`,
      [before],
    );
    // Three fixtures (a statement each), then one event for the three-row statement.
    expect(events.map((e) => e.count)).toEqual([1, 1, 1, 3]);
    expect(new Set(events.map((e) => e.municipalityCode))).toEqual(new Set(['946']));
    // Vöyri's partner gets them; the others do not.
    await dispatch();
    await poll('Vöyri’s events', 20_000, async () => receiver.at('outsider').length === 4);
    expect(receiver.at('outsider').every((r) => r.verified)).toBe(true);
  });

  it('records no event for a change that rolls back', async () => {
    const before = await app.dataSource.query('SELECT count(*)::int AS n FROM webhook_event');
    await app.dataSource
      .transaction(async (manager) => {
        await manager.query(
          `INSERT INTO home_care_allowance_list (municipality_code, month, generated_on, generated_at, expires_at, row_count)
           VALUES ('905', '2020-01-01', '2020-01-31', now(), now(), 0)`,
        );
        throw new Error('rolled back');
      })
      .catch(() => {});
    expect(await app.dataSource.query('SELECT count(*)::int AS n FROM webhook_event')).toEqual(before);
  });

  it('sends notification.transferred to the receiving municipality’s partner only', async () => {
    const notification = await app.given.notification({ municipalityCode: '905' });
    await dispatch();
    await poll('the fixture’s notification.created', 20_000, async () =>
      receiver.at('vaasa').some((r) => r.payload.data.ids.includes(notification.id)),
    );

    const handler = await app.tokens.handler(['905']);
    const result = await app.request(
      TransferToMunicipalityDocument,
      { id: notification.id, municipalityCode: '499', reason: 'Muuttanut Mustasaareen.' },
      handler,
    );
    expect(result.data?.transferToMunicipality.__typename).toBe('TransferReceipt');
    await dispatch();
    await poll(
      'notification.transferred at Korsholm',
      20_000,
      async () => receiver.at('korsholm', 'notification.transferred').length === 1,
    );
    const [transferred] = receiver.at('korsholm', 'notification.transferred');
    expect(transferred?.verified).toBe(true);
    expect(transferred?.payload.data).toEqual({
      ids: [notification.id],
      municipalityCode: '499',
      fromMunicipalityCode: '905',
    });
    expect(receiver.at('vaasa', 'notification.transferred')).toEqual([]);
    expect(receiver.at('outsider', 'notification.transferred')).toEqual([]);
  });

  it('sends home_care_allowance_list.created when the month’s lists are generated', async () => {
    const result = await services().homeCareAllowanceGeneration.generateMonth(
      '2026-11-30',
      new Date('2026-11-30T04:00:00.000Z'),
    );
    expect(result.due).toBe(true);
    await dispatch();
    await poll(
      'the list event',
      20_000,
      async () => receiver.at('vaasa', 'home_care_allowance_list.created').length === 1,
    );
    const [created] = receiver.at('vaasa', 'home_care_allowance_list.created');
    const [list] = await app.dataSource.query(
      "SELECT id FROM home_care_allowance_list WHERE municipality_code = '905' AND month = '2026-11-01'",
    );
    expect(created?.verified).toBe(true);
    expect(created?.payload.data).toEqual({ ids: [list.id], municipalityCode: '905', month: '2026-11' });
    // Korsholm's partner did not subscribe to lists, and its agreement does not cover them.
    expect(receiver.at('korsholm', 'home_care_allowance_list.created')).toEqual([]);
  });

  it('retries while the receiver is down, and every event arrives once it is back, in order', async () => {
    await receiver.stop();
    const first = await app.given.notification({ municipalityCode: '905' });
    const second = await app.given.notification({ municipalityCode: '905' });
    await dispatch();
    await poll('two failed attempts', 30_000, async () => {
      const rows = await deliveriesOf(endpointIds.vaasa as string);
      return rows.slice(-2).every((row) => row.attempts >= 2 && row.status === 'PENDING');
    });
    const failing = (await deliveriesOf(endpointIds.vaasa as string)).slice(-2);
    expect(failing.map((row) => row.lastError)).toEqual(['ECONNREFUSED', 'ECONNREFUSED']);

    // The partner sees the failures.
    const seen = await app.request(
      WebhookDeliveriesDocument,
      { first: 2 },
      await partnerToken(clients.vaasa),
    );
    expect(seen.errors).toBeUndefined();
    expect(
      seen.data?.viewer.webhookDeliveries.edges.map(({ node }) => [
        node.status,
        node.lastError,
        node.endpointUrl,
      ]),
    ).toEqual([
      ['PENDING', 'ECONNREFUSED', receiver.url('vaasa')],
      ['PENDING', 'ECONNREFUSED', receiver.url('vaasa')],
    ]);
    expect(seen.data?.viewer.webhookDeliveries.edges[0]?.node.nextAttemptAt).not.toBeNull();

    const metrics = await fetch(app.url.replace(/\/graphql$/, '/metrics')).then((r) => r.text());
    const retries = Number(/kelmu_webhook_deliveries_total\{result="retry"\} (\d+)/.exec(metrics)?.[1]);
    expect(retries).toBeGreaterThanOrEqual(4);
    expect(metrics).toMatch(/kelmu_webhook_deliveries_pending 2\b/);

    const before = receiver.at('vaasa').length;
    await receiver.start();
    await poll('both events after the receiver came back', 40_000, async () =>
      (await deliveriesOf(endpointIds.vaasa as string)).every((row) => row.status === 'DELIVERED'),
    );
    const arrived = receiver.at('vaasa').slice(before);
    expect(arrived.every((r) => r.verified)).toBe(true);
    expect(arrived.flatMap((r) => r.payload.data.ids).sort()).toEqual([first.id, second.id].sort());
    const after = await fetch(app.url.replace(/\/graphql$/, '/metrics')).then((r) => r.text());
    expect(after).toMatch(/kelmu_webhook_deliveries_pending 0\b/);
    expect(after).toMatch(/kelmu_webhook_deliveries_total\{result="delivered"\} \d+/);
  }, 90_000);

  it('sends social_care_notice.visible once a notice’s visible_from has passed, and at once for a visible one', async () => {
    const clientId = `welfare-${randomUUID()}`;
    await agreement(clientId, ['905'], [DataContent.SOCIAL_ASSISTANCE]);
    const { endpoint } = await services().webhooks.add({
      clientId,
      url: receiver.url('welfare'),
      events: ['social_care_notice.visible'],
    });
    receiver.secrets.set('/welfare', endpoint.secret);
    const [{ value }] = await app.dataSource.query(
      "SELECT value FROM app_setting WHERE key = 'webhooks.social_care_visible_until'",
    );
    const watermark = new Date(value).getTime();
    const { personId } = await app.given.notification({ municipalityCode: '905' });
    const notice = async (visibleFrom: Date) => {
      const [row] = await app.dataSource.query(
        `INSERT INTO social_care_notice (source_id, kind, person_id, municipality_code, received_at, visible_from)
         VALUES ($1, 'CONTACT', $2, '905', now(), $3) RETURNING id`,
        [`webhook-test-${randomUUID()}`, personId, visibleFrom],
      );
      return row.id as string;
    };
    const later = await notice(new Date(Math.max(watermark, Date.now()) + 3_600_000));
    const already = await notice(new Date(Date.now() - 3_600_000));
    try {
      app.clock.set(new Date(Math.max(watermark, Date.now()) + 1_800_000));
      await dispatch();
      await poll('the visible notice', 20_000, async () => receiver.at('welfare').length === 1);
      expect(receiver.at('welfare')[0]?.payload.data).toEqual({
        ids: [already],
        municipalityCode: '905',
        kinds: ['CONTACT'],
      });

      app.clock.set(new Date(Math.max(watermark, Date.now()) + 7_200_000));
      expect(await dispatch()).toMatchObject({ visibleNoticeEvents: 1 });
      await poll('the notice that became visible', 20_000, async () => receiver.at('welfare').length === 2);
      const [, became] = receiver.at('welfare');
      expect(became?.verified).toBe(true);
      expect(became?.payload.type).toBe('social_care_notice.visible');
      expect(became?.payload.data).toEqual({ ids: [later], municipalityCode: '905', kinds: ['CONTACT'] });
      // Once only: the watermark moved past it.
      expect(await dispatch()).toMatchObject({ visibleNoticeEvents: 0, events: 0 });
    } finally {
      app.clock.set(new Date('2026-11-02T09:00:00.000Z'));
    }
  });

  it('shows a partner its own deliveries only, page by page; persons are refused', async () => {
    const token = await partnerToken(clients.vaasa);
    const all = await app.request(WebhookDeliveriesDocument, { first: 100 }, token);
    const edges = all.data?.viewer.webhookDeliveries.edges ?? [];
    expect(edges.length).toBe((await deliveriesOf(endpointIds.vaasa as string)).length);
    expect(new Set(edges.map(({ node }) => node.endpointId))).toEqual(new Set([endpointIds.vaasa]));
    expect(edges.every(({ node }) => node.status === 'DELIVERED' && node.deliveredAt !== null)).toBe(true);

    const page1 = await app.request(WebhookDeliveriesDocument, { first: 2 }, token);
    const page2 = await app.request(
      WebhookDeliveriesDocument,
      { first: 2, after: page1.data?.viewer.webhookDeliveries.pageInfo.endCursor ?? null },
      token,
    );
    expect(page1.data?.viewer.webhookDeliveries.pageInfo.hasNextPage).toBe(true);
    expect(
      [
        ...(page1.data?.viewer.webhookDeliveries.edges ?? []),
        ...(page2.data?.viewer.webhookDeliveries.edges ?? []),
      ].map(({ node }) => node.id),
    ).toEqual(edges.slice(0, 4).map(({ node }) => node.id));

    const korsholm = await app.request(
      WebhookDeliveriesDocument,
      { first: 100 },
      await partnerToken(clients.korsholm),
    );
    expect(new Set(korsholm.data?.viewer.webhookDeliveries.edges.map(({ node }) => node.endpointId))).toEqual(
      new Set([endpointIds.korsholm]),
    );

    const person = await app.request(
      WebhookDeliveriesDocument,
      { first: 10 },
      await app.tokens.handler(['905']),
    );
    expect(person.errors?.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
  });

  it('the daily purge removes events dispatched over 30 days ago once their deliveries have finished', async () => {
    const now = app.clock.now();
    const daysAgo = (days: number) => new Date(now.getTime() - days * 86_400_000);
    const [old, pending, recent]: { id: string }[] = await app.dataSource.query(
      `INSERT INTO webhook_event (type, municipality_code, data, occurred_at, dispatched_at)
       VALUES ('notification.created', '905', '{"ids": []}', $1, $1),
              ('notification.created', '905', '{"ids": []}', $1, $1),
              ('notification.created', '905', '{"ids": []}', $2, $2)
       RETURNING id`,
      [daysAgo(31), daysAgo(29)],
    );
    await app.dataSource.query(
      `INSERT INTO webhook_delivery (endpoint_id, event_id, status)
       VALUES ($1, $2, 'DELIVERED'), ($1, $3, 'PENDING'), ($1, $4, 'DELIVERED')`,
      [endpointIds.vaasa, old?.id, pending?.id, recent?.id],
    );
    const removed = await services().purge.purgeWebhookHistory(now);
    expect(removed).toBeGreaterThanOrEqual(1);
    const left: { id: string }[] = await app.dataSource.query(
      'SELECT id FROM webhook_event WHERE id = ANY($1::uuid[])',
      [[old?.id, pending?.id, recent?.id]],
    );
    // The old finished one goes (its delivery with it); one still waiting to be delivered, and a recent one, stay.
    expect(left.map((row) => row.id).sort()).toEqual([pending?.id, recent?.id].sort());
    const deliveries = await app.dataSource.query('SELECT 1 FROM webhook_delivery WHERE event_id = $1', [
      old?.id,
    ]);
    expect(deliveries).toEqual([]);
  });
});

describe('the webhooks’ schedule', () => {
  it('dispatches every minute, in every worker’s crontab', () => {
    const [item, ...others] = parseCrontab(WEBHOOK_CRONTAB);
    expect(others).toEqual([]);
    expect(item?.task).toBe('webhooks_dispatch');
    const minutes = [0, 1, 59].map((min) => ({ min, hour: 3, date: 1, month: 1, dow: 4 }));
    expect(minutes.every((digest) => item?.match(digest))).toBe(true);
  });
});

describe('npm run webhooks (the CLI)', () => {
  const ROOT = path.resolve(__dirname, '..');

  function run(databaseUrl: string, ...args: string[]) {
    return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        ['-r', '@swc-node/register', 'src/cli/webhooks.ts', ...args],
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

  it('refuses a bad endpoint before it opens the database', async () => {
    // A database nobody answers: a command that tried to connect would fail differently (and slowly).
    const nowhere = 'postgres://nobody@127.0.0.1:1/none';
    const ftp = await run(
      nowhere,
      'add',
      '--client-id',
      'crm',
      '--url',
      'ftp://example.fi/hook',
      '--events',
      'notification.created',
    );
    expect(ftp.code).toBe(2);
    expect(ftp.stderr).toMatch(/^--url: must be https/);
    const events = await run(
      nowhere,
      'add',
      '--client-id',
      'crm',
      '--url',
      'https://example.fi/hook',
      '--events',
      'nope',
    );
    expect(events.code).toBe(2);
    expect(events.stderr).toMatch(/^--events: unknown event nope/);
  });

  it('adds, lists, rotates and removes an endpoint; bad input names the argument and exits 2', async () => {
    const database = await createTestDatabase();
    try {
      const added = await run(
        database.url,
        'add',
        '--client-id',
        'vaasa-crm',
        '--url',
        'https://crm.vaasa.example/kelmu',
        '--events',
        'notification.created,notification.transferred',
      );
      expect(added.code).toBe(0);
      const id = /^id: ([0-9a-f-]{36})$/m.exec(added.stdout)?.[1];
      const secret = /^secret: (whsec_\S+)$/m.exec(added.stdout)?.[1];
      expect(id).toBeDefined();
      expect(secret).toMatch(/^whsec_/);
      // No agreement yet: a warning, on standard error.
      expect(added.stderr).toContain('no agreement');

      const listed = await run(database.url, 'list', '--client-id', 'vaasa-crm');
      expect(listed.code).toBe(0);
      expect(listed.stdout).toContain(
        `${id}  vaasa-crm  https://crm.vaasa.example/kelmu  notification.created,notification.transferred`,
      );
      expect(listed.stdout).not.toContain('whsec_');

      const rotated = await run(database.url, 'rotate-secret', '--id', id as string);
      expect(rotated.code).toBe(0);
      const newSecret = /^secret: (whsec_\S+)$/m.exec(rotated.stdout)?.[1];
      expect(newSecret).toMatch(/^whsec_/);
      expect(newSecret).not.toBe(secret);

      expect((await run(database.url, 'remove', '--id', id as string)).code).toBe(0);
      expect((await run(database.url, 'list')).stdout).not.toContain(id);
      const again = await run(database.url, 'remove', '--id', id as string);
      expect(again.code).toBe(2);
      expect(again.stderr).toContain('--id: no webhook endpoint');

      const insecure = await run(
        database.url,
        'add',
        '--client-id',
        'x',
        '--url',
        'http://crm.vaasa.example/',
        '--events',
        'notification.created',
      );
      expect(insecure.code).toBe(2);
      expect(insecure.stderr).toMatch(/--url: plain http is allowed only to loopback/);
      expect(insecure.stderr).toContain('Usage: npm run webhooks');

      const unknown = await run(
        database.url,
        'add',
        '--client-id',
        'x',
        '--url',
        'https://crm.vaasa.example/',
        '--events',
        'notification.deleted',
      );
      expect(unknown.code).toBe(2);
      expect(unknown.stderr).toContain('--events: unknown event notification.deleted');

      const stray = await run(database.url, 'list', '--url', 'https://x.example/');
      expect(stray.code).toBe(2);
      expect(stray.stderr).toContain('--url: not an option of list');

      const help = await run(database.url, 'add', '--help');
      expect(help.code).toBe(0);
      expect(help.stdout).toContain('rotate-secret');
    } finally {
      await database.drop();
    }
  }, 120_000);
});
