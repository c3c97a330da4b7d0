import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  MoveToProcessingDocument,
  NotificationDocument,
  NotificationIdsDocument,
  ReturnToNewDocument,
  TransferToMunicipalityDocument,
} from './generated/graphql';
import { startTestApp, type TestApp } from './support/app';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => {
  await app?.close();
});

describe('a notification through its life', () => {
  it('moves to processing, returns to New and is transferred, with an audit row for each change', async () => {
    const vaasa = await app.tokens.handler(['905']);
    const korsholm = await app.tokens.handler(['499']);
    const { id } = await app.given.notification({ municipalityCode: '905', ageDays: 3 });

    const moved = await app.request(MoveToProcessingDocument, { id }, vaasa);
    expect(moved.data?.moveToProcessing).toMatchObject({
      __typename: 'Notification',
      id,
      status: 'IN_PROCESSING',
      version: 2,
    });

    const inProcessing = await app.request(
      NotificationIdsDocument,
      { filter: { status: 'IN_PROCESSING' } },
      vaasa,
    );
    expect(inProcessing.data?.notifications.edges.map((e) => e.node.id)).toEqual([id]);

    const returned = await app.request(ReturnToNewDocument, { id }, vaasa);
    expect(returned.data?.returnToNew).toMatchObject({
      __typename: 'Notification',
      status: 'NEW',
      processingStartedAt: null,
    });

    const transferred = await app.request(
      TransferToMunicipalityDocument,
      { id, municipalityCode: '499', reason: '  Asuu Mustasaaressa  ' },
      vaasa,
    );
    expect(transferred.data?.transferToMunicipality).toMatchObject({
      __typename: 'TransferReceipt',
      fromMunicipalityCode: '905',
      toMunicipalityCode: '499',
      reason: 'Asuu Mustasaaressa',
      toMunicipality: { nameFi: 'Mustasaari', nameSv: 'Korsholm' },
    });

    expect((await app.request(NotificationDocument, { id }, vaasa)).data?.notification).toBeNull();
    const atTarget = await app.request(NotificationDocument, { id }, korsholm);
    expect(atTarget.data?.notification).toMatchObject({
      status: 'NEW',
      municipality: { code: '499' },
      transfers: [{ fromMunicipalityCode: '905', toMunicipalityCode: '499', reason: 'Asuu Mustasaaressa' }],
    });

    const audit = await app.dataSource.query(
      'SELECT action, from_status, to_status, from_municipality_code, to_municipality_code, actor_id, organisation FROM audit_event WHERE notification_id = $1 ORDER BY id',
      [id],
    );
    expect(audit).toEqual([
      expect.objectContaining({
        action: 'MOVE_TO_PROCESSING',
        from_status: 'NEW',
        to_status: 'IN_PROCESSING',
        actor_id: 'handler-905',
        organisation: '905',
      }),
      expect.objectContaining({ action: 'RETURN_TO_NEW', from_status: 'IN_PROCESSING', to_status: 'NEW' }),
      expect.objectContaining({
        action: 'TRANSFER_TO_MUNICIPALITY',
        from_municipality_code: '905',
        to_municipality_code: '499',
      }),
    ]);
  });
});
