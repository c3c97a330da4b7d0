import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  MoveToProcessingDocument,
  NotificationDocument,
  NotificationIdsDocument,
  ReturnToNewDocument,
  TransferToMunicipalityDocument,
} from './generated/graphql';
import { startTestApp, type TestApp } from './support/app';

const PARALLEL = 20;

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
  // Warm up: fetch the signing keys and open the pool's connections, so that the requests below really overlap
  // instead of queueing behind connection set-up.
  const token = await app.tokens.handler(['905']);
  await Promise.all(
    Array.from({ length: PARALLEL }, () =>
      app.request(NotificationIdsDocument, { filter: { status: 'NEW' } }, token),
    ),
  );
});
afterAll(async () => {
  await app?.close();
});

async function notificationRow(id: string) {
  const rows: {
    status: string;
    version: number;
    municipality_code: string;
    processing_started_at: Date | null;
  }[] = await app.dataSource.query(
    'SELECT status, version, municipality_code, processing_started_at FROM notification WHERE id = $1',
    [id],
  );
  return rows[0];
}

async function auditRows(id: string) {
  const rows: {
    action: string;
    from_status: string | null;
    to_status: string | null;
    to_municipality_code: string | null;
  }[] = await app.dataSource.query(
    'SELECT action, from_status, to_status, to_municipality_code FROM audit_event WHERE notification_id = $1 ORDER BY id',
    [id],
  );
  return rows;
}

