import fs from 'node:fs';
import path from 'node:path';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import {
  buildSchema,
  type DocumentNode,
  type FragmentDefinitionNode,
  Kind,
  parse,
  type SelectionSetNode,
  validate,
} from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  describeMoveToProcessing,
  movableNotification,
  moveToProcessing,
  newNotifications,
  transferToMunicipality,
} from '../client/examples/urql';
import * as client from '../client/src/index';
import { startTestApp, type TestApp } from './support/app';

const root = path.join(__dirname, '..');
const operationsDir = path.join(root, 'client', 'operations');

/** All client operation files as one document: fragments are shared across files, as codegen sees them. */
function clientDocument(): DocumentNode {
  const files = fs
    .readdirSync(operationsDir)
    .filter((name) => name.endsWith('.graphql'))
    .sort();
  return parse(files.map((name) => fs.readFileSync(path.join(operationsDir, name), 'utf8')).join('\n'));
}

describe('the client operations (client/operations)', () => {
  const schema = buildSchema(fs.readFileSync(path.join(root, 'src', 'schema', 'schema.graphql'), 'utf8'));
  const document = clientDocument();

  it('are valid against the committed schema', () => {
    expect(validate(schema, document).map((error) => error.message)).toEqual([]);
  });

  it('use every root Query and Mutation field at least once', () => {
    const fragments = new Map(
      document.definitions
        .filter(
          (definition): definition is FragmentDefinitionNode => definition.kind === Kind.FRAGMENT_DEFINITION,
        )
        .map((fragment) => [fragment.name.value, fragment]),
    );
    const used = new Set<string>();
    const collect = (rootType: string, selectionSet: SelectionSetNode) => {
      for (const selection of selectionSet.selections) {
        if (selection.kind === Kind.FIELD) used.add(`${rootType}.${selection.name.value}`);
        else if (selection.kind === Kind.INLINE_FRAGMENT) collect(rootType, selection.selectionSet);
        else {
          const fragment = fragments.get(selection.name.value);
          if (fragment) collect(rootType, fragment.selectionSet);
        }
      }
    };
    for (const definition of document.definitions) {
      if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
      const rootType = definition.operation === 'mutation' ? 'Mutation' : 'Query';
      collect(rootType, definition.selectionSet);
    }
    const rootFields = [schema.getQueryType(), schema.getMutationType()].flatMap((type) =>
      type ? Object.keys(type.getFields()).map((field) => `${type.name}.${field}`) : [],
    );
    expect(
      rootFields.filter((field) => !used.has(field)),
      'add an operation for these fields to client/operations, then run `npm run codegen`',
    ).toEqual([]);
    expect(rootFields.length).toBeGreaterThanOrEqual(10);
  });

  it('have unique, named operations, each exported as a typed document', () => {
    const names = document.definitions.flatMap((definition) =>
      definition.kind === Kind.OPERATION_DEFINITION ? [definition.name?.value ?? '(anonymous)'] : [],
    );
    expect(new Set(names).size).toBe(names.length);
    expect(names).not.toContain('(anonymous)');
    const exported = client as unknown as Record<string, unknown>;
    expect(names.filter((name) => !(`${name}Document` in exported))).toEqual([]);
  });
});

describe('the urql example (client/examples/urql.ts) against the service', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(async () => {
    await app?.close();
  });

  it('lists the New notifications, moves one to processing and transfers another, all typed', async () => {
    const token = await app.tokens.handler(['905']);
    const older = await app.given.notification({ municipalityCode: '905', ageDays: 5, lastName: 'Haddad' });
    const newer = await app.given.notification({ municipalityCode: '905', ageDays: 1, lastName: 'Ahmadi' });
    await app.given.notification({ municipalityCode: '499', ageDays: 1 });

    const list = await newNotifications(app.url, token, '905');
    expect(list.totalCount).toBe(2);
    expect(list.nextPage).toBeNull();
    expect(list.notifications.map((n) => n.id)).toEqual([newer.id, older.id]);
    const [first] = list.notifications;
    expect(first).toMatchObject({
      status: 'NEW',
      kind: 'IMMIGRANT',
      pendingDays: 1,
      municipality: { code: '905', nameFi: 'Vaasa', nameSv: 'Vasa' },
      person: { lastName: 'Ahmadi', personalIdentityCode: newer.personalIdentityCode },
    });
    expect(first?.statusLabel).toEqual(expect.any(String));

    const moved = await moveToProcessing(app.url, token, older.id);
    expect(moved.__typename).toBe('Notification');
    if (moved.__typename !== 'Notification') throw new Error('not moved');
    expect(moved).toMatchObject({ id: older.id, status: 'IN_PROCESSING', version: 2 });
    expect(moved.processingStartedAt).toBe(app.clock.now().toISOString());
    expect(describeMoveToProcessing(moved)).toMatch(/^In processing since /);

    const again = await moveToProcessing(app.url, token, older.id);
    expect(again).toMatchObject({
      __typename: 'InvalidTransition',
      notificationId: older.id,
      currentStatus: 'IN_PROCESSING',
      requiredStatus: 'NEW',
    });
    expect(describeMoveToProcessing(again)).toMatch(/^Not moved \(IN_PROCESSING\): /);

    const receipt = await transferToMunicipality(app.url, token, newer.id, '499', 'Asuu Mustasaaressa');
    expect(receipt).toMatchObject({
      __typename: 'TransferReceipt',
      fromMunicipalityCode: '905',
      toMunicipalityCode: '499',
      reason: 'Asuu Mustasaaressa',
      toMunicipality: { nameSv: 'Korsholm' },
    });
    expect((await newNotifications(app.url, token, '905')).totalCount).toBe(0);
  });

  it('reports a notification pending over 30 days as removed (NotificationRemoved)', async () => {
    const token = await app.tokens.handler(['905']);
    const old = await app.given.notification({ municipalityCode: '905', ageDays: 31 });
    const result = await moveToProcessing(app.url, token, old.id);
    expect(result).toMatchObject({
      __typename: 'NotificationRemoved',
      notificationId: old.id,
      pendingDays: 31,
    });
    expect(describeMoveToProcessing(result)).toBe('Pending 31 days: removed under the 30-day rule');
  });

  it('the demonstration moves only a notification the 30-day rule lets move, so it never deletes demo data', async () => {
    const token = await app.tokens.handler(['598']);
    const old = await app.given.notification({ municipalityCode: '598', ageDays: 40 });
    expect(movableNotification(await newNotifications(app.url, token, '598'))).toBeUndefined();
    const recent = await app.given.notification({ municipalityCode: '598', ageDays: 30 });
    const list = await newNotifications(app.url, token, '598');
    expect(list.notifications.map((n) => n.id)).toEqual([recent.id, old.id]);
    expect(movableNotification(list)?.id).toBe(recent.id);
  });

  it('throws urql’s CombinedError when the service refuses the token', async () => {
    await expect(newNotifications(app.url, 'not-a-token', '905')).rejects.toMatchObject({
      name: 'CombinedError',
    });
  });
});

