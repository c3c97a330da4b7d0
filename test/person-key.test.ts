import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fillPersonKeys } from '../src/db/access-log-setup';
import { personKeySql } from '../src/db/person-key';
import { DataContent } from '../src/domain/enums';
import { fictivePersonalIdentityCode } from '../src/domain/personal-identity-code';
import { appendAccessLog } from '../src/services/access-log.service';
import { startTestApp, type TestApp } from './support/app';

/**
 * Issue 11: the person key is kept on `person` (written with the person, by a trigger in a session holding the key),
 * so that an access log entry of a list no longer computes fifty keyed MACs; entries still carry the same keys.
 */

let app: TestApp;

beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => {
  await app?.close();
});

async function personRow(id: string): Promise<{ stored: string | null; computed: string }> {
  const [row]: { stored: string | null; computed: string }[] = await app.dataSource.query(
    `SELECT encode(person_key, 'hex') AS stored, encode(${personKeySql('personal_identity_code')}, 'hex') AS computed
       FROM person WHERE id = $1`,
    [id],
  );
  if (!row) throw new Error('no person');
  return row;
}

describe('the person key on person', () => {
  it('is the keyed MAC of the identity code, from the moment the person is written', async () => {
    const given = await app.given.notification({ municipalityCode: '905' });
    const { stored, computed } = await personRow(given.personId);
    expect(stored).toMatch(/^[0-9a-f]{64}$/);
    expect(stored).toBe(computed);
  });

  it('follows a corrected identity code, and cannot be set to anything else', async () => {
    const given = await app.given.notification({ municipalityCode: '905' });
    const before = await personRow(given.personId);
    await app.dataSource.query(
      "UPDATE person SET personal_identity_code = $2, person_key = '\\x00' WHERE id = $1",
      [given.personId, fictivePersonalIdentityCode('1990-01-01', 977)],
    );
    const after = await personRow(given.personId);
    expect(after.stored).toBe(after.computed);
    expect(after.stored).not.toBe(before.stored);
  });

  it('gives access log entries the same keys as computing them would, also for a person written without the key', async () => {
    const keyed = await app.given.notification({ municipalityCode: '905' });
    const unkeyed = await app.given.notification({ municipalityCode: '905' });
    // As a session without ACCESS_LOG_KEY leaves it (the test database's owner turns the trigger off to write that).
    await app.dataSource.transaction(async (manager) => {
      await manager.query('ALTER TABLE person DISABLE TRIGGER person_key_fill');
      await manager.query('UPDATE person SET person_key = NULL WHERE id = $1', [unkeyed.personId]);
      await manager.query('ALTER TABLE person ENABLE TRIGGER person_key_fill');
    });
    expect((await personRow(unkeyed.personId)).stored).toBeNull();
    await appendAccessLog(app.dataSource.manager, [
      {
        occurredAt: new Date(),
        actorKind: 'PERSON',
        actorId: 'person-key-test',
        organisation: '905',
        dataContent: DataContent.INTEGRATION_SERVICES,
        purpose: 'INTEGRATION_CLIENT_DATA',
        operation: 'notifications',
        notificationIds: [keyed.id, unkeyed.id],
      },
    ]);
    const [entry]: { keys: string[] }[] = await app.dataSource.query(
      "SELECT ARRAY(SELECT encode(k, 'hex') FROM unnest(person_keys) k ORDER BY 1) AS keys FROM access_log WHERE actor_id = 'person-key-test'",
    );
    const expected = [
      (await personRow(keyed.personId)).computed,
      (await personRow(unkeyed.personId)).computed,
    ].sort();
    expect(entry?.keys).toEqual(expected);
  });
});

describe('filling the person keys at start', () => {
  it('fills only the rows that lack one, and says how many', async () => {
    const given = await app.given.notification({ municipalityCode: '905' });
    await fillPersonKeys(app.dataSource); // What the tests above left without a key.
    expect(await fillPersonKeys(app.dataSource)).toBe(0);
    await app.dataSource.transaction(async (manager) => {
      await manager.query('ALTER TABLE person DISABLE TRIGGER person_key_fill');
      await manager.query('UPDATE person SET person_key = NULL WHERE id = $1', [given.personId]);
      await manager.query('ALTER TABLE person ENABLE TRIGGER person_key_fill');
    });
    expect(await fillPersonKeys(app.dataSource)).toBe(1);
    const { stored, computed } = await personRow(given.personId);
    expect(stored).toBe(computed);
    expect(await fillPersonKeys(app.dataSource)).toBe(0);
  });
});