describe('parallel conflicting changes on one notification', () => {
  it('applies exactly one of 20 parallel moves to processing', async () => {
    const vaasa = await app.tokens.handler(['905']);
    const { id } = await app.given.notification({ municipalityCode: '905', ageDays: 2 });

    const responses = await Promise.all(
      Array.from({ length: PARALLEL }, () => app.request(MoveToProcessingDocument, { id }, vaasa)),
    );

    for (const response of responses) expect(response.errors).toBeUndefined();
    const results = responses.map((response) => response.data?.moveToProcessing);
    const applied = results.filter((result) => result?.__typename === 'Notification');
    const refused = results.filter((result) => result?.__typename === 'InvalidTransition');
    expect(applied).toEqual([
      expect.objectContaining({ __typename: 'Notification', id, status: 'IN_PROCESSING', version: 2 }),
    ]);
    expect(refused).toHaveLength(PARALLEL - 1);
    for (const result of refused) {
      expect(result).toMatchObject({ notificationId: id, currentStatus: 'IN_PROCESSING' });
    }

    expect(await notificationRow(id)).toMatchObject({ status: 'IN_PROCESSING', version: 2 });
    expect(await auditRows(id)).toEqual([
      expect.objectContaining({
        action: 'MOVE_TO_PROCESSING',
        from_status: 'NEW',
        to_status: 'IN_PROCESSING',
      }),
    ]);
    const seen = await app.request(NotificationDocument, { id }, vaasa);
    expect(seen.data?.notification).toMatchObject({ status: 'IN_PROCESSING', version: 2 });
  });

  it('ends 10 moves and 10 returns, interleaved in parallel, in the state their applied changes lead to', async () => {
    const vaasa = await app.tokens.handler(['905']);
    const { id } = await app.given.notification({ municipalityCode: '905', ageDays: 4 });

    const responses = await Promise.all(
      Array.from({ length: PARALLEL }, (_, i) =>
        i % 2 === 0
          ? app
              .request(MoveToProcessingDocument, { id }, vaasa)
              .then((r) => ({ action: 'MOVE' as const, errors: r.errors, result: r.data?.moveToProcessing }))
          : app
              .request(ReturnToNewDocument, { id }, vaasa)
              .then((r) => ({ action: 'RETURN' as const, errors: r.errors, result: r.data?.returnToNew })),
      ),
    );

    for (const response of responses) expect(response.errors).toBeUndefined();
    const applied = responses.filter((r) => r.result?.__typename === 'Notification');
    const refused = responses.filter((r) => r.result?.__typename === 'InvalidTransition');
    expect(applied.length + refused.length).toBe(PARALLEL);
    // The first change to get the row finds it NEW, so at least the first move that gets there applies.
    expect(applied.length).toBeGreaterThanOrEqual(1);

    // Each applied change shows the status it led to, and the versions are exactly 2 … 1 + applied, once each.
    for (const { action, result } of applied) {
      expect(result).toMatchObject({ status: action === 'MOVE' ? 'IN_PROCESSING' : 'NEW' });
    }
    const versions = applied
      .map(({ result }) => (result?.__typename === 'Notification' ? result.version : -1))
      .sort((a, b) => a - b);
    expect(versions).toEqual(Array.from({ length: applied.length }, (_, i) => i + 2));

    const finalStatus = applied.length % 2 === 1 ? 'IN_PROCESSING' : 'NEW';
    const row = await notificationRow(id);
    expect(row).toMatchObject({ status: finalStatus, version: 1 + applied.length });
    expect(row?.processing_started_at === null).toBe(finalStatus === 'NEW');

    // One audit row per applied change, alternating as the changes were serialised.
    const audit = await auditRows(id);
    expect(audit).toHaveLength(applied.length);
    expect(audit.map((a) => a.action)).toEqual(
      Array.from({ length: applied.length }, (_, i) =>
        i % 2 === 0 ? 'MOVE_TO_PROCESSING' : 'RETURN_TO_NEW',
      ),
    );
    expect(audit.filter((a) => a.action === 'MOVE_TO_PROCESSING')).toHaveLength(
      applied.filter((a) => a.action === 'MOVE').length,
    );
  });

  it('transfers to only one of 20 municipalities asked for in parallel', async () => {
    const vaasa = await app.tokens.handler(['905']);
    const { id } = await app.given.notification({ municipalityCode: '905', ageDays: 1 });
    const targets: { code: string }[] = await app.dataSource.query(
      "SELECT code FROM municipality WHERE code <> '905' ORDER BY code LIMIT $1",
      [PARALLEL],
    );
    expect(targets).toHaveLength(PARALLEL);

    const responses = await Promise.all(
      targets.map(({ code }) =>
        app.request(
          TransferToMunicipalityDocument,
          { id, municipalityCode: code, reason: `Asuu kunnassa ${code}` },
          vaasa,
        ),
      ),
    );

    const receipts = responses
      .map((response) => response.data?.transferToMunicipality)
      .filter((result) => result?.__typename === 'TransferReceipt');
    expect(receipts).toHaveLength(1);
    const receipt = receipts[0];
    if (receipt?.__typename !== 'TransferReceipt') throw new Error('no receipt');
    expect(receipt).toMatchObject({ notificationId: id, fromMunicipalityCode: '905' });
    expect(targets.map((t) => t.code)).toContain(receipt.toMunicipalityCode);

    // The others did not happen: the notification had already left Vaasa's view.
    const others = responses.filter((r) => r.data?.transferToMunicipality?.__typename !== 'TransferReceipt');
    expect(others).toHaveLength(PARALLEL - 1);
    for (const other of others) {
      expect(other.data?.transferToMunicipality ?? null).toBeNull();
      expect(other.errors?.map((e) => e.extensions?.code)).toEqual(['NOT_FOUND']);
    }

    const transfers: { from_municipality_code: string; to_municipality_code: string }[] =
      await app.dataSource.query(
        'SELECT from_municipality_code, to_municipality_code FROM notification_transfer WHERE notification_id = $1',
        [id],
      );
    expect(transfers).toEqual([
      { from_municipality_code: '905', to_municipality_code: receipt.toMunicipalityCode },
    ]);
    expect(await notificationRow(id)).toMatchObject({
      status: 'NEW',
      version: 2,
      municipality_code: receipt.toMunicipalityCode,
    });
    expect(await auditRows(id)).toEqual([
      expect.objectContaining({
        action: 'TRANSFER_TO_MUNICIPALITY',
        to_municipality_code: receipt.toMunicipalityCode,
      }),
    ]);

    const atTarget = await app.tokens.handler([receipt.toMunicipalityCode]);
    const seen = await app.request(NotificationDocument, { id }, atTarget);
    expect(seen.data?.notification).toMatchObject({
      municipality: { code: receipt.toMunicipalityCode },
      transfers: [{ fromMunicipalityCode: '905', toMunicipalityCode: receipt.toMunicipalityCode }],
    });
  });
});