describe('every client operation', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(async () => {
    await app?.close();
  });

  it('is accepted by the service (depth, cost and token limits, permissions) and answers without errors', async () => {
    const token = await app.tokens.handler(['905', '499'], {
      issues: ['INTEGRATION_CLIENT_DATA', 'ACCESS_LOG_REVIEW'],
    });
    const [a, b] = await app.given.notifications(2, { municipalityCode: '905', ageDays: 2 });
    if (!a || !b) throw new Error('no fixtures');
    const variables: Record<string, Record<string, unknown>> = {
      Viewer: {},
      Municipalities: {},
      Labels: { language: 'SV' },
      NewNotifications: { municipalityCode: '905', first: 200, language: 'FI' },
      InProcessingNotifications: { first: 200 },
      NotificationsByPostalCode: { status: 'NEW', postalCode: '65100', municipalityCode: '905', first: 200 },
      NotificationsByPerson: { status: 'NEW', personalIdentityCode: a.personalIdentityCode },
      Notifications: { filter: { status: 'NEW' }, first: 200 },
      Notification: { id: a.id, language: 'EN' },
      HomeCareAllowanceLists: { first: 200 },
      HomeCareAllowanceList: { id: '00000000-0000-4000-8000-000000000000', rowsFirst: 200 },
      AccessLog: { filter: {}, first: 200 },
      MoveToProcessing: { id: a.id },
      ReturnToNew: { id: a.id },
      TransferToMunicipality: { id: b.id, municipalityCode: '499', reason: 'Asuu Mustasaaressa' },
    };
    const operations = clientDocument().definitions.flatMap((definition) =>
      definition.kind === Kind.OPERATION_DEFINITION && definition.name ? [definition.name.value] : [],
    );
    expect(Object.keys(variables).sort(), 'give every client operation variables here').toEqual(
      [...operations].sort(),
    );
    const exported = client as unknown as Record<string, TypedDocumentNode<unknown, Record<string, unknown>>>;
    for (const [name, values] of Object.entries(variables)) {
      const document = exported[`${name}Document`];
      if (!document) throw new Error(`${name}Document is not exported`);
      const response = await app.request(document, values, token);
      expect({ name, status: response.status, errors: response.errors ?? [] }).toEqual({
        name,
        status: 200,
        errors: [],
      });
      expect(response.data, name).toBeTruthy();
    }
  });
});

describe('the download helper (fetchDownload) against the service', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(async () => {
    await app?.close();
  });

  it('fetches a workbook with the bearer token into a Blob, under the name the service gave, å and ö included', async () => {
    const token = await app.tokens.handler(['946']);
    await app.given.notification({ municipalityCode: '946', ageDays: 2 });
    const base = new URL(app.url).origin;
    const download = await client.fetchDownload(
      base,
      '/downloads/notifications.xlsx?status=NEW&municipalityCode=946',
      token,
      {
        language: 'sv',
      },
    );
    expect(download.contentType).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    expect(download.fileName).toMatch(/^.*946-vora.*\.xlsx$|^.*946-vörå.*\.xlsx$/i);
    const bytes = new Uint8Array(await download.blob.arrayBuffer());
    // An xlsx file is a zip archive: it starts with PK.
    expect([bytes[0], bytes[1]]).toEqual([0x50, 0x4b]);
  });

  it("throws a DownloadError with the service's code when the download is refused", async () => {
    const token = await app.tokens.handler(['905']);
    const base = new URL(app.url).origin;
    await expect(
      client.fetchDownload(base, '/downloads/notifications.csv?status=NEW&municipalityCode=091', token),
    ).rejects.toMatchObject({ name: 'DownloadError', status: 403, code: 'FORBIDDEN' });
  });

  it('reads the UTF-8 file name of a Content-Disposition before the plain one', () => {
    expect(
      client.fileNameOf(
        `attachment; filename="v?r?.csv"; filename*=UTF-8''anm%C3%A4lningar-946-v%C3%B6r%C3%A5.csv`,
      ),
    ).toBe('anmälningar-946-vörå.csv');
    expect(client.fileNameOf('attachment; filename="ilmoitukset-905-vaasa.csv"')).toBe(
      'ilmoitukset-905-vaasa.csv',
    );
    expect(client.fileNameOf(null)).toBeUndefined();
  });
});
