import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataContent, NotificationStatus, ViewerKind } from '../src/domain/enums';
import type { AuthenticatedViewer } from '../src/domain/viewer';
import { Notification } from '../src/entities/notification.entity';
import { Person } from '../src/entities/person.entity';
import { createLoaders } from '../src/loaders';
import { startTestApp, type TestApp } from './support/app';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => {
  await app?.close();
});

const vaasaHandler: AuthenticatedViewer = {
  kind: ViewerKind.PERSON,
  id: 'handler-905',
  name: 'Test Handler',
  stronglyAuthenticated: true,
  grants: [{ municipalityCode: '905', dataContents: [DataContent.INTEGRATION_SERVICES], purpose: 'test' }],
};

/**
 * The list and the person loader read plain rows instead of TypeORM entities (for speed): they must give exactly what
 * TypeORM gives for the same rows, every column included, so that a column added to an entity is not silently lost.
 */
describe('rows read without TypeORM hydration', () => {
  it('a listed notification equals the entity TypeORM loads', async () => {
    const given = await app.given.notification({ municipalityCode: '905', ageDays: 3 });
    await app.dataSource.query(
      `UPDATE notification SET status = 'IN_PROCESSING', processing_started_at = now(), additional_info = 'Puhelin'
       WHERE id = $1`,
      [given.id],
    );
    const page = await app.server.services.notifications.list(
      vaasaHandler,
      { status: NotificationStatus.IN_PROCESSING },
      50,
      null,
      app.clock.now(),
    );
    const listed = page.edges.find((edge) => edge.node.id === given.id)?.node;
    const entity = await app.dataSource.getRepository(Notification).findOneByOrFail({ id: given.id });
    expect(listed).toBeInstanceOf(Notification);
    expect(listed).toEqual(entity);
    expect(Object.keys(listed ?? {}).sort()).toEqual(
      app.dataSource
        .getMetadata(Notification)
        .columns.map((column) => column.propertyName)
        .sort(),
    );
  });

  it('a loaded person equals the entity TypeORM loads, dates as ISO strings and the address getter working', async () => {
    const given = await app.given.notification({ municipalityCode: '905' });
    await app.dataSource.query(
      `UPDATE person SET first_residence_permit_start = '2025-03-01', phone_number = '+358401234567' WHERE id = $1`,
      [given.personId],
    );
    const loaded = await createLoaders(app.dataSource, app.server.services.municipalities).person.load(
      given.personId,
    );
    const entity = await app.dataSource.getRepository(Person).findOneByOrFail({ id: given.personId });
    expect(loaded).toBeInstanceOf(Person);
    expect(loaded).toEqual(entity);
    expect(loaded?.firstResidencePermitStart).toBe('2025-03-01');
    expect(loaded?.address).toEqual(entity.address);
    expect(Object.keys(loaded ?? {}).sort()).toEqual(
      app.dataSource
        .getMetadata(Person)
        .columns.map((column) => column.propertyName)
        .sort(),
    );
  });

  it('the persons a page and notification(id) read with their notifications equal the entities TypeORM loads', async () => {
    const given = await app.given.notification({ municipalityCode: '905', ageDays: 2 });
    await app.dataSource.query(
      `UPDATE person SET first_residence_permit_start = '2024-11-15', phone_number = '+358409876543',
         native_language = 'ar', citizenship = 'SYR' WHERE id = $1`,
      [given.personId],
    );
    const entity = await app.dataSource.getRepository(Person).findOneByOrFail({ id: given.personId });
    const columns = app.dataSource
      .getMetadata(Person)
      .columns.map((column) => column.propertyName)
      .sort();

    const primedByList = new Map<string, Person>();
    await app.server.services.notifications.list(
      vaasaHandler,
      { status: NotificationStatus.NEW },
      50,
      null,
      app.clock.now(),
      { persons: { prime: (id, person) => primedByList.set(id, person) } },
    );
    const primedById = new Map<string, Person>();
    const byId = await app.server.services.notifications.get(vaasaHandler, given.id, app.clock.now(), {
      prime: (id, person) => primedById.set(id, person),
    });
    expect(byId).toEqual(await app.dataSource.getRepository(Notification).findOneByOrFail({ id: given.id }));

    for (const primed of [primedByList, primedById]) {
      const person = primed.get(given.personId);
      expect(person).toBeInstanceOf(Person);
      expect(person).toEqual(entity);
      expect(person?.firstResidencePermitStart).toBe('2024-11-15');
      expect(person?.address).toEqual(entity.address);
      expect(Object.keys(person ?? {}).sort()).toEqual(columns);
    }
  });
});
